"""History-trimming lever (``--max-history N``): cap conversation context at N tokens.

Uses session ids: within a session, each request's total input (uncached +
cache read + cache write) above N tokens is cut to N, but never below the
input of the session's first request, taken as the fixed part (system
prompt, tools, first message) that trimming old turns cannot remove. All
input kinds shrink in the same proportion. Requests without a session id, and
aggregated rows (``requests > 1``), are left alone. A log with no session ids
at all cannot run this lever.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..pricing import PriceBook
from .base import LeverError, LeverOutcome

INPUT_KINDS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens")


@dataclass
class HistoryLever:
    max_history: int
    name: str = "history"

    def __post_init__(self) -> None:
        if self.max_history < 1:
            raise LeverError("history", f"--max-history must be at least 1 token, got {self.max_history}")

    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        session = table["session"].astype("string").fillna("")
        has_session = (session != "").to_numpy()
        if not has_session.any():
            raise LeverError("history", "the log has no session ids, so conversation history cannot be told apart",
                             hint="map a conversation id column to 'session' with --map")
        per_request = table["requests"].to_numpy(dtype="int64") == 1
        eligible = has_session & per_request
        total = (table["input_tokens"].to_numpy(dtype="int64") + table["cache_read_tokens"].to_numpy(dtype="int64")
                 + table["cache_write_tokens"].to_numpy(dtype="int64"))
        first_input = _first_input_per_session(table, session, total, eligible)
        limit = np.maximum(self.max_history, first_input)
        cut = eligible & (total > limit)
        factor = np.where(cut, limit / np.maximum(total, 1), 1.0)
        new = table.copy()
        if cut.any():
            for c in INPUT_KINDS:
                v = table[c].to_numpy(dtype="int64")
                new[c] = np.where(cut, np.floor(v * factor), v).astype("int64")
            new["cache_write_1h_tokens"] = np.minimum(new["cache_write_1h_tokens"], new["cache_write_tokens"])
        n_cut = int(cut.sum())
        removed = int(total[cut].sum() - np.minimum(total, limit)[cut].sum())
        notes = [(f"context capped at {self.max_history:,} input tokens per request within a session, never below the "
                  "session's first request (system prompt + first message)"),
                 "all input kinds shrink in proportion"]
        skipped = int((~has_session).sum())
        if skipped:
            notes.append(f"{skipped:,} row(s) without a session id left alone")
        risks = []
        if n_cut:
            risks.append(f"{n_cut:,} request(s) lose earlier conversation turns: answers that depend on them may change")
        details = {"max_history": self.max_history, "requests_trimmed": n_cut, "input_tokens_removed": removed,
                   "sessions": int(session[has_session].nunique())}
        return LeverOutcome(self.name, new, n_cut, notes, risks, details)


def _first_input_per_session(table: pd.DataFrame, session: pd.Series, total: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Input tokens of each row's session's earliest request (by time, then file order)."""
    frame = pd.DataFrame({"session": session.to_numpy(), "time": table["time"].to_numpy(),
                          "order": np.arange(len(table)), "total": total})[eligible]
    out = np.zeros(len(table), dtype="float64")
    if frame.empty:
        return out
    first = frame.sort_values(["time", "order"], kind="stable").groupby("session", sort=False)["total"].first()
    out[eligible] = frame["session"].map(first).to_numpy(dtype="float64")
    return out
