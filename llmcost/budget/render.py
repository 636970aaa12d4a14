"""Budget report as a terminal table or JSON, and the Slack-compatible webhook body.

Webhook body: ``{"text": summary, "blocks": [...]}``: the ``text`` is the
notification fallback, the blocks are a ``header``, one ``section`` (mrkdwn)
per budget (at most 45, then one summary line) and a ``context`` line with
the as-of date. Slack incoming webhooks accept this shape
(https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks);
Mattermost and most Slack-compatible receivers read at least ``text``.
"""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from ..analyze.fmt import money, pct
from .check import EXCEEDED, OK, WARNING, BudgetReport, BudgetStatus

MAX_SECTIONS = 45
_ICON = {OK: ":white_check_mark:", WARNING: ":warning:", EXCEEDED: ":rotating_light:"}


def status_text(s: BudgetStatus) -> str:
    if s.status == WARNING and s.threshold_crossed is not None:
        return f"warning (>= {s.threshold_crossed:g}%)"
    return s.status


def breach_text(s: BudgetStatus) -> str:
    if s.breach_date is None:
        if s.projected_usd is None:
            return "cannot project"
        return "none in 30 days" if s.period == "daily" else "none this month"
    return f"{s.breach_date} (projected)" if s.breach_projected else f"{s.breach_date} (reached)"


def projection_text(s: BudgetStatus) -> str:
    if s.projected_usd is None:
        return "n/a"
    return f"{money(s.projected_usd)} ({money(s.projected_low_usd)}-{money(s.projected_high_usd)})"


def summary(r: BudgetReport) -> str:
    counts = {k: sum(1 for s in r.statuses if s.status == k) for k in (EXCEEDED, WARNING, OK)}
    parts = [f"{counts[EXCEEDED]} exceeded", f"{counts[WARNING]} warning", f"{counts[OK]} ok"]
    mode = ", judged on projections" if r.projected else ""
    return f"LLM budgets as of {r.as_of} ({r.as_of_source}{mode}): " + ", ".join(parts)


def render_table(r: BudgetReport, width: int = 110) -> str:
    """The status table: one line per budget, never wrapped (a long budget name or a
    status like ``warning (>= 80%)`` widens its column instead of folding mid-word,
    so CI logs and ``grep`` see whole rows); the legend wraps at ``width``."""
    con = Console(file=io.StringIO(), width=width, color_system=None, highlight=False, markup=False, emoji=False)
    con.print(summary(r))
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (
        ("Budget", "left"),
        ("Period", "left"),
        ("Limit", "right"),
        ("Spent", "right"),
        ("Used", "right"),
        ("Status", "left"),
        ("Projected", "right"),
        ("Range", "right"),
        ("Breach", "left"),
    ):
        t.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for s in r.statuses:
        label = s.name if s.name == s.scope else f"{s.name} ({s.scope})"
        rng = "" if s.projected_usd is None else f"{money(s.projected_low_usd)}-{money(s.projected_high_usd)}"
        t.add_row(
            label,
            s.period_label,
            money(s.limit_usd),
            money(s.spent_usd),
            pct(s.used, digits=0),
            status_text(s),
            money(s.projected_usd) if s.projected_usd is not None else "n/a",
            rng,
            breach_text(s),
        )
    wide = Console(file=io.StringIO(), width=10_000, color_system=None, highlight=False, markup=False, emoji=False)
    wide.print(t)
    table_text = wide.file.getvalue()  # type: ignore[attr-defined]
    con.file.write(table_text)  # type: ignore[attr-defined]
    con.print(
        "Period: YYYY-MM = monthly limit, YYYY-MM-DD = daily limit. Projected: month-end for monthly limits, "
        "the next day's expected cost for daily ones (weekday/weekend-aware average; range +/- 1 daily std)."
    )
    for s in r.statuses:
        if s.note:
            con.print(f"Note: {s.name} ({s.period}): {s.note}")
    for n in r.notes:
        con.print(f"Note: {n}")
    text: str = con.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    """Floats to 10 significant digits: no 107.99999999999999 in JSON."""
    return {k: (float(f"{v:.10g}") if isinstance(v, float) else v) for k, v in d.items()}


def to_dict(r: BudgetReport) -> dict[str, Any]:
    return {
        "as_of": r.as_of,
        "as_of_source": r.as_of_source,
        "projected": r.projected,
        "budgets_file": r.budgets_file,
        "exit_code": r.exit_code,
        "budgets": [_rounded({**dataclasses.asdict(s), "thresholds": list(s.thresholds)}) for s in r.statuses],
        "notes": list(r.notes),
    }


def render_json(r: BudgetReport) -> str:
    return json.dumps(to_dict(r), indent=2, allow_nan=False)


def _line(s: BudgetStatus) -> str:
    text = (
        f"{_ICON[s.status]} *{s.name}* ({s.scope}, {s.period} {s.period_label}): "
        f"{money(s.spent_usd)} of {money(s.limit_usd)} ({pct(s.used, digits=0)}), {status_text(s)}"
    )
    if s.projected_usd is not None:
        text += f"; projected {projection_text(s)}"
    if s.breach_date is not None:
        text += f"; breach {breach_text(s)}"
    return text


def webhook_body(r: BudgetReport) -> dict[str, Any]:
    """A Slack-compatible message: fallback ``text`` plus Block Kit ``blocks``."""
    head = summary(r)
    ordered = sorted(r.statuses, key=lambda s: ({EXCEEDED: 0, WARNING: 1, OK: 2}[s.status], -s.used))
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": head[:150]}}]
    for s in ordered[:MAX_SECTIONS]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _line(s)[:3000]}})
    if len(ordered) > MAX_SECTIONS:
        rest = ordered[MAX_SECTIONS:]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"... and {len(rest)} more budgets"}})
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"llmcost budget check, budgets file {r.budgets_file}"}]}
    )
    lines = [head] + [_line(s) for s in ordered if s.status != OK][:20]
    return {"text": "\n".join(lines), "blocks": blocks}
