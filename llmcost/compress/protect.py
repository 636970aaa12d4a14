"""Protected spans: text the compressor must never alter.

Before any pass runs, every protected span is replaced by a two-character
placeholder drawn from the Unicode private-use planes 15 and 16 (which no real
prompt uses); after the passes the placeholders are swapped back, so a span
can only survive byte-identical or (for a whole example dropped on request by
``--max-examples``) disappear with its block.  Equal spans share one
placeholder, so duplicate removal sees equal text.

What is protected (first match at a position wins, in this order):

* fenced code blocks (Markdown ``````` / ``~~~``, CommonMark: the closing fence
  uses the same character and is at least as long; an unclosed fence runs to
  the end of the text);
* anything matching a user ``--keep REGEX``;
* inline code (a run of backticks, then the same run);
* template variables: ``{{ jinja/mustache }}``, ``{% blocks %}``, Jinja ``{# comments #}``
  (not sent to the model: compressing them saves nothing), ``${shell}``,
  Python ``str.format`` fields ``{name}`` / ``{name!r:>10}`` / ``{0}``;
* XML/HTML tags ``<context>``, ``</context>``, ``<br/>`` (the tag, not the text
  between the tags);
* URLs (http, https, ftp, ``www.``) and e-mail addresses;
* bracketed output markers the model is told to write as they are:
  ``[FOLLOWUP:label|question]``, ``[image:x]``, ``[web:1]`` (a name, a colon,
  then no space; an editorial ``[Note: ...]`` stays prose);
* quoted strings: ``"..."``, ``'...'`` (not apostrophes), “...”, ‘...’,
  「...」, 『...』 (one line, at most 300 characters);
* numbers with units or currency: ``3.5 GB``, ``200ms``, ``15%``, ``$10``,
  ``€4.99``, ``30 分钟``, ``500 字``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ..errors import InputError

# --------------------------------------------------------------------------- #
# Placeholders
# --------------------------------------------------------------------------- #

_HI0 = 0xF0000  # plane 15 private use: high "digit"
_LO0 = 0x100000  # plane 16 private use: low "digit"
_BASE = 0xFFFE
PLACEHOLDER_RE = re.compile("[\U000F0000-\U000FFFFD][\U00100000-\U0010FFFD]")
_RESERVED_RE = re.compile("[\U000F0000-\U000FFFFD\U00100000-\U0010FFFD]")


def placeholder(index: int) -> str:
    return chr(_HI0 + index // _BASE) + chr(_LO0 + index % _BASE)


def placeholder_index(ph: str) -> int:
    return (ord(ph[0]) - _HI0) * _BASE + (ord(ph[1]) - _LO0)


# --------------------------------------------------------------------------- #
# Patterns
# --------------------------------------------------------------------------- #

_FENCE_OPEN = re.compile(r"(?m)^[ \t]{0,3}(`{3,}|~{3,})[^\n]*$")

_UNITS = (
    r"%|‰|ms|µs|us|ns|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?|yrs?"
    r"|[KMGTP]i?B|[kKMGT]b|bytes?|bits?|tokens?|words?|characters?|chars|lines?|pages?|items?|points?"
    r"|px|pt|em|rem|vh|vw|dpi|cm|mm|m|km|kg|g|mg|lbs?|oz|ft|in|mi|mph|km/h|°[CF]|K|Hz|kHz|MHz|GHz"
    r"|[kKM]?W|V|mA|mAh|L|ml|mL|USD|EUR|GBP|JPY|CNY|RMB|dollars?|euros?|cents?|x"
    r"|个|字|元|块|天|小时|分钟|秒|周|年|月|日|条|次|人|岁|公里|米|千克|公斤|克|倍|页|行|句|段"
)
_NUMBER = r"\d+(?:[.,]\d+)*"
# Each pattern starts with a literal or a character class (a look-behind, when
# needed, comes after the first character) so the regex engine can skip ahead.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("inline code", r"(?P<bt>`+)[^`\n](?:[^\n]*?[^`\n])?(?P=bt)(?!`)"),
    ("template", r"\{\{.{0,300}?\}\}|\{%.{0,300}?%\}|\{#.{0,300}?#\}|\$\{[^{}\n]{1,100}\}"),
    ("xml tag", r"<(?=/?[A-Za-z])/?[A-Za-z][\w:.\-]{0,60}(?:\s+[^<>\n]{0,300}?)?\s*/?>"),
    ("quoted", (r"\"[^\"\n]{1,300}\"|“[^”\n]{1,300}”|‘[^’\n]{1,300}’|「[^」\n]{1,300}」|『[^』\n]{1,300}』"
                r"|'(?<![\w'’]')[^'\n]{1,300}'(?![\w'])")),
    ("placeholder", r"\{(?:[A-Za-z_][\w.\-\[\]]{0,80}|\d{1,3})?(?:![rsa])?(?::[^{}\s]{0,20})?\}"),
    ("url", r"h(?<![\w]h)ttps?://[^\s<>\"'`]+|f(?<![\w]f)tp://[^\s<>\"'`]+|w(?<![\w]w)ww\.[A-Za-z0-9\-]+\.[^\s<>\"'`]+"),
    ("email", r"[\w.+\-](?<![\w.+\-][\w.+\-])[\w.+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+\b"),
    ("marker", r"\[(?=[A-Za-z_])[\w\-]{1,30}:(?=[^\s\]])[^\[\]\n]{1,300}\]"),
    ("number+unit", rf"[$€£¥]\s?{_NUMBER}(?:\s?(?:[kKmMbB]n?|million|billion|thousand))?\b"),
    # (not from a digit inside a number, "1,5" -> "5": the match from the number's first digit is
    # the same, and trying every ",digit" of "1,1,1,..." again to its end took quadratic time)
    ("number+unit", rf"\d(?<![\w.]\d)(?<!\d,\d)(?:[.,]?\d)*\s?(?:{_UNITS})(?![A-Za-z\d])"),
)
_COMPILED = tuple((kind, re.compile(pat, re.DOTALL)) for kind, pat in _PATTERNS)
#: single-line patterns whose every match holds one of these strings (see :func:`_mask_regex`)
_LINE_TRIGGER = {"inline code": ("`",), "email": ("@",), "url": ("://", "www.")}
#: patterns whose every match starts with one of these strings: when none is in the text, the
#: (slower) regex scan is skipped; a pattern starting with a plain character class ("[$€£¥]...")
#: gets that class's characters
_TRIGGER = {"marker": ("[",), "template": ("{{", "{%", "{#", "${"), "quoted": ('"', "“", "‘", "「", "『", "'")}
_CLASS_START = re.compile(r"\[([^\]\\^-]+)\]")


def _triggers(kind: str, rx: re.Pattern[str]) -> tuple[str, ...] | None:
    if kind in _TRIGGER:
        return _TRIGGER[kind]
    m = _CLASS_START.match(rx.pattern)
    return tuple(m.group(1)) if m else None


_GATED = tuple((kind, rx, _triggers(kind, rx)) for kind, rx in _COMPILED)
_URL_TRAIL = ".,;:!?)]}>'\""
#: kinds never removed, not even as a repeat: injected content ({{context}}, {docs}), template control
#: ({% if %}), --keep matches and XML-style tags.  Every occurrence must survive (``compress_text``
#: counts them), and a line holding one starts a new scope for duplicate removal.
PINNED_KINDS = frozenset({"template", "placeholder", "--keep", "xml tag"})


@dataclass
class Masked:
    """Text with protected spans replaced by placeholders."""

    text: str
    spans: list[str] = field(default_factory=list)  # index -> original span text
    kinds: list[str] = field(default_factory=list)  # index -> kind ("fenced code", "url"...)
    #: index -> the spans inside it (a ``${var}`` inside a quoted string is a span of its own, and
    #: only the outer span has a placeholder in the masked text)
    nested: dict[int, set[int]] = field(default_factory=dict)

    def used(self, text: str | None = None) -> set[int]:
        """Indices of the spans present in ``text`` (default: own text): those whose placeholder
        is there, and the spans nested inside them."""
        found = {placeholder_index(m) for m in PLACEHOLDER_RE.findall(self.text if text is None else text)}
        if self.nested:
            todo = [i for i in found if i in self.nested]
            while todo:
                for inner in self.nested[todo.pop()]:
                    if inner not in found:
                        found.add(inner)
                        if inner in self.nested:
                            todo.append(inner)
        return found

    def unmask(self, text: str | None = None) -> str:
        """``text`` (default: own text) with every placeholder restored."""
        spans = self.spans
        return PLACEHOLDER_RE.sub(lambda m: spans[placeholder_index(m.group())], self.text if text is None else text)


class _Builder:
    def __init__(self) -> None:
        self.spans: list[str] = []
        self.kinds: list[str] = []
        self.index: dict[str, int] = {}
        self.nested: dict[int, set[int]] = {}

    def add(self, span: str, kind: str) -> str:
        idx = self.index.get(span)
        if idx is None:
            idx = len(self.spans)
            self.index[span] = idx
            self.spans.append(span)
            self.kinds.append(kind)
        return placeholder(idx)


def compile_keep(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    """Compile user ``--keep`` regexes, with a clear error for a bad one."""
    compiled = []
    for pat in patterns:
        try:
            rx = re.compile(pat)
        except re.error as exc:
            raise InputError(f"invalid --keep regex {pat!r}: {exc}") from exc
        if rx.search(""):
            raise InputError(f"--keep regex {pat!r} matches the empty string")
        compiled.append(rx)
    return compiled


class _Finder:
    """The next occurrence of any of ``subs`` in ``text``, asked from non-decreasing positions:
    each string's next occurrence is remembered, so the text is scanned once per string."""

    def __init__(self, text: str, subs: tuple[str, ...]) -> None:
        self.text = text
        self.next = {sub: text.find(sub) for sub in subs}

    def find(self, start: int) -> int:
        best = -1
        for sub, i in self.next.items():
            if i != -1 and i < start:
                i = self.next[sub] = self.text.find(sub, start)
            if i != -1 and (best == -1 or i < best):
                best = i
        return best


def lines_holding(text: str, triggers: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``text`` holding one of ``triggers`` (``end``: its newline, or
    the end of the text), in order; the text is scanned once per trigger string."""
    finder = _Finder(text, triggers)
    at = finder.find(0)
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        yield start, end
        at = finder.find(end)


def _next_fence(text: str, pos: int, fences: _Finder) -> re.Match[str] | None:
    """``_FENCE_OPEN.search(text, pos)``, trying only the lines where a fence string occurs
    (``fences``: a finder of those strings in ``text``)."""
    at = fences.find(pos)
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        if line_start >= pos:  # (a line starting before ``pos`` cannot match: ^ only matches from pos on)
            m = _FENCE_OPEN.match(text, line_start)
            if m is not None:
                return m
        nl = text.find("\n", at)
        if nl == -1:
            return None
        at = fences.find(nl)
    return None


def _mask_fences(text: str, b: _Builder) -> str:
    out: list[str] = []
    pos = 0
    fences = _Finder(text, ("```", "~~~"))
    while True:
        m = _next_fence(text, pos, fences)
        if m is None:
            break
        fence = m.group(1)
        close = re.compile(rf"(?m)^[ \t]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        c = close.search(text, m.end() + 1) if m.end() < len(text) else None
        end = c.end() if c is not None else len(text)
        start = m.start(1)  # the fence itself, without its indentation
        out.append(text[pos:start])
        out.append(b.add(text[start:end].rstrip(), "fenced code"))
        tail = text[start:end]
        out.append(tail[len(tail.rstrip()):])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _mask_regex(text: str, rx: re.Pattern[str], kind: str, b: _Builder) -> str:
    def repl(m: re.Match[str]) -> str:
        whole = m.group()
        core = whole.strip()
        if not core:
            return whole
        if kind == "url":
            stripped = core.rstrip(_URL_TRAIL)
            # keep a closing bracket that belongs to the URL: wiki/Foo_(bar)
            while len(stripped) < len(core) and core[len(stripped)] == ")" and stripped.count("(") > stripped.count(")"):
                stripped += ")"
            trail_url = core[len(stripped):]
            if not stripped:
                return whole
            core = stripped
        else:
            trail_url = ""
        lead = whole[: len(whole) - len(whole.lstrip())]
        trail = whole[len(whole.rstrip()):]
        inner: list[int] = []
        if "\U000F0000" <= max(core) and PLACEHOLDER_RE.search(core):  # a span around spans
            inner = [placeholder_index(p) for p in PLACEHOLDER_RE.findall(core)]
            core = PLACEHOLDER_RE.sub(lambda p: b.spans[placeholder_index(p.group())], core)
        ph = b.add(core, kind)
        if inner:
            b.nested.setdefault(placeholder_index(ph), set()).update(inner)
        return lead + ph + trail_url + trail

    triggers = _LINE_TRIGGER.get(kind)
    if triggers is None:
        return rx.sub(repl, text)
    # a match of this pattern never crosses a newline, and its look-arounds see a newline
    # as they see the start / end of a line, so only the lines holding a string every
    # match contains need the (slow) scan: same matches, in the same order
    out: list[str] = []
    pos = 0
    for start, end in lines_holding(text, triggers):
        out.append(text[pos:start])
        out.append(rx.sub(repl, text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def mask(text: str, keep: Sequence[str | re.Pattern[str]] = ()) -> Masked:
    """Replace every protected span of ``text`` by a placeholder."""
    if not text.isascii() and _RESERVED_RE.search(text):  # (isascii is O(1))
        raise InputError("text contains Unicode private-use characters of planes 15/16, which the compressor reserves")
    b = _Builder()
    masked = _mask_fences(text, b)
    for rx in keep:
        pattern = rx if isinstance(rx, re.Pattern) else compile_keep([rx])[0]
        masked = _mask_regex(masked, pattern, "--keep", b)
    for kind, rx, triggers in _GATED:
        if triggers is None or any(t in masked for t in triggers):
            masked = _mask_regex(masked, rx, kind, b)
    return Masked(masked, b.spans, b.kinds, b.nested)


def protected_spans(text: str, keep: Sequence[str | re.Pattern[str]] = ()) -> list[tuple[str, str]]:
    """(kind, span) for every distinct protected span of ``text``, in order of first appearance."""
    m = mask(text, keep)
    return list(zip(m.kinds, m.spans))


def missing_spans(spans: Iterable[str], text: str) -> list[str]:
    """The spans that do not occur verbatim in ``text``."""
    return [s for s in spans if s not in text]


__all__ = ["PINNED_KINDS", "PLACEHOLDER_RE", "Masked", "compile_keep", "lines_holding", "mask", "missing_spans", "placeholder",
           "protected_spans"]
