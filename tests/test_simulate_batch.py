"""Batch lever: selectors, uniform share, bucket split, 50% batch discount by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.pricing import PriceBook
from llmcost.schema import finalize
from llmcost.simulate import simulate
from llmcost.simulate.base import LeverError
from llmcost.simulate.batch import BatchLever

SONNET = "claude-sonnet-4-20250514"  # $3 in / $15 out; Batch = 50% off


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.default()


def _table(rows: list[dict]) -> pd.DataFrame:
    base = {"time": "2025-06-01T00:00:00Z", "provider": "anthropic", "model": SONNET, "requests": 1}
    return finalize(pd.DataFrame([{**base, **r} for r in rows]), source="t", source_format="test")


def test_selectors_any_match_halves_cost(book: PriceBook) -> None:
    t = _table([
        {"app": "reports", "input_tokens": 10_000, "output_tokens": 2000},  # 0.06
        {"app": "chat", "feature": "tagging", "input_tokens": 1000, "output_tokens": 0},  # 0.003
        {"app": "chat", "feature": "live", "input_tokens": 1000, "output_tokens": 0},  # 0.003 stays
    ])
    w = simulate(t, [BatchLever.parse("app=reports,feature=tag*")], book)
    assert w.steps[0].requests_affected == 2
    assert w.savings_usd == pytest.approx(0.0315)
    assert list(w.scenario["batch"]) == [True, True, False]


def test_and_selector(book: PriceBook) -> None:
    t = _table([{"app": "a", "feature": "x", "input_tokens": 1000}, {"app": "a", "feature": "y", "input_tokens": 1000}])
    w = simulate(t, [BatchLever.parse("app=a+feature=x")], book)
    assert w.steps[0].requests_affected == 1 and w.savings_usd == pytest.approx(0.0015)


def test_share_per_request_and_bucket_rows(book: PriceBook) -> None:
    rows = [{"input_tokens": 1_000_000} for _ in range(10)]  # $3 each
    rows.append({"input_tokens": 10_000_000, "requests": 100})  # a bucket: $30, split 30/70
    w = simulate(_table(rows), [BatchLever.parse("30%")], book)
    # 3 whole requests × $1.50 + 30% of the bucket: 3,000,000 tokens × $1.50/M = $4.50
    assert w.savings_usd == pytest.approx(4.5 + 4.5)
    assert w.steps[0].requests_affected == 3 + 30
    assert int(w.scenario["requests"].sum()) == 110
    assert int(w.scenario["input_tokens"].sum()) == 20_000_000


def test_already_batch_not_counted(book: PriceBook) -> None:
    t = _table([{"app": "r", "input_tokens": 1000, "batch": True}])
    w = simulate(t, [BatchLever.parse("app=r")], book)
    assert w.steps[0].requests_affected == 0 and w.savings_usd == 0


@pytest.mark.parametrize("spec", ["150%", "0", "colour=red", "app", "app="])
def test_bad_spec(spec: str) -> None:
    with pytest.raises(LeverError, match="lever batch cannot run"):
        BatchLever.parse(spec)
