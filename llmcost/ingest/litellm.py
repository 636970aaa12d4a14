"""LiteLLM proxy spend logs (the ``LiteLLM_SpendLogs`` table) and LiteLLM's
``StandardLoggingPayload`` (what its logging callbacks write to S3/GCS/...).

Verified against LiteLLM's ``schema.prisma`` (model ``LiteLLM_SpendLogs``),
``litellm/types/utils.py`` (``StandardLoggingPayload``, ``Usage``,
``PromptTokensDetailsWrapper``), ``litellm/llms/anthropic/chat/transformation.py``
(``calculate_usage``) and the proxy test payload
``tests/logging_callback_tests/gcs_pub_sub_body/spend_logs_payload.json``
(https://github.com/BerriAI/litellm). Cost tracking docs:
https://docs.litellm.ai/docs/proxy/cost_tracking

A third reader takes the daily aggregate tables (``LiteLLM_DailyUserSpend``,
``...TeamSpend``, ``...OrganizationSpend``, ``...EndUserSpend``, ``...TagSpend``):
one row per day x owner x API key x model with ``prompt_tokens``,
``completion_tokens``, ``cache_read_input_tokens``, ``cache_creation_input_tokens``,
``spend`` and ``api_requests`` (→ ``requests``). Their ``prompt_tokens`` are
summed from the spend logs, so the same inclusion rule applies; with no
per-row details to tell LiteLLM releases apart, both cache reads and writes
are subtracted, or only reads when that would go negative.

Accepted containers: a CSV export of the table (``\\copy ... TO ... CSV HEADER``),
a JSON list of rows (``/spend/logs``), ``{"data": [...]}`` (``/spend/logs/v2``)
or ``{"logs": [...]}``, or JSON Lines with one row per line.

Semantics
---------
* ``spend`` (``response_cost`` in the logging payload) is LiteLLM's own computed
  cost in USD → ``reported_cost_usd``.
* ``prompt_tokens`` is OpenAI-style: it INCLUDES cached tokens. The cache split
  comes from ``metadata.usage_object`` (or ``metadata.additional_usage_values``,
  or ``response.usage``): ``prompt_tokens_details.cached_tokens`` /
  ``cache_read_input_tokens`` are cache reads; ``cache_creation_input_tokens``
  are cache writes (``cache_creation_token_details.ephemeral_1h_input_tokens``
  their 1-hour part).
* Anthropic models (and Claude on Bedrock/Vertex) through LiteLLM: current
  LiteLLM adds BOTH cache reads and cache writes to ``prompt_tokens``, and then
  records ``prompt_tokens_details.cache_creation_tokens``. Some 2025 releases
  added only the cache reads, and their ``prompt_tokens_details`` has no
  ``cache_creation_tokens`` key. So: cache writes are subtracted from
  ``prompt_tokens`` only when ``cache_creation_tokens`` is present; cache reads
  always are. ``input_tokens`` therefore holds uncached input only.
* ``completion_tokens`` includes reasoning tokens
  (``completion_tokens_details.reasoning_tokens``). If a row reports more
  reasoning than completion tokens, reasoning was evidently not included and is
  added to the output.
* ``cache_hit`` true means LiteLLM answered from ITS OWN response cache: no
  provider call happened and nothing was billed upstream. Such rows are kept
  (one request each) with zero tokens and a reported cost of 0; a warning
  counts them.
* ``startTime`` has no timezone in the table: it is UTC. In the logging
  payload it is epoch seconds.
* provider = ``custom_llm_provider`` (mapped to genai-prices ids, e.g.
  ``bedrock`` → ``aws``, ``gemini`` → ``google``), else the ``provider/`` prefix
  of ``model``, else ""; app = team alias, else ``team_id``; user = ``user``,
  else ``end_user``, else the API key alias; feature = first request tag, else
  ``call_type``; session = ``session_id``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from ..schema import finalize
from . import Reader
from ._io import ReadContext, Source, respelt_columns
from ._numbers import plain_numbers
from ._values import first, missing, text, token_count

FORMAT_SPEND = "litellm-spend-logs"
FORMAT_PAYLOAD = "litellm-logging-payload"
FORMAT_DAILY = "litellm-daily-spend"

_SPEND_KEYS = frozenset({"request_id", "spend", "prompt_tokens", "completion_tokens"})
_SPEND_ANY = frozenset({"startTime", "call_type", "api_key", "cache_hit"})
_PAYLOAD_KEYS = frozenset({"id", "response_cost", "prompt_tokens", "completion_tokens", "startTime"})
_CONTAINER_KEYS = ("data", "logs")
#: every column this module reads from a CSV export, as LiteLLM spells it: a spreadsheet that renamed
#: them ("Prompt Tokens", "START TIME", "api-key") is read by these names (see :func:`_csv_names`)
_CSV_VOCABULARY = frozenset({
    "request_id", "id", "spend", "response_cost", "prompt_tokens", "completion_tokens", "total_tokens",
    "startTime", "endTime", "completionStartTime", "call_type", "api_key", "cache_hit", "model", "model_group",
    "custom_llm_provider", "user", "end_user", "end_user_id", "user_id", "team_id", "organization_id", "tag",
    "metadata", "request_tags", "session_id", "date", "api_requests", "cache_read_input_tokens",
    "cache_creation_input_tokens", "messages", "response", "api_base", "status",
})

# LiteLLM custom_llm_provider → genai-prices provider id.
_PROVIDERS: dict[str, str] = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "chatgpt": "openai",
    "azure": "azure",
    "azure_text": "azure",
    "azure_ai": "azure",
    "anthropic": "anthropic",
    "anthropic_text": "anthropic",
    "bedrock": "aws",
    "bedrock_converse": "aws",
    "sagemaker": "aws",
    "sagemaker_chat": "aws",
    "gemini": "google",
    "vertex_ai": "google",
    "vertex_ai_beta": "google",
    "mistral": "mistral",
    "codestral": "mistral",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "groq": "groq",
    "xai": "x-ai",
    "deepseek": "deepseek",
    "openrouter": "openrouter",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "perplexity": "perplexity",
    "cerebras": "cerebras",
    "databricks": "databricks",
    "moonshot": "moonshotai",
    "novita": "novita",
}


# ------------------------------------------------------------------------------
# Sniffing
# ------------------------------------------------------------------------------

def _doc_rows(doc: Any) -> list[Any] | None:
    """The row list of a JSON document: a list, or {"data"|"logs": [...]}."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in _CONTAINER_KEYS:
            if isinstance(doc.get(key), list):
                return doc[key]
        return [doc]
    return None


def _sample(source: Source) -> list[dict[str, Any]]:
    if source.kind == "json":
        rows = _doc_rows(source.doc) or []
        return [r for r in rows[:50] if isinstance(r, dict)]
    return [r for r in source.sample_records() if isinstance(r, dict)]


def _csv_names(header: list[str] | None) -> dict[str, str]:
    """LiteLLM's columns as a spreadsheet respelt them: without this a renamed export fell to the
    generic reader, which loses the cache tokens LiteLLM records."""
    return respelt_columns(header, _CSV_VOCABULARY)


def _csv_keys(source: Source) -> set[str]:
    rename = _csv_names(source.header)
    return {rename.get(h, h) for h in source.header or []}


def _is_spend_row(keys: set[str] | frozenset[str]) -> bool:
    return _SPEND_KEYS <= keys and bool(_SPEND_ANY & keys)


def _is_payload_row(keys: set[str] | frozenset[str]) -> bool:
    return _PAYLOAD_KEYS <= keys and "spend" not in keys


def _sniff_spend(source: Source) -> int:
    if source.kind == "csv":
        return 90 if _is_spend_row(_csv_keys(source)) else 0
    sample = _sample(source)
    if sample and _is_spend_row(set(sample[0])):
        return 90
    return 0


def _sniff_payload(source: Source) -> int:
    sample = _sample(source)
    if sample and _is_payload_row(set(sample[0])):
        return 85
    return 0


# ------------------------------------------------------------------------------
# Small value helpers
# ------------------------------------------------------------------------------

def _as_dict(value: Any) -> dict[str, Any]:
    """A dict from a dict or a JSON-object string; {} otherwise."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value[:1] == "{":
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, np.ndarray):
        return list(value)
    if isinstance(value, str) and value[:1] == "[":
        try:
            parsed = json.loads(value)
        except ValueError:
            return []
        return parsed if isinstance(parsed, list) else []
    return []


def _tok(value: Any, name: str) -> int:
    """A token count (None/"" → 0). Raises ValueError naming the field."""
    return token_count(value, name)


_missing, _first, _text = missing, first, text



def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes"}


def _cost(value: Any) -> float:
    if _missing(value):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def normalize_provider(provider: str, model: str) -> str:
    """genai-prices provider id for a LiteLLM provider name (or model prefix)."""
    p = provider.strip().lower()
    if not p and "/" in model:
        p = model.split("/", 1)[0].strip().lower()
    if not p:
        return ""
    mapped = _PROVIDERS.get(p)
    if mapped is None:
        return p if provider else ""  # an unknown model prefix is not a provider
    if mapped == "google" and p.startswith("vertex") and "gemini" not in model.lower():
        return ""  # Claude/Llama on Vertex: let the pricer infer from the model
    return mapped


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, str):
                parts.append(part)
        return "\n".join(parts)
    return ""


def _prompt_text(messages: Any) -> str | None:
    """Prompt text from the logged ``messages`` (None when not stored)."""
    if isinstance(messages, str) and messages[:1] in "[{":
        try:
            messages = json.loads(messages)
        except ValueError:
            return messages or None
    if isinstance(messages, dict):
        messages = messages.get("messages", messages.get("input"))
    if isinstance(messages, str):
        return messages or None
    if isinstance(messages, list):
        texts = [
            _content_text(m.get("content")) if isinstance(m, dict) else _content_text(m)
            for m in messages
        ]
        joined = "\n".join(t for t in texts if t)
        return joined or None
    return None


def _response_text(response: Any) -> str | None:
    resp = _as_dict(response)
    choices = resp.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        msg = choices[0].get("message") or {}
        text = _content_text(msg.get("content")) if isinstance(msg, dict) else ""
        return text or None
    if isinstance(response, str) and response and response[:1] not in "[{":
        return response
    return None


# ------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------

_COLS = (
    "time", "provider", "model", "app", "user", "feature", "session", "request_id",
    "input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
    "output_tokens", "reasoning_tokens", "reported_cost_usd", "prompt", "response",
    "source_row",
)


class _RowError(ValueError):
    """A malformed row (reported through ctx.bad)."""


def _tokens(rec: dict[str, Any], meta: dict[str, Any]) -> tuple[int, int, int, int, int, int]:
    """(input, cache_read, cache_write, cache_write_1h, output, reasoning)."""
    usage = _as_dict(meta.get("usage_object")) or _as_dict(_as_dict(rec.get("response")).get("usage"))
    extra = _as_dict(meta.get("additional_usage_values"))
    ptd = _as_dict(usage.get("prompt_tokens_details")) or _as_dict(extra.get("prompt_tokens_details"))
    ctd = _as_dict(usage.get("completion_tokens_details")) or _as_dict(extra.get("completion_tokens_details"))
    try:
        prompt = _tok(_first(rec.get("prompt_tokens"), usage.get("prompt_tokens")), "prompt_tokens")
        completion = _tok(_first(rec.get("completion_tokens"), usage.get("completion_tokens")), "completion_tokens")
        cached = _tok(
            _first(ptd.get("cached_tokens"), usage.get("cache_read_input_tokens"),
                   extra.get("cache_read_input_tokens")),
            "cached_tokens",
        )
        creation = _tok(
            _first(usage.get("cache_creation_input_tokens"), extra.get("cache_creation_input_tokens"),
                   ptd.get("cache_creation_tokens")),
            "cache_creation_input_tokens",
        )
        ccd = (_as_dict(ptd.get("cache_creation_token_details"))
               or _as_dict(usage.get("cache_creation_token_details"))
               or _as_dict(usage.get("cache_creation")))
        write_1h = _tok(ccd.get("ephemeral_1h_input_tokens"), "ephemeral_1h_input_tokens")
        reasoning = _tok(_first(ctd.get("reasoning_tokens"), usage.get("reasoning_tokens")), "reasoning_tokens")
    except ValueError as exc:
        raise _RowError(str(exc)) from None
    creation_in_prompt = ptd.get("cache_creation_tokens") is not None
    uncached = prompt - cached - (creation if creation_in_prompt else 0)
    if uncached < 0:
        raise _RowError(
            f"cached tokens ({cached} read + {creation if creation_in_prompt else 0} written) "
            f"exceed prompt_tokens ({prompt})"
        )
    output = completion if reasoning <= completion else completion + reasoning
    return uncached, cached, creation, min(write_1h, creation), output, reasoning


def _clean_number_columns(df: pd.DataFrame, source: Source, ctx: ReadContext) -> None:
    """Token counts, request counts and spend as plain number text (a spreadsheet
    writes "41.000" or "0,0123"; read per row they would be 41 tokens or an error)."""
    for col in df.columns:
        name = str(col).lower()
        whole = "tokens" in name or "requests" in name
        if whole or name in ("spend", "response_cost"):
            df[col] = plain_numbers(df[col], str(col), source, ctx, whole=whole).fillna("").astype(object)


def _iter_rows(source: Source, ctx: ReadContext) -> list[tuple[int, Any]]:
    if source.kind == "csv":
        df = source.csv_frame(dtype=str, keep_default_na=False)
        rename = _csv_names(list(df.columns))
        if rename:
            df = df.rename(columns=rename)
            said = ", ".join(f"{old!r} as {new}" for old, new in sorted(rename.items())[:4])
            more = f" and {len(rename) - 4} more" if len(rename) > 4 else ""
            ctx.warn(f"{source.name}: columns read by LiteLLM's names: {said}{more}")
        _clean_number_columns(df, source, ctx)
        rows = df.to_dict("records")
        return [(int(r.pop("source_row")), r) for r in rows]
    if source.kind == "jsonl":
        out: list[tuple[int, Any]] = []
        for line, value in source.records(ctx):
            if isinstance(value, dict) and not (_SPEND_KEYS & set(value) or _PAYLOAD_KEYS & set(value)):
                inner = _doc_rows(value)  # a page {"data": [...]} per line
                if inner is not None and inner != [value]:
                    out.extend((line, v) for v in inner)
                    continue
            out.append((line, value))
        return out
    rows = _doc_rows(source.doc) or []
    return list(enumerate(rows, start=1))


def _read(source: Source, ctx: ReadContext, *, payload: bool) -> pd.DataFrame:
    fmt = FORMAT_PAYLOAD if payload else FORMAT_SPEND
    cols: dict[str, list[Any]] = {c: [] for c in _COLS}
    cache_hits = 0
    for line, rec in _iter_rows(source, ctx):
        if not isinstance(rec, dict):
            ctx.bad(source.name, line, "not a LiteLLM log row (expected a JSON object)")
            continue
        meta = _as_dict(rec.get("metadata"))
        try:
            inp, c_read, c_write, c_1h, out, reas = _tokens(rec, meta)
        except _RowError as exc:
            ctx.bad(source.name, line, str(exc))
            continue
        cost = _cost(rec.get("response_cost") if payload else rec.get("spend"))
        if _truthy(rec.get("cache_hit")):
            cache_hits += 1
            inp = c_read = c_write = c_1h = out = reas = 0
            cost = 0.0
        model = _text(_first(rec.get("model"), rec.get("model_group")))
        tags = _as_list(rec.get("request_tags"))
        cols["time"].append(_first(rec.get("startTime"), rec.get("endTime")))
        cols["provider"].append(normalize_provider(_text(rec.get("custom_llm_provider")), model))
        cols["model"].append(model)
        cols["app"].append(_text(_first(meta.get("user_api_key_team_alias"), rec.get("team_id"),
                                        meta.get("user_api_key_team_id"))))
        cols["user"].append(_text(_first(rec.get("user"), rec.get("end_user"), meta.get("user_api_key_alias"),
                                         meta.get("user_api_key_user_id"))))
        cols["feature"].append(_text(_first(tags[0] if tags else None, rec.get("call_type"))))
        cols["session"].append(_text(_first(rec.get("session_id"), meta.get("session_id"))))
        cols["request_id"].append(_text(_first(rec.get("request_id"), rec.get("id"))))
        cols["input_tokens"].append(inp)
        cols["cache_read_tokens"].append(c_read)
        cols["cache_write_tokens"].append(c_write)
        cols["cache_write_1h_tokens"].append(c_1h)
        cols["output_tokens"].append(out)
        cols["reasoning_tokens"].append(reas)
        cols["reported_cost_usd"].append(cost)
        cols["prompt"].append(_prompt_text(rec.get("messages")))
        cols["response"].append(_response_text(rec.get("response")))
        cols["source_row"].append(line)
    if cache_hits:
        ctx.warn(
            f"{source.name}: {cache_hits} LiteLLM cache hit(s) served from LiteLLM's own cache "
            "(no provider call): counted with 0 tokens and $0"
        )
    df = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})
    df["time"] = _times(df["time"], payload)
    for c in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
              "output_tokens", "reasoning_tokens", "source_row"):
        df[c] = df[c].astype("int64")
    df["reported_cost_usd"] = df["reported_cost_usd"].astype("float64")
    return finalize(df, source=source.name, source_format=fmt)


def _times(values: pd.Series, payload: bool) -> pd.Series:
    """Epoch seconds (logging payload) or naive/ISO strings (table), as UTC."""
    if len(values) and payload:
        num = pd.to_numeric(values, errors="coerce")
        if num.notna().all():
            return pd.to_datetime(num.astype("float64"), unit="s", utc=True)
    return values.astype("string")


# ------------------------------------------------------------------------------
# Daily spend tables (LiteLLM_DailyUserSpend / TeamSpend / OrganizationSpend /
# EndUserSpend / TagSpend): one row per day x owner x key x model.
# ------------------------------------------------------------------------------

_DAILY_KEYS = frozenset({"date", "api_key", "model", "prompt_tokens", "completion_tokens", "spend", "api_requests"})
_DAILY_OWNER = ("team_id", "organization_id", "tag", "end_user_id", "user_id")


def _sniff_daily(source: Source) -> int:
    keys = _csv_keys(source) if source.kind == "csv" else set(next(iter(_sample(source)), {}))
    return 85 if _DAILY_KEYS <= keys else 0


def _read_daily(source: Source, ctx: ReadContext) -> pd.DataFrame:
    cols: dict[str, list[Any]] = {c: [] for c in (
        "time", "provider", "model", "app", "user", "feature", "input_tokens", "cache_read_tokens",
        "cache_write_tokens", "output_tokens", "requests", "reported_cost_usd", "source_row")}
    for line, rec in _iter_rows(source, ctx):
        if not isinstance(rec, dict):
            ctx.bad(source.name, line, "not a LiteLLM daily spend row (expected a JSON object)")
            continue
        try:
            prompt = _tok(rec.get("prompt_tokens"), "prompt_tokens")
            read = _tok(rec.get("cache_read_input_tokens"), "cache_read_input_tokens")
            write = _tok(rec.get("cache_creation_input_tokens"), "cache_creation_input_tokens")
            output = _tok(rec.get("completion_tokens"), "completion_tokens")
            requests = _tok(rec.get("api_requests"), "api_requests")
        except ValueError as exc:
            ctx.bad(source.name, line, str(exc))
            continue
        uncached = prompt - read - write
        if uncached < 0:  # rows logged by LiteLLM releases that left cache writes out of prompt_tokens
            uncached = prompt - read
        if uncached < 0:
            ctx.bad(source.name, line, f"cache_read_input_tokens ({read}) exceed prompt_tokens ({prompt})")
            continue
        model = _text(_first(rec.get("model"), rec.get("model_group")))
        owner = _first(*(rec.get(k) for k in _DAILY_OWNER[:3]))
        cols["time"].append(_text(rec.get("date")))
        cols["provider"].append(normalize_provider(_text(rec.get("custom_llm_provider")), model))
        cols["model"].append(model)
        cols["app"].append(_text(owner))
        cols["user"].append(_text(_first(rec.get("end_user_id"), rec.get("user_id"), rec.get("api_key"))))
        cols["feature"].append(_text(_first(rec.get("endpoint"), rec.get("mcp_namespaced_tool_name"))))
        cols["input_tokens"].append(uncached)
        cols["cache_read_tokens"].append(read)
        cols["cache_write_tokens"].append(write)
        cols["output_tokens"].append(output)
        cols["requests"].append(requests)
        cols["reported_cost_usd"].append(_cost(rec.get("spend")))
        cols["source_row"].append(line)
    df = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})
    for c in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "requests", "source_row"):
        df[c] = df[c].astype("int64")
    df["reported_cost_usd"] = df["reported_cost_usd"].astype("float64")
    df["time"] = df["time"].astype("string")
    return finalize(df, source=source.name, source_format=FORMAT_DAILY)


def _read_spend(source: Source, ctx: ReadContext) -> pd.DataFrame:
    return _read(source, ctx, payload=False)


def _read_payload(source: Source, ctx: ReadContext) -> pd.DataFrame:
    return _read(source, ctx, payload=True)


READERS: list[Reader] = [
    Reader(
        name=FORMAT_SPEND,
        description="LiteLLM proxy spend logs (LiteLLM_SpendLogs rows as CSV, JSON or JSONL)",
        kinds=frozenset({"csv", "json", "jsonl"}),
        sniff=_sniff_spend,
        read=_read_spend,
        dedup=True,
    ),
    Reader(
        name=FORMAT_PAYLOAD,
        description="LiteLLM StandardLoggingPayload records (callback logs: S3, GCS, ...)",
        kinds=frozenset({"json", "jsonl"}),
        sniff=_sniff_payload,
        read=_read_payload,
        dedup=True,
    ),
    Reader(
        name=FORMAT_DAILY,
        description="LiteLLM daily spend tables (LiteLLM_Daily*Spend rows: day x owner x key x model)",
        kinds=frozenset({"csv", "json", "jsonl"}),
        sniff=_sniff_daily,
        read=_read_daily,
    ),
]
