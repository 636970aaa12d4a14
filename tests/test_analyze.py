"""Tests for llmcost.analyze on small hand-made priced tables.

``make_priced`` builds a canonical table with ``llmcost.schema.finalize`` and
adds the pricing columns from the per-1M prices in ``PRICES`` (batch rows at
50 %); every expected number below is worked out by hand in a comment.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from llmcost.analyze import OTHER, UNKNOWN, analyze
from llmcost.analyze.fmt import money
from llmcost.errors import InputError
from llmcost.schema import PRICED_COLUMNS, finalize

# $ per 1M tokens: input, cache read, cache write, output
PRICES: dict[str, tuple[float, float, float, float]] = {
    "gpt-4o": (2.5, 1.25, 0.0, 10.0),
    "gpt-4o-mini": (0.15, 0.075, 0.0, 0.6),
    "claude-sonnet-4": (3.0, 0.3, 3.75, 15.0),
    "o3": (2.0, 0.5, 0.0, 8.0),
}
PROVIDERS = {"gpt-4o": "openai", "gpt-4o-mini": "openai", "claude-sonnet-4": "anthropic", "o3": "openai"}


def make_priced(
    records: list[dict[str, Any]],
    *,
    source: str = "log.jsonl",
    source_format: str = "openai-chat-completions",
) -> pd.DataFrame:
    """A priced canonical table from plain records (see module docstring)."""
    df = pd.DataFrame(records)
    if "source_row" not in df.columns:
        df["source_row"] = np.arange(1, len(df) + 1)
    t = finalize(df, source=source, source_format=source_format)
    if "source" in df.columns:
        t["source"] = df["source"].astype("string").to_numpy()
    costs: dict[str, list[Any]] = {c: [] for c in PRICED_COLUMNS}
    for r in t.itertuples(index=False):
        tokens = r.input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.output_tokens
        if r.requests == 0 and tokens == 0 and not math.isnan(r.reported_cost_usd):
            parts, total, priced, pm = (0.0, 0.0, 0.0, 0.0), float(r.reported_cost_usd), True, r.model
        elif r.model in PRICES:
            p = PRICES[r.model]
            f = 0.5 if r.batch else 1.0
            parts = (
                r.input_tokens * p[0] / 1e6 * f,
                r.cache_read_tokens * p[1] / 1e6 * f,
                r.cache_write_tokens * p[2] / 1e6 * f,
                r.output_tokens * p[3] / 1e6 * f,
            )
            total, priced, pm = sum(parts), True, r.model
        else:
            parts, total, priced, pm = (0.0, 0.0, 0.0, 0.0), 0.0, False, ""
        costs["cost_input_usd"].append(parts[0])
        costs["cost_cache_read_usd"].append(parts[1])
        costs["cost_cache_write_usd"].append(parts[2])
        costs["cost_output_usd"].append(parts[3])
        costs["cost_web_search_usd"].append(0.0)
        costs["cost_usd"].append(total)
        costs["priced"].append(priced)
        costs["price_model"].append(pm)
        costs["price_provider"].append(PROVIDERS.get(r.model, "") if priced else "")
        costs["long_context_billed"].append(False)
    for c, v in costs.items():
        t[c] = v
    t["priced"] = t["priced"].astype(bool)
    return t


def req(
    time: str,
    model: str,
    inp: int,
    out: int,
    *,
    cr: int = 0,
    cw: int = 0,
    reasoning: int = 0,
    app: str = "web",
    user: str = "",
    rid: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One per-request record."""
    rec: dict[str, Any] = {
        "time": time,
        "model": model,
        "provider": PROVIDERS.get(model, ""),
        "app": app,
        "user": user,
        "request_id": rid if rid is not None else f"req-{time}-{model}-{inp}-{out}",
        "input_tokens": inp,
        "output_tokens": out,
        "cache_read_tokens": cr,
        "cache_write_tokens": cw,
        "reasoning_tokens": reasoning,
        "requests": 1,
    }
    rec.update(extra)
    return rec


def sample_table() -> pd.DataFrame:
    """The fixed table behind the golden files and several tests (3 days, March 2025)."""
    recs = [
        req("2025-03-03T09:15:00Z", "gpt-4o", 800, 200, app="support", user="alice", rid="r1"),
        req("2025-03-03T10:30:00Z", "gpt-4o", 3000, 500, cr=1000, app="support", user="bob", rid="r2"),
        req("2025-03-03T11:00:00Z", "gpt-4o-mini", 12000, 400, app="search", user="alice", rid="r3"),
        req("2025-03-03T23:45:00Z", "claude-sonnet-4", 2000, 1500, cw=4000, app="batch-jobs", rid="r4"),
        req("2025-03-04T02:10:00Z", "claude-sonnet-4", 2000, 900, cr=4000, app="batch-jobs", rid="r5"),
        req("2025-03-04T09:05:00Z", "o3", 600, 2400, reasoning=2200, app="support", user="carol", rid="r6"),
        req("2025-03-04T14:20:00Z", "gpt-4o", 400, 6000, app="", user="bob", rid="r7"),
        req("2025-03-05T08:00:30Z", "gpt-4o-mini", 1500, 200, app="search", user="dave", rid="r8"),
        req("2025-03-05T16:40:00Z", "mystery-model", 700, 100, app="search", rid="r9"),
        req(
            "2025-03-05T17:00:00Z",
            "gpt-4o",
            1200,
            300,
            app="support",
            user="alice",
            rid="r10",
            reported_cost_usd=0.0065,
        ),
    ]
    return make_priced(recs)


# ----------------------------------------------------------------------------- totals


def test_totals_and_costs_by_kind() -> None:
    a = analyze(sample_table())
    t = a.totals
    # priced rows r1..r8, r10 (r9 "mystery-model" is unpriced)
    assert t.rows == 9
    assert t.requests == 9
    assert t.input_tokens == 800 + 3000 + 12000 + 2000 + 2000 + 600 + 400 + 1500 + 1200 == 23500
    assert t.cache_read_tokens == 1000 + 4000
    assert t.cache_write_tokens == 4000
    assert t.output_tokens == 200 + 500 + 400 + 1500 + 900 + 2400 + 6000 + 200 + 300 == 12400
    assert t.reasoning_tokens == 2200
    # input: gpt-4o (800+3000+400+1200)*2.5 = 13,500; mini (12000+1500)*0.15 = 2,025;
    # sonnet 4000*3 = 12,000; o3 600*2 = 1,200 -> 28,725 / 1e6
    assert t.cost_input_usd == pytest.approx(0.028725)
    # cache read: gpt-4o 1000*1.25 = 1,250; sonnet 4000*0.3 = 1,200 -> 0.00245
    assert t.cost_cache_read_usd == pytest.approx(0.00245)
    assert t.cost_cache_write_usd == pytest.approx(4000 * 3.75 / 1e6)
    # output: gpt-4o (200+500+6000+300)*10 = 70,000; mini 600*0.6 = 360; sonnet 2400*15 = 36,000; o3 2400*8 = 19,200
    assert t.cost_output_usd == pytest.approx(0.12556)
    assert t.cost_usd == pytest.approx(0.028725 + 0.00245 + 0.015 + 0.12556)
    assert t.cost_other_usd == 0.0
    assert t.unpriced_rows == 1 and t.unpriced_requests == 1


def test_shares_and_cache_hit_ratio() -> None:
    a = analyze(sample_table())
    s = a.shares
    # cache read 5,000 of all input 23,500 + 5,000 + 4,000 = 32,500
    assert s.cache_hit_ratio == pytest.approx(5000 / 32500)
    assert s.cache_share_of_input == pytest.approx(9000 / 32500)
    token_cost = 0.028725 + 0.00245 + 0.015 + 0.12556
    assert s.output_cost_share == pytest.approx(0.12556 / token_cost)
    assert s.input_cost_share == pytest.approx((0.028725 + 0.00245 + 0.015) / token_cost)


def test_cache_ratio_not_available_without_cache_fields() -> None:
    t = make_priced(
        [req("2025-03-03T09:15:00Z", "gpt-4o", 800, 200), req("2025-03-04T09:15:00Z", "gpt-4o", 800, 200)],
        source="usage.csv",
        source_format="generic-csv",
    )
    a = analyze(t)
    assert a.shares.cache_hit_ratio is None
    assert a.shares.cache_info_available is False
    # a format known to carry cache fields: 0 % is a real answer
    t2 = make_priced([req("2025-03-03T09:15:00Z", "gpt-4o", 800, 200)], source_format="openai-chat-completions")
    assert analyze(t2).shares.cache_hit_ratio == 0.0


def test_cost_only_rows_count_at_billed_amount() -> None:
    recs = [
        req("2025-03-03T09:15:00Z", "gpt-4o", 1000, 100),  # 0.0025 + 0.001 = 0.0035
        {"time": "2025-03-04T00:00:00Z", "model": "", "requests": 0, "reported_cost_usd": 12.5, "feature": "web search"},
    ]
    a = analyze(make_priced(recs))
    assert a.totals.cost_usd == pytest.approx(12.5035)
    assert a.totals.requests == 1
    assert a.totals.cost_only_rows == 1
    assert a.totals.cost_other_usd == pytest.approx(12.5)
    # not reconciled: we have no tokens for it
    assert a.reconciliation.available is False
    by_model = {r.key: r for r in a.breakdowns["model"].rows}
    assert by_model[UNKNOWN].cost_usd == pytest.approx(12.5)
    assert by_model[UNKNOWN].requests == 0


def test_unpriced_section() -> None:
    recs = [
        req("2025-03-03T09:15:00Z", "gpt-4o", 1000, 100),
        req("2025-03-03T10:00:00Z", "mystery-model", 700, 100, cr=50, source="a.jsonl"),
        req("2025-03-04T10:00:00Z", "mystery-model", 300, 20, source="b.jsonl", reported_cost_usd=0.25),
        req("2025-03-04T11:00:00Z", "", 10, 5, source="b.jsonl"),
    ]
    a = analyze(make_priced(recs))
    assert a.totals.cost_usd == pytest.approx(0.0035)
    assert a.totals.input_tokens == 1000
    u = {x.model: x for x in a.unpriced}
    assert set(u) == {"mystery-model", UNKNOWN}
    m = u["mystery-model"]
    assert (m.rows, m.requests, m.input_tokens, m.cache_read_tokens, m.output_tokens) == (2, 2, 1000, 50, 120)
    assert m.sources == ["a.jsonl", "b.jsonl"]
    assert m.reported_cost_usd == pytest.approx(0.25)
    assert u[UNKNOWN].reported_cost_usd is None
    assert a.unpriced[0].model == "mystery-model"  # most requests first


# ----------------------------------------------------------------------------- breakdowns


def test_model_breakdown_has_provider_and_shares() -> None:
    a = analyze(sample_table())
    rows = a.breakdowns["model"].rows
    assert [r.key for r in rows] == ["gpt-4o", "claude-sonnet-4", "o3", "gpt-4o-mini"]
    assert [r.provider for r in rows] == ["openai", "anthropic", "openai", "openai"]
    gpt = rows[0]
    # r1 .002+.002, r2 .0075+.00125+.005, r7 .001+.06, r10 .003+.003
    assert gpt.cost_usd == pytest.approx(0.08475)
    assert gpt.requests == 4
    assert gpt.tokens == 1000 + 4500 + 6400 + 1500
    assert sum(r.share for r in rows) == pytest.approx(1.0)
    assert gpt.share == pytest.approx(0.08475 / a.totals.cost_usd)


def test_top_n_with_other_row_and_unknown_key() -> None:
    recs = [req("2025-03-03T09:15:00Z", "gpt-4o", 1000 * (i + 1), 0, app=f"app{i}") for i in range(5)]
    recs.append(req("2025-03-03T09:16:00Z", "gpt-4o", 100, 0, app=""))
    a = analyze(make_priced(recs), by=("app",), top=2)
    b = a.breakdowns["app"]
    assert b.truncated and b.total_keys == 6
    assert [r.key for r in b.rows] == ["app4", "app3", OTHER]
    other = b.rows[-1]
    # app0..app2 (1000+2000+3000) + unknown 100 tokens at $2.5/M
    assert other.cost_usd == pytest.approx(6100 * 2.5 / 1e6)
    assert other.requests == 4 and other.keys == 4
    full = analyze(make_priced(recs), by=("app",), top=10).breakdowns["app"]
    assert full.rows[-1].key == UNKNOWN and not full.truncated


def test_time_breakdowns_sorted_by_date() -> None:
    a = analyze(sample_table(), by=("day", "week", "month", "batch"))
    days = a.breakdowns["day"].rows
    assert [r.key for r in days] == ["2025-03-03", "2025-03-04", "2025-03-05"]
    assert [r.requests for r in days] == [4, 3, 2]
    assert [r.key for r in a.breakdowns["week"].rows] == ["2025-W10"]
    assert [r.key for r in a.breakdowns["month"].rows] == ["2025-03"]
    assert [r.key for r in a.breakdowns["batch"].rows] == ["standard"]


def test_unknown_dimension_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown breakdown dimension 'colour'"):
        analyze(sample_table(), by=("model", "colour"))


def test_period_and_trend() -> None:
    a = analyze(sample_table())
    assert a.period.days == 3
    assert a.period.start == pd.Timestamp("2025-03-03T09:15:00Z")
    assert [p.date for p in a.trend] == ["2025-03-03", "2025-03-04", "2025-03-05"]
    assert sum(p.cost_usd for p in a.trend) == pytest.approx(a.totals.cost_usd)


# ----------------------------------------------------------------------------- forecast


def _daily(costs_by_day: dict[str, float]) -> pd.DataFrame:
    """One gpt-4o-mini row per day whose cost is the given amount (output tokens at $0.60/M)."""
    recs = []
    for day, cost in costs_by_day.items():
        out = round(cost / 0.6 * 1e6)
        recs.append(req(f"{day}T23:30:00Z", "gpt-4o-mini", 0, out))  # late: the day is complete
    return make_priced(recs)


def test_forecast_average_of_last_days() -> None:
    t = _daily({"2025-03-01": 0.6, "2025-03-02": 1.2, "2025-03-03": 1.8})
    f = analyze(t).forecast
    # mean 1.2, sample std 0.6, 28 days left (Mar 4..31), month so far 3.6
    assert f.available and not f.weekday_aware
    assert f.month == "2025-03" and f.remaining_days == 28
    assert f.month_to_date_usd == pytest.approx(3.6)
    assert f.projected_usd == pytest.approx(3.6 + 1.2 * 28)
    # range: +/- one std of the 28-day sum, days independent: 0.6 x sqrt(28)
    assert f.low_usd == pytest.approx(3.6 + 1.2 * 28 - 0.6 * 28**0.5)
    assert f.high_usd == pytest.approx(3.6 + 1.2 * 28 + 0.6 * 28**0.5)


def test_forecast_leaves_out_a_last_day_the_log_stops_in() -> None:
    t = _daily({"2025-03-01": 0.6, "2025-03-02": 1.2})
    t2 = make_priced([req("2025-03-03T09:00:00Z", "gpt-4o-mini", 0, 100_000)])  # the export stops at 09:00
    f = analyze(pd.concat([t, t2], ignore_index=True)).forecast
    # full days Mar 1-2: mean 0.9; Mar 3 is projected, not averaged: 29 days to go at 0.9
    assert f.remaining_days == 29 and f.last_full_day == "2025-03-02"
    assert f.projected_usd == pytest.approx(1.8 + 0.9 * 29)


def test_forecast_averages_leave_out_spike_days() -> None:
    days = {f"2025-03-{d:02d}": 1.0 for d in range(1, 7)}
    days["2025-03-04"] = 20.0  # an incident
    f = analyze(_daily(days)).forecast
    assert f.projected_usd == pytest.approx(sum(days.values()) + 1.0 * 25)


def test_forecast_leaves_out_the_day_in_progress() -> None:
    t = _daily({"2025-03-01": 0.6, "2025-03-02": 1.2, "2025-03-03": 1.8})
    f = analyze(t, now=pd.Timestamp("2025-03-03T13:00:00Z")).forecast
    # full days Mar 1-2: mean 0.9; Mar 3..31 = 29 days to go; so far 1.8 + today's 1.8
    assert f.remaining_days == 29
    assert f.month_to_date_usd == pytest.approx(3.6)
    # today already cost 1.8 > its 0.9 expectation: it counts at 1.8, the other 28 days at 0.9
    assert f.projected_usd == pytest.approx(1.8 + 1.8 + 0.9 * 28)


def test_forecast_cannot_project_with_one_day() -> None:
    f = analyze(_daily({"2025-03-01": 0.6})).forecast
    assert not f.available and f.projected_usd is None
    assert "cannot project" in f.reason


def test_forecast_weekday_aware_with_two_weeks() -> None:
    # Feb 2025 starts on a Saturday: weekends cost 0.06, weekdays 0.6
    days = pd.date_range("2025-02-01", "2025-02-14", freq="D")
    t = _daily({d.strftime("%Y-%m-%d"): (0.06 if d.day_of_week >= 5 else 0.6) for d in days})
    f = analyze(t).forecast
    assert f.weekday_aware
    # so far: 4 weekend days + 10 weekdays = 0.24 + 6.0; left: Feb 15..28 = 10 weekdays + 4 weekend days
    assert f.month_to_date_usd == pytest.approx(6.24)
    assert f.remaining_days == 14
    assert f.projected_usd == pytest.approx(6.24 + 10 * 0.6 + 4 * 0.06)
    assert f.low_usd == pytest.approx(f.projected_usd)  # no spread within each class


# ----------------------------------------------------------------------------- anomalies


def _steady(days: int, *, spike: dict[str, Any] | None = None) -> pd.DataFrame:
    """``days`` days from 2025-03-01, 10 gpt-4o-mini requests a day of 1,000 output tokens ($0.006/day)."""
    recs = []
    start = pd.Timestamp("2025-03-01T10:00:00Z")
    for d in range(days):
        for i in range(10):
            t = (start + pd.Timedelta(days=d, minutes=i)).isoformat()
            recs.append(req(t, "gpt-4o-mini", 0, 1000, rid=f"d{d}-{i}"))
    if spike:
        recs.extend(spike["records"])
    return make_priced(recs)


def test_volume_spike_day_is_flagged() -> None:
    spike = [req(f"2025-03-15T11:{i % 60:02d}:00Z", "gpt-4o-mini", 0, 1000, rid=f"s{i}") for i in range(90)]
    a = analyze(_steady(15, spike={"records": spike}))
    days = [x for x in a.anomalies if x.kind == "day"]
    assert len(days) == 1
    d = days[0]
    # 100 requests x $0.0006 on Mar 15 vs a flat $0.006 history
    assert d.date == "2025-03-15"
    assert d.cost_usd == pytest.approx(0.06)
    assert d.expected_usd == pytest.approx(0.006)
    assert d.threshold_usd == pytest.approx(0.006 + 3 * 0.05 * 0.006)
    assert d.cause == "volume spike"
    assert "requests x10.0" in d.detail


def test_token_explosion_and_model_mix() -> None:
    boom = [req(f"2025-03-15T11:{i:02d}:00Z", "gpt-4o-mini", 0, 10000, rid=f"b{i}") for i in range(10)]
    a = analyze(_steady(14, spike={"records": boom}))
    (d,) = [x for x in a.anomalies if x.kind == "day"]
    assert d.cause == "token explosion"
    assert "tokens/request x10.0" in d.detail
    # same volume and tokens, but on gpt-4o ($10/M output instead of $0.60)
    mix = [req(f"2025-03-15T11:{i:02d}:00Z", "gpt-4o", 0, 1000, rid=f"m{i}") for i in range(10)]
    a = analyze(_steady(14, spike={"records": mix}))
    (d,) = [x for x in a.anomalies if x.kind == "day"]
    # every request moved from gpt-4o-mini to gpt-4o: a model switch (mix changes keep the old model's traffic)
    assert d.cause == "model switch"
    assert d.model == "gpt-4o"
    assert d.cost_usd == pytest.approx(0.1)


def test_no_anomaly_on_steady_series() -> None:
    assert [x for x in analyze(_steady(20)).anomalies if x.kind != "request"] == []


def test_no_anomaly_on_sparse_series() -> None:
    # one request every 10 days: the history median is $0, which must not flag every busy day
    recs = [req(f"2025-{m:02d}-{d:02d}T10:00:05Z", "gpt-4o", 1000, 100, rid=f"{m}-{d}") for m in (1, 2, 3) for d in (1, 11, 21)]
    assert [x for x in analyze(make_priced(recs)).anomalies if x.kind != "request"] == []


def test_single_expensive_request() -> None:
    recs = [req(f"2025-03-03T10:{i:02d}:07Z", "gpt-4o-mini", 0, 1000, app="chat", rid=f"c{i}") for i in range(30)]
    recs.append(req("2025-03-03T11:00:07Z", "gpt-4o", 50000, 2000, app="chat", rid="huge"))
    a = analyze(make_priced(recs))
    (x,) = [x for x in a.anomalies if x.kind == "request"]
    assert x.request_id == "huge" and x.app == "chat" and x.model == "gpt-4o"
    assert x.cost_usd == pytest.approx(0.145)  # 50,000 x 2.5 + 2,000 x 10 per 1M
    assert x.source_row == 31


# ----------------------------------------------------------------------------- top calls


def test_top_calls_use_per_request_rows_only() -> None:
    recs = [
        req("2025-03-03T09:15:03Z", "gpt-4o", 1000, 100, rid="a"),
        req("2025-03-03T09:16:03Z", "gpt-4o", 2000, 100, rid="b"),
        # a daily bucket: requests = 1 but long_context set by an aggregated reader
        req("2025-03-03T00:00:00Z", "gpt-4o", 900000, 0, rid="", long_context=False),
        # an hourly bucket without request id
        req("2025-03-03T10:00:00Z", "gpt-4o", 800000, 0, rid=""),
        # a bucket of 50 requests
        {**req("2025-03-03T11:00:00Z", "gpt-4o", 700000, 0, rid=""), "requests": 50},
    ]
    a = analyze(make_priced(recs), top=5)
    assert [c.request_id for c in a.top_calls] == ["b", "a"]
    c = a.top_calls[0]
    assert c.cost_usd == pytest.approx(0.006)
    assert c.source == "log.jsonl" and c.source_row == 2


# ----------------------------------------------------------------------------- reconciliation


def test_reconciliation_total_and_by_model() -> None:
    recs = [
        req("2025-03-03T09:15:00Z", "gpt-4o", 1000, 100, reported_cost_usd=0.004),  # ours 0.0035
        req("2025-03-03T09:16:00Z", "gpt-4o", 1000, 100, reported_cost_usd=0.0035),  # ours 0.0035
        req("2025-03-03T09:17:00Z", "claude-sonnet-4", 1000, 1000, reported_cost_usd=0.018),  # ours 0.018
        req("2025-03-03T09:18:00Z", "gpt-4o", 1000, 100),  # no reported cost: not compared
        {"time": "2025-03-03T00:00:00Z", "model": "gpt-4o", "requests": 0, "reported_cost_usd": 3.0},
    ]
    r = analyze(make_priced(recs)).reconciliation
    assert r.available and r.rows == 3 and r.requests == 3
    assert r.total is not None
    assert r.total.ours_usd == pytest.approx(0.025)
    assert r.total.provider_usd == pytest.approx(0.0255)
    assert r.total.diff_usd == pytest.approx(-0.0005)
    assert r.total.diff_pct == pytest.approx(-0.0005 / 0.0255)
    m = {x.key: x for x in r.by_model}
    assert m["gpt-4o"].diff_usd == pytest.approx(-0.0005)
    assert m["claude-sonnet-4"].diff_usd == pytest.approx(0.0)
    assert r.by_model[0].key == "gpt-4o"  # largest difference first
    assert not r.kind_split_from_provider
    kinds = {k.key: k for k in r.by_kind}
    assert kinds["output"].ours_usd == pytest.approx(0.002 + 0.015)
    assert kinds["output"].provider_usd is None


def test_reconciliation_split_by_token_kind_from_feature() -> None:
    recs = [
        req("2025-03-03T00:00:00Z", "claude-sonnet-4", 1000, 0, feature="uncached_input_tokens", reported_cost_usd=0.0031),
        req("2025-03-03T00:00:00Z", "claude-sonnet-4", 0, 1000, feature="output_tokens", reported_cost_usd=0.015),
        req("2025-03-03T00:00:00Z", "claude-sonnet-4", 0, 0, cr=10000, feature="cache_read_input_tokens", reported_cost_usd=0.003),
    ]
    r = analyze(make_priced(recs)).reconciliation
    assert r.kind_split_from_provider
    kinds = {k.key: k for k in r.by_kind}
    assert kinds["input"].provider_usd == pytest.approx(0.0031)
    assert kinds["input"].diff_usd == pytest.approx(0.003 - 0.0031)
    assert kinds["output"].diff_usd == pytest.approx(0.0)
    assert kinds["cache_read"].ours_usd == pytest.approx(0.003)
    assert kinds["cache_write"].provider_usd == pytest.approx(0.0)


# ----------------------------------------------------------------------------- suggestions


def _by_id(a: Any) -> dict[str, Any]:
    return {s.id: s for s in a.suggestions}


def test_premium_short_requests() -> None:
    recs = [req(f"2025-03-03T10:{i:02d}:05Z", "gpt-4o", 500, 100, rid=f"p{i}") for i in range(10)]
    recs += [req(f"2025-03-04T10:{i:02d}:05Z", "gpt-4o-mini", 500, 100, rid=f"m{i}") for i in range(10)]
    s = _by_id(analyze(make_priced(recs)))["premium-short"]
    # 10 gpt-4o requests x (500 x 2.5 + 100 x 10) / 1e6 = $0.0225; 80 % of it
    assert s.affected_requests == 10
    assert s.affected_cost_usd == pytest.approx(0.0225)
    assert s.estimated_savings_usd == pytest.approx(0.018)
    assert s.monthly_savings_usd == pytest.approx(0.018 * 30.4375 / 2)
    assert "gpt-4o" in s.detail and "gpt-4o-mini" not in s.detail


def test_no_premium_short_without_per_request_rows() -> None:
    # daily buckets of 10 requests: a bucket average cannot show short requests
    recs = [{**req(f"2025-03-0{d}T00:00:00Z", "gpt-4o", 5000, 1000, rid=""), "requests": 10} for d in (3, 4)]
    assert "premium-short" not in _by_id(analyze(make_priced(recs)))


def test_no_caching_suggestion() -> None:
    recs = [req(f"2025-03-03T10:{i:02d}:05Z", "claude-sonnet-4", 4000, 100, rid=f"c{i}") for i in range(5)]
    recs += [req(f"2025-03-03T11:{i:02d}:05Z", "gpt-4o", 2000, 10, rid=f"o{i}") for i in range(4)]
    s = _by_id(analyze(make_priced(recs)))["no-caching"]
    # sonnet input 5 x 4000 x 3/1e6 = 0.06 -> x 0.5 x (1 - 0.1) = 0.027
    # gpt-4o input 4 x 2000 x 2.5/1e6 = 0.02 -> x 0.5 x (1 - 0.5) = 0.005
    assert s.estimated_savings_usd == pytest.approx(0.032)
    assert s.affected_requests == 9


def test_no_caching_uses_the_models_own_read_ratio() -> None:
    recs = [req(f"2025-03-03T10:{i:02d}:05Z", "o3", 4000, 100, rid=f"c{i}") for i in range(5)]
    recs.append(req("2025-03-03T12:00:05Z", "o3", 100, 10, cr=2000, rid="cached"))  # read price 0.5/2 = 0.25x
    s = _by_id(analyze(make_priced(recs)))["no-caching"]
    assert s.estimated_savings_usd == pytest.approx(5 * 4000 * 2 / 1e6 * 0.5 * 0.75)


def test_no_caching_needs_cache_fields() -> None:
    recs = [req(f"2025-03-03T10:{i:02d}:05Z", "claude-sonnet-4", 4000, 100, rid=f"c{i}") for i in range(5)]
    a = analyze(make_priced(recs, source="export.csv", source_format="generic-csv"))
    assert "no-caching" not in _by_id(a)


def test_long_output_suggestion() -> None:
    recs = [req("2025-03-03T10:00:05Z", "gpt-4o-mini", 100, 5000, rid="long")]
    recs.append(req("2025-03-03T10:01:05Z", "gpt-4o-mini", 2000, 3000, rid="fine"))  # 3000 < 4 x 2000
    s = _by_id(analyze(make_priced(recs)))["long-output"]
    # cap max(1000, 400) = 1000: 4000 of 5000 output tokens at $0.60/M
    assert s.estimated_savings_usd == pytest.approx(4000 * 0.6 / 1e6)
    assert s.affected_requests == 1


def test_batch_suggestion_for_off_hours_apps() -> None:
    recs = []
    for d in range(14):  # 2025-03-03 is a Monday: two full weeks
        day = pd.Timestamp("2025-03-03") + pd.Timedelta(days=d)
        recs.append(req(f"{day:%Y-%m-%d}T02:00:05Z", "gpt-4o", 10000, 1000, app="nightly", rid=f"n{d}"))
        recs.append(req(f"{day:%Y-%m-%d}T14:00:05Z", "gpt-4o", 10000, 1000, app="nightly", rid=f"x{d}"))
        recs.append(req(f"{day:%Y-%m-%d}T10:00:05Z", "gpt-4o", 10000, 1000, app="chat", rid=f"c{d}"))
        recs.append(req(f"{day:%Y-%m-%d}T15:00:05Z", "gpt-4o", 10000, 1000, app="chat", rid=f"k{d}"))
    s = _by_id(analyze(make_priced(recs)))["batch"]
    # nightly: 14 night runs + 4 weekend afternoons off-hours = 18 of 28 (64 %), each $0.035
    # chat: 8 of 28 at weekends (29 %) < 40 % -> not counted
    assert s.estimated_savings_usd == pytest.approx(0.5 * 18 * 0.035)
    assert s.affected_requests == 18
    assert "nightly: 64%" in s.detail and "chat" not in s.detail
    # too few requests per app to tell a pattern
    few = [r for r in recs if r["request_id"].startswith("n")][:10] + [r for r in recs if r["request_id"].startswith("c")]
    assert "batch" not in _by_id(analyze(make_priced(few)))


def test_no_batch_suggestion_for_already_batched_or_short_periods() -> None:
    recs = [req(f"2025-03-0{d}T02:00:05Z", "gpt-4o", 10000, 1000, batch=True, rid=f"b{d}") for d in range(3, 10)]
    assert "batch" not in _by_id(analyze(make_priced(recs)))
    short = [req(f"2025-03-0{d}T02:00:05Z", "gpt-4o", 10000, 1000, rid=f"s{d}") for d in (3, 4)]
    assert "batch" not in _by_id(analyze(make_priced(short)))


def test_unread_cache_writes() -> None:
    recs = [req(f"2025-03-03T10:{i:02d}:05Z", "claude-sonnet-4", 100, 10, cw=10000, rid=f"w{i}") for i in range(4)]
    s = _by_id(analyze(make_priced(recs)))["cache-writes-unread"]
    # writes 40,000 x 3.75/1e6 = 0.15; at base 3/1e6 = 0.12 -> 0.03 saved
    assert s.estimated_savings_usd == pytest.approx(0.03)
    # reads that pay off: 10,000 written, 10,000 read -> 0.0375 + 0.003 > 0.06? no: caching saves, no suggestion
    ok = [req("2025-03-03T10:00:05Z", "claude-sonnet-4", 100, 10, cw=10000, rid="w")]
    ok += [req("2025-03-03T10:01:05Z", "claude-sonnet-4", 100, 10, cr=9000, rid="r")]
    assert "cache-writes-unread" not in _by_id(analyze(make_priced(ok)))


def test_reasoning_heavy() -> None:
    recs = [req(f"2025-03-03T10:{i:02d}:05Z", "o3", 1500, 2000, reasoning=1900, rid=f"q{i}") for i in range(3)]
    s = _by_id(analyze(make_priced(recs)))["reasoning-heavy"]
    # reasoning output cost 3 x 1900 x 8/1e6 = 0.0456; half of it
    assert s.estimated_savings_usd == pytest.approx(0.0228)


def test_suggestions_ranked_by_saving() -> None:
    a = analyze(sample_table())
    savings = [s.estimated_savings_usd for s in a.suggestions]
    assert savings == sorted(savings, reverse=True)
    assert all(s > 0 for s in savings)


# ----------------------------------------------------------------------------- misc


def test_files_skipped_and_warnings_are_carried() -> None:
    a = analyze(
        sample_table(),
        files=[("log.jsonl", "openai-chat-completions", 10)],
        skipped_rows=2,
        warnings=["something odd"],
        duplicates_dropped=3,
    )
    assert a.files[0].file == "log.jsonl" and a.files[0].rows == 10
    assert a.skipped_rows == 2 and a.duplicates_dropped == 3
    assert a.warnings == ["something odd"]


def test_overlapping_cost_only_and_usage_rows_warn() -> None:
    recs = [
        req("2025-03-03T09:15:00Z", "gpt-4o", 1000, 100),
        {"time": "2025-03-03T00:00:00Z", "model": "gpt-4o", "requests": 0, "reported_cost_usd": 3.0, "source": "costs.csv"},
    ]
    a = analyze(make_priced(recs))
    assert any("count it twice" in w for w in a.warnings)


def test_rows_dated_in_the_future_are_warned_about() -> None:
    # a 2099 date (a wrong clock, or milliseconds read as something else) used to pass without a word,
    # priced at the latest prices and stretching the trend to that day
    a = analyze(make_priced([req("2025-03-03T09:15:00Z", "gpt-4o", 1000, 100),
                             req("2099-01-01T12:00:00Z", "gpt-4o", 1000, 100)]))
    assert [w for w in a.warnings if "future" in w] == [
        "1 row(s) dated in the future (latest 2099-01-01 12:00 UTC): a wrong clock or time unit in the file? "
        "They are priced at the latest prices and counted in the trend"
    ]
    assert not any("future" in w for w in analyze(make_priced([req("2025-03-03T09:15:00Z", "gpt-4o", 1, 1)])).warnings)


def test_empty_table() -> None:
    a = analyze(make_priced([req("2025-03-03T09:15:00Z", "gpt-4o", 1, 1)]).iloc[:0])
    assert a.totals.cost_usd == 0 and a.trend == [] and not a.forecast.available
    assert a.breakdowns["model"].rows == []


def test_money_format() -> None:
    assert money(1234.5) == "$1,234.50"
    assert money(0.0036) == "$0.0036"
    assert money(0.000012) == "$0.000012"
    assert money(0) == "$0.00"
    assert money(-0.5, signed=True) == "-$0.50"
    assert money(2, signed=True) == "+$2.00"
