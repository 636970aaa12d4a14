"""``llmcost prices [PATTERN]``: list and search the price table."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import InputError
from ._common import cli_errors, write_output

if TYPE_CHECKING:
    from ..pricing import PriceBook, Quote

# The price table (genai-prices) and rich load when the command runs, not
# when the CLI is built.


class PriceFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def quote_record(q: Quote) -> dict:
    rec = {
        "provider": q.provider,
        "model": q.model_id,
        "input_per_mtok": q.input,
        "cache_read_per_mtok": q.cache_read,
        "cache_write_5m_per_mtok": q.cache_write,
        "cache_write_1h_per_mtok": q.cache_write_1h,
        "output_per_mtok": q.output,
        "long_context": [
            {"above_input_tokens": start, "input_per_mtok": t.input, "output_per_mtok": t.output}
            for start, t in q.tiers
        ],
        "context_window": q.context_window,
        "valid_from": q.valid_from.isoformat() if q.valid_from else None,
        "source": q.source,
    }
    return rec


def _money(v: float) -> str:
    return f"{v:,.4f}".rstrip("0").rstrip(".") if v else "0"


def render_prices(quotes: list[Quote], fmt: PriceFormat, when: datetime) -> str:
    records = [quote_record(q) for q in quotes]
    if fmt is PriceFormat.json:
        return json.dumps({"as_of": when.date().isoformat(), "unit": "USD per 1M tokens", "models": records}, indent=2)
    if fmt is PriceFormat.csv:
        buf = io.StringIO()
        cols = [k for k in records[0] if k != "long_context"] + ["long_context_above", "long_context_input", "long_context_output"] if records else []
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in records:
            lc = r.pop("long_context")
            r["long_context_above"] = lc[0]["above_input_tokens"] if lc else ""
            r["long_context_input"] = lc[0]["input_per_mtok"] if lc else ""
            r["long_context_output"] = lc[0]["output_per_mtok"] if lc else ""
            w.writerow(r)
        return buf.getvalue()
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Prices as of {when.date().isoformat()} (USD per 1M tokens)", box=box.SIMPLE_HEAD)
    for col, just in [("provider", "left"), ("model", "left"), ("input", "right"), ("cache read", "right"),
                      ("cache write 5m", "right"), ("cache write 1h", "right"), ("output", "right"),
                      ("long context", "left"), ("context", "right"), ("source", "left")]:
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for q in quotes:
        lc = "; ".join(f">{start // 1000}k: {_money(t.input)}/{_money(t.output)}" for start, t in q.tiers)
        src = q.source + (f", from {q.valid_from.isoformat()}" if q.valid_from else "")
        table.add_row(q.provider, q.model_id, _money(q.input), _money(q.cache_read), _money(q.cache_write),
                      _money(q.cache_write_1h), _money(q.output), lc, f"{q.context_window:,}" if q.context_window else "",
                      src)
    buf = io.StringIO()
    Console(file=buf, width=200, color_system=None).print(table)
    return buf.getvalue()


def price_moment(date: str) -> datetime:
    """The moment ``--date`` names.  A bare day (and no ``--date``: today) is read at 12:00 UTC,
    not midnight: a model with time-of-day prices (DeepSeek is half price 16:30-00:30 UTC) then
    shows its standard price for that day, the same whatever the hour the command runs.  A time
    (``2025-06-01T17:00``) picks that moment's price."""
    if not date:
        return datetime.now(tz=UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    try:
        when = datetime.fromisoformat(date)
    except ValueError:
        raise InputError(f"--date must look like 2025-06-01 (or 2025-06-01T17:00), got {date!r}") from None
    if "T" not in date.upper() and " " not in date.strip():
        when = when.replace(hour=12)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def register(app: typer.Typer) -> None:
    @app.command("prices")
    @cli_errors
    def prices(
        pattern: str = typer.Argument("", help="Search model ids/providers (substring, or a glob with *)."),
        provider: str = typer.Option("", "--provider", help="Only this provider (openai, anthropic, google, ...)."),
        date: str = typer.Option("", "--date", help="Show the prices valid on this date (YYYY-MM-DD, read at 12:00 UTC; add THH:MM for time-of-day prices). Default: today."),
        prices_file: Path | None = typer.Option(None, "--prices", help="Overrides YAML (negotiated prices, fine-tunes)."),
        fmt: PriceFormat = typer.Option(PriceFormat.table, "--format", "-f", help="Output format."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    ) -> None:
        """List and search the price table ($ per 1M tokens by token kind)."""
        from ..pricing import PriceBook

        when = price_moment(date)
        book = PriceBook.default(str(prices_file) if prices_file else None)
        found = book.entries(pattern, when)
        quotes = [q for q in found if q.provider == provider.lower()] if provider else found
        if not quotes:
            raise no_match_error(pattern, provider, found, book)
        write_output(render_prices(quotes, fmt, when), output)


def no_match_error(pattern: str, provider: str, found: list[Quote], book: PriceBook) -> InputError:
    """The error for a search that lists nothing: the providers that do have a match when
    ``--provider`` filtered them all out, else the close spellings of ``pattern`` (a typo such
    as ``gtp-4o``), else a hint to shorten the pattern."""
    import difflib

    if found:
        others = ", ".join(sorted({q.provider for q in found}))
        return InputError(f"no {provider} model in the price table matches {pattern!r}", hint=f"it is listed under: {others}")
    names = sorted({q.model_id for q in book.entries()})
    close = difflib.get_close_matches(pattern.lower(), names, n=3, cutoff=0.75) if pattern else []
    hint = f"did you mean {', '.join(close)}?" if close else "try a shorter pattern, e.g. 'sonnet'"
    what = f"no {provider} model" if provider else "no model"
    return InputError(f"{what} in the price table matches {pattern!r}", hint=hint)
