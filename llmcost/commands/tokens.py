"""``llmcost tokens``: count prompt tokens offline and price 1,000 calls.

    llmcost tokens prompts/ system.md --model gpt-4o --model claude-sonnet-4-5
    llmcost tokens prompts/ --format json > base.json
    llmcost tokens prompts/ --baseline base.json --calls-per-day 20000

Costs are input only (the prompt), at today's list price: output tokens
depend on the answer and are not known from a prompt file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..errors import InputError
from ._common import cli_errors, price_book, warn_unknown_model, write_output

if TYPE_CHECKING:
    from rich.console import Console

    from .. import tokens as tok

# tiktoken (llmcost.tokens), the price table and rich load when the command
# runs, not when the CLI is built.

INPUT_NOTE = "$ per 1k calls: input (prompt) tokens only, at today's list price; output not included."


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _money(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "unpriced"
    text = f"{abs(value):,.4f}" if abs(value) < 1 else f"{abs(value):,.2f}"
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    return f"{sign}${text}"


def _label(row: tok.TokenRow) -> str:
    return "exact" if row.exact else "estimate"


def _console(buffer: io.StringIO, *columns: Sequence[str]) -> Console:
    """A plain console wide enough that the text ``columns`` never wrap."""
    from rich.console import Console

    width = max(100, sum(max((len(cell) for cell in column), default=0) for column in columns) + 90)
    return Console(file=buffer, width=width, no_color=True, highlight=False, soft_wrap=False)


def _render_table(rows: Sequence[tok.TokenRow]) -> str:
    from rich.table import Table

    table = Table(title="Prompt tokens", title_justify="left")
    for name, justify in (("File", "left"), ("Model", "left"), ("Tokens", "right"), ("Count", "left"),
                          ("Method", "left"), ("$ / 1k calls (input)", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(row.file, row.model, f"{row.tokens:,}", _label(row), row.method, _money(row.cost_per_1k_calls_usd))
    buffer = io.StringIO()
    console = _console(buffer, [r.file for r in rows], [r.model for r in rows], [r.method for r in rows])
    console.print(table)
    console.print(INPUT_NOTE)
    if any(not row.exact for row in rows):
        console.print("estimate: no public tokenizer for this model; o200k_base count x a family factor "
                      "(Claude: use --exact for Anthropic's count_tokens API).")
    return buffer.getvalue()


def _count(n: float) -> str:
    """A user-given count as typed, with thousands separators and never in
    scientific notation (``1000000`` is ``1,000,000``, not ``1e+06``)."""
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,.6f}".rstrip("0")


def _render_changes(changes: Sequence[tok.TokenChange], calls_per_day: float | None) -> str:
    from rich.table import Table

    from .. import tokens as tok

    table = Table(title="Prompt growth against the baseline", title_justify="left")
    headers = ["File", "Model", "Status", "Baseline", "Tokens", "Δ tokens", "Δ $ / 1k calls"]
    if calls_per_day is not None:
        headers.append(f"Δ $ / month @ {_count(calls_per_day)} calls/day")
    for header in headers:
        table.add_column(header, justify="left" if header in ("File", "Model", "Status") else "right")
    for change in changes:
        cells = [change.file, change.model, change.status, f"{change.baseline_tokens:,}", f"{change.tokens:,}",
                 f"{change.delta_tokens:+,}", _money(change.delta_cost_per_1k_calls_usd, signed=True)]
        if calls_per_day is not None:
            cells.append(_money(change.delta_cost_per_month_usd, signed=True))
        table.add_row(*cells)
    buffer = io.StringIO()
    console = _console(buffer, [c.file for c in changes], [c.model for c in changes], headers[-1:], headers[-2:-1])
    console.print(table)
    note = "Δ $: input tokens only, both sides at today's list price"
    if calls_per_day is not None:
        note += f"; a month = {tok.DAYS_PER_MONTH} days"
    console.print(note + ".")
    return buffer.getvalue()


def _row_dict(row: tok.TokenRow) -> dict[str, Any]:
    return {
        "file": row.file,
        "model": row.model,
        "tokens": row.tokens,
        "exact": row.exact,
        "method": row.method,
        "cost_per_1k_calls_usd": row.cost_per_1k_calls_usd,
    }


def _change_dict(change: tok.TokenChange) -> dict[str, Any]:
    return {
        "file": change.file,
        "model": change.model,
        "status": change.status,
        "baseline_tokens": change.baseline_tokens,
        "tokens": change.tokens,
        "delta_tokens": change.delta_tokens,
        "delta_cost_per_1k_calls_usd": change.delta_cost_per_1k_calls_usd,
        "delta_cost_per_month_usd": change.delta_cost_per_month_usd,
    }


def _render_json(rows: Sequence[tok.TokenRow], changes: Sequence[tok.TokenChange] | None) -> str:
    doc: dict[str, Any] = {"files": [_row_dict(row) for row in rows], "note": INPUT_NOTE}
    if changes is not None:
        doc["changes"] = [_change_dict(change) for change in changes]
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _render_csv(rows: Sequence[tok.TokenRow], changes: Sequence[tok.TokenChange] | None) -> str:
    from .. import tokens as tok

    buffer = io.StringIO()
    if changes is None:
        records = [_row_dict(row) for row in rows]
        fields = ["file", "model", "tokens", "exact", "method", "cost_per_1k_calls_usd"]
    else:
        records = [_change_dict(change) for change in changes]
        fields = list(records[0]) if records else list(_change_dict(tok.TokenChange("", "", "", 0, 0, 0, None, None)))
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    # booleans as JSON (and analyze's CSV) spell them: true / false, not Python's True
    writer.writerows({k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v) for k, v in record.items()}
                     for record in records)
    return buffer.getvalue()


def register(app: typer.Typer) -> None:
    @app.command("tokens")
    @cli_errors
    def tokens_command(
        files: list[Path] = typer.Argument(..., help="Prompt files or folders (.txt, .md, .json chat messages, .yaml prompts)."),
        model: list[str] = typer.Option(["gpt-4o"], "--model", "-m", help="Model to count for (repeatable)."),
        exact: bool = typer.Option(False, "--exact", help="Exact Claude counts via Anthropic's count_tokens API (needs ANTHROPIC_API_KEY)."),
        output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv."),
        prices: Path | None = typer.Option(None, "--prices", help="Price overrides YAML."),
        baseline: Path | None = typer.Option(None, "--baseline", help="A previous `llmcost tokens --format json` output to compare with."),
        calls_per_day: float | None = typer.Option(None, "--calls-per-day", min=0, help="Calls per day, to turn the growth into $/month."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    ) -> None:
        """Count prompt tokens offline (exact for OpenAI models) and price 1,000 calls."""
        from .. import tokens as tok

        if calls_per_day is not None and baseline is None:
            raise InputError("--calls-per-day needs --baseline")
        book = price_book(prices)
        for m in model:
            warn_unknown_model(m, book)
        base = tok.read_baseline(baseline) if baseline is not None else None
        skip = [p for p in (baseline, output) if p is not None and str(p) != "-"]
        rows = tok.count_files(files, model, book=book, exact=exact, exclude=skip)
        changes = None
        if base is not None:
            changes = tok.compare_to_baseline(rows, base, book=book, calls_per_day=calls_per_day)
        if output_format is OutputFormat.json:
            text = _render_json(rows, changes)
        elif output_format is OutputFormat.csv:
            text = _render_csv(rows, changes)
        else:
            text = _render_table(rows)
            if changes is not None:
                text += "\n" + _render_changes(changes, calls_per_day)
        write_output(text, output)
