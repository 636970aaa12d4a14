"""Opening, decoding and sniffing input files (shared by every reader)."""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..errors import InputError, json_error

Kind = Literal["json", "jsonl", "csv", "parquet"]

SAMPLE_RECORDS = 50

#: a spreadsheet's total row: a cell that is just "Total", "Grand total", "Sum", "Totals:" ...
_TOTAL_WORD = r"\s*(?:grand\s*|sub-?\s*)?(?:total|totals|sum|gesamt|summe|totale|totaal)\s*:?\s*"
#: how many rows at each end of a CSV are looked at for a total row
_TOTAL_EDGE = 5


@dataclass
class SkippedRow:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{loc}: {self.reason}"


@dataclass
class ReadContext:
    """Options and bookkeeping shared by the readers during one load."""

    skip_bad: bool = False
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mapping: dict[str, Any] | None = None  # parsed --map YAML (generic readers)

    def bad(self, file: str, line: int | None, reason: str) -> None:
        """Report a bad row: raise, or record it when ``--skip-bad`` is on."""
        if self.skip_bad:
            self.skipped.append(SkippedRow(file, line, reason))
            return
        raise InputError(reason, file=file, line=line, hint="use --skip-bad to skip such rows")

    def warn(self, message: str) -> None:
        self.warnings.append(message)


@dataclass
class Source:
    """One input file, decoded once and shared by sniffing and reading."""

    name: str
    kind: Kind
    text: str = ""
    raw: bytes = b""
    header: list[str] | None = None  # csv: column names
    sep: str = ","  # csv: the field separator (",", ";" from European Excel, tab from "Unicode text")
    doc: Any = None  # json: the parsed document
    _records: list[tuple[int, Any]] | None = None  # jsonl: (line number, parsed value)
    _bad_lines: list[tuple[int, str]] = field(default_factory=list)
    _sample: list[Any] | None = None
    notes: list[str] = field(default_factory=list)  # warnings about the reading itself (encoding, ...)

    # -- JSONL -----------------------------------------------------------------
    def records(self, ctx: ReadContext | None = None) -> list[tuple[int, Any]]:
        """All JSONL records as ``(line_number, value)``; blank lines skipped.

        Malformed lines are reported through ``ctx.bad`` (raise or skip).
        """
        if self._records is None:
            self._parse_jsonl()
        if ctx is not None:
            for line, reason in self._bad_lines:
                ctx.bad(self.name, line, reason)
            self._bad_lines = []
        return self._records or []

    def all_records(self, ctx: ReadContext | None = None) -> list[tuple[int, Any]]:
        """Records of a JSONL file, or of a JSON document (a list of records or
        one record), as ``(line_or_index, value)``."""
        if self.kind == "jsonl":
            return self.records(ctx)
        if isinstance(self.doc, list):
            return [(i, v) for i, v in enumerate(self.doc, start=1)]
        return [(1, self.doc)]

    def sample_records(self) -> list[Any]:
        """The first few parseable JSON values, for format detection (cached;
        scans only the start of the file)."""
        if self.kind == "json":
            if isinstance(self.doc, list):
                return self.doc[:SAMPLE_RECORDS]
            return [self.doc]
        if self._sample is not None:
            return self._sample
        out: list[Any] = []
        text = self.text
        pos = 0
        n = len(text)
        scanned = 0
        while pos < n and len(out) < SAMPLE_RECORDS and scanned < 2000:
            end = text.find("\n", pos)
            if end < 0:
                end = n
            raw = text[pos:end].strip()
            pos = end + 1
            if not raw:
                continue
            scanned += 1
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue
        self._sample = out
        return out

    def _parse_jsonl(self) -> None:
        recs: list[tuple[int, Any]] = []
        loads = json.loads
        for lineno, raw in _iter_lines(self.text):
            try:
                recs.append((lineno, loads(raw)))
            except ValueError as exc:
                reason = "truncated JSON line" if _looks_truncated(raw) else f"invalid JSON ({json_error(exc)[0]})"
                self._bad_lines.append((lineno, reason))
        self._records = recs

    # -- CSV -------------------------------------------------------------------
    def csv_frame(self, **kwargs: Any) -> pd.DataFrame:
        """The CSV as a DataFrame with a ``source_row`` column (file line number)."""
        if self.raw and len(self.raw) > 1_000_000 and set(kwargs) <= {"sep", "dtype"}:
            fast = self._csv_fast(**kwargs)
            if fast is not None:
                return fast
        try:
            df = pd.read_csv(io.StringIO(self.text), skipinitialspace=True, **{"sep": self.sep, **kwargs})
        except pd.errors.ParserError as exc:
            raise InputError(f"malformed CSV: {exc}".splitlines()[0], file=self.name) from None
        except pd.errors.EmptyDataError:
            raise InputError("empty CSV file", file=self.name) from None
        df.columns = [str(c).strip() for c in df.columns]
        df["source_row"] = self._csv_record_lines(len(df))
        return self._records_only(df)

    def _records_only(self, df: pd.DataFrame) -> pd.DataFrame:
        """Drop the rows a spreadsheet adds that are no usage records, each kind
        named in a note: rows of empty cells, the header repeated (files pasted
        one under another) and a "Total" row (a SUM() under the data, whose
        numbers would be counted twice).

        Cheap on the common path (a 100 MB export: ~0.1 s): blank rows are
        looked for among the rows whose number columns are all empty, a repeated
        header only when the header line occurs twice in the text, and total
        rows among the first and last :data:`_TOTAL_EDGE` rows, where a
        spreadsheet puts its sums (also after sorting)."""
        if df.empty:
            return df
        columns = [c for c in df.columns if c != "source_row"]
        if not columns:
            return df
        numeric = [c for c in columns if pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]
        textual = [c for c in columns if c not in numeric]
        candidates = df[numeric].isna().all(axis=1) if numeric else pd.Series(True, index=df.index)
        drop = pd.Series(False, index=df.index)
        if candidates.any():
            rows = df.loc[candidates, textual]
            empty = rows.apply(lambda c: c.isna() | (c.astype("string").str.strip() == "")).all(axis=1)
            drop.loc[empty[empty].index] = True
        first_line = self.text[: self.text.find("\n")].strip() if "\n" in self.text else ""
        if len(columns) >= 2 and first_line and self.text.count(first_line) > 1:
            lowered = df[columns].apply(lambda c: c.astype("string").str.strip().str.lower())
            wanted = pd.Series([str(c).lower() for c in columns], index=columns)  # (stripped on reading)
            repeated = (lowered == wanted).sum(axis=1) >= max(2, len(columns) // 2)
            self._note_rows(df, repeated & ~drop, "the header row repeated (files pasted one under another)")
            drop |= repeated
        edge = df.index[:_TOTAL_EDGE].union(df.index[-_TOTAL_EDGE:])
        total = pd.Series(False, index=df.index)
        for col in textual:
            cells = df.loc[edge, col].astype("string").str.fullmatch(_TOTAL_WORD, case=False)
            total.loc[cells[cells.fillna(False)].index] = True
        self._note_rows(df, total & ~drop, "a total row (spreadsheet sums are not usage; recomputed from the rows)")
        drop |= total
        if not drop.any():
            return df
        return df[~drop.to_numpy()]

    def _note_rows(self, df: pd.DataFrame, mask: pd.Series, what: str) -> None:
        if mask.any():
            lines = [str(x) for x in df.loc[mask, "source_row"].head(3)]
            more = "" if mask.sum() <= 3 else f" and {int(mask.sum()) - 3} more"
            self.notes.append(f"{self.name}: skipped {what}: line {', '.join(lines)}{more}")

    def _csv_fast(self, **kwargs: Any) -> pd.DataFrame | None:
        """Large CSVs: pyarrow's multi-threaded reader (about 10x faster).
        On any parse problem return None so the C reader reports the row."""
        try:
            df = pd.read_csv(io.BytesIO(self.raw), engine="pyarrow", **{"sep": self.sep, **kwargs})
        except Exception:
            return None
        df.columns = [str(c).strip() for c in df.columns]
        df["source_row"] = self._csv_record_lines(len(df))
        return self._records_only(df)

    def _csv_record_lines(self, n: int) -> Any:
        """The file line each CSV record starts on (header = line 1).

        ``range(2, n + 2)`` unless the file has quoted fields spanning lines or
        blank lines; then the records are walked with the csv module."""
        text = self.text
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if lines == n + 1:  # one line per record: the common case, checked in C
            return range(2, n + 2)
        import csv

        reader = csv.reader(io.StringIO(text), delimiter=self.sep)
        starts: list[int] = []
        line = 1
        try:
            next(reader)  # header
            line = reader.line_num + 1
            for row in reader:
                if row and any(field.strip() for field in row):
                    starts.append(line)
                line = reader.line_num + 1
        except csv.Error:
            return range(2, n + 2)
        if len(starts) != n:
            return range(2, n + 2)
        return starts


def _iter_lines(text: str):
    # split on "\n" only: str.splitlines() also breaks on U+2028, \x0c, \x1c, \x85...,
    # which JSON writers (Node's JSON.stringify, ensure_ascii=False) leave unescaped
    for i, raw in enumerate(text.split("\n"), start=1):
        raw = raw.strip()
        if raw:
            yield i, raw


def _looks_truncated(raw: str) -> bool:
    s = raw.rstrip()
    return s.startswith(("{", "[")) and not s.endswith(("}", "]"))


# ------------------------------------------------------------------------------
# Opening and decoding
# ------------------------------------------------------------------------------

def read_bytes(path: str) -> tuple[str, bytes]:
    """Return ``(display_name, raw bytes)``, transparently gunzipping ``.gz``."""
    if path == "-":
        name = "<stdin>"
        data = sys.stdin.buffer.read()
    else:
        name = path
        p = Path(path)
        if not p.exists():
            raise InputError("no such file", file=name)
        if p.is_dir():
            raise InputError("is a directory", file=name)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"corrupt or truncated gzip file ({exc})", file=name) from None
    return name, data


def decode_text(name: str, data: bytes) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 (with or without BOM), UTF-16 with BOM; reject
    binary. Text that is not UTF-8 is read as Windows-1252 (a
    superset of Latin-1): what Excel on Windows writes for "CSV (Comma
    delimited)", so accented names in such exports read right; the caller
    says so in a warning. Bytes Windows-1252 leaves undefined are an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"invalid UTF-16 text at byte {exc.start}", file=name) from None
    if b"\x00" in data[:8192]:
        raise InputError("binary file, not a text usage log", file=name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        start = exc.start
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[start]:02x} at offset {start})",
            file=name,
            line=data[:start].count(b"\n") + 1,
            hint="re-save the file as UTF-8",
        ) from None


#: a TOML or INI section header opening a file: "[tool.poetry]", "[settings]", "[[servers]]"
_SECTION_HEADER = re.compile(r"\[\[?[A-Za-z_][\w.\- \"]*\]\]?[ \t]*\r?\n")


def open_source(path: str) -> Source:
    """Read, decode and classify one input into a :class:`Source`."""
    name, data = read_bytes(path)
    if data[:4] == b"PAR1":
        return Source(name=name, kind="parquet", raw=data)
    text, encoding = decode_text(name, data)
    notes = [f"{name}: not UTF-8; read as Windows-1252 (Latin-1), the encoding Excel saves CSV in"
             ] if encoding == "cp1252" else []
    stripped = text.lstrip()
    if not stripped:
        raise InputError("empty file", file=name)
    first = stripped[0]
    if first in "{[":
        # A whole-file JSON document, or JSON Lines?
        try:
            doc = json.loads(stripped)
        except ValueError:
            doc = None
        if doc is not None and not (isinstance(doc, dict) and "\n" in stripped.strip() and _is_jsonl(stripped)):
            return Source(name=name, kind="json", text=text, doc=doc, notes=notes)
        if _is_jsonl(stripped):
            return Source(name=name, kind="jsonl", text=text, notes=notes)
        if first == "{" and _starts_with_record_line(stripped):
            return Source(name=name, kind="jsonl", text=text, notes=notes)  # JSONL with a bad line: reported by line
        # Pretty-printed JSON that does not parse as one document: several documents
        # one after the other (API pages saved with `curl ... >> usage.json`), or one
        # document cut short or malformed.
        docs, error = _json_stream(stripped)
        if error is None:
            return Source(name=name, kind="json", text=text, doc=docs, notes=notes)
        reason, line = json_error(error)
        if line is not None:
            line += text[: len(text) - len(stripped)].count("\n")  # blank lines before the document
        at = error.pos if isinstance(error, json.JSONDecodeError) else 0
        if not stripped[at:].strip() or reason.startswith("Unterminated string"):
            raise InputError(f"truncated JSON: the document ends early ({reason})", file=name, line=line)
        if _SECTION_HEADER.match(stripped):  # "[tool.poetry]", "[settings]": no JSON ever opens so
            raise InputError("unrecognised usage format (a [section] header: TOML or INI, not JSON)", file=name)
        raise InputError(f"invalid JSON ({reason})", file=name, line=line)
    header_line = stripped[: stripped.find("\n") if "\n" in stripped[:100_000] else 100_000].rstrip("\r")
    if "," in header_line or "\t" in header_line or ";" in header_line:
        sep = _csv_separator(header_line)
        header = [h.strip().strip('"') for h in _split_header(header_line, sep)]
        raw = data if encoding == "utf-8" else text.encode("utf-8")  # the fast reader reads UTF-8 bytes
        return Source(name=name, kind="csv", text=text, raw=raw, header=header, sep=sep, notes=notes)
    raise InputError("unrecognised file: not JSON, JSON Lines, CSV or Parquet", file=name, line=1)


def respelt_columns(header: Iterable[str] | None, vocabulary: Iterable[str]) -> dict[str, str]:
    """The column names a spreadsheet respelt ("Prompt Tokens", "START TIME", "cache-hit"), each mapped
    to the spelling in ``vocabulary`` (a format's own column names) it matches ignoring case, spaces,
    hyphens and underscores.  Names already spelt so, unknown ones, and a respelling whose own spelling
    is also in the header are left out.  A reader renames by it, for detection and reading alike."""
    by_key = {_name_key(name): name for name in vocabulary}
    names = set(header or [])
    out = {}
    for name in names:
        spelling = by_key.get(_name_key(name))
        if spelling is not None and spelling != name and spelling not in names:
            out[name] = spelling
    return out


def _name_key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _csv_separator(header_line: str) -> str:
    """The field separator, from the header line: a tab (Excel's "Unicode text"),
    a semicolon (Excel in locales whose decimal mark is a comma) or a comma,
    whichever the header holds most of outside quotes."""
    bare = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: bare.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _split_header(line: str, sep: str = ",") -> list[str]:
    import csv

    return next(csv.reader([line], delimiter=sep))


def _starts_with_record_line(text: str) -> bool:
    """True when one of the first 20 non-blank lines is a whole JSON object with
    keys on its own: JSON Lines (whose other lines may be bad), not a
    pretty-printed document (whose lines are fragments)."""
    for n, (_, raw) in enumerate(_iter_lines(text[:200_000])):
        if n >= 20:
            break
        if raw.startswith("{") and raw.endswith("}"):
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict) and value:
                return True
    return False


def _json_stream(text: str) -> tuple[Any, ValueError | None]:
    """Parse JSON documents written one after the other (whitespace between).

    Returns ``(documents, None)`` (several documents as one list: their items
    when every document is a list, else the documents; one document as itself),
    or ``(None, error)`` for the first document that does not parse."""
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            break
        try:
            doc, pos = decoder.raw_decode(text, pos)
        except ValueError as exc:
            return None, exc
        docs.append(doc)
    if len(docs) == 1:
        return docs[0], None
    if all(isinstance(d, list) for d in docs):
        return [item for d in docs for item in d], None
    return docs, None


def _is_jsonl(text: str) -> bool:
    """True when the first two non-blank lines each parse as JSON on their own."""
    n = 0
    for _, raw in _iter_lines(text[:200_000]):
        try:
            json.loads(raw)
        except ValueError:
            return False
        n += 1
        if n >= 2:
            return True
    return False
