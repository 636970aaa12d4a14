"""OpenAI usage exports, admin-API dumps and response logs.

Six formats, each its own :class:`Reader` with its own sniffer:

``openai-usage-csv``
    The usage dashboard's CSV export (Activity → Export), and any CSV holding
    the Usage API completions columns: ``start_time``, ``end_time``,
    ``start_time_iso``, ``end_time_iso``, ``input_tokens``,
    ``input_cached_tokens``, ``output_tokens``, ``input_audio_tokens``,
    ``output_audio_tokens``, ``num_model_requests``, ``project_id``,
    ``user_id``, ``api_key_id``, ``model``, ``batch`` (``service_tier``,
    ``input_uncached_tokens``, ``project_name``... when present). One row is a
    time bucket of ``num_model_requests`` requests.
``openai-costs-csv``
    The cost dashboard's CSV export: ``amount_value``, ``amount_currency``,
    ``line_item``, ``project_id``, ``organization_id``, ``organization_name``
    (``quantity``, ``project_name``, ``api_key_id``... in newer exports) plus
    the four time columns. Cost-only rows.
``openai-usage-api``
    ``GET /v1/organization/usage/completions`` responses saved as JSON: one
    page ``{"object": "page", "data": [bucket...], "has_more", "next_page"}``,
    a list of pages, a plain list of buckets, or one page per JSONL line. A
    bucket is ``{"start_time", "end_time", "results": [...]}`` (Unix seconds).
``openai-costs-api``
    ``GET /v1/organization/costs`` in the same shapes; results carry
    ``amount: {value, currency}`` in dollars, ``line_item``, ``project_id``.
``openai-responses``
    Chat Completions (``object: "chat.completion"``) or Responses API
    (``object: "response"``) response objects, one per JSONL line (or a JSON
    list), bare or wrapped (``{"request", "response"}``, or
    ``{"timestamp", "model", "usage", "metadata", ...}``), including
    OpenAI-compatible gateways such as OpenRouter.
``openai-batch-output``
    Batch API output files: ``{"id", "custom_id", "response": {"status_code",
    "request_id", "body"}, "error"}`` per line, billed at Batch prices.

Token semantics (verified against platform.openai.com/docs/api-reference/usage,
/usage/costs, /chat/object, /responses/object, /batch/request-output and
openrouter.ai/docs/use-cases/usage-accounting):

* Usage API ``input_tokens`` INCLUDES ``input_cached_tokens`` (and, in newer
  API versions, ``input_cache_write_tokens``): uncached input =
  input − cached − cache write.
* ``usage.prompt_tokens`` / Responses ``usage.input_tokens`` INCLUDE
  ``*_tokens_details.cached_tokens`` (and OpenRouter's ``cache_write_tokens``);
  ``completion_tokens`` / ``output_tokens`` INCLUDE ``reasoning_tokens``.
* OpenRouter ``usage.cost`` is the USD amount charged to the account; with
  ``is_byok`` the upstream provider bills ``cost_details.upstream_inference_cost``
  on the user's own key, so the reported cost is their sum.
* Audio tokens (``input_audio_tokens``/``output_audio_tokens``) have no column
  of their own in the canonical table: they are not priced separately and a
  warning says so when a file carries any.
* Usage API buckets aggregate many requests and carry no context-window
  information, so their ``long_context`` is False (never inferred from totals).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import finalize, to_utc
from . import Reader
from ._io import ReadContext, Source
from ._numbers import plain_numbers

USAGE_CSV = "openai-usage-csv"
COSTS_CSV = "openai-costs-csv"
USAGE_API = "openai-usage-api"
COSTS_API = "openai-costs-api"
RESPONSES = "openai-responses"
BATCH = "openai-batch-output"

_TIME_COLUMNS = {"start_time", "end_time", "start_time_iso", "end_time_iso"}

# A model id OpenAI itself serves (used only to hint provider "openai").
_OPENAI_MODEL = re.compile(
    r"^(ft:)?(gpt-|chatgpt-|o\d|text-embedding-|text-moderation|omni-moderation|dall-e|tts-|whisper"
    r"|davinci|babbage|codex-|computer-use|sora|gpt\d)",
    re.IGNORECASE,
)
# The model named by a Costs line item such as "gpt-4o-2024-08-06, input".
_LINE_ITEM_MODEL = re.compile(
    r"^\s*((?:ft:)?(?:gpt|chatgpt|o\d|text-embedding|text-moderation|omni-moderation|dall-e|tts"
    r"|whisper|davinci|babbage|codex|computer-use|sora)[\w.:\-]*)",
    re.IGNORECASE,
)

_FOREIGN_KEYS = ("spend", "startTime", "call_type", "response_cost", "sessionId", "parentUuid", "usageMetadata",
                 "req_units", "ai_org")  # the last two: Portkey log exports (generic reader)
_CODEX_TYPES = {"event_msg", "response_item", "session_meta", "turn_context", "compacted"}
_ANTHROPIC_USAGE_KEYS = ("cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation")


_EMPTY: dict[str, Any] = {}


class _Bad(Exception):
    """A malformed record; the message becomes the ``ctx.bad`` reason."""


# ------------------------------------------------------------------------------
# Small value helpers
# ------------------------------------------------------------------------------

def _tok(d: Mapping[str, Any] | None, key: str) -> int:
    """A token count from a JSON object: missing/null = 0; else a whole number >= 0."""
    if not d:
        return 0
    v = d.get(key)
    if v is None:
        return 0
    if type(v) is int and v >= 0:  # the common case, fast
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        if isinstance(v, str) and v.strip().lstrip("-").isdigit():
            v = int(v.strip())
        else:
            raise _Bad(f"{key} is not a number: {v!r}")
    if v < 0:
        raise _Bad(f"{key} is negative: {v!r}")
    if v != int(v):
        raise _Bad(f"{key} is not a whole number: {v!r}")
    return int(v)


def _dict(v: Any) -> dict[str, Any]:
    """``v`` when it is a JSON object, else a shared empty dict (never mutated)."""
    return v if type(v) is dict else _EMPTY


def _str(*values: Any) -> str:
    """The first non-empty string (numbers accepted) among ``values``."""
    for v in values:
        if type(v) is str:
            if v and not v.isspace():
                return v
            continue
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
    return ""


@lru_cache(maxsize=256)
def _tier_of(s: str) -> str:
    s = s.strip().lower()
    return "standard" if s == "default" else s


def _tier(v: Any) -> str:
    """Normalise a service tier: OpenAI's ``default`` is the standard tier."""
    return _tier_of(v) if type(v) is str else _tier_of(_str(v))


@lru_cache(maxsize=4096)
def _is_openai_model(model: str) -> bool:
    return bool(_OPENAI_MODEL.match(model))


def _line_item_model(item: str) -> str:
    m = _LINE_ITEM_MODEL.match(item or "")
    return m.group(1) if m else ""


def _mixed_times(values: list[Any], *, source: str, rows: list[int]) -> pd.Series:
    """Parse a list mixing epoch numbers (s or ms, per value), ISO strings and None."""
    raw = pd.Series(values, dtype=object)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    if raw.empty:
        return out
    nums = pd.to_numeric(raw, errors="coerce").astype("float64")
    num_mask = nums.notna()
    if num_mask.any():
        epoch = nums[num_mask].to_numpy()
        secs = np.where(np.abs(epoch) > 1e11, epoch / 1000.0, epoch)  # milliseconds
        out[num_mask] = pd.to_datetime(secs, unit="s", utc=True)
    strs = raw[~num_mask & raw.map(lambda v: isinstance(v, str) and bool(v.strip()))]
    if len(strs):
        out[strs.index] = to_utc(strs.astype(str), source=source, rows=pd.Series(rows, index=raw.index)[strs.index])
    return out


def _frame(cols: Mapping[str, list[Any]], *, source: Source, fmt: str, defaults: dict[str, Any],
           times: list[Any] | None = None) -> pd.DataFrame:
    df = pd.DataFrame({k: v for k, v in cols.items()})
    if times is not None:
        df["time"] = _mixed_times(times, source=source.name, rows=list(cols["source_row"]))
    return finalize(df, source=source.name, source_format=fmt, defaults=defaults)


# ------------------------------------------------------------------------------
# CSV exports
# ------------------------------------------------------------------------------

def _lower_header(source: Source) -> set[str]:
    return {h.strip().lower() for h in (source.header or [])}


# columns only OpenAI's usage export has: with a time column, they mark the file
# as one even when a required column was left out of it
_USAGE_CSV_OWN = {"num_model_requests", "input_cached_tokens", "input_uncached_tokens"}


def _missing_columns(columns: Any, required: tuple[tuple[str, ...], ...]) -> list[str]:
    """The first name of each group in ``required`` none of whose names is a column."""
    have = set(columns)
    return [group[0] for group in required if not have & set(group)]


def _sniff_usage_csv(source: Source) -> int:
    h = _lower_header(source)
    if not h & _TIME_COLUMNS:
        return 0
    if {"input_tokens", "num_model_requests"} <= h:
        return 95
    if h & _USAGE_CSV_OWN:
        return 90  # an export missing a required column: read it so the error names the column
    if h <= _TIME_COLUMNS and len(h) >= 2:
        return 50  # the dashboard's empty export: time columns only, no buckets with usage
    return 0


def _sniff_costs_csv(source: Source) -> int:
    h = _lower_header(source)
    if h & _TIME_COLUMNS and "amount_value" in h and ({"amount_currency", "line_item"} & h):
        return 95
    return 0


def _csv(source: Source) -> pd.DataFrame:
    """The export with lower-cased names, every column as text: numbers are
    parsed by :func:`_numbers`, which sees a spreadsheet's "4.212" (the C
    reader would read 4.212 tokens)."""
    df = source.csv_frame(dtype=str)
    df.columns = [c.lower() if c != "source_row" else c for c in df.columns]
    return df


def _blank(s: pd.Series) -> pd.Series:
    if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
        return s.isna()
    return s.isna() | (s.astype(str).str.strip() == "")


def _numbers(df: pd.DataFrame, col: str, ctx: ReadContext, source: Source, bad: pd.Series,
             *, whole: bool = True, allow_negative: bool = False) -> pd.Series:
    """Column ``col`` as numbers (blank = 0); malformed rows reported and flagged in ``bad``."""
    if col not in df.columns:
        return pd.Series(0, index=df.index, dtype="float64")
    raw = df[col]
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        vals = raw.astype("float64").fillna(0)
        wrong = pd.Series(False, index=df.index)
    else:
        text = plain_numbers(raw.astype(str).where(~_blank(raw), "0"), col, source, ctx, whole=whole)
        vals = pd.to_numeric(text, errors="coerce")
        wrong = vals.isna()
    if not allow_negative:
        wrong |= vals < 0
    if whole:
        wrong |= (vals % 1).fillna(0) != 0
    for idx in df.index[(wrong & ~bad).to_numpy()]:
        v = str(raw.loc[idx]).strip()
        if pd.isna(vals.loc[idx]):
            what = f"is not a number: {v!r}"
        elif vals.loc[idx] < 0:
            what = f"is negative: {v}"
        else:
            what = f"is not a whole number: {v}"
        ctx.bad(source.name, _row(df, idx), f"{col} {what}")
    bad |= wrong
    return vals.fillna(0)


def _row(df: pd.DataFrame, idx: Any) -> int:
    """The file line of row ``idx``."""
    return int(df["source_row"].to_numpy()[df.index.get_loc(idx)])


def _csv_times(df: pd.DataFrame, source: Source) -> pd.Series:
    rows = df["source_row"]
    if "start_time" in df.columns and not _blank(df["start_time"]).all():
        start = df["start_time"]
        numeric = pd.to_numeric(start, errors="coerce")
        if numeric.notna().sum() == (~_blank(start)).sum():
            return to_utc(numeric, source=source.name, rows=rows)
    if "start_time_iso" in df.columns:
        iso = df["start_time_iso"].where(~_blank(df["start_time_iso"]), None)
        return to_utc(iso, source=source.name, rows=rows)
    return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")


def _first_nonblank(df: pd.DataFrame, *cols: str) -> pd.Series:
    out = pd.Series("", index=df.index, dtype=object)
    for col in reversed(cols):
        if col in df.columns:
            s = df[col]
            out = s.astype(str).str.strip().where(~_blank(s), out)
    return out


def _csv_bool(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(False, index=df.index)
    s = df[col]
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.fillna(False).astype(bool)
    return s.astype(str).str.strip().str.lower().isin({"true", "1", "1.0", "yes", "t", "batch"})


def _map_unique(s: pd.Series, fn: Callable[[str], str]) -> pd.Series:
    """Apply ``fn`` once per distinct value (columns of 1M rows hold few)."""
    return s.map({v: fn(v) for v in s.unique()})


def _read_usage_csv(source: Source, ctx: ReadContext) -> pd.DataFrame:
    df = _csv(source)
    token_cols = ("input_tokens", "input_cached_tokens", "input_cache_write_tokens", "input_uncached_tokens",
                  "output_tokens", "num_model_requests")
    present = [c for c in token_cols if c in df.columns]
    missing = _missing_columns(df.columns, (("input_tokens", "input_uncached_tokens"), ("output_tokens",),
                                            ("num_model_requests",)))
    if present and missing:
        # without the column every row would count 0 tokens (or 0 requests) and be priced low, silently
        raise InputError(f"OpenAI usage export lacks column {', '.join(missing)}", file=source.name,
                         hint="export it again with all columns")
    if present:  # rows of an empty bucket carry no numbers at all
        df = df[~pd.concat([_blank(df[c]) for c in present], axis=1).all(axis=1)]
    else:
        df = df.iloc[0:0]
    if df.empty:
        ctx.warn(f"{source.name}: OpenAI usage export holds no usage rows (empty buckets only)")
        return _frame({"source_row": []}, source=source, fmt=USAGE_CSV, defaults={"provider": "openai"})
    bad = pd.Series(False, index=df.index)
    nums = {c: _numbers(df, c, ctx, source, bad) for c in token_cols}
    if "input_tokens" in df.columns:
        uncached = nums["input_tokens"] - nums["input_cached_tokens"] - nums["input_cache_write_tokens"]
    else:
        uncached = nums["input_uncached_tokens"]
    over = (uncached < 0) & ~bad
    for idx in df.index[over.to_numpy()]:
        ctx.bad(source.name, _row(df, idx), "input_cached_tokens exceed input_tokens")
    bad |= over
    audio_in = _numbers(df, "input_audio_tokens", ctx, source, bad)
    audio_out = _numbers(df, "output_audio_tokens", ctx, source, bad)
    keep = ~bad
    _warn_audio(ctx, source, int(audio_in[keep].sum()), int(audio_out[keep].sum()))
    out = pd.DataFrame({
        "source_row": df["source_row"],
        "time": _csv_times(df, source),
        "model": _first_nonblank(df, "model"),
        "app": _first_nonblank(df, "project_name", "project_id"),
        "user": _first_nonblank(df, "user_email", "user_id", "api_key_name", "api_key_id"),
        "feature": _first_nonblank(df, "api_source"),
        "input_tokens": uncached,
        "cache_read_tokens": nums["input_cached_tokens"],
        "cache_write_tokens": nums["input_cache_write_tokens"],
        "output_tokens": nums["output_tokens"],
        "requests": nums["num_model_requests"],
        "batch": _csv_bool(df, "batch"),
        "service_tier": _map_unique(_first_nonblank(df, "service_tier"), _tier),
        "long_context": False,
    })[keep]
    return finalize(out, source=source.name, source_format=USAGE_CSV, defaults={"provider": "openai"})


def _read_costs_csv(source: Source, ctx: ReadContext) -> pd.DataFrame:
    df = _csv(source)
    df = df[~_blank(df["amount_value"])]  # empty buckets: no amount
    bad = pd.Series(False, index=df.index)
    amount = _numbers(df, "amount_value", ctx, source, bad, whole=False, allow_negative=True)
    if "amount_currency" in df.columns:
        cur = df["amount_currency"].astype(str).str.strip().str.lower()
        foreign = ~_blank(df["amount_currency"]) & (cur != "usd") & ~bad
        for idx in df.index[foreign.to_numpy()]:
            ctx.bad(source.name, _row(df, idx),
                    f"amount_currency {df.at[idx, 'amount_currency']!r} is not USD; llmcost reports costs in USD only")
        bad |= foreign
    line_item = _first_nonblank(df, "line_item")
    out = pd.DataFrame({
        "source_row": df["source_row"],
        "time": _csv_times(df, source),
        "model": _map_unique(line_item, _line_item_model),
        "app": _first_nonblank(df, "project_name", "project_id"),
        "user": _first_nonblank(df, "user_email", "user_id", "api_key_name", "api_key_id"),
        "feature": line_item,
        "batch": line_item.str.contains("batch", case=False),
        "requests": 0,
        "reported_cost_usd": amount,
    })[~bad]
    return finalize(out, source=source.name, source_format=COSTS_CSV, defaults={"provider": "openai"})


def _warn_audio(ctx: ReadContext, source: Source, audio_in: int, audio_out: int) -> None:
    if audio_in or audio_out:
        ctx.warn(
            f"{source.name}: {audio_in} audio input and {audio_out} audio output tokens are not priced "
            "separately (no audio column in the usage table)"
        )


# ------------------------------------------------------------------------------
# Usage API / Costs API JSON
# ------------------------------------------------------------------------------

def _results(bucket: Mapping[str, Any]) -> list[Any]:
    r = bucket.get("results", bucket.get("result"))
    return r if isinstance(r, list) else []


def _is_bucket(v: Any) -> bool:
    return isinstance(v, dict) and (
        v.get("object") == "bucket" or ("start_time" in v and ("results" in v or "result" in v))
    )


def _is_page(v: Any) -> bool:
    return isinstance(v, dict) and isinstance(v.get("data"), list) and (
        v.get("object") == "page" or "has_more" in v or all(_is_bucket(b) for b in v["data"][:5])
    )


def _walk_buckets(value: Any, line: int, out: list[tuple[int, dict[str, Any]]],
                  bad: Callable[[int, str], None]) -> None:
    if isinstance(value, list):
        for item in value:
            _walk_buckets(item, line, out, bad)
    elif _is_page(value):
        _walk_buckets(value["data"], line, out, bad)
    elif _is_bucket(value):
        out.append((line, value))
    else:
        bad(line, "not a usage page or bucket (expected start_time, end_time and results)")


def _api_kind(source: Source) -> str:
    """'usage', 'costs', 'empty' (buckets without results) or '' (not an admin-API dump)."""
    buckets: list[tuple[int, dict[str, Any]]] = []
    found_other = []
    # A JSON document is already in memory: look at all of it, so that a file
    # whose first buckets are empty is still told apart (usage vs costs).
    records = [source.doc] if source.kind == "json" else source.sample_records()
    for rec in records:
        _walk_buckets(rec, 0, buckets, lambda _l, _r: found_other.append(1))
    if not buckets or found_other:
        return ""
    for _, b in buckets:
        for r in _results(b):
            if not isinstance(r, dict):
                continue
            obj = str(r.get("object", ""))
            if obj == "organization.costs.result" or "amount" in r:
                return "costs"
            if obj.startswith("organization.usage.") or "num_model_requests" in r:
                return "usage"
    return "empty"


def _sniff_usage_api(source: Source) -> int:
    kind = _api_kind(source)
    return 95 if kind == "usage" else 50 if kind == "empty" else 0


def _sniff_costs_api(source: Source) -> int:
    return 95 if _api_kind(source) == "costs" else 0


def _api_buckets(source: Source, ctx: ReadContext) -> list[tuple[int, dict[str, Any]]]:
    """Every bucket with its line (JSONL) or ordinal (JSON document)."""
    out: list[tuple[int, dict[str, Any]]] = []
    for line, rec in source.all_records(ctx):
        _walk_buckets(rec, line, out, lambda ln, reason: ctx.bad(source.name, ln, reason))
    if source.kind == "json":
        out = [(i, b) for i, (_, b) in enumerate(out, start=1)]
    return out


_USAGE_API_COLS = ("source_row", "model", "app", "user", "feature", "input_tokens", "cache_read_tokens",
                   "cache_write_tokens", "output_tokens", "requests", "batch", "service_tier")


def _read_usage_api(source: Source, ctx: ReadContext) -> pd.DataFrame:
    cols: dict[str, list[Any]] = {c: [] for c in _USAGE_API_COLS}
    times: list[Any] = []
    audio = [0, 0]
    other: dict[str, int] = {}
    for line, bucket in _api_buckets(source, ctx):
        for r in _results(bucket):
            if not isinstance(r, dict):
                ctx.bad(source.name, line, "usage result is not a JSON object")
                continue
            obj = str(r.get("object", ""))
            if "input_tokens" not in r and "input_uncached_tokens" not in r:
                other[obj or "unknown"] = other.get(obj or "unknown", 0) + 1
                continue
            try:
                row = _usage_result(r)
                audio[0] += _tok(r, "input_audio_tokens")
                audio[1] += _tok(r, "output_audio_tokens")
            except _Bad as exc:
                ctx.bad(source.name, line, f"{exc} (bucket start_time {bucket.get('start_time')})")
                continue
            row["source_row"] = line
            for c in _USAGE_API_COLS:
                cols[c].append(row[c])
            times.append(bucket.get("start_time"))
    for obj, n in sorted(other.items()):
        ctx.warn(f"{source.name}: {n} {obj} results carry no token counts and are not counted")
    _warn_audio(ctx, source, audio[0], audio[1])
    cols["long_context"] = [False] * len(times)
    return _frame(cols, source=source, fmt=USAGE_API, defaults={"provider": "openai"}, times=times)


def _usage_result(r: Mapping[str, Any]) -> dict[str, Any]:
    cached = _tok(r, "input_cached_tokens")
    write = _tok(r, "input_cache_write_tokens")
    if "input_tokens" in r:
        total = _tok(r, "input_tokens")
        uncached = total - cached - write
        if uncached < 0:
            raise _Bad(f"input_cached_tokens ({cached + write}) exceed input_tokens ({total})")
    else:
        uncached = _tok(r, "input_uncached_tokens")
    obj = str(r.get("object", ""))
    kind = obj.rsplit(".", 2)[-2] if obj.startswith("organization.usage.") else ""
    return {
        "model": _str(r.get("model")),
        "app": _str(r.get("project_name"), r.get("project_id")),
        "user": _str(r.get("user_id"), r.get("api_key_id")),
        "feature": _str(r.get("api_source")) or ("" if kind in ("", "completions") else kind),
        "input_tokens": uncached,
        "cache_read_tokens": cached,
        "cache_write_tokens": write,
        "output_tokens": _tok(r, "output_tokens"),
        "requests": _tok(r, "num_model_requests"),
        "batch": bool(r.get("batch")),
        "service_tier": _tier(r.get("service_tier")),
    }


_COSTS_API_COLS = ("source_row", "model", "app", "user", "feature", "batch", "reported_cost_usd")


def _read_costs_api(source: Source, ctx: ReadContext) -> pd.DataFrame:
    cols: dict[str, list[Any]] = {c: [] for c in _COSTS_API_COLS}
    times: list[Any] = []
    for line, bucket in _api_buckets(source, ctx):
        for r in _results(bucket):
            try:
                value = _cost_amount(r)
            except _Bad as exc:
                ctx.bad(source.name, line, f"{exc} (bucket start_time {bucket.get('start_time')})")
                continue
            item = _str(r.get("line_item"))
            cols["source_row"].append(line)
            cols["model"].append(_line_item_model(item))
            cols["app"].append(_str(r.get("project_name"), r.get("project_id")))
            cols["user"].append(_str(r.get("api_key_id")))
            cols["feature"].append(item)
            cols["batch"].append("batch" in item.lower())
            cols["reported_cost_usd"].append(value)
            times.append(bucket.get("start_time"))
    cols["requests"] = [0] * len(times)
    return _frame(cols, source=source, fmt=COSTS_API, defaults={"provider": "openai"}, times=times)


def _cost_amount(r: Any) -> float:
    if not isinstance(r, dict):
        raise _Bad("cost result is not a JSON object")
    amount = r.get("amount")
    if not isinstance(amount, dict):
        raise _Bad("cost result has no amount object")
    currency = _str(amount.get("currency")).strip().lower()
    if currency and currency != "usd":
        raise _Bad(f"amount currency {currency!r} is not USD; llmcost reports costs in USD only")
    value = amount.get("value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise _Bad(f"amount value is not a number: {value!r}")


# ------------------------------------------------------------------------------
# Chat Completions / Responses API logs
# ------------------------------------------------------------------------------

def _response_of(rec: dict[str, Any]) -> dict[str, Any]:
    """The response object inside a log record (the record itself when bare)."""
    resp = rec.get("response")
    if isinstance(resp, dict):
        body = resp.get("body")
        return body if isinstance(body, dict) and ("usage" in body or "object" in body) else resp
    return rec


def _usage_of(rec: dict[str, Any], resp: dict[str, Any]) -> Any:
    u = resp.get("usage")
    return u if u is not None else rec.get("usage")


def _openai_usage(u: Any) -> bool:
    if not isinstance(u, dict) or any(k in u for k in _ANTHROPIC_USAGE_KEYS):
        return False
    if "prompt_tokens" in u or "completion_tokens" in u:
        return True
    return ("input_tokens" in u or "output_tokens" in u) and (
        "input_tokens_details" in u or "output_tokens_details" in u
    )


def _foreign(rec: dict[str, Any]) -> bool:
    """Records of other formats (Anthropic, Claude Code, Codex, LiteLLM, Gemini)."""
    if any(k in rec for k in _FOREIGN_KEYS) or rec.get("type") in _CODEX_TYPES:
        return True
    if isinstance(rec.get("message"), dict) and "usage" in rec["message"]:
        return True  # Claude Code transcript line
    resp = _response_of(rec)
    if resp.get("type") == "message" or "usageMetadata" in resp:
        return True
    u = _usage_of(rec, resp)
    return isinstance(u, dict) and any(k in u for k in _ANTHROPIC_USAGE_KEYS)


def _is_batch_line(rec: dict[str, Any]) -> bool:
    return "custom_id" in rec and ("response" in rec or "error" in rec)


def _sniff_responses(source: Source) -> int:
    hits = 0
    strong = False
    for rec in source.sample_records():
        if not isinstance(rec, dict):
            continue
        if _foreign(rec) or _is_batch_line(rec):
            return 0
        resp = _response_of(rec)
        obj = resp.get("object")
        if obj in ("chat.completion", "chat.completion.chunk", "response", "text_completion"):
            hits += 1
            strong = True
        elif _openai_usage(_usage_of(rec, resp)):
            hits += 1
    if not hits:
        return 0
    return 80 if strong else 65


def _sniff_batch(source: Source) -> int:
    for rec in source.sample_records():
        if isinstance(rec, dict) and _is_batch_line(rec):
            return 95
    return 0


def _content_text(c: Any) -> str:
    if isinstance(c, str):
        return c
    if isinstance(c, list):
        return "\n".join(t for t in (_content_text(p) for p in c) if t)
    if isinstance(c, dict):
        t = c.get("text")
        if isinstance(t, str):
            return t
        if isinstance(t, dict) and isinstance(t.get("value"), str):
            return t["value"]
        if "content" in c:
            return _content_text(c["content"])
        if isinstance(c.get("output"), str):
            return c["output"]
    return ""


def _prompt_text(rec: dict[str, Any], request: dict[str, Any]) -> str | None:
    for holder in (request, rec):
        for key in ("messages", "input", "prompt"):
            if key in holder:
                text = _content_text(holder[key])
                if text:
                    return text
    return None


def _response_text(rec: dict[str, Any], resp: dict[str, Any]) -> str | None:
    choices = resp.get("choices")
    if isinstance(choices, list) and choices:
        parts = []
        for ch in choices:
            if isinstance(ch, dict):
                msg = ch.get("message")
                parts.append(_content_text(msg.get("content")) if isinstance(msg, dict) else _str(ch.get("text")))
        text = "\n".join(p for p in parts if p)
        if text:
            return text
    if isinstance(resp.get("output_text"), str) and resp["output_text"]:
        return resp["output_text"]
    output = resp.get("output")
    if isinstance(output, list):
        text = "\n".join(
            _content_text(item.get("content"))
            for item in output
            if isinstance(item, dict) and item.get("type", "message") == "message"
        ).strip()
        if text:
            return text
    for key in ("response", "completion", "output"):
        if isinstance(rec.get(key), str) and rec[key]:
            return rec[key]
    return None


def _log_tokens(u: dict[str, Any]) -> tuple[int, int, int, int, int, bool]:
    """(uncached input, cache read, cache write, output, reasoning, reasoning_was_extra)."""
    if "prompt_tokens" in u or "completion_tokens" in u:
        total_in, out = _tok(u, "prompt_tokens"), _tok(u, "completion_tokens")
        d_in, d_out = _dict(u.get("prompt_tokens_details")), _dict(u.get("completion_tokens_details"))
    elif "input_tokens" in u or "output_tokens" in u:
        total_in, out = _tok(u, "input_tokens"), _tok(u, "output_tokens")
        d_in, d_out = _dict(u.get("input_tokens_details")), _dict(u.get("output_tokens_details"))
    else:
        raise _Bad("usage block has no prompt/completion (or input/output) token counts")
    cached, write = _tok(d_in, "cached_tokens"), _tok(d_in, "cache_write_tokens")
    reasoning = _tok(d_out, "reasoning_tokens")
    uncached = total_in - cached - write
    if uncached < 0:
        raise _Bad(f"cached tokens ({cached + write}) exceed prompt tokens ({total_in})")
    extra = reasoning > out  # the provider counted reasoning outside the completion tokens
    if extra:
        out += reasoning
    return uncached, cached, write, out, reasoning, extra


def _reported_cost(u: dict[str, Any]) -> float:
    cost = u.get("cost")
    if isinstance(cost, bool) or not isinstance(cost, (int, float)):
        return float("nan")
    total = float(cost)
    if u.get("is_byok") is True:
        upstream = _dict(u.get("cost_details")).get("upstream_inference_cost")
        if isinstance(upstream, (int, float)) and not isinstance(upstream, bool):
            total += float(upstream)
    return total


def _provider(rec: dict[str, Any], resp: dict[str, Any], u: dict[str, Any], model: str) -> str:
    if "cost" in u or "is_byok" in u:
        return "openrouter"  # OpenRouter usage accounting
    explicit = _str(rec.get("provider")).strip().lower()
    if explicit and "/" not in model:  # OpenRouter's own "provider" names the upstream host
        return explicit
    if "queue_time" in u or "x_groq" in resp:
        return "groq"
    if "/" in model:
        return "openrouter"
    return "openai" if _is_openai_model(model) else ""


_LOG_COLS = ("source_row", "provider", "model", "app", "user", "feature", "session", "request_id",
             "input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens",
             "batch", "service_tier", "reported_cost_usd", "quality", "temperature", "prompt", "response",
             "web_search_requests")

_UNBILLED_STATUS = {"failed", "cancelled", "queued", "in_progress"}


def _metadata(rec: dict[str, Any], resp: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """Metadata of the response, the request and the log wrapper (wrapper wins)."""
    parts = [m for m in (resp.get("metadata"), request.get("metadata"), rec.get("metadata")) if type(m) is dict and m]
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    out: dict[str, Any] = {}
    for m in parts:
        out.update(m)
    return out


def _log_time(rec: dict[str, Any], resp: dict[str, Any]) -> Any:
    for holder, key in _TIME_KEYS:
        v = (resp if holder else rec).get(key)
        if v is not None:
            return v
    return None


_TIME_KEYS = ((True, "created"), (True, "created_at"), (False, "timestamp"), (False, "time"),
              (False, "created_at"), (False, "created"))


def _log_row(rec: dict[str, Any], stats: dict[str, int]) -> dict[str, Any] | None:
    """One canonical row, or None for a record that is legitimately not usage."""
    resp = _response_of(rec)
    u = _usage_of(rec, resp)
    if not isinstance(u, dict):
        if resp.get("object") == "chat.completion.chunk" or str(rec.get("type", "")).startswith("response."):
            return None  # streaming chunk / event without usage
        if resp.get("status") in _UNBILLED_STATUS:
            stats["unbilled"] += 1
            return None
        raise _Bad("no usage block")
    uncached, cached, write, out, reasoning, extra = _log_tokens(u)
    stats["reasoning_extra"] += extra
    request = _dict(rec.get("request"))
    meta = _metadata(rec, resp, request)
    model = _str(resp.get("model"), rec.get("model"), request.get("model"))
    conv = resp.get("conversation")
    conv_id = conv.get("id") if type(conv) is dict else conv
    if rec is resp and meta is _EMPTY:  # a bare response object: the fast, common case
        app = feature = ""
        user = _str(resp.get("user"))
        session = _str(conv_id)
        request_id = _str(resp.get("id"))
    else:
        app = _str(rec.get("app"), meta.get("app"), meta.get("project"), meta.get("project_id"))
        wrapper_user = rec.get("user")
        user = _str(wrapper_user if type(wrapper_user) is not dict else None, request.get("user"),
                    meta.get("user"), meta.get("user_id"), resp.get("user"))
        feature = _str(rec.get("feature"), meta.get("feature"), meta.get("tag"), meta.get("endpoint"))
        session = _str(rec.get("session"), rec.get("session_id"), meta.get("session_id"),
                       meta.get("conversation_id"), conv_id)
        request_id = _str(resp.get("id"), rec.get("request_id"), rec.get("id"))
    return {
        "time": _log_time(rec, resp),
        "provider": _provider(rec, resp, u, model),
        "model": model,
        "app": app,
        "user": user,
        "feature": feature,
        "session": session,
        "request_id": request_id,
        "input_tokens": uncached,
        "cache_read_tokens": cached,
        "cache_write_tokens": write,
        "output_tokens": out,
        "reasoning_tokens": reasoning,
        "batch": bool(rec.get("batch")),
        "service_tier": _tier(resp.get("service_tier") or rec.get("service_tier")),
        "reported_cost_usd": _reported_cost(u),
        "quality": _first_present(rec, meta, ("quality", "score", "rating", "thumbs", "feedback")),
        "temperature": _number(request.get("temperature"), rec.get("temperature")),
        "prompt": _prompt_text(rec, request),
        "response": _response_text(rec, resp),
        "web_search_requests": _web_search_calls(resp),
    }


def _collect(source: Source, ctx: ReadContext,
             make: Callable[[int, dict[str, Any]], dict[str, Any] | None]) -> tuple[dict[str, list[Any]], list[Any]]:
    cols: dict[str, list[Any]] = {c: [] for c in _LOG_COLS}
    times: list[Any] = []
    for line, rec in source.all_records(ctx):
        if not isinstance(rec, dict):
            ctx.bad(source.name, line, "not a JSON object")
            continue
        try:
            row = make(line, rec)
        except _Bad as exc:
            ctx.bad(source.name, line, str(exc))
            continue
        if row is None:
            continue
        row["source_row"] = line
        for c in _LOG_COLS:
            cols[c].append(row[c])
        times.append(row["time"])
    return cols, times


def _read_responses(source: Source, ctx: ReadContext) -> pd.DataFrame:
    stats = {"unbilled": 0, "reasoning_extra": 0}
    cols, times = _collect(source, ctx, lambda _line, rec: _log_row(rec, stats))
    _warn_stats(ctx, source, stats)
    return _frame(cols, source=source, fmt=RESPONSES, defaults={}, times=times)


def _warn_stats(ctx: ReadContext, source: Source, stats: Mapping[str, int]) -> None:
    if stats.get("unbilled"):
        ctx.warn(f"{source.name}: {stats['unbilled']} responses without usage (failed/cancelled/in progress) not counted")
    if stats.get("reasoning_extra"):
        ctx.warn(
            f"{source.name}: {stats['reasoning_extra']} responses report more reasoning than completion tokens; "
            "reasoning was added to their output tokens"
        )
    if stats.get("failed"):
        ctx.warn(f"{source.name}: {stats['failed']} failed batch requests not billed")


def _batch_row(rec: dict[str, Any], stats: dict[str, int]) -> dict[str, Any] | None:
    resp = rec.get("response")
    status = _dict(resp).get("status_code")
    if rec.get("error") or not isinstance(resp, dict) or (status is not None and status != 200):
        stats["failed"] += 1
        return None
    body = resp.get("body")
    if not isinstance(body, dict):
        raise _Bad("batch response has no body object")
    if body.get("status") in _UNBILLED_STATUS and not isinstance(body.get("usage"), dict):
        stats["failed"] += 1
        return None
    row = _log_row({"response": body}, stats)
    if row is None:
        raise _Bad("no usage block")
    row["request_id"] = _str(resp.get("request_id"), rec.get("custom_id"), rec.get("id"))
    row["batch"] = True
    return row


def _read_batch(source: Source, ctx: ReadContext) -> pd.DataFrame:
    stats = {"unbilled": 0, "reasoning_extra": 0, "failed": 0}
    cols, times = _collect(source, ctx, lambda _line, rec: _batch_row(rec, stats))
    _warn_stats(ctx, source, stats)
    return _frame(cols, source=source, fmt=BATCH, defaults={}, times=times)


READERS: list[Reader] = [
    Reader(
        name=USAGE_CSV,
        description="OpenAI usage dashboard CSV export (Usage API completions columns, time buckets)",
        kinds=frozenset({"csv"}),
        sniff=_sniff_usage_csv,
        read=_read_usage_csv,
    ),
    Reader(
        name=COSTS_CSV,
        description="OpenAI cost dashboard CSV export (amount_value, line_item, project_id)",
        kinds=frozenset({"csv"}),
        sniff=_sniff_costs_csv,
        read=_read_costs_csv,
    ),
    Reader(
        name=USAGE_API,
        description="OpenAI Usage API (/v1/organization/usage/completions) pages or buckets, JSON",
        kinds=frozenset({"json", "jsonl"}),
        sniff=_sniff_usage_api,
        read=_read_usage_api,
    ),
    Reader(
        name=COSTS_API,
        description="OpenAI Costs API (/v1/organization/costs) pages or buckets, JSON",
        kinds=frozenset({"json", "jsonl"}),
        sniff=_sniff_costs_api,
        read=_read_costs_api,
    ),
    Reader(
        name=RESPONSES,
        description="Chat Completions / Responses API response logs (OpenAI and OpenAI-compatible, e.g. OpenRouter)",
        kinds=frozenset({"json", "jsonl"}),
        sniff=_sniff_responses,
        read=_read_responses,
        dedup=True,
    ),
    Reader(
        name=BATCH,
        description="OpenAI Batch API output file (custom_id, response.body), billed at Batch prices",
        kinds=frozenset({"jsonl", "json"}),
        sniff=_sniff_batch,
        read=_read_batch,
    ),
]


def _first_present(rec: dict[str, Any], meta: Any, keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` found in the log record or its metadata (a quality signal)."""
    for src in (rec, meta if isinstance(meta, dict) else {}):
        for k in keys:
            v = src.get(k)
            if v is not None and not isinstance(v, (dict, list)):
                return str(v)
    return None


def _number(*values: Any) -> float | None:
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return None


def _web_search_calls(resp: dict[str, Any]) -> int:
    """Responses API: each ``web_search_call`` output item is a billed tool call."""
    output = resp.get("output")
    if not isinstance(output, list):
        return 0
    return sum(1 for item in output if isinstance(item, dict) and item.get("type") == "web_search_call")
