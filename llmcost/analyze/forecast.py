"""Month-end cost projection from the daily series.

Method (kept simple on purpose, so a reader can check it by hand):

1. Daily costs per UTC day from the first to the last day with data, days
   without rows counted as $0. The last day is *partial* (and left out of the
   averages) when ``now`` falls on it; without ``now`` every day is full.
2. At least 2 full days are needed, otherwise "cannot project".
3. Fewer than 14 full days: the average ``m`` and sample standard deviation
   ``s`` of the last 7 (or fewer) full days. Projection for the month of the
   last day with data = cost of its full days so far + ``m`` × remaining days.
4. 14 or more full days: weekday/weekend aware. Averages and standard
   deviations of weekdays and of weekend days over the last 28 (or fewer) full
   days; remaining weekdays and weekend days are projected separately (a class
   with no day in the window falls back to the overall average).
5. Range: every remaining day one standard deviation below (floored at $0) or
   above its average: ``low = mtd + Σ max(0, m − s)``, ``high = mtd + Σ (m + s)``.

"Remaining days" are the days of the month after the last full day (with a
partial last day, that day counts as remaining and its partial cost is left
out of the month-to-date figure so it is not counted twice).
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from .model import DailyPoint, Forecast

SHORT_WINDOW = 7
LONG_WINDOW = 28
WEEKDAY_AWARE_MIN_DAYS = 14

METHOD_SHORT = "average of the last {n} full days x remaining days; range +/- 1 daily std"
METHOD_WEEKDAY = (
    "weekday and weekend averages of the last {n} full days x remaining weekdays / weekend days; "
    "range +/- 1 daily std"
)


def _unavailable(reason: str, month: str = "", mtd: float = 0.0, days: int = 0) -> Forecast:
    return Forecast(
        available=False,
        reason=reason,
        method="",
        month=month,
        month_to_date_usd=mtd,
        projected_usd=None,
        low_usd=None,
        high_usd=None,
        daily_average_usd=None,
        days_used=days,
        remaining_days=0,
        weekday_aware=False,
    )


def _std(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1)) if len(x) >= 2 else 0.0


def forecast(trend: list[DailyPoint], now: pd.Timestamp | None = None) -> Forecast:
    if not trend:
        return _unavailable("cannot project: no dated rows")
    days = pd.DatetimeIndex([p.date for p in trend])
    costs = pd.Series([p.cost_usd for p in trend], index=days, dtype="float64")
    last_day = days[-1]
    month = last_day.strftime("%Y-%m")
    partial = False
    if now is not None:
        now_utc = now.tz_convert("UTC") if now.tzinfo else now.tz_localize("UTC")
        partial = now_utc.tz_localize(None).normalize() == last_day
    full = costs.iloc[:-1] if partial else costs
    full_days = pd.DatetimeIndex(full.index)
    in_month = full_days.strftime("%Y-%m") == month
    mtd = float(full[in_month].sum())
    if len(full) < 2:
        return _unavailable(
            f"cannot project: {len(full)} full day{'s' if len(full) != 1 else ''} of data (need 2)",
            month,
            mtd,
            len(full),
        )
    last_full = full_days[-1]
    month_start = last_day.replace(day=1)
    month_end = last_day.replace(day=calendar.monthrange(last_day.year, last_day.month)[1])
    first_remaining = max(last_full + pd.Timedelta(days=1), month_start)
    remaining = pd.date_range(first_remaining, month_end, freq="D")
    weekday_aware = len(full) >= WEEKDAY_AWARE_MIN_DAYS
    if weekday_aware:
        window = full.iloc[-LONG_WINDOW:]
        overall_m, overall_s = float(window.mean()), _std(window.to_numpy())
        weekend = pd.DatetimeIndex(window.index).day_of_week >= 5
        stats = {}
        for is_we in (False, True):
            vals = window[weekend == is_we].to_numpy()
            stats[is_we] = (float(vals.mean()), _std(vals)) if len(vals) else (overall_m, overall_s)
        rem_we = remaining.day_of_week >= 5
        means = np.where(rem_we, stats[True][0], stats[False][0])
        stds = np.where(rem_we, stats[True][1], stats[False][1])
        method = METHOD_WEEKDAY.format(n=len(window))
        daily_avg = overall_m
    else:
        window = full.iloc[-SHORT_WINDOW:]
        m, s = float(window.mean()), _std(window.to_numpy())
        means = np.full(len(remaining), m)
        stds = np.full(len(remaining), s)
        method = METHOD_SHORT.format(n=len(window))
        daily_avg = m
    projected = mtd + float(means.sum())
    low = mtd + float(np.maximum(means - stds, 0.0).sum())
    high = mtd + float((means + stds).sum())
    return Forecast(
        available=True,
        reason="",
        method=method,
        month=month,
        month_to_date_usd=mtd,
        projected_usd=projected,
        low_usd=low,
        high_usd=high,
        daily_average_usd=daily_avg,
        days_used=len(window),
        remaining_days=len(remaining),
        weekday_aware=weekday_aware,
    )
