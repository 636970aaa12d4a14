"""OpenAI Codex CLI session rollouts (``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``).

Each line is ``{"timestamp", "type", "payload"}``. Types used here:

* ``session_meta``: ``payload.id`` (session id), ``cwd``, ``model_provider``,
  ``source`` / ``thread_source`` / ``parent_thread_id`` (a subagent rollout);
* ``turn_context``: ``payload.model`` (and ``cwd``) for the following turns;
* ``event_msg`` with ``payload.type == "token_count"``: ``payload.info`` holds
  ``total_token_usage`` (CUMULATIVE for the session) and ``last_token_usage``
  (the latest model call), each ``{input_tokens, cached_input_tokens,
  cache_write_input_tokens?, output_tokens, reasoning_output_tokens,
  total_tokens}``, sometimes ``model``. ``info`` is null before the first call.

Semantics, as in Codex's own ``TokenUsage`` (codex-rs/protocol/src/protocol.rs:
``non_cached_input = input_tokens - cached_input_tokens``, ``blended_total =
non_cached_input + output_tokens``, and the context-window estimate subtracts
reasoning from ``total_tokens = input + output``): ``input_tokens`` INCLUDES the
cached tokens (and cache writes, when reported), and ``output_tokens`` INCLUDES
``reasoning_output_tokens``. So uncached input = input − cached − cache writes,
output = ``output_tokens`` and reasoning is recorded as its part. (ccusage's
notes describe reasoning as separate; Codex's source and the Responses API it
wraps say otherwise.)

Each token_count event with a non-zero change becomes one row (one model
call): the difference between consecutive ``total_token_usage`` values
(``last_token_usage`` when an event has no totals; it then advances the running
total). Repeated events with unchanged totals add nothing. A total that goes
DOWN (a restarted session) is taken as a fresh start: its whole value is the
usage. Model: ``info.model``, else the latest ``turn_context`` model, else
``session_meta``'s. Provider: ``session_meta.model_provider`` (lowercased),
default ``openai``. app = basename of the session ``cwd``; session = the
``session_meta`` id (else the file name); feature = ``"subagent"`` for subagent
rollouts, else ``"main"``. ``request_id`` = session + cumulative totals, so
the same event repeated in another file is counted once (``dedup``).

Rollouts written before the envelope format (a bare ``{id, timestamp,
instructions}`` header, ``{"record_type": "state"}`` markers, bare response
items) carry no token counts: they are recognised and read as zero rows with a
warning, so a whole ``~/.codex/sessions`` folder loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, TypeGuard

import pandas as pd

from .. import schema
from . import ReadContext, Reader, Source
from .anthropic import count, parse_times

FORMAT = "codex"
DEFAULT_PROVIDER = "openai"

LINE_TYPES = frozenset({"session_meta", "turn_context", "event_msg", "response_item", "compacted"})

# usage tuples: (input, cached, cache_write, output, reasoning)
Usage = tuple[int, int, int, int, int]
ZERO: Usage = (0, 0, 0, 0, 0)


def _parse_usage(d: Mapping[str, Any]) -> Usage:
    return (
        count(d, "input_tokens"),
        count(d, "cached_input_tokens"),
        count(d, "cache_write_input_tokens"),
        count(d, "output_tokens"),
        count(d, "reasoning_output_tokens"),
    )


def _minus(a: Usage, b: Usage) -> Usage:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3], a[4] - b[4])


def _plus(a: Usage, b: Usage) -> Usage:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4])


def _has_counts(d: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(d, dict) and ("input_tokens" in d or "output_tokens" in d)


def _sniff(src: Source) -> int:
    dicts = [r for r in src.sample_records() if isinstance(r, Mapping)]
    if not dicts:
        return 0
    hits = sum(1 for r in dicts if r.get("type") in LINE_TYPES and isinstance(r.get("payload"), Mapping))
    if hits and hits * 2 >= len(dicts):
        return 95
    if any(r.get("record_type") == "state" for r in dicts[:5]):
        return 60  # a pre-envelope rollout (Codex CLI before ~0.40): no token counts
    return 0


def _basename(path: str) -> str:
    p = path.replace("\\", "/").rstrip("/")
    return PurePath(p).name if p else ""


def _is_subagent(meta: Mapping[str, Any]) -> bool:
    source = meta.get("source")
    return (
        (isinstance(source, Mapping) and "subagent" in source)
        or meta.get("thread_source") == "subagent"
        or bool(meta.get("parent_thread_id"))
    )


@dataclass
class _State:
    """What the rollout has said so far about the session."""

    session: str
    cwd: str = ""
    provider: str = DEFAULT_PROVIDER
    meta_model: str = ""
    turn_model: str = ""
    subagent: bool = False
    total: Usage | None = None  # last cumulative total seen


def _delta(state: _State, info: Mapping[str, Any]) -> tuple[Usage, str]:
    """The usage of this event and the cumulative key; raises ValueError."""
    total_raw, last_raw = info.get("total_token_usage"), info.get("last_token_usage")
    if _has_counts(total_raw):
        total = _parse_usage(total_raw)
        if state.total is None:
            delta = total
        else:
            delta = _minus(total, state.total)
            if min(delta) < 0:  # session restarted: a fresh cumulative count
                delta = total
        state.total = total
    elif _has_counts(last_raw):
        delta = _parse_usage(last_raw)
        state.total = delta if state.total is None else _plus(state.total, delta)
    else:
        return ZERO, ""
    t = state.total
    return delta, f"{state.session}:{t[0]}:{t[1]}:{t[2]}:{t[3]}:{t[4]}"


def _read(src: Source, ctx: ReadContext) -> pd.DataFrame:
    state = _State(session=PurePath(src.name).name.removesuffix(".gz").removesuffix(".jsonl"))
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "time",
            "provider",
            "model",
            "session",
            "feature",
            "request_id",
            "input_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "output_tokens",
            "reasoning_tokens",
            "source_row",
        )
    }
    legacy = False
    for line, rec in src.all_records(ctx):
        if not isinstance(rec, dict):
            ctx.bad(src.name, line, "not a JSON object")
            continue
        payload = rec.get("payload")
        if not isinstance(payload, dict):
            legacy = legacy or rec.get("record_type") == "state"
            continue
        kind = rec.get("type")
        if kind == "session_meta":
            _on_meta(state, payload)
        elif kind == "turn_context":
            if payload.get("model"):
                state.turn_model = str(payload["model"])
            if payload.get("cwd") and not state.cwd:
                state.cwd = str(payload["cwd"])
        elif kind == "event_msg" and payload.get("type") == "token_count":
            info = payload.get("info")
            if info is None:
                continue
            if not isinstance(info, dict):
                ctx.bad(src.name, line, "token_count info is not an object")
                continue
            try:
                delta, key = _delta(state, info)
            except ValueError as exc:
                ctx.bad(src.name, line, str(exc))
                continue
            inp, cached, cache_write, output, reasoning = delta
            if delta == ZERO:
                continue
            if cached + cache_write > inp:
                ctx.bad(src.name, line, "cached_input_tokens exceed input_tokens")
                continue
            model = str(info.get("model") or payload.get("model") or state.turn_model or state.meta_model)
            cols["time"].append(rec.get("timestamp"))
            cols["provider"].append(state.provider)
            cols["model"].append(model)
            cols["session"].append(state.session)
            cols["feature"].append("subagent" if state.subagent else "main")
            cols["request_id"].append(key)
            cols["input_tokens"].append(inp - cached - cache_write)
            cols["cache_read_tokens"].append(cached)
            cols["cache_write_tokens"].append(cache_write)
            cols["output_tokens"].append(output)
            cols["reasoning_tokens"].append(min(reasoning, output))
            cols["source_row"].append(line)
    if legacy and not cols["time"]:
        ctx.warn(f"{src.name}: Codex rollout in the old format (before token_count events): no usage recorded")
    df = pd.DataFrame(cols)
    times, keep = parse_times(cols["time"], cols["source_row"], src, ctx)
    df["time"] = times.array
    df = df.loc[keep].copy()
    df["app"] = _basename(state.cwd)
    df["requests"] = 1
    return schema.finalize(df, source=src.name, source_format=FORMAT, defaults={"provider": DEFAULT_PROVIDER})


def _on_meta(state: _State, meta: Mapping[str, Any]) -> None:
    if meta.get("id"):
        state.session = str(meta["id"])
    if meta.get("cwd"):
        state.cwd = str(meta["cwd"])
    if meta.get("model_provider"):
        state.provider = str(meta["model_provider"]).strip().lower()
    if meta.get("model"):
        state.meta_model = str(meta["model"])
    state.subagent = _is_subagent(meta)


READERS: list[Reader] = [
    Reader(
        name=FORMAT,
        description="OpenAI Codex CLI session rollouts (~/.codex/sessions/**/rollout-*.jsonl)",
        kinds=frozenset({"jsonl", "json"}),
        sniff=_sniff,
        read=_read,
        dedup=True,
    ),
]
