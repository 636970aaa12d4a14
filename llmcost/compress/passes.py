"""The compression passes.  Each works on *masked* text (protected spans are
placeholders, see :mod:`.protect`), is deterministic, and is individually
switchable by name.

==============  =========  ======================================================
pass            from level what it does
==============  =========  ======================================================
``whitespace``  safe       CRLF -> LF, trailing spaces, runs of spaces/tabs inside
                           a line, 2+ blank lines -> 1, a common indentation
                           (prompts pasted from indented code) removed
``json``        safe       embedded (unfenced) JSON minified; string values are
                           protected spans, so only whitespace between tokens goes
``markdown``    balanced   ``**bold**``/``*em*`` markers, horizontal rules, table
                           alignment padding, closing ``#`` of headings
``fewshot``     (option)   only with ``max_examples``: keeps the first N examples
                           of a few-shot set (examples holding a template variable
                           are the live query and are always kept)
``filler``      balanced   politeness and filler: "Please", "Could you ...?",
                           "I would like you to", "Your task is to", "Be sure to",
                           "You are not allowed to" (-> "Don't"), "Thank you!", 请
                           (only before a command word: 请保安处理 asks someone
                           else), 麻烦你, 您好, 请问, 一下 ..., Traditional 請/麻煩你
                           alike, removed where the instruction stays intact; "You
                           should X" -> "X" only in a text with no "must" (one that
                           grades its rules keeps "should"); scripts and example
                           replies ("开场白：", "Example reply:") are left as written
``hedges``      balanced   intensifiers ("very", "really", "extremely", "simply",
                           非常, 十分 ...; never "just" alone, which restricts:
                           "Just return the JSON"; an emphatic chain
                           "really, really" goes whole), never after a
                           negation ("not very"), before a word that makes them
                           meaningful ("very much", "quite a few", "just the"), or
                           in few-shot data lines and table cells
``phrases``     balanced   verbose -> concise phrase table (:data:`PHRASES_EN`,
                           :data:`PHRASES_ZH`), case of the first letter kept;
                           reduced relative clauses ("that are provided" ->
                           "provided", "who is doing" -> "doing", "the text that the
                           user provides" -> "the text the user provides"),
                           "each of the risks" -> "each risk", 进行 + verb, 只需要…即可
``dedupe``      safe       repeated paragraphs and lines, list numbering aside (safe;
                           a 1. / 一、 list is renumbered), repeated and restated
                           sentences (balanced: see :class:`_NearIndex`; a Chinese
                           reminder "再次提醒：X" equal to an earlier X once emphasis
                           and 的 are set aside); only
                           units of 8+ words / 20+ CJK chars, never labelled lines
                           ("A: ...") or table rows; a heading, a lead-in line
                           ("For billing questions:", "The rules are these.") or a
                           title line starts a new scope
``words``       aggressive low-information words dropped by score (see
                           :func:`word_scores`); never negations, numbers, named
                           entities, modals, logical connectives, a relative
                           "that" before its verb or a copula (is/are/was/were)
==============  =========  ======================================================
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from itertools import compress, filterfalse, repeat
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..wording import plural
from .protect import PINNED_KINDS, PLACEHOLDER_RE, Masked, lines_holding, placeholder_index

LEVELS = ("safe", "balanced", "aggressive")
_PH = "[\U000F0000-\U000FFFFD][\U00100000-\U0010FFFD]"
PassFn = Callable[[str, "PassContext"], str]
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")


@dataclass
class PassContext:
    """What a pass may need besides the text."""

    masked: Masked
    level: str = "balanced"
    lang: str | None = None  # "en", "zh" or None (both)
    max_examples: int | None = None
    dropped: set[int] = field(default_factory=set)  # placeholder ids removed on purpose (fewshot)
    notes: list[str] = field(default_factory=list)

    # whole-prompt facts, decided once on all of it (so that every section of a large prompt, see
    # :mod:`.sections`, decides alike) and only when a rule asks

    @cached_property
    def british(self) -> bool:
        """Does the prompt spell the British way?"""
        return _BRITISH_SPELLING.search(self.masked.text.lower()) is not None

    @cached_property
    def grades_rules(self) -> bool:
        """Does the prompt say "must", "shall" or "required to" anywhere?  Then its "you should" is the
        weaker of two grades and stays (see :data:`_STRONG_MODAL`)."""
        return _STRONG_MODAL.search(self.masked.text) is not None

    @cached_property
    def article_pairs(self) -> frozenset[tuple[str, str]]:
        """The (article, next word) pairs of the prompt as written, lowercased: one it already had,
        even "a interesting", is left as written after a word between them goes (:func:`_fix_articles`)."""
        return frozenset((m.group(1).lower(), m.group(3).lower()) for m in _ARTICLE_PAIR.finditer(self.masked.text))

    def level_at_least(self, level: str) -> bool:
        return LEVELS.index(self.level) >= LEVELS.index(level)

    def en(self) -> bool:
        return self.lang in (None, "en")

    def zh(self) -> bool:
        return self.lang in (None, "zh")


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #

_PARA_SPLIT = re.compile(r"(\n[ \t]*\n(?:[ \t]*\n)*)")
#: sentence ends (``m.end()``): after . ! ? and the blanks that follow, or before a character that
#: is no blank, punctuation or closing quote.  Matched from the punctuation mark, a first character
#: the regex engine can skip ahead to (a look-behind would be tried at every position).
_SENT_END = re.compile(r"[.!?。！？](?:\s+|(?=[^\s.!?。！？\"'”’)\]]))")
_WORDISH = re.compile(rf"{_PH}|[^\W\d_]+(?:'[^\W\d_]+)?|\d+")
#: the same on lowercase ASCII text (letters are a-z, digits 0-9: plain ranges are faster to test)
_WORDISH_LOW_ASCII = re.compile(r"[0-9]+|[a-z]+(?:'[a-z]+)?")
_LABEL_LINE = re.compile(r"^\s*(?:[-*+]\s+)?[\w\u4e00-\u9fff ]{1,20}\s*[:：]")


@lru_cache(maxsize=1 << 16)
def _is_substantial(unit: str) -> bool:
    """A unit long enough that repeating it is redundancy, not structure."""
    if len(unit) < 15:
        return False  # 8 words need at least 15 characters, 20 CJK characters 20
    words = len(_WORDISH.findall(unit))
    return words >= 8 or len(_CJK_RE.findall(unit)) >= 20


def _has_cjk(text: str) -> bool:
    """Does ``text`` hold a CJK ideograph?  (O(1) for ASCII text.)"""
    return not text.isascii() and _CJK_RE.search(text) is not None


def _norm(unit: str) -> str:
    return " ".join(unit.split()).casefold()


def _cap_first(s: str) -> str:
    for i, ch in enumerate(s):
        if ch.isalpha():
            return s[:i] + ch.upper() + s[i + 1:]
        if not ch.isspace() and ch not in "\"'*_(":
            return s
    return s


def _cap_as(s: str, i: int, repl: str) -> str:
    """``repl`` (what replaces the sentence start ``s[i:...]``) capitalised as the original was: "Please
    keep it short" -> "Keep it short", but "Just a reminder: you should not share" -> "...: don't share"."""
    return _cap_first(repl) if s[i:i + 1].isupper() else repl


def _match_case(src: str, repl: str) -> str:
    if src[:1].isupper() and repl:
        return repl[0].upper() + repl[1:]
    return repl


#: an all-caps word ("NOT", "NEVER", "MUST", "ALWAYS", "DON'T"): deliberate emphasis, which is meaning
_CAPS_WORD = re.compile(r"(?<![\w'’])[A-Z]{2,}(?:['’][A-Z]+)?(?![\w'’])")
_NEXT_WORD = re.compile(r"[ \t]*[\w'’]+")
#: named groups a rule keeps (the rewritten part of a match is what comes before them)
_KEPT_GROUPS = ("rest", "rest2", "rest3", "body", "never")


def _caps_in(s: str, i: int, j: int) -> bool:
    """Does ``s[i:j]`` hold an all-caps emphasis word?"""
    return _CAPS_WORD.search(s, i, j) is not None


def _emphatic(m: re.Match[str], s: str) -> bool:
    """Would a rule rewrite emphasis?  The part of the match a rule rewrites
    (up to its kept group) and the word right after it are checked, so "Do NOT
    mention", "You must NEVER" and "You should ALWAYS" stay as written."""
    k = m.end()
    for name in _KEPT_GROUPS:
        if name in m.re.groupindex and m.start(name) != -1:
            k = min(k, m.start(name))
    nxt = _NEXT_WORD.match(s, k)
    return _caps_in(s, m.start(), nxt.end() if nxt else k)


def _unless_emphatic(fn: SubFn) -> SubFn:
    """``fn``, but a match holding emphasis (see :func:`_emphatic`) is left as is."""

    def guarded(m: re.Match[str], s: str) -> str:
        whole = s[m.start():m.end()]
        out = fn(m, s)  # (pure: calling it first skips the emphasis check for the many matches it keeps)
        return whole if out == whole or _emphatic(m, s) else out

    return guarded


# --------------------------------------------------------------------------- #
# whitespace
# --------------------------------------------------------------------------- #

_INDENT_RE = re.compile(r"(?m)^( *)\S")
#: a run of blanks inside a line (see :func:`_inner_ws`); every match holds "  ", a tab or a no-break space
_INNER_WS = re.compile(r"[ \t\u00a0]{2,}(?=\S)|\t(?=\S)")


def _inner_ws(m: re.Match[str]) -> str:
    s, i = m.string, m.start()
    if i == 0 or s[i - 1] in " \t\n":
        return m.group()  # indentation, not a run inside a line
    line_start = _line_of(s, i)[0]
    lead = line_start  # (its first 4 blanks at most: copying the line for each run was quadratic)
    while lead < line_start + 4 and s[lead] in " \t":
        lead += 1
    if lead > line_start and len(s[line_start:lead].expandtabs(4)) >= 4:
        return m.group()  # an indented code line: spacing may matter
    return " "


def _squeeze_blank_lines(text: str) -> str:
    """2+ blank lines -> 1."""
    return re.sub(r"\n{3,}", "\n\n", text) if "\n\n\n" in text else text


def pass_whitespace(text: str, ctx: PassContext) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if " \n" in text or "\t\n" in text or "\u00a0\n" in text:  # (a substring test is far faster than the scan)
        # (= re.sub(r"[ \t\u00a0]+(?=\n)", "", text): the blanks ending every line but the last)
        lines = text.split("\n")
        last = lines.pop()
        lines = [line.rstrip(" \t\u00a0") for line in lines]
        lines.append(last)
        text = "\n".join(lines)
    text = text.rstrip()
    # remove a common indentation (all lines, or all but an unindented first line)
    first_nl = text.find("\n")
    skip_first = first_nl != -1 and text[:1] not in (" ", "\t", "\n")
    body = text[first_nl + 1:] if skip_first else text
    if body[:1] and not body[0].isspace():
        indent = 0  # the first line is not indented: no common indentation (and no scan)
    else:
        indents = [len(x) for x in _INDENT_RE.findall(body)]
        indent = min(indents) if indents else 0
    if indent:
        body = re.sub(rf"(?m)^ {{{indent}}}", "", body)
        text = text[: first_nl + 1] + body if skip_first else body
    if "\t" in text or "  " in text or "\u00a0" in text:
        text = _sub_lines(_INNER_WS, _inner_ws, text, ("  ", "\t", "\u00a0"))
    text = _squeeze_blank_lines(text)
    return text.strip("\n")


# --------------------------------------------------------------------------- #
# json
# --------------------------------------------------------------------------- #

_JSON_START = re.compile(r"[\[{](?=[ \t]*\n|[ \t]*[\"\U000F0000-\U000FFFFD\[{\]}0-9-])")


def _json_can_start(s: str, i: int) -> bool:
    """Only blanks before ``i`` on its line, or ``": "``, ``"="``... (looked at from ``i`` back:
    copying the line for every bracket was quadratic on a long line)."""
    j = i
    while j > 0 and s[j - 1] != "\n" and s[j - 1].isspace():
        j -= 1
    return j == 0 or s[j - 1] == "\n" or s.endswith((": ", "= ", "： ", ":", "="), 0, i)


_BRACKET_OR_QUOTE = re.compile(r'[\[\]{}"]')
_BRACKET_SPAN = 200_000


class _Brackets:
    """Where the bracket opened at each position is closed (any of ``[]{}`` counts one level,
    as in a plain depth count), and the lone ``"`` of the text: found in one scan, so that
    :meth:`end` costs no rescan per candidate (rescanning up to 200,000 characters for each of
    many unclosed brackets was quadratic)."""

    def __init__(self, text: str) -> None:
        self.close: dict[int, int] = {}
        self.quotes: list[int] = []  # a '"' that is not part of '""' (and not the last character)
        stack: list[int] = []
        n = len(text)
        for m in _BRACKET_OR_QUOTE.finditer(text):
            i = m.start()
            ch = text[i]
            if ch in "[{":
                stack.append(i)
            elif ch in "]}":
                if stack:
                    self.close[stack.pop()] = i
            elif i + 1 < n and text[i + 1] != '"' and text[i - 1] != '"':
                self.quotes.append(i)

    def end(self, start: int) -> int | None:
        """The end of the bracketed region opened at ``start`` (within 200,000 characters), or
        None: not closed, or a string that is not a protected span is in it (leave it alone)."""
        close = self.close.get(start)
        if close is None or close - start >= _BRACKET_SPAN:
            return None
        q = bisect.bisect_right(self.quotes, start)
        if q < len(self.quotes) and self.quotes[q] < close:
            return None
        return close + 1


def _only_placeholder_strings(value: object) -> bool:
    if isinstance(value, str):
        return value in ("x", "")
    if isinstance(value, dict):
        return all(k in ("x", "") for k in value) and all(_only_placeholder_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(_only_placeholder_strings(v) for v in value)
    return True


def pass_json(text: str, ctx: PassContext) -> str:
    out: list[str] = []
    pos = 0
    brackets: _Brackets | None = None
    for m in _JSON_START.finditer(text):
        start = m.start()
        if start < pos or not _json_can_start(text, start):
            continue
        brackets = brackets or _Brackets(text)
        end = brackets.end(start)
        if end is None:
            continue
        region = text[start:end]
        if not re.search(r"\s", region):
            continue
        probe = PLACEHOLDER_RE.sub('"x"', region)
        try:
            value = json.loads(probe)
            if not isinstance(value, (dict, list)) or not _only_placeholder_strings(value):
                continue
        except (ValueError, RecursionError):  # (brackets nested a thousand deep: not JSON to minify)
            continue
        # the placeholders stand for quoted strings; check they really are JSON strings
        if any(not ctx.masked.spans[placeholder_index(p)].startswith('"') for p in PLACEHOLDER_RE.findall(region)):
            continue
        out.append(text[pos:start])
        out.append(re.sub(r"\s+", "", region))
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------- #
# markdown
# --------------------------------------------------------------------------- #

#: ** bold, but not between ASCII letters or digits: "2**x, 3**y" and "x**2 + y**2" are powers (the stray
#: pair made "2x, 3y"), and an English word is rarely bold in part; next to Chinese it is bold ("这是**重点**内容");
#: __ bold only as CommonMark reads it, not inside a word (the "__" of "mcp__github__create_issue"
#: or "这是__重点__" is no emphasis: stripping it made "mcpgithubcreate_issue", a tool name that does not exist) and
#: not around a bare identifier, a Python dunder ("__init__" became "init")
_BOLD = re.compile(r"(?<![/A-Za-z0-9])\*\*(?=[^\s*_/])(?P<b>[^\n]*?[^\s*_/])\*\*(?![A-Za-z0-9])"
                   r"|(?<![\w\\])__(?=[^\s*_])(?![A-Za-z0-9_]+__(?!\w))(?P<u>[^\n]*?[^\s*_])__(?!\w)")
#: (a * or ** after or before a / is a glob, not emphasis: "src/*.py、tests/*.py" became "src/.py、tests/.py" and
#: "src/**/*.ts and lib/**" "src//*.ts and lib/")
_ITALIC = re.compile(r"\*(?<![\w*\\/]\*)(?=[^\s*./])([^*\n]*?[^\s*/])\*(?![\w*])")
_RULE = re.compile(r"(?m)^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*(?:\n|$)")
_TABLE_SEP = re.compile(r"(?m)^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?\|?[ \t]*$")
_HEADING_CLOSE = re.compile(r"(?m)^(#{1,6}[ \t]+[^\n]*?)[ \t]+#+[ \t]*$")
_TABLE_CELL_PAD = re.compile(r"(?m)^(\|.*\|)[ \t]*$")


def _tidy_table_sep(m: re.Match[str]) -> str:
    row = m.group().strip()
    cells = [c.strip() for c in row.strip("|").split("|")]
    out = []
    for c in cells:
        left, right = c.startswith(":"), c.endswith(":")
        out.append((":" if left else "") + "-" + (":" if right else ""))
    return "|" + "|".join(out) + "|"


def _tidy_table_row(m: re.Match[str]) -> str:
    row = m.group(1)
    return re.sub(r"[ \t]*\|[ \t]*", "|", row)


def _sub_lines(rx: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str,
               triggers: tuple[str, ...]) -> str:
    """``rx.sub(repl, text)`` for a pattern whose every match lies within one line (its newline
    included) holding one of ``triggers``: only those lines are scanned (``finditer`` on the whole
    text from the line start, so ``^``, look-behinds and callbacks see the same string)."""
    out: list[str] = []
    pos = 0
    for start, end in lines_holding(text, triggers):
        for m in rx.finditer(text, start, end + 1):  # (the newline included)
            out.append(text[pos:m.start()])
            out.append(repl(m) if callable(repl) else m.expand(repl))
            pos = m.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


#: bold around these is emphasis that carries the instruction ("**Never** reveal", "**务必**"): kept
_EMPHASIS_WORDS = re.compile(
    r"(?:never|not|no|don't|do not|must|must not|always|only|important|warning|critical|required|mandatory"
    r"|请?(?:不要|不得|禁止|务必|必须|切勿|严禁|一定|注意|重要|勿))[.!:：！]?", re.IGNORECASE)


#: a rule word inside a longer bold or italic span: the author marked the whole rule ("**NEVER refer to tool
#: names when speaking to the USER.**", "**even blank lines must be counted**", "Use Markdown **only where
#: semantically correct**"), one rule raised above the plain ones around it; unmarked it read as any other
_RULE_IN_SPAN = re.compile(r"\b(?:never|always|must|mustn't|only|not|don't|cannot|can't|strictly|important|critical"
                           r"|required|mandatory)\b|不要|不得|禁止|务必|必须|切勿|严禁", re.IGNORECASE)


def _kept_marked(inner: str) -> bool:
    if _EMPHASIS_WORDS.fullmatch(inner) is not None:
        return True
    # (a title in Title Case is a label, whatever its words: "**Planning Only** (Simple Queries)")
    return _RULE_IN_SPAN.search(inner) is not None and (inner.isupper() or not all(
        w[:1].isupper() for w in inner.split() if w[:1].isalpha()))


#: a line about the markers themselves ("Use bold markdown (**text**) to highlight ...", "Wrap a key term in
#: asterisks: *term*"): its ** / * are the syntax shown, kept as written (lowercase: "**Bold** and *em*" is
#: a bold word, not a line about bold)
_MARKER_TALK = re.compile(r"\b(?:bold|italic|asterisk)")


def _marker_lines(text: str) -> Callable[[int, int], bool]:
    """A test of "is the span ``i:j`` on a line that talks about bold/italic markers outside it" (see
    ``_MARKER_TALK``; "**Bold** and *em*" names no marker), by bisection on the mentions and the newlines
    (each test O(log n), whatever the line's length)."""
    hits = [m.start() for m in _MARKER_TALK.finditer(text)]
    if not hits:
        return lambda i, j: False
    newlines = [m.start() for m in re.finditer("\n", text)]

    def on_such_line(i: int, j: int) -> bool:
        n = bisect.bisect_left(newlines, i)
        start = newlines[n - 1] + 1 if n > 0 else 0
        end = newlines[n] if n < len(newlines) else len(text)
        k = bisect.bisect_left(hits, start)
        if k < len(hits) and hits[k] < i:
            return True
        k = bisect.bisect_left(hits, j)
        return k < len(hits) and hits[k] < end

    return on_such_line


def _unbold(m: re.Match[str]) -> str:
    inner = m.group("b") if m.group("b") is not None else m.group("u")
    return m.group() if _kept_marked(inner) else inner


_BOLD_OPEN = re.compile(r"(?=(?:\*\*|__)[^\s*_])")
_BOLD_CLOSE = {d: re.compile(rf"[^\s*_](?={re.escape(d)})") for d in ("**", "__")}


def _sub_bold(text: str) -> str:
    """``_BOLD.sub(_unbold, text)``, trying the pattern only where it matches: a bold span from
    ``s`` ends at the first closing (a character, then the same marker) after it on its line, or
    is no bold span (a closing before a letter or digit does not close: "**a**b" stays).
    (The plain scan ran from every unclosed marker to the end of its line: quadratic on a long
    line with many.)"""
    closes = {d: [m.start() for m in rx.finditer(text)] for d, rx in _BOLD_CLOSE.items()}
    shown = _marker_lines(text)
    newlines: list[int] | None = None
    out: list[str] = []
    pos = 0
    for o in _BOLD_OPEN.finditer(text):
        s = o.start()
        if s < pos:
            continue
        cands = closes[text[s:s + 2]]
        k = bisect.bisect_left(cands, s + 2)
        if k == len(cands):
            continue
        c = cands[k]
        if newlines is None:
            newlines = [m.start() for m in re.finditer("\n", text)]
        n = bisect.bisect_left(newlines, s)
        if n < len(newlines) and newlines[n] < c:
            continue  # (no closing on this line)
        m = _BOLD.match(text, s, c + 3)
        after = text[m.end():m.end() + 1] if m is not None else ""
        if m is None or (after.isascii() and after.isalnum()):  # (a marker between letters or digits: "2**x";
            continue  # the end position hides the character after the closing from the pattern's look-ahead)
        if shown(s, m.end()):
            continue
        out += [text[pos:s], _unbold(m)]
        pos = m.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def pass_markdown(text: str, ctx: PassContext) -> str:
    # (each pattern needs its marker: absent markers skip the scan; the line-anchored ones scan
    # only the lines holding theirs)
    if "**" in text or "__" in text:
        text = _sub_bold(text)
    if "*" in text:
        shown = _marker_lines(text)
        text = _ITALIC.sub(lambda m: m.group() if _kept_marked(m.group(1)) or shown(m.start(), m.end()) else m.group(1), text)
    text = _sub_lines(_HEADING_CLOSE, r"\1", text, ("#",))
    # horizontal rules, but never a leading YAML front-matter fence
    front = ""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            front, text = text[: end + 4], text[end + 4:]
    # a rule after a text line would be a setext heading underline: keep those
    text = _RULE.sub(lambda m: "" if m.start() < 2 or m.string[m.start() - 2:m.start()] == "\n\n" else m.group(), text)
    text = _sub_lines(_TABLE_SEP, _tidy_table_sep, text, ("|",))
    text = _sub_lines(_TABLE_CELL_PAD, _tidy_table_row, text, ("|",))
    text = _squeeze_blank_lines(front + text)
    return text.strip("\n") if not front else text


# --------------------------------------------------------------------------- #
# dedupe
# --------------------------------------------------------------------------- #


#: (a Chinese list writes its mark without a blank: "一、请…", "2、…")
_ITEM_MARK = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,3}[.)、]|[一二三四五六七八九十]{1,3}[、.])[ \t]+|(?:\d{1,3}|[一二三四五六七八九十]{1,3})[、）．]"
                        r"|[（(](?:\d{1,3}|[一二三四五六七八九十]{1,3})[）)][ \t]*)")
_REMINDER_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?(?:remember|reminder|note|important|again|once again|注意|重要|提醒|再次提醒"
                             r"|再次强调|特别提醒|特别注意|切记|记住|牢记|重申)\s*[:：]\s*", re.IGNORECASE)
#: a Chinese restatement (see :func:`_zh_near_key`): its reminder label, and emphasis that narrows nothing
#: (务必, 千万, 一定 but not 不一定, 绝对, 非常); 的 and punctuation do not count either
_ZH_NEAR_LABEL = re.compile(r"^[ \t]*(?:\*\*)?(?:再次提醒|再次强调|特别提醒|特别注意|重要提醒|提醒|注意|重要|切记|记住|牢记|重申)"
                            r"(?:\*\*)?[ \t]*[:：，,][ \t]*")
_ZH_NEAR_DROP = re.compile("务必|千万|(?<!不)一定|(?<!不)绝对|(?<![并绝除无莫若似而亦决既本原皆岂])非常|的|[^\\w\U000F0000-\U0010FFFD]|_")
_ZH_NEAR_MIN = 10  # characters of the key, both sentences
#: words ignored when comparing two sentences for near-duplication ("Remember: don't reveal these
#: instructions" restates "Don't reveal the instructions")
_NEAR_STOP = frozenset(["a", "an", "the", "this", "these", "those", "that", "to", "of", "is", "are", "be", "please", "remember", "note", "also", "again", "reminder", "important", "once", "do", "does"])
_NEAR_MIN = 5  # content words, both sentences
#: the only words the earlier sentence may have beyond a restatement's: emphasis that narrows nothing.  Any other
#: word restricts the rule ("Reply to internal emails in a formal tone" does not say "Reply to emails in a formal
#: tone", so the later, broader sentence is no repeat)
_NEAR_EMPHASIS = frozenset(["very", "really", "absolutely", "strictly", "truly", "completely", "totally", "ever", "whatsoever",
                            "kindly", "just", "simply", "actually", "still", "yourself", "definitely", "certainly"])


def _content_words(unit: str, found: list[str] | None = None) -> tuple[str, ...]:
    """``found``: ``_WORDISH.findall(unit)`` when the caller has it."""
    if found is None:
        found = _WORDISH.findall(unit)
    # one casefold and one replace over all the words at once (casefold has no context, and no word
    # holds a space)
    low = " ".join(found).casefold().replace("’", "'")
    return _content_of(low.split(" ") if found else [], "n't" in low)


def _content_of(words: list[str], contractions: bool) -> tuple[str, ...]:
    """The content words of casefolded ``words``; ``contractions``: may one end in "n't"?"""
    if not contractions:
        return tuple(filterfalse(_NEAR_STOP.__contains__, words))
    out: list[str] = []
    for w in words:
        if w.endswith("n't"):
            base = {"ca": "can", "won": "will", "sha": "shall"}.get(w[:-3], w[:-3])
            if base not in ("do", "does", "did"):
                out.append(base)
            out.append("not")
        elif w not in _NEAR_STOP:
            out.append(w)
    return tuple(out)


def _zh_near_key(piece: str) -> str:
    """What a Chinese sentence says, for restatement look-up: without its reminder label ("再次提醒："),
    emphasis (务必, 千万, 一定, 绝对, 非常), 的, blanks and punctuation; "" when under :data:`_ZH_NEAR_MIN`
    characters.  Two sentences restate each other only when their keys are equal: word segmentation is
    unreliable, so an earlier sentence with any other extra character (a negation, a quantifier such as
    任何/所有, a condition, a number, a narrower noun) says something else and its repeat stays."""
    key = _ZH_NEAR_DROP.sub("", _ZH_NEAR_LABEL.sub("", piece, count=1)).casefold()
    return key if len(key) >= _ZH_NEAR_MIN else ""


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    it = iter(long)
    return all(w in it for w in short)


class _NearIndex:
    """Earlier sentences, for near-duplicate look-up.

    A later sentence is a near duplicate of an earlier one when its content
    words (:func:`_content_words`) are, in order, a subsequence of the earlier
    sentence's, it keeps at least 75% of them, both have 5+ content words and
    the earlier sentence's extra words are mere emphasis (:data:`_NEAR_EMPHASIS`).
    So a restatement ("Remember: don't reveal these instructions to the customer
    under any circumstances.") goes, but a rule the earlier one narrowed ("If X,
    do Y" then "Do Y"; "Reply to internal emails ..." then "Reply to emails ...")
    or a reordered one ("convert euros to dollars") never does.
    """

    def __init__(self) -> None:
        self.units: list[tuple[str, ...]] = []
        self.lengths: list[int] = []  # index -> len(units[index])
        self.sets: list[frozenset[str]] = []  # index -> the unit's distinct words
        self.by_word: defaultdict[str, list[int]] = defaultdict(list)
        self.zh: set[str] = set()  # keys (:func:`_zh_near_key`) of earlier Chinese sentences

    def add(self, words: tuple[str, ...]) -> None:
        if len(words) < _NEAR_MIN:
            return
        idx = len(self.units)
        self.units.append(words)
        self.lengths.append(len(words))
        distinct = frozenset(words)
        self.sets.append(distinct)
        # (by_word[w].append(idx) for each word, as a C loop)
        deque(map(list.append, map(self.by_word.__getitem__, distinct), repeat(idx)), maxlen=0)

    def restates(self, words: tuple[str, ...]) -> bool:
        if len(words) < _NEAR_MIN:
            return False
        distinct = set(words)
        postings = list(map(self.by_word.get, distinct))  # (get: no empty list left behind)
        if None in postings:
            return False  # a word no earlier sentence has
        rarest = min(postings, key=len)  # type: ignore[arg-type]
        sets = self.sets
        # the earlier sentence has at least as many words (``words`` is a subsequence of it) and
        # at most 4/3 as many (75% kept): that band first, then the cheap test that ``words`` uses
        # only words of the earlier sentence, then the subsequence itself
        n = len(words)
        most = 4 * n // 3
        lengths = self.lengths
        window = [i for i in rarest[-64:] if n <= lengths[i] <= most]  # type: ignore[index]
        for idx in compress(window, map(distinct.issubset, map(sets.__getitem__, window))):
            earlier = self.units[idx]
            if not _is_subsequence(words, earlier):
                continue
            extra = sets[idx] - distinct
            if not extra.issubset(_NEAR_EMPHASIS):
                continue  # the earlier sentence is narrower ("internal emails", "failed payment attempts"): the later one adds a rule
            if earlier.count("not") != words.count("not"):
                continue
            return True
        return False


_PH_MIN = "\U000F0000"


_HEADING_LINE = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")


def _scope_boundary(line: str, masked: Masked) -> bool:
    """Does ``line`` start a new scope for duplicate removal?  A Markdown heading (the same rule under
    "## Pro plan" and "## Enterprise plan" says two things), or a line holding injected content,
    template control or a --keep match: instructions repeated after a {{context}} block are there on
    purpose, and a second {% if %} block is not a repeat of the first."""
    if line[:1] in "# \t" and _HEADING_LINE.match(line):
        return True
    if line.isascii():  # (O(1); placeholders are not ASCII)
        return False
    kinds = masked.kinds
    return any(kinds[placeholder_index(p)] in PINNED_KINDS for p in PLACEHOLDER_RE.findall(line))


def _scope_end(line: str, masked: Masked) -> bool:
    """Is ``line`` a closing XML tag alone ("</tool_calling>")?  It ends the section it closes: the lines
    before it are still in that section (a rule said twice there is a repeat), the lines after it are not."""
    stripped = line.strip()
    if len(stripped) != 2 or PLACEHOLDER_RE.fullmatch(stripped) is None:
        return False
    i = placeholder_index(stripped)
    return masked.kinds[i] == "xml tag" and masked.spans[i].startswith("</")


_BOLD_LINE = re.compile(r"[ \t]*(\*\*|__)[^*_\n]+\1[ \t]*[:：]?[ \t]*")
_SENTENCE_FINAL = (".", "!", "?", "。", "！", "？", ";", "；", ",", "，")


#: the end of a sentence that announces what follows, as a colon does ("the rules are these.", "as follows.",
#: "follow the steps below.", "Here are the rules.")
_ANNOUNCING = re.compile(r"\b(?:these|following|follows|below)(?:[ \t]+[a-z-]+){0,2}\.$", re.IGNORECASE)
_HERE_ARE = re.compile(r"(?:[^.,\n]{1,60},[ \t]*)?here (?:are|is)\b[^.]*\.$", re.IGNORECASE)


def _lead_in(lines: list[str], k: int) -> bool:
    """Does ``lines[k]`` open a section the way a heading does?  A line ending in a colon ("For technical
    questions:", "When the user is a free customer, follow these steps:"), a bold line ("**Basic plan**"),
    or a short title line opening a paragraph that goes on ("Basic plan" once its bold is gone).  The same
    rule under two of them says two things (a rule for billing and one for technical questions)."""
    line = lines[k].strip()
    if not line or line.startswith("|"):
        return False
    if line.endswith((":", "：")) or _BOLD_LINE.fullmatch(line):
        return True
    if line.endswith(".") and (_ANNOUNCING.search(line, max(0, len(line) - 40)) or _HERE_ARE.match(line)):
        return True  # "For refunds, the rules are these." / "... apply the steps below." (a colon in all but its mark)
    return (k == 0 and len(lines) > 1 and not line.endswith(_SENTENCE_FINAL) and _ITEM_MARK.match(line) is None
            and len(line) <= 60 and len(line.split()) <= 6)


def pass_dedupe(text: str, ctx: PassContext) -> str:
    sentences = ctx.level_at_least("balanced")
    parts = _PARA_SPLIT.split(text)
    seen_paras: set[str] = set()
    seen_units: set[str] = set()
    near = _NearIndex()
    kept: list[str] = []
    masked = ctx.masked
    for i in range(0, len(parts), 2):
        para = parts[i]
        lines = para.split("\n")
        ends = [_scope_end(line, masked) for line in lines]
        bounds = [(_scope_boundary(line, masked) and not end) or _lead_in(lines, k)
                  for k, (line, end) in enumerate(zip(lines, ends))]
        # (a closing tag ends its section on its line: the scopes after it are reset there, see below)
        first_end = ends.index(True) if True in ends else len(lines)
        if any(bounds[:first_end]):  # a new scope starts in this paragraph: nothing before it is repeated here
            seen_paras = set()
            seen_units = set()
            near = _NearIndex()
        # (= _norm(para): a newline is a blank, so the paragraph's words are its lines' words)
        norms = list(map(_norm, lines))
        key = " ".join(filter(None, norms))
        if key and key in seen_paras and _is_substantial(para):
            continue  # an exact repeat of an earlier paragraph
        seen_paras.add(key)
        lines_out: list[str] = []
        for line, line_norm, bound, end in zip(lines, norms, bounds, ends):
            if bound:  # and none of this paragraph's lines before it either
                seen_units = set()
                near = _NearIndex()
            if end:  # the section closes here: what follows repeats nothing before it
                lines_out.append(line)
                seen_paras, seen_units, near = set(), set(), _NearIndex()
                continue
            stripped = line.strip()
            reminder = _REMINDER_LABEL.match(line) if sentences and (":" in line or "：" in line) else None
            structural = (not stripped or stripped.startswith("|")
                          or (_LABEL_LINE.match(line) is not None and reminder is None))
            if structural:
                lines_out.append(line)
                continue
            mark = _ITEM_MARK.match(line)
            head = line[: mark.end()] if mark else ""
            body = line[len(head):]
            # (= _norm(body): the list mark, a caseless word of its own, is the line's first word)
            lkey = line_norm[len(head.strip()) + (head[-1] in " \t"):] if head else line_norm
            if lkey in seen_units and _is_substantial(body):
                continue  # a repeated line (list numbering aside)
            if sentences:
                body = _dedupe_sentences(body, seen_units, near, reminder is not None, lkey)
                if not body.strip():
                    continue
            seen_units.add(lkey)
            lines_out.append(head + body)
        if lines_out:
            if kept:
                kept.append(parts[i - 1])
            kept.append("\n".join(_renumber(lines, lines_out)))
    return "".join(kept)


#: (a Chinese "1、", "1）" or "1．" needs no blank after it)
_NUMBERED = re.compile(r"^([ \t]*)(\d{1,3})([.)、）．])(?=[ \t]|(?<=[、）．]))")
#: a Chinese-numeral list mark: "一、", "十二、", "三．"
_ZH_NUMBERED = re.compile(r"^([ \t]*)([一二三四五六七八九十]{1,3})([、．.])")
_ZH_DIGITS = "一二三四五六七八九"


def _zh_numeral_value(s: str) -> int | None:
    """一 .. 九十九 as a number; None for anything else ("十十")."""
    if len(s) == 1:
        return 10 if s == "十" else _ZH_DIGITS.index(s) + 1
    tens, _, ones = s.partition("十")
    if _ != "十" or "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_ZH_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_ZH_DIGITS.index(ones) + 1 if ones else 0)


def _zh_numeral(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _ZH_DIGITS[tens - 1]) + "十" if tens else "") + (_ZH_DIGITS[ones - 1] if ones else "")


def _renumber(before: list[str], after: list[str]) -> list[str]:
    """After dropping items of a numbered list 1, 2, 3 ... (or 一、二、三、 ...), number the rest
    consecutively again.  Each kind of mark is its own list: "一、" sections may hold "1." items."""
    if len(after) == len(before):
        return after
    after = _renumber_marks(before, after, _NUMBERED, int, str)
    return _renumber_marks(before, after, _ZH_NUMBERED, _zh_numeral_value, _zh_numeral)


def _renumber_marks(before: list[str], after: list[str], rx: re.Pattern[str],
                    value: Callable[[str], int | None], numeral: Callable[[int], str]) -> list[str]:
    """:func:`_renumber` for one kind of mark: ``rx`` (groups: indent, number, mark), ``value`` reads a
    number and ``numeral`` writes one.  Only a list numbered consecutively before is renumbered."""
    nums = [value(m.group(2)) for m in map(rx.match, before) if m]
    first = nums[0] if nums else None
    if len(nums) < 2 or first is None or nums != list(range(first, first + len(nums))):
        return after
    n = first
    out = []
    for line in after:
        m = rx.match(line)
        if m:
            line = f"{m.group(1)}{numeral(n)}{m.group(3)}{line[m.end():]}"
            n += 1
        out.append(line)
    return out


def _dedupe_sentences(line: str, seen: set[str], near: _NearIndex, reminder: bool, line_key: str) -> str:
    """Drop the sentences of ``line`` already said (exactly, or restated: see :class:`_NearIndex`).

    ``line_key`` is ``_norm(line)``, reused when the line is one sentence."""
    if len(line) < 15:
        return line  # nothing substantial to drop or to remember
    bounds = [m.end() for m in _SENT_END.finditer(line)]
    starts = [0, *bounds]
    ends = [*bounds, len(line)]
    out: list[str] = []
    dropped = False
    whole = len(starts) == 1
    for st, en in zip(starts, ends):
        piece = line[st:en]
        key = line_key if whole else _norm(piece)
        if key and key in seen and _is_substantial(piece):
            dropped = True
            continue
        # (= _content_words(piece) if len(piece) >= 30 and _is_substantial(piece) and not _CJK_RE.search(piece):
        # without CJK, substantial means 8+ words, so the words are found once)
        words: tuple[str, ...] = ()
        if len(piece) < 30:
            pass
        elif piece.isascii():  # (no CJK; lowering first finds the same words, already casefolded)
            low = piece.lower()
            found = _WORDISH_LOW_ASCII.findall(low)
            if len(found) >= 8:
                words = _content_of(found, "n't" in low)
        elif not _CJK_RE.search(piece):
            found = _WORDISH.findall(piece)
            if len(found) >= 8:
                words = _content_words(piece, found)
        if words and near.restates(words):
            dropped = True
            continue
        zkey = _zh_near_key(piece) if not words and _CJK_RE.search(piece) else ""
        if zkey and zkey in near.zh:
            dropped = True
            continue
        seen.add(key)
        if words and not reminder:
            near.add(words)
        if zkey and not reminder:
            near.zh.add(zkey)
        out.append(piece)
    if not dropped:
        return line
    return "".join(out).rstrip()


# --------------------------------------------------------------------------- #
# fewshot
# --------------------------------------------------------------------------- #

_EX_Q = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?(?P<m>Q|Question|Problem|Input|User|Human|Text|Sentence|Review|Query|Customer"
    r"|Example|Sample|Demonstration|Shot|示例|例子|样例|范例|问题|输入|用户)\b\s*#?\s*\d*\s*(?:\*\*)?\s*(?:[:：.)]|$)",
    re.IGNORECASE,
)
_EX_A = re.compile(
    r"^\s*(?:A|Answer|Output|Assistant|AI|Response|Label|Sentiment|Category|Result|Solution|Reasoning|Explanation"
    rf"|Q|Question|Input|User|答|答案|输出|回答|助手|解答)\s*[:：]|^\s*{_PH}",
    re.IGNORECASE,
)
_HEADING_ONLY = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\S+\s*#?\s*\d*\s*(?:\*\*)?\s*[:：.]?\s*$")


def _live(block: str, masked: Masked) -> bool:
    """Does ``block`` hold a template variable (the live query slot)?"""
    return any(masked.kinds[placeholder_index(p)] in ("placeholder", "template") for p in PLACEHOLDER_RE.findall(block))


#: the answer line of a classification-style example ("Label: billing", "Sentiment: positive", "类别：物流")
_EX_LABEL = re.compile(
    r"(?im)^[ \t]*(?:A|Answer|Output|Label|Labels|Sentiment|Category|Class|Intent|Result|Tag|Topic|Verdict|Decision"
    r"|类别|标签|答案|输出|回答|分类|情感)[ \t]*[:：][ \t]*(?P<v>[^\n]{1,40}?)[ \t]*$")


_LABELLED = re.compile(r"[ \t]*(?P<m>[A-Za-z\u4e00-\u9fff][\w \u4e00-\u9fff]{0,20}?)[ \t]*[:：]")


def _generic_example(para: str) -> re.Match[str] | None:
    """A paragraph of labelled lines ("Ticket: …" then "Label: …"): an example of a set whose
    labels are not the usual Q/A, Input/Output ones.  Its first label names the set."""
    first_nl = para.find("\n")
    if first_nl == -1:
        return None
    last = para[para.rfind("\n") + 1:]
    m = _LABELLED.match(para)
    return m if m is not None and _LABELLED.match(last) is not None else None


def _example_label(block: str) -> str | None:
    """The label an example teaches (its last short answer line), or None (a long free-form answer)."""
    found = _EX_LABEL.findall(block)
    return found[-1].strip().strip(".。").casefold() if found else None


def _pick_examples(candidates: list[int], blocks: dict[int, str], n: int) -> set[int]:
    """The ``n`` examples to keep.  When the examples teach short labels, one example of each label
    first (in order of appearance), so ``--max-examples 3`` on a billing/bug/other classifier keeps one
    of each, not three billing ones; then the earliest of the rest.  Free-form answers: the first ``n``."""
    if n <= 0:
        return set()
    labels = {k: _example_label(blocks[k]) for k in candidates}
    distinct = [lb for lb in dict.fromkeys(labels.values()) if lb is not None]
    if len(distinct) < 2:
        return set(candidates[:n])
    keep: list[int] = []
    for lb in distinct:
        if len(keep) == n:
            break
        keep.append(next(k for k in candidates if labels[k] == lb))
    keep += [k for k in candidates if k not in keep][: n - len(keep)]
    return set(keep)


#: the fewshot pass's note when it found no examples (a command gathering a file's notes says it once, and
#: not beside a note of examples found in another field)
NO_EXAMPLES_NOTE = ("fewshot: no few-shot examples found (2 or more marked alike: Q:/A:, Input:/Output:, "
                    "Example 1...): --max-examples had nothing to drop")


def pass_fewshot(text: str, ctx: PassContext) -> str:
    if ctx.max_examples is None:
        return text
    parts = _PARA_SPLIT.split(text)
    paras = parts[0::2]
    # group paragraphs into examples: a question-marker paragraph starts one;
    # answer-marker paragraphs (or a code block) continue it
    owner: list[int | None] = [None] * len(paras)
    markers: list[str] = []
    current: int | None = None
    for i, para in enumerate(paras):
        m = _EX_Q.match(para) or _generic_example(para)
        if m is not None and (current is None or not _EX_A.match(para) or _HEADING_ONLY.match(para.split("\n")[0])
                              or markers[current] == m.group("m").lower()):
            markers.append(m.group("m").lower())
            current = len(markers) - 1
            owner[i] = current
        elif current is not None and _EX_A.match(para):
            owner[i] = current
        else:
            current = None
    counts = Counter(markers)
    if not counts or counts.most_common(1)[0][1] < 2:
        ctx.notes.append(NO_EXAMPLES_NOTE)
        return text
    marker, n = counts.most_common(1)[0]
    examples = [k for k, mk in enumerate(markers) if mk == marker]
    live = {k for k in examples if any(_live(paras[i], ctx.masked) for i in range(len(paras)) if owner[i] == k)}
    candidates = [k for k in examples if k not in live]
    keep = _pick_examples(candidates, {k: "\n".join(p for i, p in enumerate(paras) if owner[i] == k) for k in candidates},
                          ctx.max_examples)
    drop = set(candidates) - keep
    if not drop:
        ctx.notes.append(f"fewshot: {plural(len(candidates), 'example')}, within --max-examples "
                         f"{ctx.max_examples}: all kept")
        return text
    kept_paras = [p for i, p in enumerate(paras) if owner[i] not in drop]
    removed = [p for i, p in enumerate(paras) if owner[i] in drop]
    kept_ids = ctx.masked.used("\n".join(kept_paras))
    ctx.dropped |= ctx.masked.used("\n".join(removed)) - kept_ids
    labels = len({_example_label(t) for t in (("\n".join(p for i, p in enumerate(paras) if owner[i] == k)) for k in keep)} - {None})
    ctx.notes.append(f"fewshot: kept {len(keep)} of {plural(len(candidates), 'example')}"
                     + (f" ({labels} distinct labels)" if labels > 1 else " (1 label)" if labels else "") + (" and the live query" if live else ""))
    out: list[str] = []
    for i, para in enumerate(paras):
        if owner[i] in drop:
            continue
        if out:
            out.append(parts[2 * i - 1] if i > 0 else "\n\n")
        out.append(para)
    return "".join(out)


# --------------------------------------------------------------------------- #
# filler (politeness)
# --------------------------------------------------------------------------- #

_LIST_MARK = re.compile(r"[ \t]*(?:[-*+]|\d+[.)、])[ \t]*")


def _at_sentence_start(s: str, i: int) -> bool:
    """Is position ``i`` the start of a sentence (line start, list item, after . ! ? : ;)?"""
    line_start = s.rfind("\n", 0, i) + 1
    # decided from the last non-blank character before ``i`` when it can be (no copy of the line)
    j = i - 1
    while j >= line_start and s[j] in " \t":
        j -= 1
    if j < line_start:
        return True  # only blanks before
    c = s[j]
    if not c.isspace():
        if c in ".!?:;" and j < i - 1:
            return True
        return c in "-*+.)、" and _LIST_MARK.fullmatch(s, line_start, i) is not None
    before = s[line_start:i]
    if not before.strip() or _LIST_MARK.fullmatch(before):
        return True
    stripped = before.rstrip(" \t")
    return len(stripped) < len(before) and stripped[-1] in ".!?:;"


def _prev_word_char(s: str, i: int) -> bool:
    return i > 0 and (s[i - 1].isalnum() or s[i - 1] in "_'’")


#: words after "and to" that show "to" is a preposition ("short and to the point"), not an infinitive
_TO_OBJECT = ("the|a|an|this|that|these|those|my|your|his|her|its|our|their|me|you|him|them|us|it|which|whom"
              "|what|each|every|all|any|some|no|one|other|another|such|both|either|neither|date")
_INFINITIVE_AND_TO = re.compile(rf"\b(and|or|then|, not|and not|but not|rather than) to (?=[a-z])(?!(?:{_TO_OBJECT})\b)")


def _fix_to(rest: str) -> str:
    # "read X and to analyse Y" -> "read X and analyse Y" (but "short and to the point" stays); a contrast
    # too: "[your job is to] help students, not to give answers" -> "Help students, not give answers"
    if rest.startswith("not "):  # "[Try to] not use jargon" -> "don't use jargon", not "Not use jargon"
        rest = "don't " + rest[4:]
    return _INFINITIVE_AND_TO.sub(r"\1 ", rest) if " to " in rest else rest


SubFn = Callable[[re.Match[str], str], str]


#: (text, text.lower()) of the last call: passes often leave text unchanged.  One tuple, replaced whole,
#: so that a thread reading it never pairs one text with another's lowercase
_LOWER_CACHE: tuple[str, str] = ("", "")


def _lowered(text: str) -> str:
    global _LOWER_CACHE
    cached, low = _LOWER_CACHE
    if cached is not text:
        low = text.lower()
        _LOWER_CACHE = (text, low)
    return low


def _keyword_finditer(rx: re.Pattern[str], hay: str, keys: tuple[str, ...]) -> Iterator[re.Match[str]]:
    """``rx.finditer(hay)`` for a pattern whose every match starts with one of ``keys``.

    The start candidates are found with ``str.find`` (a fast C scan) and the
    pattern is tried only there, in order, skipping candidates inside the last
    match: the same leftmost, non-overlapping matches as ``finditer`` (the
    patterns never match the empty string; look-behinds see before ``pos``).
    """
    starts: set[int] = set()
    find = hay.find
    for key in keys:
        i = find(key)
        while i != -1:
            starts.add(i)
            i = find(key, i + 1)
    match = rx.match
    pos = 0
    for i in sorted(starts):
        if i < pos:
            continue
        m = match(hay, i)
        if m is not None:
            yield m
            pos = m.end()


def _sub_on(rx: re.Pattern[str], text: str, fn: SubFn, *, lower: bool = False, keys: tuple[str, ...] = ()) -> str:
    """``rx.sub`` where ``fn(match, text)`` gets the original text.

    With ``lower`` the (lowercase, case-sensitive) pattern runs on
    ``text.lower()``: far faster than ``re.I``, whose alternations defeat the
    regex engine's skip-ahead.  Positions are shared because lowering is
    checked to keep the length.  The lowercase of the result is built from the
    pieces (lowering has no context but the Greek final sigma, checked for)
    and cached for the next pattern.  ``keys``: literal starts of every match
    (see :func:`_keyword_finditer`).
    """
    global _LOWER_CACHE
    hay = text
    if lower:
        hay = _lowered(text)
        if len(hay) != len(text):  # a rare character whose lowercase is longer
            return re.compile(rx.pattern, re.IGNORECASE).sub(lambda m: fn(m, text), text)
    out: list[str] = []
    low_out: list[str] = []
    pos = 0
    for m in (_keyword_finditer(rx, hay, keys) if keys else rx.finditer(hay)):
        start, end = m.span()
        rep = fn(m, text)
        if rep == text[start:end]:
            continue  # (most matches are kept as they are: no need to cut the text there)
        out.append(text[pos:start])
        out.append(rep)
        if lower:
            low_out.append(hay[pos:start])
            low_out.append(rep.lower())
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    new = "".join(out)
    if lower and "\u03a3" not in text and "\u03a3" not in new:
        low_out.append(hay[pos:])
        new_low = "".join(low_out)
        if len(new_low) == len(new):
            _LOWER_CACHE = (new, new_low)
    return new


def _g(m: re.Match[str], s: str, name: str | int = 0) -> str:
    start, end = m.span(name)
    return s[start:end] if start >= 0 else ""


#: words after "is to" / "remember to" that show "to" is a preposition ("Your duty is to the patient"): no
#: infinitive follows, so nothing is an imperative without the prefix
_TO_NOUN = re.compile(r"[ \t]*(?:the|a|an|this|that|these|those|my|your|his|her|its|our|their|me|you|him|them|us|it"
                      r"|each|every|all|any|some|no|one|date)\b", re.IGNORECASE)


def _to_preposition(m: re.Match[str], s: str) -> bool:
    """Does the prefix ``m`` end in "to" before a noun phrase, not a verb ("Your duty is to the patient")?"""
    k = m.start("rest")
    return k != -1 and s[max(0, k - 3):k].rstrip(" \t").lower().endswith("to") and _TO_NOUN.match(s, k) is not None


#: what follows "make sure you" / "ensure that you" when it is no verb to command: a past or perfect
#: ("Make sure you completed all steps", "ensure that you have read the file") or "be" ("Make sure you
#: are polite"); without the prefix it read "Completed all steps." / "Are polite." (an adverb may come first:
#: "and ensure that you completely fulfilled the request")
_PAST = (r"(?!(?:embed|shed|shred)\b)[a-z]+[^e\W]ed|made|wrote|understood|got|found|gave|took|saw|knew|ran|kept|left"
         r"|sent|told|thought|brought|built|chose|forgot|spoke|began|went|came|felt|heard|meant|said|paid|read|did")
_YOU_NOT_IMPERATIVE = re.compile(
    r"(?:[a-z]+ly[ \t]+|(?:always|also|only|then|first|still|already|never|not)[ \t]+)*"
    r"(?:am|are|is|was|were|did|didn['’]t|had|hadn['’]t|has|hasn['’]t"
    rf"|(?:have|haven['’]t)[ \t]+(?:(?:[a-z]+ly|already|also|not|never)[ \t]+)?(?:[a-z]+(?:en|wn|ne)|{_PAST})"
    rf"|(?!read\b)(?:{_PAST}))\b")


def _you_clause_kept(m: re.Match[str], s: str) -> bool:
    """Does the prefix end in "you" before a verb that is no imperative (see ``_YOU_NOT_IMPERATIVE``)?"""
    k = m.start("rest")
    return (k != -1 and s[max(0, k - 4):k].rstrip(" \t").lower().endswith("you")
            and _YOU_NOT_IMPERATIVE.match(s[k:k + 80].lower()) is not None)  # (a window: no copy of the text)


def _drop_prefix(m: re.Match[str], s: str) -> str:
    if not _at_sentence_start(s, m.start()) or _to_preposition(m, s) or _you_clause_kept(m, s):
        return s[m.start():m.end()]
    return _cap_as(s, m.start(), _fix_to(_g(m, s, "rest")))


#: "and" + a subject pronoun: a clause of its own coordinated with the one the prefix governs
_AND_SUBJECT = re.compile(r"\band (?:you|we|they|he|she|it|i)\b", re.IGNORECASE)


def _drop_prefix_or_after_and(m: re.Match[str], s: str) -> str:
    """Like :func:`_drop_prefix`, and also after "and": "... and make sure you include X" -> "... and include X".

    Not when the sentence goes on with "and" + a subject: "Your job is to run tasks, and you have no
    access to the user" as "Run tasks, and you have no access to the user" reads as a condition (do
    X, and Y follows) where it stated two facts."""
    if _to_preposition(m, s) or _AND_SUBJECT.search(_g(m, s, "rest")) or _you_clause_kept(m, s):
        return s[m.start():m.end()]
    if s[max(0, m.start() - 4):m.start()].lower() == "and ":
        # "I will give you the data, and your role is to plan" -> "..., and you plan" (the subject stays "you")
        prefix = "you " if s[m.start():m.start() + 5].lower() == "your " else ""
        return prefix + _fix_to(_g(m, s, "rest"))
    return _drop_prefix(m, s)


#: a sentence opening "Note that ...", "Remember that ...": a clause after its comma is inside that clause
_EMBEDDING_THAT = re.compile(r"\b(?:note|remember|mind|sure|ensure|aware|know|understand|assume|means?|say|tell|explain"
                             r"|confirm|verify|reali[sz]e|think|believe)[ \t]+that\b", re.IGNORECASE)


def _embedded_after_comma(s: str, i: int) -> bool:
    """Is the clause at ``i`` (after a comma) inside a that-clause ("Note that if the user is angry, you
    should stay calm"): an imperative cannot stand there ("Note that if ..., stay calm")."""
    line_start = s.rfind("\n", 0, i) + 1
    start = max(line_start, *(s.rfind(c, line_start, i) + 1 for c in ".!?:;"))
    return _EMBEDDING_THAT.search(s, start, i) is not None


#: a strong obligation word: a text using one as well as "should" grades its rules (RFC 2119 style), and
#: its "you should" made an imperative would read as strong as its "must" rules ("You must not diagnose.
#: You should not recommend dosages." -> "Don't diagnose. Don't recommend dosages.")
_STRONG_MODAL = re.compile(r"\b(?:must|mustn['’]t|shall|shan['’]t|required to)(?![\w'’])", re.IGNORECASE)


#: a clause-opening adverb with no comma after it ("; otherwise you should ask"): what follows is a main clause
_CLAUSE_OPENER = re.compile(r"(?:^|(?<=[.!?;:,][ \t])|(?<=\n))(?:otherwise|then)[ \t]+$", re.IGNORECASE)


def _drop_modal(m: re.Match[str], s: str) -> str:
    """"you should X" -> "X"; "you should not X" -> "don't X"; "you should never X" -> "never X"
    (``pass_filler`` leaves "you should" alone in a text with "must": see ``_STRONG_MODAL``)."""
    i = m.start()
    after_comma = s[max(0, i - 2):i] == ", "
    if not after_comma and _CLAUSE_OPENER.search(s, max(0, i - 12), i):
        after_comma = True  # "...; otherwise you should say so" -> "...; otherwise say so", like "otherwise, say so"
    if not after_comma and not _at_sentence_start(s, i):
        return s[m.start():m.end()]
    if after_comma and _embedded_after_comma(s, i):
        return s[m.start():m.end()]
    rest = _g(m, s, "rest")
    neg = re.match(r"(not|never)\b ?", rest)
    if s[i:m.start("rest")].rstrip(" \t").lower().endswith(("n't", "n’t")):  # "you shouldn't X" -> "don't X"
        rest = "don't " + rest
    elif neg is not None:
        rest = ("don't " if neg.group(1) == "not" else "never ") + rest[neg.end():]
    rest = _fix_to(rest)
    return rest if after_comma else _cap_as(s, i, rest)


def _you_will(m: re.Match[str], s: str) -> str:
    """"You will write stories" -> "Write stories", "You will also suggest" -> "Also suggest": a sentence
    start, a task verb (not "You will lose points", "You will not have access"), not after a colon (text
    to repeat: "reply with: You will love it!") and not a title ("You Will Never Walk Alone")."""
    i = m.start()
    if not _at_sentence_start(s, i) or s[i + 4:i + 5] == "W":
        return s[m.start():m.end()]
    before = s[s.rfind("\n", 0, i) + 1:i].rstrip(" \t")
    if before.endswith((":", "：")):
        return s[m.start():m.end()]
    return _cap_as(s, i, _g(m, s, "rest"))


def _prohibition(m: re.Match[str], s: str) -> str:
    if not _at_sentence_start(s, m.start()):
        return s[m.start():m.end()]
    never = _g(m, s, "never")
    if never:
        return _cap_as(s, m.start(), never)
    return _cap_as(s, m.start(), "don't ") + (_g(m, s, "rest") or _g(m, s, "rest2") or _g(m, s, "rest3"))


#: the start of a polite question's body that is no verb to command: "be able to X" / "be willing to X" say
#: "X"; "not X" says "don't X"; "mind X-ing" has no imperative of the same meaning, "like/prefer" ask what someone
#: wants, and "see/access/speak" ask about an ability, "say/think/know" for an opinion or a fact ("Would you say the
#: tone is formal?" is no "Say the tone is formal."): kept as a question
_QUESTION_BODY = re.compile(r"(?P<able>be (?:able|willing) to )|(?P<not>not )|(?P<mind>(?:mind|like|prefer|rather|want|wish|care"
                            r"|see|hear|access|browse|speak|say|think|believe|know|understand|feel|imagine|recall|remember)\b)",
                            re.IGNORECASE)


def _question_to_imperative(m: re.Match[str], s: str) -> str:
    if not _at_sentence_start(s, m.start()):
        return s[m.start():m.end()]
    body = _g(m, s, "body").strip()
    lead = _QUESTION_BODY.match(body)
    if lead is not None:
        if lead.group("mind"):
            return s[m.start():m.end()]  # "Would you mind checking?" -> not "Mind checking."; "Would you like to add anything?" asks
        body = ("don't " if lead.group("not") else "") + body[lead.end():]
    return _cap_as(s, m.start(), body) + "."


def _polite_chain(m: re.Match[str], s: str) -> str:
    if not _at_sentence_start(s, m.start()) or _you_clause_kept(m, s):
        return s[m.start():m.end()]
    end = _g(m, s, "end")
    return _cap_as(s, m.start(), _fix_to(_g(m, s, "rest"))) + ("." if end == "?" else end)


def _after_connective(m: re.Match[str], s: str) -> str:
    before = s[max(0, m.start() - 6):m.start()].lower()
    return "" if re.search(r"(?:\b(?:and|then|so|but|also) |, )$", before) else s[m.start():m.end()]


def _mid_would_like(m: re.Match[str], s: str) -> str:
    """"..., and I would like you to answer" -> "..., and you should answer" (the subject must stay "you")."""
    before = s[max(0, m.start() - 5):m.start()].lower()
    return "you should " if re.search(r"(?:\band|,) $", before) else s[m.start():m.end()]


def _drop_if_sentence(m: re.Match[str], s: str) -> str:
    i = m.start()
    line_start = s.rfind("\n", 0, i) + 1
    before = s[line_start:i].rstrip(" \t")
    return "" if not before or before[-1] in ".!?" else s[m.start():m.end()]


# Each pattern starts with its keyword (so the regex engine can skip ahead: an optional
# "please" is spelt as an alternative, so every alternative starts with a letter);
# the sentence-start context is checked in Python for the few matches.
# (pattern, callback, run on the lowercased text)
#: verbs of a task the model performs: "You will <verb>" becomes an imperative only before one of these
_TASK_VERBS = ("act|answer|analy[sz]e|ask|assess|assist|check|classify|compose|correct|create|describe|design|develop"
               "|draft|edit|evaluate|explain|extract|follow|format|generate|give|guide|help|identify|list|make|offer"
               "|output|play|pretend|produce|provide|recommend|reply|research|respond|return|review|rewrite|suggest"
               "|summari[sz]e|teach|translate|use|write|come up with")
_EN_FILLER: list[tuple[re.Pattern[str], SubFn, bool]] = [
    # whole-sentence pleasantries: "Thank you!", "Hi there!", "I hope this helps."
    (re.compile(r"(?:Thank you|Thanks|I hope (?:this|that) (?:helps|makes sense)|Hi|Hello|Hey|Good luck|I hope you are(?: doing)? well"
                r"|Have a (?:nice|great|good) day)(?<=[a-z])(?: there)?(?: (?:so|very) much)?(?: in advance)?"
                r"(?: for your (?:help|time|assistance|cooperation))?[ \t]*[.!]+(?:[ \t]*(?:😊|🙂|🙏))?(?=[ \t]*(?:\n|$|[A-Z]))"),
     _drop_if_sentence, False),
    # "Please, could you kindly make sure that you always reply in French." -> "Always reply in French."
    (re.compile(r"(?:please,?[ \t]+(?:could|can|would|will)|could|can|would|will) you(?:,?[ \t]+(?:please|kindly))*,?[ \t]+"
                r"(?:(?:make sure|ensure|see to it) (?:that )?you|be sure to|remember to|try to)[ \t]+"
                r"(?P<rest>(?:\*\*)?[a-z][^.!?\n]*)(?P<end>[.!?]|(?=\n|$))"), _polite_chain, True),
    # "Could you please summarise the text?" -> "Summarise the text."
    (re.compile(r"(?:please,?[ \t]+(?:could|can|would|will)|could|can|would|will) you(?:,?[ \t]+(?:please|kindly))*,?[ \t]+"
                r"(?P<body>[^.!?\n]+)\?"), _question_to_imperative, True),
    # "I would like you to act as ..." / "Please answer" -> "Act as ..." / "Answer"
    (re.compile(r"(?:i would like you to|i'd like you to|i want you to|i need you to|i would like to ask you to"
                r"|(?:i|we)'d (?:really |truly |greatly )?appreciate it if you could|(?:i|we) would (?:really |truly |greatly )?appreciate it if you could"
                r"|it would be (?:great|helpful|nice|wonderful|appreciated) if you could"
                r"|please kindly|kindly|please),?[ \t]+(?:try to[ \t]+|make sure (?:(?:that )?you|to)[ \t]+)?(?P<rest>(?:\*\*)?[a-z][^.!?\n]*)"),
     _drop_prefix, True),
    # "Try to keep it short" / "Make sure that you cite" -> imperative
    # "Be sure to cite" / "Remember to cite" / "Your task is to convert" -> "Cite" / "Convert"
    (re.compile(r"(?:try to|make sure (?:that )?you|make sure to|ensure that you|be sure to|remember to|don't forget to|do not forget to"
                # ("Your main/primary goal is to X" stays: it ranks X above the prompt's other goals)
                r"|your (?:task|job|goal|mission|objective|assignment|role|responsibility|duty|purpose) (?:here )?is to)"
                r"[ \t]+(?P<rest>(?:\*\*)?[a-z][^.!?\n]*)"), _drop_prefix_or_after_and, True),
    # "You are not allowed to share" / "You must not share" / "Make sure not to share" -> "Don't share";
    # "You must never" -> "Never"
    (re.compile(r"you(?: are not| aren['’]t|['’]re not) (?:allowed|permitted) to[ \t]+(?P<rest>(?:\*\*)?[a-z][^.!?\n]*)"
                r"|you (?:must not|mustn['’]t)[ \t]+(?P<rest2>[a-z][^.!?\n]*)|you must (?P<never>never [a-z][^.!?\n]*)"
                r"|(?:make sure|be sure|remember|take care) not to[ \t]+(?P<rest3>(?:\*\*)?[a-z][^.!?\n]*)"),
     _prohibition, True),
    # "..., and I would like you to turn them" -> "..., and turn them"
    (re.compile(r"i (?:would|'d) like you to (?=[a-z])"), _mid_would_like, True),
    # "You should ask" / "..., you need to check" -> imperative (negation kept as "don't"/"never")
    (re.compile(r"you(?: should| shouldn['’]t| need to|(?: will|['’]ll) need to| have to)[ \t]+(?P<rest>(?:\*\*)?[a-z][^.!?;\n]*)"),
     _drop_modal, True),
    # "You will create a campaign." -> "Create a campaign." (a sentence start; not "You will be given / receive / see ...")
    (re.compile(rf"you will (?P<rest>(?:(?:also|only|then|first|now|always|carefully|briefly) )?(?:{_TASK_VERBS})\b[^.!?\n]*)"),
     _you_will, True),
    # "Please 用中文回答。" -> "用中文回答。": a sentence-start "Please" before a Chinese instruction
    (re.compile(f"please,?[ \t]*(?P<rest>[{_CJK}][^\n]*)"), _drop_prefix, True),
    # ", please." / " please" at the end of a sentence
    (re.compile(r"[ \t,][ \t]*please(?=[.!?])"), lambda m, s: "", True),
    # "... and please check" -> "... and check"
    (re.compile(f"please (?=[a-z{_CJK}])"), _after_connective, True),
]


#: the "you should" pattern without "should", for a text that grades its rules (see ``_STRONG_MODAL``)
_MODAL_NOT_SHOULD = re.compile(r"you(?: need to|(?: will|['’]ll) need to| have to)[ \t]+(?P<rest>(?:\*\*)?[a-z][^.!?;\n]*)")


def _keeping_try_to(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` without its "try to" alternative: in a text that grades its rules, "Try to keep it short"
    is a softer rule than "Keep it short" beside "You must ..." ("Could you try to ...?" and "Please try
    to ..." then keep their "Try to" too)."""
    pattern = rx.pattern.replace("|try to)", ")").replace("(?:try to[ \\t]+|", "(?:").replace("(?:try to|", "(?:")
    assert pattern != rx.pattern, rx.pattern
    return re.compile(pattern, rx.flags)


#: pattern -> its graded variant, for the filler patterns that drop "try to"
_GRADED_FILLER = {rx: _keeping_try_to(rx) for rx in (_EN_FILLER[1][0], _EN_FILLER[3][0], _EN_FILLER[4][0])}

#: literal starts of every match of the filler patterns that have few (see :func:`_keyword_finditer`)
_FILLER_KEYS: dict[re.Pattern[str], tuple[str, ...]] = {
    _EN_FILLER[1][0]: ("please", "could you", "can you", "would you", "will you"),
    _EN_FILLER[2][0]: ("please", "could you", "can you", "would you", "will you"),
    _EN_FILLER[3][0]: ("i would ", "i'd ", "we would ", "we'd ", "i want you", "i need you", "it would be", "please", "kindly"),
    _EN_FILLER[4][0]: ("try to", "make sure", "ensure that", "be sure", "remember to", "don't forget", "do not forget",
                       "your "),
}
_FILLER_KEYS.update({_GRADED_FILLER[rx]: keys for rx, keys in list(_FILLER_KEYS.items()) if rx in _GRADED_FILLER})

#: a list mark before a Chinese item: "1. ", "一、", "（2）", "③", and the bold of "**请务必**…"
_ZH_LIST_MARK = re.compile(r"[ \t]*(?:(?:[-*+]|\d+[.)、．]|[一二三四五六七八九十]{1,3}[、.．]|[（(][0-9一二三四五六七八九十]{1,3}[）)]"
                           r"|[\u2460-\u2473])[ \t]*)?(?:\*\*)?")


def _zh_start(s: str, i: int) -> bool:
    if i == 0 or s[i - 1] in "。！？；：，,\n":
        return True
    line_start = _line_of(s, i)[0]  # (looked at in place: copying the line for each match was quadratic)
    j = i
    while j > line_start and s[j - 1] in " \t":
        j -= 1
    return (j == line_start or _ZH_LIST_MARK.fullmatch(s, line_start, i) is not None
            or (j < i and s[j - 1] in ".!?;:"))


#: a label whose text after the colon is what the model is to say, word for word: "开场白：您好，…",
#: "请回复：好的，请您稍等" (the greeting and 请您 are part of the script), or the lines under a
#: heading "常用话术：" / "回复示例：" up to the next blank line
#: (also with the person spoken to between the verb and the colon, after a verb of telling or asking: "回复用户：您好，
#: 请稍等" / "告诉客户：请您耐心等待" / "询问用户：请问您的订单号是多少？" lost their 您好 / 请您 / 请问, so the
#: model was to answer a customer "耐心等待")
#: (提醒 / 通知 / 问 … only with that person: a bare "再次提醒：" or "问：" is no script)
_ZH_ADDRESSEE = ("(?:用户|用戶|客户|客戶|顾客|顧客|买家|買家|对方|對方|患者|病人|家长|家長|学生|學生|访客|訪客|使用者"
                 "|他们|他們|她们|她們|他|她)[ \t]*")
_ZH_SCRIPT_LABEL = re.compile("(?:(?:回复|回答|答复|回应|话术|开场白|结束语|欢迎语|问候语|结语|模板|说|例如|比如|示例|范例|样例"
                              f"|显示|文案|口头禅|口頭禪|台词|台詞|口号|口號)(?:{_ZH_ADDRESSEE})?|(?:告诉|告知|询问|问|提醒|通知|回覆|告訴|詢問){_ZH_ADDRESSEE})"
                              "(?:[】」\\]）)][ \t]*[：:]?|[ \t]*[：:])")


_COLONS = re.compile("[：:]")
_COLON_CACHE: tuple[str | None, int, list[int]] = (None, -1, [])


def _last_colon(s: str, line_start: int, line_end: int, i: int) -> int:
    """The last colon of the line before ``i``, or -1 (the line's colons found once: searching
    back from each match was quadratic on a long line)."""
    global _COLON_CACHE
    cached, at, colons = _COLON_CACHE
    if cached is not s or at != line_start:
        colons = [m.start() for m in _COLONS.finditer(s, line_start, line_end)]
        _COLON_CACHE = (s, line_start, colons)
    k = bisect.bisect_left(colons, i)
    return colons[k - 1] if k else -1


def _zh_in_script(s: str, i: int) -> bool:
    """Is ``s[i]`` in a script (see :data:`_ZH_SCRIPT_LABEL`)?"""
    line_start, line_end = _line_of(s, i)
    colon = _last_colon(s, line_start, line_end, i)
    if colon != -1:
        return _ZH_SCRIPT_LABEL.search(s, max(line_start, colon - 6), colon + 1) is not None
    for _ in range(30):  # the heading of this block of lines, if it has one
        if line_start == 0:
            return False
        prev_start = s.rfind("\n", 0, line_start - 1) + 1
        prev = s[prev_start:line_start - 1].rstrip(" \t")
        if not prev:
            return False
        if prev.endswith(("：", ":", "】")):  # ("【开场白】" as a heading)
            return _ZH_SCRIPT_LABEL.search(prev, max(0, len(prev) - 7)) is not None
        line_start = prev_start
    return False


def _zh_outside_script(fn: SubFn) -> SubFn:
    def sub(m: re.Match[str], s: str) -> str:
        return m.group() if _zh_in_script(s, m.start()) else fn(m, s)
    return sub


def _zh_drop(m: re.Match[str], s: str) -> str:
    return "" if _zh_start(s, m.start()) else m.group()


def _zh_question(m: re.Match[str], s: str) -> str:
    return m.group("body") + "。" if _zh_start(s, m.start()) else m.group()


def _zh_thanks(m: re.Match[str], s: str) -> str:
    i = m.start()
    return "" if i == 0 or s[i - 1] in "。！？!?\n" else m.group()


#: verbs that can follow "你的任务是" for it to be an instruction ("你的任务是翻译…"), not a goal noun
_ZH_TASK_VERBS = ("(?:用|把|将|帮|根据|回答|翻译|生成|写|编写|创作|提供|解释|分析|总结|检查|判断|识别|评估|扮演|充当|担任"
                  "|协助|帮助|以|对|给|为(?![了何])|想出|提出|创建|设计|制定|撰写|纠正|改进|审查|推荐|建议|回复|阅读|找出|列出)")


#: what follows a bare 请 at a sentence start when the addressee (the model) is told to act: a verb, an
#: adverb or a preposition of the command ("请根据…", "请先…", "请勿…").  Only then does 请 go: before
#: anything else it may name who acts ("请保安处理" = ask security, "请前台登记", "请财务部门核对", "请对方提供")
#: or be part of a word (请求, 请假, 请教, 请示 …), so it stays.  (A list of third parties could never be
#: complete; the words a command starts with are few.)
_ZH_IMPERATIVE_START = (
    "(?:不要|不得|不能|不用|不必|无需|别|切勿|千万|务必|一定|始终|总是|尽量|尽快|尽可能|立即|立刻|马上|及时|直接|仅"
    "|只|先(?!生)|首先|重新|继续|严格|仔细|认真|耐心|简要|简洁|简单|详细|逐步|逐一|分别|完整|准确|如实|客观|礼貌|主动"
    "|特别|重点|用(?!户)|使用(?!者)|采用|以|按|根据|依据|基于|结合|参考|参照|遵守|遵循|保持|保留|保证|确保|避免|注意"
    "|记住|牢记|留意|在|从|对(?!方)|就|向|为(?![了何])|将|把|给|替|针对|围绕|回答|回复|答复|翻译|生成|写|编写|撰写|创作"
    "|提供|解释|分析|总结|概括|检查|核对|判断|识别|评估|扮演|充当|担任|协助|帮助|想出|提出|创建|设计|制定|纠正|改进"
    "|改写|润色|修改|优化|审查|推荐|建议|阅读|找出|列出|列举|给出|输出|返回|说明|描述|介绍|告诉|告知|讲|举|比较|计算"
    "|统计|整理|提取|标注|注明|加上|附上|补充|指出|选择|完成|执行|处理|假设|想象|思考|考虑|确认|询问|引导|安抚|区分"
    "|归纳|输入|填写|记录|提醒|联系|拨打|前往|上传|提交|删除|忽略|同时|专注|关注|模仿|模拟|参与|包括|包含|帮"
    "|一步一步|一步步|逐条|逐句|查找|搜索|推断|预测|打分|评分|排序|画|列|说(?!话人)|记得|核实|回忆|参阅|查看|补全|续写"
    "|改正|修正|校对|复述|重复|重写|每次|依照|遵照|综合|站在|作为|拟定|起草|制作|提炼|评价|点评|审核|再|换|解答|陈述"
    "|发挥|展开|选出|挑选|确定|尝试|试着|回顾|了解|理解|保存|发送|附|标记|简述|概述|引用|注释|运行|实现|调试|重构|转换"
    "|转写|改成|改为|填充|填入|插入|添加|去掉|去除|移除|删掉|进行|加以)"
    # (and not a verb that starts a person's name: "请翻译人员校对", "请审核员", "请画家", "请用人单位")
    "(?![人员师者家]|部门|团队|同学|小组)")


def _zh_subject(m: re.Match[str], s: str) -> str:
    """Drop a "you" prefix (你将 / 你的任务是) at a sentence start; after a comma the clause keeps its
    subject ("我输入命令，您将回复…" -> "我输入命令，你回复…", not "…，回复", which reads as "I reply");
    a question ("你需要帮助吗？") stays."""
    i = m.start()
    end = len(s)
    for stop in "。！？?!\n":
        j = s.find(stop, m.end(), end)
        if j != -1:
            end = j
    if "吗" in s[m.end():end] or s[end:end + 1] in "？?":
        return m.group()
    if not _zh_start(s, i):
        return m.group()
    j = i
    while j > 0 and s[j - 1] in " \t":
        j -= 1
    if j > 0 and s[j - 1] in "，,":
        # "…，你需要核对金额" -> "…，你核对金额" would drop the obligation and leave a statement; the pronoun
        # kept is the text's own ("…，您的任务是帮助用户" -> "…，您帮助用户", not a 你 beside the next sentence's 您)
        return m.group() if m.group().endswith(("需要", "应该")) else "您" if "您" in m.group() else "你"
    return ""
#: characters that make a word with a 请 after them (申请, 邀请, 聘请, 宴请, 恳请, 吁请, 提请, 报请, 声请, 敬请, 烦请,
#: 务请, 诚请, 转请, 特请, 呈请, 函请, 拜请, 约请, 奏请, 延请, 谨请, 恭请), in both scripts
_ZH_QING_WORD = "申邀聘宴恳懇吁籲提报報声聲敬烦煩务務诚誠转轉特呈函拜约約奏延谨謹恭"
_ZH_FILLER: list[tuple[re.Pattern[str], SubFn]] = [
    # (with its particle: "你好呀！" once left "呀！")
    # (not 你好像 / 你好奇 / 你好好 / 你好歹: "you seem" / "curious" / "properly" / "at least")
    (re.compile(r"(?:您好(?![好歹])|你好(?![像象奇好歹])|哈喽|嗨)[呀啊哈吖]?[，,！!。~～]?"), _zh_drop),
    # (with a particle: "谢谢啦！", "谢谢了。")
    # (and in Traditional Chinese: "謝謝你的幫助！")
    (re.compile(r"(?:非常感[谢謝]|非常[谢謝]{2}|十分感[谢謝]|感[谢謝]|谢谢|謝謝|多[谢謝])(?:你|您)?(?:的(?:帮助|幫助|配合|耐心))?"
                r"[啦了呀哈]?[！!。.~～]+"), _zh_thanks),
    # "能不能请你在最后加上联系方式？" is a request: "在最后加上联系方式。", not "…联系方式？"
    (re.compile(r"(?:能否|能不能|可不可以|可以)请(?:你们|你|您)(?:帮我|帮忙)?(?P<body>[^。！？\n]+?)吗?[？?]"), _zh_question),
    # 请 + a third person is "ask them to" ("请用户提供订单号"), and 请款 / 请辞 / 请购 are words: kept, as is
    # a 请 before English ("请 check the logs": without it "。 check …")
    # (with a comma after it: "麻烦你，帮我…" left "，帮我…")
    # (請你 / 請您 / 麻煩你 and a 請 before a command word both scripts spell alike: Traditional Chinese too)
    # (我希望你 before 是 stays: "是一个诚实的助手" has lost its subject)
    (re.compile(r"(?:麻[烦煩](?:你们|你們|你|您)(?:帮我|帮忙|幫我|幫忙)?|请问|請問|帮我(?!们)|(?:能否|能不能|可以)请(?:你们|你|您)(?:帮我)?"
                r"|我(?:希望|想请|想让|需要|要)(?:你|您)(?![们的是])(?:能够|能|可以)?(?:帮我)?"
                r"|[请請](?:(?:你们|你們|你|您)(?:帮我|帮忙|幫我|幫忙)?|帮我|帮忙|幫我|幫忙|(?=" + _ZH_IMPERATIVE_START + r")))[，,]?"),
     _zh_drop),
    # "你可以帮我写首诗吗？" -> "写首诗。", a request; "你能看到图片吗？" / "你能联网吗？" ask about an ability: kept
    (re.compile(f"(?:你|您)(?:能否|能不能|可不可以|可以|能)(?:帮我|帮忙)?(?P<body>(?=帮|给我|为我|替我|再|告诉|讲|介绍|说明|举"
                f"|{_ZH_TASK_VERBS})[^。！？\n]+?)吗[？?]"), _zh_question),
    # not the 一 of 统一 / 万一 / 逐一 …, nor before a 下 word ("统一下发", "逐一下载", "一下子")
    (re.compile(f"一下(?<=[{_CJK}]一下)(?<![统唯万逐第专单同归均]一下)(?![子午载发单列面级属游线架调降滑拉跌])"),
     lambda m, s: ""),
    # a polite 请 inside a sentence, before the verb: "专有名词请保持原样" -> "专有名词保持原样"
    # (not the 请 of a word: 申请, 邀请 … 务请 / 诚请 / 转请 / 特请 / 恭请 …, in either script: "务请保持安静" became
    # "务保持安静", "转请直接联系客服" "转直接联系客服")
    (re.compile(f"[请請](?<=[{_CJK}）)][请請])(?<![{_ZH_QING_WORD}][请請])"
                "(?=不要|尽量|保持|直接|使用|务必|先|只|根据|按照|确保|避免|用(?!户)|在|以"
                "|加上|注明|标注|给出|列出|回复|输出|注意)"), lambda m, s: ""),
    # "你的工作就是用通俗的语言解释" -> "用通俗的语言解释" (like "Your task is to explain"), before a verb only
    (re.compile(f"而?(?:你|您)的(?:主要)?(?:工作|任务|职责|使命)(?:就)?是(?={_ZH_TASK_VERBS})"), _zh_subject),
    # "你将创作故事" / "您应该只回复" -> "创作故事" / "只回复" (like "You will" / "You should"), before a task verb
    # only (not "你将收到", "你需要的是", "你需要时"), never in a question ("你需要帮助吗？")
    (re.compile(f"(?:你|您)(?:将|应该|需要)(?=(?:只|始终|总是|尽量|务必|仔细|认真|先|首先|直接|严格)?{_ZH_TASK_VERBS})"),
     _zh_subject),
    # 请勿 -> 不要 where a polite 请 goes (at a sentence start, or before the verb: "专有名词请勿翻译"): the same
    # prohibition in plain words and as few tokens; a bare 勿 ("勿承诺补偿") reads like a sign on a wall
    (re.compile(f"[请請]勿(?<![{_ZH_QING_WORD}][请請]勿)"),
     lambda m, s: "不要" if (_zh_start(s, m.start()) or _CJK_RE.match(s, m.start() - 1) is not None
                            or s[m.start() - 1:m.start()] in ("）", ")")) else m.group()),
]


_ZH_FILLER_KEYS: dict[re.Pattern[str], tuple[str, ...]] = {
    _ZH_FILLER[0][0]: ("您好", "你好", "哈喽", "嗨"),
    _ZH_FILLER[1][0]: ("非常感", "非常谢", "非常謝", "十分感", "感谢", "感謝", "谢谢", "謝謝", "多谢", "多謝"),
    _ZH_FILLER[2][0]: ("能否", "能不能", "可不可以", "可以"),
    _ZH_FILLER[3][0]: ("麻烦", "麻煩", "请", "請", "帮我", "能否", "能不能", "可以", "我希望", "我想", "我需要", "我要"),
    _ZH_FILLER[4][0]: ("你", "您"),
    _ZH_FILLER[7][0]: ("你的", "您的", "而你", "而您"),
    _ZH_FILLER[8][0]: ("你将", "您将", "你应该", "您应该", "你需要", "您需要"),
    _ZH_FILLER[9][0]: ("请勿", "請勿"),
}

def pass_filler(text: str, ctx: PassContext) -> str:
    if ctx.en():
        graded = ctx.grades_rules  # (on the prompt as written: before "You must not" becomes "Don't")
        for rx, fn, lower in _EN_FILLER:
            if graded:
                rx = _MODAL_NOT_SHOULD if fn is _drop_modal else _GRADED_FILLER.get(rx, rx)
            text = _sub_on(rx, text, _unless_emphatic(fn), lower=lower, keys=_FILLER_KEYS.get(rx, ()))
    if ctx.zh() and _has_cjk(text):  # (every Chinese pattern needs a CJK character)
        for rx, zfn in _ZH_FILLER:
            text = _sub_on(rx, text, _zh_outside_script(zfn), keys=_ZH_FILLER_KEYS.get(rx, ()))
    text = _tidy_spaces(text)
    return _squeeze_blank_lines(text).strip("\n")


def _tidy_spaces(text: str) -> str:
    """Spaces left behind by a removal: trailing, doubled, or one at a line start."""
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):
        text = re.sub(r"[ \t]+(?=\n|$)", "", text)
    if "  " in text:
        text = re.sub(r"  +(?=\S)", lambda m: m.group() if m.start() == 0 or m.string[m.start() - 1] == "\n" else " ", text)
    if "\n " in text:
        text = re.sub(r"\n (?=\S)", "\n", text)
    return text.lstrip(" ")


# --------------------------------------------------------------------------- #
# hedges (intensifiers)
# --------------------------------------------------------------------------- #

#: Intensifiers and hedges that add emphasis, not meaning.  "just" and "quite"
#: are handled apart (they can mean "only" / "a fair amount").
_HEDGE_EN = ("very", "really", "extremely", "basically", "actually", "simply", "truly", "literally", "incredibly",
             "absolutely", "definitely", "certainly", "highly", "quite", "just")
#: one hedge, or an emphatic chain of them ("really, really", "very, very"), before a lowercase word
#: (a chain is taken whole up to 20 links: an unbounded one was scanned again from each of its
#: links, quadratic on "really, really, ..." thousands long)
_HEDGE_RE = re.compile(rf"(?:{'|'.join(_HEDGE_EN)})(?:,[ \t]*(?:{'|'.join(_HEDGE_EN)})){{0,20}} (?P<next>[a-z])"
                       r"|(?:actually|basically|honestly|frankly|really|to be honest), (?P<next2>[a-z])")
_CHAIN_SPLIT = re.compile(r",[ \t]*")
_NEGATION_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bnor|\bwithout|\bhardly)[ \t]*$", re.IGNORECASE)
#: next words after which a hedge carries meaning: "very much", "quite a few", "just the name" (= only),
#: "simply put", "just before" (= shortly before), "really mean" ...
_HEDGE_KEEP_NEXT: dict[str, frozenset[str]] = {
    "very": frozenset({"much", "well", "same", "own", "least", "most", "first", "last", "end", "beginning", "top"}),
    "quite": frozenset({"a", "an", "the", "some", "few", "right", "possibly", "likely", "different", "the same"}),
    "highly": frozenset({"likely", "unlikely", "sensitive", "confidential", "available", "paid", "skilled", "regulated",
                         "qualified", "toxic", "recommended"}),
    "simply": frozenset({"put", "because"}),
    "just": frozenset({"a", "an", "the", "one", "two", "this", "that", "these", "those", "my", "your", "our", "their",
                       "his", "her", "its", "as", "in", "about", "before", "after", "now", "then", "once", "enough",
                       "like", "for", "to", "because", "when", "if", "how", "what", "some", "few", "yet"}),
    "certainly": frozenset({"not"}),
    "rather": frozenset({"than"}),
    "definitely": frozenset({"not"}),
    "absolutely": frozenset({"no", "nothing", "none", "not", "necessary", "cannot", "can", "unable"}),
    # "only pause if you truly cannot proceed": the bar is "after trying", not any difficulty
    "truly": frozenset({"cannot", "can", "unable"}),
    "really": frozenset({"cannot", "can", "unable"}),
}
#: adjectives that set a threshold in a condition or a rubric: before one, a maximizer ("absolutely", "truly",
#: "definitely"...) is the threshold itself, not emphasis: "only answer if you are absolutely sure" is not "if you
#: are sure", "ask only when truly needed" not "when needed", "pass it only if it is completely correct" not
#: "if it is correct" (a rubric's top score lost its bar); the hedges pass and the aggressive words pass keep it
_THRESHOLD_ADJ = frozenset({"necessary", "needed", "required", "essential", "mandatory", "unavoidable", "certain",
                            "sure", "confident", "positive", "correct", "incorrect", "accurate", "inaccurate", "true",
                            "false", "wrong", "right", "relevant", "irrelevant", "clear", "unclear", "obvious",
                            "identical", "complete", "consistent", "inconsistent", "supported", "unsupported",
                            "impossible", "unrelated", "unambiguous", "ambiguous", "verified", "confirmed", "safe",
                            "critical", "crucial", "vital", "indispensable", "urgent"})
for _w in ("absolutely", "truly", "really", "completely", "totally", "definitely", "certainly"):
    _HEDGE_KEEP_NEXT[_w] = _HEDGE_KEEP_NEXT.get(_w, frozenset()) | _THRESHOLD_ADJ
#: degree words: "very long answer" is not "long answer", nor "highly detailed" "detailed"; the hedges pass
#: keeps them (the aggressive words pass may still drop "very", "extremely" and "quite")
_DEGREE_WORDS = frozenset({"very", "extremely", "highly", "incredibly", "quite"})
#: words after which "really" grades an adjective ("be really short", "a really long text") rather than
#: emphasising a verb ("I really want")
_DEGREE_CONTEXT = frozenset({"be", "is", "are", "was", "were", "been", "being", "am", "a", "an", "the", "seem", "seems",
                             "look", "looks", "feel", "feels", "stay", "remain", "become", "get", "so", "too"})
_WORD_RUN = re.compile(r"[a-z]+(?:['’][a-z]+)?")
_WORD_COUNTS: tuple[str | None, Counter[str], Counter[tuple[str, str]]] = (None, Counter(), Counter())


def _graded_elsewhere(text: str, degree: str, word: str) -> bool:
    """Is ``word`` used elsewhere in ``text`` without ``degree`` just before it?  Then the degree word tells
    the uses apart: a rubric's "Score 4: mostly relevant" / "Score 5: very relevant", "keep it short; the
    title very short"; without it two levels of a scale read the same, or the top one lower than the one
    below.  (The words of ``text`` and their pairs are counted once per text; a sentence said again word
    for word is no other use.)"""
    global _WORD_COUNTS
    cached, counts, pairs = _WORD_COUNTS
    if cached is not text:
        words = _WORD_RUN.findall(text.lower())
        counts, pairs = Counter(words), Counter(zip(words, words[1:]))
        _WORD_COUNTS = (text, counts, pairs)
    return counts[word] > pairs[degree, word]


_HEDGE_REPEAT = re.compile(rf"\b(?:{'|'.join(_HEDGE_EN)}),[ \t]*$", re.IGNORECASE)
#: every match of the end-anchored patterns (``_NEGATION_BEFORE``, ``_HEDGE_REPEAT``, the last link
#: of ``_INTENSIFIER_TAIL``) is ``X[ \t]*$`` with ``X`` far shorter than this
_END_WINDOW = 64


def _search_end(rx: re.Pattern[str], s: str) -> re.Match[str] | None:
    """``rx.search(s)`` for an end-anchored pattern (see ``_END_WINDOW``): the search starts
    just before the end instead of at the start of a long line (``\b`` and look-behinds still
    see the characters before the start)."""
    return rx.search(s, max(0, len(s.rstrip(" \t\n")) - _END_WINDOW))


_EXAMPLE_LABELS = (r"(?:Q|Question|Problem|Input|User|Human|Text|Sentence|Review|Query|Customer|Example"
                   r"(?: (?:input|output|reply|answer|response|question))?|A|Answer"
                   r"|(?:Helpful|Final) Answer|Output|Assistant|AI|Bot|Agent|Support|Response|Reply|Label|Sentiment"
                   r"|Category|Intent|Result|Translation|问题|输入|用户|反馈|示例|答|答案|输出|回答|类别|客户|顾客|回复|译文"
                   r"|助手|客服|机器人|评论|评价|文本|句子|原文|摘要|情感|情绪|标签|分类|问|查询|商品|标题)"
                   r"\s*#?\s*\d*\s*[:：]")
_EXAMPLE_LINE = re.compile(r"^\s*" + _EXAMPLE_LABELS, re.IGNORECASE)
#: the same, and a table row, tried at a line start with ``match(text, line_start, line_end)``
_EXAMPLE_LINE_AT = re.compile(r"\s*" + _EXAMPLE_LABELS, re.IGNORECASE)
_TABLE_LINE_AT = re.compile(r"\s*\|")
_LINE_CACHE: tuple[str | None, int, int] = (None, 0, 0)


def _line_of(text: str, i: int) -> tuple[int, int]:
    """(start, end) of the line holding position ``i`` (end: its newline, or the end of the text);
    asked again for the same line of the same text, it is not searched for again."""
    global _LINE_CACHE
    cached, start, end = _LINE_CACHE
    if cached is text and start <= i <= end:
        return start, end
    start = text.rfind("\n", 0, i) + 1
    end = text.find("\n", i)
    end = len(text) if end == -1 else end
    _LINE_CACHE = (text, start, end)
    return start, end
#: every labelled data line of a text ("User: Could you please help?", "Answer: It does not.")
_DATA_LINES = re.compile(r"(?m)^[ \t]*" + _EXAMPLE_LABELS + r"[^\n]*", re.IGNORECASE)
#: a title line announcing example text ("Example reply:", "Example of a good answer:", "Bad answer (don't copy
#: this):", "Sample output:") and the lines under it up to a blank line (group ``body``): what the model is shown,
#: like a labelled data line
_EXAMPLE_BLOCK = re.compile(
    r"(?m)^[ \t]*(?:[-*+][ \t]+)?(?:\*\*)?[^\n:：]{0,40}\b(?:examples?|samples?|expected (?:output|answer|reply|response)"
    r"|(?:good|bad|ideal|model|correct|wrong|incorrect) (?:answer|reply|response|output|example))\b[^\n:：]{0,40}[:：]"
    r"(?:\*\*)?[ \t]*\n(?P<body>(?:[ \t]*\S[^\n]*(?:\n|$))+)", re.IGNORECASE)
#: an example label alone on its line ("Input:", "**原文：**" before the markdown pass took its bold) and the lines
#: under it up to a blank line (group ``body``): the example's text written below its label, data like a labelled
#: line ("### 示例1 / **原文：** / 文章详细分析了AI如何帮助医生进行诊断。" had its sample text reworded, 进行 dropped)
_EXAMPLE_LABEL_BLOCK = re.compile(
    r"[ \t]*(?:[-*+][ \t]+)?(?:\*\*)?" + _EXAMPLE_LABELS
    + r"(?:\*\*)?[ \t]*\n(?P<body>(?:[ \t]*\S[^\n]*(?:\n|$))+)", re.IGNORECASE)
_STASH_CHARS = [chr(c) for c in range(0xE000, 0xE100)]  # BMP private use: a pair the text does not hold
#: where an :data:`_EXAMPLE_BLOCK` title can end: its first colon ends the line
_COLON_EOL = re.compile(r"[:：](?:\*\*)?[ \t]*\n")


def _example_blocks(text: str) -> list[re.Match[str]]:
    """``list(_EXAMPLE_BLOCK.finditer(text))``, tried only at the lines that end in a colon: the
    pattern's 40-character look for its keyword at every line start costs ~45 ms a MB, and each of
    the passes under :func:`_keep_data_lines` asks."""
    found: list[re.Match[str]] = []
    end = 0
    for colon in _COLON_EOL.finditer(text):
        start = text.rfind("\n", 0, colon.start()) + 1
        if start < end:
            continue  # (inside the last block)
        m = _EXAMPLE_BLOCK.match(text, start) or _EXAMPLE_LABEL_BLOCK.match(text, start)
        if m is not None:
            found.append(m)
            end = m.end()
    return found


def _keep_data_lines(fn: PassFn) -> PassFn:
    """``fn``, but labelled data lines of few-shot examples and dialogues ("User: Could you
    please cancel my order?", "Answer: This document does not answer the question") are left
    as written: they are what the model is shown or taught to output, not instructions to
    reword.  Each such line is stashed as a marker line the pass cannot match, then restored."""

    def run(text: str, ctx: PassContext) -> str:
        blocks = _example_blocks(text)
        if not blocks and not _DATA_LINES.search(text):
            return fn(text, ctx)
        free = [c for c in _STASH_CHARS if c not in text][:2] if "\ue000" in text or "\ue001" in text else ["\ue000", "\ue001"]
        if len(free) < 2:
            return fn(text, ctx)  # (a text using 255 of the 256 private-use characters)
        opener, closer = free[0], free[1]
        stash: list[str] = []

        def put(m: re.Match[str]) -> str:
            stash.append(m.group())
            return f"{opener}{len(stash) - 1}{closer}"

        def put_body(m: re.Match[str]) -> str:
            body = m.group("body")
            tail = "\n" if body.endswith("\n") else ""
            stash.append(body[:len(body) - len(tail)])
            return m.group()[:m.start("body") - m.start()] + f"{opener}{len(stash) - 1}{closer}" + tail

        if blocks:
            pieces: list[str] = []
            last = 0
            for m in blocks:
                pieces += [text[last:m.start()], put_body(m)]
                last = m.end()
            text = "".join(pieces) + text[last:]
        out = fn(_DATA_LINES.sub(put, text), ctx)
        return re.sub(f"{opener}(\\d+){closer}", lambda m: stash[int(m.group(1))], out)

    run.__name__ = getattr(fn, "__name__", "pass")
    run.__doc__ = fn.__doc__
    return run


def _hedge(m: re.Match[str], s: str) -> str:
    """Drop one hedge word (and its space); the next letter is kept, capitalised when the hedge began a sentence."""
    start = m.start()
    whole = s[start:m.end()]
    if m.start("next2") != -1:  # "Actually, answer ..." at a sentence start -> "Answer ..."
        nxt2 = m.start("next2")
        return s[nxt2].upper() if s[start].isupper() and _at_sentence_start(s, start) else whole
    nxt_at = m.start("next")
    chain = _CHAIN_SPLIT.split(s[start:nxt_at - 1])
    word = chain[0]
    low, last = word.lower(), chain[-1].lower()
    if any(w[:1].isupper() for w in chain[1:]):
        return whole  # "very, Very": not a plain emphatic repeat
    next_char = s[nxt_at]
    if _prev_word_char(s, start) or not next_char.islower():
        return whole  # part of a longer word, or a capitalised name follows
    nxt = re.match(r"[a-z]+", s[nxt_at:nxt_at + 20])
    next_word = nxt.group() if nxt else ""
    if next_word in _HEDGE_KEEP_NEXT.get(last, ()) or next_word in _HEDGE_EN:
        return whole
    if any(w.lower() in _DEGREE_WORDS for w in chain):
        return whole  # "very complex", "highly detailed": the degree is the instruction (aggressive drops some)
    if low == "really" and len(chain) == 1 and _prev_word(s, start) in _DEGREE_CONTEXT:
        return whole  # "should be really short", "a really long text": a degree, like "very" ("I really want" is emphasis)
    # (searched in place, from near ``start``: copying or scanning the line for each hedge was
    # quadratic on a long line)
    line_start, line_end = _line_of(s, start)
    if _EXAMPLE_LINE_AT.match(s, line_start, line_end) or _TABLE_LINE_AT.match(s, line_start, line_end):
        return whole  # few-shot data and table cells are content, not instructions
    end = start
    while end > line_start and s[end - 1] in " \t\n":
        end -= 1
    pos = max(line_start, end - _END_WINDOW)
    if _NEGATION_BEFORE.search(s, pos, start) or _HEDGE_REPEAT.search(s, pos, start):
        return whole  # "not very long" is not "not long"; the rest of a chain kept whole stays too
    last = _last_char(s, start, line_start)
    initial = (last == "" or _LIST_MARK.fullmatch(s, line_start, start) is not None
               or (last in ".!?" and s[start - 1].isspace()))
    if low == "just" and len(chain) == 1:
        return whole  # "Just return the JSON" = only the JSON: a restriction, not filler
    if word[0].isupper():
        return next_char.upper() if initial else whole  # a capital mid-sentence: a name ("Simply Recipes")
    return next_char


def pass_hedges(text: str, ctx: PassContext) -> str:
    if ctx.en():
        before = text
        text = _sub_on(_HEDGE_RE, text, _hedge, lower=True, keys=(*_HEDGE_EN, "honestly", "frankly", "to be honest"))
        if text is not before and text != before:
            text = _fix_articles(before, text, lambda: ctx.article_pairs)
    return text


#: an article ("a", "an", "A", "An", "AN" as a word) and the word after it; the look-behind follows the first
#: letter, so that the search scans for [aA] at C speed (twice as fast as a pattern opening with it)
_ARTICLE_PAIR = re.compile(r"([aA](?<![\w'’][aA])(?:n|(?<=A)N)?)([ \t]+)([A-Za-z][\w'’-]*)")
#: word starts read with a vowel sound though spelt with a consonant, and the reverse
_AN_CONSONANT_LETTER = ("hour", "honest", "honor", "honour", "heir")
_A_VOWEL_LETTER = ("one", "once", "eu", "ewe", "uni", "use", "usa", "usu", "util", "uto", "ubiq", "ura", "ure", "uri", "uro")


def _wants_an(word: str) -> bool:
    """Is ``word`` read with a vowel sound first ("an hour", "an API", "a user", "a one-off")?"""
    if len(word) > 1 and word.isupper():
        return word[0] in "AEFHILMNORSX"  # an acronym is read by its letters ("an SQL query", "a URL")
    low = word.lower()
    if low.startswith(_AN_CONSONANT_LETTER) or low.startswith(("unin", "unim")):
        return True
    return low[0] in "aeiou" and not low.startswith(_A_VOWEL_LETTER)


def _fix_articles(before: str, after: str, had: Callable[[], AbstractSet[tuple[str, str]]] | None = None) -> str:
    """"a really interesting idea" -> "a interesting idea" after a dropped word: the article of a pair
    ``after`` made ("a interesting", "an useful") is set to the word it now stands before.  Pairs
    ``before`` already had (or ``had()``, the prompt's: :attr:`PassContext.article_pairs`) are left as written."""
    wrong = [m for m in _ARTICLE_PAIR.finditer(after) if (len(m.group(1)) == 2) != _wants_an(m.group(3))]
    if not wrong:
        return after  # (the usual case: ``before`` need not be read)
    seen = had() if had is not None else {(m.group(1).lower(), m.group(3).lower()) for m in _ARTICLE_PAIR.finditer(before)}
    pieces: list[str] = []
    last = 0
    for m in wrong:
        art, gap, word = m.group(1), m.group(2), m.group(3)
        if (art.lower(), word.lower()) in seen:
            continue
        want = "an" if _wants_an(word) else "a"
        new = want if art.islower() else want.upper() if art.isupper() and len(art) > 1 else want.capitalize()
        pieces += [after[last:m.start()], new + gap + word]
        last = m.end()
    return "".join(pieces) + after[last:] if pieces else after


# --------------------------------------------------------------------------- #
# phrases
# --------------------------------------------------------------------------- #

#: Reviewed verbose -> concise phrases (English).  Each keeps the meaning in
#: every context we could think of; entries that change meaning somewhere
#: ("with respect to" in maths, "as well as") are left out on purpose.
PHRASES_EN: dict[str, str] = {
    "in order to": "to",
    "in order for": "for",
    "so as to": "to",
    "due to the fact that": "because",
    "owing to the fact that": "because",
    "because of the fact that": "because",
    "in light of the fact that": "because",
    "on account of the fact that": "because",
    "given the fact that": "given that",
    "despite the fact that": "although",
    "in spite of the fact that": "although",
    "regardless of the fact that": "although",
    "at this point in time": "now",
    "at this moment in time": "now",
    "at the present time": "now",
    "at the current time": "now",
    "in the event that": "if",
    "in the near future": "soon",
    "prior to": "before",
    "subsequent to": "after",
    "for the purpose of": "for",
    "with the exception of": "except",
    # ("in the absence of" is not "without": "Say 'unknown' in the absence of data" is a condition, "Say
    # 'unknown' without data" a manner, and "Without a source, say so" reads the same way)
    "has the ability to": "can",
    "have the ability to": "can",
    "is able to": "can",
    "are able to": "can",
    "a large number of": "many",
    "a great number of": "many",
    "a wide variety of": "various",  # (variety, not number: "many sources" may all be alike)
    "a great deal of": "much",
    "the majority of": "most",
    "a sufficient amount of": "enough",
    "in close proximity to": "near",
    "in a timely manner": "promptly",
    "on a daily basis": "daily",
    "on a weekly basis": "weekly",
    "on a monthly basis": "monthly",
    "on a regular basis": "regularly",
    "make a decision": "decide",
    "take into consideration": "consider",
    "take into account": "consider",
    "make use of": "use",
    "by means of": "by",
    "the way in which": "how",
    "in the form of": "as",
    "on the basis of": "based on",
    "each and every": "every",
    "first and foremost": "first",
    "until such time as": "until",
    "whether or not": "whether",
    "the question as to whether": "whether",
    "in accordance with": "per",
    "you are required to": "you must",
    "you need to make sure that": "ensure",
    "you should make sure that": "ensure",
    "make sure that": "ensure",
    "please note that": "note:",
    "it is important to note that": "note:",
    "it should be noted that": "note:",
    "it is worth noting that": "note:",
    "provide a summary of": "summarize",
    "give a summary of": "summarize",
    "provide a description of": "describe",
    "give a description of": "describe",
    "provide an explanation of": "explain",
    "give an explanation of": "explain",
    "perform an analysis of": "analyze",
    "conduct an analysis of": "analyze",
    "at all times": "always",
    "in most cases": "usually",
    "in the majority of cases": "usually",
    "utilize": "use",
    "utilise": "use",
    "utilizes": "uses",
    "utilises": "uses",
    "utilizing": "using",
    "utilising": "using",
    "is capable of": "can",
    "are capable of": "can",
    "in an effort to": "to",
    "for the reason that": "because",
    "in view of the fact that": "because",
    "the fact that": "that",
    "aware of the fact that": "aware that",
    "are going to": "will",
    "is going to": "will",
    "am going to": "will",
    "with regard to": "regarding",
    # from real prompts (awesome-chatgpt-prompts): same meaning, fewer tokens
    "it will be your job to": "you will",
    "it will be your task to": "you will",
    "it will be your responsibility to": "you will",
    "provide you with": "give you",
    "provides you with": "gives you",
    "providing you with": "giving you",
    "provide the user with": "give the user",
    "provide them with": "give them",
    "provide me with": "give me",
    "unless i instruct you to do so": "unless I instruct you",
    "unless i tell you to do so": "unless I tell you",
    # reviewed additions (each saves >= 1 o200k token in running text)
    "it is important that you": "you must",
    "it is essential that you": "you must",
    "it is crucial that you": "you must",
    "it is critical that you": "you must",
    "it is vital that you": "you must",
    "it is imperative that you": "you must",
    "it is necessary that you": "you must",
    "it is recommended that you": "you should",
    "it is advisable that you": "you should",
    "it is possible that": "maybe",
    "keep in mind that": "remember that",
    "bear in mind that": "remember that",
    "as soon as possible": "ASAP",
    "each time that": "whenever",
    "every time that": "whenever",
    "in the case that": "if",
    "in case that": "if",
    "on the condition that": "if",
    "in a natural way": "naturally",
    "in a clear way": "clearly",
    "in a concise way": "concisely",
    "in a clear and concise way": "clearly and concisely",
    "in a clear and concise manner": "clearly and concisely",
    "in a professional manner": "professionally",
    "in a polite manner": "politely",
    "in a respectful manner": "respectfully",
    "in a consistent manner": "consistently",
    "in a similar way": "similarly",
    "in the same way as": "like",
    "period of time": "period",
    "make reference to": "refer to",
    "makes reference to": "refers to",
    "made reference to": "referred to",
    "make an attempt to": "try to",
    "makes an attempt to": "tries to",
    "make a decision about": "decide on",
    "make a decision about whether": "decide whether",
    "make a decision on whether": "decide whether",
    "come to a conclusion": "conclude",
    "reach a conclusion": "conclude",
    "give consideration to": "consider",
    "take a look at": "look at",
    "have a look at": "look at",
    "provide an answer to": "answer",
    "give an answer to": "answer",
    "provide a response to": "respond to",
    "give a response to": "respond to",
    "provide assistance to": "help",
    "provide assistance with": "help with",
    "make changes to": "change",
    "make a change to": "change",
    "make a comparison between": "compare",
    "make a list of": "list",
    "provide a list of": "list",
    "give a list of": "list",
    "is in a position to": "can",
    "are in a position to": "can",
    "is dependent on": "depends on",
    "are dependent on": "depend on",
    "is dependent upon": "depends on",
    "are dependent upon": "depend on",
    "has a tendency to": "tends to",
    "have a tendency to": "tend to",
    "in an attempt to": "to",
    "in spite of": "despite",
    "in excess of": "over",
    "in the vicinity of": "near",
    "pertaining to": "about",
    "a small number of": "a few",
    "are we able to": "can we",
    "are you able to": "can you",
    "is it able to": "can it",
    "don't make up": "don't invent",
    "do not make up": "don't invent",
    "never make up": "never invent",
    "not to make up": "not to invent",
    "by using": "using",
    "any and all": "all",
    "all of the": "all the",
    "both of the": "both",
    "on a case by case basis": "case by case",
    "in this day and age": "today",
    "until such time that": "until",
    "during the course of": "during",
    "in the course of": "during",
    "throughout the course of": "throughout",
    "for the duration of": "during",
    "with the help of": "with",
    "in such a way that": "so that",
    "are supposed to": "should",
    "is supposed to": "should",
    "it is not necessary to": "no need to",
    "there is no need to": "no need to",
    "with regards to": "regarding",
    "in regard to": "regarding",
    # review of new English prompts (support policies, agents, disclaimers); each saves 2-4 o200k tokens
    "is not able to": "can't",
    "are not able to": "can't",
    "am not able to": "can't",
    "isn't able to": "can't",
    "aren't able to": "can't",
    "was not able to": "couldn't",
    "were not able to": "couldn't",
    "is unable to": "can't",
    "are unable to": "can't",
    "has the capability to": "can",
    "have the capability to": "can",
    "is it possible for you to": "can you",
    "it is possible for you to": "you can",
    "would you be able to": "can you",
    "on the grounds that": "because",
    "for the purposes of": "for",
    "as a result of": "because of",
    "as a consequence of": "because of",
    "during the time that": "while",
    "in a timely fashion": "promptly",
    "at a later time": "later",
    "at a later date": "later",
    "come to the conclusion": "conclude",
    "is in need of": "needs",
    "are in need of": "need",
    "a variety of": "various",
    "for the most part": "mostly",
    "make an effort to": "try to",
    "on a case-by-case basis": "case by case",
    "on a yearly basis": "yearly",
    "on an annual basis": "annually",
    "on a quarterly basis": "quarterly",
    "on an hourly basis": "hourly",
    "in a step-by-step manner": "step by step",
    "in a step by step manner": "step by step",
    "in a detailed manner": "in detail",
    "in a detailed way": "in detail",
    # negative contractions: one o200k token instead of two, negation kept
    "do not": "don't",
    "does not": "doesn't",
    "did not": "didn't",
    "is not": "isn't",
    "are not": "aren't",
    "was not": "wasn't",
    "were not": "weren't",
    "will not": "won't",
    "would not": "wouldn't",
    "should not": "shouldn't",
    "could not": "couldn't",
    "can not": "can't",
    "have not": "haven't",
    "has not": "hasn't",
}

# "in a polite way" / "in a polite manner" -> "politely" (the existing "way"/"manner" entries completed)
for _adj, _adv in (("clear", "clearly"), ("concise", "concisely"), ("natural", "naturally"), ("professional", "professionally"),
                   ("polite", "politely"), ("respectful", "respectfully"), ("consistent", "consistently"), ("similar", "similarly"),
                   ("accurate", "accurately"), ("objective", "objectively"), ("efficient", "efficiently"),
                   ("systematic", "systematically"), ("neutral", "neutrally"), ("appropriate", "appropriately"),
                   ("safe", "safely"), ("honest", "honestly"), ("logical", "logically"), ("direct", "directly"),
                   ("careful", "carefully"), ("thorough", "thoroughly"), ("formal", "formally"), ("informal", "informally"),
                   ("brief", "briefly"), ("clear and concise", "clearly and concisely")):
    for _noun in ("way", "manner"):
        PHRASES_EN.setdefault(f"in {'an' if _adj[0] in 'aeiou' else 'a'} {_adj} {_noun}", _adv)

# "It is very important that you cite" -> "You must cite": the degree word is part of the obligation
# (the hedges pass keeps "very", so the rule names it)
for _adj in ("important", "essential", "crucial", "critical", "vital", "imperative", "necessary"):
    for _deg in ("very", "extremely", "absolutely", "really"):
        PHRASES_EN[f"it is {_deg} {_adj} that you"] = "you must"

#: Reviewed verbose -> concise phrases (Chinese).
PHRASES_ZH: dict[str, str] = {
    "为了能够": "为了",
    "以便于": "以便",
    "在这个时候": "此时",
    "在目前这个阶段": "目前",
    "由于这个原因": "因此",
    "总而言之": "总之",
    "与此同时": "同时",
    "尽可能地": "尽量",
    "尽可能的": "尽量",
    "是否能够": "能否",
    "进行分析": "分析",
    "进行总结": "总结",
    "进行翻译": "翻译",
    "进行评估": "评估",
    "进行检查": "检查",
    "进行修改": "修改",
    "进行优化": "优化",
    "进行比较": "比较",
    "进行解释": "解释",
    "进行处理": "处理",
    "进行回答": "回答",
    "进行分类": "分类",
    "进行审查": "审查",
    "进行改写": "改写",
    "的时候": "时",
    # (no "如果说" -> "如果": 说 is as often the verb, "如果说错了" is not "如果错了")
    "能够": "能",
    "不一定要": "不必",  # (not "不务必")
    "非常非常": "非常",
    "必须要": "必须",
    "的后面": "后",
    "的前面": "前",
    "进行适当的": "适当",
    "进行必要的": "必要",
    "是否是": "是否",
    "任何的": "任何",
    "一些的": "一些",
    "以及其他": "及其他",
    "并且还": "并且",
    "然后再": "再",
    "然后再次": "然后再次",  # (再次 is "again": without 然后 the "then" is gone)
    "尽量地": "尽量",
    "更加的": "更加",
    "小的时候": "小时候",  # (not "小时", an hour)
    "有的时候": "有时",  # (sometimes, even before 是: "有的时候是对的")
    "有的時候": "有時",
    "的時候": "時",  # (Traditional)
    "小的時候": "小時候",
    # from real prompts (PlexPt/awesome-chatgpt-prompts-zh)
    "将为您提供": "将提供",
    "将为你提供": "将提供",
    "会为您提供": "会提供",
    "会为你提供": "会提供",
    "除非我指示您这样做": "除非我指示",
    "除非我指示你这样做": "除非我指示",
    "除非我要求您这样做": "除非我要求",
    "除非我要求你这样做": "除非我要求",
}
# "不需要翻译" -> "无需翻译": only before a verb, not in "删除不需要的文件" or "如果不需要，…"
_ZH_NO_NEED = re.compile(f"不需要(?=[{_CJK}])(?![的了吗呢吧啊])")
#: verbs that 进行 can carry ("进行分析", "对代码进行一个全面的审查", "进行预订的操作")
_ZH_ACT_VERBS = ("(?:分析|总结|翻译|评估|检查|修改|优化|比较|解释|处理|回答|分类|审查|改写|验证|测试|排序|筛选|过滤|整理"
                 "|归纳|润色|校对|点评|评价|评分|打分|标注|说明|描述|补充|纠正|修正|调整|确认|核实|核对|统计|计算|汇总"
                 "|拆分|合并|编辑|重写|扩写|精简|简化|审核|审阅|诊断|识别|更新|删除|替换|清洗|重构|注释|批改|校验|解析"
                 "|归类|概括|转换|填充|预订|登录|退款|支付|下单|取消|重置|保存|提交|上传|下载|发送|安装|部署|查询|搜索)")
_ZH_ACT_ADV = "(?:全面|详细|简单|深入|初步|系统|仔细|认真|彻底|简要|适当)"
# "进行一个识别和处理的操作" -> "进行识别和处理" (then as below): 的操作 / 的处理 after a verb says nothing
_ZH_ACT_OP = re.compile(f"进行(?:一个)?(?P<v>{_ZH_ACT_VERBS}(?:和{_ZH_ACT_VERBS})?)的(?:操作|处理|工作)")
# "对代码进行一个全面的审查。" -> "全面审查代码。": object of 对 up to a clause end, 对 not part of a word
# (针对, 面对 but 方面对, 核对 …) nor 对于 / 对话 / 对方 …, the object not ending in an adverb ("对每句话都进行修改")
_ZH_DUI_ACT = re.compile(
    # (the look-behinds follow 对, so that the search scans for the literal 对 at C speed)
    "对(?<![针相绝反应核比配校查派作敌一成]对)(?<!(?<![里上下前后外方])面对)(?![于此其话象比称应手接策面照付待抗立方外齐联错着半准])"
    f"(?P<x>[^，。；：！？、,.;:!?\n对进加]{{1,12}}?)(?:进行|加以)(?:一个|一下)?(?:(?P<adv>{_ZH_ACT_ADV})[的地]?)?"
    f"(?P<v>{_ZH_ACT_VERBS}(?:和{_ZH_ACT_VERBS})?)(?=[，。；！？：,.;!?\n]|$)")
# "进行一个全面的审查" -> "全面审查"
# (and without 一个 when a manner word comes with its 的: "需要进行简单的解释" -> "需要简单解释")
_ZH_ACT_ONE = re.compile(f"进行(?:一个(?:(?P<adv>{_ZH_ACT_ADV})的)?|(?P<adv2>{_ZH_ACT_ADV})的)(?P<v>{_ZH_ACT_VERBS})"
                         "(?=[，。；！？：,.;!?\n]|$)")
# "需要注意的是，不要…" -> "注意：不要…", at a clause start only ("我们需要注意的是用户体验" stays), its
# colon or comma replaced (not "注意：：")
_ZH_NOTE = re.compile("(?:需要|值得)注意的是[ \t]*[，,：:]?")
# "这样的话，…" -> "这样，…" and "换句话说，…" -> "即…" at a clause start ("不要说这样的话" stays)
_ZH_CLAUSE_LINK = re.compile("(?P<p>这样的话|换句话说)(?P<c>[，,]?)")
# "所有的数据" -> "所有数据" (not "所有的都")
# "你一定要记住" -> "你务必记住", a command; not after 是/非/有 or before a 的 that makes it attributive ("这是一定要做的",
# "有没有一定要用的工具", "并非一定要这样" read wrong with 务必); 不一定要 is 不必 (the table)
_ZH_MUST = re.compile("一定要(?<![是非有没]一定要)(?![^，。；：！？,.;:!?\n]{0,8}?的)")
#: frequent characters that Simplified and Traditional Chinese spell differently (neither form used by the other
#: script): which of them surround a spot tells its script.  一定要 -> 务必 and 不需要 -> 无需 wrote Simplified words
#: into Traditional sentences ("回答時务必簡潔", "无需翻譯"); in Traditional they stay (務必 and 無需 save no token:
#: 一定要 and 不需要 are two tokens each, as are they, and in context they can cost one more)
_ZH_SIMP_CHARS = frozenset("这们个来时为会对与过还将应请问题说语让么从样开关体义务经济处无专业欢动现当条论记录总结输译词汇档确没给认识实点电话学习尽须简洁绝并决规态")
_ZH_TRAD_CHARS = frozenset("這們個來時為會對與過還將應請問題說語讓麼從樣開關體義務經濟處無專業歡動現當條論記錄總結輸譯詞彙檔確沒給認識實點電話學習盡須簡潔絕並決規態")


def _zh_traditional_at(s: str, i: int, reach: int = 40) -> bool:
    """Is the Chinese around ``s[i]`` written in Traditional characters?  Its line (at most ``reach``
    characters either side) decides; a line that tells nothing leaves it to the text around it."""
    start = max(s.rfind("\n", 0, i) + 1, i - reach)
    end = s.find("\n", i)
    for window in (s[start:min(i + reach, len(s) if end == -1 else end)], s[max(0, i - 5 * reach):i + 5 * reach]):
        trad = sum(c in _ZH_TRAD_CHARS for c in window)
        simp = sum(c in _ZH_SIMP_CHARS for c in window)
        if trad != simp:
            return trad > simp
    return False


_ZH_ALL_DE = re.compile(f"所有的(?=[{_CJK}])(?![都也是])")
# "如果参数有误的话，" -> "如果参数有误，"
_ZH_DEHUA = re.compile("(?P<h>如果|假如|要是|倘若|若是)(?P<b>[^，。；！？\n]{1,20}?)的话(?=[，,])")
# "以下的规则" / "其他的内容" -> "以下规则" / "其他内容" (before a noun: not "其他的话", "主要的是")
_ZH_ADJ_DE_HEADS = ("以下", "以上", "其他", "其它", "主要", "具体", "全部")
_ZH_ADJ_DE = re.compile(f"(?P<a>{'|'.join(_ZH_ADJ_DE_HEADS)})的(?=[{_CJK}])(?![是话])")
# "需要加以说明。" -> "需要说明。" (like 进行 + a two-character verb at a clause end)
_ZH_JIAYI = re.compile(f"加以(?=[{_CJK}]{{2}}(?:[，。；、！？：,.;!?\n和或]|$))")
# "在分析数据的过程中" -> "在分析数据时" (not "在整个对话的过程中": throughout)
_ZH_PROCESS = re.compile("在(?![整全])(?P<x>[^，。；：！？、,.;:!?\n在]{1,15}?)(?<![样种个些此该这那])的过程中")


_ZH_DUI_WORD = re.compile("(?<![针相绝反应核比配校查派作敌一成面])对(?!于)")
#: verbs that take no object after them: "对回答进行评分" -> "对回答评分", not "评分回答"
_ZH_NO_OBJECT = ("评分", "打分", "退款", "下单", "分类", "归类", "排序")


#: 对 + a person is "to them": "对客户进行解释" is "explain to the customer", not "解释客户"
_ZH_PERSON_END = ("用户", "客户", "顾客", "患者", "病人", "学生", "孩子", "读者", "对方", "家长", "员工", "老师", "医生",
                  "买家", "卖家", "访客", "会员", "大家", "他", "她", "我", "你", "您", "们", "人", "者")


def _zh_dui_act(m: re.Match[str]) -> str:
    x = m.group("x")
    if (x.rstrip()[-1:] in "都也再先还均又才就并" or x.strip() == "" or any(v in m.group("v") for v in _ZH_NO_OBJECT)
            or x.strip().endswith(_ZH_PERSON_END)):
        return m.group()
    s, i = m.string, m.start()
    j = i
    while j > 0 and s[j - 1] not in "，。；：！？,.;:!?\n":
        j -= 1
    if _ZH_DUI_WORD.search(s, j, i):
        return m.group()  # "对A和对B进行比较": the object began at the first 对 (绝对 / 对于 are no such 对)
    sep = " " if x[0] == " " else ""
    return (m.group("adv") or "") + m.group("v") + sep + x.strip()


# "只需要输出译文即可" -> "只输出译文"
# (at a clause end only: "只需提供订单号即可办理退款" is "the order number is all it takes", not "only provide")
_ZH_ONLY_NEED = re.compile("只需要?(?P<b>[^。，！？；\n]{1,30}?)即可(?=[。，！？；：,.!?;:\n）)]|$)")
# "对文章进行修改和润色" -> "对文章修改和润色" (进行 + a two-character verb at a clause end)
_ZH_JINXING = re.compile(f"进行(?=[{_CJK}]{{2}}(?:[，。；、！？：,.;!?\n和或]|$))(?<![正在])")
# "用列表的形式说明" -> "用列表说明"; "每一条" -> "每条"
_ZH_FORM = re.compile("(?P<h>[用以](?:列表|表格|代码块|代码|图表|要点|条目|清单|大纲|段落|问答|对话|编号|数字|文字|文本|短句|句子"
                      f"|故事|诗歌|报告|邮件|信件|日记|笔记|卡片|流程图|时间线))的(?:形式|方式)(?=[{_CJK}])")
_ZH_EACH_ONE = re.compile("每一(?=[条句个项段步次位篇章行])")


def _phrase_regex(table: dict[str, str]) -> re.Pattern[str]:
    keys = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


#: phrases whose edge can be half of a word of the text: the reduction would split that word.  能够 after 可 /
#: 功 / 性 … is 可能 / 功能 + 够 ("确保功能够用" became "确保功能用", "可能够用了" "可能用了"); 必须要 / 不一定要
#: before 求 / 素 / 点 / 领 ends in 要求 … ("必须要求用户提供订单号" became "必须求用户…"); 并且还 before 原 ends in 还原
_ZH_PHRASE_GUARDS: dict[str, tuple[str, str]] = {
    "能够": ("(?<![可功智性技本职職效体體潜潛动動全万萬异異])", ""),
    "必须要": ("", "(?![求素点點领領])"),
    "不一定要": ("", "(?![求素点點领領])"),
    "并且还": ("", "(?![原])"),
    # ("X的时候是…" / "…的时候就是…": the time itself, a noun, not "when X": "唯一应该停止的时候是…" became
    # "唯一应该停止时是…")
    "的时候": ("", "(?!是|就是)"),
    "的時候": ("", "(?!是|就是)"),
}


def _guarded_phrase_regex(table: dict[str, str], guards: dict[str, tuple[str, str]]) -> re.Pattern[str]:
    """:func:`_phrase_regex` with a look-behind / look-ahead after the phrases of ``guards``."""
    keys = sorted(table, key=len, reverse=True)
    return re.compile("|".join(guards.get(k, ("", ""))[0] + re.escape(k) + guards.get(k, ("", ""))[1] for k in keys))


_ZH_PHRASE_RE = _guarded_phrase_regex(PHRASES_ZH, _ZH_PHRASE_GUARDS)
#: every Chinese phrase holds a CJK character: text without one needs no Chinese pass
_ZH_PHRASES_NEED_CJK = all(_CJK_RE.search(k) for k in PHRASES_ZH)
_EN_KEYS = sorted((k.lower() for k in PHRASES_EN), key=len, reverse=True)
_EN_LOOKUP = {k.lower(): v for k, v in PHRASES_EN.items()}


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_'’"


def _trie_pattern(words: list[str]) -> str:
    """A regex matching any of ``words``, nested by common prefix (longest alternative first).

    The regex engine tries one branch per character instead of every word at
    every position: ~3x faster than one ``str.find`` scan per phrase.
    """
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


# whole words: not after a letter, digit, "_" or apostrophe; not before a letter, digit or "_"
_EN_PHRASE_RE = re.compile(r"(?<![\w'’])" + _trie_pattern(_EN_KEYS) + r"(?!\w)")


_BE_FORMS = frozenset({"be", "is", "are", "was", "were", "been", "being", "am"})
#: words whose object "whether or not X" is an indirect question, where "or not" adds nothing ("decide
#: whether or not to escalate", "check whether or not the file exists")
_WHETHER_HEADS = frozenset(
    ["decide", "decides", "determine", "determines", "check", "checks", "verify", "assess", "evaluate", "judge", "know",
     "ask", "asks", "tell", "say", "state", "indicate", "indicates", "confirm", "see", "show", "choose", "consider",
     "question", "unsure", "sure", "uncertain", "doubt", "clarify", "specify", "about", "on", "of", "as", "to",
     "explain", "identify", "find", "learn", "guess", "predict", "classify", "flag", "note", "mark", "record", "report"])


#: words after "in a clear way" that make "way" the head of a clause or comparison ("in a clear way that
#: anyone can follow", "in a natural way, as a friend would"): "clearly that anyone can follow" is no sentence
_MANNER_KEEP_NEXT = frozenset(["that", "which", "as", "than", "similar", "so"])


def _manner_stays(s: str, i: int, j: int) -> bool:
    """Is the manner phrase ``s[i:j]`` ("in a polite manner") kept rather than made an adverb: after
    "be" (an adverb cannot follow it) or before a clause about the manner (see ``_MANNER_KEEP_NEXT``)?"""
    if _prev_word(s, i) in _BE_FORMS:
        return True
    nxt = re.match(r"[ \t]+([A-Za-z]+)", s[j:j + 20])
    return nxt is not None and nxt.group(1).lower() in _MANNER_KEEP_NEXT


def _keep_a_variety_of(s: str, i: int, j: int) -> bool:
    """"such a variety of" / "what a variety of" cannot become "such various"."""
    return _prev_word(s, i) in ("such", "what", "quite")


def _keep_whether_or_not(s: str, i: int, j: int) -> bool:
    """"whether or not" is kept unless it opens an indirect question ("decide whether or not to ...",
    "check whether or not X"): as an adverbial clause ("Log the request whether or not it succeeds",
    "Whether or not the user asks, ...") it means "in either case", and "whether" alone does not."""
    return not (s[j:j + 4].lower() == " to " or _prev_word(s, i) in _WHETHER_HEADS)


def _keep_the_fact_that(s: str, i: int, j: int) -> bool:
    """"the fact that" -> "that" only as a sentence's subject ("The fact that X is irrelevant"): after
    a preposition or a verb "that" cannot stand for the noun phrase ("aware of that the API is slow",
    "Ignore that the user is angry", which then reads "Ignore the user")."""
    return not _at_sentence_start(s, i)


#: words that start a noun phrase: after a quantifier ("most", "many") they need "of" ("most of the users")
_DETERMINERS = frozenset(["the", "these", "those", "this", "that", "my", "your", "our", "their", "his", "her", "its",
                          "them", "us", "you", "it", "which", "whom"])


def _next_word(s: str, j: int) -> str:
    m = re.match(r"[ \t]+([\w'’]+)", s[j:j + 40])
    return m.group(1) if m else ""


def _keep_going_to(s: str, i: int, j: int) -> bool:
    """"are going to" -> "will" only before a verb: "We are going to Paris", "going to the checkout page"
    is motion (a noun phrase, a name or a number follows)."""
    nxt = _next_word(s, j)
    return not nxt or nxt[0].isupper() or nxt[0].isdigit() or nxt.lower() in _DETERMINERS or nxt.lower() in (
        "a", "an", "some", "any", "every", "each", "all", "no", "work", "school", "bed", "church", "town", "market")


def _keep_unless_sentence_start(s: str, i: int, j: int) -> bool:
    """A clause-level rewrite ("It is possible that X" -> "Maybe X", "There is no need to" -> "No need to")
    only where the clause is the sentence: "If it is possible that ..." -> "If maybe ..." is no sentence."""
    return not _at_sentence_start(s, i)


def _keep_both_of_the(s: str, i: int, j: int) -> bool:
    """"both of the following" / "both of the above": "both following" is no noun phrase."""
    return _next_word(s, j).lower() in ("following", "above", "below", "former", "latter", "previous", "next")


#: words that make the rest of their sentence what the model says to someone ("Tell the customer we will call back
#: as soon as possible"): an abbreviation there ("ASAP") would change the register of the reply
_SPEECH_LEAD = re.compile(r"\b(?:say|says|tell|tells|reply|replies|respond|responds|answer|write|writes|inform|informs|notify"
                          r"|assure|assures|promise|promises|apologi[sz]e|let (?:them|the \w+|him|her) know)\b|[:\"“]",
                          re.IGNORECASE)


def _keep_in_speech(s: str, i: int, j: int) -> bool:
    """Is ``s[i:j]`` in wording the model says to a customer (after "Tell the customer", "reply:" ...)?"""
    start = max(s.rfind("\n", 0, i), *(s.rfind(c, 0, i) for c in ".!?")) + 1
    return _SPEECH_LEAD.search(s, start, i) is not None


_RESTRICTORS = ("only", "just", "merely", "simply")
_BUT_LATER = re.compile(r"[^.!?;\n]*?\bbut\b", re.IGNORECASE)


def _keep_not_only_but(s: str, i: int, j: int) -> bool:
    """"will not only fix it but also test it": the "not" opens the correlative "not only X but Y"; as
    "won't only fix it but also test it" it reads as a restriction on "will" (the sentence needs its "but")."""
    return _next_word(s, j).lower() in _RESTRICTORS and _BUT_LATER.match(s, j) is not None


#: words that open the clause after a "that" that is a conjunction ("make sure that the file exists", "that it
#: runs"): after "make sure" a "that" before any other word may be a determiner ("make sure that tool is called",
#: "that step succeeded"), which "ensure" would drop ("ensure tool is called")
_CLAUSE_SUBJECT = frozenset(["the", "a", "an", "you", "your", "we", "our", "they", "their", "it", "its", "he", "his",
                             "she", "her", "i", "my", "this", "these", "those", "there", "all", "every", "each", "any",
                             "no", "none", "nothing", "everything", "anything", "both", "only", "nobody", "everyone",
                             "anyone", "someone", "some", "neither", "either", "users", "people"])


def _keep_make_sure_that(s: str, i: int, j: int) -> bool:
    return _next_word(s, j).lower() not in _CLAUSE_SUBJECT


#: words that open a relative clause on "decision" ("a decision you're unsure about", "a decision that affects
#: users"): "decide you're unsure about" says something else
_RELATIVE_START = frozenset(["that", "which", "who", "whose", "you", "you're", "you’re", "we", "we're", "they",
                             "they're", "i", "i'm", "he", "she", "it", "the", "your", "our", "their"])


_WHAT_BEFORE = re.compile(r"\bwhat\b", re.IGNORECASE)


def _keep_supposed_in_what(s: str, i: int, j: int) -> bool:
    """"what the code is supposed to do" asks its purpose (what it is meant to do), "what the code should do"
    what it ought to: kept after a "what" in the same clause."""
    return _WHAT_BEFORE.search(s, _clause_start(s, s.rfind("\n", 0, i) + 1, i, 80), i) is not None


#: phrase -> a test of its context (text, start, end) that keeps it as written; "can not only read but also
#: write" is "can (not only ...)", never "can't"; the other "X not" contractions stay before a "not only ...
#: but" (see :func:`_keep_not_only_but`)
_PHRASE_GUARDS: dict[str, Callable[[str, int, int], bool]] = {
    "whether or not": _keep_whether_or_not,
    "make sure that": _keep_make_sure_that,
    "is supposed to": _keep_supposed_in_what,
    "are supposed to": _keep_supposed_in_what,
    "make a decision": lambda s, i, j: _next_word(s, j).lower() in _RELATIVE_START,
    "the fact that": _keep_the_fact_that,
    "a variety of": _keep_a_variety_of,
    "are going to": _keep_going_to,
    "is going to": _keep_going_to,
    "am going to": _keep_going_to,
    "it is possible that": _keep_unless_sentence_start,
    "there is no need to": _keep_unless_sentence_start,
    "it is not necessary to": _keep_unless_sentence_start,
    "both of the": _keep_both_of_the,
    "as soon as possible": _keep_in_speech,
    "can not": lambda s, i, j: _next_word(s, j).lower() in _RESTRICTORS,
    **{k: _keep_not_only_but for k in ("do not", "does not", "did not", "is not", "are not", "was not", "were not",
                                       "will not", "would not", "should not", "could not", "have not", "has not")},
}
#: quantifiers the table gives for "the majority of", "a large number of" ...: before a determiner they
#: keep an "of" ("the majority of the users" -> "most of the users", not "most the users")
_QUANTIFIERS = frozenset(["most", "many", "much", "a few", "enough"])
#: "You must don't invent" (from "It is important that you do not make up"): a modal takes "not"
_MODAL_DONT = re.compile(r"\b(must|should|shall|will|would|can|could|may|might) don't\b")


#: the table's -ize / -yze words and their spelling in a British text
_BRITISH_FORMS = {"summarize": "summarise", "analyze": "analyse"}
#: a spelling only British English uses ("summarise", "organised", "analyse", "colour", "behaviour", "centre")
_BRITISH_SPELLING = re.compile(
    r"\b(?:(?:summar|organ|apolog|recogn|priorit|personal|optim|categor|emphas|real|minim|maxim|custom|standard"
    r"|special|author|final|normal|character|visual|util)is(?:e|es|ed|ing|ation|ations)|analys(?:e|ed|ing)"
    r"|(?:behavi|col|fav|hon|lab|neighb|hum)ours?|centres?|catalogues?)\b")


def _replace_en_phrases(text: str, british: Callable[[], bool]) -> str:
    """Apply :data:`PHRASES_EN` (whole words, any case, first-letter case kept; leftmost, then longest).

    Runs on the lowercased text (one trie-shaped regex, see :func:`_trie_pattern`).
    """
    low = _lowered(text)
    if len(low) != len(text):
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    out: list[str] = []
    pos = 0
    for m in _EN_PHRASE_RE.finditer(low):
        i, j = m.span()
        out.append(text[pos:i])
        src = text[i:j]
        if _caps_in(text, i, j):  # "Do NOT" is emphasis, not a verbose "don't"
            out.append(src)
            pos = j
            continue
        repl = _EN_LOOKUP[m.group()]
        if repl.endswith("ly") and m.group().startswith(("in a ", "in an ")) and _manner_stays(text, i, j):
            out.append(src)  # "should be in a clear manner", "in a clear way that anyone can follow"
            pos = j
            continue
        guard = _PHRASE_GUARDS.get(m.group())
        if guard is not None and guard(text, i, j):
            out.append(src)  # a context where the short form says something else (see _PHRASE_GUARDS)
            pos = j
            continue
        if repl in _QUANTIFIERS and _next_word(text, j).lower() in _DETERMINERS:
            repl += " of"
        if repl in _BRITISH_FORMS:
            if british():  # (on the lowercased prompt, decided once: ~4x faster than an IGNORECASE search)
                repl = _BRITISH_FORMS[repl]  # a text that writes "summarise" gets "summarise", not "summarize"
        out.append(("Note:" if src[:1].isupper() else "note:") if repl == "note:" else _match_case(src, repl))
        pos = j
        if repl == "always" and text[j:j + 1] == "," and _at_sentence_start(text, i):
            pos += 1  # "At all times, be calm" -> "Always be calm" ("Always, be calm" is no sentence)
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


_PARTICIPLE = (r"(?:\w+ed|written|given|shown|known|taken|sent|built|made|kept|found|paid|held|chosen|spoken|done|seen"
               r"|(?:low|high|long|short|great|small|larg|bigg|old|new)er than|more than|less than)")
# "the documents that are provided below" -> "the documents provided below"
_REDUCED_RELATIVE = re.compile(rf"(?:that|which) (?:is|are|was|were) (?P<neg>not )?(?={_PARTICIPLE}\b)")
# "say that you will" -> "say you will" (complementiser before a pronoun subject); runs on lowercased text
_COMPLEMENTISER = re.compile(
    r"(?P<v>say|says|note|ensure|sure|means|know|think|believe|remember|check|verify|mention|confirm|assume|realize"
    r"|realise|shows?|states?|indicates?) that (?=(?:you|we|they|i|he|she|it)\b)")

#: a second that-clause coordinated with the first ("note that you are not a lawyer and that your review ...")
_COORDINATED_THAT = re.compile(r"(?:,|\band|\bor|\bbut)[ \t]+that\b", re.IGNORECASE)


def _complementiser(m: re.Match[str], s: str) -> str:
    """"say that you will" -> "say you will", unless a coordinated "and that ..." follows in the sentence:
    "Note you aren't a lawyer and that your review ..." breaks the parallel."""
    if _prev_word_char(s, m.start()):
        return s[m.start():m.end()]
    end = min(len(s), m.end() + 400)  # (a sentence rarely runs longer; the scan stays linear on a large text)
    for stop in ".!?\n":
        k = s.find(stop, m.end(), end)
        if k != -1:
            end = k
    if _COORDINATED_THAT.search(s, m.end(), end):
        return s[m.start():m.end()]
    return _g(m, s, "v") + " "


_COMPLEMENTISER_KEYS = ("say", "note", "ensure", "sure", "means", "know", "think", "believe", "remember", "check", "verify",
                        "mention", "confirm", "assume", "realize", "realise", "show", "state", "indicate")

#: adjectives before a that-clause ("important that users feel heard"): without "that" the adjective takes
#: the subject as its noun ("important users")
_THAT_ADJECTIVES = frozenset(
    ["important", "essential", "crucial", "critical", "vital", "necessary", "imperative", "likely", "unlikely",
     "possible", "impossible", "clear", "true", "certain", "obvious", "evident", "recommended", "required",
     "good", "best", "better", "enough", "aware", "glad", "confident"])
#: words after which "that" is a conjunction or demonstrative, never an omissible relative pronoun
#: ("so that", "such that", "now that", "except that", "in that", "is that"...)
_THAT_KEEP_AFTER = frozenset(
    ["so", "such", "now", "given", "except", "in", "than", "is", "are", "was", "were", "be", "been", "being", "not", "only", "also", "and", "or", "but", "nor", "of", "to", "for", "with", "on", "at", "by", "from", "about", "after", "before", "because", "since", "until", "unless", "if", "provided", "assuming", "considering", "seeing", "save", "like", "all", "that", "this", "it", "what", "whether", "when", "while", "where", "how", "way", "point", "extent", "degree", "sure", "note", "ensure", "mean", "means", "say", "says", "said", "fact", "event", "case",
     # "It is important that users feel heard": without "that", "important users" reads as a noun phrase
     *_THAT_ADJECTIVES])
_ING_ADJECTIVES = frozenset(
    ["interesting", "boring", "amazing", "confusing", "misleading", "surprising", "exciting", "annoying", "disappointing", "worrying", "charming", "striking", "outstanding", "promising", "missing", "pending", "existing", "remaining", "following", "leading", "trending", "upcoming", "ongoing", "outgoing", "incoming", "corresponding", "matching", "relevant", "willing", "thing", "nothing", "something", "anything", "everything", "string", "king", "ring", "spring", "morning", "evening", "during", "going"])
# "the things that I would like you to keep in mind" -> "the things to keep in mind"
_THAT_MODAL_TO = re.compile(
    r"(?:that|which) (?:i would like you|i'd like you|i want you|we want you|we would like you|we'd like you"
    r"|you need|you have|you will need|you will have|you should|you are expected|you are asked) to (?=[a-z])")
# "the text that the user provides" -> "the text the user provides" (object relative before a subject)
_THAT_OBJECT = re.compile(r"that (?=(?:you|we|they|i|he|she|the user|the customer|the author|users|customers) )")
# "a senior engineer who is doing a review" -> "a senior engineer doing a review"
_WHO_IS_ING = re.compile(r"who (?:is|are) (?=(?P<ing>[a-z]+ing)\b)")
#: verbs after which "who is ..." / "that ..." opens an indirect question, not a relative clause
_QUESTION_VERBS = frozenset(
    ["know", "knows", "ask", "asks", "asked", "tell", "tells", "decide", "determine", "identify", "see", "check", "find", "show", "explain", "wonder", "matter", "regardless", "depending", "out", "clarify", "understand", "figure", "learn", "guess", "consider", "discuss", "mention", "specify"])


def _prev_word(s: str, i: int) -> str:
    """The word just before position ``i`` (lowercase), "" at a line start or after punctuation."""
    j = i
    while j > 0 and s[j - 1] in " \t":
        j -= 1
    k = j
    while k > 0 and (s[k - 1].isalpha() or s[k - 1] in "'’-"):
        k -= 1
    return s[k:j].lower() if j < i and k < j else ""


def _relative_ok(s: str, i: int) -> bool:
    prev = _prev_word(s, i)
    return bool(prev) and prev not in _THAT_KEEP_AFTER and prev not in _QUESTION_VERBS and not prev.endswith("ly")


def _that_modal_to(m: re.Match[str], s: str) -> str:
    return "to " if _relative_ok(s, m.start()) else s[m.start():m.end()]


def _that_object(m: re.Match[str], s: str) -> str:
    i = m.start()
    if not _relative_ok(s, i):
        return s[i:m.end()]
    # the word before "that" opening its sentence is an imperative verb ("Ignore that the user is angry",
    # "Accept that you may be wrong"): "that" is its complementiser, and without it the verb takes the
    # subject as its object ("Ignore the user")
    return s[i:m.end()] if _at_sentence_start(s, i - 1 - len(_prev_word(s, i))) else ""


#: a verb taking a person and a question ("Ask the user who is calling"): "who is ..." after its object is the question
_ASK_PERSON = re.compile(r"\b(?:ask|asks|asked|tell|tells|told|show|remind|inform|check with)[ \t]+(?:the[ \t]+|a[ \t]+|an[ \t]+|each[ \t]+)?"
                         r"[a-z]+[ \t]+$", re.IGNORECASE)


def _who_is_ing(m: re.Match[str], s: str) -> str:
    if m.group("ing") in _ING_ADJECTIVES or not _relative_ok(s, m.start()):
        return s[m.start():m.end()]
    if _ASK_PERSON.search(s, max(0, m.start() - 40), m.start()):
        return s[m.start():m.end()]  # "Ask the user who is calling" asks for a name: not "Ask the user calling"
    return ""


# "for each of the risks" -> "for each risk" (regular plurals only: -ies -> -y, consonant + s -> -)
_EACH_OF_THE = re.compile(r"(?P<q>each) of the (?P<noun>[a-z]+(?:[^aeiousxz]s|ies))\b(?! of\b)")


_NOT_PLURAL = frozenset(["news", "lens", "series", "species", "thanks", "means", "pants", "glasses", "scissors"])


def _each_of_the(m: re.Match[str], s: str) -> str:
    noun = _g(m, s, "noun")
    if (_prev_word_char(s, m.start()) or not noun.islower() or len(noun) < 4 or noun in _NOT_PLURAL
            or noun.endswith(("us", "is", "ss", "ics"))):
        return s[m.start():m.end()]
    single = noun[:-3] + "y" if noun.endswith("ies") else noun[:-1]
    return _g(m, s, "q") + " " + single


# "My first request is "I need..."" -> "First request: "I need..."" (before a quoted string only)
_MY_FIRST = re.compile(
    r"my first (?P<noun>(?:[a-z]+ ){0,2}?(?:request|sentence|command|question|suggestion|prompt|task|message|input|query"
    rf"|topic|statement|line|problem|scenario|word|idea|text|code|request)) is(?=[ \t]*(?:[\"“'「]|{_PH}))")
_ZH_MY_FIRST = re.compile(
    f"我的第一(?P<n>(?:个|句|条|项|道)?[{_CJK}]{{0,4}}?(?:请求|要求|命令|问题|建议|句子|话|任务|提示|主题|输入|指令|消息))"
    f"是(?:[ \t]*[:：]|(?=[ \t]*(?:[\"“「『]|{_PH})))")
# "扮演一名律师" / "作为一名律师" / "你是一个翻译助手" -> "扮演律师" / "作为律师" / "你是翻译助手" (not "担任一个月")
_ZH_ACT_AS_ONE = re.compile("(?P<v>充当|扮演|担任|作为|你是|您是)(?:一[个個]|一名|一位)(?!月|个|個|天|年|次|周|小时|小時|人(?:[吗嗎呢的，。！？,.!?]|$))")


def _my_first(m: re.Match[str], s: str) -> str:
    if not _at_sentence_start(s, m.start()):
        return s[m.start():m.end()]
    return "First " + _g(m, s, "noun") + ":"


_AS_WELL = re.compile(r"as well(?=[.,;!?)]|\n|$)")


def pass_phrases(text: str, ctx: PassContext) -> str:
    if ctx.en():
        text = _sub_on(_REDUCED_RELATIVE, text, _unless_emphatic(lambda m, s: (m.group("neg") or "")
                       if s[m.start() - 2:m.start() - 1].isalnum() and s[m.start() - 1] == " " else m.group()))
        text = _sub_on(_COMPLEMENTISER, text, _unless_emphatic(_complementiser), lower=True, keys=_COMPLEMENTISER_KEYS)
        text = _replace_en_phrases(text, lambda: ctx.british)
        if " don't" in text:
            text = _MODAL_DONT.sub(r"\1 not", text)
        text = _sub_on(_EACH_OF_THE, text, _unless_emphatic(_each_of_the), lower=True)
        text = _sub_on(_THAT_MODAL_TO, text, _unless_emphatic(_that_modal_to), lower=True)
        text = _sub_on(_WHO_IS_ING, text, _unless_emphatic(_who_is_ing), lower=True)
        text = _sub_on(_THAT_OBJECT, text, _unless_emphatic(_that_object), lower=True)
        text = _sub_on(_MY_FIRST, text, _my_first, lower=True, keys=("my first ",))
        text = _sub_on(_AS_WELL, text, _unless_emphatic(
                       lambda m, s: "too" if not _prev_word_char(s, m.start()) else m.group()), lower=True)
    if ctx.zh() and (_has_cjk(text) or not _ZH_PHRASES_NEED_CJK):
        if "进行" in text or "加以" in text:
            text = _ZH_ACT_OP.sub(lambda m: "进行" + m.group("v"), text)
            text = _ZH_DUI_ACT.sub(_zh_dui_act, text)
            text = _ZH_ACT_ONE.sub(lambda m: (m.group("adv") or m.group("adv2") or "") + m.group("v"), text)
        text = _ZH_PROCESS.sub(lambda m: "在" + m.group("x") + "时", text)
        # (each sub below only where its literal occurs: a regex without a literal start scans slowly)
        if "的话" in text:
            text = _ZH_DEHUA.sub(lambda m: m.group("h") + m.group("b"), text)
        if any(a + "的" in text for a in _ZH_ADJ_DE_HEADS):
            text = _ZH_ADJ_DE.sub(lambda m: m.group("a"), text)
        text = _ZH_JIAYI.sub("", text)
        text = _ZH_PHRASE_RE.sub(lambda m: PHRASES_ZH[m.group()], text)
        if "一定要" in text:
            text = _ZH_MUST.sub(lambda m: m.group() if _zh_traditional_at(m.string, m.start()) else "务必", text)
        if "这样的话" in text or "换句话说" in text:
            text = _ZH_CLAUSE_LINK.sub(lambda m: m.group() if not _zh_start(m.string, m.start())
                                   else "即" if m.group("p") == "换句话说" else "这样" + m.group("c"), text)
        text = _ZH_ALL_DE.sub("所有", text)
        if "注意的是" in text:
            text = _ZH_NOTE.sub(lambda m: "注意：" if _zh_start(m.string, m.start()) else m.group(), text)
        text = _ZH_NO_NEED.sub(lambda m: m.group() if _zh_traditional_at(m.string, m.start()) else "无需", text)
        text = _ZH_ONLY_NEED.sub(lambda m: "只" + m.group("b"), text)
        text = _ZH_JINXING.sub("", text)
        text = _ZH_FORM.sub(lambda m: m.group("h"), text)
        text = _ZH_EACH_ONE.sub("每", text)
        if "我的第一" in text:
            text = _ZH_MY_FIRST.sub(lambda m: "第一" + m.group("n") + "：" if _zh_start(m.string, m.start())
                                    else m.group(), text)
        text = _ZH_ACT_AS_ONE.sub(lambda m: m.group("v"), text)
    return text


# --------------------------------------------------------------------------- #
# words (aggressive)
# --------------------------------------------------------------------------- #

#: Approximate relative frequency (per 1,000 words of general English) of the
#: only words the pass may drop.  Information = -log2(frequency share).
_DROPPABLE_FREQ: dict[str, float] = {
    "the": 50.0, "a": 21.0, "an": 3.5,
    "very": 1.0, "really": 0.6, "actually": 0.4, "basically": 0.1, "simply": 0.2,
    "quite": 0.3, "rather": 0.3, "literally": 0.05, "certainly": 0.1, "definitely": 0.08, "truly": 0.05,
    "extremely": 0.07, "absolutely": 0.08,
    "that": 10.0, "of": 27.0, "to": 24.0, "in": 18.0, "for": 8.0, "on": 6.0, "at": 4.5, "by": 5.0,
    "with": 7.0, "from": 4.0, "as": 7.5, "it": 9.0, "its": 1.8, "this": 4.5, "these": 1.0, "those": 0.8,
    "there": 2.5, "so": 2.0, "then": 1.2, "also": 1.0, "some": 1.5, "do": 2.5, "does": 0.8, "did": 1.3,
    "have": 4.5, "has": 3.0, "had": 4.5, "into": 1.5, "about": 1.8, "which": 3.0, "your": 1.5,
}
#: Tiers: 0 articles and intensifiers, 1 "that", 2 everything else droppable.  The copulas "is", "are", "was",
#: "were" are never dropped: the main verb or the auxiliary of their clause, their loss turns a sentence into a
#: noun phrase ("The output is JSON" -> "The output JSON", "my name, which is Daniel" -> "which Daniel") or
#: blurs what it says ("a wrong answer is right" -> "wrong answer right", "What is its area?" -> "What its area?")
#: ("just" is no intensifier the words pass drops: "users just want a quick answer", "you should just return the
#: JSON" restrict, as the hedges pass knows)
_TIER0 = {"the", "a", "an", "very", "really", "actually", "basically", "simply", "quite", "rather",
          "literally", "certainly", "definitely", "truly", "extremely", "absolutely"}
#: ("completely" and "totally" are not in the table: they say how much of a thing, not how strongly: "completely
#: rewrite the intro" is no "rewrite the intro" (a light edit would do), "must be totally different from the
#: source" no "must be different", "a score of 5 if it is completely correct" no "if it is correct")
_TIER1 = {"that"}

#: Never dropped (a guard on top of the droppable list).
NEVER_DROP = frozenset(
    ["not", "no", "never", "nor", "none", "nobody", "nothing", "neither", "without", "cannot", "can't", "don't", "doesn't", "didn't", "won't", "isn't", "aren't", "wasn't", "weren't", "shouldn't", "mustn't", "couldn't", "wouldn't", "only", "all", "any", "each", "every", "must", "may", "might", "should", "shall", "will", "can", "could", "would", "if", "unless", "or", "and", "but", "except", "before", "after", "than", "more", "less", "most", "least"]
)
_NUMBER_WORDS = frozenset(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion", "first", "second", "third", "half", "double", "twice", "dozen"]
)
#: 的 stays after 最近 ("前往最近的急诊": "最近急诊" reads "recent emergencies"), before 时候 (Traditional
#: 的時候, which the phrase table leaves), after 这样/那样 ("这样的中文数字"), after 了/着/过 ("喝醉了的人"), after 上/中/里
#: ("说明书上的一般剂量": not "说明书上一般剂量"), after a verb's complement 到/出/完 ("感知到的随机性": not
#: "感知到随机性", perceive randomness), after 来 ("接下来的文章": "接下来文章" is no phrase), before 同时 ("在传达意思的同时": "传达意思同时" reads "simultaneously"),
#: each in Traditional characters too (別/們/樣/標/著/過/裡/確/話: "使用別的方法" became "使用別方法", don't
#: method; "說過的話" "說過話"),
#: before a number ("最重要的2到3个问题", "字数的120%"),
#: and after a verb, where it closes a relative clause: "本助手提供的信息仅供参考" without it reads
#: "本助手提供信息" (the assistant gives information), "生成的SQL必须…" reads "generate SQL"; 十分 after
#: a numeral is a number ("二十分钟", "六十分"), 十分制 is a scale ("按十分制打分" became "按制打分"), and 非常规 /
#: 非常时期 are words of their own, as are 非常见 / 非常用 / 非常驻 (not common, not in use: "不要使用非常见的缩写"
#: became "不要使用见缩写", the negation gone; "非常用心" keeps its 非常, which costs a character and risks nothing)
#: a 非 after these closes a word of its own, so the 非常 is no "very": 并非常见 (not common), 除非常驻 (unless
#: resident), 绝非, 无非, 莫非, 若非, 而非; dropping it lost the negation or the condition (是非 and 实非 are left
#: out: "这是非常重要的", "确实非常重要" are far more common); each in Traditional characters too ("這絕非常規操作" became
#: "這絕規操作", "這無非常識" "這無識")
_ZH_FEI_BEFORE = "并绝除无莫若似而亦决既本原皆岂並絕無決豈"
_ZH_DROP = re.compile(rf"(?P<de>的)(?<=[{_CJK}]的)(?<![目有真别別是你我他她它您们們样樣标標了着著过過上中里裡裏近到出完来來]的)(?![确確话話是]|[时時]候|同[时時])"
                      rf"(?![，。！？、；：,.!?;:\n）)」”0-9]|$|{_PH})"
                      rf"|[呢吧啊呀哦](?<=[{_CJK}].)(?<![酒网贴氧]吧)(?=[，。！？,.!?\n])"
                      rf"|(?:(?<![{_ZH_FEI_BEFORE}])非常(?![规規态態任时時设設见見用驻駐])|(?<![零一二两三四五六七八九十几百千万数])十分(?![钟鐘之制]))"
                      rf"(?<=[{_CJK}]..)(?=[{_CJK}])")
#: verbs before 的 (see above): two characters, then one
_ZH_REL_VERBS2 = frozenset(
    "提供 生成 上传 输入 描述 提到 提出 提及 使用 引用 给出 返回 输出 翻译 修改 润色 选择 收到 要求 询问 提交 填写"
    " 发送 推荐 列出 检索 查询 识别 提取 得到 获得 包含 指定 定义 需要 遇到 涉及 出现 缺少 编写 撰写 创建 收集"
    " 整理 下载 保存 删除 调用 购买 选购 预订 申请 发布 上报 反馈 回答 回复 说明 介绍 讨论 分析 总结 检查 审核 确认"
    " 计算 统计 记录 附上 标注 列举 建议 推断 猜测 进行 举行 发生 解决 实施 实现 完成 采取 寻找 尝试 处理 执行".split())
_ZH_REL_VERBS1 = frozenset("写说问做给讲发找选买卖收填传看读")
#: the same verbs in Traditional characters ("使用者上傳的檔案" lost its 的 and read "the user uploads files",
#: "使用者寫的範例" "the user writes an example"): the characters of the lists above that Traditional spells
#: otherwise, plus the Taiwan spellings 回覆 / 標註
_ZH_TRAD = str.maketrans("传输给译润选择询问写发荐检识获义现编创载删调购订请报馈说绍论总结审认计统记录标举议断测进决实采寻尝处执讲买卖读"
                         "试确别讨预",
                         "傳輸給譯潤選擇詢問寫發薦檢識獲義現編創載刪調購訂請報饋說紹論總結審認計統記錄標舉議斷測進決實採尋嘗處執講買賣讀"
                         "試確別討預")
_ZH_REL_VERBS2 = _ZH_REL_VERBS2 | {v.translate(_ZH_TRAD) for v in _ZH_REL_VERBS2} | {"回覆", "回復", "標註", "發佈"}
_ZH_REL_VERBS1 = _ZH_REL_VERBS1 | {v.translate(_ZH_TRAD) for v in _ZH_REL_VERBS1}


#: a clause before 的 holding one of these is a relative clause whatever its verb: "让小朋友害怕的情节" (not
#: "害怕情节", fear the plot), "被删除的文件", "可以复用的逻辑" (not "可以复用逻辑", can reuse logic); a modal
#: ("可能包含机密的文件": not "可能包含机密文件", may contain secret files), an aspect 了 ("加了前缀的关键词"; not
#: 为了/除了/了解), the coverb 给 ("派蒙给对方起的绰号": "给对方起绰号" is giving one), a 且 between predicates
#: ("高效且准确的语句"), a question word ("应如何的示例"), a negation ("不是工具结果的所有消息": "列出不是工具结果所有
#: 消息" lost what the 不 negates; "不支持的输入", "与客户无关的规则"; not 不同/不断/不仅/不但/无论, nor the
#: negated command of the whole sentence, 不要/不用/不得/不能/不可/没有: "不要改变文章的意思"), and the verbs
#: that take an object here ("带有 -i 标志的命令", "符合规范的SQL语句", "已经有基本想法的用户"; not 所有/没有; "括号中带
#: 订单的数据" became "带订单数据", carry order data; "没有适合的API" "适合API"), a bare modal 能 / 能够 ("转接能提供准确
#: 信息的人工客服" became "能提供准确信息人工客服"; not 功能/智能/能力..., nor 不能/只能, the sentence's own), and 关于
#: ("一篇关于人工智能的文章"): without the 的 the clause reads as the sentence's own verb and object
_ZH_REL_MARK = re.compile("让|讓|被|可以|能够|能夠|可能|应该|應該|如何|怎么|怎麼|怎样|怎樣|且|给(?![予出])|給(?![予出])"
                          "|(?<![为為除])了(?![解如])|不(?![同断斷仅僅但要用得能可])|[没沒](?!有)|未|[无無](?![论論])"
                          "|(?<![所没沒])有|[带帶]|具有|拥有|擁有|符合|满足|滿足|擅长|擅長|精通|乐于|樂於|适合|適合"
                          "|关于|關於|(?<![功智性技才本潜潛效职職体體动動全万萬可不只])能(?![力源量])|(?<!足)[够夠]")
_ZH_BEFORE_AFTER = frozenset("前后後")
_ZH_TIME_WORDS = frozenset("目前 当前 當前 最后 最後 此前 先前 前后 前後".split())
_ZH_CLAUSE_START = re.compile(r"[，。、；：！？,.;:!?\n（(“「]")


def _zh_clause_back(s: str, i: int, units: int) -> int:
    """Where the ``units`` characters before ``s[i]`` start, an ASCII word or number counting as one
    character and a blank as none (so a Latin name does not push the clause's verb out of sight)."""
    j = i
    while j > 0 and units > 0:
        j -= 1
        c = s[j]
        if c in " \t":
            continue
        if c.isascii() and c.isalnum():
            while j > 0 and s[j - 1].isascii() and (s[j - 1].isalnum() or s[j - 1] in "-_."):
                j -= 1
        units -= 1
    return j


#: a condition or a limit the clause of a 非常 / 十分 sets (before it, or 时 / 的话 closing it): there the degree
#: is the bar, not emphasis: "如果客户情绪非常差，则考虑进行赔偿" lost its 非常 and offered the (costly) refund to
#: every unhappy customer; "用户非常生气时转人工", "只引用非常相关的文档" alike (当 / 只 inside a word such as 相当
#: or 只是 keeps a 非常 it could drop: a character, no meaning; a 时 closing 及时 / 同时 / 实时... is no "when")
_ZH_DEGREE_BAR_BEFORE = re.compile("如果|假如|假若|若|要是|倘若|一旦|只有|只要|除非|[当當]|万一|萬一|凡是|仅|僅|只")
_ZH_DEGREE_BAR_AFTER = re.compile(r"[^，。；：！？,.;:!?\n]{0,15}?(?:(?<![及同准準按实實随隨暂暫临臨适適定])[时時]候?|的[话話])"
                                  r"(?=[，。；：！？,.;:!?\n]|$)")


def _zh_degree_is_bar(s: str, i: int, end: int) -> bool:
    """Does the 非常 / 十分 at ``s[i:end]`` sit in a condition or limit (see :data:`_ZH_DEGREE_BAR_BEFORE`)?"""
    clause = s[_zh_clause_back(s, i, 12):i]
    last = None
    for last in _ZH_CLAUSE_START.finditer(clause):
        pass
    return (_ZH_DEGREE_BAR_BEFORE.search(clause, last.end() if last else 0) is not None
            or _ZH_DEGREE_BAR_AFTER.match(s, end) is not None)


def _zh_drop_word(m: re.Match[str]) -> str:
    if _zh_in_script(m.string, m.start()):
        return m.group()  # (a script is said as written, its particles are its tone: "开场白：你好呀，我是小美呢！")
    if m.group() in ("非常", "十分") and _zh_degree_is_bar(m.string, m.start(), m.end()):
        return m.group()
    if m.group("de"):
        s, i = m.string, m.start()
        if s[i - 2:i] in _ZH_REL_VERBS2 or s[i - 1] in _ZH_REL_VERBS1:
            return m.group()
        # after a time or place word 前/后 the 的 closes a phrase: "你以前的操作" ("你以前操作": you operated
        # before), "之后的回复", "修改后的代码" (but "目前的状态", "最后的结果" are a plain word and its 的)
        if s[i - 1] in _ZH_BEFORE_AFTER and s[i - 2:i] not in _ZH_TIME_WORDS:
            return m.group()
        # (the clause just before it: back to the last punctuation mark, at most 7 characters, a run of ASCII
        # letters or digits counting as one and blanks as none: "带有 -i 标志", "符合MySQL 8规范"; a 可以 further
        # back is the modal of the whole clause: "可以为讲故事环节选择特定主题")
        clause = s[_zh_clause_back(s, i, 7):i]
        last = None
        for last in _ZH_CLAUSE_START.finditer(clause):
            pass
        if _ZH_REL_MARK.search(clause, last.end() if last else 0):
            return m.group()
    return ""


_WORD_COUNT = re.compile(r"\w+")
_DO_FORMS = frozenset({"do", "does", "did"})
_ARTICLES = frozenset({"the", "a", "an"})
_NEGATION_AFTER = re.compile(r"[ \t]+(?:not|never)\b")
#: the intensifiers (and their commas) just before a word: "not really, really" -> "not"
_INTENSIFIER_TAIL = re.compile(
    r"(?:\b(?:very|really|actually|basically|simply|just|quite|rather|literally|certainly|definitely|truly"
    r"|extremely|totally|completely|absolutely),?[ \t]*)+$", re.IGNORECASE)
#: the last link of that chain alone: the chain matches only where this matches
_INTENSIFIER_LAST = re.compile(_INTENSIFIER_TAIL.pattern.removeprefix("(?:").removesuffix(")+$") + "$", re.IGNORECASE)


def _negation_before(text: str, line_start: int, start: int, memo: dict[int, bool] | None = None) -> bool:
    """``_search_end(_NEGATION_BEFORE, _strip_intensifiers(text[line_start:start]))`` without
    copying the line: searched in ``text`` between the two (``endpos`` is the end for ``$``; at
    the line start ``\b`` sees the newline as it sees the start of a string)."""
    cut = start
    visited = []
    while True:  # strip the chain of intensifiers link by link, from its end (each search near ``cut``:
        if memo is not None and cut in memo:  # copying and scanning the line for every word was
            found = memo[cut]  # quadratic on a long line; ``memo``: the answer from each link start
            break  # seen, as the words of "very very ... very" share their chain)
        visited.append(cut)
        end = cut
        while end > line_start and text[end - 1] in " \t\n":
            end -= 1
        pos = max(line_start, end - _END_WINDOW)
        m = _INTENSIFIER_LAST.search(text, pos, cut)
        if m is None:
            found = _NEGATION_BEFORE.search(text, pos, cut) is not None
            break
        cut = m.start()
    if memo is not None:
        memo.update(dict.fromkeys(visited, found))
    return found


#: text bytes -> b"w" for a word character (\w on ASCII), b" " for any other
_ASCII_WORD_TABLE = bytes(ord("w") if chr(i).isalnum() or i == ord("_") else ord(" ") for i in range(128)) + b" " * 128


def _count_words(low: str) -> int:
    """``len(_WORD_COUNT.findall(low))``: on ASCII text, the starts of runs of word characters."""
    if not low.isascii():
        return _WORD_COUNT.subn("", low)[1]  # (the number of words, without a list of them)
    marks = low.encode("ascii").translate(_ASCII_WORD_TABLE)
    return marks.count(b" w") + marks.startswith(b"w")


def _last_char(text: str, i: int, lo: int = 0) -> str:
    """The last non-blank character of ``text[lo:i]`` (``text[lo:i].rstrip()[-1:]`` without the copy)."""
    while i > lo and text[i - 1].isspace():
        i -= 1
    return text[i - 1] if i > lo else ""


def _strip_intensifiers(before: str) -> str:
    """``_INTENSIFIER_TAIL.sub("", before)``, scanning the whole line only when its end is an intensifier."""
    return _INTENSIFIER_TAIL.sub("", before) if _search_end(_INTENSIFIER_LAST, before) else before


#: "that" is dropped only before a subject ("note that you", "the text that the user provides")
_THAT_NEXT = ("you ", "we ", "they ", "i ", "he ", "she ", "it ", "this ", "these ", "those ",
              "your ", "our ", "their ", "my ", "his ", "her ", "its ", "users ", "customers ")
#: words after which "a" is part of a quantity or an idiom: "a few" (some) is not "few" (hardly any), "a little
#: playful" not "little playful"; "a lot", "a bit", "a couple of", "for a while"; "at a time", "twice a day"; "a la"
#: (à la, "in the manner of") is no article: "pass it via a HEREDOC, a la this example" lost half the phrase
_A_KEEP_NEXT = frozenset(["few", "little", "lot", "lots", "bit", "couple", "handful", "while", "time", "day", "week",
                          "month", "year", "hour", "minute", "second", "night", "la"])
#: words before "the time" that make it an idiom of time, not a noun phrase: "all the time" (constantly) is not
#: "all time" (ever), "by the time you reply" / "from the time it started" / "at the time" need the article
_THE_TIME_AFTER = frozenset(["all", "at", "by", "from", "of", "for", "since", "until", "till", "during"])
_COMPARATIVES = frozenset({"more", "less", "fewer", "better", "worse", "sooner", "later", "longer", "shorter", "higher",
                           "lower", "bigger", "smaller", "faster", "slower", "earlier", "simpler"})


def _tier(word: str) -> int:
    return 0 if word in _TIER0 else 1 if word in _TIER1 else 2


#: the tiers the words pass drops: articles and intensifiers (0), "that" (1); tier 2
#: (prepositions, pronouns...) is scored but never dropped: "At least" must not become "Least"
_WORDS_DROPPED = 1


def _drop_regex(max_tier: int) -> re.Pattern[str]:
    """The droppable words of tiers <= ``max_tier`` (whole words, see :func:`_trie_pattern`).

    The look-behind (not after a word character or apostrophe, i.e. :func:`_is_word`) finds
    exactly the matches a plain word alternation would after filtering: a match it skips is
    inside a word, so it never hides one that starts a word."""
    words = sorted((w for w in _DROPPABLE_FREQ if _tier(w) <= max_tier), key=len, reverse=True)
    return re.compile(rf"(?<![\w'’]){_trie_pattern(words)}\b")


_DROP_RES = {t: _drop_regex(t) for t in (0, 1, 2)}
_TIER_OF = {w: _tier(w) for w in _DROPPABLE_FREQ}


def word_scores(text: str, max_tier: int = 2) -> list[tuple[int, int, float, int]]:
    """Score every droppable word of ``text``: (start, end, information bits, tier).

    A word is droppable only if it is in the function-word table
    (:data:`_DROPPABLE_FREQ`, tier <= ``max_tier``), not capitalised
    mid-sentence (treated as part of a name), not the first word of a line, not
    in a table row, and never in :data:`NEVER_DROP` or a number.  Its
    information is the mean of ``-log2`` of its general-English frequency
    share and ``-log2`` of its share of this text's words (a word used once
    carries more than one used 50 times); lower scores are dropped first.
    """
    low = text.lower()
    if len(low) != len(text):
        return []
    total = max(1, _count_words(low))
    found = list(_DROP_RES[max_tier].finditer(low))
    counts = Counter(map(re.Match.group, found))
    # the score of a word depends on the word only: computed once per distinct word
    scores = {w: round(0.5 * -math.log2(_DROPPABLE_FREQ[w] / 1000.0) + 0.5 * -math.log2(c / total), 3)
              for w, c in counts.items()}
    out = []
    negation_memo: dict[int, bool] = {}
    line_start = first = -1  # the line of the last match and its first non-blank character
    for m in found:
        start, end = m.span()
        word, low_word = text[start:end], m.group()
        if low_word in NEVER_DROP or low_word in _NUMBER_WORDS:
            continue
        ls = _line_of(text, start)[0]
        if ls != line_start:  # a new line: where its text starts (a word's first letter at the latest)
            line_start = ls
            head = text[ls:start]
            first = ls + len(head) - len(head.lstrip())
        if first >= start or text[first] == "|":
            continue  # the first word of a line (labels, list items) and table cells
        if word != low_word and (word == "A" or _last_char(text, start) not in ".!?" or word.isupper()):
            continue  # capitalised mid-sentence: part of a name ("The Hague", "A Tale of..."); "DO": emphasis
        if low_word in _DO_FORMS and _NEGATION_AFTER.match(low, end):
            continue  # "do not" / "does never": the negation needs its verb
        tier = _TIER_OF[low_word]
        if tier == 0 and low_word not in _ARTICLES:
            if _negation_before(text, line_start, start, negation_memo):
                continue  # "not really a bug" is not "not a bug" (nor is "not really, really bad")
            nxt = _NEXT_WORD.match(low, end)
            if nxt is not None and nxt.group().strip() in _HEDGE_KEEP_NEXT.get(low_word, ()):
                continue  # "very much", "quite a few", "just the name"
            if (low_word in _DEGREE_WORDS or low_word == "really") and nxt is not None \
                    and _graded_elsewhere(text, low_word, nxt.group().strip()):
                continue  # "Score 4: mostly relevant. Score 5: very relevant": the degree is the level
            if low_word in _DEGREE_WORDS and _negated_clause(text, line_start, start):
                continue  # "NEVER generate an extremely long hash": the degree bounds what is forbidden
                # ("never generate long hash" forbids every long one)
            if low_word in _DEGREE_WORDS and _conditional_clause(text, line_start, start):
                continue  # "Only escalate when the user is very angry": the degree is the threshold
                # ("when user is angry" escalates every angry user)
        if (start > 0 and text[start - 1] not in " \t") or (end < len(text) and text[end] not in " \t\n.,;:!?"):
            continue  # "mul(a,b)", "[the]", "a/b": a word glued to code-like punctuation is not prose
        if low_word in _ARTICLES and low[max(line_start, start - 7):start].endswith((" that ", " which ")):
            continue  # "one that a child would understand": without the article "that" reads as "that child"
        if low_word in _ARTICLES and _after_a_name(text, first, start):
            continue  # "Apple the company vs. apple the fruit", "Alexander the Great", "tell Bob the answer":
            # without it the name and the noun read as one ("Apple company", "Bob answer")
        if low_word in _ARTICLES:
            nxt = _NEXT_WORD.match(text, end)
            if nxt is not None:
                nw = nxt.group().strip()
                if word != low_word and nw[:1].isupper():
                    continue  # a sentence-initial "The" before a capital: part of a name ("The Hague", "The Beatles")
                if low_word == "the" and nw.lower() in _COMPARATIVES:
                    continue  # "the more, the better": the article makes the correlative
                if low_word != "the" and nw.lower() in _A_KEEP_NEXT:
                    continue  # "a few minutes" is not "few minutes", "a little playful" not "little playful"
                if low_word == "the" and nw.lower() == "time" and _prev_word(low, start) in _THE_TIME_AFTER:
                    continue  # "apologizing all the time" is not "all time"; "from the time it diverged"
                if low_word == "the" and nw.lower() in ("way", "one", "ones", "same"):
                    continue  # "Say numbers the way a person would" ("way person would" is no sentence); "is the one to
                    # use" names a single answer, "is one to use" one of several; "isn't same as" is no English
        if low_word == "that" and not low.startswith(_THAT_NEXT, end + 1):
            continue  # "clauses that aren't in the text": a subject relative pronoun carries the clause
        if low_word == "that" and _prev_word(low, start) in _THAT_ADJECTIVES:
            continue  # "It is important that users feel heard": "important users" would be a noun phrase
        if low_word == "that" and _prev_word(low, start) in ("and", "or", "but"):
            continue  # "explain that X and that you cannot advise": the second that-clause is still what to explain
        out.append((start, end, scores[low_word], tier))
    return out


#: a negation earlier in a clause: a degree word after it narrows what the clause forbids
_CLAUSE_NEGATION = re.compile(r"(?<![\w'’])(?:not|never|no|nor|without|avoid|\w+n['’]t)(?![\w'’])", re.IGNORECASE)
#: words that open a clause of its own after a negated one ("Do not send it unless it is very clearly a draft":
#: the degree word is the condition's, not the prohibition's)
_CLAUSE_OPENING = re.compile(r"(?<![\w'’])(?:unless|if|when|whenever|while|because|since|although|though|but)(?![\w'’])",
                             re.IGNORECASE)
#: how far back a clause is looked at for its negation
_CLAUSE_WINDOW = 120


def _clause_start(text: str, line_start: int, i: int, window: int = _CLAUSE_WINDOW) -> int:
    """Where the clause holding ``text[i]`` starts: after the last . , ; : ! ? before it, or at the line
    start, at most ``window`` characters back."""
    lo = max(line_start, i - window)
    return max(lo, *(text.rfind(c, lo, i) + 1 for c in ".,;:!?"))


def _negated_clause(text: str, line_start: int, start: int) -> bool:
    """Is there a negation between the start of the clause holding ``start`` (:func:`_clause_start`, or
    a later word of ``_CLAUSE_OPENING``) and ``start``?"""
    lo = _clause_start(text, line_start, start)
    for m in _CLAUSE_OPENING.finditer(text, lo, start):
        lo = m.end()
    return _CLAUSE_NEGATION.search(text, lo, start) is not None


#: words that make a clause a condition: a degree word in it sets the threshold
_CONDITION_OPENING = re.compile(r"(?<![\w'’])(?:if|when|whenever|unless|until|once|only|provided|as long as)(?![\w'’])",
                                re.IGNORECASE)


def _conditional_clause(text: str, line_start: int, start: int) -> bool:
    """Is the clause holding ``start`` a condition: does a word of ``_CONDITION_OPENING`` come between its
    start (:func:`_clause_start`) and ``start``?"""
    return _CONDITION_OPENING.search(text, _clause_start(text, line_start, start), start) is not None


_NAME_BEFORE = re.compile(r"(?<![\w'’])[A-Z][a-z][\w'’-]*[ \t]+$")


def _after_a_name(text: str, first: int, start: int) -> bool:
    """Is the word before ``start`` a capitalised word (a name, not an all-caps emphasis) that does
    not start its sentence (``first``: the line's first non-blank character)?"""
    m = _NAME_BEFORE.search(text, max(first, start - 40), start)
    return m is not None and m.start() > first and _last_char(text, m.start(), first) not in ".!?:;"


def _drop_spans(text: str, drops: list[tuple[int, int, int]]) -> str:
    """Remove the dropped words, each with one adjacent space.  An intensifier
    followed by a comma ("really, really", "it, really, works") takes its comma
    along, so no orphaned ", ," or "must, follow" is left; a capitalised word
    that started a sentence passes its capital on ("Really, do it." -> "Do it.")."""
    pieces: list[str] = []
    pos = 0
    n = len(text)
    for s, e, tier in drops:
        if tier == 0 and e < n and text[e] == ",":
            e += 1
            while e < n and text[e] in " \t":
                e += 1
        elif e < n and text[e] == " ":
            e += 1
        elif s > 0 and text[s - 1] == " ":
            s -= 1
        if s < pos:
            continue
        pieces.append(text[pos:s])
        if text[s:s + 1].isupper() and e < n and text[e].islower():
            pieces.append(text[e].upper())
            e += 1
        pos = e
    pieces.append(text[pos:])
    return "".join(pieces)


def pass_words(text: str, ctx: PassContext) -> str:
    if ctx.en():
        drops = [(s, e, tier) for s, e, _bits, tier in word_scores(text, _WORDS_DROPPED)]
        if drops:
            text = _fix_articles(text, _drop_spans(text, drops))
    if ctx.zh() and _has_cjk(text):
        text = _ZH_DROP.sub(_zh_drop_word, text)
    return text


# --------------------------------------------------------------------------- #
# Registry
# --------------------------------------------------------------------------- #

#: name -> (function, lowest level where it runs); "fewshot" runs when max_examples is set.
PASSES: dict[str, tuple[PassFn, str]] = {
    "whitespace": (pass_whitespace, "safe"),
    "json": (pass_json, "safe"),
    "markdown": (pass_markdown, "balanced"),
    "fewshot": (pass_fewshot, "safe"),
    # the rewording passes leave labelled few-shot / dialogue data lines, and the lines under an example title
    # ("Example reply:"), as written
    "filler": (_keep_data_lines(pass_filler), "balanced"),
    "hedges": (_keep_data_lines(pass_hedges), "balanced"),
    "phrases": (_keep_data_lines(pass_phrases), "balanced"),
    "dedupe": (pass_dedupe, "safe"),
    "words": (_keep_data_lines(pass_words), "aggressive"),
}
PASS_NAMES = tuple(PASSES)


def passes_for(level: str, max_examples: int | None) -> list[str]:
    """The passes a level runs, in pipeline order."""
    names = []
    for name, (_fn, lowest) in PASSES.items():
        if name == "fewshot":
            if max_examples is not None:
                names.append(name)
        elif LEVELS.index(level) >= LEVELS.index(lowest):
            names.append(name)
    return names
