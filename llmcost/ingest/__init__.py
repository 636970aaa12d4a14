"""Ingest usage files of any supported format into the canonical table.

Format detection lives here, in one place: every reader module declares
``READERS``, a list of :class:`Reader` objects whose ``sniff`` returns a score
(0 = not mine). The highest score wins; generic readers score low so a
specific format always beats them.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..schema import COLUMNS, empty_frame
from ._io import ReadContext, SkippedRow, Source, open_source

__all__ = [
    "Reader",
    "ReadContext",
    "LoadResult",
    "SkippedRow",
    "Source",
    "load",
    "detect",
    "expand_paths",
    "readers",
]


@dataclass(frozen=True)
class Reader:
    """One source format."""

    name: str  # e.g. "openai-usage-csv"
    description: str
    kinds: frozenset[str]  # which Source kinds it can read: json, jsonl, csv, parquet
    sniff: Callable[[Source], int]  # 0 = no; higher = more specific
    read: Callable[[Source, ReadContext], pd.DataFrame]  # returns a finalised canonical frame
    dedup: bool = False  # drop repeated request_ids across files (streamed logs)


_READER_MODULES = (
    "openai",
    "anthropic",
    "claude_code",
    "codex",
    "litellm",
    "openrouter",
    "responses",  # generic provider API response logs (OpenRouter, Gemini, ...)
    "generic",
)


def readers() -> list[Reader]:
    """Every registered reader, in registration order."""
    import importlib

    out: list[Reader] = []
    for mod in _READER_MODULES:
        m = importlib.import_module(f"{__name__}.{mod}")
        out.extend(m.READERS)
    return out


def detect(source: Source, *, mapping: dict[str, Any] | None = None) -> Reader:
    """Pick the reader for ``source`` or raise a one-line :class:`InputError`."""
    best: tuple[int, Reader] | None = None
    for reader in readers():
        if source.kind not in reader.kinds:
            continue
        if mapping is not None and reader.name.startswith("generic"):
            score = 1_000  # an explicit mapping always wins
        else:
            score = reader.sniff(source)
        if score > 0 and (best is None or score > best[0]):
            best = (score, reader)
    if best is None:
        what = {
            "csv": f"CSV columns {', '.join((source.header or [])[:12])}",
            "json": "JSON document",
            "jsonl": "JSON Lines",
            "parquet": "Parquet",
        }[source.kind]
        hint = "pass --map mapping.yaml to name the columns"
        if source.kind in ("jsonl", "json") and _is_batch_input(source.text):
            what, hint = "an OpenAI Batch input file: requests, no usage", "pass the batch's output file: its results carry the usage"
        raise InputError(f"unrecognised usage format ({what})", file=source.name, hint=hint)
    return best[1]


def _is_batch_input(text: str | None) -> bool:
    """Is the first record an OpenAI Batch API request line ({"custom_id", "method", "url", "body"})?"""
    first = (text or "").lstrip().split("\n", 1)[0]
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and {"custom_id", "method", "url", "body"} <= record.keys() and "response" not in record


@dataclass
class LoadResult:
    """The canonical table plus what happened while reading."""

    table: pd.DataFrame
    files: list[tuple[str, str, int]] = field(default_factory=list)  # (file, format, rows)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicates_dropped: int = 0

    def no_rows_error(self, where: str = "", names: str | None = None) -> InputError:
        """The error for a load that found no usage rows (``where``: " in the --since/--until window"),
        with what the reading said (every batch result expired, every record failed ...): those warnings
        are why, and the error is all the user sees."""
        names = names if names is not None else ", ".join(f for f, _, _ in self.files)
        why = "; ".join(w.removeprefix(f"{names}: ") for w in self.warnings)
        return InputError(f"no usage rows found{where}" + (f": {why}" if why else ""), file=names or None)


SUFFIXES = (".jsonl", ".json", ".csv", ".tsv", ".parquet", ".ndjson", ".log")


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Expand directories (recursively), globs and ``-`` into a file list."""
    return [p for p, _ in expand_inputs(paths)]


def expand_inputs(paths: Iterable[str]) -> list[tuple[str, bool]]:
    """Like :func:`expand_paths`, with a flag per file: True when it was named
    (or matched a glob), False when it was found inside a directory. Hidden
    files and folders (``.name``) inside directories are left out."""
    out: list[tuple[str, bool]] = []
    for p in paths:
        if p == "-":
            out.append((p, True))
            continue
        matches = sorted(glob.glob(p, recursive=True)) if glob.has_magic(p) else [p]
        if not matches:
            raise InputError("no files match this pattern", file=p)
        for m in matches:
            if os.path.isdir(m):
                root = Path(m)
                found = sorted(
                    str(f)
                    for f in root.rglob("*")
                    if f.is_file()
                    and _usage_suffix(f.name)
                    and not any(part.startswith(".") for part in f.relative_to(root).parts)
                )
                if not found:
                    hidden = sorted({
                        str(root / f.relative_to(root).parts[0])
                        for f in root.rglob("*")
                        if f.is_file() and _usage_suffix(f.name)
                    })
                    hint = (f"hidden folders are skipped; pass one explicitly, e.g. {hidden[0]}" if hidden else None)
                    raise InputError("directory holds no usage files (.jsonl, .json, .csv, .parquet, .gz)",
                                     file=m, hint=hint)
                out.extend((f, False) for f in found)
            else:
                out.append((m, True))
    return out


def default_log_dirs() -> list[str]:
    """Where coding agents keep their logs on this machine (zero-config ``analyze``):
    Claude Code's ``projects`` folders and Codex's ``sessions`` folder."""
    home = Path.home()
    candidates: list[Path] = []
    for env in ("CLAUDE_CONFIG_DIR",):
        for part in os.environ.get(env, "").split(","):
            if part.strip():
                candidates.append(Path(part.strip()) / "projects")
    candidates += [home / ".config" / "claude" / "projects", home / ".claude" / "projects"]
    codex_home = os.environ.get("CODEX_HOME", "")
    candidates += [Path(codex_home) / "sessions"] if codex_home else []
    candidates += [home / ".codex" / "sessions"]
    out: list[str] = []
    for c in candidates:
        if c.is_dir() and any(c.rglob("*.jsonl")) and str(c) not in out:
            out.append(str(c))
    return out


def _usage_suffix(name: str) -> bool:
    n = name.lower()
    if n.endswith(".gz"):
        n = n[:-3]
    return n.endswith(SUFFIXES)


def load(
    paths: Sequence[str],
    *,
    skip_bad: bool = False,
    mapping: dict[str, Any] | None = None,
    since: pd.Timestamp | None = None,
    until: pd.Timestamp | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Read every file into one canonical table.

    ``since``/``until`` (UTC, inclusive/exclusive) are applied while reading,
    file by file, so large logs never hold filtered-out rows.
    """
    ctx = ReadContext(skip_bad=skip_bad, mapping=mapping)
    frames: list[pd.DataFrame] = []
    files: list[tuple[str, str, int]] = []
    dedup_formats: set[str] = set()
    for path, named in expand_inputs(paths):
        try:
            source = open_source(path)
            reader = detect(source, mapping=mapping)
        except InputError as err:
            if named:
                raise
            # a file found inside a directory that is not a usage log (settings,
            # todo lists, a CSV of notes): skip it, say so
            ctx.warn(f"skipped {path}: {err.message}")
            if progress is not None:
                progress(path)
            continue
        frame = reader.read(source, ctx)
        for note in source.notes:  # how the file was read: its encoding, rows that were no records
            ctx.warn(note)
        if reader.dedup:
            dedup_formats.add(reader.name)
        if since is not None:
            frame = frame[frame["time"].isna() | (frame["time"] >= since)]
        if until is not None:
            frame = frame[frame["time"].isna() | (frame["time"] < until)]
        files.append((source.name, reader.name, len(frame)))
        if len(frame):
            frames.append(frame)
        if progress is not None:
            progress(source.name)
    table = pd.concat(frames, ignore_index=True) if frames else empty_frame()
    dropped = 0
    if dedup_formats and len(table):
        mask = table["source_format"].isin(list(dedup_formats)) & (table["request_id"] != "")
        dup = mask & table.duplicated(subset=["source_format", "request_id"], keep="first")
        dropped = int(dup.sum())
        if dropped:
            table = table[~dup].reset_index(drop=True)
    table = table[list(COLUMNS)]
    counted = count_missing_tokens(table)
    if counted:
        ctx.warn(
            f"{counted:,} request(s) carried prompt/response text but no token counts: tokens counted locally "
            "(tiktoken, exact for OpenAI models; labelled estimates for others)"
        )
    return LoadResult(table=table, files=files, skipped=ctx.skipped, warnings=ctx.warnings, duplicates_dropped=dropped)


def count_missing_tokens(table: pd.DataFrame) -> int:
    """Fill token counts from the text for rows that have text but no usage.

    Logs of some gateways carry prompt and response text without usage
    numbers. Such rows are counted with tiktoken (exact for OpenAI-family
    models, a labelled estimate otherwise), per model, in batches. Modifies
    ``table`` in place; returns the number of rows counted.
    """
    if len(table) == 0:
        return 0
    tokens = table[["input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens"]].sum(axis=1)
    has_text = table["prompt"].notna() | table["response"].notna()
    # a row with a reported cost (e.g. a gateway cache hit billed $0) is not missing its usage
    need = (tokens == 0) & has_text & (table["requests"] > 0) & table["reported_cost_usd"].isna()
    if not need.any():
        return 0
    from ..tokens import count_many

    idx = table.index[need]
    for model, rows in table.loc[idx].groupby("model", sort=False):
        name = str(model) or "gpt-4o"
        for col, text_col in (("input_tokens", "prompt"), ("output_tokens", "response")):
            texts = rows[text_col].fillna("").astype(str).tolist()
            counts = count_many(texts, name)
            table.loc[rows.index, col] = [c.tokens for c in counts]
    return int(need.sum())
