"""Compression lever (``--compress 0.3`` or ``--compress measure``).

``--compress R`` assumes a fraction R of every request's input tokens is
removed (uncached input, cache reads and cache writes alike: compressing a
cached prefix keeps it cacheable but smaller). ``--compress measure`` runs the
compressor :func:`llmcost.compress.compress_text` (level "balanced") on a
sample of the log's own distinct prompts and uses the measured ratio
``1 - tokens_after / tokens_before``. Output tokens are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..pricing import PriceBook
from .base import LeverError, LeverOutcome

INPUT_KINDS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens")
MAX_RATIO = 0.95
SAMPLE = 2000


@dataclass
class CompressLever:
    ratio: float | None = None  # None = measure on the log's prompts
    sample: int = SAMPLE
    name: str = "compress"

    @classmethod
    def parse(cls, spec: str) -> CompressLever:
        if spec.strip().lower() == "measure":
            return cls(ratio=None)
        text = spec.strip()
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise LeverError("compress", f"--compress takes a ratio like 0.3 or 'measure', got {spec!r}") from None
        if not 0.0 < value <= MAX_RATIO:
            raise LeverError("compress", f"ratio must be in (0, {MAX_RATIO}], got {spec!r}")
        return cls(ratio=value)

    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        details: dict[str, object] = {}
        if self.ratio is None:
            ratio, measured_on, before, after = self._measure(table)
            notes = [(f"ratio {ratio:.1%} measured by llmcost.compress (balanced) on {measured_on:,} distinct prompts "
                      f"({before:,} → {after:,} tokens), applied to every request")]
            details.update(measured_on=measured_on, tokens_before=before, tokens_after=after)
        else:
            ratio = self.ratio
            notes = [f"assumed: {ratio:.0%} of every request's input tokens removed"]
        keep = 1.0 - ratio
        new = table.copy()
        for c in INPUT_KINDS:
            new[c] = np.round(table[c].to_numpy(dtype="int64") * keep).astype("int64")
        new["cache_write_1h_tokens"] = np.minimum(new["cache_write_1h_tokens"], new["cache_write_tokens"])
        has_input = (table[list(INPUT_KINDS[:3])].to_numpy(dtype="int64").sum(axis=1) > 0)
        affected = int(table["requests"].to_numpy(dtype="int64")[has_input].sum())
        details["ratio"] = ratio
        risks = ["compression drops words the model may need (numbers, names, code); review compressed prompts",
                 "a changed prompt prefix invalidates provider prompt caches once"]
        return LeverOutcome(self.name, new, affected, notes, risks, details)

    def _measure(self, table: pd.DataFrame) -> tuple[float, int, int, int]:
        try:
            from ..compress import compress_text
        except ImportError:
            raise LeverError("compress", "'measure' needs the compressor (llmcost.compress), which is not available") from None
        if "prompt" not in table.columns or not table["prompt"].notna().any():
            raise LeverError("compress", "'measure' needs prompt text and the log has none",
                             hint="pass a ratio instead, e.g. --compress 0.3")
        prompts = table["prompt"].dropna().astype(str)
        prompts = prompts[prompts.str.len() > 0].drop_duplicates()
        if len(prompts) > self.sample:
            prompts = prompts.sample(self.sample, random_state=0)
        before = after = 0
        for text in prompts:
            res = compress_text(text, level="balanced")
            before += int(res.tokens_before)
            after += int(res.tokens_after)
        if before == 0:
            raise LeverError("compress", "the log's prompts are empty: nothing to measure")
        return max(0.0, 1.0 - after / before), len(prompts), before, after
