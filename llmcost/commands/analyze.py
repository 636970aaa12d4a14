"""``llmcost analyze FILES...``: where does the money go?"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import EXIT_BAD_INPUT, InputError
from ._common import cli_errors, strict_unpriced_error, write_output

if TYPE_CHECKING:
    import pandas as pd

    from ..ingest import LoadResult
    from ..pricing import PriceBook

# pandas, the readers and the price table are imported where they are used:
# every command module is imported to build the CLI, and `llmcost compress`
# or any --help must not pay for them.

DIMENSIONS = ("model", "provider", "app", "user", "feature", "session", "day", "week", "month", "batch", "service_tier")
DEFAULT_BY = "model,provider,app,user,feature,day"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def parse_when(value: str, option: str) -> pd.Timestamp | None:
    """Parse a --since/--until value (date or ISO time; naive = UTC)."""
    if not value:
        return None
    import pandas as pd

    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"{option} must be a date like 2025-06-01 or an ISO time, got {value!r}") from None
    if pd.isna(ts):  # "NaT", "nat"
        raise InputError(f"{option} must be a date like 2025-06-01, got {value!r}")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def parse_by(values: list[str]) -> list[str]:
    dims: list[str] = []
    for v in values:
        for d in v.split(","):
            d = d.strip().lower()
            if not d:
                continue
            if d not in DIMENSIONS:
                raise InputError(f"--by {d!r} is not a dimension", hint=f"choose from {', '.join(DIMENSIONS)}")
            if d not in dims:
                dims.append(d)
    return dims


def load_with_progress(
    files: list[str],
    *,
    skip_bad: bool,
    mapping_path: Path | None,
    since: pd.Timestamp | None,
    until: pd.Timestamp | None,
    quiet: bool = False,
) -> LoadResult:
    """Load files, with a progress bar on stderr when it is a terminal."""
    from ..ingest import expand_paths, load

    mapping = None
    if mapping_path is not None:
        from ..ingest.generic import load_mapping

        mapping = load_mapping(str(mapping_path))
    paths = expand_paths(files)
    size = sum(Path(p).stat().st_size for p in paths if p != "-" and Path(p).is_file())
    if quiet or not sys.stderr.isatty() or (len(paths) < 2 and size < 10_000_000):
        return load(files, skip_bad=skip_bad, mapping=mapping, since=since, until=until)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as bar:
        task = bar.add_task(Path(paths[0]).name if len(paths) == 1 else "", total=len(paths))

        def step(name: str) -> None:
            bar.update(task, advance=1, description=Path(name).name)

        return load(files, skip_bad=skip_bad, mapping=mapping, since=since, until=until, progress=step)


def load_priced(
    files: list[str],
    *,
    since: str = "",
    until: str = "",
    prices_file: Path | None = None,
    mapping: Path | None = None,
    skip_bad: bool = False,
) -> tuple[LoadResult, pd.DataFrame, PriceBook]:
    """The shared front half of every usage command: parse the time window,
    read the price table, load the files (progress bar on a terminal),
    refuse an empty result, and price every row."""
    from ..pricing import PriceBook, price_usage

    if not files:
        from ..ingest import default_log_dirs

        files = default_log_dirs()
        if not files:
            raise InputError(
                "no usage files given and no Claude Code or Codex logs found on this machine",
                hint="llmcost analyze usage.csv (see llmcost analyze --help)",
            )
    t0 = parse_when(since, "--since")
    t1 = parse_when(until, "--until")
    if t0 is not None and t1 is not None and t0 >= t1:
        raise InputError("--since must be before --until")
    book = PriceBook.default(str(prices_file) if prices_file else None)
    loaded = load_with_progress(files, skip_bad=skip_bad, mapping_path=mapping, since=t0, until=t1)
    if len(loaded.table) == 0:
        where = " in the --since/--until window" if (t0 is not None or t1 is not None) else ""
        raise loaded.no_rows_error(where)
    return loaded, price_usage(loaded.table, book), book


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    @cli_errors
    def analyze_cmd(
        files: list[str] = typer.Argument(
            None, help="Usage files, directories or globs; '-' reads stdin; .gz is fine. "
            "None: the Claude Code and Codex logs of this machine (~/.claude/projects, ~/.codex/sessions)."),
        by: list[str] = typer.Option([DEFAULT_BY], "--by", help=f"Breakdowns, comma-separated: {', '.join(DIMENSIONS)}."),
        since: str = typer.Option("", "--since", help="Only usage at or after this date/time (UTC)."),
        until: str = typer.Option("", "--until", help="Only usage before this date/time (UTC)."),
        top: int = typer.Option(10, "--top", min=1, help="Rows per breakdown before '(other)'."),
        prices_file: Path | None = typer.Option(None, "--prices", help="Price overrides YAML (discounts, fine-tunes, self-hosted)."),
        mapping: Path | None = typer.Option(None, "--map", help="Column mapping YAML for generic CSV/JSONL/Parquet."),
        fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Output format."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
        strict: bool = typer.Option(False, "--strict", help="Exit 2 when any request cannot be priced."),
        skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip malformed rows (counted in the report) instead of failing."),
        color: bool = typer.Option(None, "--color/--no-color", help="Force colours on/off (default: when stdout is a terminal)."),
        width: int = typer.Option(0, "--width", help="Table width (default: terminal width, 110 when not a terminal)."),
    ) -> None:
        """Price every request in the usage files and report where the money goes."""
        import pandas as pd

        from ..analyze import analyze
        from ..render import render

        dims = parse_by(by)
        loaded, priced, book = load_priced(
            files, since=since, until=until, prices_file=prices_file, mapping=mapping, skip_bad=skip_bad
        )
        result = analyze(
            priced,
            book=book,
            by=dims,
            top=top,
            skipped_rows=len(loaded.skipped),
            files=loaded.files,
            warnings=loaded.warnings + [str(s) for s in loaded.skipped[:20]],
            duplicates_dropped=loaded.duplicates_dropped,
            now=pd.Timestamp.now(tz="UTC"),
        )
        to_terminal = output is None and sys.stdout.isatty()
        use_color = to_terminal if color is None else color
        if not width:
            import shutil

            width = shutil.get_terminal_size((110, 40)).columns if to_terminal else 110
        text = render(result, fmt.value, color=use_color and fmt is ReportFormat.table, width=width)
        write_output(text, output)
        error = strict_unpriced_error(priced) if strict else None
        if error is not None:
            typer.echo(error, err=True)
            raise typer.Exit(EXIT_BAD_INPUT)
