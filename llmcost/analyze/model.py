"""The result of ``llmcost analyze``: plain, typed dataclasses.

Nothing here knows about terminals or file formats; :func:`to_dict` turns an
:class:`Analysis` into JSON-ready Python values (costs as float USD rounded
to 1e-9, times as ISO 8601 strings, missing numbers as ``None``) that the JSON
and CSV renderers serialise.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

UNKNOWN = "(unknown)"
OTHER = "(other)"

TOKEN_KINDS: tuple[str, ...] = ("input", "cache_read", "cache_write", "output")


@dataclass(frozen=True)
class Period:
    """First and last row time (UTC) and the calendar days they span."""

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    days: int  # calendar days from start's date to end's date, inclusive (0 if no time)


@dataclass(frozen=True)
class Totals:
    """Sums over priced rows (unpriced rows are in :attr:`Analysis.unpriced`)."""

    rows: int
    requests: int
    input_tokens: int  # uncached input
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int  # reasoning included
    reasoning_tokens: int
    web_search_requests: int  # server-side web searches (billed per search)
    cost_usd: float
    cost_input_usd: float
    cost_cache_read_usd: float
    cost_cache_write_usd: float
    cost_output_usd: float
    cost_web_search_usd: float
    # cost without a token split: cost-only rows billed as a lump sum and any
    # other per-request fee (cost_usd minus the four token kinds and web searches)
    cost_other_usd: float
    cost_only_rows: int  # rows with no tokens counted at their billed amount
    unpriced_rows: int
    unpriced_requests: int


@dataclass(frozen=True)
class Shares:
    """Ratios over priced rows. ``None`` means "not available"."""

    input_cost_share: float | None  # (input + cache read + cache write) / token cost
    output_cost_share: float | None  # output / token cost
    cache_share_of_input: float | None  # (cache read + write) / all input tokens
    cache_hit_ratio: float | None  # cache read / (input + cache read + cache write)
    cache_info_available: bool  # False when no source carries cache fields


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    requests: int
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    tokens: int  # input + cache read + cache write + output
    cost_usd: float
    share: float  # of total priced cost (0 when the total is 0)
    provider: str | None = None  # only for the model breakdown
    keys: int = 1  # distinct keys this row covers (more than 1 for "(other)")


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    rows: list[BreakdownRow]
    total_keys: int  # distinct keys before truncation
    truncated: bool  # an (other) row aggregates keys past the top N


@dataclass(frozen=True)
class DailyPoint:
    date: str  # YYYY-MM-DD (UTC)
    requests: int
    tokens: int
    cost_usd: float


@dataclass(frozen=True)
class Forecast:
    """Month-end projection for the month of the last day with data.

    See :mod:`llmcost.analyze.forecast` for the method.
    """

    available: bool
    reason: str  # why not, when not available
    method: str
    month: str  # YYYY-MM
    month_to_date_usd: float
    projected_usd: float | None
    low_usd: float | None
    high_usd: float | None
    daily_average_usd: float | None
    days_used: int
    remaining_days: int
    weekday_aware: bool


@dataclass(frozen=True)
class Anomaly:
    kind: str  # "day" (total), "model-day", "app-day", "hour" (total), "app-hour", "request"
    date: str
    cost_usd: float
    expected_usd: float  # baseline: median of the preceding days, or the app's p95
    threshold_usd: float
    cause: str  # volume spike / token explosion / model mix change / ...
    detail: str
    model: str = ""
    app: str = ""
    request_id: str = ""
    source: str = ""
    source_row: int | None = None

    @property
    def excess_usd(self) -> float:
        return self.cost_usd - self.expected_usd


@dataclass(frozen=True)
class TopCall:
    time: pd.Timestamp | None
    model: str
    provider: str
    app: str
    user: str
    request_id: str
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    cost_usd: float
    source: str
    source_row: int


@dataclass(frozen=True)
class ReconRow:
    key: str  # model name or token kind
    ours_usd: float
    provider_usd: float | None  # None when the provider gives no such split
    rows: int = 0

    @property
    def diff_usd(self) -> float | None:
        return None if self.provider_usd is None else self.ours_usd - self.provider_usd

    @property
    def diff_pct(self) -> float | None:
        d = self.diff_usd
        if d is None or not self.provider_usd:
            return None
        return d / self.provider_usd


@dataclass(frozen=True)
class Reconciliation:
    """Our price vs the provider's reported cost, on the same usage rows."""

    available: bool
    rows: int
    requests: int
    total: ReconRow | None
    by_model: list[ReconRow] = field(default_factory=list)
    by_kind: list[ReconRow] = field(default_factory=list)
    kind_split_from_provider: bool = False
    unpriced_rows_with_reported_cost: int = 0
    note: str = ""
    group_by: str = "model"  # what by_model's keys are: "model", or "provider" for cost exports


@dataclass(frozen=True)
class UnpricedRow:
    model: str
    provider: str
    rows: int
    requests: int
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    reported_cost_usd: float | None  # the provider's cost for these rows, if any
    sources: list[str]


@dataclass(frozen=True)
class Suggestion:
    id: str
    title: str
    detail: str
    assumption: str
    estimated_savings_usd: float  # over the analysed period
    monthly_savings_usd: float  # x 30.4375 (365.25 / 12) / calendar days covered
    affected_requests: int
    affected_cost_usd: float


@dataclass(frozen=True)
class FileInfo:
    file: str
    format: str
    rows: int


@dataclass(frozen=True)
class Analysis:
    period: Period
    totals: Totals
    shares: Shares
    breakdowns: dict[str, Breakdown]
    trend: list[DailyPoint]
    forecast: Forecast
    anomalies: list[Anomaly]
    top_calls: list[TopCall]
    reconciliation: Reconciliation
    unpriced: list[UnpricedRow]
    suggestions: list[Suggestion]
    skipped_rows: int = 0
    duplicates_dropped: int = 0
    files: list[FileInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def _clean(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _breakdown_rows(b: Breakdown) -> list[dict[str, Any]]:
    out = []
    for r in b.rows:
        d: dict[str, Any] = {b.dimension: r.key, "key": r.key}
        if b.dimension == "model":
            d["provider"] = r.provider or ""
        d.update(
            requests=r.requests,
            input_tokens=r.input_tokens,
            cache_read_tokens=r.cache_read_tokens,
            cache_write_tokens=r.cache_write_tokens,
            output_tokens=r.output_tokens,
            tokens=r.tokens,
            cost_usd=r.cost_usd,
            share=r.share,
            keys=r.keys,
        )
        out.append(d)
    return out


def _recon_row(r: ReconRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "rows": r.rows,
        "ours_usd": r.ours_usd,
        "provider_usd": r.provider_usd,
        "diff_usd": r.diff_usd,
        "diff_pct": r.diff_pct,
    }


def to_dict(a: Analysis) -> dict[str, Any]:
    """JSON-ready dict of everything in the analysis."""
    out: dict[str, Any] = {
        "period": {
            "start": a.period.start,
            "end": a.period.end,
            "days": a.period.days,
        },
        "totals": dataclasses.asdict(a.totals),
        "shares": dataclasses.asdict(a.shares),
    }
    for dim, b in a.breakdowns.items():
        out[f"by_{dim}"] = _breakdown_rows(b)
    out["trend"] = [dataclasses.asdict(p) for p in a.trend]
    out["forecast"] = dataclasses.asdict(a.forecast)
    out["anomalies"] = [{**dataclasses.asdict(x), "excess_usd": x.excess_usd} for x in a.anomalies]
    out["top_calls"] = [dataclasses.asdict(c) for c in a.top_calls]
    rec = a.reconciliation
    out["reconciliation"] = {
        "available": rec.available,
        "rows": rec.rows,
        "requests": rec.requests,
        "total": _recon_row(rec.total) if rec.total else None,
        "by_model": [_recon_row(r) for r in rec.by_model],
        "by_kind": [_recon_row(r) for r in rec.by_kind],
        "kind_split_from_provider": rec.kind_split_from_provider,
        "unpriced_rows_with_reported_cost": rec.unpriced_rows_with_reported_cost,
        "note": rec.note,
    }
    out["unpriced"] = [dataclasses.asdict(u) for u in a.unpriced]
    out["suggestions"] = [dataclasses.asdict(s) for s in a.suggestions]
    out["skipped_rows"] = a.skipped_rows
    out["duplicates_dropped"] = a.duplicates_dropped
    out["files"] = [dataclasses.asdict(f) for f in a.files]
    out["warnings"] = list(a.warnings)
    return _clean(out)
