"""CI gate: thresholds, past/new/diff monthly cost, per model/app/rule diffs, Markdown."""

from __future__ import annotations

import pytest

from llmcost.errors import InputError
from llmcost.render.whatif import gate_markdown
from llmcost.simulate.gate import GateResult, Threshold, _diff_rules


@pytest.mark.parametrize("spec, value, pct", [("5%", 5.0, True), ("$100", 100.0, False), ("1,200$", 1200.0, False), ("50 USD", 50.0, False)])
def test_threshold_parse(spec: str, value: float, pct: bool) -> None:
    assert Threshold.parse(spec) == Threshold(value, pct)


@pytest.mark.parametrize("spec", ["5", "abc", "%5", ""])
def test_threshold_bad(spec: str) -> None:
    with pytest.raises(InputError, match="--fail-above"):
        Threshold.parse(spec)


def test_exceeded() -> None:
    g = GateResult(1000.0, 1060.0, "base.json", threshold=Threshold(5, True))
    assert g.diff_total_monthly_cost == 60.0 and g.diff_pct == pytest.approx(6.0) and g.exceeded
    assert not GateResult(1000.0, 1040.0, "b", threshold=Threshold(5, True)).exceeded
    assert GateResult(1000.0, 1101.0, "b", threshold=Threshold(100, False)).exceeded
    assert not GateResult(1000.0, 1100.0, "b", threshold=Threshold(100, False)).exceeded
    assert GateResult(0.0, 1.0, "b", threshold=Threshold(5, True)).exceeded
    assert not GateResult(1000.0, 2000.0, "b").exceeded  # no threshold: never fails


def test_markdown_quiet_and_full() -> None:
    g = GateResult(1000.0, 1010.0, "base.json", threshold=Threshold(5, True),
                   by_model=[{"model": "gpt-4o", "past_monthly_cost": 900.0, "monthly_cost": 910.0, "diff_monthly_cost": 10.0}])
    quiet = gate_markdown(g, quiet_below=True)
    assert quiet.count("\n") == 1
    assert "$1,000.00/month → $1,010.00/month (+$10.00/month, +1.0%)" in quiet and "below the 5% threshold" in quiet
    full = gate_markdown(g)
    assert "| gpt-4o | $900.00 | $910.00 | +$10.00 |" in full


def test_rule_diff() -> None:
    past = [{"name": "a", "to": "m1", "requests_moved": 10, "monthly_savings_usd": 50.0}]
    new = [{"name": "a", "to": "m1", "requests_moved": 4, "monthly_savings_usd": 20.0},
           {"name": "b", "to": "m2", "requests_moved": 3, "monthly_savings_usd": 5.0}]
    rows = _diff_rules(past, new)
    assert [(r["name"], r["status"], r["diff_monthly_cost"]) for r in rows] == [("a", "changed", 30.0), ("b", "added", -5.0)]
