"""Render a :class:`~llmcost.simulate.WhatIf` (and an optional CI gate result)
as a terminal table, JSON or Markdown (fit for a pull-request comment)."""

from __future__ import annotations

import io
import json
from typing import Any

from ..simulate import WhatIf
from ..simulate.gate import GateResult

FORMATS = ("table", "json", "markdown")
NO_LEVER_HINT = "no levers given: try --route routes.yaml, --cache exact, --prompt-cache, --batch app=X, --max-output N"
CLIP = 70


def _clip(text: str, limit: int = CLIP) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _no_levers(d: dict[str, Any]) -> bool:
    return not d["levers"] and not d["errors"]


def cache_review(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(similarity, cached prompt, new prompt) of the lowest-similarity
    semantic cache hits, each prompt without the part it shares with the other
    (the question, not the common system prompt), clipped."""
    out: list[tuple[str, str, str]] = []
    for lv in d["levers"]:
        details = lv.get("details") or {}
        for h in details.get("lowest_similarity_hits") or []:
            if h.get("exact_key"):
                continue
            cached = h.get("served_from_compared", h.get("served_from", ""))
            new = h.get("prompt_compared", h.get("prompt", ""))
            out.append((f"{float(h['similarity']):.2f}", _clip(cached), _clip(new)))
    return out


def render_whatif(
    result: WhatIf,
    fmt: str,
    *,
    gate: GateResult | None = None,
    quiet_below: bool = False,
    color: bool = False,
    width: int = 110,
) -> str:
    if fmt == "json":
        return to_json(result, gate)
    if fmt == "markdown":
        if gate is not None:
            return gate_markdown(gate, quiet_below=quiet_below) + ("" if quiet_below and gate.below_threshold else "\n" + to_markdown(result))
        return to_markdown(result)
    if fmt == "table":
        return to_table(result, gate, color=color, width=width)
    raise ValueError(f"unknown format {fmt!r}")


# -- JSON -----------------------------------------------------------------------------
def to_json(result: WhatIf, gate: GateResult | None = None) -> str:
    doc: dict[str, Any] = result.to_dict()
    if gate is not None:
        g = gate.to_dict()
        doc["past_total_monthly_cost"] = g["past_total_monthly_cost"]
        doc["total_monthly_cost"] = g["total_monthly_cost"]
        doc["diff_total_monthly_cost"] = g["diff_total_monthly_cost"]
        doc["gate"] = g
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)


# -- Markdown ---------------------------------------------------------------------------
def _amount(v: float) -> str:
    """Cents for amounts from $1; four decimals below (small sample logs)."""
    a = abs(v)
    return f"{a:,.2f}" if a >= 1 or a == 0 else f"{a:.4f}"


def _usd(v: float) -> str:
    return f"-${_amount(v)}" if v < 0 else f"${_amount(v)}"


def _signed(v: float) -> str:
    return f"+${_amount(v)}" if v >= 0 else f"-${_amount(v)}"


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.1f}%"


def _md_cell(v: Any) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def gate_summary(gate: GateResult) -> str:
    line = (f"projected LLM cost {_usd(gate.past_total_monthly_cost)}/month → {_usd(gate.total_monthly_cost)}/month "
            f"({_signed(gate.diff_total_monthly_cost)}/month, {_pct(gate.diff_pct)}) vs {gate.baseline_label}")
    if gate.threshold is not None:
        line += f"; {'above' if gate.exceeded else 'below'} the {gate.threshold} threshold"
    if gate.same_traffic is False:
        line += "; the baseline was computed on other traffic"
    if gate.unpriced_requests:
        line += f"; {gate.unpriced_requests:,} unpriced request(s) not counted"
    return line


def gate_markdown(gate: GateResult, *, quiet_below: bool = False, top: int = 10) -> str:
    icon = "❌" if gate.exceeded else "✅"
    if quiet_below and gate.below_threshold:
        return f"{icon} llmcost: {gate_summary(gate)}.\n"
    out = ["### llmcost: projected monthly LLM cost", "", f"{icon} **{gate_summary(gate)}**", ""]
    for w in gate.warnings:  # one quote each: consecutive > lines would merge into one paragraph
        out += [f"> ⚠️ {_md_cell(w)}", ""]
    for title, rows, key in (("Model", gate.by_model, "model"), ("App", gate.by_app, "app")):
        changed = [r for r in rows if abs(r["diff_monthly_cost"]) >= 0.005][:top]
        if not changed:
            continue
        out += [f"| {title} | Past $/month | New $/month | Diff |", "|---|---:|---:|---:|"]
        out += [f"| {_md_cell(r[key] or '(none)')} | {_usd(r['past_monthly_cost'])} | {_usd(r['monthly_cost'])} | "
                f"{_signed(r['diff_monthly_cost'])} |" for r in changed]
        out.append("")
    if gate.rules:
        out += ["**Top changed rules**", "", "| Rule | Change | Requests moved (past → new) | Diff $/month |", "|---|---|---:|---:|"]
        for r in gate.rules[:top]:
            change = r["status"] if r["status"] != "changed" or r["past_to"] == r["to"] else f"{r['past_to']} → {r['to']}"
            out.append(f"| {_md_cell(r['name'])} | {_md_cell(change)} | {r['past_requests_moved']:,} → {r['requests_moved']:,} | "
                       f"{_signed(r['diff_monthly_cost'])} |")
        out.append("")
    return "\n".join(out)


def _scope(d: dict[str, Any]) -> str:
    """What the log holds: its requests, or (cost exports carry no request counts) its rows."""
    if d["requests"] == 0 and d.get("rows"):
        return f"{d['rows']:,} billed rows without request counts"
    return f"{d['requests']:,} requests"


def to_markdown(result: WhatIf) -> str:
    d = result.to_dict()
    out = ["### llmcost whatif: savings waterfall", "",
           f"{_scope(d)} over {d['period']['days']:.1f} day(s); monthly = cost / days × 30.44", "",
           "| Step | Cost | Savings | % of baseline | Requests affected | $/month after |", "|---|---:|---:|---:|---:|---:|",
           f"| baseline | {_usd(d['baseline_cost_usd'])} | | | | {_usd(d['baseline_monthly_cost_usd'])} |"]
    for lv in d["levers"]:
        out.append(f"| {lv['name']} | {_usd(lv['cost_after_usd'])} | {_usd(lv['savings_usd'])} | {lv['savings_pct']:.1f}% | "
                   f"{lv['requests_affected']:,} | {_usd(lv['cost_after_usd'] * result.monthly_factor)} |")
    out.append(f"| **final** | **{_usd(d['scenario_cost_usd'])}** | **{_usd(d['savings_usd'])}** | **{d['savings_pct']:.1f}%** | | "
               f"**{_usd(d['scenario_monthly_cost_usd'])}** |")
    out.append("")
    rules = d["rules"]
    if rules:
        out += ["| Rule | To | Moved | Downgraded spend | Upgraded spend | Savings | Quality of moved |", "|---|---|---:|---:|---:|---:|---:|"]
        for r in rules:
            q = r.get("quality_mean_moved")
            out.append(f"| {_md_cell(r['name'])} | {_md_cell(r['to'])} | {r['requests_moved']:,} | {r['downgraded_spend_share']:.1%} | "
                       f"{r['upgraded_spend_share']:.1%} | {_usd(r['savings_usd'])} | {'' if q is None else f'{q:.2f}'} |")
        out.append("")
    if _no_levers(d):
        out += [f"_{NO_LEVER_HINT}_", ""]
    review = cache_review(d)
    if review:
        out += ["**Lowest-similarity cache hits** (check that each answer fits the new prompt)", "",
                "| Similarity | Cached prompt | New prompt |", "|---:|---|---|"]
        out += [f"| {sim} | {_md_cell(cached)} | {_md_cell(new)} |" for sim, cached, new in review]
        out.append("")
    for title, items in (("Lever errors", d["errors"]), ("Warnings", d["warnings"]), ("Risks", d["risks"])):
        if items:
            out += [f"**{title}**", ""] + [f"- {_md_cell(x)}" for x in items] + [""]
    notes = [f"{lv['name']}: {n}" for lv in d["levers"] for n in lv["notes"]]
    if notes:
        out += ["<details><summary>Assumptions</summary>", ""] + [f"- {_md_cell(n)}" for n in notes] + ["", "</details>", ""]
    return "\n".join(out)


# -- terminal table -----------------------------------------------------------------------
def to_table(result: WhatIf, gate: GateResult | None = None, *, color: bool = False, width: int = 110) -> str:
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    d = result.to_dict()
    if gate is not None:
        console.print(("[red]FAIL[/red] " if gate.exceeded else "[green]OK[/green] ") + gate_summary(gate))
        console.print()
    t = Table(title=f"What if: {_scope(d)} over {d['period']['days']:.1f} day(s)", title_justify="left")
    for col, just in (("step", "left"), ("cost", "right"), ("savings", "right"), ("% of baseline", "right"),
                      ("requests affected", "right"), ("$/month after", "right")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    f = result.monthly_factor
    t.add_row("baseline", _usd(d["baseline_cost_usd"]), "", "", "", _usd(d["baseline_monthly_cost_usd"]))
    for lv in d["levers"]:
        t.add_row(lv["name"], _usd(lv["cost_after_usd"]), _usd(lv["savings_usd"]), f"{lv['savings_pct']:.1f}%",
                  f"{lv['requests_affected']:,}", _usd(lv["cost_after_usd"] * f))
    t.add_row("final", _usd(d["scenario_cost_usd"]), _usd(d["savings_usd"]), f"{d['savings_pct']:.1f}%", "",
              _usd(d["scenario_monthly_cost_usd"]), style="bold")
    console.print(t)
    if d["rules"]:
        rt = Table(title="Routing rules", title_justify="left")
        for col in ("rule", "to", "moved", "downgraded spend", "upgraded spend", "savings", "quality moved"):
            rt.add_column(col, justify="left" if col in ("rule", "to") else "right")
        for r in d["rules"]:
            q = r.get("quality_mean_moved")
            rt.add_row(r["name"], r["to"], f"{r['requests_moved']:,}", f"{r['downgraded_spend_share']:.1%}",
                       f"{r['upgraded_spend_share']:.1%}", _usd(r["savings_usd"]), "" if q is None else f"{q:.2f}")
        console.print(rt)
    if _no_levers(d):
        console.print(NO_LEVER_HINT, markup=False)
    review = cache_review(d)
    if review:
        ct = Table(title="Lowest-similarity cache hits (check that each answer fits the new prompt)", title_justify="left")
        ct.add_column("similarity", justify="right")
        ct.add_column("cached prompt", overflow="fold")
        ct.add_column("new prompt", overflow="fold")
        for row in review:
            ct.add_row(*row)
        console.print(ct)
    for title, items, style in (("lever errors", d["errors"], "red"), ("warnings", d["warnings"], "yellow"), ("risks", d["risks"], "")):
        if items:
            console.print(f"[{style or 'bold'}]{title}:[/{style or 'bold'}]")
            for x in items:
                console.print(f"  - {x}", markup=False)
    return buf.getvalue()
