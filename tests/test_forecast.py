"""Forecast on hand-built daily series with known answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from llmcost.analyze.forecast import ForecastResult, fit, forecast
from llmcost.analyze.model import DailyPoint


def series(costs: dict[str, float]) -> list[DailyPoint]:
    return [DailyPoint(date=d, requests=1, tokens=1, cost_usd=c) for d, c in costs.items()]


def weekly(start: str, end: str, weekday: float = 10.0, weekend: float = 2.0) -> list[DailyPoint]:
    days = pd.date_range(start, end, freq="D")
    return series({d.strftime("%Y-%m-%d"): (weekend if d.day_of_week >= 5 else weekday) for d in days})


def test_flat_weekday_weekend_two_weeks_exact() -> None:
    # Mon 2025-03-03 .. Sun 2025-03-16: 10 weekdays x $10 + 4 weekend days x $2 = $108 so far.
    f = forecast(weekly("2025-03-03", "2025-03-16"))
    assert isinstance(f, ForecastResult) and f.available and f.weekday_aware
    assert f.month == "2025-03" and f.month_to_date_usd == pytest.approx(108.0)
    # Mar 17..31 = 11 weekdays + 4 weekend days
    assert f.remaining_days == 15
    assert f.projected_usd == pytest.approx(108 + 11 * 10 + 4 * 2)  # 226
    assert f.low_usd == pytest.approx(226.0) and f.high_usd == pytest.approx(226.0)
    assert f.weekday_average_usd == pytest.approx(10.0) and f.weekend_average_usd == pytest.approx(2.0)
    # next 30 days: Mar 17 .. Apr 15 = 22 weekdays + 8 weekend days
    assert (f.next_30_days_start, f.next_30_days_end) == ("2025-03-17", "2025-04-15")
    assert f.next_30_days_usd == pytest.approx(22 * 10 + 8 * 2)  # 236
    assert f.next_30_days_low_usd == pytest.approx(236.0) and f.next_30_days_high_usd == pytest.approx(236.0)
    # weekly average: (5 x 10 + 2 x 2) / 7
    assert f.daily_average_usd == pytest.approx(54 / 7)


def test_one_week_is_enough_for_weekday_awareness() -> None:
    # Mon 3 .. Sun 9 March: $54 so far; Mar 10..31 = 16 weekdays + 6 weekend days
    f = forecast(weekly("2025-03-03", "2025-03-09"))
    assert f.weekday_aware and f.remaining_days == 22
    assert f.projected_usd == pytest.approx(54 + 16 * 10 + 6 * 2)  # 226, same month total


def test_short_series_uses_plain_average_with_range() -> None:
    f = forecast(series({"2025-03-01": 1.0, "2025-03-02": 2.0, "2025-03-03": 3.0}))
    # mean 2, sample std 1; 28 days left; 30-day outlook Mar 4 .. Apr 2
    assert not f.weekday_aware
    assert f.projected_usd == pytest.approx(6 + 2 * 28)
    # range: one std of the sum, days independent: +/- sqrt(28) x 1
    assert f.low_usd == pytest.approx(6 + 2 * 28 - math.sqrt(28)) and f.high_usd == pytest.approx(6 + 2 * 28 + math.sqrt(28))
    assert f.next_30_days_usd == pytest.approx(60.0)
    assert f.next_30_days_low_usd == pytest.approx(60 - math.sqrt(30))
    assert f.next_30_days_high_usd == pytest.approx(60 + math.sqrt(30))
    assert f.next_30_days_end == "2025-04-02"


def test_range_floored_at_zero() -> None:
    # $0, $0, $3: mean 1, sample std sqrt(3); over 2 days the spread sqrt(2 x 3) = 2.45 exceeds
    # the expected $2, so the low end is the month-to-date spend alone
    f = forecast(series({"2025-03-01": 0.0, "2025-03-02": 0.0, "2025-03-03": 3.0, "2025-03-28": 0.0,
                         "2025-03-29": 0.0}))
    assert f.remaining_days == 2
    assert f.low_usd == pytest.approx(f.month_to_date_usd)


def test_last_day_of_month_projects_only_the_outlook() -> None:
    f = forecast(weekly("2025-03-03", "2025-03-31"))
    assert f.remaining_days == 0
    assert f.projected_usd == pytest.approx(f.month_to_date_usd)
    assert f.next_30_days_start == "2025-04-01"


def test_day_in_progress_starts_the_outlook() -> None:
    f = forecast(series({"2025-03-01": 1.0, "2025-03-02": 3.0, "2025-03-03": 0.1}), now=pd.Timestamp("2025-03-03T09:00Z"))
    assert f.month_to_date_usd == pytest.approx(4.1)  # the $0.10 spent so far today included
    # today is projected at the $2.00 average (more than the $0.10 so far): 4.0 + 29 x 2.0
    assert f.projected_usd == pytest.approx(4.0 + 29 * 2.0)
    assert f.next_30_days_start == "2025-03-03"
    assert f.next_30_days_usd == pytest.approx(60.0)


def test_single_day_cannot_project() -> None:
    f = forecast(series({"2025-03-01": 5.0}))
    assert not f.available and "cannot project" in f.reason
    assert f.projected_usd is None and f.next_30_days_usd is None
    assert forecast([]).reason == "cannot project: no dated rows"
    assert fit(pd.Series([1.0], index=pd.DatetimeIndex(["2025-03-01"]))) is None


def test_only_last_28_days_are_used() -> None:
    # 4 weeks at weekday $100 / weekend $50, then 4 weeks at $10 / $2: only the recent level counts
    old = weekly("2025-01-06", "2025-02-02", 100.0, 50.0)
    new = weekly("2025-02-03", "2025-03-02", 10.0, 2.0)
    f = forecast(old + new)
    assert f.days_used == 28
    assert f.weekday_average_usd == pytest.approx(10.0) and f.weekend_average_usd == pytest.approx(2.0)


def test_daily_buckets_stamped_in_another_time_zone_are_whole_days() -> None:
    from llmcost.analyze.forecast import last_time_of_log

    # midnight at UTC-7 is 07:00 UTC: every bucket has the same time of day
    buckets = pd.Series(pd.to_datetime(["2025-10-01T07:00:00Z", "2025-10-02T07:00:00Z", "2025-10-03T07:00:00Z"]))
    assert last_time_of_log(buckets) is None
    requests = pd.Series(pd.to_datetime(["2025-10-01T07:00:00Z", "2025-10-03T11:30:00Z"]))
    assert last_time_of_log(requests) == pd.Timestamp("2025-10-03T11:30:00Z")
