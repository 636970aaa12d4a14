"""Output cap: clipped tokens, reasoning in proportion, responses cut, savings by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.pricing import PriceBook
from llmcost.schema import finalize
from llmcost.simulate import simulate
from llmcost.simulate.base import LeverError
from llmcost.simulate.output_cap import OutputCapLever


def _table(rows: list[dict]) -> pd.DataFrame:
    base = {"time": "2025-06-01T00:00:00Z", "provider": "openai", "model": "gpt-4o-2024-08-06", "requests": 1}
    return finalize(pd.DataFrame([{**base, **r} for r in rows]), source="t", source_format="test")


def test_cap_by_hand() -> None:
    book = PriceBook.default()  # gpt-4o: $10 per 1M output
    t = _table([
        {"output_tokens": 3000, "reasoning_tokens": 1500},
        {"output_tokens": 800},
        {"output_tokens": 50_000, "requests": 10},  # 5,000 per request on average
    ])
    w = simulate(t, [OutputCapLever(1000)], book)
    out = w.steps[0]
    assert list(w.scenario["output_tokens"]) == [1000, 800, 10_000]
    assert list(w.scenario["reasoning_tokens"]) == [500, 0, 0]
    assert out.requests_affected == 11
    assert out.details["output_tokens_removed"] == 2000 + 40_000
    assert out.savings_usd == pytest.approx(42_000 * 10 / 1e6)
    assert out.details["responses_cut_share"] == pytest.approx(11 / 12)


def test_invalid_cap() -> None:
    with pytest.raises(LeverError, match="lever output-cap cannot run"):
        OutputCapLever(0)
