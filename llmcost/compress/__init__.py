"""Prompt compression: deterministic, offline, measurable passes that never
touch protected spans.

    >>> from llmcost.compress import compress_text
    >>> r = compress_text("Could you please summarise the text below in order to save time?")
    >>> r.text
    'Summarise the text below to save time.'

Pipeline: the text is masked (:mod:`.protect`), the passes of the level run in
order (:mod:`.passes`), the spans are restored, and the result is checked:
every protected span of the input must appear byte-identical in the output,
except spans whose only occurrences were in few-shot examples dropped on
request (``max_examples``).  ``protected_spans_ok`` reports that check.

Token counts use :func:`llmcost.tokens.count_tokens`.  The saving of each pass
is measured with the model's BPE encoding (exact for OpenAI models; for other
families the o200k proxy, scaled to the family estimate).  Counting is
incremental: text is cut at line starts (a newline followed by a non-space
character), where tiktoken's pre-tokeniser never joins two pieces, so the
count of the whole text is the sum of the counts of its chunks and only chunks
a pass changed are re-counted; a changed chunk is cut again into clauses (at
more such places, see ``_SUB_END``) and only its clauses never seen are
re-encoded.

``target_ratio`` (tokens after / tokens before, in (0, 1]): when the level does
not reach it, the compressor escalates to ``aggressive`` and stops there, the
result's ``level`` naming the level used; ``target_met`` says whether the
target was reached.  It never goes further (dropping prepositions or more
words turns "At least one citation" into "Least one citation"): a target
beyond what the rules can remove is reported as missed, not forced.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import accumulate, count
from operator import add, sub
from dataclasses import dataclass, field

from .. import tokens as tok
from ..errors import InputError
from ..wording import plural
from .passes import LEVELS, PASS_NAMES, PASSES, PassContext, passes_for
from .protect import PINNED_KINDS, PLACEHOLDER_RE, Masked, compile_keep, mask, placeholder_index

DEFAULT_MODEL = "gpt-4o"
_CHUNK_SPLIT = re.compile(r"\n(?=\S)")
#: the end of a clause inside a piece (``_SUB_END_EN``, ``_SUB_END_ZH``), where the tokeniser also never joins two pieces: punctuation
#: before a space (the space starts the next piece), a CJK ideograph before CJK punctuation (a
#: letter run ends at a non-letter, and the punctuation starts the next piece)
_SUB_END_EN = re.compile(r"[.!?;:,](?= )")
_SUB_END_ZH = re.compile(r"[，。！？；：、](?<=[\u3400-\u4db5\u4e00-\u9fa5].)")
_CJK_PUNCT = re.compile(r"[，。！？；：、]")
#: joins clauses for one unmask: a reserved character (never in a span) that is no placeholder
_SEP = "\U0010FFFD"


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


class _Meter:
    """Incremental token counter over masked text (see module docstring)."""

    def __init__(self, model: str, masked: Masked) -> None:
        self.encoding = tok.get_encoding(tok.encoding_for_model(model) or tok.PROXY_ENCODING)
        self.masked = masked
        self.cache: dict[str, int] = {}  # piece followed by a newline -> tokens of both
        self.last_cache: dict[str, int] = {"": 0}  # the text's last piece -> tokens
        self.sub_cache: dict[str, int] = {}  # clause of a piece (see _SUB_END) -> tokens

    def count(self, text: str) -> int:
        # split on the newline itself (much faster than a zero-width split); every piece but the
        # last owns the newline that followed it: ``cache`` is keyed by such pieces without their
        # newline (no copies to build and hash), ``last_cache`` by the last piece
        pieces = _CHUNK_SPLIT.split(text)
        last = pieces.pop()
        cache = self.cache
        # only the pieces never seen are counted (a set difference, not a Python loop over all)
        new = list(set(pieces).difference(cache))
        new_last = last not in self.last_cache
        if new or new_last:
            self._count_new(new, last if new_last else None)
        return sum(map(cache.__getitem__, pieces)) + self.last_cache[last]

    def _count_new(self, pieces: list[str], last: str | None) -> None:
        """Count new pieces clause by clause: a pass changes a word or two of a line, so most
        clauses of a new piece were counted before (in ``sub_cache``) and only the others are
        encoded.  All in C loops: one scan for the clause ends of all the pieces, one unmask and
        one split for all the new clauses, then the per-piece sums from running totals."""
        texts = [p + "\n" for p in pieces]
        if last is not None:
            texts.append(last)  # ("" is in last_cache from the start: every text here is non-empty)
        joined = "".join(texts)
        ends = list(accumulate(map(len, texts)))
        # clause ends never fall on a piece end (one is before a space or CJK punctuation, the other
        # after a newline), so the cuts are distinct and every clause is non-empty
        cuts = _cuts(_SUB_END_EN, joined, 1)  # (after the punctuation)
        if not joined.isascii() and _CJK_PUNCT.search(joined):
            cuts += _cuts(_SUB_END_ZH, joined, 0)  # (before the punctuation)
        cuts += ends
        cuts.sort()
        clauses = list(map(joined.__getitem__, map(slice, [0, *cuts], cuts)))
        sub_cache = self.sub_cache
        fresh = list(set(clauses).difference(sub_cache))
        if fresh:
            # one encode call each (the batch API's thread pool costs more than it saves here)
            src = _SEP.join(fresh)
            if not src.isascii():  # (O(1): placeholders are not ASCII)
                src = self.masked.unmask(src)
            sub_cache.update(zip(fresh, map(len, map(self.encoding.encode_ordinary, src.split(_SEP)))))
        at_cut = dict(zip(cuts, accumulate(map(sub_cache.__getitem__, clauses))))
        totals = list(map(at_cut.__getitem__, ends))
        counts = list(map(sub, totals, [0, *totals]))
        if last is not None:
            self.last_cache[last] = counts.pop()
        self.cache.update(zip(pieces, counts))


def _cuts(rx: re.Pattern[str], text: str, offset: int) -> list[int]:
    """The positions of the matches of ``rx`` (all one character long) in ``text``, plus ``offset``.

    From the lengths of the parts ``rx.split`` leaves (C loops: faster than a match object each)."""
    parts = rx.split(text)
    parts.pop()
    return list(map(add, accumulate(map(len, parts)), count(offset)))


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


def _run(masked: Masked, names: Sequence[str], ctx: PassContext, meter: _Meter,
         start_tokens: int) -> tuple[str, list[tuple[str, int]], int]:
    text = masked.text
    current = start_tokens
    savings: list[tuple[str, int]] = []
    for name in names:
        fn, _lowest = PASSES[name]
        new = fn(text, ctx)
        if new != text:
            after = meter.count(new)
            if after > current:  # a pass never makes the prompt longer: undo it
                ctx.notes.append(f"{name}: undone (would add {plural(after - current, 'token')})")
                if name == "fewshot":
                    ctx.dropped.clear()
                savings.append((name, 0))
                continue
            savings.append((name, current - after))
            text, current = new, after
        else:
            savings.append((name, 0))
    return text, savings, current


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
) -> CompressResult:
    """Compress one prompt.

    ``passes`` runs exactly those passes (pipeline order kept) instead of the
    level's set; ``skip`` removes passes (``--no-pass``).  ``keep`` holds extra
    regexes whose matches are protected.  ``lang`` limits the language tables
    ("en" / "zh"; default both).
    """
    skip = list(skip)
    _check_options(level, target_ratio, max_examples, passes, skip, lang)
    keep_rx = [k if isinstance(k, re.Pattern) else compile_keep([k])[0] for k in keep]
    masked = mask(text, keep_rx)
    meter = _Meter(model, masked)
    raw_before = meter.count(masked.text)

    def plan(lvl: str) -> list[str]:
        chosen = list(passes) if passes is not None else passes_for(lvl, max_examples)
        return [n for n in PASS_NAMES if n in chosen and n not in skip]

    attempts = [level]
    if target_ratio is not None and passes is None and level != "aggressive":
        attempts.append("aggressive")
    for lvl in attempts:
        ctx = PassContext(masked=masked, level=lvl, lang=lang, max_examples=max_examples)
        out, savings, raw_after = _run(masked, plan(lvl), ctx, meter, raw_before)
        if target_ratio is None or raw_before == 0 or raw_after / raw_before <= target_ratio:
            break
    result_text = masked.unmask(out)
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
        cb, ca = tok.count_tokens(text, model), tok.count_tokens(result_text, model)
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
