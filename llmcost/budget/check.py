"""Check priced usage against budgets.

The current period. Without ``as_of`` it is the UTC day of the LAST
timestamp in the data: monthly limits cover that day's calendar month from
its first day through that day, daily limits cover that day. With ``as_of``
(a date) the same with that day, and rows after its end are ignored. The
as-of day counts as complete: run a cron check after midnight UTC (or pass
yesterday's date) for whole-day figures. Rows without a time cannot be placed
in a period and are left out (counted in the notes); unpriced rows add no
cost (also counted).

Status of a budget (``used`` = spent / limit): ``exceeded`` at 100 % or
more, ``warning`` at or above its lowest threshold (the highest threshold
reached is named), else ``ok``. With ``projected=True`` the larger of spent
and projected is compared instead.

Projection (:mod:`llmcost.analyze.forecast`, fitted to the budget's own
daily series from the data's first day through the as-of day, days without
rows = $0):

* monthly: spent so far + the expected cost of each remaining day of the
  month (with a low / high range); the breach date is the day the cumulative
  spend reached the limit (past) or is expected to (future), if in the month;
* daily: the projection is the expected cost of the next day; the breach
  date is the as-of day when it is exceeded, else the first of the next 30
  days whose expected cost reaches the limit.

Fewer than 2 days of data: no projection (``projected_usd`` is None).

Exit codes (:func:`exit_code`): 0 every budget is ok, 1 a warning threshold
is crossed, 2 a limit is exceeded (or projected to be, with ``projected``).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import numpy as np
import pandas as pd

from ..analyze.forecast import MIN_FULL_DAYS, OUTLOOK_DAYS, fit
from ..errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_THRESHOLD, InputError
from ..wording import plural
from .config import Budget, BudgetConfig

OK = "ok"
WARNING = "warning"
EXCEEDED = "exceeded"


@dataclass(frozen=True)
class BudgetStatus:
    name: str
    scope: str
    period: str  # "daily" / "monthly"
    period_label: str  # "2025-03" or "2025-03-14"
    limit_usd: float
    spent_usd: float
    used: float  # spent / limit
    thresholds: tuple[float, ...]  # percent
    status: str  # ok / warning / exceeded (on spent, or the projection with projected=True)
    threshold_crossed: float | None  # highest threshold (percent) reached, None if none
    projected_usd: float | None  # monthly: month-end; daily: next day's expected cost
    projected_low_usd: float | None
    projected_high_usd: float | None
    projected_used: float | None
    breach_date: str | None  # YYYY-MM-DD
    breach_projected: bool  # the breach date is a projection, not a fact
    requests: int
    note: str = ""


@dataclass(frozen=True)
class BudgetReport:
    as_of: str  # YYYY-MM-DD
    as_of_source: str  # "last timestamp in the data" / "--as-of"
    projected: bool
    budgets_file: str
    statuses: list[BudgetStatus]
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code(self.statuses)


def exit_code(statuses: Sequence[BudgetStatus]) -> int:
    if any(s.status == EXCEEDED for s in statuses):
        return EXIT_BAD_INPUT
    if any(s.status == WARNING for s in statuses):
        return EXIT_THRESHOLD
    return EXIT_OK


def _match(values: pd.Series, patterns: Sequence[str]) -> np.ndarray:
    """Rows whose value matches any glob (case-insensitive), via the distinct values."""
    codes, uniques = pd.factorize(values.fillna("").astype(str), use_na_sentinel=False)
    pats = [p.lower() for p in patterns]
    ok = np.array([any(fnmatchcase(str(u).lower(), p) for p in pats) for u in uniques], dtype=bool)
    return ok[codes] if len(ok) else np.zeros(len(values), dtype=bool)


def scope_mask(table: pd.DataFrame, b: Budget) -> np.ndarray:
    mask = np.ones(len(table), dtype=bool)
    if b.apps:
        mask &= _match(table["app"], b.apps)
    if b.models:
        mask &= _match(table["model"], b.models)
    if b.team is not None:
        team = np.zeros(len(table), dtype=bool)
        if b.team.apps:
            team |= _match(table["app"], b.team.apps)
        if b.team.users:
            team |= _match(table["user"], b.team.users)
        mask &= team
    return mask


def _level(used: float, thresholds: tuple[float, ...]) -> tuple[str, float | None]:
    crossed = [t for t in thresholds if used * 100 >= t - 1e-9]
    if used >= 1.0 - 1e-12:
        return EXCEEDED, max(crossed) if crossed else None
    if crossed:
        return WARNING, max(crossed)
    return OK, None


def _cannot_project(full_days: int) -> str:
    """The note of a budget with too little data: counts *full* days, as the fit does
    (a day the data stops in is not one), worded as analyze's forecast words it."""
    n = max(full_days, 0)
    return f"cannot project: {n} full day{'s' if n != 1 else ''} of data (need {MIN_FULL_DAYS})"


def _monthly(
    b: Budget, limit: float, series: pd.Series, as_of: pd.Timestamp, projected: bool, requests: int,
    partial: bool = False,
) -> BudgetStatus:
    month_start = as_of.replace(day=1)
    month_end = as_of.replace(day=calendar.monthrange(as_of.year, as_of.month)[1])
    in_month = series[series.index >= month_start]
    spent = float(in_month.sum())
    # a day the data stops in is projected, not averaged (as analyze's forecast does)
    today = float(series.iloc[-1]) if (partial and len(series)) else 0.0
    model = fit(series.iloc[:-1] if partial else series)
    proj = low = high = None
    breach: str | None = None
    breach_projected = False
    cum = in_month.cumsum()
    if spent >= limit:
        breach = pd.Timestamp(cum.index[int(np.argmax(cum.to_numpy() >= limit - 1e-12))]).strftime("%Y-%m-%d")
    future = pd.date_range(as_of if partial else as_of + pd.Timedelta(days=1), month_end, freq="D")
    note = ""
    if model is not None:
        first = today if partial else None  # today: at least what is already spent
        means, _ = model.expected(future, first_at_least=first)
        base = spent - today
        total, total_low, total_high = model.project(future, first_at_least=first)
        proj, low, high = base + total, max(base + total_low, spent), base + total_high
        if breach is None and len(future):
            reach = base + np.cumsum(means) >= limit - 1e-12
            if reach.any():
                breach, breach_projected = future[int(np.argmax(reach))].strftime("%Y-%m-%d"), True
    else:
        note = _cannot_project(len(series) - 1 if partial else len(series))
    return _status(b, "monthly", as_of.strftime("%Y-%m"), limit, spent, proj, low, high, breach, breach_projected, projected, requests, note)


def _daily(
    b: Budget, limit: float, series: pd.Series, as_of: pd.Timestamp, projected: bool, requests: int,
    partial: bool = False,
) -> BudgetStatus:
    spent = float(series.iloc[-1]) if len(series) else 0.0
    model = fit(series.iloc[:-1] if partial else series)
    proj = low = high = None
    breach: str | None = as_of.strftime("%Y-%m-%d") if spent >= limit else None
    breach_projected = False
    note = ""
    if model is not None:
        nxt = pd.date_range(as_of if partial else as_of + pd.Timedelta(days=1), periods=OUTLOOK_DAYS, freq="D")
        means, stds = model.expected(nxt, first_at_least=spent if partial else None)
        proj, low, high = float(means[0]), float(max(means[0] - stds[0], 0.0)), float(means[0] + stds[0])
        if breach is None:
            reach = means >= limit - 1e-12
            if reach.any():
                breach, breach_projected = nxt[int(np.argmax(reach))].strftime("%Y-%m-%d"), True
    else:
        note = _cannot_project(len(series) - 1 if partial else len(series))
    return _status(b, "daily", as_of.strftime("%Y-%m-%d"), limit, spent, proj, low, high, breach, breach_projected, projected, requests, note)


def _status(
    b: Budget,
    period: str,
    label: str,
    limit: float,
    spent: float,
    proj: float | None,
    low: float | None,
    high: float | None,
    breach: str | None,
    breach_projected: bool,
    projected: bool,
    requests: int,
    note: str,
) -> BudgetStatus:
    used = spent / limit
    judged = max(used, proj / limit) if projected and proj is not None else used
    status, crossed = _level(judged, b.thresholds)
    return BudgetStatus(
        name=b.name,
        scope=b.scope,
        period=period,
        period_label=label,
        limit_usd=limit,
        spent_usd=spent,
        used=used,
        thresholds=b.thresholds,
        status=status,
        threshold_crossed=crossed,
        projected_usd=proj,
        projected_low_usd=low,
        projected_high_usd=high,
        projected_used=proj / limit if proj is not None else None,
        breach_date=breach,
        breach_projected=breach_projected,
        requests=requests,
        note=note,
    )


def _utc_day(ts: pd.Timestamp) -> pd.Timestamp:
    t = ts.tz_convert("UTC") if ts.tzinfo is not None else ts.tz_localize("UTC")
    return t.tz_localize(None).normalize()


def check_budgets(
    priced: pd.DataFrame,
    config: BudgetConfig,
    *,
    as_of: pd.Timestamp | None = None,
    projected: bool = False,
    source: str = "",
) -> BudgetReport:
    """Evaluate every budget of ``config`` on a priced canonical table.

    ``as_of``: the current day (any time on it; naive = UTC); default: the
    day of the last timestamp in the data. ``source`` names the usage files
    in errors. Raises :class:`InputError` when the current period has no rows.
    """
    notes: list[str] = []
    timed = priced["time"].notna().to_numpy(dtype=bool)
    if not timed.all():
        n_untimed = int((~timed).sum())
        notes.append(f"{plural(n_untimed, 'row')} {'has' if n_untimed == 1 else 'have'} no time and "
                     f"{'is' if n_untimed == 1 else 'are'} not in any period")
    if "priced" in priced.columns:
        unpriced = ~priced["priced"].fillna(False).to_numpy(dtype=bool) & timed
        if unpriced.any():
            n_req = int(priced.loc[unpriced, "requests"].sum())
            notes.append(f"{plural(n_req, 'request')} ({plural(int(unpriced.sum()), 'row')}) could not be priced: not counted")
    if not timed.any():
        raise InputError("no rows with a time: cannot place usage in a budget period", file=source or None)
    day = priced["time"].dt.tz_convert("UTC").dt.tz_localize(None).dt.floor("D")
    first, last = day[timed].min(), day[timed].max()
    day_of = _utc_day(as_of) if as_of is not None else last
    month_start = day_of.replace(day=1)
    keep = timed & (day <= day_of).fillna(False).to_numpy(dtype=bool)
    in_period = keep & (day >= month_start).fillna(False).to_numpy(dtype=bool)
    if not in_period.any():
        raise InputError(
            f"no usage rows in the current period {day_of:%Y-%m} (as of {day_of:%Y-%m-%d}); "
            f"the data covers {first:%Y-%m-%d} to {last:%Y-%m-%d}",
            file=source or None,
            hint="pass --as-of a date inside the data",
        )
    # without --as-of, a log that stops mid-day (last time before 23:00, not a midnight bucket) has an
    # incomplete last day: it is projected rather than averaged, as analyze's forecast does
    from ..analyze.forecast import _stops_mid_day, last_time_of_log

    partial = as_of is None and _stops_mid_day(last_time_of_log(priced.loc[timed, "time"]), day_of)
    rows = priced.loc[keep]
    days = day[keep]
    cost = np.nan_to_num(rows["cost_usd"].to_numpy(dtype="float64"), nan=0.0)
    all_days = pd.date_range(first, day_of, freq="D")
    statuses: list[BudgetStatus] = []
    for b in config.budgets:
        mask = scope_mask(rows, b)
        series = pd.Series(cost[mask], index=days.to_numpy()[mask]).groupby(level=0).sum().reindex(all_days, fill_value=0.0)
        for period, limit in b.limits.items():
            period_rows = mask & (days >= (month_start if period == "monthly" else day_of)).to_numpy(dtype=bool)
            n_req = int(rows["requests"].to_numpy()[period_rows].sum())
            fn = _monthly if period == "monthly" else _daily
            statuses.append(fn(b, limit, series, day_of, projected, n_req, partial))
        if not mask.any():
            notes.append(f"budget {b.name!r} ({b.scope}) matches no rows up to {day_of:%Y-%m-%d}: check the names")
    if day_of > last:
        notes.insert(0, f"the data ends on {last:%Y-%m-%d}, before the as-of day {day_of:%Y-%m-%d}: "
                        "the days in between count as $0 spent")
    return BudgetReport(
        as_of=day_of.strftime("%Y-%m-%d"),
        as_of_source="--as-of" if as_of is not None else "last timestamp in the data",
        projected=projected,
        budgets_file=config.file,
        statuses=statuses,
        notes=notes,
    )
