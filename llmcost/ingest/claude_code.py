"""Claude Code session transcripts (``~/.claude/projects/<project>/<session>.jsonl``).

One JSONL file per session, plus subagent transcripts under
``<session>/subagents/*.jsonl``. Lines are records of many types (``user``,
``assistant``, ``summary``, ``system``, ``file-history-snapshot`` ...); only
``type: "assistant"`` lines carry usage, in ``message.usage`` with Messages API
semantics (``input_tokens`` excludes cache; ``cache_creation_input_tokens`` with
its ``cache_creation.ephemeral_5m/1h_input_tokens`` split;
``cache_read_input_tokens``; ``output_tokens``; ``service_tier``;
``server_tool_use.web_search_requests`` → ``web_search_requests``, billed per
search). Other fields
used: ``message.model``, ``message.id``, ``requestId``, ``timestamp``,
``sessionId``, ``cwd``, ``isSidechain`` and the optional ``costUSD`` (→
``reported_cost_usd``). Lines without a ``type`` but with an assistant
``message`` holding usage (as in ccusage's fixtures) are read too.

Streaming: Claude Code writes the same assistant message several times (one
line per content block) and ``output_tokens`` grows across those snapshots
(ccusage issues #901/#938). Within a file each ``message.id`` + ``requestId``
is counted once, with the largest snapshot's usage and the first snapshot's
time and line. ``request_id`` is ``"<message.id>:<requestId>"`` (or the
message id alone when ``requestId`` is absent, as in newer logs) and the reader
is marked ``dedup`` so :func:`llmcost.ingest.load` drops the copies that a
resumed session repeats in another file.

Columns: app = basename of the session's first ``cwd`` (else the directory
under ``projects/``), session = ``sessionId``, feature = ``"subagent"`` for
sidechain lines or files under ``subagents/``, else ``"main"``; provider
``anthropic``. Prompt and response text are not carried.

A second reader, ``claude-code-statusline``, reads the JSON that Claude Code
pipes to a status-line command (``session_id``, ``transcript_path``, ``cwd``,
``model.id``, ``cost.total_cost_usd`` ...): one cost-only row per session (the
largest snapshot), with a warning not to combine it with the transcript.

Not usage, skipped without error: records of other types, assistant lines
without ``usage``, and synthetic assistant messages (``model: "<synthetic>"``,
written locally for errors and interruptions; never billed) — the last two are
counted in a warning. Lines that are valid JSON but not objects (a string, a
number, a list) are not Claude Code records either: they are skipped and
counted in a warning rather than failing the file, because real transcripts
contain them. Invalid JSON lines and bad token values are bad records
(``--skip-bad``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from . import ReadContext, Reader, Source
from .anthropic import (
    PROVIDER,
    Tokens,
    message_usage_tokens,
    message_web_searches,
    parse_times,
    service_tier_of,
)

FORMAT = "claude-code"
STATUSLINE_FORMAT = "claude-code-statusline"
SYNTHETIC_MODEL = "<synthetic>"

RECORD_TYPES = frozenset(
    {
        "user",
        "assistant",
        "summary",
        "system",
        "file-history-snapshot",
        "queue-operation",
        "progress",
        "attachment",
        "custom-title",
        "result",
    }
)


def _is_cc_record(r: Mapping[str, Any]) -> bool:
    t = r.get("type")
    msg = r.get("message")
    if isinstance(t, str) and t in RECORD_TYPES:
        return (
            isinstance(msg, Mapping)
            or "sessionId" in r
            or "session_id" in r
            or "uuid" in r
            or "leafUuid" in r
            or t == "file-history-snapshot"
        )
    if isinstance(msg, Mapping) and msg.get("role") in ("assistant", "user"):
        return any(k in r for k in ("sessionId", "requestId", "costUSD", "uuid", "parentUuid"))
    return False


def _sniff(src: Source) -> int:
    dicts = [r for r in src.sample_records() if isinstance(r, Mapping)]
    if not dicts:
        return 0
    hits = sum(1 for r in dicts if _is_cc_record(r))
    if hits and hits * 2 >= len(dicts):
        return 90
    return 0


def _project_dir(name: str) -> str:
    """The directory right under a ``projects`` folder in the file's path."""
    parts = PurePath(name).parts
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "projects":
            return parts[i + 1]
    return ""


def _basename(path: str) -> str:
    p = path.rstrip("/\\")
    return PurePath(p.replace("\\", "/")).name if p else ""


def _cost(v: Any) -> float:
    if v is None:
        return float("nan")
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise ValueError(f"costUSD is not a number: {v!r}")
    try:
        f = float(v)
    except ValueError:
        raise ValueError(f"costUSD is not a number: {v!r}") from None
    if not np.isfinite(f) or f < 0:
        raise ValueError(f"costUSD is not a valid amount: {v!r}")
    return f


def _assistant_message(rec: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The assistant message of a record, or None when the record is not one."""
    msg = rec.get("message")
    t = rec.get("type")
    if t is not None:
        return msg if t == "assistant" and isinstance(msg, dict) else None
    if isinstance(msg, dict) and msg.get("role") == "assistant":
        return msg
    return None


COLUMNS = (
    "time",
    "model",
    "session",
    "feature",
    "request_id",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "web_search_requests",
    "service_tier",
    "reported_cost_usd",
    "source_row",
)
_OUTPUT = COLUMNS.index("output_tokens")
_USAGE_START = COLUMNS.index("input_tokens")
_USAGE_END = COLUMNS.index("reported_cost_usd") + 1
_COST = COLUMNS.index("reported_cost_usd")


def _usage_cells(tokens: Tokens, searches: int, tier: str, cost: float) -> list[Any]:
    return [
        tokens.input,
        tokens.cache_read,
        tokens.cache_write,
        tokens.cache_write_1h,
        tokens.output,
        tokens.reasoning,
        searches,
        tier,
        cost,
    ]


def _read(src: Source, ctx: ReadContext) -> pd.DataFrame:
    subagent_file = "subagents" in PurePath(src.name).parts
    default_session = PurePath(src.name).stem
    rows: list[list[Any]] = []
    seen: dict[str, int] = {}
    first_cwd = ""
    non_objects = synthetic = no_usage = 0
    for line, rec in src.all_records(ctx):
        if not isinstance(rec, dict):
            non_objects += 1
            continue
        if not first_cwd and isinstance(rec.get("cwd"), str):
            first_cwd = rec["cwd"]
        msg = _assistant_message(rec)
        if msg is None:
            continue
        model = msg.get("model")
        if model == SYNTHETIC_MODEL:
            synthetic += 1
            continue
        usage = msg.get("usage")
        if not isinstance(usage, dict):
            no_usage += 1
            continue
        try:
            tokens = message_usage_tokens(usage)
            searches = message_web_searches(usage)
            cost = _cost(rec.get("costUSD"))
        except ValueError as exc:
            ctx.bad(src.name, line, str(exc))
            continue
        tier = service_tier_of(usage.get("service_tier"), usage.get("speed"))
        mid = msg.get("id") or ""
        rid = rec.get("requestId") or ""
        key = f"{mid}:{rid}" if mid and rid else str(mid)
        i = seen.get(key) if key else None
        if i is not None:
            # a later streaming snapshot of the same message: keep the fullest usage
            row = rows[i]
            if tokens.output >= row[_OUTPUT]:
                old_cost = row[_COST]
                row[_USAGE_START:_USAGE_END] = _usage_cells(
                    tokens, searches, tier, cost if not np.isnan(cost) else old_cost
                )
            continue
        if key:
            seen[key] = len(rows)
        feature = "subagent" if subagent_file or rec.get("isSidechain") is True else "main"
        session = rec.get("sessionId") or rec.get("session_id") or default_session
        rows.append(
            [
                rec.get("timestamp"),
                "" if model is None else str(model),
                str(session),
                feature,
                key,
                *_usage_cells(tokens, searches, tier, cost),
                line,
            ]
        )

    _warn_skipped(src, ctx, non_objects=non_objects, synthetic=synthetic, no_usage=no_usage)
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    times, keep = parse_times(list(df["time"]), list(df["source_row"]), src, ctx)
    df["time"] = times.array
    df = df.loc[keep].copy()
    df["app"] = _basename(first_cwd) or _project_dir(src.name)
    df["requests"] = 1
    df["batch"] = df["service_tier"] == "batch"
    return schema.finalize(df, source=src.name, source_format=FORMAT, defaults={"provider": PROVIDER})


def _warn_skipped(src: Source, ctx: ReadContext, *, non_objects: int, synthetic: int, no_usage: int) -> None:
    if non_objects:
        ctx.warn(f"{src.name}: {non_objects} lines are JSON but not objects (not Claude Code records); skipped")
    if synthetic:
        ctx.warn(f"{src.name}: {synthetic} synthetic assistant message{'s' if synthetic != 1 else ''} "
                 f"({SYNTHETIC_MODEL}, not billed) skipped")
    if no_usage:
        ctx.warn(f"{src.name}: {no_usage} assistant lines without usage skipped")


# ------------------------------------------------------------------------------
# Status-line snapshots
# ------------------------------------------------------------------------------

def _is_statusline(r: Any) -> bool:
    return isinstance(r, dict) and "session_id" in r and "transcript_path" in r and isinstance(r.get("cost"), dict)


def _sniff_statusline(src: Source) -> int:
    dicts = [r for r in src.sample_records() if isinstance(r, dict)]
    hits = sum(1 for r in dicts if _is_statusline(r))
    return 80 if hits and hits * 2 >= len(dicts) else 0


def _read_statusline(src: Source, ctx: ReadContext) -> pd.DataFrame:
    """Status-line payloads (the JSON Claude Code pipes to a status-line command).

    Each carries the session's running ``cost.total_cost_usd``, ``model.id``,
    ``session_id`` and ``cwd``, but no token breakdown and no time: one
    cost-only row per session, from its latest (largest) snapshot.
    """
    best: dict[str, dict[str, Any]] = {}
    for line, rec in src.all_records(ctx):
        if not _is_statusline(rec):
            ctx.bad(src.name, line, "not a Claude Code status-line object")
            continue
        try:
            cost = _cost(rec["cost"].get("total_cost_usd"))
        except ValueError as exc:
            ctx.bad(src.name, line, str(exc).replace("costUSD", "cost.total_cost_usd"))
            continue
        if np.isnan(cost):
            ctx.bad(src.name, line, "cost.total_cost_usd is missing")
            continue
        session = str(rec.get("session_id") or "")
        prev = best.get(session)
        if prev is not None and prev["reported_cost_usd"] > cost:
            continue
        model = rec.get("model")
        workspace = rec.get("workspace") if isinstance(rec.get("workspace"), dict) else {}
        cwd = workspace.get("project_dir") or rec.get("cwd") or ""
        best[session] = {
            "model": str(model.get("id") or "") if isinstance(model, dict) else str(model or ""),
            "session": session,
            "request_id": f"statusline:{session}" if session else "",
            "app": _basename(str(cwd)),
            "reported_cost_usd": cost,
            "requests": 0,
            "source_row": line,
        }
    if best:
        ctx.warn(
            f"{src.name}: Claude Code status-line snapshot: session cost only (no tokens, no time); "
            "do not load it together with the session transcript"
        )
    df = pd.DataFrame.from_records(list(best.values()))
    return schema.finalize(df, source=src.name, source_format=STATUSLINE_FORMAT, defaults={"provider": PROVIDER})


READERS: list[Reader] = [
    Reader(
        name=FORMAT,
        description="Claude Code session transcripts (~/.claude/projects/**/*.jsonl, subagents included)",
        kinds=frozenset({"jsonl", "json"}),
        sniff=_sniff,
        read=_read,
        dedup=True,
    ),
    Reader(
        name=STATUSLINE_FORMAT,
        description="Claude Code status-line JSON payloads (session cost snapshots)",
        kinds=frozenset({"json", "jsonl"}),
        sniff=_sniff_statusline,
        read=_read_statusline,
        dedup=True,
    ),
]
