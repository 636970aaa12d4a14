"""Pieces shared by the text renderers (terminal table and Markdown)."""

from __future__ import annotations

from typing import Any

from ..analyze.fmt import compact, count, money, pct, plural
from ..analyze.model import UNKNOWN, Analysis, Breakdown, BreakdownRow, Totals

__all__ = [
    "DIMENSION_TITLES",
    "MAX_TIME_ROWS",
    "bar",
    "compact",
    "count",
    "footer_lines",
    "forecast_line",
    "money",
    "pct",
    "period_line",
    "plural",
    "shown_rows",
    "sparkline",
    "token_cost_rows",
]

DIMENSION_TITLES: dict[str, str] = {
    "model": "Model",
    "provider": "Provider",
    "app": "App / project",
    "user": "User / key",
    "feature": "Feature",
    "session": "Session",
    "service_tier": "Service tier",
    "batch": "Batch",
    "day": "Day (UTC)",
    "week": "Week",
    "month": "Month",
}

MAX_TIME_ROWS = 31  # text reports show the last 31 days/weeks/months

_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARK = "▁▂▃▄▅▆▇█"


def bar(share: float, width: int = 12) -> str:
    """A proportional bar of ``width`` cells for a share in [0, 1] (eighth-cell precision)."""
    share = min(max(share, 0.0), 1.0)
    eighths = round(share * width * 8)
    full, rest = divmod(eighths, 8)
    out = "█" * full + (_EIGHTHS[rest] if rest else "")
    return out.ljust(width)


def sparkline(values: list[float]) -> str:
    """One character per value, scaled from 0 to the maximum; a space for 0."""
    top = max(values, default=0.0)
    if top <= 0:
        return "▁" * len(values)
    out = []
    for v in values:
        if v <= 0:
            out.append(" ")
        else:
            out.append(_SPARK[min(len(_SPARK) - 1, int(v / top * (len(_SPARK) - 1) + 0.5))])
    return "".join(out)


def shown_rows(b: Breakdown) -> list[BreakdownRow]:
    """Rows a text report shows: time breakdowns keep their last
    :data:`MAX_TIME_ROWS` periods, the earlier ones summed in a first row."""
    if b.dimension not in ("day", "week", "month"):
        return b.rows
    dated = [r for r in b.rows if not r.key.startswith("(")]
    undated = [r for r in b.rows if r.key.startswith("(")]
    if len(dated) <= MAX_TIME_ROWS:
        return b.rows
    early, late = dated[:-MAX_TIME_ROWS], dated[-MAX_TIME_ROWS:]
    unit = {"day": "days", "week": "weeks", "month": "months"}[b.dimension]
    merged = BreakdownRow(
        key=f"(earlier {len(early)} {unit})",
        requests=sum(r.requests for r in early),
        input_tokens=sum(r.input_tokens for r in early),
        cache_read_tokens=sum(r.cache_read_tokens for r in early),
        cache_write_tokens=sum(r.cache_write_tokens for r in early),
        output_tokens=sum(r.output_tokens for r in early),
        tokens=sum(r.tokens for r in early),
        cost_usd=sum(r.cost_usd for r in early),
        share=sum(r.share for r in early),
        keys=len(early),
    )
    return [merged, *late, *undated]


def period_line(a: Analysis) -> str:
    p = a.period
    if p.start is None or p.end is None:
        return "no dated rows"
    return f"{p.start:%Y-%m-%d %H:%M} to {p.end:%Y-%m-%d %H:%M} UTC ({plural(p.days, 'day')})"


def token_cost_rows(t: Totals) -> list[tuple[str, str, str, str]]:
    """(kind, tokens, cost, share of cost) for the totals table."""
    total = t.cost_usd

    def share(x: float) -> str:
        return pct(x / total) if total > 0 else "n/a"

    rows = [
        ("Input (uncached)", count(t.input_tokens), money(t.cost_input_usd), share(t.cost_input_usd)),
        ("Cache read", count(t.cache_read_tokens), money(t.cost_cache_read_usd), share(t.cost_cache_read_usd)),
        ("Cache write", count(t.cache_write_tokens), money(t.cost_cache_write_usd), share(t.cost_cache_write_usd)),
        (
            f"Output (reasoning {count(t.reasoning_tokens)})" if t.reasoning_tokens else "Output",
            count(t.output_tokens),
            money(t.cost_output_usd),
            share(t.cost_output_usd),
        ),
    ]
    if t.web_search_requests or t.cost_web_search_usd:
        searches = plural(t.web_search_requests, "search", "searches")
        rows.append(("Web search", searches, money(t.cost_web_search_usd), share(t.cost_web_search_usd)))
    if t.cost_other_usd:
        rows.append(("Billed without token split", "", money(t.cost_other_usd), share(t.cost_other_usd)))
    all_tokens = t.input_tokens + t.cache_read_tokens + t.cache_write_tokens + t.output_tokens
    rows.append(("Total", count(all_tokens), money(total), "100.0%" if total > 0 else "n/a"))
    return rows


def summary_lines(a: Analysis) -> list[str]:
    t, s = a.totals, a.shares
    if t.requests == 0 and t.rows:  # cost exports: billed amounts without request counts
        lines = [f"Total cost {money(t.cost_usd)} ({plural(t.rows, 'priced row')}; the source has no request counts)"]
    else:
        lines = [f"Total cost {money(t.cost_usd)} for {plural(t.requests, 'request')} ({plural(t.rows, 'priced row')})"]
    if t.cost_only_rows:
        lines.append(f"Includes {plural(t.cost_only_rows, 'cost-only row')} counted at the provider's billed amount")
    if s.input_cost_share is not None and s.output_cost_share is not None:
        lines.append(f"Input vs output cost: {pct(s.input_cost_share)} / {pct(s.output_cost_share)}")
    if s.cache_hit_ratio is None:
        lines.append("Cache hit ratio: not available (the sources carry no cache fields)")
    else:
        lines.append(
            f"Cache hit ratio: {pct(s.cache_hit_ratio)} of input tokens read from cache; "
            f"{pct(s.cache_share_of_input)} of input went through the cache (read or write)"
        )
    if t.unpriced_rows:
        lines.append(
            f"Not priced: {plural(t.unpriced_rows, 'row')} ({plural(t.unpriced_requests, 'request')}), "
            "excluded from costs: see Unpriced"
        )
    return lines


def anomaly_subject(x: Any) -> str:
    """What an anomaly is about: a request, a model's day, an app's day or
    hour, or the total's day or hour."""
    if x.kind == "request":
        return f"request in {x.app} ({x.model}) at {location(x.source, x.source_row)}"
    if x.kind == "model-day":
        return f"model {x.model}"
    if x.kind == "app-day":
        return f"app {x.app}"
    if x.kind == "app-hour":
        return f"app {x.app}, hour"
    if x.kind == "hour":
        return "hour (total)"
    return "total"


def forecast_line(a: Analysis) -> str:
    f = a.forecast
    if not f.available:
        return f"Month-end forecast: {f.reason}"
    return (
        f"Month-end forecast for {f.month}: {money(f.projected_usd)} "
        f"(range {money(f.low_usd)} to {money(f.high_usd)}; {money(f.month_to_date_usd)} so far, "
        f"{plural(f.remaining_days, 'day')} to go at {money(_rate(f))}/day)."
        + next_30_days(f)
        + f" Method: {f.method}"
    )


def _rate(f: Any) -> float:
    """The average daily cost the projection actually adds for the days to go."""
    if f.remaining_days and f.projected_usd is not None:
        return (f.projected_usd - f.month_to_date_usd) / f.remaining_days
    return f.daily_average_usd or 0.0


def next_30_days(f: Any) -> str:
    """' Next 30 days (from ... to ...): $X (range ...).' when the forecast has it."""
    value = getattr(f, "next_30_days_usd", None)
    if value is None:
        return ""
    return (
        f" Next 30 days ({f.next_30_days_start} to {f.next_30_days_end}): {money(value)} "
        f"(range {money(f.next_30_days_low_usd)} to {money(f.next_30_days_high_usd)})."
    )


def footer_lines(a: Analysis) -> list[str]:
    out = []
    if a.files:
        out.append(
            "Files: "
            + "; ".join(f"{f.file} ({f.format}, {plural(f.rows, 'row')})" if f.format else f.file for f in a.files)
        )
    if a.skipped_rows:
        out.append(f"Skipped bad rows: {a.skipped_rows:,}")
    if a.duplicates_dropped:
        out.append(f"Duplicate requests dropped: {a.duplicates_dropped:,}")
    for w in a.warnings:
        out.append(f"Warning: {w}")
    return out


def call_tokens(input_tokens: int, cache_read: int, cache_write: int, output: int) -> str:
    parts = [f"{compact(input_tokens)} in"]
    if cache_read:
        parts.append(f"{compact(cache_read)} cached")
    if cache_write:
        parts.append(f"{compact(cache_write)} written")
    parts.append(f"{compact(output)} out")
    return " / ".join(parts)


def location(source: str, row: int | None) -> str:
    name = source.rsplit("/", 1)[-1]
    return f"{name}:{row}" if row is not None else name


def savings_line(monthly: float, period: float) -> str:
    return f"~{money(period)} over the period, ~{money(monthly)}/month"


def not_in_data(b: Breakdown) -> bool:
    """A breakdown whose only key is "(unknown)": the sources do not carry it."""
    return len(b.rows) == 1 and b.rows[0].key == UNKNOWN
