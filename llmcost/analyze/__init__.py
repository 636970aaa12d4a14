"""Where does the money go: analyse a priced usage table.

:func:`analyze` takes the canonical table with the pricing columns
(:data:`llmcost.schema.PRICED_COLUMNS`) and returns an :class:`Analysis` of
plain dataclasses; :mod:`llmcost.render` turns it into a terminal table,
JSON, CSV or Markdown.

Conventions:

* Costs, totals and breakdowns cover *priced* rows only. Unpriced rows (no
  price found, cost 0) are listed in ``unpriced`` with their requests, tokens
  and files, and counted in ``totals.unpriced_rows`` / ``unpriced_requests``.
* Cost-only rows (no tokens, ``requests == 0``, provider-billed amount) count
  at their billed ``cost_usd``; they add no requests or tokens, and their cost
  appears in ``totals.cost_other_usd`` (no split by token kind).
* Days are UTC dates. Empty keys show as ``(unknown)``.

Each step lives in its own module, with its method in the module docstring:
:mod:`.breakdown`, :mod:`.forecast`, :mod:`.anomalies`, :mod:`.reconcile`,
:mod:`.suggestions`, :mod:`.calls`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import anomalies as _anomalies
from .breakdown import (
    DIMENSIONS,
    breakdowns,
    daily_trend,
    shares,
    totals,
    validate_dimensions,
)
from .calls import top_calls, unpriced
from .forecast import forecast, last_time_of_log
from .frame import Prepared, prepare
from .model import (
    OTHER,
    UNKNOWN,
    Analysis,
    Anomaly,
    Breakdown,
    BreakdownRow,
    DailyPoint,
    FileInfo,
    Forecast,
    Period,
    Reconciliation,
    ReconRow,
    Shares,
    Suggestion,
    TopCall,
    Totals,
    UnpricedRow,
    to_dict,
)
from .reconcile import reconcile, reconcile_exports, split_cost_exports
from .suggestions import suggest

if TYPE_CHECKING:
    from ..pricing import PriceBook

__all__ = [
    "DEFAULT_BY",
    "DIMENSIONS",
    "OTHER",
    "UNKNOWN",
    "Analysis",
    "Anomaly",
    "Breakdown",
    "BreakdownRow",
    "DailyPoint",
    "FileInfo",
    "Forecast",
    "Period",
    "ReconRow",
    "Reconciliation",
    "Shares",
    "Suggestion",
    "TopCall",
    "Totals",
    "UnpricedRow",
    "analyze",
    "to_dict",
]

DEFAULT_BY: tuple[str, ...] = ("model", "provider", "app", "user", "feature", "day")


def analyze(
    priced: pd.DataFrame,
    *,
    by: Sequence[str] = DEFAULT_BY,
    top: int = 10,
    now: pd.Timestamp | None = None,
    skipped_rows: int = 0,
    files: list[Any] | None = None,
    warnings: list[str] | None = None,
    duplicates_dropped: int = 0,
    book: PriceBook | None = None,
) -> Analysis:
    """Analyse a priced canonical table.

    ``by``: breakdown dimensions (see :data:`DIMENSIONS`); ``top``: rows per
    breakdown, top calls and anomalies (0 = no limit for breakdowns);
    ``now``: the current time, so a forecast leaves out a day still in
    progress (``None``: every day with data is complete); ``files``:
    ``(file, format, rows)`` tuples (e.g. ``LoadResult.files``) or
    :class:`FileInfo`; ``skipped_rows`` / ``warnings`` /
    ``duplicates_dropped``: carried into the report; ``book``: the price
    table ``priced`` was priced with (cached input prices for the caching
    suggestion; default: the bundled table).
    """
    dims = validate_dimensions(by)
    priced, exports = split_cost_exports(priced)
    p = prepare(priced, dims)
    tot = totals(p)
    trend = daily_trend(p)
    period = _period(priced)
    limit = top if top > 0 else 10
    found = _anomalies.day_anomalies(p, limit=max(limit, 10)) + _anomalies.request_anomalies(p, limit=limit)
    return Analysis(
        period=period,
        totals=tot,
        shares=shares(tot, p.cache_info),
        breakdowns=breakdowns(p, dims, top, tot.cost_usd),
        trend=trend,
        forecast=forecast(trend, now, last_time=last_time_of_log(priced["time"])),
        anomalies=found,
        top_calls=top_calls(p, limit),
        reconciliation=_reconciliation(p, priced, exports, limit),
        unpriced=unpriced(p),
        suggestions=suggest(p, period.days, book),
        skipped_rows=int(skipped_rows),
        duplicates_dropped=int(duplicates_dropped),
        files=_files(files or []),
        warnings=[*(warnings or []), *_data_warnings(p)],
    )


def _reconciliation(p: Prepared, priced: pd.DataFrame, exports: pd.DataFrame, limit: int) -> Reconciliation:
    rows = reconcile(p, limit)
    if rows.available or len(exports) == 0:
        return rows
    return reconcile_exports(priced, exports, limit)


def _period(df: pd.DataFrame) -> Period:
    t = df["time"].dropna() if len(df) else df["time"]
    if len(t) == 0:
        return Period(start=None, end=None, days=0)
    start, end = t.min(), t.max()
    days = (end.normalize() - start.normalize()).days + 1
    return Period(start=start, end=end, days=int(days))


def _files(files: Iterable[Any]) -> list[FileInfo]:
    out: list[FileInfo] = []
    for f in files:
        if isinstance(f, FileInfo):
            out.append(f)
        elif isinstance(f, (tuple, list)):
            name = str(f[0])
            fmt = str(f[1]) if len(f) > 1 else ""
            rows = int(f[2]) if len(f) > 2 else 0
            out.append(FileInfo(file=name, format=fmt, rows=rows))
        else:
            out.append(FileInfo(file=str(f), format="", rows=0))
    return out


AGGREGATED_FORMATS = frozenset({
    "openai-usage-csv", "openai-usage-api", "anthropic-console-usage-csv", "anthropic-usage-report",
    "litellm-daily-spend",
})


def overlap_warnings(df: pd.DataFrame) -> list[str]:
    """Usage exports that cover the same provider, model and day as another
    file: the CSV and API copies of one export, or an export next to the
    request logs it summarises, would be counted twice."""
    if len(df) == 0 or "source_format" not in df.columns:
        return []
    usage = (df["requests"] > 0) | (df["input_tokens"] + df["output_tokens"] > 0)
    d = df.loc[usage & df["time"].notna(), ["source", "source_format", "provider", "model", "time"]]
    if d["source"].nunique() < 2 or not d["source_format"].isin(list(AGGREGATED_FORMATS)).any():
        return []
    keys = pd.DataFrame({
        "source": d["source"].astype(str),
        "agg": d["source_format"].isin(list(AGGREGATED_FORMATS)).to_numpy(),
        "key": d["provider"].astype(str) + "|" + d["model"].astype(str) + "|" + d["time"].dt.strftime("%Y-%m-%d"),
    }).drop_duplicates()
    per_key = keys.groupby("key")
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for _, g in per_key:
        if len(g) < 2 or not g["agg"].any():
            continue
        srcs = sorted(g["source"].tolist())
        for a in g.loc[g["agg"], "source"]:
            for b in srcs:
                pair = tuple(sorted((a, b)))
                if a != b and pair not in seen:
                    seen.add(pair)  # type: ignore[arg-type]
    for a, b in sorted(seen):
        ka = set(keys.loc[keys["source"] == a, "key"])
        kb = set(keys.loc[keys["source"] == b, "key"])
        n = len(ka & kb)
        out.append(
            f"{a} and {b} both report usage for the same provider, model and day ({n} such day/model pair{'s' if n != 1 else ''}): "
            "if one is a copy or summary of the other (CSV and API export, or an export of these logs), "
            "the totals count that usage twice; analyse them separately"
        )
    return out


def _future_rows(table: pd.DataFrame) -> tuple[int, pd.Timestamp] | None:
    """Rows dated more than a day after now (a day of slack for clocks and time zones)."""
    times = table["time"]
    if not len(times):
        return None
    late = times > pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)
    n = int(late.sum())
    return (n, times[late].max()) if n else None


def _data_warnings(p: Prepared) -> list[str]:
    out: list[str] = overlap_warnings(p.original)
    unp = p.unpriced
    if len(unp):
        model = unp["model"].astype("string").fillna("")
        no_model = unp.loc[(model == "") | (model == UNKNOWN)]
        if len(no_model):
            aggregated = no_model.loc[no_model["source_format"].astype(str).isin(list(AGGREGATED_FORMATS))]
            hint = (
                "; the usage export was not grouped by model: export it again grouped by model "
                "(Usage API group_by=model, or 'group by model' in the dashboard)"
                if len(aggregated)
                else ""
            )
            n_req = int(no_model["requests"].sum())
            out.append(f"{n_req:,} request(s) in {len(no_model):,} row(s) name no model and cannot be priced{hint}")
    if p.missing_time_rows:
        out.append(f"{p.missing_time_rows:,} rows have no time: left out of the daily trend, forecast and anomalies")
    future = _future_rows(p.original)
    if future is not None:
        n, latest = future
        out.append(
            f"{n:,} row(s) dated in the future (latest {latest:%Y-%m-%d %H:%M} UTC): a wrong clock or time unit "
            "in the file? They are priced at the latest prices and counted in the trend"
        )
    df = p.rows
    usage = df["usage"].to_numpy(dtype="bool")
    cost_only = df.loc[~usage]
    if len(cost_only) and usage.any():
        u_days = set(df.loc[usage, "day"].dropna().unique().tolist())
        c_days = set(cost_only["day"].dropna().unique().tolist())
        overlap = len(u_days & c_days)
        if overlap:
            out.append(
                f"cost-only rows ({', '.join(sorted(set(cost_only['source'].astype(str))))}) and usage rows cover "
                f"{overlap} common day{'s' if overlap != 1 else ''}: if they describe the same spend, the totals "
                "count it twice; analyse usage and cost exports separately"
            )
    return out
