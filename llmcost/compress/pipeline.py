"""The compressor's pipeline: mask, run the passes of a level with a token meter, restore, check.

See the package docstring (:mod:`llmcost.compress`) for what it guarantees.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .. import tokens as tok
from ..errors import InputError
from ..wording import plural
from .meter import ForkedMeter, Meter, MeterLost, TokenMeter, open_meter
from .passes import LEVELS, PASS_NAMES, PASSES, PassContext, passes_for
from . import DEFAULT_MODEL
from .sections import phases, run_phase
from .protect import PINNED_KINDS, PLACEHOLDER_RE, Masked, compile_keep, mask, placeholder_index


@dataclass
class CompressResult:
    """The outcome of :func:`compress_text`."""

    text: str
    tokens_before: int
    tokens_after: int
    model: str
    passes: list[tuple[str, int]]  # (pass name, tokens saved), pipeline order
    protected_spans_ok: bool
    level: str = "balanced"
    exact: bool = True
    method: str = ""
    spans: int = 0  # distinct protected spans in the input
    spans_dropped: int = 0  # spans removed with few-shot examples (on request)
    missing_spans: list[str] = field(default_factory=list)
    target_ratio: float | None = None
    target_met: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def saved(self) -> int:
        return self.tokens_before - self.tokens_after

    @property
    def ratio(self) -> float:
        """tokens after / tokens before (1.0 for an empty prompt)."""
        return self.tokens_after / self.tokens_before if self.tokens_before else 1.0

    @property
    def reduction(self) -> float:
        """Share of tokens removed, 0..1."""
        return 1.0 - self.ratio


def _check_options(level: str, target_ratio: float | None, max_examples: int | None,
                   passes: Sequence[str] | None, skip: Iterable[str], lang: str | None) -> None:
    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    if target_ratio is not None and not (0.0 < target_ratio <= 1.0):
        raise InputError(f"target ratio must be in (0, 1], got {target_ratio:g}",
                         hint="0.6 keeps 60% of the tokens")
    if max_examples is not None and max_examples < 0:
        raise InputError(f"max examples must be 0 or more, got {max_examples}")
    for name in [*(passes or ()), *skip]:
        if name not in PASSES:
            raise InputError(f"unknown pass {name!r}: passes are {', '.join(PASS_NAMES)}")
    if lang not in (None, "en", "zh"):
        raise InputError(f"unknown language {lang!r}: use en or zh (default: both)")


def _run(masked: Masked, names: Sequence[str], ctx: PassContext, meter: TokenMeter,
         parallel: bool | None = None) -> tuple[str, list[tuple[str, int]], int, int]:
    """Run the passes in order, counting after each; a pass that would add tokens is undone.
    Returns the masked text, the savings per pass, and the tokens before and after.  A run of
    local passes on a large prompt goes section by section (:mod:`.sections`)."""
    text = masked.text
    start = current = meter.count(text)
    savings: list[tuple[str, int]] = []
    todo = list(names)
    while todo:
        phase = phases(todo)[0]
        outs = run_phase(text, phase, ctx, parallel=parallel)
        del todo[:len(phase)]
        for k, (name, new) in enumerate(zip(phase, outs)):
            if new == text:
                savings.append((name, 0))
                continue
            after = meter.count(new)
            if after > current:  # a pass never makes the prompt longer: undo it
                ctx.notes.append(f"{name}: undone (would add {plural(after - current, 'token')})")
                if name == "fewshot":
                    ctx.dropped.clear()
                savings.append((name, 0))
                todo[:0] = phase[k + 1:]  # the phase's later passes ran on the undone text: again, on this one
                break
            savings.append((name, current - after))
            text, current = new, after
    return text, savings, start, current


def _run_ahead(masked: Masked, names: Sequence[str], ctx: PassContext, meter: ForkedMeter,
               parallel: bool | None = None) -> tuple[str, list[tuple[str, int]], int, int] | None:
    """:func:`_run` with a pipelined meter: every changed text is queued for counting and the
    passes go on; the counts are checked at the end.  ``None`` when a pass added tokens: :func:`_run`
    would have undone it and run the later passes on other text, so the caller runs that instead."""
    text = masked.text
    meter.submit(text)
    changed: list[str] = []
    for phase in phases(names):
        for name, new in zip(phase, run_phase(text, phase, ctx, parallel=parallel)):
            if new != text:
                meter.submit(new)
                changed.append(name)
                text = new
    counts = iter(meter.collect())
    start = current = next(counts)
    saved = dict.fromkeys(names, 0)
    for name, after in zip(changed, counts):
        if after > current:
            return None
        saved[name] = current - after
        current = after
    return text, list(saved.items()), start, current


#: why a prompt came back unchanged although the passes had removed all of it
EMPTIED_NOTE = "kept as it was: compressing would leave nothing of it"


def compress_text(
    text: str,
    *,
    level: str = "balanced",
    target_ratio: float | None = None,
    keep: Sequence[str | re.Pattern[str]] = (),
    max_examples: int | None = None,
    passes: Sequence[str] | None = None,
    lang: str | None = None,
    model: str = DEFAULT_MODEL,
    skip: Iterable[str] = (),
    parallel: bool | None = None,
) -> CompressResult:
    """Compress one prompt.

    ``passes`` runs exactly those passes (pipeline order kept) instead of the
    level's set; ``skip`` removes passes (``--no-pass``).  ``keep`` holds extra
    regexes whose matches are protected.  ``lang`` limits the language tables
    ("en" / "zh"; default both).  ``parallel``: count tokens in a forked child
    process while the passes run, and run the local passes of a large prompt's
    sections (:mod:`.sections`) in forked children, one per core (default: for
    inputs of 256,000+ characters, where fork and a second core exist); False
    does all of it here.  The result is the same either way.
    """
    skip = list(skip)
    _check_options(level, target_ratio, max_examples, passes, skip, lang)
    keep_rx = [k if isinstance(k, re.Pattern) else compile_keep([k])[0] for k in keep]
    masked = mask(text, keep_rx)

    def plan(lvl: str) -> list[str]:
        chosen = list(passes) if passes is not None else passes_for(lvl, max_examples)
        return [n for n in PASS_NAMES if n in chosen and n not in skip]

    def context(lvl: str) -> PassContext:
        return PassContext(masked=masked, level=lvl, lang=lang, max_examples=max_examples)

    attempts = [level]
    if target_ratio is not None and passes is None and level != "aggressive":
        attempts.append("aggressive")
    meter = open_meter(model, masked, parallel=parallel)
    try:
        for lvl in attempts:
            try:
                ctx = context(lvl)
                ran = _run_ahead(masked, plan(lvl), ctx, meter, parallel) if isinstance(meter, ForkedMeter) else None
                if ran is None:  # counting here, or a pass added tokens: pass by pass (the child counts on)
                    ctx = context(lvl)
                    ran = _run(masked, plan(lvl), ctx, meter, parallel)
            except MeterLost:  # the child failed: count here
                meter.close()
                meter = Meter(model, masked)
                ctx = context(lvl)
                ran = _run(masked, plan(lvl), ctx, meter, parallel)
            out, savings, raw_before, raw_after = ran
            if target_ratio is None or raw_before == 0 or raw_after / raw_before <= target_ratio:
                break
    finally:
        meter.close()
    result_text = masked.unmask(out)
    if not result_text.strip() and text.strip():
        # a prompt that is only a greeting or thanks ("Hi!", a chat's last user message) stays as it
        # was: an empty message is not a shorter one (Anthropic rejects an empty text block)
        out, result_text, raw_after = masked.text, text, raw_before
        savings = [(name, 0) for name, _saved in savings]
        ctx.notes.append(EMPTIED_NOTE)
    return _finish(text, out, result_text, masked, ctx, savings, raw_before, raw_after, model, lvl, target_ratio)


def _finish(text: str, out_masked: str, result_text: str, masked: Masked, ctx: PassContext, savings: list[tuple[str, int]],
            raw_before: int, raw_after: int, model: str, level: str, target_ratio: float | None) -> CompressResult:
    # a placeholder still present is restored verbatim by unmask(), so a span
    # survived byte-identical exactly when its placeholder is in the output
    present = masked.used(out_masked)
    missing = [s for i, s in enumerate(masked.spans) if i not in present and i not in ctx.dropped]
    if not ctx.dropped:
        # injected content, template control, --keep matches and tags are never removed, not even as a
        # repeat: every occurrence must still be there (other spans may go with a repeated sentence)
        before_n = Counter(PLACEHOLDER_RE.findall(masked.text))
        after_n = Counter(PLACEHOLDER_RE.findall(out_masked))
        missing += [masked.spans[placeholder_index(p)] for p, n in before_n.items()
                    if after_n[p] < n and masked.kinds[placeholder_index(p)] in PINNED_KINDS
                    and masked.spans[placeholder_index(p)] not in missing]
    exact_model = tok.encoding_for_model(model) is not None
    if exact_model:
        before, after = raw_before, raw_after
        method = f"tiktoken {tok.encoding_for_model(model)}"
    else:
        # (the meter counted the proxy encoding's tokens of exactly these two texts)
        cb, ca = tok.estimate_from_proxy(raw_before, text, model), tok.estimate_from_proxy(raw_after, result_text, model)
        before, after, method = cb.tokens, ca.tokens, cb.method
        savings = _scale(savings, before - after)
    ratio = after / before if before else 1.0
    return CompressResult(
        text=result_text,
        tokens_before=before,
        tokens_after=after,
        model=model,
        passes=savings,
        protected_spans_ok=not missing,
        level=level,
        exact=exact_model,
        method=method,
        spans=len(masked.spans),
        spans_dropped=len(ctx.dropped),
        missing_spans=missing,
        target_ratio=target_ratio,
        target_met=None if target_ratio is None else ratio <= target_ratio + 1e-12,
        notes=list(ctx.notes),
    )


def _scale(savings: list[tuple[str, int]], total: int) -> list[tuple[str, int]]:
    """Scale proxy-token savings to an estimated total, keeping the sum exact."""
    raw_total = sum(s for _n, s in savings)
    if raw_total == 0:
        return savings
    shares = [s * total / raw_total for _n, s in savings]
    floors = [int(x // 1) for x in shares]
    rest = total - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: shares[i] - floors[i], reverse=True)
    for i in order[: max(0, rest)]:
        floors[i] += 1
    return [(n, f) for (n, _s), f in zip(savings, floors)]


def compression_ratio(texts: Iterable[str], *, model: str = DEFAULT_MODEL, level: str = "balanced",
                      max_examples: int | None = None) -> float:
    """Token-weighted tokens-after / tokens-before over many prompts (1.0 when empty).

    Used by ``whatif`` to measure the real saving on a log's own prompts;
    equal prompts are compressed once.
    """
    cache: dict[str, tuple[int, int]] = {}
    before = after = 0
    for t in texts:
        if not t or not t.strip():
            continue
        if t not in cache:
            r = compress_text(t, level=level, model=model, max_examples=max_examples)
            cache[t] = (r.tokens_before, r.tokens_after)
        b, a = cache[t]
        before += b
        after += a
    return after / before if before else 1.0


__all__ = ["DEFAULT_MODEL", "LEVELS", "PASS_NAMES", "CompressResult", "compress_text", "compression_ratio"]
