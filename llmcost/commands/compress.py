"""``llmcost compress``: shrink prompt files safely and keep them small in CI.

    llmcost compress system.md                       # report only
    llmcost compress system.md -o system.min.md --diff
    llmcost compress prompts/ --in-place --level balanced --keep 'ACME-\\d+'
    llmcost compress prompts/ -o small/              # mirrors prompts/ (subfolders too) under small/
    llmcost compress few_shot.txt --max-examples 2 --model gpt-4o --model claude-sonnet-4-5 --calls-per-day 20000
    llmcost compress prompts/ --format json > base.json
    llmcost compress --check prompts/ --max-tokens 2000 --baseline base.json   # exit 1 on a breach

Reports tokens before/after per model, the reduction, the input dollars saved
per 1,000 calls (and per month of ``--calls-per-day`` calls, 30 days) at
today's list price, and the tokens each pass saved.  For JSON/YAML files the
tokens are those of the content fields only; in chat messages those are the
system/developer messages and the last user message (past turns are data and
stay byte-identical: see :mod:`llmcost.compress.formats`).

Written files keep the input's line-break style (CRLF stays CRLF), its
UTF-8 BOM and its final newline or the lack of one; a file whose compression
changed nothing is written byte for byte.
With several inputs or a folder, ``-o`` is an existing folder and each file
keeps its path relative to the folder argument it came from (a file given by
name keeps its name); two inputs that would land on the same output file are
refused before anything is written.  An empty file found in a folder (or a
JSON/YAML file without prompt text: another shape, e.g. a config file) is
skipped with a one-line note; one named on the command line is an error
(exit 2).

``--check --baseline``: a prompt is compared with the baseline entry of the
same path (as given on the command line) and model.  When no checked prompt
has one (run from another folder, or with another ``-m``) the check fails
with exit 2 rather than pass without comparing anything; prompts without an
entry are reported as ``new`` with a warning.
"""

from __future__ import annotations

import difflib
import io
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..compress import DEFAULT_MODEL
from ..errors import EXIT_THRESHOLD, InputError, LlmcostError
from ._common import cli_errors, write_output

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from ..pricing.sheet import PriceSheet

    from ..compress.formats import PromptDoc

# The compressor (its passes, tiktoken, the price table) and rich are imported
# inside the functions that use them: registering this command, and every
# other command's run or --help, must not pay for them.  The pass names are
# spelled out for the --no-pass help; tests/test_cli_startup.py checks they
# match llmcost.compress.PASS_NAMES.
PASS_NAMES_HELP = ("whitespace", "json", "markdown", "fewshot", "filler", "hedges", "phrases", "dedupe", "words")


class Level(str, Enum):
    safe = "safe"
    balanced = "balanced"
    aggressive = "aggressive"


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


@dataclass
class ModelRow:
    model: str
    tokens_before: int
    tokens_after: int
    exact: bool
    method: str
    saved_per_1k_calls_usd: float | None
    saved_per_month_usd: float | None

    @property
    def reduction_pct(self) -> float:
        return round(100.0 * (1 - self.tokens_after / self.tokens_before), 2) if self.tokens_before else 0.0


@dataclass
class FileResult:
    file: str
    kind: str
    fields: int
    new_text: str
    old_text: str
    rows: list[ModelRow]
    passes: dict[str, int]
    spans: int
    missing_spans: list[str]
    target_met: bool | None
    notes: list[str] = field(default_factory=list)
    llm: dict[str, Any] | None = None
    newline: str = "\n"  # the file's line-break style, kept when written
    encoding: str = "utf-8"  # what the file was read as (it is written as UTF-8)

    @property
    def spans_ok(self) -> bool:
        return not self.missing_spans


# --------------------------------------------------------------------------- #
# Work
# --------------------------------------------------------------------------- #


def _money_saved(before: int, after: int, model: str, book: Any,
                 calls_per_day: float | None) -> tuple[float | None, float | None]:
    from .. import tokens as tok

    cost_b = tok.input_cost_per_1k_calls(before, model, book)
    cost_a = tok.input_cost_per_1k_calls(after, model, book)
    if cost_b is None or cost_a is None:
        return None, None
    per_1k = round(cost_b - cost_a, 10)
    per_month = None if calls_per_day is None else round(per_1k / 1000 * calls_per_day * tok.DAYS_PER_MONTH, 6)
    return per_1k, per_month


@dataclass(frozen=True)
class LlmStage:
    """The --llm second stage: the model, its API base URL (None: the SDK's environment variable)
    and how long to wait for each answer."""

    model: str
    base_url: str | None = None
    timeout: float = 120.0


def _compress_doc(doc: PromptDoc, models: Sequence[str], options: dict[str, Any], book: Any,
                  calls_per_day: float | None, llm: LlmStage | None) -> FileResult:
    from .. import tokens as tok
    from ..compress import compress_text

    first = models[0]
    passes: dict[str, int] = {}
    new_texts: list[str] = []
    before_first = after_first = spans = 0
    missing: list[str] = []
    notes: list[str] = []
    target_met: bool | None = None
    llm_info: dict[str, Any] | None = None
    exact, method = True, ""
    for text in doc.texts:
        r = compress_text(text, model=first, **options)
        out, tokens_after = r.text, r.tokens_after
        if llm is not None:
            out, llm_tokens, llm_info = _llm_stage(r.text, options.get("keep", ()), first, llm, llm_info, doc.path)
            if out != r.text:  # accepted: llm_condense counted it, with the first model's tokenizer
                tokens_after = llm_tokens
        new_texts.append(out)
        before_first += r.tokens_before
        after_first += tokens_after
        for name, saved in r.passes:
            passes[name] = passes.get(name, 0) + saved
        spans += r.spans
        missing += r.missing_spans
        notes += r.notes
        exact, method = r.exact, r.method
        if r.target_met is not None:
            target_met = r.target_met if target_met is None else (target_met and r.target_met)
    rows = []
    for model in models:
        if model == first:
            b, a, ex, me = before_first, after_first, exact, method
        else:
            counts_b = [tok.count_tokens(t, model) for t in doc.texts]
            counts_a = [tok.count_tokens(t, model) for t in new_texts]
            b, a = sum(c.tokens for c in counts_b), sum(c.tokens for c in counts_a)
            ex = all(c.exact for c in counts_b)
            me = counts_b[0].method if counts_b else ""
        per_1k, per_month = _money_saved(b, a, model, book, calls_per_day)
        rows.append(ModelRow(model, b, a, ex, me, per_1k, per_month))
    if doc.texts and new_texts != doc.texts:
        new_text, render_notes = doc.render_with_notes(new_texts)
        notes += render_notes
    else:  # nothing compressed: the file's exact text (no JSON/YAML re-layout, no line-break change)
        new_text = doc.raw
    if not doc.texts:
        notes.append("no content fields to compress")
    return FileResult(doc.path, doc.kind, len(doc.texts), new_text, doc.raw, rows, passes, spans,
                      missing, target_met, _merge_notes(notes), llm_info, doc.newline, doc.encoding)


def _merge_notes(notes: list[str]) -> list[str]:
    """A file's notes, gathered over its text fields: each said once, and "no few-shot examples
    found" only when no field had any (a chat file's other messages usually have none)."""
    from ..compress.passes import NO_EXAMPLES_NOTE

    merged = list(dict.fromkeys(notes))
    if NO_EXAMPLES_NOTE in merged and any(n.startswith("fewshot:") and n != NO_EXAMPLES_NOTE for n in merged):
        merged.remove(NO_EXAMPLES_NOTE)
    return merged


def _llm_stage(text: str, keep: Sequence[Any], model: str, llm: LlmStage,
               info: dict[str, Any] | None, file: str) -> tuple[str, int, dict[str, Any]]:
    """The --llm result for one field: its text, its tokens for ``model`` and the merged report entry.
    An error (HTTP, timeout, a reply that is not an answer) names ``file``."""
    from .. import tokens as tok
    from ..compress.llm import llm_condense
    from ..compress.protect import protected_spans

    spans = [span for _kind, span in protected_spans(text, keep)]
    try:
        res = llm_condense(text, spans, llm.model, count=lambda t: tok.count_tokens(t, model).tokens,
                           base_url=llm.base_url, timeout=llm.timeout)
    except LlmcostError as err:
        err.file = err.file or file
        raise
    entry = {"model": res.model, "provider": res.provider, "accepted": res.accepted, "reason": res.reason,
             "missing_spans": res.missing_spans}
    merged = dict(info or {"fields": []})
    merged["fields"] = [*merged["fields"], entry]
    merged["accepted"] = all(f["accepted"] for f in merged["fields"])
    return res.text, res.tokens, merged


# --------------------------------------------------------------------------- #
# Rendering
# --------------------------------------------------------------------------- #


def _money(value: float | None) -> str:
    if value is None:
        return "unpriced"
    return f"${value:,.4f}" if abs(value) < 1 else f"${value:,.2f}"


def _console(buffer: io.StringIO) -> Console:
    from rich.console import Console

    return Console(file=buffer, width=160, no_color=True, highlight=False, soft_wrap=False)


def _render_table(results: Sequence[FileResult], calls_per_day: float | None, level: str,
                  warnings: Sequence[str] = ()) -> str:
    from rich.table import Table

    from .. import tokens as tok

    table = Table(title=f"Prompt compression ({level})", title_justify="left")
    headers = ["File", "Model", "Before", "After", "Saved", "$ saved / 1k calls"]
    if calls_per_day is not None:
        headers.append(f"$ saved / month @ {calls_per_day:,g}/day")
    headers.append("Protected spans")
    for h in headers:
        table.add_column(h, justify="left" if h in ("File", "Model", "Protected spans") else "right",
                         overflow="fold" if h == "File" else "ellipsis")
    for res in results:
        for row in res.rows:
            table.add_row(*_row_cells(res.file, row, calls_per_day, res.spans, len(res.missing_spans)))
    if len(results) > 1:
        table.add_section()
        spans = sum(res.spans for res in results)
        missing = sum(len(res.missing_spans) for res in results)
        for row in _totals(results):
            table.add_row(*_row_cells(f"Total ({len(results)} files)", row, calls_per_day, spans, missing))
    buffer = io.StringIO()
    console = _console(buffer)
    console.print(table)
    if results:
        console.print(_pass_table(results))
    for res in results:
        for note in res.notes:
            console.print(f"{res.file}: {note}")
        if res.target_met is False:
            console.print(f"{res.file}: target ratio not reached (even at aggressive)")
        if res.llm is not None:
            for f in res.llm["fields"]:
                console.print(f"{res.file}: --llm {f['model']}: {f['reason']}"
                              + ("" if f["accepted"] else "; kept the deterministic result"))
    for warning in warnings:
        console.print(warning)
    if any(res.kind != "text" for res in results):
        console.print("JSON/YAML files: tokens of the compressed text fields only (what the model reads), not "
                      "the file's syntax: `llmcost tokens` counts the whole file")
    console.print("$ saved: input (prompt) tokens only, at today's list price"
                  + (f"; a month = {tok.DAYS_PER_MONTH} days." if calls_per_day is not None else "."))
    return buffer.getvalue()


def _pass_table(results: Sequence[FileResult]) -> Table:
    """Tokens each pass saved (for the first model): one column for one file; for several, a row per
    file and a column per pass, so that the table stays as wide as the pass list however many files."""
    from rich.table import Table

    from ..compress import PASS_NAMES

    names = [name for name in PASS_NAMES if any(name in res.passes for res in results)]
    model = results[0].rows[0].model
    if len(results) == 1:
        table = Table(title="Tokens saved per pass", title_justify="left")
        table.add_column("Pass")
        table.add_column(f"Saved ({model})", justify="right")
        for name in names:
            table.add_row(name, f"{results[0].passes[name]:,}")
        return table
    table = Table(title=f"Tokens saved per pass ({model})", title_justify="left")
    table.add_column("File", overflow="fold")
    for name in [*names, "Total"]:
        table.add_column(name, justify="right")
    for res in results:
        cells = [f"{res.passes[name]:,}" if name in res.passes else "-" for name in names]
        table.add_row(res.file, *cells, f"{sum(res.passes.get(name, 0) for name in names):,}")
    table.add_section()
    sums = [sum(res.passes.get(name, 0) for res in results) for name in names]
    table.add_row(f"Total ({len(results)} files)", *(f"{n:,}" for n in sums), f"{sum(sums):,}")
    return table


def _row_cells(label: str, row: ModelRow, calls_per_day: float | None, spans: int, missing: int) -> list[str]:
    """One line of the compression table (a file's, or the total's)."""
    cells = [label, row.model + ("" if row.exact else " (estimate)"), f"{row.tokens_before:,}",
             f"{row.tokens_after:,}", f"{row.reduction_pct:.1f}%", _money(row.saved_per_1k_calls_usd)]
    if calls_per_day is not None:
        cells.append(_money(row.saved_per_month_usd))
    cells.append(f"{spans} ok" if not missing else f"{missing} MISSING")
    return cells


def _totals(results: Sequence[FileResult]) -> list[ModelRow]:
    """One row per model: the sums over the files (dollars: None when a file's are)."""
    totals: dict[str, ModelRow] = {}
    for res in results:
        for row in res.rows:
            t = totals.get(row.model)
            if t is None:
                totals[row.model] = ModelRow(row.model, row.tokens_before, row.tokens_after, row.exact, row.method,
                                             row.saved_per_1k_calls_usd, row.saved_per_month_usd)
                continue
            t.tokens_before += row.tokens_before
            t.tokens_after += row.tokens_after
            t.exact = t.exact and row.exact
            t.saved_per_1k_calls_usd = _add(t.saved_per_1k_calls_usd, row.saved_per_1k_calls_usd, 10)
            t.saved_per_month_usd = _add(t.saved_per_month_usd, row.saved_per_month_usd, 6)
    return list(totals.values())


def _add(a: float | None, b: float | None, digits: int) -> float | None:
    return None if a is None or b is None else round(a + b, digits)


def _total_dict(results: Sequence[FileResult]) -> dict[str, Any]:
    return {"files": len(results), "models": [
        {"model": t.model, "tokens_before": t.tokens_before, "tokens_after": t.tokens_after,
         "saved_tokens": t.tokens_before - t.tokens_after, "reduction_pct": t.reduction_pct, "exact": t.exact,
         "saved_usd_per_1k_calls": t.saved_per_1k_calls_usd, "saved_usd_per_month": t.saved_per_month_usd}
        for t in _totals(results)]}


def _result_dicts(results: Sequence[FileResult]) -> list[dict[str, Any]]:
    out = []
    for res in results:
        for row in res.rows:
            out.append({
                "file": res.file, "kind": res.kind, "model": row.model,
                "tokens": row.tokens_before, "tokens_before": row.tokens_before, "tokens_after": row.tokens_after,
                "reduction_pct": row.reduction_pct, "exact": row.exact, "method": row.method,
                "saved_usd_per_1k_calls": row.saved_per_1k_calls_usd, "saved_usd_per_month": row.saved_per_month_usd,
                "passes": res.passes if row is res.rows[0] else None,
                "protected_spans": res.spans, "protected_spans_ok": res.spans_ok,
                "missing_spans": res.missing_spans, "target_met": res.target_met, "notes": res.notes, "llm": res.llm,
            })
    return out


def _render_json(results: Sequence[FileResult], level: str, calls_per_day: float | None,
                 warnings: Sequence[str] = ()) -> str:
    from .. import tokens as tok

    doc = {"command": "compress", "level": level, "calls_per_day": calls_per_day,
           "days_per_month": tok.DAYS_PER_MONTH, "files": _result_dicts(results), "total": _total_dict(results),
           "warnings": list(warnings)}
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _render_diff(res: FileResult) -> str:
    lines = difflib.unified_diff(res.old_text.splitlines(keepends=True), _final_text(res).splitlines(keepends=True),
                                 fromfile=res.file, tofile=f"{res.file} (compressed)")
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n"
        if line.startswith(("+++", "---")):
            out.append(typer.style(line, bold=True))
        elif line.startswith("@@"):
            out.append(typer.style(line, fg=typer.colors.CYAN))
        elif line.startswith("+"):
            out.append(typer.style(line, fg=typer.colors.GREEN))
        elif line.startswith("-"):
            out.append(typer.style(line, fg=typer.colors.RED))
        else:
            out.append(line)
    return "".join(out)


# --------------------------------------------------------------------------- #
# --check
# --------------------------------------------------------------------------- #


def _read_baseline(path: Path) -> dict[tuple[str, str], int]:
    """(path, model) -> tokens_before from a previous ``llmcost compress --format json``."""
    from .. import tokens as tok

    return tok.read_json_baseline(path, tokens_field="tokens_before", command="compress", non_negative=False,
                                  hint="use a previous `llmcost compress --format json` output", normalise_file=_norm_path)


def _norm_path(p: str) -> str:
    return Path(p).as_posix().removeprefix("./")


def _baseline_coverage(results: Sequence[FileResult], baseline: dict[tuple[str, str], int], source: Path) -> None:
    """Fail (exit 2) when no checked prompt is in the baseline: a gate that
    compares nothing must not pass.  Warn when only some are (they are new)."""
    keys = [(_norm_path(res.file), row.model) for res in results for row in res.rows]
    new = sum(key not in baseline for key in keys)
    if keys and new == len(keys):
        current = f"{keys[0][0]} ({keys[0][1]})"
        if not baseline:
            raise InputError(f"the baseline has no entries, so no checked prompt matches one (e.g. {current})",
                             file=str(source))
        base_file, base_model = next(iter(baseline))
        raise InputError(
            f"no checked prompt matches a baseline entry (path + model): e.g. baseline has "
            f"{base_file} ({base_model}), this run has {current}", file=str(source),
            hint="run from the folder the baseline was made in, with the same -m")
    if new:
        typer.echo(f"llmcost: warning: {new:,} of {len(keys):,} checked prompts {'is' if new == 1 else 'are'} "
                   "not in the baseline (path + model): reported as new", err=True)


def _check(results: Sequence[FileResult], max_tokens: int | None, baseline: dict[tuple[str, str], int] | None,
           output_format: OutputFormat, warnings: Sequence[str] = ()) -> tuple[str, bool]:
    rows: list[dict[str, Any]] = []
    failed = False
    for res in results:
        for row in res.rows:
            base = None if baseline is None else baseline.get((_norm_path(res.file), row.model))
            problems = []
            if max_tokens is not None and row.tokens_before > max_tokens:
                problems.append(f"over budget by {row.tokens_before - max_tokens:,}")
            if base is not None and row.tokens_before > base:
                problems.append(f"grew by {row.tokens_before - base:,}")
            status = "; ".join(problems) if problems else ("new" if baseline is not None and base is None else "ok")
            failed |= bool(problems)
            rows.append({"file": res.file, "model": row.model, "tokens": row.tokens_before, "budget": max_tokens,
                         "baseline": base, "compressible_to": row.tokens_after, "status": status,
                         "ok": not problems})
    if output_format is OutputFormat.json:
        return json.dumps({"command": "compress --check", "failed": failed, "files": rows,
                           "warnings": list(warnings)}, indent=2,
                          ensure_ascii=False), failed
    from rich.table import Table

    table = Table(title="Prompt budget check", title_justify="left")
    for h in ("File", "Model", "Tokens", "Budget", "Baseline", "Compressible to", "Status"):
        table.add_column(h, justify="left" if h in ("File", "Model", "Status") else "right")
    for r in rows:
        table.add_row(r["file"], r["model"], f"{r['tokens']:,}", "-" if r["budget"] is None else f"{r['budget']:,}",
                      "-" if r["baseline"] is None else f"{r['baseline']:,}", f"{r['compressible_to']:,}", r["status"])
    buffer = io.StringIO()
    console = _console(buffer)
    console.print(table)
    for warning in warnings:
        console.print(warning)
    if failed:
        console.print("FAILED: a prompt is over its budget or grew.")
    elif baseline is None:
        console.print("OK: every prompt within budget.")
    else:
        console.print("OK: no prompt grew since the baseline"
                      + (" and every prompt is within budget." if max_tokens is not None else "."))
    return buffer.getvalue(), failed


# --------------------------------------------------------------------------- #
# Command
# --------------------------------------------------------------------------- #


def _price_sheet_beside(models: Sequence[str], prices: Path | None, dollars: bool,
                        chars: int | None = None) -> Callable[[], PriceSheet]:
    """:func:`llmcost.pricing.sheet.price_sheet` (genai-prices: ~0.1 s to import and resolve a model).

    For ``chars`` characters of prompts from :data:`~llmcost.compress.meter.FORK_MIN_CHARS` on, the
    counting child builds it while this process runs the passes (:func:`llmcost.compress.meter.run_beside`):
    the passes take longer than the table, and the child has little to count.  On less, this process
    reads it itself, while the child is still building its tokenizer: the child would read it only after
    that, and the counts would wait behind it.  ``chars`` is None (it is called before the files are read)
    for a ``--prices`` file, read here at once so that its errors come before any work."""
    from ..compress.meter import FORK_MIN_CHARS, run_beside
    from ..pricing.sheet import price_sheet

    if prices is None and dollars and chars is not None and chars >= FORK_MIN_CHARS:
        return run_beside(price_sheet, tuple(models))
    sheet = price_sheet(models, str(prices) if prices is not None else None, dollars=dollars)
    return lambda: sheet


class _PendingSheet:
    """A :class:`PriceSheet` still being built: the first quote waits for it."""

    def __init__(self, pending: Callable[[], PriceSheet]) -> None:
        self.pending = pending

    def quote(self, model: str, when: Any = None) -> Any:
        return self.pending().quote(model, when)


def _prestart_counting(files: Sequence[Path], model: str) -> None:
    """Start the token-counting child now (:func:`llmcost.compress.meter.prestart`) when there is
    something to count, so that it builds the tokenizer (~0.25 s) while this process imports the
    passes and the price table and reads the files, instead of after.  Only the arguments are
    looked at (a stat each); an argument that does not exist is reported by the reading."""
    import stat

    from ..compress.meter import prestart

    for f in files:
        try:
            mode = f.stat().st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            prestart(model)
            return


@dataclass(frozen=True)
class Input:
    """A prompt file to compress and where it goes under an ``-o`` folder:
    its path relative to the folder argument it was found in, or its name
    when it was given as a file."""

    path: Path
    rel: Path
    walked: bool = False  # found in a folder argument (not named on the command line)


def _expand_inputs(files: Sequence[Path], skip: Sequence[Path], out_dir: Path | None) -> list[Input]:
    """The prompt files of the arguments, each once.  A walk skips ``out_dir``
    when it lies inside the walked folder (a re-run must not compress its own output)."""
    from .. import tokens as tok
    from ..compress.formats import TEMPLATE_SUFFIXES

    inputs: list[Input] = []
    seen: set[Path] = set()
    out_res = out_dir.resolve() if out_dir is not None else None
    for arg in files:
        walked = arg.is_dir()
        others: list[Path] = []
        for path in tok.expand_paths([arg], exclude=skip, passed_over=others,
                                        suffixes=tok.PROMPT_SUFFIXES | TEMPLATE_SUFFIXES):
            key = path.resolve()
            if key in seen:
                continue
            if walked and out_res is not None and out_res != arg.resolve() and key.is_relative_to(out_res):
                continue
            seen.add(key)
            inputs.append(Input(path, path.relative_to(arg) if walked else Path(path.name), walked))
        if others:  # (a .j2 or .prompty template in a --check folder must not go unchecked unseen)
            from ..wording import plural

            names = ", ".join(p.relative_to(arg).as_posix() for p in others[:3]) + (", ..." if len(others) > 3 else "")
            typer.echo(f"llmcost: note: {arg}: {plural(len(others), 'file')} not read (not a prompt suffix such as "
                       f".txt, .md, .json, .yaml, .prompty or .j2): {names}", err=True)
    return inputs


def _read_inputs(inputs: Sequence[Input]) -> list[tuple[Input, PromptDoc]]:
    """Read every input before any work.  An empty file found in a folder (or
    one without prompt text: a JSON/YAML file of another shape) is skipped with
    a one-line note; one named on the command line is an error."""
    from ..compress.formats import read_prompt
    from ..textfiles import EmptyFileError

    docs = []
    skipped = set()
    for item in inputs:
        try:
            docs.append((item, read_prompt(item.path)))
        except EmptyFileError as err:
            if not item.walked:
                raise
            typer.echo(f"llmcost: note: {item.path}: {err.skipped_as}, skipped", err=True)
            skipped.add(err.skipped_as)
    if not docs:
        raise InputError("nothing to compress: every prompt file found is "
                         + ("empty" if skipped == {"empty"} else "empty or holds no prompt text"))
    return docs


def _folder_mode(files: Sequence[Path], inputs: Sequence[Input], output: Path | None) -> bool:
    """Does ``-o`` name a folder to mirror the inputs into?"""
    if output is None:
        return False
    if str(output) == "-":
        return len(inputs) > 1
    return len(inputs) > 1 or output.is_dir() or any(f.is_dir() for f in files)


def _check_targets(inputs: Sequence[Input], output: Path) -> None:
    """Refuse (before any work) when ``-o`` is not a folder or two inputs map to one output file."""
    if str(output) == "-" or not output.is_dir():
        raise InputError("with several input files or a folder, -o must be an existing folder", file=str(output))
    taken: dict[str, Input] = {}
    for item in inputs:
        key = os.path.normcase((output / item.rel).as_posix())
        other = taken.setdefault(key, item)
        if other is not item:
            raise InputError(f"{other.path} and {item.path} would both be written to {output / item.rel}",
                             hint="compress them in separate runs, or pass the folder that holds both")


def _refuse_overwriting_inputs(inputs: Sequence[Input], output: Path, folder: bool) -> None:
    """``-o`` naming an input itself (the same file, or the input folder) is
    refused: rewriting inputs is what --in-place is for, asked for explicitly."""
    if str(output) == "-":
        return
    for item in inputs:
        target = output / item.rel if folder else output
        if target.exists() and os.path.samefile(target, item.path):
            raise InputError(f"-o would overwrite the input {item.path}",
                             hint="use --in-place to rewrite the inputs, or -o another file or folder")


def _final_text(res: FileResult) -> str:
    """The text to write: it ends with a line break (in the file's own style)
    exactly when the input did; a file without a final newline gets none."""
    if res.old_text.endswith("\n") and not res.new_text.endswith("\n"):
        return res.new_text + res.newline
    return res.new_text


def _write_outputs(results: Sequence[FileResult], inputs: Sequence[Input], output: Path | None, in_place: bool,
                   folder: bool) -> None:
    written: list[FileResult] = []
    if in_place:
        for res in results:
            if res.new_text != res.old_text:
                write_output(_final_text(res), Path(res.file), final_newline=False)
                written.append(res)
    elif output is not None and folder:
        for res, item in zip(results, inputs):
            target = output / item.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write_output(_final_text(res), target, final_newline=False)
            written.append(res)
    elif output is not None:
        write_output(_final_text(results[0]), output, final_newline=False)
        written.append(results[0])
    for res in written:
        if res.encoding != "utf-8":
            res.notes.append(f"read as {res.encoding.upper()}, written as UTF-8")


_PathType: Any = type(Path())


class _FolderArg(_PathType):  # type: ignore[misc]
    """An ``-o`` written with a trailing separator (``-o out/``): meant as a folder."""


def _output_arg(value: str) -> Path:
    """``-o``'s value as a Path; ``out/`` is remembered as meant to be a folder (pathlib drops the slash)."""
    return _FolderArg(value) if value != "-" and value.endswith(("/", os.sep)) else Path(value)


def register(app: typer.Typer) -> None:
    @app.command("compress")
    @cli_errors
    def compress_command(
        files: list[Path] = typer.Argument(..., help="Prompt files or folders (.txt, .md, .json/.yaml prompts or chat messages)."),
        model: list[str] = typer.Option([DEFAULT_MODEL], "--model", "-m", help="Model whose tokenizer and price to report (repeatable; the first drives --target-ratio). A model neither the tokenizer nor the price table knows gets a warning: its counts are estimates, unpriced."),
        level: Level = typer.Option(Level.balanced, "--level", help="safe (layout only), balanced, or aggressive (drops low-information words)."),
        target_ratio: float | None = typer.Option(None, "--target-ratio", help="Aim for tokens after / before <= this, in (0, 1]; escalates the level if needed."),
        output: Path | None = typer.Option(None, "--output", "-o", parser=_output_arg, help="Write the compressed prompt here ('-' = stdout); with several files or a folder, an existing folder (paths kept). Never an input itself: -o naming the input file or folder is refused (use --in-place)."),
        in_place: bool = typer.Option(False, "--in-place", help="Rewrite the input files (written to a temp file, then renamed)."),
        diff: bool = typer.Option(False, "--diff", help="Show a coloured unified diff (on stderr with --format json or -o -, so stdout stays parseable)."),
        keep: list[str] = typer.Option([], "--keep", help="Regex whose matches are never altered (repeatable)."),
        max_examples: int | None = typer.Option(None, "--max-examples", min=0, help="Keep at most N few-shot examples."),
        no_pass: list[str] = typer.Option([], "--no-pass", help=f"Switch a pass off (repeatable): {', '.join(PASS_NAMES_HELP)}."),
        calls_per_day: float | None = typer.Option(None, "--calls-per-day", min=0, help="Calls per day, to turn the saving into $/month."),
        llm: str | None = typer.Option(None, "--llm", help="Second stage: a model that condenses the text (openai or anthropic SDK; keys from env)."),
        base_url: str | None = typer.Option(None, "--base-url", help="API base URL for --llm (default: OPENAI_BASE_URL / ANTHROPIC_BASE_URL)."),
        llm_timeout: float = typer.Option(120.0, "--llm-timeout", help="Seconds to wait for each --llm answer (one retry)."),
        lang: str | None = typer.Option(None, "--lang", help="Limit the phrase tables to en or zh, any case (default: both)."),
        output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table or json."),
        check: bool = typer.Option(False, "--check", help="CI gate: exit 1 when a prompt exceeds --max-tokens or grew since --baseline."),
        max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, help="Token budget per prompt (with --check)."),
        baseline: Path | None = typer.Option(None, "--baseline", help="A previous `llmcost compress --format json` (with --check); entries match on path + model, and matching none is an error (exit 2)."),
        prices: Path | None = typer.Option(None, "--prices", help="Price overrides YAML."),
    ) -> None:
        """Compress prompts safely (protected spans never change) and report the tokens and dollars saved.

        In chat messages (JSON/YAML), only system/developer messages and the last user message are compressed:
        assistant, tool and earlier user turns (few-shot pairs, history) are data and stay as they are.
        """
        _prestart_counting(files, model[0] if model else DEFAULT_MODEL)
        from ..compress import PASS_NAMES
        from ..compress.protect import compile_keep

        if target_ratio is not None and not (0.0 < target_ratio <= 1.0):
            raise InputError(f"--target-ratio must be in (0, 1], got {target_ratio:g}", hint="0.6 keeps 60% of the tokens")
        if calls_per_day is not None and not math.isfinite(calls_per_day):  # (the JSON report cannot hold inf)
            raise InputError("--calls-per-day must be a finite number")
        if not (0 < llm_timeout < math.inf):  # (nan fails too)
            raise InputError(f"--llm-timeout must be a number of seconds above 0, got {llm_timeout:g}")
        if isinstance(output, _FolderArg) and not output.is_dir():  # not a file named "out" for "-o out/"
            raise InputError("is not a folder" if output.exists() else "output folder does not exist",
                             file=os.path.join(output, ""))
        if output is not None and in_place:
            raise InputError("use either -o/--output or --in-place, not both")
        bad = [n for n in no_pass if n not in PASS_NAMES]
        if bad:
            raise InputError(f"unknown pass {bad[0]!r} for --no-pass: passes are {', '.join(PASS_NAMES)}")
        if check:
            if max_tokens is None and baseline is None:
                raise InputError("--check needs --max-tokens or --baseline")
            if output is not None or in_place or llm is not None:
                raise InputError("--check only reads: drop -o, --in-place and --llm")
        elif max_tokens is not None or baseline is not None:
            raise InputError("--max-tokens and --baseline go with --check")
        if lang is not None:
            lang = lang.strip().lower()  # EN, Zh: the codes are case-insensitive
        keep_rx = compile_keep(keep)
        skip = [p for p in (baseline, output) if p is not None and str(p) != "-"]
        out_dir = output if output is not None and str(output) != "-" and output.is_dir() else None
        inputs = _expand_inputs(files, skip, out_dir)
        folder = _folder_mode(files, inputs, output)
        if folder and output is not None:
            _check_targets(inputs, output)
        if output is not None:
            _refuse_overwriting_inputs(inputs, output, folder)
        base = _read_baseline(baseline) if baseline is not None else None
        # --check reports tokens only: the price table is read only for the dollar report, or to
        # validate --prices (read first); for large prompts the bundled one is read in the counting child
        pending = _price_sheet_beside(model, prices, dollars=not check) if prices is not None else None
        options = {"level": level.value, "target_ratio": target_ratio, "keep": keep_rx,
                   "max_examples": max_examples, "skip": no_pass, "lang": lang}
        docs = _read_inputs(inputs)
        if pending is None:
            pending = _price_sheet_beside(model, None, dollars=not check, chars=sum(len(d.raw) for _i, d in docs))
        inputs = [item for item, _doc in docs]
        stage = LlmStage(llm, base_url, llm_timeout) if llm is not None else None
        book = _PendingSheet(pending) if not check else None
        results = [_compress_doc(doc, model, options, book, calls_per_day, stage) for _item, doc in docs]
        sheet = pending()
        for line in sheet.warnings:
            typer.echo(line, err=True)
        warnings = sheet.notes
        if check:
            if base is not None and baseline is not None:
                _baseline_coverage(results, base, baseline)
            text, failed = _check(results, max_tokens, base, output_format, warnings)
            write_output(text, None)
            if failed:
                raise typer.Exit(EXIT_THRESHOLD)
            return
        broken = [r for r in results if not r.spans_ok]
        if broken:
            raise InputError(f"protected span {broken[0].missing_spans[0][:60]!r} did not survive; nothing written",
                             file=broken[0].file, hint="this is a bug, please report it")
        _write_outputs(results, inputs, output, in_place, folder)
        to_stderr = output is not None and str(output) == "-"
        if diff:  # never mixed into a JSON report or a prompt written to stdout
            for res in results:
                typer.echo(_render_diff(res), nl=False, err=to_stderr or output_format is OutputFormat.json)
        report = (_render_json(results, level.value, calls_per_day, warnings) if output_format is OutputFormat.json
                  else _render_table(results, calls_per_day, level.value, warnings))
        if to_stderr:
            sys.stderr.write(report if report.endswith("\n") else report + "\n")
        else:
            write_output(report, None)
