"""Month-end and next-30-day cost projections from the daily series.

Method (kept simple on purpose, so a reader can check it by hand):

1. Daily costs per UTC day from the first to the last day with data, days
   without rows counted as $0. The last day is *partial* (and left out of the
   averages) when ``now`` falls on it, or when the log's last timestamp is a
   time of day before 23:00 (a log or export that stops mid-day; daily
   buckets, stamped at midnight, are full days).
2. At least 2 full days are needed, otherwise "cannot project".
3. Fewer than 7 full days: the average ``m`` and sample standard deviation
   ``s`` of those days, the same for every future day.
4. 7 or more full days (at least one whole week, so both day classes are
   seen): weekday/weekend aware. Averages and sample standard deviations of
   the weekdays (Mon-Fri) and of the weekend days (Sat, Sun) over the last 28
   (or fewer) full days; each future day gets its own class's figures (a class
   with fewer than 2 days in the window falls back to the whole window's
   figures for its standard deviation, and a class with none to its average).
   Spike days — above the median + 3 MAD of their class (weekday or
   weekend), the anomaly rule — are left out of the averages and standard
   deviations, so one incident does not inflate every projected day.
5. Range: the sum of the expected costs plus or minus one standard deviation
   of that sum, taking the days as independent: ``± sqrt(Σ s²)`` (the low end
   floored at the month-to-date spend).

Month-end: the month of the last day with data. "Remaining days" are the
days of that month after the last full day (with a partial last day, that day
counts as remaining and its partial cost is left out of the month-to-date
figure's projection so it is not counted twice; the spend so far shown
includes it, and that day is projected at no less than it has already cost).
Next 30 days: the 30 days after the last full day, projected the same way
(no month-to-date part).

:func:`fit` and :meth:`DailyModel.expected` are the reusable pieces: budgets
project their own (per app / model / team) series with them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .model import DailyPoint, Forecast

LONG_WINDOW = 28
WEEKDAY_AWARE_MIN_DAYS = 7
MIN_FULL_DAYS = 2
OUTLOOK_DAYS = 30

METHOD_SHORT = "average of the last {n} full days x remaining days; range +/- 1 daily std"
METHOD_WEEKDAY = (
    "weekday and weekend averages of the last {n} full days x remaining weekdays / weekend days; "
    "range +/- 1 daily std"
)


@dataclass(frozen=True)
class ForecastResult(Forecast):
    """:class:`~llmcost.analyze.model.Forecast` plus the next-30-day outlook."""

    last_full_day: str = ""  # YYYY-MM-DD: projections start the day after
    next_30_days_start: str = ""  # YYYY-MM-DD, first projected day
    next_30_days_end: str = ""  # YYYY-MM-DD, last projected day (inclusive)
    next_30_days_usd: float | None = None
    next_30_days_low_usd: float | None = None
    next_30_days_high_usd: float | None = None
    weekday_average_usd: float | None = None  # Mon-Fri, when weekday aware
    weekend_average_usd: float | None = None  # Sat-Sun, when weekday aware


@dataclass(frozen=True)
class DailyModel:
    """Expected cost of a future day: one (mean, std) per day class."""

    weekday_aware: bool
    window_days: int
    weekday_mean: float
    weekday_std: float
    weekend_mean: float
    weekend_std: float

    @property
    def method(self) -> str:
        return (METHOD_WEEKDAY if self.weekday_aware else METHOD_SHORT).format(n=self.window_days)

    @property
    def average(self) -> float:
        """Average expected cost over a week (5 weekdays, 2 weekend days)."""
        return (5 * self.weekday_mean + 2 * self.weekend_mean) / 7 if self.weekday_aware else self.weekday_mean

    def expected(
        self, dates: pd.DatetimeIndex, first_at_least: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per date: expected cost and its standard deviation.

        ``first_at_least``: the first date is a day in progress that has
        already cost this much; it is expected to cost at least that.
        """
        weekend = np.asarray(dates.day_of_week >= 5, dtype=bool)
        means = np.where(weekend, self.weekend_mean, self.weekday_mean).astype("float64")
        stds = np.where(weekend, self.weekend_std, self.weekday_std).astype("float64")
        if first_at_least is not None and len(means):
            means[0] = max(means[0], first_at_least)
        return means, stds

    def project(
        self, dates: pd.DatetimeIndex, first_at_least: float | None = None
    ) -> tuple[float, float, float]:
        """Sum of expected costs over ``dates``, and its low / high range
        (one standard deviation of the sum, days taken as independent; the
        low end never below what a day in progress has already cost)."""
        means, stds = self.expected(dates, first_at_least)
        total = float(means.sum())
        spread = float(np.sqrt((stds**2).sum()))
        return total, max(total - spread, first_at_least or 0.0), total + spread


def _std(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1)) if len(x) >= 2 else 0.0


def _without_spikes(vals: np.ndarray) -> np.ndarray:
    """Drop days above median + 3 MAD (the anomaly rule); keep all when fewer
    than 5 days or when nothing would be left."""
    if len(vals) < 5:
        return vals
    med = float(np.median(vals))
    mad = 1.4826 * float(np.median(np.abs(vals - med)))
    limit = med + 3 * max(mad, 0.05 * med)
    kept = vals[vals <= limit]
    return kept if len(kept) >= 2 else vals


def fit(full: pd.Series) -> DailyModel | None:
    """Fit the daily model to a series of *full* days (DatetimeIndex, no gaps).

    ``None`` when there are fewer than :data:`MIN_FULL_DAYS` days.
    """
    if len(full) < MIN_FULL_DAYS:
        return None
    window = full.iloc[-LONG_WINDOW:]
    values = window.to_numpy(dtype="float64")
    typical = _without_spikes(values)
    m, s = float(typical.mean()), _std(typical)
    if len(full) < WEEKDAY_AWARE_MIN_DAYS:
        return DailyModel(False, len(window), m, s, m, s)
    weekend = np.asarray(pd.DatetimeIndex(window.index).day_of_week >= 5, dtype=bool)
    stats: dict[bool, tuple[float, float]] = {}
    for is_we in (False, True):
        vals = _without_spikes(values[weekend == is_we])
        mean = float(vals.mean()) if len(vals) else m
        stats[is_we] = (mean, _std(vals) if len(vals) >= 2 else s)
    return DailyModel(True, len(window), stats[False][0], stats[False][1], stats[True][0], stats[True][1])


def _unavailable(reason: str, month: str = "", mtd: float = 0.0, days: int = 0) -> ForecastResult:
    return ForecastResult(
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


def last_time_of_log(times: pd.Series) -> pd.Timestamp | None:
    """The log's last timestamp, or None for daily buckets (every time at the
    same time of day, e.g. midnight in the exporter's time zone), whose last
    bucket is a whole day."""
    t = times.dropna()
    if len(t) == 0:
        return None
    ns = t.astype("datetime64[ns, UTC]").to_numpy(dtype="datetime64[ns]").view("int64") % (86_400 * 10**9)
    if not (ns != ns[0]).any():  # one pass, no sort: every row at the same time of day
        return None
    return t.max()


def _stops_mid_day(last_time: pd.Timestamp | None, last_day: pd.Timestamp) -> bool:
    """The log's last timestamp falls on its last day before 23:00 (not at
    midnight, where daily buckets are stamped): that day is incomplete."""
    if last_time is None or pd.isna(last_time):
        return False
    t = _utc_moment(last_time)
    if t.normalize() != last_day:
        return False
    seconds = (t - t.normalize()).total_seconds()
    return 0 < seconds < 23 * 3600


def _utc_moment(ts: pd.Timestamp) -> pd.Timestamp:
    return (ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")).tz_localize(None)


def _utc_day(now: pd.Timestamp) -> pd.Timestamp:
    now_utc = now.tz_convert("UTC") if now.tzinfo else now.tz_localize("UTC")
    return now_utc.tz_localize(None).normalize()


def daily_series(trend: list[DailyPoint]) -> pd.Series:
    """The trend as a cost series on a naive (UTC) DatetimeIndex."""
    days = pd.DatetimeIndex([p.date for p in trend])
    return pd.Series([p.cost_usd for p in trend], index=days, dtype="float64")


def forecast(
    trend: list[DailyPoint], now: pd.Timestamp | None = None, last_time: pd.Timestamp | None = None
) -> ForecastResult:
    if not trend:
        return _unavailable("cannot project: no dated rows")
    costs = daily_series(trend)
    days = pd.DatetimeIndex(costs.index)
    last_day = days[-1]
    month = last_day.strftime("%Y-%m")
    partial = (now is not None and _utc_day(now) == last_day) or _stops_mid_day(last_time, last_day)
    full = costs.iloc[:-1] if partial else costs
    full_days = pd.DatetimeIndex(full.index)
    mtd = float(full[full_days.strftime("%Y-%m") == month].sum())
    model = fit(full)
    if model is None:
        n = len(full)
        return _unavailable(
            f"cannot project: {n} full day{'s' if n != 1 else ''} of data (need {MIN_FULL_DAYS})", month, mtd, n
        )
    last_full = full_days[-1]
    month_start = last_day.replace(day=1)
    month_end = last_day.replace(day=calendar.monthrange(last_day.year, last_day.month)[1])
    remaining = pd.date_range(max(last_full + pd.Timedelta(days=1), month_start), month_end, freq="D")
    # a day in progress (remaining[0] is that day) is projected, never below what it already cost
    today = float(costs.iloc[-1]) if partial else None
    rest, rest_low, rest_high = model.project(remaining, first_at_least=today)
    mtd_shown = mtd + (today or 0.0)
    outlook = pd.date_range(last_full + pd.Timedelta(days=1), periods=OUTLOOK_DAYS, freq="D")
    nxt, nxt_low, nxt_high = model.project(outlook)
    return ForecastResult(
        available=True,
        reason="",
        method=model.method,
        month=month,
        month_to_date_usd=mtd_shown,
        projected_usd=mtd + rest,
        low_usd=mtd + rest_low,
        high_usd=mtd + rest_high,
        daily_average_usd=model.average if model.weekday_aware else model.weekday_mean,
        days_used=model.window_days,
        remaining_days=len(remaining),
        weekday_aware=model.weekday_aware,
        last_full_day=last_full.strftime("%Y-%m-%d"),
        next_30_days_start=outlook[0].strftime("%Y-%m-%d"),
        next_30_days_end=outlook[-1].strftime("%Y-%m-%d"),
        next_30_days_usd=nxt,
        next_30_days_low_usd=nxt_low,
        next_30_days_high_usd=nxt_high,
        weekday_average_usd=model.weekday_mean if model.weekday_aware else None,
        weekend_average_usd=model.weekend_mean if model.weekday_aware else None,
    )
