"""One definition of "how many days does this log cover" and "a month",
shared by analyze, whatif, selfhost and the suggestions, so one log gets one
monthly projection everywhere."""

from __future__ import annotations

import pandas as pd

DAYS_PER_MONTH = 365.25 / 12  # 30.4375 days, 730.5 hours


def covered_days(times: pd.Series) -> int:
    """Calendar days (UTC) from the first to the last timestamp, inclusive;
    at least 1. A log from Oct 1 09:00 to Oct 3 17:00 covers 3 days, as does
    a daily export with buckets for Oct 1, 2 and 3."""
    t = times.dropna()
    if len(t) == 0:
        return 1
    first = t.min().normalize()
    last = t.max().normalize()
    return max(int((last - first).days) + 1, 1)


def monthly(cost_usd: float, days: float) -> float:
    """A period's cost projected to an average month."""
    return cost_usd / max(days, 1e-9) * DAYS_PER_MONTH
