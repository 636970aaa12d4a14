"""``llmcost budget check FILES... --budgets budgets.yaml``: are we within budget?

Exit codes: 0 every budget is under all its thresholds; 1 a warning threshold
is crossed; 2 a limit is exceeded (or, with ``--projected``, projected to be
by the end of the period). Bad input (unreadable usage files, an invalid
budgets file, an empty current period, a webhook that fails) also exits 2,
with a one-line error on stderr: scripts that must tell the two apart can
read ``exit_code`` from ``--format json`` (written only when the check ran).

The current period is the month (daily limits: the day) of the last
timestamp in the data, or of ``--as-of``; see :mod:`llmcost.budget.check`.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from ..errors import EXIT_BAD_INPUT
from ._common import cli_errors, strict_unpriced_error, write_output
from .analyze import load_with_progress, parse_when


class BudgetFormat(str, Enum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    budget_app = typer.Typer(
        name="budget",
        help="Budgets: check spend against daily / monthly limits (exit 0 ok, 1 warning, 2 exceeded or bad input).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(budget_app, name="budget")

    @budget_app.command("check")
    @cli_errors
    def check_cmd(
        files: list[str] = typer.Argument(..., help="Usage files, directories or globs; '-' reads stdin."),
        budgets: Path = typer.Option(..., "--budgets", "-b", help="budgets.yaml with the limits and thresholds."),
        as_of: str = typer.Option("", "--as-of", help="Current day (default: the day of the last timestamp in the data)."),
        projected: bool = typer.Option(False, "--projected", help="Judge budgets on the projection too (exit 2 when projected to exceed)."),
        fmt: BudgetFormat = typer.Option(BudgetFormat.table, "--format", "-f", help="Output format."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
        notify: str = typer.Option("", "--notify", help="POST a Slack-compatible JSON message to this webhook URL."),
        notify_always: bool = typer.Option(False, "--notify-always", help="Notify even when every budget is ok."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print the webhook body on stderr instead of sending it."),
        prices_file: Path | None = typer.Option(None, "--prices", help="Price overrides YAML."),
        mapping: Path | None = typer.Option(None, "--map", help="Column mapping YAML for generic CSV/JSONL/Parquet."),
        skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip malformed rows instead of failing."),
        strict: bool = typer.Option(False, "--strict", help="Exit 2 when any request cannot be priced (its cost is not counted)."),
    ) -> None:
        """Print each budget's status, projection and breach date; exit 0 / 1 / 2."""
        from ..budget import (
            check_budgets,
            load_budgets,
            render_json,
            render_table,
            webhook_body,
        )
        from ..export.http import check_url, send
        from ..pricing import PriceBook, price_usage

        config = load_budgets(budgets)
        day = parse_when(as_of, "--as-of")
        if notify:
            check_url(notify, "--notify")
        book = PriceBook.default(str(prices_file) if prices_file else None)
        loaded = load_with_progress(files, skip_bad=skip_bad, mapping_path=mapping, since=None, until=None)
        names = ", ".join(f for f, _, _ in loaded.files) or ", ".join(files)
        if len(loaded.table) == 0:
            raise loaded.no_rows_error(names=names)
        priced = price_usage(loaded.table, book)
        report = check_budgets(priced, config, as_of=day, projected=projected, source=names)
        text = render_json(report) if fmt is BudgetFormat.json else render_table(report)
        write_output(text, output)
        code = report.exit_code
        if notify and (code > 0 or notify_always):
            body = json.dumps(webhook_body(report), indent=2 if dry_run else None)
            if dry_run:
                typer.echo(f"--dry-run: would POST to {notify}:", err=True)
                typer.echo(body, err=True)
            else:
                send(notify, body.encode("utf-8"), content_type="application/json", option="--notify")
        elif notify and dry_run:
            typer.echo("--dry-run: every budget is ok, nothing to notify (use --notify-always)", err=True)
        sys.stdout.flush()
        error = strict_unpriced_error(priced) if strict else None
        if error is not None:  # (after the report and any alert: a breach among the priced rows still counts)
            typer.echo(error, err=True)
            raise typer.Exit(EXIT_BAD_INPUT)
        raise typer.Exit(code)
