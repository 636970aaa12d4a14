"""``llmcost whatif FILES...``: replay real traffic through optimisation levers,
and gate cost regressions in CI (``--baseline``, ``--fail-above``).

Exit codes: 0 fine; 1 the projected monthly cost rose above ``--fail-above``;
2 bad input, including a requested lever that could not run (the report still
shows the levers that did).
"""

from __future__ import annotations

import re
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..errors import EXIT_BAD_INPUT, EXIT_THRESHOLD, InputError, LlmcostError
from ._common import cli_errors, write_output
from .analyze import load_with_progress, parse_when

if TYPE_CHECKING:
    from ..pricing import PriceBook

_TTL_RX = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([smhdw]?)\s*$", re.IGNORECASE)
_TTL_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class WhatIfFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


def parse_ttl(spec: str) -> float:
    m = _TTL_RX.match(spec)
    if not m or float(m.group(1)) <= 0:
        raise InputError(f"--ttl takes a duration like 30m, 24h or 7d, got {spec!r}")
    return float(m.group(1)) * _TTL_UNITS[m.group(2).lower()]


def build_levers(opts: dict[str, Any], book: PriceBook) -> tuple[list[Any], list[Any]]:
    """Build the requested levers; a lever that cannot be built becomes a LeverError."""
    from ..simulate.base import LeverError

    levers: list[Any] = []
    failed: list[LeverError] = []

    def attempt(name: str, make: Any) -> None:
        try:
            levers.append(make())
        except LeverError as err:
            failed.append(err)
        except LlmcostError as err:
            failed.append(LeverError(name, str(err)))

    if opts["route"] is not None:
        from ..simulate.route import RouteLever

        attempt("route", lambda: RouteLever.from_file(opts["route"], book, explain=opts["explain"] is not None))
    if opts["cache"]:
        attempt("cache", lambda: _response_cache(opts))
    if opts["prompt_cache"]:
        attempt("prompt-cache", _prompt_cache)
    if opts["compress"]:
        from ..simulate.compress import CompressLever

        attempt("compress", lambda: CompressLever.parse(opts["compress"]))
    if opts["max_history"] is not None:
        from ..simulate.history import HistoryLever

        attempt("history", lambda: HistoryLever(opts["max_history"]))
    if opts["max_output"] is not None:
        from ..simulate.output_cap import OutputCapLever

        attempt("output-cap", lambda: OutputCapLever(opts["max_output"]))
    if opts["batch"]:
        from ..simulate.batch import BatchLever

        attempt("batch", lambda: BatchLever.parse(opts["batch"]))
    return levers, failed


def _response_cache(opts: dict[str, Any]) -> Any:
    from ..simulate.base import LeverError

    mode = opts["cache"].lower()
    if mode not in ("exact", "semantic"):
        raise LeverError("cache", f"--cache must be exact or semantic, got {opts['cache']!r}")
    if opts["threshold"] is not None and not 0.0 < opts["threshold"] <= 1.0:
        raise LeverError("cache", f"--threshold must be in (0, 1], got {opts['threshold']:g}")
    method = (opts.get("similarity") or "lexical").lower()
    if method not in ("lexical", "embedding"):
        raise LeverError("cache", f"--similarity must be lexical or embedding, got {opts.get('similarity')!r}")
    if opts["cache_scope"] not in ("global", "app", "user"):
        raise LeverError("cache", f"--cache-scope must be global, app or user, got {opts['cache_scope']!r}")
    ttl = parse_ttl(opts["ttl"])
    try:
        from ..simulate.cache import ResponseCache
    except ImportError:
        raise LeverError("cache", "lever not available in this installation") from None
    try:
        return ResponseCache(
            mode=mode, ttl_seconds=ttl, threshold=opts["threshold"], scope=opts["cache_scope"], method=method
        )
    except ValueError as err:
        raise LeverError("cache", str(err)) from None


def _prompt_cache() -> Any:
    from ..simulate.base import LeverError

    try:
        from ..simulate.prompt_cache import PromptCache
    except ImportError:
        raise LeverError("prompt-cache", "lever not available in this installation") from None
    return PromptCache()


def write_explain(path: Path, table: Any, levers: list[Any]) -> None:
    """Per-request complexity score / tier / rule as CSV."""
    import numpy as np
    import pandas as pd

    from ..simulate.complexity import classify

    frame = next((lv.explain_frame for lv in levers if getattr(lv, "explain_frame", None) is not None), None)
    if frame is None:
        req = np.maximum(table["requests"].to_numpy(dtype="int64"), 1)
        total = (table["input_tokens"] + table["cache_read_tokens"] + table["cache_write_tokens"]).to_numpy() / req
        cx = classify(table["prompt"] if table["prompt"].notna().any() else None, total)
        frame = pd.DataFrame({"source": table["source"].to_numpy(), "source_row": table["source_row"].to_numpy(),
                              "request_id": table["request_id"].to_numpy(), "model": table["model"].to_numpy(),
                              "input_tokens": np.round(total).astype("int64"), "score": cx["score"].to_numpy(),
                              "tier": cx["tier"].to_numpy(), "rule": "", "to_model": ""})
    try:
        frame.to_csv(path, index=False)
    except OSError as err:
        raise InputError(f"cannot write --explain file: {err.strerror}", file=str(path)) from None


def register(app: typer.Typer) -> None:
    @app.command("whatif")
    @cli_errors
    def whatif_cmd(
        files: list[str] = typer.Argument(..., help="Usage files, directories or globs (as for analyze)."),
        route: Path | None = typer.Option(None, "--route", help="Routing rules YAML."),
        cache: str = typer.Option("", "--cache", help="Response cache: exact or semantic."),
        ttl: str = typer.Option("24h", "--ttl", help="Response cache TTL, e.g. 30m, 24h, 7d."),
        threshold: float | None = typer.Option(
            None, "--threshold",
            help="Semantic cache similarity threshold (0-1]. Default: the measured one (lexical 0.75, embedding 0.925)."),
        similarity: str = typer.Option(
            "lexical", "--similarity",
            help="Semantic cache method: lexical (always available) or embedding (needs sentence-transformers installed)."),
        cache_scope: str = typer.Option("global", "--cache-scope", help="Response cache scope: global, app or user."),
        prompt_cache: bool = typer.Option(False, "--prompt-cache", help="Provider prompt caching of shared prefixes."),
        batch: str = typer.Option("", "--batch", help="Move traffic to Batch API: app=reports,feature=tagging or a share like 30%."),
        max_output: int | None = typer.Option(None, "--max-output", help="Clip responses to N output tokens."),
        compress: str = typer.Option("", "--compress", help="Prompt compression measured on the log's prompts at a level (safe, balanced, aggressive; measure = balanced), or an assumed ratio like 0.3."),
        max_history: int | None = typer.Option(None, "--max-history", help="Trim conversation context to N tokens (needs session ids)."),
        explain: Path | None = typer.Option(None, "--explain", help="Write per-request complexity score/tier/rule CSV here."),
        prices_file: Path | None = typer.Option(None, "--prices", help="Price overrides YAML."),
        mapping: Path | None = typer.Option(None, "--map", help="Column mapping YAML for generic CSV/JSONL/Parquet."),
        since: str = typer.Option("", "--since", help="Only usage at or after this date/time (UTC)."),
        until: str = typer.Option("", "--until", help="Only usage before this date/time (UTC)."),
        skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip malformed rows instead of failing."),
        fmt: WhatIfFormat = typer.Option(WhatIfFormat.table, "--format", "-f", help="Output format."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
        baseline: Path | None = typer.Option(None, "--baseline", help="Gate: a previous whatif JSON, or another routes YAML."),
        fail_above: str = typer.Option("", "--fail-above", help="Gate: exit 1 when monthly cost rises more than 5% or $100."),
        quiet_below: bool = typer.Option(False, "--quiet-below", help="Gate: one-line Markdown when below the threshold."),
    ) -> None:
        """How much would each optimisation save on this traffic, and what does it risk?"""
        from ..pricing import PriceBook
        from ..render.whatif import render_whatif
        from ..simulate import simulate
        from ..simulate.gate import Threshold, compare, load_baseline_json

        gate_threshold = Threshold.parse(fail_above) if fail_above else None
        if gate_threshold is not None and baseline is None:
            raise InputError("--fail-above needs --baseline (a previous whatif JSON or a routes YAML)")
        base_doc = None
        if baseline is not None and baseline.suffix.lower() not in (".yaml", ".yml"):
            base_doc = load_baseline_json(baseline)
        t0, t1 = parse_when(since, "--since"), parse_when(until, "--until")
        book = PriceBook.default(str(prices_file) if prices_file else None)
        loaded = load_with_progress(files, skip_bad=skip_bad, mapping_path=mapping, since=t0, until=t1)
        if len(loaded.table) == 0:
            raise loaded.no_rows_error()
        opts: dict[str, Any] = {
            "route": route, "cache": cache, "ttl": ttl, "threshold": threshold, "similarity": similarity, "cache_scope": cache_scope,
            "prompt_cache": prompt_cache, "batch": batch, "max_output": max_output, "compress": compress,
            "max_history": max_history, "explain": explain,
        }
        levers, failed = build_levers(opts, book)
        result = simulate(loaded.table, levers, book, failed=failed)
        result.warnings[:0] = loaded.warnings
        if explain is not None:
            write_explain(explain, loaded.table, levers)

        gate = None
        if baseline is not None:
            if base_doc is None:
                from ..simulate.route import RouteLever

                base_route = RouteLever.from_file(baseline, book)
                others = [lv for lv in levers if lv.name != "route"]
                past = simulate(loaded.table, [base_route, *others], book)
                gate = compare(result, past, label=str(baseline), threshold=gate_threshold)
            else:
                gate = compare(result, base_doc, label=str(baseline), threshold=gate_threshold)
            result.warnings.extend(w for w in gate.warnings if w not in result.warnings)

        to_terminal = output is None and sys.stdout.isatty()
        text = render_whatif(result, fmt.value, gate=gate, quiet_below=quiet_below,
                             color=to_terminal and fmt is WhatIfFormat.table, width=110)
        write_output(text, output)
        if not to_terminal:
            # the report lists them; on a terminal it is already on screen, elsewhere (a file, a CI
            # log's pipe) stderr says them too
            for err in result.errors:
                typer.echo(f"llmcost: error: {err}", err=True)
            for w in result.warnings:
                typer.echo(f"llmcost: warning: {w}", err=True)
        if result.errors:
            raise typer.Exit(EXIT_BAD_INPUT)
        if gate is not None and gate.exceeded:
            raise typer.Exit(EXIT_THRESHOLD)
