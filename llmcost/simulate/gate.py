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
    return GateResult(
        past_total_monthly_cost=past_total,
        total_monthly_cost=float(new_d["total_monthly_cost"]),
        baseline_label=label,
        by_model=_diff_rows(past_d.get("by_model") or [], new_d["by_model"], "model"),
        by_app=_diff_rows(past_d.get("by_app") or [], new_d["by_app"], "app"),
        rules=_diff_rules(past_d.get("rules") or [], new_d["rules"]),
        threshold=threshold,
    )


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
