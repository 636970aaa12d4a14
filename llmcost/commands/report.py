"""``llmcost report FILES... -o report.html``: one self-contained HTML report.

The same load → price → analyze pipeline as ``llmcost analyze``; with lever
options (``--route``, ``--cache``, ``--batch``, ``--max-output``...) the
report adds the ``whatif`` savings waterfall, built exactly as ``llmcost
whatif`` builds it; with ``--budgets`` (when the budget module is installed)
it adds budget status.

Exit codes: 0 report written; 2 bad input (unreadable files, output folder
missing, a lever that could not run: the report is still written and names
it). The report is written to a temporary file next to the target and renamed
into place, so a failure never leaves a half-written report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..errors import EXIT_BAD_INPUT, InputError
from ._common import cli_errors, write_output
from .analyze import load_priced

if TYPE_CHECKING:
    import pandas as pd

REPORT_BY = ("model", "provider", "app", "user", "feature", "day")


def check_output(output: Path) -> None:
    """Fail before any work when the report cannot be written there."""
    if str(output) == "-":
        return
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("output folder does not exist", file=str(output),
                         hint=f"create {parent} first or choose another -o path")
    if output.is_dir():
        raise InputError("output path is a folder, not a file", file=str(output))


def load_budget_config(path: Path) -> tuple[Any, str]:
    """The parsed budgets file, or (None, why) when this installation has no
    budget module. Loaded before the usage files so a bad file fails fast."""
    if not path.is_file():
        raise InputError("budgets file not found", file=str(path))
    try:
        from ..budget import load_budgets
    except ImportError:
        return None, "Budgets were requested, but this installation has no budget module."
    return load_budgets(path), ""


def budget_lines(config: Any, priced: pd.DataFrame, source: str) -> tuple[list[Any], str]:
    """Budget status (:func:`llmcost.budget.check_budgets`, as of the last day
    in the data) as report lines, and a note naming the as-of day."""
    from ..budget import check_budgets
    from ..render.html import BudgetLine

    report = check_budgets(priced, config, source=source)
    lines = []
    for s in report.statuses:
        breach = ""
        if s.breach_date:
            breach = f"{s.breach_date} ({'projected' if s.breach_projected else 'reached'})"
        detail = [s.scope]
        if s.threshold_crossed is not None:
            detail.append(f"{s.threshold_crossed:g}% threshold crossed")
        if s.note:
            detail.append(s.note)
        lines.append(BudgetLine(
            name=s.name, period=f"{s.period} {s.period_label}", limit_usd=s.limit_usd, spent_usd=s.spent_usd,
            status=s.status, projected_usd=s.projected_usd, breach_date=breach, detail="; ".join(detail),
        ))
    note = f"From {Path(report.budgets_file).name or 'the budgets file'}, as of {report.as_of} ({report.as_of_source})."
    return lines, " ".join([note, *report.notes])


def register(app: typer.Typer) -> None:
    @app.command("report")
    @cli_errors
    def report_cmd(
        files: list[str] = typer.Argument(..., help="Usage files, directories or globs (as for analyze)."),
        output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write (its folder must exist)."),
        title: str = typer.Option("LLM cost report", "--title", help="Report title."),
        since: str = typer.Option("", "--since", help="Only usage at or after this date/time (UTC)."),
        until: str = typer.Option("", "--until", help="Only usage before this date/time (UTC)."),
        top: int = typer.Option(10, "--top", min=1, help="Rows per breakdown, top requests and anomalies."),
        prices_file: Path | None = typer.Option(None, "--prices", help="Price overrides YAML."),
        mapping: Path | None = typer.Option(None, "--map", help="Column mapping YAML for generic CSV/JSONL/Parquet."),
        skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip malformed rows (counted in the report)."),
        budgets: Path | None = typer.Option(None, "--budgets", help="budgets.yaml: add budget status."),
        route: Path | None = typer.Option(None, "--route", help="Lever: routing rules YAML."),
        cache: str = typer.Option("", "--cache", help="Lever: response cache, exact or semantic."),
        ttl: str = typer.Option("24h", "--ttl", help="Response cache TTL, e.g. 30m, 24h, 7d."),
        threshold: float | None = typer.Option(None, "--threshold", help="Semantic cache similarity threshold (0-1]; default: measured."),
        similarity: str = typer.Option("lexical", "--similarity", help="Semantic cache method: lexical or embedding."),
        cache_scope: str = typer.Option("global", "--cache-scope", help="Response cache scope: global, app or user."),
        prompt_cache: bool = typer.Option(False, "--prompt-cache", help="Lever: provider prompt caching."),
        batch: str = typer.Option("", "--batch", help="Lever: move traffic to Batch API (app=reports or 30%)."),
        max_output: int | None = typer.Option(None, "--max-output", help="Lever: clip responses to N output tokens."),
        compress: str = typer.Option("", "--compress", help="Lever: prompt compression ratio like 0.3."),
        max_history: int | None = typer.Option(None, "--max-history", help="Lever: trim context to N tokens."),
    ) -> None:
        """Write one self-contained HTML report (charts, tables; works offline)."""
        import pandas as pd

        from ..analyze import analyze
        from ..render.html import render_html, report_data
        from .whatif import build_levers

        check_output(output)
        budget_config, budget_note = load_budget_config(budgets) if budgets is not None else (None, "")
        loaded, priced, book = load_priced(
            files, since=since, until=until, prices_file=prices_file, mapping=mapping, skip_bad=skip_bad
        )
        analysis = analyze(
            priced, by=REPORT_BY, top=top, skipped_rows=len(loaded.skipped), files=loaded.files,
            warnings=loaded.warnings + [str(s) for s in loaded.skipped[:20]],
            duplicates_dropped=loaded.duplicates_dropped, now=pd.Timestamp.now(tz="UTC"), book=book,
        )
        opts: dict[str, Any] = {
            "route": route, "cache": cache, "ttl": ttl, "threshold": threshold, "similarity": similarity, "cache_scope": cache_scope,
            "prompt_cache": prompt_cache, "batch": batch, "max_output": max_output, "compress": compress,
            "max_history": max_history, "explain": None,
        }
        whatif = None
        levers, failed = build_levers(opts, book)
        if levers or failed:
            from ..simulate import simulate

            whatif = simulate(loaded.table, levers, book, failed=failed)
        lines = None
        if budget_config is not None:
            sources = ", ".join(f for f, _, _ in loaded.files)
            lines, budget_note = budget_lines(budget_config, priced, sources)
        data = report_data(priced, analysis, whatif=whatif, budgets=lines, budget_note=budget_note, title=title)
        write_output(render_html(data), output)
        if str(output) != "-":
            typer.echo(f"llmcost: wrote {output} ({output.stat().st_size / 1024:,.0f} KB)", err=True)
        errors = whatif.errors if whatif is not None else []
        for err in errors:
            typer.echo(f"llmcost: error: {err}", err=True)
        if errors:
            raise typer.Exit(EXIT_BAD_INPUT)
