"""``llmcost report``: one self-contained HTML file with charts and tables.

Why inline SVG drawn in Python, and no chart library
-----------------------------------------------------
The report must open by double-click, be e-mailed as one attachment and show
with no network at view time. A JavaScript chart library would have to be
vendored into the package and inlined into every report (50-250 KB minified
per library, a licence to carry, and a second code path to test), and the
charts would only exist once its script ran. Here every chart is plain SVG
built from already-aggregated numbers, so it:

* draws with JavaScript disabled (mail previews, locked-down viewers) and
  prints; every mark carries a ``<title>``, the browser's native tooltip;
* needs no external file or font (system font stack), so the file stays
  self-contained; a Content-Security-Policy ``<meta>`` (``default-src
  'none'``) makes the browser refuse any network load even if one slipped in,
  and allows only the report's own script, by its SHA-256 hash;
* stays small: the charts use aggregates only (daily cost × top models,
  top-N breakdowns, the top-N most expensive requests), never one element per
  request, so a 1,000,000-request log gives a report of a few hundred KB.

A ~60-line inline script adds what SVG alone cannot: sortable tables (click a
header), tooltips that also work on touch screens (tap a bar), and a
self-check that records on each chart how many marks the browser laid out
(``data-drawn``) and any script error (``#js-errors``), which the headless
browser test reads back.

Every string from the logs (model, app, user, feature names, request ids,
file names) goes through :func:`html.escape`; the script reads only DOM
attributes, never data embedded as code.

Light and dark mode follow ``prefers-color-scheme`` through CSS variables;
the layout is a responsive grid, and wide tables scroll inside their card on
a phone.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..analyze.fmt import compact, count, money, pct, plural
from ..analyze.model import OTHER, UNKNOWN, Analysis, Breakdown

TOP_MODELS = 8  # series in the daily chart; the rest are "(other)"
WEEKLY_AFTER_DAYS = 186  # longer logs are charted per ISO week (Monday)
CHANGE_WINDOW = 7  # days compared in "change vs previous period"
PALETTE_SIZE = 10
BREAKDOWN_DIMENSIONS: tuple[str, ...] = ("model", "app", "user", "feature")
SECTION_IDS: tuple[str, ...] = (
    "summary",
    "daily",
    "breakdowns",
    "tokens",
    "cache",
    "whatif",
    "top-requests",
    "anomalies",
    "budgets",
)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class DailyByModel:
    """Cost per time bucket (day, or ISO week for long logs) per top model."""

    bucket: str  # "day" or "week"
    labels: list[str]  # YYYY-MM-DD of each bucket's first day
    series: list[tuple[str, list[float]]]  # (model, cost per bucket), biggest first


@dataclass(frozen=True)
class CachePoint:
    date: str
    ratio: float | None  # cache read / all input tokens; None when no input
    cache_read_tokens: int
    input_tokens_all: int


@dataclass(frozen=True)
class Change:
    """Cost of the last ``days`` days against the ``days`` days before."""

    available: bool
    days: int
    current_usd: float
    previous_usd: float
    reason: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.available or self.previous_usd <= 0:
            return None
        return self.current_usd / self.previous_usd - 1.0


@dataclass(frozen=True)
class Savings:
    monthly_usd: float
    label: str  # where the figure comes from


@dataclass(frozen=True)
class WaterfallStep:
    name: str
    cost_before_usd: float
    cost_after_usd: float
    requests_affected: int
    notes: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)

    @property
    def savings_usd(self) -> float:
        return self.cost_before_usd - self.cost_after_usd


@dataclass(frozen=True)
class Waterfall:
    """The whatif result in report terms (costs over the analysed period)."""

    baseline_usd: float
    scenario_usd: float
    monthly_factor: float
    steps: list[WaterfallStep]
    errors: list[str]


@dataclass(frozen=True)
class BudgetLine:
    """One budget's status, as the budget checker reports it."""

    name: str
    period: str  # "daily" / "monthly"
    limit_usd: float
    spent_usd: float
    status: str  # "ok", "warning", "exceeded" (anything else is shown as is)
    projected_usd: float | None = None
    breach_date: str = ""
    detail: str = ""

    @property
    def used(self) -> float | None:
        return self.spent_usd / self.limit_usd if self.limit_usd > 0 else None


@dataclass(frozen=True)
class ReportData:
    """Everything the HTML shows: the analysis plus a few chart aggregates."""

    title: str
    generated_at: str
    analysis: Analysis
    daily: DailyByModel
    cache: list[CachePoint]
    change: Change
    savings: Savings
    waterfall: Waterfall | None = None
    budgets: list[BudgetLine] | None = None
    budget_note: str = ""


def report_data(
    priced: pd.DataFrame,
    analysis: Analysis,
    *,
    whatif: Any = None,
    budgets: Sequence[BudgetLine] | None = None,
    budget_note: str = "",
    title: str = "LLM cost report",
    now: pd.Timestamp | None = None,
    top_models: int = TOP_MODELS,
) -> ReportData:
    """Aggregate ``priced`` (the table given to :func:`llmcost.analyze.analyze`)
    into the chart series, vectorised (no per-row Python)."""
    rows = _priced_dated(priced)
    daily = daily_by_model(rows, top_models)
    waterfall = waterfall_from(whatif) if whatif is not None else None
    stamp = (now or pd.Timestamp.now(tz="UTC")).strftime("%Y-%m-%d %H:%M UTC")
    return ReportData(
        title=title,
        generated_at=stamp,
        analysis=analysis,
        daily=daily,
        cache=cache_series(rows),
        change=change_vs_previous([p.cost_usd for p in analysis.trend]),
        savings=savings_available(analysis, waterfall),
        waterfall=waterfall,
        budgets=list(budgets) if budgets is not None else None,
        budget_note=budget_note,
    )


def _priced_dated(priced: pd.DataFrame) -> pd.DataFrame:
    ok = priced["priced"].fillna(False).to_numpy(dtype=bool) & priced["time"].notna().to_numpy(dtype=bool)
    cols = ["time", "model", "cost_usd", "input_tokens", "cache_read_tokens", "cache_write_tokens"]
    sub = priced.loc[ok, cols] if not ok.all() else priced[cols]
    return pd.DataFrame(
        {
            "day": sub["time"].dt.floor("D").dt.tz_convert(None).to_numpy(),
            "model": sub["model"].fillna("").astype(str).to_numpy(),
            "cost_usd": np.nan_to_num(sub["cost_usd"].to_numpy(dtype="float64")),
            "input_tokens": sub["input_tokens"].to_numpy(dtype="int64"),
            "cache_read_tokens": sub["cache_read_tokens"].to_numpy(dtype="int64"),
            "cache_write_tokens": sub["cache_write_tokens"].to_numpy(dtype="int64"),
        }
    )


def _day_index(days: pd.Series) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each row's position in the gap-free range of days from first to last."""
    ns = days.to_numpy().astype("datetime64[ns]").astype("int64")
    first = int(ns.min())
    idx = (ns - first) // (86_400 * 10**9)
    return idx, pd.date_range(pd.Timestamp(first), periods=int(idx.max()) + 1, freq="D")


def daily_by_model(rows: pd.DataFrame, top_models: int = TOP_MODELS) -> DailyByModel:
    """Cost per day (per ISO week past :data:`WEEKLY_AFTER_DAYS`) for the
    ``top_models`` costliest models, the rest summed as ``(other)``."""
    if len(rows) == 0:
        return DailyByModel(bucket="day", labels=[], series=[])
    day_idx, days = _day_index(rows["day"])
    bucket = "day"
    if len(days) > WEEKLY_AFTER_DAYS:
        bucket = "week"
        monday = days - pd.to_timedelta(days.day_of_week, unit="D")
        week_codes, weeks = pd.factorize(monday)
        day_idx = np.asarray(week_codes)[day_idx]
        days = pd.DatetimeIndex(weeks)
    codes, names = pd.factorize(rows["model"].to_numpy())
    names = np.where(names == "", UNKNOWN, names)
    cost = rows["cost_usd"].to_numpy()
    per_model = np.bincount(codes, weights=cost, minlength=len(names))
    order = np.argsort(-per_model, kind="stable")
    keep = order[:top_models] if len(order) > top_models else order
    slot = np.full(len(names), len(keep), dtype="int64")
    slot[keep] = np.arange(len(keep))
    k = len(keep) + (1 if len(order) > len(keep) else 0)
    grid = np.bincount(day_idx * k + slot[codes], weights=cost, minlength=len(days) * k).reshape(len(days), k)
    series = [(str(names[m]), grid[:, i].tolist()) for i, m in enumerate(keep)]
    if k > len(keep):
        series.append((OTHER, grid[:, k - 1].tolist()))
    return DailyByModel(bucket=bucket, labels=days.strftime("%Y-%m-%d").tolist(), series=series)


def cache_series(rows: pd.DataFrame) -> list[CachePoint]:
    """Daily cache hit ratio: cache read / (uncached input + cache read + cache write)."""
    if len(rows) == 0:
        return []
    day_idx, days = _day_index(rows["day"])
    n = len(days)
    read = np.bincount(day_idx, weights=rows["cache_read_tokens"].to_numpy(dtype="float64"), minlength=n)
    other = rows["input_tokens"].to_numpy(dtype="float64") + rows["cache_write_tokens"].to_numpy(dtype="float64")
    total = read + np.bincount(day_idx, weights=other, minlength=n)
    labels = days.strftime("%Y-%m-%d").tolist()
    return [
        CachePoint(date=d, ratio=(float(r / t) if t > 0 else None), cache_read_tokens=int(r), input_tokens_all=int(t))
        for d, r, t in zip(labels, read.tolist(), total.tolist())
    ]


def change_vs_previous(daily_costs: Sequence[float], window: int = CHANGE_WINDOW) -> Change:
    """The last ``k`` days against the ``k`` days before, ``k = min(window, days // 2)``."""
    k = min(window, len(daily_costs) // 2)
    if k < 1:
        return Change(available=False, days=0, current_usd=0.0, previous_usd=0.0,
                      reason="needs at least 2 days of data")
    cur = float(sum(daily_costs[-k:]))
    prev = float(sum(daily_costs[-2 * k : -k]))
    return Change(available=True, days=k, current_usd=cur, previous_usd=prev)


def savings_available(analysis: Analysis, waterfall: Waterfall | None) -> Savings:
    """With levers: the whatif's combined monthly saving. Without: the largest
    single suggestion (suggestions overlap, so they are never added up)."""
    if waterfall is not None and waterfall.steps:
        monthly = (waterfall.baseline_usd - waterfall.scenario_usd) * waterfall.monthly_factor
        return Savings(monthly_usd=monthly, label="per month with the chosen levers (whatif)")
    if analysis.suggestions:
        best = max(analysis.suggestions, key=lambda s: s.monthly_savings_usd)
        return Savings(monthly_usd=best.monthly_savings_usd, label=f"per month, largest suggestion: {best.title}")
    return Savings(monthly_usd=0.0, label="no saving found in this data")


def waterfall_from(whatif: Any) -> Waterfall:
    """Adapt :class:`llmcost.simulate.WhatIf` (duck-typed, to keep imports light)."""
    return Waterfall(
        baseline_usd=float(whatif.baseline_cost_usd),
        scenario_usd=float(whatif.scenario_cost_usd),
        monthly_factor=float(whatif.monthly_factor),
        steps=[
            WaterfallStep(
                name=str(s.name),
                cost_before_usd=float(s.cost_before_usd),
                cost_after_usd=float(s.cost_after_usd),
                requests_affected=int(s.requests_affected),
                notes=[str(x) for x in s.notes],
                risks=[str(x) for x in s.risks],
            )
            for s in whatif.steps
        ],
        errors=[str(e) for e in whatif.errors],
    )


# --------------------------------------------------------------------------- SVG


def esc(value: Any) -> str:
    """Escape text for HTML/SVG text and attribute values (quotes included)."""
    return html.escape(str(value), quote=True)


def _num(x: float) -> str:
    """Compact coordinate: at most one decimal."""
    r = round(x, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def nice_ticks(top: float, n: int = 4) -> list[float]:
    """0 and ``n``-ish round steps (1, 2, 2.5, 5 × 10^k) covering ``top``."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    k = math.ceil(top / step - 1e-9)
    return [i * step for i in range(k + 1)]


def _money_tick(v: float) -> str:
    if v == 0:
        return "$0"
    if v >= 1000:
        return "$" + compact(v)
    return money(v) if v < 1 else f"${v:,.0f}" if v == int(v) else f"${v:,.1f}"


def _mark(tag: str, attrs: str, tip: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<{tag}{c} {attrs} data-tip=\"{esc(tip)}\"><title>{esc(tip)}</title></{tag}>"


def _svg(name: str, width: int, height: int, body: Iterable[str], label: str) -> str:
    size = "wide" if width >= 800 else "narrow"
    return (
        f'<svg class="chart {size}" data-chart="{esc(name)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(label)}" preserveAspectRatio="xMidYMid meet">' + "".join(body) + "</svg>"
    )


def _y_axis(ticks: list[float], x0: int, x1: int, y_of: Any, fmt: Any) -> list[str]:
    out = []
    for t in ticks:
        y = _num(y_of(t))
        out.append(f'<line class="gl" x1="{x0}" x2="{x1}" y1="{y}" y2="{y}"/>')
        out.append(f'<text class="axis" x="{x0 - 6}" y="{y}" text-anchor="end" dy="0.32em">{esc(fmt(t))}</text>')
    return out


def _x_labels(labels: list[str], x_of: Any, y: float, max_labels: int = 10) -> list[str]:
    if not labels:
        return []
    every = max(1, math.ceil(len(labels) / max_labels))
    out = []
    for i in range(0, len(labels), every):
        out.append(f'<text class="axis" x="{_num(x_of(i))}" y="{_num(y)}" text-anchor="middle">{esc(labels[i][5:])}</text>')
    return out


def legend(names: Sequence[str]) -> str:
    items = "".join(f'<li><span class="sw s{i % PALETTE_SIZE}"></span>{esc(n)}</li>' for i, n in enumerate(names))
    return f'<ul class="legend">{items}</ul>'


def stacked_bars_svg(daily: DailyByModel) -> str:
    """Daily cost stacked by model; one tooltip per segment."""
    w, h, left, right, top, bottom = 800, 280, 64, 8, 12, 26
    n = len(daily.labels)
    totals = [sum(s[1][i] for s in daily.series) for i in range(n)]
    ticks = nice_ticks(max(totals, default=0.0))
    span = ticks[-1] or 1.0
    plot_w, plot_h = w - left - right, h - top - bottom
    slot = plot_w / max(n, 1)
    bar_w = max(slot * 0.8, 0.6)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - v / span)

    def x_of(i: int) -> float:
        return left + slot * (i + 0.5)

    body = _y_axis(ticks, left, w - right, y_of, _money_tick)
    what = "week of " if daily.bucket == "week" else ""
    for i, label in enumerate(daily.labels):
        base = 0.0
        for j, (name, values) in enumerate(daily.series):
            v = values[i]
            if v <= 0:
                continue
            y1, y0 = y_of(base + v), y_of(base)
            tip = f"{what}{label} · {name}: {money(v)} (day total {money(totals[i])})"
            attrs = (f'x="{_num(x_of(i) - bar_w / 2)}" y="{_num(y1)}" width="{_num(bar_w)}" '
                     f'height="{_num(max(y0 - y1, 0.5))}"')
            body.append(_mark("rect", attrs, tip, f"s{j % PALETTE_SIZE}"))
            base += v
    body += _x_labels(daily.labels, x_of, h - 8)
    return _svg("daily", w, h, body, "Daily cost by model")


def hbars_svg(name: str, rows: Sequence[tuple[str, float, str]], *, unit: str = "money") -> str:
    """Horizontal bars: (label, value, tooltip) per row, longest first."""
    w, left, row_h, right = 560, 190, 22, 86
    h = row_h * len(rows) + 8
    top = max((v for _, v, _ in rows), default=0.0) or 1.0
    body = []
    for i, (label, value, tip) in enumerate(rows):
        y = 4 + i * row_h
        short = label if len(label) <= 24 else label[:23] + "…"
        bw = max((w - left - right) * value / top, 0.8 if value > 0 else 0.0)
        body.append(f'<text class="lbl" x="{left - 6}" y="{y + 15}" text-anchor="end">{esc(short)}</text>')
        body.append(_mark("rect", f'x="{left}" y="{y + 3}" width="{_num(bw)}" height="{row_h - 6}"', tip,
                          f"s{i % PALETTE_SIZE}"))
        text = money(value) if unit == "money" else pct(value)
        body.append(f'<text class="val" x="{_num(left + bw + 5)}" y="{y + 15}">{esc(text)}</text>')
    return _svg(name, w, h, body, f"Cost by {name}")


def share_bar_svg(name: str, parts: Sequence[tuple[str, float, str]]) -> str:
    """One 100 % stacked bar (token mix): (label, value, tooltip) per part."""
    w, h = 800, 34
    total = sum(v for _, v, _ in parts) or 1.0
    x = 0.0
    body = []
    for i, (_, value, tip) in enumerate(parts):
        bw = w * value / total
        if value > 0:
            body.append(_mark("rect", f'x="{_num(x)}" y="2" width="{_num(max(bw, 0.8))}" height="{h - 4}"', tip,
                              f"s{i % PALETTE_SIZE}"))
        x += bw
    return _svg(name, w, h, body, name)


def line_svg(points: Sequence[CachePoint]) -> str:
    """Cache hit ratio per day, 0-100 %; gaps where a day has no input."""
    w, h, left, right, top, bottom = 800, 220, 48, 10, 10, 26
    n = len(points)
    plot_w, plot_h = w - left - right, h - top - bottom
    slot = plot_w / max(n, 1)

    def x_of(i: int) -> float:
        return left + slot * (i + 0.5)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - v)

    body = _y_axis([0.0, 0.25, 0.5, 0.75, 1.0], left, w - right, y_of, lambda t: f"{t * 100:.0f}%")
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, p in enumerate(points):
        if p.ratio is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_num(x_of(i))},{_num(y_of(p.ratio))}")
    if segment:
        segments.append(segment)
    body += [f'<polyline class="line" points="{" ".join(s)}"/>' for s in segments]
    r = 3 if n <= 90 else 1.8
    for i, p in enumerate(points):
        if p.ratio is None:
            continue
        tip = f"{p.date}: {pct(p.ratio)} of input tokens read from cache ({count(p.cache_read_tokens)} of {count(p.input_tokens_all)})"
        body.append(_mark("circle", f'cx="{_num(x_of(i))}" cy="{_num(y_of(p.ratio))}" r="{r}"', tip, "dot"))
    body += _x_labels([p.date for p in points], x_of, h - 8)
    return _svg("cache", w, h, body, "Cache hit ratio per day")


def waterfall_svg(wf: Waterfall) -> str:
    """Baseline → one floating bar per lever (its saving) → scenario."""
    bars: list[tuple[str, float, float, str, str]] = [
        ("baseline", 0.0, wf.baseline_usd, "wf-total", f"baseline: {money(wf.baseline_usd)}")
    ]
    for s in wf.steps:
        lo, hi = sorted((s.cost_after_usd, s.cost_before_usd))
        kind = "wf-save" if s.savings_usd >= 0 else "wf-cost"
        verb = "saves" if s.savings_usd >= 0 else "adds"
        tip = (f"{s.name}: {verb} {money(abs(s.savings_usd))} ({money(s.cost_before_usd)} → "
               f"{money(s.cost_after_usd)}; {plural(s.requests_affected, 'request')})")
        bars.append((s.name, lo, hi, kind, tip))
    bars.append(("after levers", 0.0, wf.scenario_usd, "wf-total", f"after levers: {money(wf.scenario_usd)}"))
    w, h, left, right, top, bottom = 800, 260, 64, 8, 12, 26
    ticks = nice_ticks(max(wf.baseline_usd, max((b[2] for b in bars), default=0.0)))
    span = ticks[-1] or 1.0
    plot_w, plot_h = w - left - right, h - top - bottom
    slot = plot_w / len(bars)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - v / span)

    body = _y_axis(ticks, left, w - right, y_of, _money_tick)
    for i, (label, lo, hi, kind, tip) in enumerate(bars):
        x = left + slot * i + slot * 0.15
        y1, y0 = y_of(hi), y_of(lo)
        body.append(_mark("rect", f'x="{_num(x)}" y="{_num(y1)}" width="{_num(slot * 0.7)}" height="{_num(max(y0 - y1, 0.8))}"',
                          tip, kind))
        cx = _num(left + slot * (i + 0.5))
        body.append(f'<text class="axis" x="{cx}" y="{h - 8}" text-anchor="middle">{esc(label)}</text>')
    return _svg("waterfall", w, h, body, "Savings waterfall")


def budget_svg(budgets: Sequence[BudgetLine]) -> str:
    """Spend as a share of each limit; the 100 % line marked."""
    w, left, row_h, right = 560, 170, 24, 70
    h = row_h * len(budgets) + 8
    scale_top = max([1.0] + [min(b.used or 0.0, 2.0) for b in budgets])
    plot = w - left - right
    body = []
    for i, b in enumerate(budgets):
        y = 4 + i * row_h
        used = b.used or 0.0
        bw = max(plot * min(used, 2.0) / scale_top, 0.8)
        cls = {"ok": "b-ok", "warning": "b-warn", "exceeded": "b-over"}.get(b.status, "b-warn")
        tip = f"{b.name} ({b.period}): {money(b.spent_usd)} of {money(b.limit_usd)} ({pct(b.used)}) · {b.status}"
        short = b.name if len(b.name) <= 26 else b.name[:25] + "…"
        body.append(f'<text class="lbl" x="{left - 6}" y="{y + 16}" text-anchor="end">{esc(short)}</text>')
        body.append(_mark("rect", f'x="{left}" y="{y + 4}" width="{_num(bw)}" height="{row_h - 8}"', tip, cls))
        body.append(f'<text class="val" x="{_num(left + bw + 5)}" y="{y + 16}">{esc(pct(b.used, digits=0))}</text>')
    x100 = _num(left + plot / scale_top)
    body.append(f'<line class="limit" x1="{x100}" x2="{x100}" y1="0" y2="{h}"/>')
    return _svg("budgets", w, h, body, "Budget use")


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Col:
    title: str
    numeric: bool = False
    long: bool = False  # free text that should wrap (notes, details)


Cell = tuple[str, Any]  # (display text, sort value: a number, or None for "no value")


def table_html(name: str, cols: Sequence[Col], rows: Iterable[Sequence[Cell]]) -> str:
    """A sortable table. Each cell is (display text, sort value); numeric
    columns sort on the value, text columns on the text."""
    head = "".join(
        f'<th scope="col" data-type="{"num" if c.numeric else "text"}" tabindex="0">{esc(c.title)}</th>' for c in cols
    )
    body = []
    for r in rows:
        cells = []
        for c, (text, value) in zip(cols, r):
            if c.numeric:
                v = "" if value is None or not math.isfinite(float(value)) else repr(float(value))
                cells.append(f'<td class="num" data-v="{v}">{esc(text)}</td>')
            else:
                cells.append(f'<td class="long">{esc(text)}</td>' if c.long else f"<td>{esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="scroll"><table class="sortable" data-table="{esc(name)}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _n(x: float) -> tuple[str, float]:
    return count(x), float(x)


def _m(x: float | None) -> tuple[str, float | None]:
    return money(x), x


def _t(x: Any) -> tuple[str, str]:
    s = "" if x is None else str(x)
    return s, s


# --------------------------------------------------------------------------- sections


def _card(label: str, value: str, sub: str, key: str, tone: str = "") -> str:
    t = f" {tone}" if tone else ""
    return (f'<div class="card{t}" data-card="{esc(key)}"><div class="label">{esc(label)}</div>'
            f'<div class="value">{esc(value)}</div><div class="sub">{esc(sub)}</div></div>')


def _section(sid: str, title: str, body: str, note: str = "") -> str:
    n = f'<p class="note">{esc(note)}</p>' if note else ""
    return f'<section id="{sid}" data-section="{sid}"><h2>{esc(title)}</h2>{n}{body}</section>'


def summary_section(d: ReportData) -> str:
    a = d.analysis
    p = a.period
    when = (f"{p.start:%Y-%m-%d} to {p.end:%Y-%m-%d} ({p.days} day{'s' if p.days != 1 else ''})"
            if p.start is not None and p.end is not None else "no times in the data")
    cards = [_card("Period cost", money(a.totals.cost_usd), f"{when} · {plural(a.totals.requests, 'request')}", "cost")]
    f = a.forecast
    if f.available:
        sub = f"range {money(f.low_usd)} – {money(f.high_usd)} · {money(f.month_to_date_usd)} so far"
        next30 = getattr(f, "next_30_days_usd", None)  # present when the forecast has the 30-day outlook
        if next30 is not None:
            sub += (f" · next 30 days {money(next30)} ({money(getattr(f, 'next_30_days_low_usd', None))} – "
                    f"{money(getattr(f, 'next_30_days_high_usd', None))})")
        cards.append(_card(f"Month-end forecast ({f.month})", money(f.projected_usd), sub, "forecast"))
    else:
        # the reason already says "cannot project: ..." (analyze.forecast)
        cards.append(_card("Month-end forecast", "n/a", f.reason, "forecast", "muted"))
    c = d.change
    if c.available and c.ratio is not None:
        tone = "up" if c.ratio > 0 else "down"
        cards.append(_card(f"Last {plural(c.days, 'day')} vs previous {c.days}", pct(c.ratio, signed=True),
                           f"{money(c.current_usd)} vs {money(c.previous_usd)}", "change", tone))
    elif c.available:
        cards.append(_card(f"Last {plural(c.days, 'day')} vs previous {c.days}", money(c.current_usd),
                           f"previous {plural(c.days, 'day')}: {money(c.previous_usd)}", "change", "muted"))
    else:
        cards.append(_card("Change vs previous period", "n/a", c.reason, "change", "muted"))
    cards.append(_card("Savings available", money(d.savings.monthly_usd), d.savings.label, "savings", "good"))
    extra = []
    t = a.totals
    if t.unpriced_rows:
        extra.append(f"{plural(t.unpriced_requests, 'request')} ({plural(t.unpriced_rows, 'row')}) could not be priced and "
                     "are not in the costs; see Unpriced below.")
    body = f'<div class="cards">{"".join(cards)}</div>' + "".join(f'<p class="warn">{esc(x)}</p>' for x in extra)
    if f.available:
        body += f'<p class="note">Forecast method: {esc(f.method)}.</p>'
    return _section("summary", "Summary", body)


def daily_section(d: ReportData) -> str:
    if not d.daily.labels:
        return _section("daily", "Daily cost by model", '<p class="empty">No dated, priced rows.</p>')
    title = "Weekly cost by model" if d.daily.bucket == "week" else "Daily cost by model"
    note = "UTC days; the top models by cost, the rest as (other)."
    if d.daily.bucket == "week":
        note = f"The log spans more than {WEEKLY_AFTER_DAYS} days, so bars are ISO weeks (from Monday, UTC)."
    body = f'<div class="panel">{stacked_bars_svg(d.daily)}{legend([s[0] for s in d.daily.series])}</div>'
    return _section("daily", title, body, note)


def _breakdown_block(dim: str, b: Breakdown) -> str:
    # "(other)" sums many keys: drawn, it would dwarf the bars that matter; it stays in the table
    rows = [(r.key, r.cost_usd, f"{r.key}: {money(r.cost_usd)} ({pct(r.share)}), {plural(r.requests, 'request')}")
            for r in b.rows if r.key != OTHER]
    cols = [Col(dim.capitalize()), Col("Requests", True), Col("Tokens", True), Col("Cost", True), Col("Share", True)]
    if dim == "model":
        cols.insert(1, Col("Provider"))
    table_rows = []
    for r in b.rows:
        cells: list[tuple[str, Any]] = [_t(r.key)]
        if dim == "model":
            cells.append(_t(r.provider or ""))
        cells += [_n(r.requests), _n(r.tokens), _m(r.cost_usd), (pct(r.share), r.share)]
        table_rows.append(cells)
    more = f" (top {len(b.rows) - (1 if b.truncated else 0)} of {b.total_keys})" if b.truncated else ""
    return (f'<div class="panel half"><h3>By {esc(dim)}{esc(more)}</h3>{hbars_svg(dim, rows)}'
            f"{table_html(dim, cols, table_rows)}</div>")


def breakdowns_section(d: ReportData) -> str:
    blocks = [_breakdown_block(dim, d.analysis.breakdowns[dim])
              for dim in BREAKDOWN_DIMENSIONS if dim in d.analysis.breakdowns and d.analysis.breakdowns[dim].rows]
    body = f'<div class="grid">{"".join(blocks)}</div>' if blocks else '<p class="empty">No priced rows.</p>'
    return _section("breakdowns", "Cost by model, app, user and feature", body,
                    "Empty keys show as (unknown); keys past the top N are summed as (other).")


def tokens_section(d: ReportData) -> str:
    t = d.analysis.totals
    kinds = [
        ("input (uncached)", t.input_tokens, t.cost_input_usd),
        ("cache read", t.cache_read_tokens, t.cost_cache_read_usd),
        ("cache write", t.cache_write_tokens, t.cost_cache_write_usd),
        ("output", t.output_tokens, t.cost_output_usd),
    ]
    all_tokens = sum(k[1] for k in kinds) or 1
    all_cost = sum(k[2] for k in kinds) or 1.0
    tok_parts = [(k, float(n), f"{k}: {count(n)} tokens ({pct(n / all_tokens)})") for k, n, _ in kinds]
    cost_parts = [(k, c, f"{k}: {money(c)} ({pct(c / all_cost)} of token cost)") for k, _, c in kinds]
    rows = [[_t(k), _n(n), (pct(n / all_tokens), n / all_tokens), _m(c), (pct(c / all_cost), c / all_cost)]
            for k, n, c in kinds]
    if t.web_search_requests or t.cost_web_search_usd:
        rows.append([_t("web search"), (plural(t.web_search_requests, "search", "searches"), t.web_search_requests),
                     ("", None), _m(t.cost_web_search_usd), ("", None)])
    if t.cost_other_usd:
        rows.append([_t("other (cost-only rows, request fees)"), ("", None), ("", None), _m(t.cost_other_usd), ("", None)])
    cols = [Col("Kind"), Col("Tokens", True), Col("Token share", True), Col("Cost", True), Col("Cost share", True)]
    body = (f'<div class="panel"><h3>Tokens</h3>{share_bar_svg("token-mix", tok_parts)}'
            f'<h3>Cost</h3>{share_bar_svg("token-cost", cost_parts)}{legend([k[0] for k in kinds])}'
            f'{table_html("tokens", cols, rows)}</div>')
    return _section("tokens", "Token mix", body, "Disjoint billing quantities: reasoning tokens are part of output.")


def cache_section(d: ReportData) -> str:
    s = d.analysis.shares
    if not s.cache_info_available:
        return _section("cache", "Cache hit ratio", '<p class="empty">The sources carry no cache token fields, so '
                        "the cache hit ratio is unknown.</p>")
    if not any(p.ratio is not None for p in d.cache):
        return _section("cache", "Cache hit ratio", '<p class="empty">No input tokens on dated rows.</p>')
    note = f"Cache read tokens / all input tokens, per UTC day. Whole period: {pct(s.cache_hit_ratio)}."
    return _section("cache", "Cache hit ratio over time", f'<div class="panel">{line_svg(d.cache)}</div>', note)


def whatif_section(d: ReportData) -> str:
    wf = d.waterfall
    if wf is None:
        return _section("whatif", "What if", '<p class="empty">No levers given. Add --route, --cache, --batch, '
                        "--max-output... to see the savings waterfall.</p>")
    errs = "".join(f'<p class="warn">{esc(e)}</p>' for e in wf.errors)
    if not wf.steps:
        return _section("whatif", "What if", errs + '<p class="empty">No lever could run.</p>')
    f = wf.monthly_factor
    cols = [Col("Lever"), Col("Requests affected", True), Col("Saving", True), Col("Per month", True),
            Col("Notes and risks", long=True)]
    rows = [
        [_t(s.name), _n(s.requests_affected), _m(s.savings_usd), _m(s.savings_usd * f),
         _t("; ".join([*s.notes, *("risk: " + r for r in s.risks)]))]
        for s in wf.steps
    ]
    total = wf.baseline_usd - wf.scenario_usd
    note = (f"Levers applied in order on the same traffic: {money(wf.baseline_usd)} → {money(wf.scenario_usd)}, "
            f"saving {money(total)} ({money(total * f)} per month). Estimates on stated assumptions.")
    body = errs + f'<div class="panel">{waterfall_svg(wf)}{table_html("whatif", cols, rows)}</div>'
    return _section("whatif", "What if: savings waterfall", body, note)


def top_requests_section(d: ReportData) -> str:
    calls = d.analysis.top_calls
    if not calls:
        return _section("top-requests", "Most expensive requests", '<p class="empty">No priced per-request rows '
                        "(aggregated exports have no single requests).</p>")
    cols = [Col("Time (UTC)"), Col("Model"), Col("App"), Col("User"), Col("Request id"), Col("Input", True),
            Col("Cache read", True), Col("Cache write", True), Col("Output", True), Col("Cost", True), Col("Source")]
    rows = [
        [_t(f"{c.time:%Y-%m-%d %H:%M:%S}" if c.time is not None and not pd.isna(c.time) else ""), _t(c.model),
         _t(c.app), _t(c.user), _t(c.request_id), _n(c.input_tokens), _n(c.cache_read_tokens),
         _n(c.cache_write_tokens), _n(c.output_tokens), _m(c.cost_usd), _t(f"{c.source}:{c.source_row}")]
        for c in calls
    ]
    return _section("top-requests", "Most expensive requests", table_html("top-requests", cols, rows))


def anomalies_section(d: ReportData) -> str:
    found = d.analysis.anomalies
    if not found:
        return _section("anomalies", "Anomalies", '<p class="empty">No day, hour or request stands out from its '
                        "own baseline (or the log is too short to tell: days and hours need 7 days of "
                        "history).</p>")
    cols = [Col("Kind"), Col("Date / hour (UTC)"), Col("Model / app"), Col("Cost", True), Col("Expected", True),
            Col("Excess", True), Col("Likely cause"), Col("Detail", long=True)]
    rows = [
        [_t(x.kind), _t(x.date), _t(" / ".join(v for v in (x.model, x.app) if v)), _m(x.cost_usd),
         _m(x.expected_usd), _m(x.excess_usd), _t(x.cause),
         _t(x.detail + (f" [{x.source}:{x.source_row}]" if x.source and x.source_row else ""))]
        for x in found
    ]
    return _section("anomalies", "Anomalies", table_html("anomalies", cols, rows),
                    "Days far above the median of their previous 14 days (median + 3 MAD); hours far above the "
                    "same hour of day on those days (logs with per-request times); requests far above their "
                    "app's p95.")


def budgets_section(d: ReportData) -> str:
    if d.budgets is None:
        note = d.budget_note or "No budgets file given (--budgets budgets.yaml)."
        return _section("budgets", "Budgets", f'<p class="empty">{esc(note)}</p>')
    if not d.budgets:
        return _section("budgets", "Budgets", '<p class="empty">The budgets file defines no budget.</p>')
    cols = [Col("Budget"), Col("Period"), Col("Limit", True), Col("Spent", True), Col("Used", True),
            Col("Projected", True), Col("Status"), Col("Breach date"), Col("Detail", long=True)]
    rows = [
        [_t(b.name), _t(b.period), _m(b.limit_usd), _m(b.spent_usd), (pct(b.used), b.used),
         _m(b.projected_usd) if b.projected_usd is not None else ("", None), _t(b.status), _t(b.breach_date),
         _t(b.detail)]
        for b in d.budgets
    ]
    body = f'<div class="panel">{budget_svg(d.budgets)}{table_html("budgets", cols, rows)}</div>'
    return _section("budgets", "Budget status", body, d.budget_note)


def footer_section(d: ReportData) -> str:
    a = d.analysis
    parts = []
    if a.unpriced:
        cols = [Col("Model"), Col("Provider"), Col("Requests", True), Col("Rows", True), Col("Files")]
        rows = [[_t(u.model or UNKNOWN), _t(u.provider), _n(u.requests), _n(u.rows), _t(", ".join(u.sources))]
                for u in a.unpriced]
        parts.append(f'<h3>Unpriced</h3>{table_html("unpriced", cols, rows)}')
    if a.files:
        cols = [Col("File"), Col("Format"), Col("Rows", True)]
        parts.append(f'<h3>Files</h3>{table_html("files", cols, [[_t(f.file), _t(f.format), _n(f.rows)] for f in a.files])}')
    notes = list(a.warnings)
    if a.skipped_rows:
        notes.insert(0, f"{plural(a.skipped_rows, 'malformed row')} skipped (--skip-bad)")
    if a.duplicates_dropped:
        notes.insert(0, f"{plural(a.duplicates_dropped, 'duplicate row')} dropped")
    if notes:
        parts.append("<h3>Warnings</h3><ul>" + "".join(f"<li>{esc(w)}</li>" for w in notes) + "</ul>")
    return f'<section id="sources" data-section="sources"><h2>Data</h2>{"".join(parts)}</section>' if parts else ""


# --------------------------------------------------------------------------- page

CSS = """
:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1d2430;--muted:#5b6577;--card:#fff;--line:#dde2ea;
--grid:#e6e9ef;--good:#1a7f45;--bad:#b42318;--accent:#2f5fa7;
--s0:#4e79a7;--s1:#f28e2b;--s2:#e15759;--s3:#76b7b2;--s4:#59a14f;--s5:#edc948;--s6:#b07aa1;--s7:#ff9da7;
--s8:#9c755f;--s9:#a0a4ab}
@media (prefers-color-scheme:dark){:root{--bg:#11151c;--fg:#e6e9ef;--muted:#9aa4b5;--card:#1a202a;--line:#2c3440;
--grid:#2a313c;--good:#4cc38a;--bad:#ff7b72;--accent:#7aa7e8;--s0:#6b9bd1;--s9:#6e747d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
header,main{max-width:1200px;margin:0 auto;padding:16px}
header h1{margin:8px 0 2px;font-size:1.5rem}
header p{margin:0;color:var(--muted);overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:28px 0 8px}h3{font-size:.95rem;margin:10px 0 6px;color:var(--muted)}
.note{color:var(--muted);margin:0 0 8px;font-size:.9rem;overflow-wrap:anywhere}.warn{color:var(--bad);margin:4px 0;overflow-wrap:anywhere}
.empty{color:var(--muted);font-style:italic}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px}
.card,.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;min-width:0}
.card .label{color:var(--muted);font-size:.85rem}.card .value{font-size:1.7rem;font-weight:650;margin:2px 0}
.card .sub{color:var(--muted);font-size:.85rem}
.card.up .value{color:var(--bad)}.card.down .value,.card.good .value{color:var(--good)}.card.muted .value{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:12px}
svg.chart{display:block;width:100%;height:auto;max-height:420px;overflow:visible}svg.narrow{max-width:720px}
svg text{fill:var(--muted);font-size:11px}svg .lbl{fill:var(--fg);font-size:12px}svg .val{font-size:11px}
line.gl{stroke:var(--grid);stroke-width:1}
svg [data-tip]:hover{opacity:.8}
.s0{fill:var(--s0);background:var(--s0)}.s1{fill:var(--s1);background:var(--s1)}.s2{fill:var(--s2);background:var(--s2)}
.s3{fill:var(--s3);background:var(--s3)}.s4{fill:var(--s4);background:var(--s4)}.s5{fill:var(--s5);background:var(--s5)}
.s6{fill:var(--s6);background:var(--s6)}.s7{fill:var(--s7);background:var(--s7)}.s8{fill:var(--s8);background:var(--s8)}
.s9{fill:var(--s9);background:var(--s9)}
.line{fill:none;stroke:var(--accent);stroke-width:2}.dot{fill:var(--accent)}
.wf-total{fill:var(--s0)}.wf-save{fill:var(--good)}.wf-cost{fill:var(--bad)}
.b-ok{fill:var(--good)}.b-warn{fill:var(--s5)}.b-over{fill:var(--bad)}
.limit{stroke:var(--fg);stroke-dasharray:3 3}
.legend{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.85rem}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.scroll{overflow-x:auto;margin-top:8px;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th[data-type="num"]{text-align:right}
th{cursor:pointer;user-select:none;white-space:nowrap;color:var(--muted);font-weight:600}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td{white-space:nowrap}td.long{white-space:normal;min-width:28ch;overflow-wrap:break-word}
#tip{position:fixed;z-index:9;pointer-events:none;max-width:320px;background:var(--fg);color:var(--bg);
padding:6px 9px;border-radius:6px;font-size:.82rem}
#js-errors{white-space:pre-wrap;color:var(--bad)}
footer{max-width:1200px;margin:0 auto;padding:16px;color:var(--muted);font-size:.8rem}
@media (max-width:600px){header,main{padding:10px}.card .value{font-size:1.35rem}svg.wide text{font-size:20px}
svg.narrow .lbl{font-size:14px}svg.narrow .val{font-size:14px}table{font-size:.8rem}}
@media print{#tip{display:none}.panel,.card{break-inside:avoid}}
"""

# Sortable tables, tooltips (hover, focus or tap) and a render self-check.
JS = """(function(){
var errs=document.getElementById('js-errors');
function fail(m){errs.hidden=false;errs.textContent+=m+'\\n';document.body.setAttribute('data-js-errors','1');}
window.addEventListener('error',function(e){fail('script error: '+(e.message||e));});
var tip=document.getElementById('tip');
document.querySelectorAll('svg [data-tip]').forEach(function(el){
 var t=el.querySelector('title');if(t){el.removeChild(t);}el.setAttribute('tabindex','0');});
function show(el,x,y){tip.textContent=el.getAttribute('data-tip');tip.hidden=false;
 var w=tip.offsetWidth,h=tip.offsetHeight,vw=window.innerWidth;
 tip.style.left=Math.max(4,Math.min(x+12,vw-w-4))+'px';tip.style.top=Math.max(4,y-h-10)+'px';}
function target(e){return e.target.closest?e.target.closest('[data-tip]'):null;}
document.addEventListener('pointerover',function(e){var el=target(e);if(el){show(el,e.clientX,e.clientY);}});
document.addEventListener('pointermove',function(e){var el=target(e);if(el){show(el,e.clientX,e.clientY);}});
document.addEventListener('pointerout',function(e){if(target(e)){tip.hidden=true;}});
document.addEventListener('focusin',function(e){var el=target(e);if(el){var r=el.getBoundingClientRect();show(el,r.left,r.top);}});
document.addEventListener('focusout',function(){tip.hidden=true;});
function val(tr,i,num){var c=tr.children[i];if(!c){return num?-Infinity:'';}
 if(num){var v=c.getAttribute('data-v');return v===''||v===null?-Infinity:parseFloat(v);}return c.textContent.toLowerCase();}
function sortBy(th){var table=th.closest('table'),i=Array.prototype.indexOf.call(th.parentNode.children,th);
 var num=th.getAttribute('data-type')==='num',dir=th.getAttribute('aria-sort')==='descending'?'ascending':'descending';
 if(!num&&!th.hasAttribute('aria-sort')){dir='ascending';}
 th.parentNode.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});th.setAttribute('aria-sort',dir);
 var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows),s=dir==='ascending'?1:-1;
 rows.sort(function(a,b){var x=val(a,i,num),y=val(b,i,num);return x<y?-s:x>y?s:0;});
 rows.forEach(function(r){body.appendChild(r);});}
document.querySelectorAll('table.sortable th').forEach(function(th){
 th.addEventListener('click',function(){sortBy(th);});
 th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sortBy(th);}});});
document.querySelectorAll('svg[data-chart]').forEach(function(svg){var n=0;
 svg.querySelectorAll('[data-tip]').forEach(function(el){var b=el.getBBox();if(b.width>0||b.height>0){n++;}});
 svg.setAttribute('data-drawn',String(n));});
document.body.setAttribute('data-ready','1');
})();"""


def script_hash(script: str) -> str:
    """The CSP source expression that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def csp(script: str) -> str:
    """No network, no plug-ins, no forms; only this report's own script."""
    return (f"default-src 'none'; script-src {script_hash(script)}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def render_html(d: ReportData) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    a = d.analysis
    p = a.period
    span = f"{p.start:%Y-%m-%d} – {p.end:%Y-%m-%d}" if p.start is not None and p.end is not None else ""
    sections = [
        summary_section(d),
        daily_section(d),
        breakdowns_section(d),
        tokens_section(d),
        cache_section(d),
        whatif_section(d),
        top_requests_section(d),
        anomalies_section(d),
        budgets_section(d),
        footer_section(d),
    ]
    sources = ", ".join(f.file for f in a.files[:5]) + (f" and {len(a.files) - 5} more" if len(a.files) > 5 else "")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp(JS))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        '<meta name="generator" content="llmcost">'
        f"<title>{esc(d.title)}{' · ' + esc(span) if span else ''}</title>"
        f"<style>{CSS}</style></head>\n"
        "<body>"
        f"<header><h1>{esc(d.title)}</h1><p>{esc(span)}{' · ' if span else ''}{esc(sources)}</p></header>\n"
        '<main><div id="js-errors" role="alert" hidden></div>\n'
        + "\n".join(s for s in sections if s)
        + f"\n</main><footer>Generated by llmcost on {esc(d.generated_at)}. Costs in USD from list prices and "
        "overrides; estimates are labelled as such.</footer>"
        '<div id="tip" role="tooltip" hidden></div>'
        f"<script>{JS}</script></body></html>\n"
    )


__all__ = [
    "SECTION_IDS",
    "BudgetLine",
    "CachePoint",
    "Change",
    "DailyByModel",
    "ReportData",
    "Savings",
    "Waterfall",
    "WaterfallStep",
    "cache_series",
    "change_vs_previous",
    "csp",
    "daily_by_model",
    "nice_ticks",
    "render_html",
    "report_data",
    "savings_available",
    "script_hash",
    "waterfall_from",
]
