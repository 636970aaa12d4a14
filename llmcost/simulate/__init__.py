"""``llmcost whatif``: replay a usage table through optimisation levers.

    >>> result = simulate(table, [RouteLever.from_file("routes.yaml", book), BatchLever.parse("30%")], book)
    >>> result.savings_usd, result.scenario_monthly_cost_usd

The engine prices the baseline with :func:`llmcost.pricing.price_usage`, then
applies the levers in a fixed order, whatever order they were given in:

    route → cache → prompt-cache → compress → history → output-cap → batch

(choose the model first; then remove whole requests; then shrink what is
left of each request; batch pricing last). Each lever receives the priced
scenario of the previous step (canonical columns plus the priced columns,
which it may read but need not update) and the engine re-prices its output,
giving a savings waterfall: baseline → each lever → final. A lever that raises
:class:`LeverError` is reported and skipped; the others still run.

Monthly figures project the log's own time span: ``cost / days × 30.4375`` (days = calendar days covered)
(``days`` = last time − first time, plus one bucket for aggregated exports,
at least one day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import LlmcostError
from ..periods import DAYS_PER_MONTH as _DAYS_PER_MONTH
from ..periods import covered_days
from ..pricing import PriceBook, price_usage
from ..schema import PRICED_COLUMNS
from .base import LEVER_ORDER, Lever, LeverError, LeverOutcome

DAYS_PER_MONTH = _DAYS_PER_MONTH


@dataclass
class LeverStep:
    """One bar of the waterfall."""

    name: str
    cost_before_usd: float
    cost_after_usd: float
    requests_affected: int
    notes: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def savings_usd(self) -> float:
        return self.cost_before_usd - self.cost_after_usd


@dataclass
class WhatIf:
    """The result of :func:`simulate`."""

    baseline: pd.DataFrame  # priced baseline table
    scenario: pd.DataFrame  # priced table after every lever
    steps: list[LeverStep]
    errors: list[str]  # "lever X cannot run: why"
    warnings: list[str]
    days: float

    @property
    def baseline_cost_usd(self) -> float:
        return float(self.baseline["cost_usd"].sum())

    @property
    def scenario_cost_usd(self) -> float:
        return float(self.scenario["cost_usd"].sum())

    @property
    def savings_usd(self) -> float:
        return self.baseline_cost_usd - self.scenario_cost_usd

    @property
    def savings_pct(self) -> float:
        base = self.baseline_cost_usd
        return 100.0 * self.savings_usd / base if base else 0.0

    @property
    def monthly_factor(self) -> float:
        return DAYS_PER_MONTH / self.days

    @property
    def baseline_monthly_cost_usd(self) -> float:
        return self.baseline_cost_usd * self.monthly_factor

    @property
    def scenario_monthly_cost_usd(self) -> float:
        return self.scenario_cost_usd * self.monthly_factor

    @property
    def requests(self) -> int:
        return int(self.baseline["requests"].sum())

    @property
    def unpriced_requests(self) -> int:
        return int(self.baseline.loc[~self.baseline["priced"], "requests"].sum())

    def unpriced_models(self) -> list[dict[str, Any]]:
        """The models of the baseline that could not be priced, most requests first: they are
        left out of every cost figure (never counted as $0)."""
        b = self.baseline.loc[~self.baseline["priced"]]
        if b.empty:
            return []
        key = b["model"].astype("string").fillna("").replace("", "(no model)")
        counts = b.groupby(key)["requests"].agg(["sum", "size"])
        counts = counts.sort_values(["sum", "size"], ascending=False)
        return [{"model": str(m), "requests": int(r["sum"]), "rows": int(r["size"])} for m, r in counts.iterrows()]

    @property
    def risks(self) -> list[str]:
        return [f"{s.name}: {r}" for s in self.steps for r in s.risks]

    def breakdown(self, column: str) -> list[dict[str, Any]]:
        """Baseline vs scenario cost per value of ``column`` (model, app...), biggest first."""
        f = self.monthly_factor
        base = self.baseline.groupby(self.baseline[column].astype("string").fillna(""))["cost_usd"].sum()
        scen = self.scenario.groupby(self.scenario[column].astype("string").fillna(""))["cost_usd"].sum()
        unpriced_rows = self.scenario.loc[~self.scenario["priced"]]
        unpriced = unpriced_rows.groupby(unpriced_rows[column].astype("string").fillna(""))["requests"].sum()
        both = pd.concat([base.rename("b"), scen.rename("s")], axis=1).fillna(0.0)
        both = both.reindex(both.max(axis=1).sort_values(ascending=False).index)
        # unpriced requests are not in these costs (a model that is not in the price table is
        # never counted as $0): each row says how many of its requests were left out
        return [
            {
                column: str(k),
                "baseline_cost_usd": float(r.b),
                "scenario_cost_usd": float(r.s),
                "baseline_monthly_cost_usd": float(r.b) * f,
                "monthly_cost_usd": float(r.s) * f,
                "unpriced_requests": int(unpriced.get(k, 0)),
            }
            for k, r in both.iterrows()
        ]

    def rules(self) -> list[dict[str, Any]]:
        """Per routing rule figures, with monthly savings."""
        for s in self.steps:
            if s.name == "route":
                return [dict(r, monthly_savings_usd=r["savings_usd"] * self.monthly_factor) for r in s.details.get("rules", [])]
        return []

    def to_dict(self) -> dict[str, Any]:
        base = self.baseline_cost_usd
        t = self.baseline["time"].dropna()
        return {
            "baseline_cost_usd": base,
            "scenario_cost_usd": self.scenario_cost_usd,
            "savings_usd": self.savings_usd,
            "savings_pct": self.savings_pct,
            "requests": self.requests,
            "rows": len(self.baseline),
            "unpriced_requests": self.unpriced_requests,
            "unpriced_models": self.unpriced_models(),
            "period": {
                "start": t.min().isoformat() if len(t) else None,
                "end": t.max().isoformat() if len(t) else None,
                "days": self.days,
            },
            "baseline_monthly_cost_usd": self.baseline_monthly_cost_usd,
            "scenario_monthly_cost_usd": self.scenario_monthly_cost_usd,
            "monthly_savings_usd": self.baseline_monthly_cost_usd - self.scenario_monthly_cost_usd,
            "total_monthly_cost": self.scenario_monthly_cost_usd,
            "levers": [
                {
                    "name": s.name,
                    "savings_usd": s.savings_usd,
                    "savings_pct": 100.0 * s.savings_usd / base if base else 0.0,
                    "monthly_savings_usd": s.savings_usd * self.monthly_factor,
                    "cost_before_usd": s.cost_before_usd,
                    "cost_after_usd": s.cost_after_usd,
                    "requests_affected": s.requests_affected,
                    "notes": s.notes,
                    "risks": s.risks,
                    "details": _jsonable(s.details),
                }
                for s in self.steps
            ],
            "errors": self.errors,
            "warnings": self.warnings,
            "risks": self.risks,
            "by_model": self.breakdown("model"),
            "by_app": self.breakdown("app"),
            "rules": _jsonable(self.rules()),
        }


def simulate(
    table: pd.DataFrame,
    levers: Sequence[Lever],
    book: PriceBook,
    *,
    failed: Sequence[LeverError] = (),
) -> WhatIf:
    """Price ``table``, apply ``levers`` in :data:`LEVER_ORDER`, re-pricing after each.

    ``failed`` are levers that could not even be built (bad option, bad YAML):
    they are reported with the errors of levers that fail while running.
    """
    errors = [str(e) for e in failed]
    warnings: list[str] = []
    baseline = price_usage(_canonical(table), book)
    unpriced = baseline.loc[~baseline["priced"]]
    if len(unpriced):
        models = unpriced["model"].astype("string").fillna("").replace("", "(no model)")
        names = list(models.value_counts().index[:5])
        more = models.nunique() - len(names)
        warnings.append(
            f"{int(unpriced['requests'].sum()):,} request(s) of model(s) not in the price table "
            f"({', '.join(names)}{f' and {more} more' if more > 0 else ''}) are left out of every cost, "
            "saving and monthly figure (not counted as $0); add their prices with --prices"
        )
    current = baseline
    steps: list[LeverStep] = []
    for lever in sorted(levers, key=_order):
        try:
            outcome: LeverOutcome = lever.apply(current, book)
        except LeverError as err:
            errors.append(str(err))
            continue
        except LlmcostError as err:
            errors.append(f"lever {lever.name} cannot run: {err}")
            continue
        after = price_usage(_canonical(outcome.table), book)
        steps.append(
            LeverStep(
                name=outcome.name,
                cost_before_usd=float(current["cost_usd"].sum()),
                cost_after_usd=float(after["cost_usd"].sum()),
                requests_affected=int(outcome.requests_affected),
                notes=list(outcome.notes),
                risks=list(outcome.risks),
                details=outcome.details,
            )
        )
        warnings.extend(str(w) for w in outcome.details.get("warnings", []))
        current = after
    return WhatIf(baseline=baseline, scenario=current, steps=steps, errors=errors, warnings=warnings, days=span_days(baseline))


def span_days(table: pd.DataFrame) -> float:
    """Days the log covers: calendar days (UTC) from the first to the last
    request, as ``analyze`` and ``selfhost`` count them (:mod:`llmcost.periods`)."""
    return float(covered_days(table["time"]))


def _order(lever: Lever) -> int:
    return LEVER_ORDER.index(lever.name) if lever.name in LEVER_ORDER else len(LEVER_ORDER)


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    drop = [c for c in PRICED_COLUMNS if c in table.columns]
    return table.drop(columns=drop) if drop else table


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        f = float(value)
        return None if np.isnan(f) else f
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


__all__ = ["LEVER_ORDER", "Lever", "LeverError", "LeverOutcome", "LeverStep", "WhatIf", "simulate", "span_days"]
