"""The whatif engine: fixed lever order, waterfall, monthly projection, lever errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from llmcost.pricing import PriceBook
from llmcost.render.whatif import render_whatif
from llmcost.schema import finalize
from llmcost.simulate import simulate, span_days
from llmcost.simulate.base import LeverError, LeverOutcome
from llmcost.simulate.batch import BatchLever
from llmcost.simulate.output_cap import OutputCapLever
from llmcost.simulate.route import RouteLever

SONNET = "claude-sonnet-4-20250514"
HAIKU = "claude-3-5-haiku-20241022"


def _table(rows: list[dict]) -> pd.DataFrame:
    base = {"provider": "anthropic", "model": SONNET, "requests": 1}
    return finalize(pd.DataFrame([{**base, **r} for r in rows]), source="t", source_format="test")


TRAFFIC = [
    {"time": "2025-06-01T00:00:00Z", "app": "chat", "input_tokens": 1000, "output_tokens": 200, "prompt": "hi, translate hello"},
    {"time": "2025-06-01T12:00:00Z", "app": "chat", "input_tokens": 2000, "output_tokens": 1000, "prompt": "Write Python code step by step"},
    {"time": "2025-06-02T00:00:00Z", "app": "reports", "input_tokens": 10_000, "output_tokens": 2000, "prompt": "Draft the report"},
    {"time": "2025-06-03T00:00:00Z", "app": "reports", "input_tokens": 10_000, "output_tokens": 2000, "prompt": "Draft the report"},
]


class Broken:
    name = "cache"

    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        raise LeverError("cache", "the log has no prompt text")


def test_stacked_waterfall_by_hand() -> None:
    book = PriceBook.default()
    route = RouteLever.from_text(f"- match: {{app: chat, tier: simple}}\n  to: {HAIKU}\n", book)
    # given out of order: the engine applies route → cache → output-cap → batch
    w = simulate(_table(TRAFFIC), [BatchLever.parse("app=reports"), OutputCapLever(500), Broken(), route], book)
    assert [s.name for s in w.steps] == ["route", "output-cap", "batch"]
    assert w.errors == ["lever cache cannot run: the log has no prompt text"]
    assert w.baseline_cost_usd == pytest.approx(0.147)
    route_s, cap_s, batch_s = w.steps
    assert route_s.savings_usd == pytest.approx(0.0044)  # 0.006 → 0.0016
    assert cap_s.savings_usd == pytest.approx(0.0525)  # 500 + 1500 + 1500 output tokens × $15/M
    assert cap_s.requests_affected == 3
    assert batch_s.savings_usd == pytest.approx(0.0375)  # half of 2 × (0.03 + 0.0075)
    assert w.scenario_cost_usd == pytest.approx(0.147 - 0.0044 - 0.0525 - 0.0375)
    assert w.days == 3.0  # calendar days 06-01 .. 06-03, as analyze and selfhost count them
    assert w.baseline_monthly_cost_usd == pytest.approx(0.147 / 3 * 30.4375)
    doc = json.loads(render_whatif(w, "json"))
    assert doc["savings_pct"] == pytest.approx(100 * 0.0944 / 0.147)
    assert [(lv["name"], lv["requests_affected"]) for lv in doc["levers"]] == [("route", 1), ("output-cap", 3), ("batch", 2)]
    assert {r["model"]: round(r["scenario_cost_usd"], 6) for r in doc["by_model"]} == {SONNET: 0.051, HAIKU: 0.0016}  # 0.0135 + 2 × 0.01875
    md = render_whatif(w, "markdown")
    assert "| **final** | **$0.0526** | **$0.0944** | **64.2%** |" in md
    assert "lever cache cannot run" in render_whatif(w, "table")


def test_span_days_for_buckets_adds_one_bucket() -> None:
    t = _table([{"time": f"2025-06-0{d}T00:00:00Z", "requests": 50, "input_tokens": 1} for d in (1, 2, 3)])
    assert span_days(t) == 3.0
    one = _table([{"time": "2025-06-01T05:00:00Z", "input_tokens": 1}])
    assert span_days(one) == 1.0
