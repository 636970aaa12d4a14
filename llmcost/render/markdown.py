"""GitHub-flavoured Markdown report: headings, pipe tables and lists."""

from __future__ import annotations

from collections.abc import Sequence

from ..analyze.model import Analysis, Breakdown
from .common import (
    DIMENSION_TITLES,
    anomaly_subject,
    call_tokens,
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


def _cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    out.append("|" + "|".join("---:" if r else "---" for r in right) + "|")
    for row in rows:
        out.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return out


def _breakdown(b: Breakdown) -> list[str]:
    title = f"### Cost by {b.dimension.replace('_', ' ')}"
    if b.truncated:
        title += f" (top {len(b.rows) - 1} of {b.total_keys})"
    header = [DIMENSION_TITLES.get(b.dimension, b.dimension)]
    right = [False]
    if b.dimension == "model":
        header.append("Provider")
        right.append(False)
    header += ["Requests", "Tokens", "Cost", "Share"]
    right += [True, True, True, True]
    rows = []
    for r in shown_rows(b):
        cells = [r.key]
        if b.dimension == "model":
            cells.append(r.provider or "")
        cells += [count(r.requests), count(r.tokens), money(r.cost_usd), pct(r.share)]
        rows.append(cells)
    return [title, "", *_table(header, rows, right), ""]


def render_markdown(a: Analysis) -> str:
    out: list[str] = ["# LLM cost report", "", f"Period: {period_line(a)}", ""]
    out += [f"- {line}" for line in summary_lines(a)]
    out += ["", "## Tokens and cost by kind", ""]
    out += _table(["Kind", "Tokens", "Cost", "Share"], token_cost_rows(a.totals), [False, True, True, True])
    out += ["", "## Trend", ""]
    if a.trend:
        costs = [p.cost_usd for p in a.trend]
        out.append(f"Daily cost {a.trend[0].date} to {a.trend[-1].date}: `{sparkline(costs)}`")
        out.append("")
        out.append(
            f"min {money(min(costs))}/day, max {money(max(costs))}/day, mean {money(sum(costs) / len(costs))}/day"
        )
        out.append("")
    out += [forecast_line(a), ""]
    if a.breakdowns:
        out += ["## Breakdowns", ""]
        for b in a.breakdowns.values():
            if not_in_data(b):
                out += [f"### Cost by {b.dimension.replace('_', ' ')}", "", "Not in the data.", ""]
            else:
                out += _breakdown(b)
    if a.top_calls:
        out += ["## Most expensive calls", ""]
        rows = [
            [
                f"{c.time:%Y-%m-%d %H:%M:%S}" if c.time is not None else "",
                c.model,
                c.app,
                c.user,
                call_tokens(c.input_tokens, c.cache_read_tokens, c.cache_write_tokens, c.output_tokens),
                money(c.cost_usd),
                location(c.source, c.source_row),
                c.request_id,
            ]
            for c in a.top_calls
        ]
        out += _table(
            ["Time (UTC)", "Model", "App", "User", "Tokens", "Cost", "Where", "Request id"],
            rows,
            [False, False, False, False, False, True, False, False],
        )
        out.append("")
    if a.anomalies:
        out += ["## Anomalies", ""]
        rows = []
        for x in a.anomalies:
            what = anomaly_subject(x)
            expected = f"p95 {money(x.expected_usd)}" if x.kind == "request" else money(x.expected_usd)
            rows.append([x.date, what, money(x.cost_usd), expected, f"{x.cause}: {x.detail}"])
        out += _table(["Date", "What", "Cost", "Expected", "Likely cause"], rows, [False, False, True, True, False])
        out.append("")
    rec = a.reconciliation
    if rec.available and rec.total is not None:
        t = rec.total
        out += ["## Reconciliation with provider-reported cost", ""]
        out.append(
            f"{plural(rec.rows, 'row')} ({plural(rec.requests, 'request')}): ours {money(t.ours_usd)}, provider "
            f"{money(t.provider_usd)}, difference {money(t.diff_usd, signed=True)} ({pct(t.diff_pct, signed=True)})"
        )
        out.append("")
        out += _table(
            [rec.group_by.capitalize(), "Ours", "Provider", "Diff", "Diff %"],
            [
                [m.key, money(m.ours_usd), money(m.provider_usd), money(m.diff_usd, signed=True), pct(m.diff_pct, signed=True)]
                for m in rec.by_model
            ],
            [False, True, True, True, True],
        )
        out.append("")
        out += _table(
            ["Token kind", "Ours", "Provider", "Diff"],
            [
                [
                    k.key,
                    money(k.ours_usd),
                    money(k.provider_usd) if k.provider_usd is not None else "not given",
                    money(k.diff_usd, signed=True) if k.diff_usd is not None else "",
                ]
                for k in rec.by_kind
            ],
            [False, True, True, True],
        )
        out += ["", rec.note, ""]
    if a.unpriced:
        out += ["## Unpriced (excluded from costs)", ""]
        out += _table(
            ["Model", "Provider", "Rows", "Requests", "Tokens", "Reported", "Files"],
            [
                [
                    u.model,
                    u.provider,
                    count(u.rows),
                    count(u.requests),
                    call_tokens(u.input_tokens, u.cache_read_tokens, u.cache_write_tokens, u.output_tokens),
                    money(u.reported_cost_usd) if u.reported_cost_usd is not None else "",
                    ", ".join(s.rsplit("/", 1)[-1] for s in u.sources),
                ]
                for u in a.unpriced
            ],
            [False, False, True, True, False, True, False],
        )
        out.append("")
    out += ["## Suggestions", ""]
    if not a.suggestions:
        out += ["No saving the data can support.", ""]
    for i, s in enumerate(a.suggestions, 1):
        out.append(f"{i}. **{s.title}**: {savings_line(s.monthly_savings_usd, s.estimated_savings_usd)}  ")
        out.append(f"   {s.detail}  ")
        out.append(f"   _Assumes: {s.assumption}._")
    if a.suggestions:
        out += ["", "Estimates overlap (e.g. Batch applies to what other changes leave): do not add them up.", ""]
    foot = footer_lines(a)
    if foot:
        out += ["## Inputs", ""]
        out += [f"- {_cell(line)}" for line in foot]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
