"""Terminal report rendered with rich, captured to a string.

Colour (the 16 standard ANSI colours) only with ``color=True``; without it the output is plain text at a
fixed width (the golden-file tests pin it). Breakdown tables carry a
proportional bar in the share column; the daily cost is drawn as a sparkline.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..analyze.model import Analysis, Breakdown
from .common import (
    DIMENSION_TITLES,
    anomaly_subject,
    bar,
    call_tokens,
    compact,
    count,
    footer_lines,
    forecast_line,
    location,
    money,
    not_in_data,
    pct,
    period_line,
    plural,
    savings_line,
    shown_rows,
    sparkline,
    summary_lines,
    token_cost_rows,
)

BAR_WIDTH = 12


def _console(width: int, color: bool) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        force_jupyter=False,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def _table(title: str, *columns: tuple[str, str]) -> Table:
    t = Table(
        title=title or None,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        expand=False,
    )
    for name, justify in columns:
        t.add_column(name, justify=justify, no_wrap=justify == "right")  # type: ignore[arg-type]
    return t


def _breakdown(b: Breakdown) -> Table:
    cols: list[tuple[str, str]] = [(DIMENSION_TITLES.get(b.dimension, b.dimension), "left")]
    if b.dimension == "model":
        cols.append(("Provider", "left"))
    cols += [("Requests", "right"), ("Tokens", "right"), ("Cost", "right"), ("Share", "left")]
    title = f"Cost by {b.dimension.replace('_', ' ')}"
    if b.truncated:
        title += f" (top {len(b.rows) - 1} of {b.total_keys})"
    t = _table(title, *cols)
    for r in shown_rows(b):
        cells = [r.key]
        if b.dimension == "model":
            cells.append(r.provider or "")
        cells += [count(r.requests), count(r.tokens), money(r.cost_usd), f"{bar(r.share, BAR_WIDTH)} {pct(r.share):>6}"]
        t.add_row(*cells)
    return t


def _totals_table(a: Analysis) -> Table:
    t = _table("Tokens and cost by kind", ("Kind", "left"), ("Tokens", "right"), ("Cost", "right"), ("Share", "right"))
    for row in token_cost_rows(a.totals):
        t.add_row(*row)
    return t


def _trend(con: Console, a: Analysis, width: int) -> None:
    if not a.trend:
        return
    room = max(width - 4, 10)
    pts = a.trend[-room:]
    costs = [p.cost_usd for p in pts]
    con.print(Text(f"Daily cost, {pts[0].date} to {pts[-1].date} (UTC)", style="bold"))
    con.print(Text(sparkline(costs), style="cyan"))
    con.print(f"min {money(min(costs))}/day, max {money(max(costs))}/day, mean {money(sum(costs) / len(costs))}/day")


def _top_calls(a: Analysis) -> Table:
    show_app = any(c.app for c in a.top_calls)
    show_user = any(c.user for c in a.top_calls)
    cols = [("Time (UTC)", "left"), ("Model", "left")]
    cols += [("App", "left")] if show_app else []
    cols += [("User", "left")] if show_user else []
    cols += [("In", "right"), ("Out", "right"), ("Cost", "right"), ("Where", "left")]
    t = _table("Most expensive calls", *cols)
    for c in a.top_calls:
        cells = [f"{c.time:%Y-%m-%d %H:%M}" if c.time is not None else "", c.model]
        cells += [c.app] if show_app else []
        cells += [c.user] if show_user else []
        cells += [
            compact(c.input_tokens + c.cache_read_tokens + c.cache_write_tokens),
            compact(c.output_tokens),
            money(c.cost_usd),
            location(c.source, c.source_row),
        ]
        t.add_row(*cells)
    return t


def _anomalies(a: Analysis) -> Table:
    t = _table(
        "Anomalies",
        ("Date", "left"),
        ("What", "left"),
        ("Cost", "right"),
        ("Expected", "right"),
        ("Likely cause", "left"),
    )
    for x in a.anomalies:
        what = anomaly_subject(x)
        expected = f"p95 {money(x.expected_usd)}" if x.kind == "request" else money(x.expected_usd)
        t.add_row(x.date, what, money(x.cost_usd), expected, f"{x.cause}: {x.detail}")
    return t


def _reconciliation(con: Console, a: Analysis) -> None:
    r = a.reconciliation
    if not r.available or r.total is None:
        return
    tot = r.total
    con.print(Text("Reconciliation with provider-reported cost", style="bold"))
    con.print(
        f"{plural(r.rows, 'row')} ({plural(r.requests, 'request')}): ours {money(tot.ours_usd)}, "
        f"provider {money(tot.provider_usd)}, difference {money(tot.diff_usd, signed=True)} "
        f"({pct(tot.diff_pct, signed=True)})"
    )
    t = _table("", (r.group_by.capitalize(), "left"), ("Ours", "right"), ("Provider", "right"), ("Diff", "right"),
               ("Diff %", "right"))
    for m in r.by_model:
        t.add_row(m.key, money(m.ours_usd), money(m.provider_usd), money(m.diff_usd, signed=True), pct(m.diff_pct, signed=True))
    con.print(t)
    con.print()
    k = _table("", ("Token kind", "left"), ("Ours", "right"), ("Provider", "right"), ("Diff", "right"))
    for row in r.by_kind:
        k.add_row(
            row.key,
            money(row.ours_usd),
            money(row.provider_usd) if row.provider_usd is not None else "not given",
            money(row.diff_usd, signed=True) if row.diff_usd is not None else "",
        )
    con.print(k)
    con.print(Text(r.note, style="dim"))


def _unpriced(a: Analysis) -> Table:
    t = _table(
        "Unpriced (excluded from costs)",
        ("Model", "left"),
        ("Provider", "left"),
        ("Rows", "right"),
        ("Requests", "right"),
        ("Tokens", "left"),
        ("Reported", "right"),
        ("Files", "left"),
    )
    for u in a.unpriced:
        t.add_row(
            u.model,
            u.provider,
            count(u.rows),
            count(u.requests),
            call_tokens(u.input_tokens, u.cache_read_tokens, u.cache_write_tokens, u.output_tokens),
            money(u.reported_cost_usd) if u.reported_cost_usd is not None else "",
            ", ".join(s.rsplit("/", 1)[-1] for s in u.sources),
        )
    return t


def _suggestions(con: Console, a: Analysis) -> None:
    con.print(Text("Suggestions (ranked by estimated saving)", style="bold"))
    if not a.suggestions:
        con.print("No saving the data can support.")
        return
    for i, s in enumerate(a.suggestions, 1):
        con.print(Text(f"{i}. {s.title}: {savings_line(s.monthly_savings_usd, s.estimated_savings_usd)}", style="bold green"))
        con.print(Padding(Text(s.detail), (0, 0, 0, 3)))
        con.print(Padding(Text(f"Assumes: {s.assumption}", style="dim"), (0, 0, 0, 3)))
    con.print(Text("Estimates overlap (e.g. Batch applies to what other changes leave): do not add them up.", style="dim"))


def render_table(a: Analysis, *, color: bool = False, width: int = 100) -> str:
    con = _console(width, color)
    con.print(Text(f"LLM cost report: {period_line(a)}", style="bold"))
    for line in summary_lines(a):
        con.print(line)
    con.print()
    con.print(_totals_table(a))
    con.print()
    _trend(con, a, width)
    con.print(forecast_line(a))
    for b in a.breakdowns.values():
        con.print()
        if not_in_data(b):
            con.print(Text(f"Cost by {b.dimension.replace('_', ' ')}: not in the data", style="bold"))
        else:
            con.print(_breakdown(b))
    if a.top_calls:
        con.print()
        con.print(_top_calls(a))
    if a.anomalies:
        con.print()
        con.print(_anomalies(a))
    if a.reconciliation.available:
        con.print()
        _reconciliation(con, a)
    if a.unpriced:
        con.print()
        con.print(_unpriced(a))
    con.print()
    _suggestions(con, a)
    foot = footer_lines(a)
    if foot:
        con.print()
        for line in foot:
            con.print(Text(line, style="dim"))
    out = con.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in out.splitlines()) + "\n"
