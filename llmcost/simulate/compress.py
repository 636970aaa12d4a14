"""Compression lever (``--compress safe|balanced|aggressive``, ``--compress measure`` or ``--compress 0.3``).

``--compress LEVEL`` (``measure`` = ``balanced``) runs the compressor
:func:`llmcost.compress.compress_text` at that level on the log's own prompt
text: each distinct prompt (up to ``sample`` of them) is compressed, and each
request's input tokens (uncached input, cache reads and cache writes alike:
compressing a cached prefix keeps it cacheable but smaller) shrink by *its own
prompt's* measured ratio ``tokens_after / tokens_before``. Requests whose
prompt was not in the sample (more than ``sample`` distinct prompts) take the
sample's token-weighted ratio, and the report says how many. Requests without
prompt text are left as they are: their saving cannot be measured, and no
ratio is invented for them. A log without any prompt text cannot run the
measured lever (it says so; pass an explicit ratio instead).

``--compress R`` (a ratio, ``0.3`` or ``30%``) *assumes* a fraction R of every
request's input tokens is removed, and the report says it is assumed.
Output tokens are unchanged either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..pricing import PriceBook
from .base import LeverError, LeverOutcome

INPUT_KINDS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens")
LEVELS = ("safe", "balanced", "aggressive")
MAX_RATIO = 0.95
SAMPLE = 2000


@dataclass
class CompressLever:
    ratio: float | None = None  # None = measure on the log's prompts
    sample: int = SAMPLE
    name: str = "compress"
    level: str = "balanced"  # the compressor level used to measure

    @classmethod
    def parse(cls, spec: str) -> CompressLever:
        word = spec.strip().lower()
        if word == "measure":
            return cls(ratio=None)
        if word in LEVELS:
            return cls(ratio=None, level=word)
        text = spec.strip()
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise LeverError(
                "compress", f"--compress takes a level ({', '.join(LEVELS)}), 'measure' or a ratio like 0.3, got {spec!r}"
            ) from None
        if not 0.0 < value <= MAX_RATIO:
            raise LeverError("compress", f"ratio must be in (0, {MAX_RATIO}], got {spec!r}")
        return cls(ratio=value)

    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        details: dict[str, object] = {}
        req = table["requests"].to_numpy(dtype="int64")
        has_input = table[list(INPUT_KINDS[:3])].to_numpy(dtype="int64").sum(axis=1) > 0
        if self.ratio is None:
            keep, m = self._measure(table)
            notes = [
                (f"measured by llmcost.compress ({self.level}) on {m['measured_on']:,} distinct prompts "
                 f"({m['tokens_before']:,} → {m['tokens_after']:,} tokens, {m['ratio']:.1%} removed); each request's "
                 "input shrinks by its own prompt's measured ratio")
            ]
            if m["extrapolated_requests"]:
                notes.append(f"{m['extrapolated_requests']:,} request(s) whose prompt was not in the sample take the "
                             f"sample's ratio ({m['ratio']:.1%})")
            if m["requests_without_text"]:
                notes.append(f"{m['requests_without_text']:,} request(s) without prompt text left as they are: "
                             "their saving cannot be measured")
            details.update(m)
            details["level"] = self.level
        else:
            keep = np.full(len(table), 1.0 - self.ratio)
            notes = [f"assumed: {self.ratio:.0%} of every request's input tokens removed"]
            details["ratio"] = self.ratio
        new = table.copy()
        for c in INPUT_KINDS:
            new[c] = np.round(table[c].to_numpy(dtype="int64") * keep).astype("int64")
        new["cache_write_1h_tokens"] = np.minimum(new["cache_write_1h_tokens"], new["cache_write_tokens"])
        changed = (new[list(INPUT_KINDS[:3])].to_numpy(dtype="int64") != table[list(INPUT_KINDS[:3])].to_numpy(dtype="int64")).any(axis=1)
        affected = int(req[has_input & changed].sum())
        risks = ["compression drops words the model may need (numbers, names, code); review compressed prompts",
                 "a changed prompt prefix invalidates provider prompt caches once"]
        return LeverOutcome(self.name, new, affected, notes, risks, details)

    def _measure(self, table: pd.DataFrame) -> tuple[np.ndarray, dict[str, object]]:
        """The fraction of input each row keeps (1.0 for rows without prompt text) and the figures."""
        try:
            from ..compress import compress_text
        except ImportError:
            raise LeverError("compress", "measuring needs the compressor (llmcost.compress), which is not available") from None
        if "prompt" not in table.columns or not table["prompt"].notna().any():
            raise LeverError("compress", "cannot measure compression: the log has no prompt text",
                             hint="log the prompts, or pass an assumed ratio, e.g. --compress 0.3")
        prompt = table["prompt"].astype("string")
        has_text = (prompt.notna() & (prompt.fillna("").str.len() > 0)).to_numpy()
        distinct = prompt[has_text].drop_duplicates()
        if distinct.empty:
            raise LeverError("compress", "cannot measure compression: the log's prompts are empty",
                             hint="pass an assumed ratio, e.g. --compress 0.3")
        if len(distinct) > self.sample:
            distinct = distinct.sample(self.sample, random_state=0)
        kept: dict[str, float] = {}
        before = after = 0
        for text in distinct.astype(str):
            res = compress_text(text, level=self.level)
            b, a = int(res.tokens_before), int(res.tokens_after)
            before += b
            after += a
            kept[text] = min(1.0, a / b) if b > 0 else 1.0
        if before == 0:
            raise LeverError("compress", "cannot measure compression: the log's prompts are empty",
                             hint="pass an assumed ratio, e.g. --compress 0.3")
        average = min(1.0, after / before)
        keep = np.ones(len(table), dtype="float64")
        own = prompt.map(kept, na_action="ignore").to_numpy(dtype="float64", na_value=np.nan)
        measured = has_text & ~np.isnan(own)
        keep[measured] = own[measured]
        extrapolated = has_text & ~measured
        keep[extrapolated] = average
        req = table["requests"].to_numpy(dtype="int64")
        figures: dict[str, object] = {
            "ratio": max(0.0, 1.0 - average),
            "measured_on": len(distinct),
            "tokens_before": before,
            "tokens_after": after,
            "extrapolated_requests": int(req[extrapolated].sum()),
            "requests_without_text": int(req[~has_text].sum()),
        }
        return keep, figures
