"""The canonical usage table every source format is normalised into.

One row is one request, or one bucket of ``requests`` requests (exports that
aggregate by day/model/project). Token columns are *disjoint* billing
quantities, so that ``cost = sum(tokens_k * price_k)``:

===================  =========================  ===============================================
column               dtype                      meaning
===================  =========================  ===============================================
time                 datetime64[ns, UTC]        request time, or bucket start
provider             string                     openai, anthropic, google, ... ("" if unknown)
model                string                     model name exactly as the log spells it
app                  string                     project / workspace / app ("" if unknown)
user                 string                     user, api key or end user ("" if unknown)
feature              string                     feature / endpoint / tag / line item
session              string                     conversation or agent session id
request_id           string                     provider request id (dedup key)
input_tokens         int64                      input tokens billed at the base input price
                                                (cache reads/writes are NOT included)
cache_read_tokens    int64                      input tokens read from the prompt cache
cache_write_tokens   int64                      input tokens written to the prompt cache
                                                (5-minute + 1-hour TTL)
cache_write_1h_tokens int64                     the part of cache_write_tokens with 1 h TTL
output_tokens        int64                      output tokens, reasoning included
reasoning_tokens     int64                      the reasoning part of output_tokens (billed
                                                once, as output)
web_search_requests  int64                      server-side web searches billed per call
                                                (Anthropic/OpenAI web search tool; 0 if none)
requests             int64                      requests this row stands for (0 for a
                                                cost-only row)
batch                bool                       billed at Batch API prices
service_tier         string                     standard / priority / flex / batch ... ("")
long_context         boolean (nullable)         aggregated rows: billed at the long-context
                                                tier? NA = decide from the row's own input
reported_cost_usd    float64                    the provider's own billed cost (NaN if none)
quality              string (nullable)          a quality signal from the log (score or thumbs)
temperature          float64                    sampling temperature, when the log says (NaN)
prompt               string (nullable)          prompt text, when the log carries it
response             string (nullable)          response text, when the log carries it
source               string                     file the row came from
source_format        string                     detected format name
source_row           int64                      line (JSONL/CSV) or record index in the file
===================  =========================  ===============================================

A *cost-only* row (OpenAI Costs API, Anthropic cost report) has zero tokens,
``requests == 0`` and ``reported_cost_usd`` set: it is counted at its billed
amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, NoReturn

import numpy as np
import pandas as pd

from .errors import InputError

TOKEN_COLUMNS: tuple[str, ...] = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
)

STRING_COLUMNS: tuple[str, ...] = (
    "provider",
    "model",
    "app",
    "user",
    "feature",
    "session",
    "request_id",
    "service_tier",
    "source",
    "source_format",
)

TEXT_COLUMNS: tuple[str, ...] = ("prompt", "response")

# Per-call billing quantities that are not token counts (validated like
# tokens: whole, non-negative numbers; default 0).
COUNT_COLUMNS: tuple[str, ...] = ("web_search_requests",)

COLUMNS: tuple[str, ...] = (
    "time",
    "provider",
    "model",
    "app",
    "user",
    "feature",
    "session",
    "request_id",
    *TOKEN_COLUMNS,
    *COUNT_COLUMNS,
    "requests",
    "batch",
    "service_tier",
    "long_context",
    "reported_cost_usd",
    "quality",
    "temperature",
    "prompt",
    "response",
    "source",
    "source_format",
    "source_row",
)

# Columns added by pricing (llmcost.pricing.price_usage).
PRICED_COLUMNS: tuple[str, ...] = (
    "cost_input_usd",
    "cost_cache_read_usd",
    "cost_cache_write_usd",
    "cost_output_usd",
    "cost_web_search_usd",  # server-side web searches (per-1,000-search price)
    "cost_usd",  # total; for cost-only rows the billed amount
    "priced",  # bool: a price was found (or the row is cost-only)
    "price_model",  # resolved price-table model id ("" when unpriced)
    "price_provider",  # resolved price-table provider id
    "long_context_billed",  # bool: the long-context tier was applied
)


def empty_frame() -> pd.DataFrame:
    """An empty canonical table with the right dtypes."""
    return finalize(pd.DataFrame({c: [] for c in COLUMNS}), source="", source_format="")


def finalize(
    df: pd.DataFrame,
    *,
    source: str,
    source_format: str,
    defaults: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Fill missing canonical columns, cast dtypes and validate token values.

    ``df`` may hold any subset of :data:`COLUMNS`; extra columns are dropped.
    Raises :class:`InputError` naming the file and row for negative or
    non-numeric tokens.
    """
    defaults = dict(defaults or {})
    n = len(df)
    out: dict[str, Any] = {}

    # time
    if "time" in df.columns:
        t = df["time"]
        if not isinstance(t.dtype, pd.DatetimeTZDtype):
            t = to_utc(t, source=source, rows=_rows(df))
        out["time"] = t.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    else:
        out["time"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")

    for col in STRING_COLUMNS:
        if col in ("source", "source_format"):
            continue
        if col in df.columns:
            s = df[col]
            if not (isinstance(s.dtype, pd.StringDtype)):
                s = s.astype("string")
            out[col] = s.fillna(str(defaults.get(col, "")))
        else:
            out[col] = pd.Series([defaults.get(col, "")] * n, index=df.index, dtype="string")

    for col in (*TOKEN_COLUMNS, *COUNT_COLUMNS, "requests"):
        if col in df.columns:
            out[col] = _to_int(df[col], col, source=source, rows=_rows(df))
        else:
            default = defaults.get(col, 1 if col == "requests" else 0)
            out[col] = pd.Series(np.full(n, default, dtype="int64"), index=df.index)

    if "batch" in df.columns:
        b = df["batch"]
        if pd.api.types.is_bool_dtype(b.dtype) and not b.hasnans:
            out["batch"] = b.astype(bool)
        elif pd.api.types.is_numeric_dtype(b.dtype):
            out["batch"] = b.fillna(0).astype(bool)
        else:
            low = b.astype("string").str.strip().str.lower()
            out["batch"] = low.isin(["1", "true", "yes", "y", "t", "batch", "1.0"]).fillna(False).astype(bool)
    else:
        out["batch"] = pd.Series(np.full(n, bool(defaults.get("batch", False))), index=df.index)

    if "long_context" in df.columns:
        out["long_context"] = df["long_context"].astype("boolean")
    else:
        out["long_context"] = pd.Series(pd.NA, index=df.index, dtype="boolean")

    if "reported_cost_usd" in df.columns:
        out["reported_cost_usd"] = pd.to_numeric(df["reported_cost_usd"], errors="coerce").astype("float64")
    else:
        out["reported_cost_usd"] = pd.Series(np.nan, index=df.index, dtype="float64")

    if "quality" in df.columns:
        out["quality"] = df["quality"].astype("string")
    else:
        out["quality"] = pd.Series(pd.NA, index=df.index, dtype="string")
    if "temperature" in df.columns:
        out["temperature"] = pd.to_numeric(df["temperature"], errors="coerce").astype("float64")
    else:
        out["temperature"] = pd.Series(np.nan, index=df.index, dtype="float64")

    for col in TEXT_COLUMNS:
        if col in df.columns:
            out[col] = df[col].astype("string")
        else:
            out[col] = pd.Series(pd.NA, index=df.index, dtype="string")

    out["source"] = pd.Series([source] * n, index=df.index, dtype="string")
    out["source_format"] = pd.Series([source_format] * n, index=df.index, dtype="string")
    if "source_row" in df.columns:
        out["source_row"] = df["source_row"].astype("int64")
    else:
        out["source_row"] = pd.Series(np.arange(1, n + 1, dtype="int64"), index=df.index)

    result = pd.DataFrame(out, columns=list(COLUMNS))
    # cache_write_1h is a part of cache_write; reasoning a part of output.
    bad = result["cache_write_1h_tokens"] > result["cache_write_tokens"]
    if bad.any():
        row = int(result.loc[bad, "source_row"].iloc[0])
        raise InputError("1-hour cache-write tokens exceed total cache-write tokens", file=source, line=row)
    return result.reset_index(drop=True)


def _rows(df: pd.DataFrame) -> pd.Series | None:
    return df["source_row"] if "source_row" in df.columns else None


def _row_of(rows: pd.Series | None, pos: int) -> int:
    """The file line of the value at position ``pos``; ``rows`` (source_row
    numbers) is aligned with the values, else the line is ``pos + 1``."""
    if rows is not None:
        return int(rows.iloc[pos])
    return pos + 1


def _first(mask: pd.Series) -> int:
    """Position of the first True in a boolean mask (NA counts as False)."""
    return int(np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))[0])


def _to_int(s: pd.Series, col: str, *, source: str, rows: pd.Series | None) -> pd.Series:
    if pd.api.types.is_integer_dtype(s.dtype) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        vals = s
    else:
        if pd.api.types.is_bool_dtype(s.dtype):
            _raise_at(0, col, "is not a number", source, rows)
        orig = s
        s = s.where(s.notna() & (s.astype(str).str.strip() != ""), 0) if s.dtype == object or pd.api.types.is_string_dtype(s.dtype) else s.fillna(0)
        vals = pd.to_numeric(s, errors="coerce")
        bad = vals.isna()
        if bad.any():
            pos = _first(bad)
            _raise_at(pos, col, f"is not a number: {orig.iloc[pos]!r}", source, rows)
        frac = (vals % 1) != 0
        if frac.any():
            pos = _first(frac)
            _raise_at(pos, col, f"is not a whole number: {orig.iloc[pos]!r}", source, rows)
    neg = vals < 0
    if neg.any():
        pos = _first(neg)
        _raise_at(pos, col, f"is negative: {int(vals.iloc[pos])}", source, rows)
    return vals.astype("int64")


def _raise_at(pos: int, col: str, what: str, source: str, rows: pd.Series | None) -> NoReturn:
    raise InputError(f"{col} {what}", file=source, line=_row_of(rows, pos))


def _truthy(v: Any) -> bool:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return False
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return v != 0
    return str(v).strip().lower() in {"1", "true", "yes", "y", "t", "batch"}


#: a number column whose median lies here is a spreadsheet's date serial (1954..2119), not epoch seconds
_EXCEL_SERIAL = (20_000.0, 80_000.0)
#: a date written with numbers only, as a spreadsheet writes it: 10/3/2025, 03.10.2025, 3-10-25
_NUMERIC_DATE = r"^\s*(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?!\d)"


def _day_first(values: pd.Series, source: str, rows: pd.Series | None) -> bool:
    """Does the column write its numeric dates day first?  Decided for the whole column, not per value
    (which read "10/3/2025" as October and "25/10/2025" as day 25 in one file): a first number over
    12 means day first, a second over 12 month first, both is an error; neither: day first for
    dotted dates (03.10.2025, the European way), else month first (Excel's US default)."""
    parts = values.str.extract(_NUMERIC_DATE)
    found = parts[0].notna()
    if not found.any():
        return False
    first, second = parts.loc[found, 0].astype(int), parts.loc[found, 2].astype(int)
    day_first, month_first = first > 12, second > 12
    if day_first.any() and month_first.any():
        pos = _first(month_first.reindex(values.index, fill_value=False))
        raise InputError(f"dates written both day first ({values.loc[day_first[day_first].index[0]]!r}) and month "
                         f"first ({values.iloc[pos]!r}) in one column", file=source, line=_row_of(rows, pos))
    return bool(day_first.any() or (not month_first.any() and (parts.loc[found, 1] == ".").all()))


def to_utc(values: pd.Series | Iterable[Any], *, source: str = "", rows: pd.Series | None = None) -> pd.Series:
    """Parse timestamps (ISO strings, epoch seconds/ms, datetimes) to UTC.

    Naive timestamps are taken as UTC. Raises :class:`InputError` naming the
    first row that cannot be parsed: its ``rows`` value (file line numbers in
    the order of ``values``), else its position + 1.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values))
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.tz_localize("UTC")
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        num = s.astype("float64")
        med = num.dropna().abs().median()
        # OpenTelemetry spans carry nanoseconds (startTimeUnixNano), some logs microseconds
        if _EXCEL_SERIAL[0] <= med <= _EXCEL_SERIAL[1]:
            # a spreadsheet's date serial (days since 1899-12-30: 45933.58 is 2025-10-03 13:55), not
            # epoch seconds, which would put every request in the first day of 1970
            return pd.to_datetime(num, unit="D", origin=pd.Timestamp("1899-12-30"), utc=True).dt.round("ms")
        unit: Literal["ns", "us", "ms", "s"] = (
            "ns" if med > 1e17 else "us" if med > 1e14 else "ms" if med > 1e11 else "s")
        return pd.to_datetime(num, unit=unit, utc=True)
    str_s = s.astype("string")
    # epoch numbers written as strings
    numeric = pd.to_numeric(str_s, errors="coerce")
    if len(s) and numeric.notna().all():
        return to_utc(numeric, source=source, rows=rows)
    try:
        parsed = pd.to_datetime(str_s, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        dayfirst = _day_first(str_s, source, rows)
        parsed = pd.to_datetime(str_s, utc=True, errors="coerce", format="mixed", dayfirst=dayfirst)
    bad = parsed.isna() & str_s.notna() & (str_s.str.strip() != "")
    if bad.any():
        pos = _first(bad)
        raise InputError(f"cannot parse time {s.iloc[pos]!r}", file=source, line=_row_of(rows, pos))
    return parsed
