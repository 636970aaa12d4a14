"""The CI cost gate: compare this branch's projected monthly cost with a baseline.

The baseline is either a previous ``llmcost whatif --format json`` result (its
``total_monthly_cost``, ``by_model``, ``by_app`` and ``rules``), or a
:class:`~llmcost.simulate.WhatIf` computed on the same traffic with another
routes file. Figures follow infracost's ``pastTotalMonthlyCost`` /
``totalMonthlyCost`` / ``diffTotalMonthlyCost``: past = baseline config,
new = this config, diff = new − past.

``--fail-above 5%`` fails when the diff exceeds 5% of the past monthly cost
(any rise from a past cost of 0 counts as above); ``--fail-above $100`` when it
exceeds $100 a month.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, json_error
from . import WhatIf

_PCT_RX = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*%\s*$")
_USD_RX = re.compile(r"^\s*\$\s*([0-9][0-9,]*\.?[0-9]*)\s*$|^\s*([0-9][0-9,]*\.?[0-9]*)\s*(?:\$|usd)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Threshold:
    value: float
    percent: bool

    @classmethod
    def parse(cls, spec: str) -> Threshold:
        m = _PCT_RX.match(spec)
        if m:
            return cls(float(m.group(1)), True)
        m = _USD_RX.match(spec)
        if m:
            return cls(float((m.group(1) or m.group(2)).replace(",", "")), False)
        raise InputError(f"--fail-above takes a percentage like 5% or an amount like $100, got {spec!r}")

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.percent else f"${self.value:,.2f}/month"


@dataclass
class GateResult:
    past_total_monthly_cost: float
    total_monthly_cost: float
    baseline_label: str
    by_model: list[dict[str, Any]] = field(default_factory=list)
    by_app: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    threshold: Threshold | None = None
    # the traffic each side was computed on: False when the baseline JSON came from another log
    # or period (the diff then mixes a traffic change with a configuration change), None when the
    # baseline does not say
    same_traffic: bool | None = True
    # the change of the un-optimised monthly cost of the traffic itself (0 on the same traffic)
    traffic_diff_monthly_cost: float | None = 0.0
    unpriced_requests: int = 0  # requests of this run left out of the figures (no price)
    warnings: list[str] = field(default_factory=list)

    @property
    def diff_total_monthly_cost(self) -> float:
        return self.total_monthly_cost - self.past_total_monthly_cost

    @property
    def diff_pct(self) -> float | None:
        past = self.past_total_monthly_cost
        return 100.0 * self.diff_total_monthly_cost / past if past else None

    @property
    def exceeded(self) -> bool:
        """True when the rise is above the threshold (never without one)."""
        if self.threshold is None:
            return False
        diff = self.diff_total_monthly_cost
        if not self.threshold.percent:
            return diff > self.threshold.value
        pct = self.diff_pct
        return diff > 0.005 if pct is None else pct > self.threshold.value

    @property
    def below_threshold(self) -> bool:
        """Quiet-worthy: below the threshold, or (without one) no change to the cent."""
        if self.threshold is None:
            return abs(self.diff_total_monthly_cost) < 0.005
        return not self.exceeded

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline_label,
            "past_total_monthly_cost": self.past_total_monthly_cost,
            "total_monthly_cost": self.total_monthly_cost,
            "diff_total_monthly_cost": self.diff_total_monthly_cost,
            "diff_pct": self.diff_pct,
            "threshold": str(self.threshold) if self.threshold else None,
            "exceeded": self.exceeded,
            "same_traffic": self.same_traffic,
            "traffic_diff_monthly_cost": self.traffic_diff_monthly_cost,
            "unpriced_requests": self.unpriced_requests,
            "warnings": self.warnings,
            "by_model": self.by_model,
            "by_app": self.by_app,
            "rules": self.rules,
        }


def load_baseline_json(path: str | Path) -> dict[str, Any]:
    """A previous whatif JSON; InputError names the file when it is not one."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"cannot read baseline: {err.strerror}", file=str(p)) from None
    except ValueError as err:  # JSONDecodeError, a plain ValueError (4,300+ digit integer) or bad UTF-8
        reason, line = json_error(err)
        raise InputError(f"baseline is not valid JSON: {reason}", file=str(p), line=line) from None
    if not isinstance(data, dict):
        raise InputError("baseline JSON is not an `llmcost whatif --format json` result", file=str(p))
    for key in ("total_monthly_cost", "scenario_monthly_cost_usd"):
        if isinstance(data.get(key), (int, float)):
            return data
    raise InputError("baseline JSON has no total_monthly_cost: is it an `llmcost whatif --format json` result?", file=str(p))


def compare(new: WhatIf, past: WhatIf | dict[str, Any], *, label: str, threshold: Threshold | None) -> GateResult:
    """Diff ``new`` against a past WhatIf or a past whatif JSON document."""
    past_d = past.to_dict() if isinstance(past, WhatIf) else past
    new_d = new.to_dict()
    past_total = float(past_d.get("total_monthly_cost", past_d.get("scenario_monthly_cost_usd", 0.0)))
    same, traffic_diff, warnings = _traffic(past_d, new_d, label)
    unpriced = int(new_d.get("unpriced_requests") or 0)  # the engine's warning names their models
    return GateResult(
        past_total_monthly_cost=past_total,
        total_monthly_cost=float(new_d["total_monthly_cost"]),
        baseline_label=label,
        by_model=_diff_rows(past_d.get("by_model") or [], new_d["by_model"], "model"),
        by_app=_diff_rows(past_d.get("by_app") or [], new_d["by_app"], "app"),
        rules=_diff_rules(past_d.get("rules") or [], new_d["rules"]),
        threshold=threshold,
        same_traffic=same,
        traffic_diff_monthly_cost=traffic_diff,
        unpriced_requests=unpriced,
        warnings=warnings,
    )


def _traffic(past: dict[str, Any], new: dict[str, Any], label: str) -> tuple[bool | None, float | None, list[str]]:
    """Was the baseline computed on the same traffic (same period, requests and un-optimised
    cost)? A gate is meant to price a configuration change on one traffic sample; a baseline
    from another log or period also moves with the traffic, and the report must say so."""
    def key(d: dict[str, Any]) -> tuple[Any, ...] | None:
        period = d.get("period")
        if not isinstance(period, dict) or not isinstance(d.get("baseline_cost_usd"), (int, float)):
            return None
        return (period.get("start"), period.get("end"), d.get("requests"), d.get("rows"))

    p, n = key(past), key(new)
    if p is None:
        return None, None, [f"{label} does not say which traffic it was computed on: the diff may mix a change "
                            "of traffic with a change of configuration"]
    traffic_diff = float(new["baseline_monthly_cost_usd"]) - float(past.get("baseline_monthly_cost_usd", 0.0) or 0.0)
    same = p == n and abs(float(past["baseline_cost_usd"]) - float(new["baseline_cost_usd"])) <= 1e-9 * max(
        1.0, abs(float(new["baseline_cost_usd"])))
    if same:
        return True, 0.0, []

    def says(d: dict[str, Any]) -> str:
        period = d["period"]
        return f"{int(d.get('requests') or 0):,} requests, {str(period.get('start'))[:10]} to {str(period.get('end'))[:10]}"

    sign = "+" if traffic_diff >= 0 else "-"
    if p == n:
        return False, traffic_diff, [
            f"{label} priced the same requests differently (another price table or --prices): the un-optimised "
            f"monthly cost moves by {sign}${abs(traffic_diff):,.4f} before any lever"
        ]
    return False, traffic_diff, [
        f"{label} was computed on other traffic ({says(past)}) than this run ({says(new)}): the diff mixes a change "
        f"of traffic with a change of configuration; the traffic alone, before any lever, moves the monthly cost by "
        f"{sign}${abs(traffic_diff):,.4f}"
    ]


def _diff_rows(past: list[dict[str, Any]], new: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    p = {str(r.get(key, "")): float(r.get("monthly_cost_usd", 0.0) or 0.0) for r in past if isinstance(r, dict)}
    n = {str(r.get(key, "")): float(r.get("monthly_cost_usd", 0.0) or 0.0) for r in new}
    rows: list[dict[str, Any]] = [
        {key: k, "past_monthly_cost": p.get(k, 0.0), "monthly_cost": n.get(k, 0.0), "diff_monthly_cost": n.get(k, 0.0) - p.get(k, 0.0)}
        for k in dict.fromkeys([*n, *p])
    ]
    rows.sort(key=lambda r: -abs(float(r["diff_monthly_cost"])))
    return rows


def _diff_rules(past: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per rule name: monthly cost effect (−savings) past vs new, biggest change first."""
    def index(rules: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {str(r.get("name", "")): r for r in rules if isinstance(r, dict)}

    p, n = index(past), index(new)
    rows: list[dict[str, Any]] = []
    for name in dict.fromkeys([*n, *p]):
        pr, nr = p.get(name, {}), n.get(name, {})
        past_effect = -float(pr.get("monthly_savings_usd", 0.0) or 0.0)
        new_effect = -float(nr.get("monthly_savings_usd", 0.0) or 0.0)
        rows.append({
            "name": name,
            "status": "added" if name not in p else "removed" if name not in n else "changed",
            "past_to": pr.get("to"), "to": nr.get("to"),
            "past_requests_moved": int(pr.get("requests_moved", 0) or 0),
            "requests_moved": int(nr.get("requests_moved", 0) or 0),
            "diff_monthly_cost": new_effect - past_effect,
        })
    rows = [r for r in rows if abs(float(r["diff_monthly_cost"])) >= 0.005 or r["status"] != "changed"
            or r["past_requests_moved"] != r["requests_moved"] or r["past_to"] != r["to"]]
    rows.sort(key=lambda r: -abs(float(r["diff_monthly_cost"])))
    return rows
