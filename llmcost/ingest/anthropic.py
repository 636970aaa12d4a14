"""Anthropic usage and cost formats.

Five formats, each with its own reader (format names in brackets):

**Console usage CSV export** [``anthropic-console-usage-csv``] (Console → Usage →
Export, https://support.claude.com/en/articles/9534590). One row per day (or
hour) × model × API key × workspace × usage type × context window. Columns
``usage_date_utc, model_version, api_key, workspace, usage_type,
context_window, usage_input_tokens_no_cache, usage_input_tokens_cache_write_5m,
usage_input_tokens_cache_write_1h, usage_input_tokens_cache_read,
usage_output_tokens, web_search_count, inference_geo, speed``. Older exports
lack ``context_window``/``inference_geo``/``speed``; the oldest carry one
combined ``usage_input_tokens_cache_write`` column (read as 5-minute writes).
The export has **no request count**: every row counts as one request and a
warning says so. ``context_window`` ("≤ 200k" / "> 200k", or the API spellings
"0-200k" / "200k-1M") sets ``long_context``. ``workspace`` → app, ``api_key`` →
user, ``usage_type`` → feature (and service tier / batch when it names one).

**Console cost CSV export** [``anthropic-console-cost-csv``] (Console → Cost →
Export). Columns seen in real exports: ``usage_date_utc, model, workspace,
api_key, usage_type, context_window, token_type, cost_usd, list_price_usd,
cost_type, inference_geo, speed, api_key_id, api_key_status`` (older:
``usage_date_utc, model, workspace, api_key, usage_type, token_type,
cost_usd``). ``model`` is a display name ("Claude Sonnet 4.5"). ``cost_usd`` is
in dollars (a ``*_cents`` column is divided by 100). Rows are cost-only: zero
tokens, ``requests`` 0, ``reported_cost_usd`` set; feature = ``token_type``
(``input_no_cache``, ``input_cache_write_5m``, ``output`` ...) or ``cost_type``.

**Admin API usage report** [``anthropic-usage-report``]
(``GET /v1/organizations/usage_report/messages``,
https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages):
pages ``{"data": [{"starting_at", "ending_at", "results": [...]}], "has_more",
"next_page"}`` (also a list of pages or of buckets, or JSONL of pages). Results
carry ``uncached_input_tokens``, ``cache_creation.ephemeral_5m_input_tokens`` /
``ephemeral_1h_input_tokens``, ``cache_read_input_tokens``, ``output_tokens``
and, when grouped, ``model``, ``workspace_id``, ``api_key_id``,
``service_tier`` (standard / batch / priority ...), ``context_window``
("0-200k" / "200k-1M"). No request count (one request per row, with a
warning). The analytics ``user_usage_report`` (items with ``actor``,
``product``, ``requests`` and the same token fields) is read by the same reader,
with its real request counts.

**Admin API cost report** [``anthropic-cost-report``]
(``GET /v1/organizations/cost_report``): the same bucket pages; results carry
``amount`` as a decimal **string in cents** ("123.78912" USD = $1.2378912),
``currency``, ``cost_type``, ``token_type``, ``model``, ``service_tier``,
``context_window``, ``description``, ``workspace_id``. Cost-only rows.

**Messages API responses** [``anthropic-messages``], JSON or JSONL: a Message
object (``{"id", "type": "message", "model", "content", "usage"}``), a wrapper
``{"model", "usage", ...}``, ``{"request": ..., "response": ...}`` logs, or
Message Batches results (``{"custom_id", "result": {"type": "succeeded",
"message": ...}}``, billed at Batch prices). ``usage.input_tokens`` EXCLUDES
cache tokens; ``cache_creation_input_tokens`` is the cache write total, its
1-hour part is ``cache_creation.ephemeral_1h_input_tokens``; ``service_tier``
"batch" → batch. When ``usage.iterations`` is present (server-side compaction)
the top-level fields cover only the final sampling step, so the iterations are
summed (https://platform.claude.com/docs/en/build-with-claude/compaction).

**Server-side web searches** (billed per search, $10 per 1,000 —
https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool)
become ``web_search_requests``: the Console usage CSV's ``web_search_count``,
and ``server_tool_use.web_search_requests`` in usage-report results, the
analytics user report and Messages ``usage``. ``web_fetch_requests`` is not
carried (web fetch has no per-call fee, only tokens).

``speed: "fast"`` (fast mode, billed at premium rates) is recorded as
``service_tier`` "fast". ``inference_geo`` surcharges are not carried.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import InputError
from ..wording import plural
from . import ReadContext, Reader, Source
from ._numbers import plain_numbers

PROVIDER = "anthropic"

SERVICE_TIERS = frozenset({"standard", "batch", "priority", "priority_on_demand", "flex", "flex_discount"})


# ------------------------------------------------------------------------------
# Shared helpers (also used by the Claude Code reader)
# ------------------------------------------------------------------------------

def count(d: Mapping[str, Any], key: str) -> int:
    """A non-negative whole token count from ``d[key]`` (missing/null = 0).

    Raises ``ValueError`` with a one-line reason for anything else.
    """
    v = d.get(key)
    if type(v) is int and v >= 0:  # the common case, kept fast
        return v
    if v is None:
        return 0
    return _slow_count(key, v)


def _slow_count(key: str, v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError(f"{key} is not a number: {v!r}")
    if isinstance(v, int):
        n = v
    elif isinstance(v, float):
        if not np.isfinite(v) or v != int(v):
            raise ValueError(f"{key} is not a whole number: {v!r}")
        n = int(v)
    elif isinstance(v, str) and v.strip().lstrip("-").isdigit():
        n = int(v.strip())
    else:
        raise ValueError(f"{key} is not a number: {v!r}")
    if n < 0:
        raise ValueError(f"{key} is negative: {n}")
    return n


@dataclass
class Tokens:
    """Disjoint billing quantities of one request or bucket."""

    input: int = 0
    cache_read: int = 0
    cache_write: int = 0
    cache_write_1h: int = 0
    output: int = 0
    reasoning: int = 0

    def merged_max(self, other: Tokens) -> Tokens:
        t = Tokens(
            max(self.input, other.input),
            max(self.cache_read, other.cache_read),
            max(self.cache_write, other.cache_write),
            max(self.cache_write_1h, other.cache_write_1h),
            max(self.output, other.output),
            max(self.reasoning, other.reasoning),
        )
        t.cache_write = max(t.cache_write, t.cache_write_1h)
        return t

    def __add__(self, other: Tokens) -> Tokens:
        return Tokens(
            self.input + other.input,
            self.cache_read + other.cache_read,
            self.cache_write + other.cache_write,
            self.cache_write_1h + other.cache_write_1h,
            self.output + other.output,
            self.reasoning + other.reasoning,
        )


def _cache_writes(u: Mapping[str, Any], total_key: str | None) -> tuple[int, int]:
    """(total cache write, 1-hour part) from the nested or flat spellings."""
    cc = u.get("cache_creation")
    if isinstance(cc, dict):
        w5 = count(cc, "ephemeral_5m_input_tokens")
        w1 = count(cc, "ephemeral_1h_input_tokens")
    elif cc is None:
        # flat spellings used by some report schemas
        w5 = count(u, "cache_creation_5m_input_tokens")
        w1 = count(u, "cache_creation_1h_input_tokens")
    else:
        raise ValueError(f"cache_creation is not an object: {cc!r}")
    total = count(u, total_key) if total_key and u.get(total_key) is not None else w5 + w1
    return max(total, w5 + w1), w1


def web_search_requests(u: Mapping[str, Any]) -> int:
    """``server_tool_use.web_search_requests`` of a usage object (0 if absent)."""
    stu = u.get("server_tool_use")
    if stu is None:
        return 0
    if not isinstance(stu, Mapping):
        raise ValueError(f"server_tool_use is not an object: {stu!r}")
    return count(stu, "web_search_requests")


def message_web_searches(u: Mapping[str, Any]) -> int:
    """Web searches of a Messages ``usage`` (with compaction ``iterations``,
    their sum, never below the top-level count)."""
    top = web_search_requests(u)
    iterations = u.get("iterations")
    if isinstance(iterations, list) and iterations:
        summed = sum(web_search_requests(it) for it in iterations if isinstance(it, Mapping))
        return max(top, summed)
    return top


def _one_message_usage(u: Mapping[str, Any]) -> Tokens:
    write, write_1h = _cache_writes(u, "cache_creation_input_tokens")
    out = count(u, "output_tokens")
    details = u.get("output_tokens_details")
    reasoning = 0
    if isinstance(details, dict):
        reasoning = min(count(details, "reasoning_tokens") or count(details, "thinking_tokens"), out)
    return Tokens(count(u, "input_tokens"), count(u, "cache_read_input_tokens"), write, write_1h, out, reasoning)


def message_usage_tokens(u: Mapping[str, Any]) -> Tokens:
    """Tokens of one Messages API ``usage`` object (input excludes cache).

    With server-side compaction ``usage.iterations`` lists every sampling
    step while the top-level fields cover only the last one: the iterations
    are summed (field by field, never below the top-level value).
    """
    top = _one_message_usage(u)
    iterations = u.get("iterations")
    if isinstance(iterations, list) and iterations:
        summed = Tokens()
        for it in iterations:
            if isinstance(it, dict):
                summed = summed + _one_message_usage(it)
        return top.merged_max(summed)
    return top


def long_context_flag(label: Any) -> bool | None:
    """Long-context tier from a context-window label, None when unknown.

    Console spells it "≤ 200k" / "> 200k"; the Admin API "0-200k" / "200k-1M".
    """
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return None
    s = str(label).strip().lower().replace(" ", "")
    if not s:
        return None
    if s.startswith(("≤", "<=", "<", "0-", "under")):
        return False
    if s.startswith((">", "≥", ">=", "200k-", "over")) or s.endswith("+"):
        return True
    return None


def service_tier_of(tier: Any, speed: Any = None) -> str:
    """Normalised service tier; fast mode is recorded as "fast"."""
    if (tier is None or isinstance(tier, str)) and (speed is None or isinstance(speed, str)):
        return _tier_cached(tier, speed)
    return _tier(tier, speed)


def _tier(tier: Any, speed: Any) -> str:
    t = "" if tier is None or (isinstance(tier, float) and np.isnan(tier)) else str(tier).strip().lower()
    if t == "default":  # older logs spell the standard tier "default"
        t = "standard"
    if str(speed or "").strip().lower() == "fast" and t in ("", "standard"):
        return "fast"
    return t


_tier_cached = functools.lru_cache(maxsize=256)(_tier)


def content_text(content: Any) -> str | None:
    """Text of a Messages ``content`` value (a string or a list of blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [b.get("text", "") for b in content if isinstance(b, Mapping) and b.get("type") == "text"]
        parts = [p for p in parts if isinstance(p, str) and p]
        return "\n".join(parts) if parts else None
    return None


def _str(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v)


def parse_times(values: list[Any], rows: list[int], src: Source, ctx: ReadContext) -> tuple[pd.Series, np.ndarray]:
    """Parse record times to UTC; report unparseable ones through ``ctx.bad``.

    ISO 8601 strings take the fast path; anything else (epoch numbers, other
    spellings) goes through :func:`llmcost.schema.to_utc`. Returns the parsed
    series (NaT for missing times) and a keep mask.
    """
    s = pd.Series(values, dtype=object)
    keep = np.ones(len(s), dtype=bool)
    if not len(s):
        return pd.Series([], dtype="datetime64[ns, UTC]"), keep
    present = s.notna() & (s.astype(str).str.strip() != "")
    parsed = pd.to_datetime(s.where(present), utc=True, errors="coerce", format="ISO8601")
    parsed = pd.Series(parsed, index=s.index).astype("datetime64[ns, UTC]")
    rest = present & parsed.isna()
    if not rest.any():
        return parsed, keep
    try:
        parsed.loc[rest] = schema.to_utc(s[rest].reset_index(drop=True), source=src.name).array
        return parsed, keep
    except Exception:  # noqa: BLE001 - fall back to value-by-value parsing to name the bad rows
        pass
    for i in np.flatnonzero(rest.to_numpy()):
        try:
            parsed.iloc[int(i)] = schema.to_utc(pd.Series([s.iloc[i]]), source=src.name).iloc[0]
        except Exception:  # noqa: BLE001
            keep[i] = False
            ctx.bad(src.name, rows[i], f"cannot parse time {s.iloc[i]!r}")
    return parsed, keep


@dataclass
class _Rows:
    """Rows as dicts (missing keys become NaN), turned into one frame at the end."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, **values: Any) -> None:
        self.rows.append(values)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.rows)


# ------------------------------------------------------------------------------
# CSV helpers
# ------------------------------------------------------------------------------

def _header_set(src: Source) -> set[str]:
    return {h.strip().lower() for h in (src.header or [])}


def _lower_columns(df: pd.DataFrame) -> pd.DataFrame:
    df.columns = [c.strip().lower() for c in df.columns]
    return df


def _note(reasons: pd.Series, mask: pd.Series, texts: Callable[[pd.Series], list[str]], values: pd.Series) -> None:
    """Record a reason on rows of ``mask`` that have none yet."""
    m = mask & reasons.isna()
    if m.any():
        reasons.loc[m] = texts(values[m])


def _numbers(s: pd.Series, col: str, reasons: pd.Series, *, whole: bool, src: Source, ctx: ReadContext) -> pd.Series:
    """Parse a column of numbers (blank = 0); record a reason for bad cells.
    Spreadsheet formatting ("120.000", "0,36", "$1.20") is read by
    :func:`~._numbers.clean_numbers`, which decides the decimal mark for the column."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        num = s.astype("float64").fillna(0.0)  # parsed by the CSV reader: only range checks left
        bad = pd.Series(False, index=s.index)
    else:
        text = plain_numbers(s.fillna("").astype(str), col, src, ctx, whole=whole)
        text = text.fillna("").where(text != "", "0")
        num = pd.to_numeric(text, errors="coerce")
        bad = num.isna()
        _note(reasons, bad, lambda v: [f"{col} is not a number: {x!r}" for x in v], s)
        num = num.fillna(0.0)
    _note(reasons, ~bad & (num < 0), lambda v: [f"{col} is negative: {x}" for x in v], s)
    if whole:
        _note(reasons, ~bad & ((num % 1) != 0), lambda v: [f"{col} is not a whole number: {x}" for x in v], s)
    return num


def _times(s: pd.Series, col: str, reasons: pd.Series) -> pd.Series:
    text = s.fillna("").astype(str).str.strip()
    parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    retry = parsed.isna() & (text != "")
    if retry.any():
        parsed.loc[retry] = pd.to_datetime(text[retry], utc=True, errors="coerce", format="mixed")
    _note(
        reasons,
        parsed.isna(),
        lambda v: [f"missing {col}" if x == "" else f"cannot parse {col} {x!r}" for x in v],
        text,
    )
    return parsed


def _drop_bad(df: pd.DataFrame, reasons: pd.Series, src: Source, ctx: ReadContext) -> pd.Series:
    """Report every row with a reason (raise, or skip with --skip-bad); keep mask."""
    bad = reasons.notna()
    for row, reason in zip(df.loc[bad, "source_row"], reasons[bad]):
        ctx.bad(src.name, int(row), str(reason))
    return ~bad


def _csv(src: Source) -> pd.DataFrame:
    """The CSV with lower-cased column names, every column as text: numbers
    are parsed by :func:`_numbers`, which sees a spreadsheet's "120.000"
    (the C reader would read 120)."""
    return _lower_columns(src.csv_frame(dtype=str))


def _text_col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name].fillna("").astype(str).str.strip()
    return pd.Series([""] * len(df), index=df.index, dtype=object)


def _long_context_col(s: pd.Series) -> pd.Series:
    """Vectorised :func:`long_context_flag` (one call per distinct label)."""
    codes, labels = pd.factorize(s)
    flags = [long_context_flag(v) for v in labels]
    values = np.array([bool(f) for f in flags] + [False])  # the extra slot is for code -1 (NA)
    mask = np.array([f is None for f in flags] + [True])
    return pd.Series(pd.arrays.BooleanArray(values[codes], mask[codes]), index=s.index)


def _tier_col(usage_type: pd.Series, speed: pd.Series) -> pd.Series:
    ut = usage_type.str.lower()
    tier = ut.where(ut.isin(SERVICE_TIERS), "")
    tier = tier.where(~ut.str.contains("batch", regex=False), "batch")
    fast = speed.str.lower().eq("fast") & tier.isin(["", "standard"])
    return tier.where(~fast, "fast")


# ------------------------------------------------------------------------------
# 1. Console usage CSV
# ------------------------------------------------------------------------------

_USAGE_TOKEN_COLS = (
    "usage_input_tokens_no_cache",
    "usage_input_tokens_cache_write_5m",
    "usage_input_tokens_cache_write_1h",
    "usage_input_tokens_cache_write",
    "usage_input_tokens_cache_read",
    "usage_output_tokens",
    "web_search_count",
)


def _sniff_console_usage(src: Source) -> int:
    h = _header_set(src)
    if "usage_date_utc" in h and ("usage_input_tokens_no_cache" in h or "usage_output_tokens" in h):
        return 95
    return 0


def _read_console_usage(src: Source, ctx: ReadContext) -> pd.DataFrame:
    fmt = "anthropic-console-usage-csv"
    df = _csv(src)
    missing = [c for c in ("usage_input_tokens_no_cache", "usage_output_tokens") if c not in df.columns]
    if missing:
        # without the column every row would count 0 such tokens and be priced low, silently
        raise InputError(f"Console usage export lacks column {', '.join(missing)}", file=src.name,
                         hint="export it again with all columns")
    reasons = pd.Series([None] * len(df), index=df.index, dtype=object)
    time = _times(df["usage_date_utc"], "usage_date_utc", reasons)
    tok = {
        c: (_numbers(df[c], c, reasons, whole=True, src=src, ctx=ctx) if c in df.columns else pd.Series(0.0, index=df.index))
        for c in _USAGE_TOKEN_COLS
    }
    keep = _drop_bad(df, reasons, src, ctx)
    usage_type = _text_col(df, "usage_type")
    model_col = "model_version" if "model_version" in df.columns else "model"
    w1 = tok["usage_input_tokens_cache_write_1h"]
    out = pd.DataFrame(
        {
            "time": time,
            "model": _text_col(df, model_col),
            "app": _text_col(df, "workspace"),
            "user": _text_col(df, "api_key"),
            "feature": usage_type,
            "input_tokens": tok["usage_input_tokens_no_cache"],
            "cache_read_tokens": tok["usage_input_tokens_cache_read"],
            "cache_write_tokens": tok["usage_input_tokens_cache_write_5m"] + w1 + tok["usage_input_tokens_cache_write"],
            "cache_write_1h_tokens": w1,
            "output_tokens": tok["usage_output_tokens"],
            "web_search_requests": tok["web_search_count"],
            "requests": 1,
            "batch": usage_type.str.lower().str.contains("batch", regex=False),
            "service_tier": _tier_col(usage_type, _text_col(df, "speed")),
            "long_context": _long_context_col(_text_col(df, "context_window"))
            if "context_window" in df.columns
            else pd.Series(pd.NA, index=df.index, dtype="boolean"),
            "source_row": df["source_row"],
        }
    )[keep]
    if len(out):
        ctx.warn(
            f"{src.name}: Console usage export has no request counts; "
            "request totals count rows (day × model × key)"
        )
    return schema.finalize(out, source=src.name, source_format=fmt, defaults={"provider": PROVIDER})


# ------------------------------------------------------------------------------
# 2. Console cost CSV
# ------------------------------------------------------------------------------

_COST_COLS = ("cost_usd", "cost", "amount_usd", "amount", "cost_cents", "amount_cents")


def _sniff_console_cost(src: Source) -> int:
    h = _header_set(src)
    if "usage_date_utc" in h and "usage_input_tokens_no_cache" not in h and any(c in h for c in _COST_COLS):
        return 90
    return 0


def _read_console_cost(src: Source, ctx: ReadContext) -> pd.DataFrame:
    fmt = "anthropic-console-cost-csv"
    df = _csv(src)
    cost_col = next(c for c in _COST_COLS if c in df.columns)
    reasons = pd.Series([None] * len(df), index=df.index, dtype=object)
    time = _times(df["usage_date_utc"], "usage_date_utc", reasons)
    raw = df[cost_col]
    _note(reasons, raw.isna(), lambda v: [f"{cost_col} is empty"] * len(v), raw)
    cost = _numbers(df[cost_col], cost_col, reasons, whole=False, src=src, ctx=ctx)
    if cost_col.endswith("_cents"):
        cost = cost / 100.0
    keep = _drop_bad(df, reasons, src, ctx)
    token_type = _text_col(df, "token_type")
    cost_type = _text_col(df, "cost_type")
    usage_type = _text_col(df, "usage_type")
    out = pd.DataFrame(
        {
            "time": time,
            "model": _text_col(df, "model"),
            "app": _text_col(df, "workspace"),
            "user": _text_col(df, "api_key"),
            "feature": token_type.where(token_type != "", cost_type),
            "requests": 0,
            "batch": usage_type.str.lower().str.contains("batch", regex=False),
            "service_tier": _tier_col(usage_type, _text_col(df, "speed")),
            "long_context": _long_context_col(_text_col(df, "context_window"))
            if "context_window" in df.columns
            else pd.Series(pd.NA, index=df.index, dtype="boolean"),
            "reported_cost_usd": cost,
            "source_row": df["source_row"],
        }
    )[keep]
    return schema.finalize(out, source=src.name, source_format=fmt, defaults={"provider": PROVIDER})


# ------------------------------------------------------------------------------
# Admin API reports (usage and cost): bucket pages
# ------------------------------------------------------------------------------

@dataclass
class _Result:
    row: int  # line (JSONL) or running result index (JSON)
    starting_at: Any
    item: Any  # one result (should be an object)


def _is_bucket(v: Any) -> bool:
    return isinstance(v, Mapping) and isinstance(v.get("results"), list)


def _iter_results(value: Any, row: int | None, counter: list[int]) -> Iterator[_Result]:
    """Flatten pages / buckets / lists of them into individual results."""
    if isinstance(value, list):
        for v in value:
            yield from _iter_results(v, row, counter)
        return
    if not isinstance(value, Mapping):
        counter[0] += 1
        yield _Result(row if row is not None else counter[0], None, value)
        return
    if isinstance(value.get("data"), list):
        for v in value["data"]:
            yield from _iter_results(v, row, counter)
        return
    if _is_bucket(value):
        for item in value["results"]:
            counter[0] += 1
            yield _Result(row if row is not None else counter[0], value.get("starting_at"), item)
        return
    # a flat result (analytics user report items carry their own starting_at)
    counter[0] += 1
    yield _Result(row if row is not None else counter[0], value.get("starting_at"), value)


def _report_results(src: Source, ctx: ReadContext) -> Iterator[_Result]:
    counter = [0]
    if src.kind == "json":
        yield from _iter_results(src.doc, None, counter)
        return
    for line, value in src.records(ctx):
        yield from _iter_results(value, line, counter)


def _first_results(src: Source, limit: int = 20) -> list[Any]:
    """A few results of a report document, for sniffing."""
    values = [src.doc] if src.kind == "json" else src.sample_records()
    out: list[Any] = []
    for v in values:
        for r in _iter_results(v, 0, [0]):
            out.append(r.item)
            if len(out) >= limit:
                return out
    return out


def _looks_like_report(src: Source) -> bool:
    values = [src.doc] if src.kind == "json" else src.sample_records()[:3]
    for v in values:
        pages = v if isinstance(v, list) else [v]
        for p in pages[:3]:
            if isinstance(p, Mapping) and ("starting_at" in p or isinstance(p.get("data"), list)):
                return True
    return False


def _sniff_usage_report(src: Source) -> int:
    if not _looks_like_report(src):
        return 0
    items = [r for r in _first_results(src) if isinstance(r, Mapping)]
    if items and any("uncached_input_tokens" in r for r in items):
        return 95
    return 0


def _actor_name(actor: Any) -> str:
    if not isinstance(actor, Mapping):
        return ""
    for k in ("email", "email_address", "user_id", "name", "api_key_name", "api_key_id", "id"):
        v = actor.get(k)
        if v:
            return str(v)
    return ""


def _read_usage_report(src: Source, ctx: ReadContext) -> pd.DataFrame:
    fmt = "anthropic-usage-report"
    rows = _Rows()
    counted = 0
    for r in _report_results(src, ctx):
        it = r.item
        if not isinstance(it, Mapping):
            ctx.bad(src.name, r.row, "usage report result is not a JSON object")
            continue
        try:
            write, write_1h = _cache_writes(it, "cache_creation_input_tokens")
            t = Tokens(
                input=count(it, "uncached_input_tokens"),
                cache_read=count(it, "cache_read_input_tokens"),
                cache_write=write,
                cache_write_1h=write_1h,
                output=count(it, "output_tokens"),
            )
            has_requests = it.get("requests") is not None
            requests = count(it, "requests") if has_requests else 1
            searches = web_search_requests(it)
        except ValueError as exc:
            ctx.bad(src.name, r.row, str(exc))
            continue
        if "uncached_input_tokens" not in it and "output_tokens" not in it:
            ctx.bad(src.name, r.row, "usage report result has no token fields")
            continue
        counted += 0 if has_requests else 1
        tier = service_tier_of(it.get("service_tier"), it.get("speed"))
        user = _str(it.get("api_key_id")) or _str(it.get("account_id")) or _str(it.get("service_account_id"))
        rows.add(
            time=_str(r.starting_at) or None,
            model=_str(it.get("model")),
            app=_str(it.get("workspace_id")),
            user=user or _actor_name(it.get("actor")),
            feature=_str(it.get("product")),
            input_tokens=t.input,
            cache_read_tokens=t.cache_read,
            cache_write_tokens=t.cache_write,
            cache_write_1h_tokens=t.cache_write_1h,
            output_tokens=t.output,
            web_search_requests=searches,
            requests=requests,
            batch=tier == "batch",
            service_tier=tier,
            long_context=long_context_flag(it.get("context_window")),
            source_row=r.row,
        )
    if counted:
        ctx.warn(
            f"{src.name}: Admin usage report has no request counts; "
            "request totals count rows (bucket × group)"
        )
    return _finalize_rows(rows, src, ctx, fmt)


def _sniff_cost_report(src: Source) -> int:
    if not _looks_like_report(src):
        return 0
    items = [r for r in _first_results(src) if isinstance(r, Mapping)]
    if items and any(isinstance(r.get("amount"), (str, int, float)) and "uncached_input_tokens" not in r for r in items):
        return 95
    return 0


def _cents_to_usd(v: Any) -> float:
    if isinstance(v, bool) or v is None:
        raise ValueError(f"amount is not a number: {v!r}")
    try:
        d = Decimal(str(v).strip())
    except InvalidOperation:
        raise ValueError(f"amount is not a number: {v!r}") from None
    if not d.is_finite():
        raise ValueError(f"amount is not a number: {v!r}")
    return float(d / 100)


def _read_cost_report(src: Source, ctx: ReadContext) -> pd.DataFrame:
    fmt = "anthropic-cost-report"
    rows = _Rows()
    for r in _report_results(src, ctx):
        it = r.item
        if not isinstance(it, Mapping):
            ctx.bad(src.name, r.row, "cost report result is not a JSON object")
            continue
        currency = _str(it.get("currency")).upper() or "USD"
        if currency != "USD":
            ctx.bad(src.name, r.row, f"cost in {currency}, not USD")
            continue
        try:
            usd = _cents_to_usd(it.get("amount"))
        except ValueError as exc:
            ctx.bad(src.name, r.row, str(exc))
            continue
        tier = service_tier_of(it.get("service_tier"), it.get("speed"))
        feature = _str(it.get("token_type")) or _str(it.get("cost_type")) or _str(it.get("description"))
        rows.add(
            time=_str(r.starting_at) or None,
            model=_str(it.get("model")),
            app=_str(it.get("workspace_id")),
            feature=feature,
            requests=0,
            batch=tier == "batch",
            service_tier=tier,
            long_context=long_context_flag(it.get("context_window")),
            reported_cost_usd=usd,
            source_row=r.row,
        )
    return _finalize_rows(rows, src, ctx, fmt)


def _finalize_rows(rows: _Rows, src: Source, ctx: ReadContext, fmt: str) -> pd.DataFrame:
    df = rows.frame()
    if "long_context" in df.columns:
        df["long_context"] = df["long_context"].astype("boolean")
    if "time" in df.columns:
        times, keep = parse_times(list(df["time"]), list(df["source_row"]), src, ctx)
        df["time"] = pd.Series(times.array, index=df.index)
        df = df[keep]
    return schema.finalize(df, source=src.name, source_format=fmt, defaults={"provider": PROVIDER})


# ------------------------------------------------------------------------------
# 5. Messages API responses (JSON / JSONL)
# ------------------------------------------------------------------------------

@dataclass
class _Found:
    message: Mapping[str, Any]  # the object holding "usage" (message or wrapper)
    request: Mapping[str, Any] | None
    batch: bool


_OPENAI_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens", "input_tokens_details", "promptTokenCount")


def _is_anthropic_usage(u: Any) -> bool:
    return (
        isinstance(u, Mapping)
        and "input_tokens" in u
        and "output_tokens" in u
        and not any(k in u for k in _OPENAI_USAGE_KEYS)
    )


def _is_error(v: Any) -> bool:
    return isinstance(v, dict) and (v.get("type") == "error" or (isinstance(v.get("error"), dict) and "usage" not in v))


def _count_reason(n: int, reason: str) -> str:
    """"2 batch results expired", "1 error response": a not-billed reason of :func:`_find_message`, counted."""
    noun, _, state = reason.partition(" result ")
    return f"{plural(n, noun + ' result')} {state}" if state else plural(n, reason)


def _find_message(rec: Mapping[str, Any]) -> _Found | None | str:
    """Locate the response holding Anthropic usage; a string = not-billed reason."""
    if _is_anthropic_usage(rec.get("usage")):
        return _Found(rec, rec.get("request") if isinstance(rec.get("request"), Mapping) else None, False)
    result = rec.get("result")
    if isinstance(result, Mapping) and "custom_id" in rec:
        if result.get("type") != "succeeded":
            return f"batch result {result.get('type')!s}"
        msg = result.get("message")
        if isinstance(msg, Mapping) and _is_anthropic_usage(msg.get("usage")):
            return _Found(msg, None, True)
        return None
    resp = rec.get("response")
    if isinstance(resp, Mapping):
        inner = resp.get("body")
        body = inner if isinstance(inner, Mapping) else resp
        if _is_anthropic_usage(body.get("usage")):
            req = rec.get("request")
            return _Found(body, req if isinstance(req, Mapping) else None, False)
        if _is_error(body):
            return "error response"
    if _is_error(rec):
        return "error response"
    return None


def _anthropic_hint(found: _Found) -> bool:
    m = found.message
    u = m["usage"]
    return (
        m.get("type") == "message"
        or str(m.get("id", "")).startswith("msg_")
        or str(m.get("model", "")).startswith("claude")
        or any(k in u for k in ("cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation", "service_tier"))
    )


def _sniff_messages(src: Source) -> int:
    recs = [r for r in src.sample_records() if isinstance(r, Mapping)]
    if not recs:
        return 0
    located = [_find_message(r) for r in recs]
    found = [f for f in located if isinstance(f, _Found)]
    # a record with a not-billed reason (an errored or expired batch result, an error
    # response) is one of ours too: a batch whose results mostly failed is still a batch
    known = len(found) + sum(isinstance(f, str) for f in located)
    if known * 2 < len(recs):
        return 0
    if any(_anthropic_hint(f) for f in found) or any(_is_batch_result(r) for r in recs):
        return 70
    return 0


_BATCH_RESULT_TYPES = frozenset({"succeeded", "errored", "canceled", "expired"})


def _is_batch_result(rec: Mapping[str, Any]) -> bool:
    """A Message Batches result line: ``{"custom_id", "result": {"type": ...}}``."""
    result = rec.get("result")
    return "custom_id" in rec and isinstance(result, Mapping) and result.get("type") in _BATCH_RESULT_TYPES


def _prompt_text(req: Mapping[str, Any] | None) -> str | None:
    if not req:
        return None
    parts: list[str] = []
    system = req.get("system")
    sys_text = content_text(system)
    if sys_text:
        parts.append(sys_text)
    msgs = req.get("messages")
    if isinstance(msgs, list):
        for m in msgs:
            if isinstance(m, Mapping):
                t = content_text(m.get("content"))
                if t:
                    parts.append(t)
    return "\n".join(parts) if parts else None


def _record_time(rec: Mapping[str, Any]) -> Any:
    for k in ("timestamp", "time", "created_at", "start_time", "startTime", "ts"):
        v = rec.get(k)
        if v not in (None, ""):
            return v
    meta = rec.get("metadata")
    if isinstance(meta, Mapping):
        return meta.get("timestamp")
    return None


def _read_messages(src: Source, ctx: ReadContext) -> pd.DataFrame:
    fmt = "anthropic-messages"
    rows = _Rows()
    not_billed: dict[str, int] = {}
    for line, rec in src.all_records(ctx):
        if not isinstance(rec, Mapping):
            ctx.bad(src.name, line, "not a JSON object")
            continue
        found = _find_message(rec)
        if isinstance(found, str):
            not_billed[found] = not_billed.get(found, 0) + 1
            continue
        if found is None:
            ctx.bad(src.name, line, "no Anthropic usage object in this record")
            continue
        msg, usage = found.message, found.message["usage"]
        try:
            t = message_usage_tokens(usage)
            searches = message_web_searches(usage)
        except ValueError as exc:
            ctx.bad(src.name, line, str(exc))
            continue
        tier = service_tier_of(usage.get("service_tier"), usage.get("speed"))
        req = found.request
        meta = req.get("metadata") if req else None
        user = _str(meta.get("user_id")) if isinstance(meta, Mapping) else ""
        model = _str(msg.get("model")) or (_str(req.get("model")) if req else "")
        rows.add(
            time=_record_time(rec),
            model=model,
            user=user or _str(rec.get("user")),
            app=_str(rec.get("app")),
            feature=_str(rec.get("feature")),
            request_id=_str(msg.get("id")),
            input_tokens=t.input,
            cache_read_tokens=t.cache_read,
            cache_write_tokens=t.cache_write,
            cache_write_1h_tokens=t.cache_write_1h,
            output_tokens=t.output,
            reasoning_tokens=t.reasoning,
            web_search_requests=searches,
            requests=1,
            batch=found.batch or tier == "batch",
            service_tier="batch" if found.batch else tier,
            prompt=_prompt_text(req),
            response=content_text(msg.get("content")),
            source_row=line,
        )
    if not_billed:
        what = ", ".join(_count_reason(n, reason) for reason, n in sorted(not_billed.items()))
        ctx.warn(f"{src.name}: skipped records that were not billed ({what})")
    return _finalize_rows(rows, src, ctx, fmt)


READERS: list[Reader] = [
    Reader(
        name="anthropic-console-usage-csv",
        description="Anthropic Console usage CSV export (daily tokens by model, key, workspace)",
        kinds=frozenset({"csv"}),
        sniff=_sniff_console_usage,
        read=_read_console_usage,
    ),
    Reader(
        name="anthropic-console-cost-csv",
        description="Anthropic Console cost CSV export (daily dollars by model and token type)",
        kinds=frozenset({"csv"}),
        sniff=_sniff_console_cost,
        read=_read_console_cost,
    ),
    Reader(
        name="anthropic-usage-report",
        description="Anthropic Admin API usage report (usage_report/messages, analytics user report)",
        kinds=frozenset({"json", "jsonl"}),
        sniff=_sniff_usage_report,
        read=_read_usage_report,
    ),
    Reader(
        name="anthropic-cost-report",
        description="Anthropic Admin API cost report (amounts in cents)",
        kinds=frozenset({"json", "jsonl"}),
        sniff=_sniff_cost_report,
        read=_read_cost_report,
    ),
    Reader(
        name="anthropic-messages",
        description="Anthropic Messages API responses / logs / Message Batches results",
        kinds=frozenset({"json", "jsonl"}),
        sniff=_sniff_messages,
        read=_read_messages,
        dedup=True,
    ),
]
