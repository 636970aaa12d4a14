"""Batch lever (``--batch app=reports,feature=tagging`` or ``--batch 30%``).

Moves non-interactive traffic to Batch API prices by setting ``batch=True``;
the pricer then applies the provider's batch prices (50% off input and output
for OpenAI, Azure OpenAI, Anthropic, Google Gemini and AWS Bedrock; a
provider without a batch offer keeps its price, so it saves nothing).

Selectors: ``key=glob`` pairs on app / feature / user / model / provider,
separated by commas; a request matching ANY selector moves (join conditions
that must all hold with ``+``: ``app=reports+feature=tagging``).

Share (``30%`` or ``0.3``): which traffic is latency-insensitive cannot be
known from a usage log, so the share is taken uniformly at random (seeded, so
runs repeat) from the requests not already on batch: per-request rows are
chosen whole; aggregated rows (``requests > 1``) are split into a batch part
and an interactive part in that proportion. The report says so.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..pricing import PriceBook
from .base import LeverError, LeverOutcome

SELECTOR_KEYS = ("app", "feature", "user", "model", "provider")
_SHARE_RX = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$")
_TOKENS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens", "reasoning_tokens")


@dataclass
class BatchLever:
    selectors: list[list[tuple[str, str]]] = field(default_factory=list)  # OR of ANDs
    share: float | None = None
    seed: int = 0
    spec: str = ""
    name: str = "batch"

    @classmethod
    def parse(cls, spec: str) -> BatchLever:
        """Parse a --batch value; raises LeverError on a bad one."""
        m = _SHARE_RX.match(spec)
        if m:
            value = float(m.group(1)) / (100.0 if m.group(2) else 1.0)
            if not 0.0 < value <= 1.0:
                raise LeverError("batch", f"share must be between 0% and 100%, got {spec!r}")
            return cls(share=value, spec=spec)
        groups: list[list[tuple[str, str]]] = []
        for part in spec.split(","):
            conds: list[tuple[str, str]] = []
            for cond in part.split("+"):
                key, sep, glob = cond.partition("=")
                key = key.strip().lower()
                if not sep or key not in SELECTOR_KEYS or not glob.strip():
                    raise LeverError("batch", f"bad selector {cond.strip()!r} in {spec!r}",
                                     hint=f"use key=glob with key in {', '.join(SELECTOR_KEYS)}, or a share like 30%")
                conds.append((key, glob.strip()))
            groups.append(conds)
        return cls(selectors=groups, spec=spec)

    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        eligible = ~table["batch"].to_numpy(dtype=bool) & (table["requests"].to_numpy(dtype="int64") > 0)
        if "cache_hit" in table.columns:
            eligible &= ~table["cache_hit"].fillna(False).to_numpy(dtype=bool)
        if self.share is not None:
            new, affected = self._apply_share(table, eligible)
            notes = [(f"{self.share:.0%} of the non-batch requests chosen uniformly at random: a usage log cannot tell "
                      "which traffic is latency-insensitive, so this is an average, not a plan")]
        else:
            mask = eligible & self._selected(table)
            new = table.copy()
            new.loc[mask, "batch"] = True
            new.loc[mask, "service_tier"] = "batch"
            affected = int(table["requests"].to_numpy()[mask].sum())
            notes = [f"requests matching {self.spec!r} move to the Batch API"]
            if not mask.any():
                notes.append(f"--batch {self.spec!r} matched no request")
        notes.append("batch prices: the provider's own, or 50% off for OpenAI, Azure, Anthropic, Google and Bedrock; "
                     "other providers save nothing")
        risks = ["Batch API results arrive within 24 hours, not interactively; only move traffic nobody waits for"]
        return LeverOutcome(self.name, new, affected, notes, risks, {"spec": self.spec, "share": self.share})

    def _selected(self, table: pd.DataFrame) -> np.ndarray:
        out = np.zeros(len(table), dtype=bool)
        for conds in self.selectors:
            m = np.ones(len(table), dtype=bool)
            for key, glob in conds:
                codes, uniques = pd.factorize(table[key].astype("string").fillna(""))
                ok = np.array([fnmatch.fnmatchcase(str(u).lower(), glob.lower()) for u in uniques], dtype=bool)
                m &= ok[codes] if len(uniques) else False
            out |= m
        return out

    def _apply_share(self, table: pd.DataFrame, eligible: np.ndarray) -> tuple[pd.DataFrame, int]:
        share = float(self.share or 0.0)
        req = table["requests"].to_numpy(dtype="int64")
        single = eligible & (req == 1)
        bucket = eligible & (req > 1)
        rng = np.random.default_rng(self.seed)
        idx = np.nonzero(single)[0]
        k = round(share * idx.size)
        chosen = np.zeros(len(table), dtype=bool)
        if k:
            chosen[rng.choice(idx, size=k, replace=False)] = True
        new = table.copy()
        new.loc[chosen, "batch"] = True
        new.loc[chosen, "service_tier"] = "batch"
        affected = k
        if bucket.any():
            part = table.loc[bucket].copy()
            moved_req = np.round(part["requests"].to_numpy() * share).astype("int64")
            moved = part.copy()
            for c in (*_TOKENS, "requests"):
                whole = part[c].to_numpy(dtype="int64")
                take = moved_req if c == "requests" else np.round(whole * share).astype("int64")
                moved[c] = take
                part[c] = whole - take
            moved["batch"] = True
            moved["service_tier"] = "batch"
            moved["reported_cost_usd"] = np.nan
            part["reported_cost_usd"] = np.nan
            new = pd.concat([new.loc[~bucket], part, moved], ignore_index=True)
            affected += int(moved_req.sum())
        return new, affected
