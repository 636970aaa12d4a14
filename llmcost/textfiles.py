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


def decode_bytes(raw: bytes, name: str) -> str:
    """Bytes of a prompt file -> text, or a one-line :class:`InputError`
    (:class:`EmptyFileError` for an empty file)."""
    if not raw.strip():
        raise EmptyFileError("file is empty", file=name)
    for bom, codec in BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid {codec} text (byte {exc.start})", file=name) from exc
            break
    else:
        if b"\x00" in raw[:8192]:
            raise InputError("binary file, not a text prompt", file=name)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start}); unknown encoding",
                             file=name, hint="convert it to UTF-8, e.g. with iconv") from exc
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
    """Parse ``text`` as ``kind`` ("json" or "yaml"); a one-line error names the file and line.

    ``load`` replaces ``json.loads`` / ``yaml.safe_load`` (a loader that also
    records source positions) and gets the same error handling."""
    if kind == "json":
        try:
            return (load or json.loads)(text)
        except ValueError as exc:  # JSONDecodeError, or a plain ValueError (an integer of 4,300+ digits)
            reason, line = json_error(exc)
            raise InputError(f"invalid JSON: {reason}", file=name, line=line) from exc
    import yaml

    try:
        return (load or yaml.safe_load)(text)
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", file=name,
                         line=yaml_error_line(exc)) from exc
