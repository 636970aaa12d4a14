"""Logs of raw API responses from providers other than OpenAI and Anthropic
(JSON Lines, or a JSON list), one response per record.

OpenAI-shaped usage (``prompt_tokens``/``completion_tokens``, also Mistral,
Groq, DeepSeek, OpenRouter...) belongs to :mod:`llmcost.ingest.openai` and
Anthropic Messages usage to :mod:`llmcost.ingest.anthropic`; the sniffers here
only claim the shapes below, and a file mixing several of them is read line by
line (each record is recognised on its own).

Google Gemini / Vertex AI ``GenerateContentResponse``
    (https://ai.google.dev/api/generate-content#UsageMetadata)
    ``usageMetadata.promptTokenCount`` INCLUDES ``cachedContentTokenCount``;
    ``toolUsePromptTokenCount`` is extra input; ``thoughtsTokenCount`` is billed
    as output and is NOT part of ``candidatesTokenCount``. So
    input = prompt + toolUse − cached, cache_read = cached,
    output = candidates + thoughts, reasoning = thoughts.
    Model from ``modelVersion``, id from ``responseId``, time from
    ``createTime``. Batch output lines (Gemini API ``{"key", "response"}``,
    Vertex ``{"request", "response", "processed_time"}``) are read from their
    ``response`` and marked ``batch``.
Cohere Chat (v2 ``usage``, v1 ``meta``)
    (https://docs.cohere.com/reference/chat#response.body.usage)
    Billing follows ``billed_units.input_tokens`` / ``output_tokens``; ``tokens``
    (which counts template tokens too) and ``cached_tokens`` are not billed
    quantities and are ignored (Cohere bills no separate cache-read price).
Amazon Bedrock Converse ``usage``
    (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html)
    ``inputTokens`` EXCLUDES ``cacheReadInputTokens`` / ``cacheWriteInputTokens``
    (``totalTokens`` = input + output + cache read + cache write). Model from
    ``modelId`` when the log records it.
Amazon Bedrock model invocation logs (``schemaType: ModelInvocationLog``)
    (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html)
    ``input.inputTokenCount``, ``input.cacheReadInputTokenCount``,
    ``input.cacheWriteInputTokenCount``, ``output.outputTokenCount``, taken as
    disjoint like Converse usage; ``modelId``, ``timestamp``, ``requestId``,
    ``operation`` (feature), ``identity.arn`` (user), ``requestMetadata``
    (app from its ``app``/``project``/``team``/... key).

A record without a model gets model "" (reported unpriced later). Records that
are provider errors (``{"error": ...}`` without usage) are not usage and are
counted in a warning; any other record without a recognisable usage block is a
bad row (raise, or skip with ``--skip-bad``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..schema import finalize
from . import Reader
from ._io import ReadContext, Source
from ._values import first, missing, text, token_count

Fields = dict[str, Any]

_FOREIGN_USAGE = ("prompt_tokens", "completion_tokens", "input_tokens", "output_tokens",
                  "cache_creation_input_tokens", "cache_read_input_tokens")
_TIME_KEYS = ("timestamp", "time", "created_at", "createTime", "create_time", "processed_time", "date")
_APP_KEYS = ("app", "application", "project", "project_id", "team", "workspace", "service")


class _BadRecord(ValueError):
    pass


def _tok(v: Any, name: str) -> int:
    return token_count(v, name, _BadRecord)


_missing, _first, _s = missing, first, text



def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


# ------------------------------------------------------------------------------
# Recognising one record
# ------------------------------------------------------------------------------

def _gemini_parts(rec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
    """(response, usageMetadata, is_batch_wrapper) for a Gemini record."""
    if isinstance(rec.get("usageMetadata"), dict):
        return rec, rec["usageMetadata"], False
    inner = rec.get("response")
    if isinstance(inner, dict) and isinstance(inner.get("usageMetadata"), dict):
        batch = "key" in rec or "processed_time" in rec or "request" in rec
        return inner, inner["usageMetadata"], batch
    return None


def _cohere_usage(rec: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("usage", "meta"):
        block = rec.get(key)
        if isinstance(block, dict) and isinstance(block.get("billed_units"), dict):
            return block
    return None


def _bedrock_usage(rec: dict[str, Any]) -> dict[str, Any] | None:
    block = rec.get("usage")
    if isinstance(block, dict) and ("inputTokens" in block or "outputTokens" in block):
        return block
    return None


def _is_invocation_log(rec: dict[str, Any]) -> bool:
    if rec.get("schemaType") == "ModelInvocationLog":
        return True
    return isinstance(rec.get("input"), dict) and "inputTokenCount" in rec["input"] and "modelId" in rec


def record_kind(rec: Any) -> str | None:
    """'gemini', 'cohere', 'bedrock', 'bedrock-log', or None."""
    if not isinstance(rec, dict):
        return None
    if _is_invocation_log(rec):
        return "bedrock-log"
    if _gemini_parts(rec) is not None:
        return "gemini"
    if _cohere_usage(rec) is not None:
        return "cohere"
    if _bedrock_usage(rec) is not None:
        return "bedrock"
    return None


def _is_foreign(rec: Any) -> bool:
    """OpenAI/Anthropic-shaped usage: other modules own it."""
    if not isinstance(rec, dict):
        return False
    for holder in (rec, _d(rec.get("message")), _d(_d(rec.get("response")).get("body"))):
        usage = holder.get("usage")
        if isinstance(usage, dict) and any(k in usage for k in _FOREIGN_USAGE):
            return True
    return False


# ------------------------------------------------------------------------------
# Extracting canonical fields
# ------------------------------------------------------------------------------

def _time_of(*holders: dict[str, Any]) -> Any:
    for h in holders:
        for key in _TIME_KEYS:
            if not _missing(h.get(key)):
                return h[key]
    return None


def _gemini(rec: dict[str, Any]) -> Fields:
    parts = _gemini_parts(rec)
    assert parts is not None
    resp, um, batch = parts
    prompt = _tok(um.get("promptTokenCount"), "promptTokenCount")
    cached = _tok(um.get("cachedContentTokenCount"), "cachedContentTokenCount")
    tool = _tok(um.get("toolUsePromptTokenCount"), "toolUsePromptTokenCount")
    cand = _tok(um.get("candidatesTokenCount"), "candidatesTokenCount")
    thoughts = _tok(um.get("thoughtsTokenCount"), "thoughtsTokenCount")
    if cached > prompt:
        raise _BadRecord(f"cachedContentTokenCount ({cached}) exceeds promptTokenCount ({prompt})")
    return {
        "provider": "google",
        "model": _s(_first(resp.get("modelVersion"), rec.get("modelVersion"), rec.get("model"), resp.get("model"))),
        "request_id": _s(_first(resp.get("responseId"), rec.get("responseId"))),
        "time": _time_of(resp, rec),
        "input_tokens": prompt + tool - cached,
        "cache_read_tokens": cached,
        "output_tokens": cand + thoughts,
        "reasoning_tokens": thoughts,
        "batch": batch,
    }


def _cohere(rec: dict[str, Any]) -> Fields:
    usage = _cohere_usage(rec)
    assert usage is not None
    billed = usage["billed_units"]
    return {
        "provider": "cohere",
        "model": _s(rec.get("model")),
        "request_id": _s(_first(rec.get("id"), rec.get("response_id"), rec.get("generation_id"))),
        "time": _time_of(rec),
        "input_tokens": _tok(billed.get("input_tokens"), "billed_units.input_tokens"),
        "output_tokens": _tok(billed.get("output_tokens"), "billed_units.output_tokens"),
    }


def _bedrock(rec: dict[str, Any]) -> Fields:
    usage = _bedrock_usage(rec)
    assert usage is not None
    inp = _tok(usage.get("inputTokens"), "inputTokens")
    out = _tok(usage.get("outputTokens"), "outputTokens")
    read = _tok(_first(usage.get("cacheReadInputTokens"), usage.get("cacheReadInputTokenCount")),
                "cacheReadInputTokens")
    write = _tok(_first(usage.get("cacheWriteInputTokens"), usage.get("cacheWriteInputTokenCount")),
                 "cacheWriteInputTokens")
    total = usage.get("totalTokens")
    if (read or write) and total == inp + out and inp >= read + write:
        inp -= read + write  # this log's inputTokens evidently included the cache
    meta = _d(rec.get("ResponseMetadata"))
    return {
        "provider": "aws",
        "model": _s(_first(rec.get("modelId"), rec.get("model"))),
        "request_id": _s(_first(meta.get("RequestId"), rec.get("requestId"), rec.get("id"))),
        "time": _first(_time_of(rec), _d(meta.get("HTTPHeaders")).get("date")),
        "input_tokens": inp,
        "cache_read_tokens": read,
        "cache_write_tokens": write,
        "output_tokens": out,
    }


def _bedrock_log(rec: dict[str, Any]) -> Fields:
    inp = _d(rec.get("input"))
    out = _d(rec.get("output"))
    rmeta = _d(rec.get("requestMetadata"))
    app = _first(*(rmeta.get(k) for k in _APP_KEYS))
    return {
        "provider": "aws",
        "model": _s(rec.get("modelId")),
        "request_id": _s(rec.get("requestId")),
        "time": rec.get("timestamp"),
        "app": _s(app),
        "user": _s(_d(rec.get("identity")).get("arn")),
        "feature": _s(rec.get("operation")),
        "input_tokens": _tok(inp.get("inputTokenCount"), "input.inputTokenCount"),
        "cache_read_tokens": _tok(inp.get("cacheReadInputTokenCount"), "input.cacheReadInputTokenCount"),
        "cache_write_tokens": _tok(inp.get("cacheWriteInputTokenCount"), "input.cacheWriteInputTokenCount"),
        "output_tokens": _tok(out.get("outputTokenCount"), "output.outputTokenCount"),
    }


_EXTRACT: dict[str, Callable[[dict[str, Any]], Fields]] = {
    "gemini": _gemini,
    "cohere": _cohere,
    "bedrock": _bedrock,
    "bedrock-log": _bedrock_log,
}

_COLS = ("time", "provider", "model", "app", "user", "feature", "session", "request_id",
         "input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens",
         "reasoning_tokens", "batch", "source_row")


def _records(source: Source, ctx: ReadContext) -> list[tuple[int, Any]]:
    if source.kind == "json" and isinstance(source.doc, dict):
        for key in ("data", "responses", "results", "items"):
            if isinstance(source.doc.get(key), list):
                return list(enumerate(source.doc[key], start=1))
    return source.all_records(ctx)


def _read(source: Source, ctx: ReadContext, fmt: str) -> pd.DataFrame:
    cols: dict[str, list[Any]] = {c: [] for c in _COLS}
    errors = 0
    for line, rec in _records(source, ctx):
        kind = record_kind(rec)
        if kind is None:
            if isinstance(rec, dict) and "error" in rec:
                errors += 1
                continue
            ctx.bad(source.name, line, "no usage block recognised (usageMetadata, usage.billed_units, "
                                       "usage.inputTokens or a Bedrock invocation log)")
            continue
        try:
            fields = _EXTRACT[kind](rec)
        except _BadRecord as exc:
            ctx.bad(source.name, line, str(exc))
            continue
        for c in _COLS:
            if c == "source_row":
                cols[c].append(line)
            elif c in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens",
                       "reasoning_tokens"):
                cols[c].append(fields.get(c, 0))
            elif c == "batch":
                cols[c].append(bool(fields.get(c, False)))
            elif c == "time":
                cols[c].append(fields.get("time"))
            else:
                cols[c].append(fields.get(c, ""))
    if errors:
        ctx.warn(f"{source.name}: {errors} error response(s) without usage (not billed) ignored")
    df = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()})
    df["time"] = df["time"].astype("string")
    df["batch"] = df["batch"].astype(bool)
    for c in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens",
              "source_row"):
        df[c] = df[c].astype("int64")
    return finalize(df, source=source.name, source_format=fmt)


# ------------------------------------------------------------------------------
# Sniffing and readers
# ------------------------------------------------------------------------------

def _sample(source: Source) -> list[Any]:
    if source.kind == "json" and isinstance(source.doc, dict):
        for key in ("data", "responses", "results", "items"):
            if isinstance(source.doc.get(key), list):
                return source.doc[key][:50]
    return source.sample_records()


def _kinds(source: Source) -> tuple[set[str], bool]:
    """Shapes of the sampled records, and whether foreign usage shapes occur."""
    kinds: set[str] = set()
    foreign = False
    for rec in _sample(source):
        k = record_kind(rec)
        if k is not None:
            kinds.add(k)
        elif _is_foreign(rec):
            foreign = True
    return kinds, foreign


def _sniffer(only: str | None, score: int) -> Callable[[Source], int]:
    def sniff(source: Source) -> int:
        kinds, foreign = _kinds(source)
        if not kinds:
            return 0
        if only is not None:
            return score if kinds == {only} and not foreign else 0
        if foreign:
            return 30  # mixed with OpenAI/Anthropic shapes: let their readers win
        return score if len(kinds) > 1 else 0

    return sniff


def _reader(name: str, only: str | None, score: int, description: str) -> Reader:
    def read(source: Source, ctx: ReadContext) -> pd.DataFrame:
        return _read(source, ctx, name)

    return Reader(name=name, description=description, kinds=frozenset({"json", "jsonl"}),
                  sniff=_sniffer(only, score), read=read, dedup=True)


READERS: list[Reader] = [
    _reader("gemini-responses", "gemini", 80, "Google Gemini / Vertex AI responses (usageMetadata)"),
    _reader("cohere-responses", "cohere", 80, "Cohere Chat responses (usage.billed_units)"),
    _reader("bedrock-converse", "bedrock", 80, "Amazon Bedrock Converse responses (usage.inputTokens)"),
    _reader("bedrock-invocation-log", "bedrock-log", 90, "Amazon Bedrock model invocation logs"),
    _reader("api-responses", None, 70, "provider API responses of several shapes (Gemini, Cohere, Bedrock)"),
]
