"""Anomalies on hand-built usage with known answers (prices: see test_analyze.PRICES)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from test_analyze import make_priced, req

from llmcost.analyze import analyze


def steady(days: int = 14, apps: tuple[str, ...] = ("chat",), per_day: int = 10) -> list[dict[str, Any]]:
    """From 2025-03-01: per app ``per_day`` gpt-4o-mini requests of 1,000 output tokens ($0.0006 each)."""
    recs = []
    start = pd.Timestamp("2025-03-01T10:00:00Z")
    for d in range(days):
        for app in apps:
            for i in range(per_day):
                t = (start + pd.Timedelta(days=d, minutes=i)).isoformat()
                recs.append(req(t, "gpt-4o-mini", 0, 1000, app=app, rid=f"{app}-{d}-{i}"))
    return recs


def day15(n: int, model: str = "gpt-4o-mini", out: int = 1000, app: str = "chat", tag: str = "x") -> list[dict[str, Any]]:
    return [req(f"2025-03-15T11:{i % 60:02d}:{i // 60:02d}Z", model, 0, out, app=app, rid=f"{tag}{i}") for i in range(n)]


def days_of(kind: str, recs: list[dict[str, Any]]) -> list[Any]:
    return [x for x in analyze(make_priced(recs)).anomalies if x.kind == kind]


def test_five_x_volume_spike() -> None:
    (d,) = days_of("day", steady() + day15(50))
    # 50 x $0.0006 vs a flat $0.006 history
    assert d.date == "2025-03-15" and d.cause == "volume spike"
    assert d.cost_usd == pytest.approx(0.03) and d.expected_usd == pytest.approx(0.006)
    assert d.threshold_usd == pytest.approx(0.006 * 1.15)
    assert "requests x5.0" in d.detail and "tokens/request x1.0" in d.detail


def test_six_x_tokens_per_request() -> None:
    (d,) = days_of("day", steady() + day15(10, out=6000))
    assert d.cause == "token explosion"
    assert d.cost_usd == pytest.approx(0.036)
    assert "requests x1.0" in d.detail and "tokens/request x6.0" in d.detail


def test_model_switch() -> None:
    # the same 10 requests of 1,000 tokens move from gpt-4o-mini to gpt-4o ($10/M output)
    (d,) = days_of("day", steady() + day15(10, model="gpt-4o"))
    assert d.cause == "model switch" and d.model == "gpt-4o"
    assert d.cost_usd == pytest.approx(0.1)
    assert "traffic moved from gpt-4o-mini to gpt-4o" in d.detail
    assert "cost/token x16.7" in d.detail


def test_added_traffic_on_a_dearer_model_is_a_mix_change() -> None:
    recs = steady(15) + day15(10, model="gpt-4o")  # mini keeps its 10 requests on Mar 15
    (d,) = days_of("day", recs)
    assert d.cause == "model mix change" and d.model == "gpt-4o"
    assert d.cost_usd == pytest.approx(0.106)


def test_per_app_spike_names_the_app() -> None:
    # both apps keep their usual day on Mar 15; search gets 40 more requests (5x its usual 10)
    recs = steady(15, apps=("chat", "search")) + day15(40, app="search")
    (a,) = days_of("app-day", recs)
    assert a.app == "search" and a.cause == "volume spike"
    assert a.cost_usd == pytest.approx(0.03) and a.expected_usd == pytest.approx(0.006)
    (d,) = days_of("day", recs)
    assert d.cost_usd == pytest.approx(0.036) and d.expected_usd == pytest.approx(0.012)


def test_app_switch_inside_one_app() -> None:
    recs = steady(14, apps=("chat", "search")) + day15(10, app="chat") + day15(10, model="gpt-4o", app="search", tag="s")
    (a,) = days_of("app-day", recs)
    assert a.app == "search" and a.cause == "model switch" and a.model == "gpt-4o"


def test_steady_series_has_no_day_anomaly() -> None:
    a = analyze(make_priced(steady(20, apps=("chat", "search"))))
    assert [x for x in a.anomalies if x.kind != "request"] == []


def test_single_request_causes() -> None:
    # 100 usual requests ($0.0006): the app's p95 stays $0.0006 with two outliers in the sample
    recs = [req(f"2025-03-03T10:{i % 60:02d}:{i // 60:02d}Z", "gpt-4o-mini", 0, 1000, app="chat", rid=f"c{i}") for i in range(100)]
    recs.append(req("2025-03-03T11:00:07Z", "gpt-4o-mini", 0, 20000, app="chat", rid="long"))  # 20x tokens
    recs.append(req("2025-03-03T11:01:07Z", "gpt-4o", 0, 1000, app="chat", rid="dear"))  # 16.7x cost/token
    a = analyze(make_priced(recs))
    found = {x.request_id: x for x in a.anomalies if x.kind == "request"}
    assert set(found) == {"long", "dear"}
    assert found["long"].cause == "token explosion" and found["long"].cost_usd == pytest.approx(0.012)
    assert found["dear"].cause == "model switch" and "instead of the app's usual gpt-4o-mini" in found["dear"].detail
    assert found["dear"].cost_usd == pytest.approx(0.01)
