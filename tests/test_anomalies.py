"""Anomalies on hand-built usage with known answers (prices: see test_analyze.PRICES)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_analyze import make_priced, req

from llmcost.analyze import analyze, anomalies
from llmcost.analyze.frame import prepare
from llmcost.render import render
from llmcost.render.common import anomaly_subject
from llmcost.render.html import render_html, report_data
from llmcost.schema import finalize


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


# ---- hours -----------------------------------------------------------------
# Business hours: from 2025-03-01, 10 days, every hour 09:00-16:00 (8 hours,
# ending at 17:00) has ``per_hour`` gpt-4o-mini requests of ``out`` output
# tokens ($0.6/M: 1,000 tokens = $0.0006). ``extra`` overrides the request
# count of (day index, hour, app) cells, or adds cells outside business hours.

def business(
    days: int = 10,
    per_hour: int = 10,
    *,
    apps: tuple[str, ...] = ("chat",),
    extra: dict[tuple[int, int, str], int] | None = None,
    out: int = 1000,
    peak_9: int | None = None,
) -> list[dict[str, Any]]:
    cells: dict[tuple[int, int, str], int] = {}
    for d in range(days):
        for app in apps:
            for h in range(9, 17):
                cells[(d, h, app)] = peak_9 if (h == 9 and peak_9 is not None) else per_hour
    cells.update(extra or {})
    start = pd.Timestamp("2025-03-01T00:00:00Z")
    recs = []
    for (d, h, app), n in cells.items():
        for i in range(n):
            t = (start + pd.Timedelta(days=d, hours=h, seconds=7 * i + 1)).isoformat()
            recs.append(req(t, "gpt-4o-mini", 0, out, app=app, rid=f"{app}-{d}-{h}-{i}"))
    return recs


def hours_of(recs: list[dict[str, Any]], kinds: tuple[str, ...] = ("hour", "app-hour")) -> list[Any]:
    return [x for x in analyze(make_priced(recs)).anomalies if x.kind in kinds]


def test_eight_x_hour_is_a_volume_spike_at_that_hour() -> None:
    # Mar 9 14:00: 80 requests ($0.048) vs 10 ($0.006) at 14:00 on each of the 8 previous days
    recs = business(extra={(8, 14, "chat"): 80})
    (h,) = hours_of(recs)
    assert h.kind == "hour" and h.date == "2025-03-09 14:00" and h.cause == "volume spike"
    assert h.cost_usd == pytest.approx(0.048) and h.expected_usd == pytest.approx(0.006)
    # the binding rule: excess >= $0.01 (5 % of the $0.048 average day is only $0.0024)
    assert h.threshold_usd == pytest.approx(0.016)
    assert "requests x8.0" in h.detail and "tokens/request x1.0" in h.detail
    # the day (80 + 70 requests vs 80) is flagged too; the hour holds all its excess, so both stay
    (d,) = days_of("day", recs)
    assert d.date == "2025-03-09" and d.excess_usd == pytest.approx(0.042) and h.excess_usd == pytest.approx(0.042)


def test_daily_business_hours_peak_is_not_an_hour_anomaly() -> None:
    # every day 09:00 has 40 requests, 4x any other hour: its own baseline, so nothing stands out
    a = analyze(make_priced(business(peak_9=40)))
    assert [x for x in a.anomalies if x.kind != "request"] == []
    # the same 40 requests at 14:00 on one day are an anomaly ($0.024 vs $0.006)
    (h,) = hours_of(business(peak_9=40, extra={(8, 14, "chat"): 40}))
    assert h.date == "2025-03-09 14:00" and h.cost_usd == pytest.approx(0.024)


def test_daily_buckets_have_no_hour_anomalies() -> None:
    # one bucket per day at midnight: 100 requests x 1,000 tokens ($0.06), 500 on Mar 10 ($0.30)
    recs = [
        req(f"2025-03-{d:02d}T00:00:00Z", "gpt-4o-mini", 0, 1000 * n, requests=n, rid=f"b{d}")
        for d, n in ((d, 500 if d == 10 else 100) for d in range(1, 11))
    ]
    a = analyze(make_priced(recs))
    assert [x.kind for x in a.anomalies] == ["day", "model-day"]
    assert a.anomalies[0].date == "2025-03-10" and a.anomalies[0].cost_usd == pytest.approx(0.3)
    # the same buckets at a fixed non-midnight time of day (a time-zone offset) are daily too
    shifted = [dict(r, time=r["time"].replace("T00:", "T05:")) for r in recs]
    assert hours_of(shifted) == []
    # next to a per-request log, the buckets are left out of the hourly series (the log's hours stay)
    mixed = [dict(r, source="costs.csv") for r in recs] + business(extra={(8, 14, "chat"): 80})
    assert [(x.kind, x.date) for x in hours_of(mixed)] == [("hour", "2025-03-09 14:00")]
    assert hours_of(mixed)[0].cost_usd == pytest.approx(0.048)


def test_hours_repeating_a_flagged_day_are_left_out() -> None:
    # Mar 9: every hour doubles (20 requests of 10,000 tokens, $0.12 vs $0.06 per hour)
    recs = business(out=10_000, extra={(8, h, "chat"): 20 for h in range(9, 17)})
    (d,) = days_of("day", recs)
    assert d.cause == "volume spike" and d.excess_usd == pytest.approx(0.48)
    # each hour adds $0.06: above its own rule ($0.06 + max($0.01, 5 % of $0.48)), below half the day's excess
    raw = anomalies.hour_anomalies(prepare(make_priced(recs)), [])
    assert sorted(x.date for x in raw) == [f"2025-03-09 {h:02d}:00" for h in range(9, 17)]
    assert all(x.cause == "volume spike" and x.excess_usd == pytest.approx(0.06) for x in raw)
    assert hours_of(recs) == []


def test_app_hour_names_the_app() -> None:
    recs = business(apps=("chat", "search"), extra={(8, 14, "search"): 80})
    found = {x.kind: x for x in hours_of(recs)}
    a = found["app-hour"]
    assert a.app == "search" and a.date == "2025-03-09 14:00" and a.cause == "volume spike"
    assert a.cost_usd == pytest.approx(0.048) and a.expected_usd == pytest.approx(0.006)
    t = found["hour"]  # the total at 14:00: 90 requests vs 20
    assert t.app == "" and t.cost_usd == pytest.approx(0.054) and t.expected_usd == pytest.approx(0.012)
    assert anomaly_subject(a) == "app search, hour" and anomaly_subject(t) == "hour (total)"


def test_night_job_is_flagged_but_small_off_hours_use_is_not() -> None:
    # Mar 9: 200 requests at 03:00 ($0.12; 03:00 never had spend) and 5 at 20:00 ($0.003)
    recs = business(extra={(8, 3, "chat"): 200, (8, 20, "chat"): 5})
    (h,) = hours_of(recs)
    assert h.date == "2025-03-09 03:00" and h.cause == "volume spike" and h.expected_usd == 0.0
    assert h.detail.startswith("usually idle at this hour (spend on 0 of the previous 8 days)")
    # an idle hour must beat the window's costliest hour ($0.006) and add $0.01: bound $0.01
    assert h.threshold_usd == pytest.approx(0.01)


def test_hour_token_explosion_and_model_switch() -> None:
    (h,) = hours_of(business(extra={(8, 14, "chat"): 0}) + [
        req(f"2025-03-09T14:{i:02d}:01Z", "gpt-4o-mini", 0, 8000, app="chat", rid=f"big{i}") for i in range(10)
    ])
    assert h.date == "2025-03-09 14:00" and h.cause == "token explosion"
    assert h.cost_usd == pytest.approx(0.048) and "tokens/request x8.0" in h.detail
    # the 10 requests of 14:00 move to gpt-4o ($10/M): $0.1 vs $0.006
    recs = business(extra={(8, 14, "chat"): 0}) + [
        req(f"2025-03-09T14:{i:02d}:01Z", "gpt-4o", 0, 1000, app="chat", rid=f"dear{i}") for i in range(10)
    ]
    (h,) = hours_of(recs)
    assert h.cause == "model switch" and h.model == "gpt-4o" and h.cost_usd == pytest.approx(0.1)
    assert "traffic moved from gpt-4o-mini to gpt-4o" in h.detail
    # the day only added a dearer model next to mini's other 70 requests: a mix change, kept apart
    (d,) = days_of("day", recs)
    assert d.cause == "model mix change"


def test_hour_anomalies_render() -> None:
    recs = business(extra={(8, 14, "chat"): 80})
    priced = make_priced(recs)
    a = analyze(priced)
    md = render(a, "markdown")
    assert "| 2025-03-09 14:00 | hour (total) |" in md
    page = render_html(report_data(priced, a, now=pd.Timestamp("2025-03-11T00:00:00Z")))
    section = page[page.index('id="anomalies"'):]
    section = section[: section.index("</section>")]
    assert "<td>hour</td>" in section and "2025-03-09 14:00" in section


def test_uniform_random_traffic_has_no_hour_anomalies() -> None:
    n = 200_000
    rng = np.random.default_rng(7)
    t = pd.Timestamp("2025-01-01T00:00:00Z") + pd.to_timedelta(rng.integers(0, 60 * 86_400, n), unit="s")
    table = pd.DataFrame({
        "time": t,
        "model": np.array(["gpt-4o", "gpt-4o-mini"])[rng.integers(0, 2, n)],
        "app": np.array([f"app{i}" for i in range(20)])[rng.integers(0, 20, n)],
        "output_tokens": rng.integers(0, 2000, n),
        "requests": 1,
        "source_row": np.arange(1, n + 1),
    })
    priced = finalize(table, source="big.jsonl", source_format="test")
    priced["cost_usd"] = priced["output_tokens"] * 1e-6
    for c in ("cost_input_usd", "cost_cache_read_usd", "cost_cache_write_usd"):
        priced[c] = 0.0
    priced["cost_output_usd"] = priced["cost_usd"]
    priced["priced"], priced["price_model"], priced["price_provider"] = True, priced["model"], "openai"
    priced["long_context_billed"] = False
    p = prepare(priced)
    found = anomalies.hour_anomalies(p, [])
    assert found == []  # uniform random traffic has no anomalous hour (speed: benchmarks/bench_analyze.py)
