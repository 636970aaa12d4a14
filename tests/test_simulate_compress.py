"""Compression lever: a given ratio, a measured ratio, and its errors."""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.pricing import PriceBook
from llmcost.schema import finalize
from llmcost.simulate import simulate
from llmcost.simulate.base import LeverError
from llmcost.simulate.compress import CompressLever


def _table(rows: list[dict]) -> pd.DataFrame:
    base = {"time": "2025-06-01T00:00:00Z", "provider": "anthropic", "model": "claude-sonnet-4-20250514", "requests": 1}
    return finalize(pd.DataFrame([{**base, **r} for r in rows]), source="t", source_format="test")


def test_ratio_by_hand() -> None:
    t = _table([{"input_tokens": 10_000, "cache_read_tokens": 1000, "output_tokens": 100}, {"output_tokens": 10}])
    w = simulate(t, [CompressLever.parse("0.3")], PriceBook.default())
    assert list(w.scenario["input_tokens"]) == [7000, 0]
    assert list(w.scenario["cache_read_tokens"]) == [700, 0]
    assert w.steps[0].requests_affected == 1
    assert w.savings_usd == pytest.approx((3000 * 3 + 300 * 0.3) / 1e6)


@pytest.mark.parametrize("spec", ["1.5", "0", "lots", "-0.2"])
def test_bad_ratio(spec: str) -> None:
    with pytest.raises(LeverError, match="lever compress cannot run"):
        CompressLever.parse(spec)


def test_measure_needs_text() -> None:
    t = _table([{"input_tokens": 100}])
    w = simulate(t, [CompressLever.parse("measure")], PriceBook.default())
    assert w.steps == [] and "lever compress cannot run" in w.errors[0]


def test_measure_uses_compressor(monkeypatch: pytest.MonkeyPatch) -> None:
    import llmcost.compress as comp

    class Res:
        def __init__(self, text: str) -> None:
            self.text = text[: len(text) // 4]
            self.tokens_before = 100
            self.tokens_after = 75

    monkeypatch.setattr(comp, "compress_text", lambda text, level="balanced": Res(text), raising=False)
    t = _table([{"input_tokens": 1000, "prompt": "a long prompt"}, {"input_tokens": 1000, "prompt": "another prompt"}])
    w = simulate(t, [CompressLever.parse("measure")], PriceBook.default())
    assert w.steps[0].details["ratio"] == pytest.approx(0.25)
    assert list(w.scenario["input_tokens"]) == [750, 750]
