"""Output cap lever (``--max-output N``): clip every response to N output tokens.

A response longer than N output tokens is cut to N; its reasoning tokens
(part of the output) shrink in the same proportion. Aggregated rows
(``requests > 1``) are clipped on their average output per request, which
understates the cut when lengths vary. The report counts the responses that
would have been cut: each of them is a truncated answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..pricing import PriceBook
from .base import LeverError, LeverOutcome


@dataclass
class OutputCapLever:
    max_output: int
    name: str = "output-cap"

    def __post_init__(self) -> None:
        if self.max_output < 1:
            raise LeverError("output-cap", f"--max-output must be at least 1 token, got {self.max_output}")

    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        req = np.maximum(table["requests"].to_numpy(dtype="int64"), 1)
        out = table["output_tokens"].to_numpy(dtype="int64")
        reasoning = table["reasoning_tokens"].to_numpy(dtype="int64")
        cap = self.max_output * req
        cut = out > cap
        new_out = np.where(cut, cap, out)
        with np.errstate(divide="ignore", invalid="ignore"):
            new_reason = np.where(cut, np.round(reasoning * (new_out / np.maximum(out, 1))), reasoning).astype("int64")
        new = table.copy()
        new["output_tokens"] = new_out
        new["reasoning_tokens"] = np.minimum(new_reason, new_out)
        n_cut = int(table["requests"].to_numpy(dtype="int64")[cut].sum())
        total = int(table["requests"].to_numpy(dtype="int64").sum())
        removed = int((out - new_out).sum())
        risks = []
        if n_cut:
            risks.append(f"{n_cut:,} response(s) ({n_cut / total:.1%} of requests) would be truncated at {self.max_output:,} tokens")
            if (reasoning[cut] > 0).any():
                risks.append("reasoning models spend the cap on hidden reasoning first: a low cap can leave an empty answer")
        notes = [f"output clipped to {self.max_output:,} tokens per response; reasoning shrinks in proportion",
                 "aggregated rows are clipped on their average output per request"]
        details = {"max_output": self.max_output, "responses_cut": n_cut, "responses_cut_share": n_cut / total if total else 0.0,
                   "output_tokens_removed": removed}
        return LeverOutcome(self.name, new, n_cut, notes, risks, details)
