"""Reading prompt-like text files: decoding and JSON/YAML parsing with
one-line errors. Shared by ``llmcost tokens`` and ``llmcost compress``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .errors import InputError, json_error

BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class EmptyFileError(InputError):
    """A prompt file with no text (nothing, or only whitespace): a folder walk may skip it."""

    skipped_as = "empty"  # what a folder walk's note says


def _bad_byte(raw: bytes, codec: str, exc: UnicodeDecodeError) -> tuple[str, int]:
    """Where decoding ``raw`` failed: "byte N (0xXX)" and its 1-based line."""
    line = raw[:exc.start].decode(codec, "replace").count("\n") + 1
    return f"byte {exc.start} (0x{raw[exc.start]:02x})", line


def _utf16_without_bom(sample: bytes) -> str | None:
    """"LE" or "BE" when ``sample`` looks like UTF-16 text without a BOM, else None: mostly ASCII (a
    NUL byte beside each character), or Chinese/Japanese text whose ASCII newlines and punctuation put
    NULs on one side of the pairs only and which decodes to printable text (a binary file has NULs on
    both sides, or decodes to unassigned and private-use code points)."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    for order, zeros, other in (("LE", sample[1::2], sample[0::2]), ("BE", sample[0::2], sample[1::2])):
        nuls, stray = zeros.count(0), other.count(0)
        if nuls >= 0.8 * pairs and not stray:
            return order
        # (a few NULs on the other side: 一 is U+4E00, and U+xx00 characters are 1 in 256)
        if pairs >= 8 and nuls > stray and stray <= max(1, 0.05 * pairs):
            text = sample[:2 * pairs].decode("utf-16-" + order.lower(), "replace")
            if sum(ch.isprintable() or ch in "\n\r\t" for ch in text) >= 0.98 * len(text):
                return order
    return None


def decode_bytes(raw: bytes, name: str) -> str:
    """Bytes of a prompt file -> text, or a one-line :class:`InputError`
    (:class:`EmptyFileError` for an empty file).  A text that does not decode
    is named with its line and the offset of the first bad byte."""
    if not raw.strip():
        raise EmptyFileError("file is empty", file=name)
    for bom, codec in BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                if codec == "utf-8-sig":  # (its offsets do not count the BOM)
                    exc.start += len(bom)
                where, line = _bad_byte(raw, codec, exc)
                label = codec.upper().removesuffix("-SIG")
                raise InputError(f"invalid {label} text at {where}", file=name, line=line) from exc
            break
    else:
        nul = raw.find(b"\x00", 0, 8192)
        if nul != -1:
            order = _utf16_without_bom(raw[:8192])
            if order is not None:
                raise InputError(f"looks like UTF-16-{order} text without a BOM: only UTF-8, or UTF-16/32 with a "
                                 "BOM, is read", file=name, hint="convert it to UTF-8, e.g. with iconv -f UTF-16" + order)
            raise InputError(f"binary file, not a text prompt (a NUL byte at byte {nul})", file=name)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            where, line = _bad_byte(raw, "utf-8", exc)
            raise InputError(f"not UTF-8 text at {where}; unknown encoding",
                             file=name, line=line, hint="convert it to UTF-8, e.g. with iconv") from exc
    if not text.strip():
        raise EmptyFileError("file is empty", file=name)
    sample = text[:8192]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise InputError("binary file, not a text prompt", file=name)
    return text


def yaml_error_line(exc: Exception) -> int | None:
    """The 1-based line a YAML error points at, if it says."""
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None


def parse_structured(text: str, kind: str, name: str, load: Callable[[str], Any] | None = None) -> Any:
    """Parse ``text`` as ``kind`` ("json" or "yaml"); a one-line error names the file, line and column.

    ``load`` replaces ``json.loads`` / ``yaml.safe_load`` (a loader that also
    records source positions) and gets the same error handling."""
    if kind == "json":
        try:
            return (load or json.loads)(text)
        except ValueError as exc:  # JSONDecodeError, or a plain ValueError (an integer of 4,300+ digits)
            reason, line = json_error(exc)
            raise InputError(f"invalid JSON: {reason}", file=name, line=line,
                             column=getattr(exc, "colno", None)) from exc
        except RecursionError:  # (the parsers recurse once or twice per level: a few hundred levels)
            raise InputError("JSON nested too deeply to read", file=name) from None
    import yaml

    try:
        return (load or yaml.safe_load)(text)
    except RecursionError:
        raise InputError("YAML nested too deeply to read", file=name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context and problem.startswith("but "):  # "expected a single document in the stream, but found another..."
            problem = f"{context}, {problem}"
        raise InputError(f"invalid YAML: {problem}", file=name,
                         line=yaml_error_line(exc), column=None if mark is None else mark.column + 1) from exc
