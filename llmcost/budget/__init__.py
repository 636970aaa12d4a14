"""Budgets: daily / monthly spending limits per app, team, model or in total.

:mod:`.config` reads ``budgets.yaml``; :mod:`.check` evaluates it on a priced
usage table (status, projection, breach date, exit code); :mod:`.render`
prints the result and builds the Slack-compatible webhook body.
"""

from __future__ import annotations

from .check import (
    EXCEEDED,
    OK,
    WARNING,
    BudgetReport,
    BudgetStatus,
    check_budgets,
    exit_code,
)
from .config import (
    DEFAULT_THRESHOLDS,
    Budget,
    BudgetConfig,
    Team,
    load_budgets,
    parse_budgets,
)
from .render import render_json, render_table, webhook_body

__all__ = [
    "DEFAULT_THRESHOLDS",
    "EXCEEDED",
    "OK",
    "WARNING",
    "Budget",
    "BudgetConfig",
    "BudgetReport",
    "BudgetStatus",
    "Team",
    "check_budgets",
    "exit_code",
    "load_budgets",
    "parse_budgets",
    "render_json",
    "render_table",
    "webhook_body",
]
