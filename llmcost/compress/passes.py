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
                           "I would like you to", "Thank you!", 请, 麻烦你, 您好,
                           请问, 一下 ... removed where the instruction stays intact
``phrases``     balanced   verbose -> concise phrase table (:data:`PHRASES_EN`,
                           :data:`PHRASES_ZH`), case of the first letter kept
``dedupe``      safe       repeated paragraphs and lines (safe), repeated sentences
                           (balanced); only units of 8+ words / 20+ CJK chars,
                           never labelled lines ("A: ...") or table rows
``words``       aggressive low-information words dropped by score (see
                           :func:`word_scores`); never negations, numbers, named
                           entities, modals or logical connectives
==============  =========  ======================================================
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .protect import PLACEHOLDER_RE, Masked, placeholder_index

LEVELS = ("safe", "balanced", "aggressive")
_PH = "[\U000F0000-\U000FFFFD][\U00100000-\U0010FFFD]"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")


@dataclass
class PassContext:
    """What a pass may need besides the text."""

    masked: Masked
    level: str = "balanced"
    lang: str | None = None  # "en", "zh" or None (both)
    max_examples: int | None = None
    word_tier: int = 1  # words pass: drop words of score tier <= this
    dropped: set[int] = field(default_factory=set)  # placeholder ids removed on purpose (fewshot)
    notes: list[str] = field(default_factory=list)

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
_SENT_SPLIT = re.compile(r"(?<=[.!?。！？])(?:\s+|(?=[^\s.!?。！？\"'”’)\]]))")
_WORDISH = re.compile(rf"{_PH}|[^\W\d_]+(?:'[^\W\d_]+)?|\d+")
_LABEL_LINE = re.compile(r"^\s*(?:[-*+]\s+)?[\w\u4e00-\u9fff ]{1,20}\s*[:：]")


def _is_substantial(unit: str) -> bool:
    """A unit long enough that repeating it is redundancy, not structure."""
    words = len(_WORDISH.findall(unit))
    return words >= 8 or len(_CJK_RE.findall(unit)) >= 20


def _norm(unit: str) -> str:
    return " ".join(unit.split()).casefold()


def _cap_first(s: str) -> str:
    for i, ch in enumerate(s):
        if ch.isalpha():
            return s[:i] + ch.upper() + s[i + 1:]
        if not ch.isspace() and ch not in "\"'*_(":
            return s
    return s


def _match_case(src: str, repl: str) -> str:
    if src[:1].isupper() and repl:
        return repl[0].upper() + repl[1:]
    return repl


# --------------------------------------------------------------------------- #
# whitespace
# --------------------------------------------------------------------------- #

_INDENT_RE = re.compile(r"(?m)^( *)\S")


def _inner_ws(m: re.Match[str]) -> str:
    s, i = m.string, m.start()
    if i == 0 or s[i - 1] in " \t\n":
        return m.group()  # indentation, not a run inside a line
    line_start = s.rfind("\n", 0, i) + 1
    lead = len(s[line_start:i]) - len(s[line_start:i].lstrip(" \t"))
    if lead and len(s[line_start:line_start + lead].expandtabs(4)) >= 4:
        return m.group()  # an indented code line: spacing may matter
    return " "


def pass_whitespace(text: str, ctx: PassContext) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0]+(?=\n)", "", text).rstrip()
    # remove a common indentation (all lines, or all but an unindented first line)
    first_nl = text.find("\n")
    skip_first = first_nl != -1 and text[:1] not in (" ", "\t", "\n")
    body = text[first_nl + 1:] if skip_first else text
    indents = [len(x) for x in _INDENT_RE.findall(body)]
    indent = min(indents) if indents else 0
    if indent:
        body = re.sub(rf"(?m)^ {{{indent}}}", "", body)
        text = text[: first_nl + 1] + body if skip_first else body
    text = re.sub(r"[ \t\u00a0]{2,}(?=\S)|\t(?=\S)", _inner_ws, text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


# --------------------------------------------------------------------------- #
# json
# --------------------------------------------------------------------------- #

_JSON_START = re.compile(r"[\[{](?=[ \t]*\n|[ \t]*[\"\U000F0000-\U000FFFFD\[{\]}0-9-])")


def _json_can_start(s: str, i: int) -> bool:
    line_start = s.rfind("\n", 0, i) + 1
    before = s[line_start:i]
    return not before.strip() or before.endswith((": ", "= ", "： ", ":", "="))


def _bracket_end(text: str, start: int) -> int | None:
    depth = 0
    for i in range(start, min(len(text), start + 200_000)):
        ch = text[i]
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == '"' and i + 1 < len(text) and text[i + 1] != '"' and text[i - 1] != '"':
            return None  # a string that is not a protected span: leave it alone
    return None


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
    for m in _JSON_START.finditer(text):
        start = m.start()
        if start < pos or not _json_can_start(text, start):
            continue
        end = _bracket_end(text, start)
        if end is None:
            continue
        region = text[start:end]
        if not re.search(r"\s", region):
            continue
        probe = PLACEHOLDER_RE.sub('"x"', region)
        try:
            value = json.loads(probe)
        except ValueError:
            continue
        if not isinstance(value, (dict, list)) or not _only_placeholder_strings(value):
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

_BOLD = re.compile(r"(\*\*|__)(?=[^\s*_])([^\n]*?[^\s*_])\1")
_ITALIC = re.compile(r"\*(?<![\w*\\]\*)(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])")
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


def pass_markdown(text: str, ctx: PassContext) -> str:
    text = _BOLD.sub(r"\2", text)
    text = _ITALIC.sub(r"\1", text)
    text = _HEADING_CLOSE.sub(r"\1", text)
    # horizontal rules, but never a leading YAML front-matter fence
    front = ""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            front, text = text[: end + 4], text[end + 4:]
    # a rule after a text line would be a setext heading underline: keep those
    text = _RULE.sub(lambda m: "" if m.start() < 2 or m.string[m.start() - 2:m.start()] == "\n\n" else m.group(), text)
    text = _TABLE_SEP.sub(_tidy_table_sep, text)
    text = _TABLE_CELL_PAD.sub(_tidy_table_row, text)
    text = re.sub(r"\n{3,}", "\n\n", front + text)
    return text.strip("\n") if not front else text


# --------------------------------------------------------------------------- #
# dedupe
# --------------------------------------------------------------------------- #


def pass_dedupe(text: str, ctx: PassContext) -> str:
    sentences = ctx.level_at_least("balanced")
    parts = _PARA_SPLIT.split(text)
    seen_paras: set[str] = set()
    seen_units: set[str] = set()
    kept: list[str] = []
    for i in range(0, len(parts), 2):
        para = parts[i]
        key = _norm(para)
        if key and key in seen_paras and _is_substantial(para):
            continue  # an exact repeat of an earlier paragraph
        seen_paras.add(key)
        lines_out: list[str] = []
        for line in para.split("\n"):
            stripped = line.strip()
            structural = not stripped or stripped.startswith("|") or _LABEL_LINE.match(line) is not None
            lkey = _norm(line)
            if not structural and lkey in seen_units and _is_substantial(line):
                continue
            if sentences and not structural:
                line = _dedupe_sentences(line, seen_units)
                if not line.strip():
                    continue
            if not structural:
                seen_units.add(lkey)
            lines_out.append(line)
        if lines_out:
            if kept:
                kept.append(parts[i - 1])
            kept.append("\n".join(lines_out))
    return "".join(kept)


def _dedupe_sentences(line: str, seen: set[str]) -> str:
    inner = line.rstrip()[:-1]
    if not any(p in inner for p in ".!?。！？"):
        return line  # one sentence: the line check covers it
    bounds = [m.end() for m in _SENT_SPLIT.finditer(line)]
    starts = [0, *bounds]
    ends = [*bounds, len(line)]
    out: list[str] = []
    dropped = False
    for st, en in zip(starts, ends):
        piece = line[st:en]
        key = _norm(piece)
        if key and key in seen and _is_substantial(piece):
            dropped = True
            continue
        seen.add(key)
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
        m = _EX_Q.match(para)
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
    if not counts:
        return text
    marker, n = counts.most_common(1)[0]
    if n < 2:
        return text
    examples = [k for k, mk in enumerate(markers) if mk == marker]
    live = {k for k in examples if any(_live(paras[i], ctx.masked) for i in range(len(paras)) if owner[i] == k)}
    dropped_examples = {k for k in examples if k not in live}
    keep = set(sorted(dropped_examples)[: ctx.max_examples])
    drop = dropped_examples - keep
    if not drop:
        return text
    kept_paras = [p for i, p in enumerate(paras) if owner[i] not in drop]
    removed = [p for i, p in enumerate(paras) if owner[i] in drop]
    kept_ids = ctx.masked.used("\n".join(kept_paras))
    ctx.dropped |= ctx.masked.used("\n".join(removed)) - kept_ids
    ctx.notes.append(f"fewshot: kept {len(keep) + len(live)} of {len(examples)} examples")
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
    before = s[line_start:i]
    if not before.strip() or _LIST_MARK.fullmatch(before):
        return True
    stripped = before.rstrip(" \t")
    return len(stripped) < len(before) and stripped[-1] in ".!?:;"


def _prev_word_char(s: str, i: int) -> bool:
    return i > 0 and (s[i - 1].isalnum() or s[i - 1] in "_'’")


def _fix_to(rest: str) -> str:
    # "read X and to analyse Y" -> "read X and analyse Y"
    return re.sub(r"\b(and|or|then) to (?=[a-z])", r"\1 ", rest)


SubFn = Callable[[re.Match[str], str], str]


def _sub_on(rx: re.Pattern[str], text: str, fn: SubFn, *, lower: bool = False) -> str:
    """``rx.sub`` where ``fn(match, text)`` gets the original text.

    With ``lower`` the (lowercase, case-sensitive) pattern runs on
    ``text.lower()``: far faster than ``re.I``, whose alternations defeat the
    regex engine's skip-ahead.  Positions are shared because lowering is
    checked to keep the length.
    """
    hay = text
    if lower:
        hay = text.lower()
        if len(hay) != len(text):  # a rare character whose lowercase is longer
            return re.compile(rx.pattern, re.IGNORECASE).sub(lambda m: fn(m, text), text)
    out: list[str] = []
    pos = 0
    for m in rx.finditer(hay):
        out.append(text[pos:m.start()])
        out.append(fn(m, text))
        pos = m.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _g(m: re.Match[str], s: str, name: str | int = 0) -> str:
    start, end = m.span(name)
    return s[start:end] if start >= 0 else ""


def _drop_prefix(m: re.Match[str], s: str) -> str:
    if not _at_sentence_start(s, m.start()):
        return s[m.start():m.end()]
    return _cap_first(_fix_to(_g(m, s, "rest")))


def _drop_modal(m: re.Match[str], s: str) -> str:
    """"you should X" -> "X"; "you should not X" -> "don't X"; "you should never X" -> "never X"."""
    i = m.start()
    after_comma = s[max(0, i - 2):i] == ", "
    if not after_comma and not _at_sentence_start(s, i):
        return s[m.start():m.end()]
    rest = _g(m, s, "rest")
    neg = re.match(r"(not|never)\b ?", rest)
    if neg is not None:
        rest = ("don't " if neg.group(1) == "not" else "never ") + rest[neg.end():]
    rest = _fix_to(rest)
    return rest if after_comma else _cap_first(rest)


def _question_to_imperative(m: re.Match[str], s: str) -> str:
    if not _at_sentence_start(s, m.start()):
        return s[m.start():m.end()]
    return _cap_first(_g(m, s, "body").strip()) + "."


def _after_connective(m: re.Match[str], s: str) -> str:
    before = s[max(0, m.start() - 6):m.start()].lower()
    return "" if re.search(r"(?:\b(?:and|then|so|but|also) |, )$", before) else s[m.start():m.end()]


def _mid_would_like(m: re.Match[str], s: str) -> str:
    before = s[max(0, m.start() - 5):m.start()].lower()
    return "" if re.search(r"(?:\band|,) $", before) else s[m.start():m.end()]


def _drop_if_sentence(m: re.Match[str], s: str) -> str:
    i = m.start()
    line_start = s.rfind("\n", 0, i) + 1
    before = s[line_start:i].rstrip(" \t")
    return "" if not before or before[-1] in ".!?" else s[m.start():m.end()]


def _drop_hedge(m: re.Match[str], s: str) -> str:
    word = s[m.start():m.end()]
    if m.group("next") is not None:
        return m.group("next").upper() if _at_sentence_start(s, m.start()) else word
    return word if _prev_word_char(s, m.start()) else ""


# Each pattern starts with its keyword (so the regex engine can skip ahead);
# the sentence-start context is checked in Python for the few matches.
# (pattern, callback, run on the lowercased text)
_EN_FILLER: list[tuple[re.Pattern[str], SubFn, bool]] = [
    # whole-sentence pleasantries: "Thank you!", "Hi there!", "I hope this helps."
    (re.compile(r"(?:Thank you|Thanks|I hope (?:this|that) (?:helps|makes sense)|Hi|Hello|Hey|Good luck|I hope you are(?: doing)? well"
                r"|Have a (?:nice|great|good) day)(?<=[a-z])(?: there)?(?: (?:so|very) much)?(?: in advance)?"
                r"(?: for your (?:help|time|assistance|cooperation))?[ \t]*[.!]+(?:[ \t]*(?:😊|🙂|🙏))?(?=[ \t]*(?:\n|$|[A-Z]))"),
     _drop_if_sentence, False),
    # "Could you please summarise the text?" -> "Summarise the text."
    (re.compile(r"(?:could|can|would|will) you(?: please| kindly)?[ \t]+(?P<body>[^.!?\n]+)\?"), _question_to_imperative, True),
    # "I would like you to act as ..." / "Please answer" -> "Act as ..." / "Answer"
    (re.compile(r"(?:i would like you to|i'd like you to|i want you to|i need you to|i would like to ask you to"
                r"|i'd appreciate it if you could|i would appreciate it if you could"
                r"|it would be (?:great|helpful|nice|wonderful|appreciated) if you could"
                r"|please kindly|kindly|please),?[ \t]+(?:try to[ \t]+|make sure (?:that )?you[ \t]+)?(?P<rest>[a-z][^.!?\n]*)"),
     _drop_prefix, True),
    # "Try to keep it short" / "Make sure that you cite" -> imperative
    (re.compile(r"(?:try to|make sure (?:that )?you|ensure that you)[ \t]+(?P<rest>[a-z][^.!?\n]*)"), _drop_prefix, True),
    # "..., and I would like you to turn them" -> "..., and turn them"
    (re.compile(r"i (?:would|'d) like you to (?=[a-z])"), _mid_would_like, True),
    # "You should ask" / "..., you need to check" -> imperative (negation kept as "don't"/"never")
    (re.compile(r"you (?:should|need to|will need to|have to)[ \t]+(?P<rest>[a-z][^.!?\n]*)"), _drop_modal, True),
    # ", please." / " please" at the end of a sentence
    (re.compile(r"[ \t,][ \t]*please(?=[.!?])"), lambda m, s: "", True),
    # "... and please check" -> "... and check"
    (re.compile(r"please (?=[a-z])"), _after_connective, True),
    # hedges: "Actually, ...", "really", "basically"
    (re.compile(r"(?:Actually|Basically|Honestly|Really),[ \t]+(?P<next>\w)|(?:actually|basically|really|literally|truly)[ \t]+(?=[a-z])"),
     _drop_hedge, False),
]


def _zh_start(s: str, i: int) -> bool:
    if i == 0 or s[i - 1] in "。！？；：，,\n":
        return True
    line_start = s.rfind("\n", 0, i) + 1
    before = s[line_start:i]
    stripped = before.rstrip(" \t")
    return (not stripped or _LIST_MARK.fullmatch(before) is not None
            or (len(stripped) < len(before) and stripped[-1] in ".!?;:"))


def _zh_drop(m: re.Match[str], s: str) -> str:
    return "" if _zh_start(s, m.start()) else m.group()


def _zh_question(m: re.Match[str], s: str) -> str:
    return m.group("body") + "。" if _zh_start(s, m.start()) else m.group()


def _zh_thanks(m: re.Match[str], s: str) -> str:
    i = m.start()
    return "" if i == 0 or s[i - 1] in "。！？!?\n" else m.group()


_ZH_FILLER: list[tuple[re.Pattern[str], SubFn]] = [
    (re.compile(r"(?:您好|你好|哈喽|嗨)[，,！!。~～]?"), _zh_drop),
    (re.compile(r"(?:非常感谢|非常谢谢|十分感谢|感谢|谢谢)(?:你|您)?(?:的(?:帮助|配合|耐心))?[！!。.~～]+"), _zh_thanks),
    (re.compile(r"麻烦(?:你|您)(?:帮我|帮忙)?|请问|(?:能否|能不能|可以)请(?:你|您)(?:帮我)?|我(?:希望|想请|想让|需要)(?:你|您)(?:帮我)?"
                r"|请(?:(?:你|您)(?:帮我|帮忙)?|帮我|帮忙|(?![求假教客柬示愿安帖]))"), _zh_drop),
    (re.compile(r"(?:你|您)(?:能否|能不能|可不可以|可以|能)(?:帮我|帮忙)?(?P<body>[^。！？\n]+?)吗[？?]"), _zh_question),
    (re.compile(f"一下(?<=[{_CJK}]一下)(?![子午])"), lambda m, s: ""),
]


def pass_filler(text: str, ctx: PassContext) -> str:
    if ctx.en():
        for rx, fn, lower in _EN_FILLER:
            text = _sub_on(rx, text, fn, lower=lower)
    if ctx.zh():
        for rx, zfn in _ZH_FILLER:
            text = _sub_on(rx, text, zfn)
    text = _tidy_spaces(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _tidy_spaces(text: str) -> str:
    """Spaces left behind by a removal: trailing, doubled, or one at a line start."""
    text = re.sub(r"[ \t]+(?=\n|$)", "", text)
    text = re.sub(r"  +(?=\S)", lambda m: m.group() if m.start() == 0 or m.string[m.start() - 1] == "\n" else " ", text)
    return re.sub(r"\n (?=\S)", "\n", text).lstrip(" ")


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
    "in the absence of": "without",
    "has the ability to": "can",
    "have the ability to": "can",
    "is able to": "can",
    "are able to": "can",
    "a large number of": "many",
    "a great number of": "many",
    "a wide variety of": "many",
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
    "with the goal of": "to",
    "for the reason that": "because",
    "in view of the fact that": "because",
    "the fact that": "that",
    "are going to": "will",
    "is going to": "will",
    "am going to": "will",
    "with regard to": "regarding",
    "with regards to": "regarding",
    "in regard to": "regarding",
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

#: Reviewed verbose -> concise phrases (Chinese).
PHRASES_ZH: dict[str, str] = {
    "为了能够": "为了",
    "以便于": "以便",
    "在这个时候": "此时",
    "在目前这个阶段": "目前",
    "由于这个原因": "因此",
    "总而言之": "总之",
    "换句话说": "即",
    "与此同时": "同时",
    "尽可能地": "尽量",
    "尽可能的": "尽量",
    "是否能够": "能否",
    "需要注意的是，": "注意：",
    "值得注意的是，": "注意：",
    "需要注意的是": "注意：",
    "值得注意的是": "注意：",
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
    "所有的": "所有",
    "如果说": "如果",
    "能够": "能",
    "确保你": "确保",
    "一定要": "务必",
    "非常非常": "非常",
}


def _phrase_regex(table: dict[str, str]) -> re.Pattern[str]:
    keys = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


_ZH_PHRASE_RE = _phrase_regex(PHRASES_ZH)
_EN_KEYS = sorted((k.lower() for k in PHRASES_EN), key=len, reverse=True)
_EN_LOOKUP = {k.lower(): v for k, v in PHRASES_EN.items()}


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_'’"


def _replace_en_phrases(text: str) -> str:
    """Apply :data:`PHRASES_EN` (whole words, any case, first-letter case kept).

    Located with ``str.find`` on the lowercased text, one phrase at a time:
    ~100 literal scans are much faster than one big case-insensitive regex.
    """
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    hits: list[tuple[int, int, str]] = []
    n = len(low)
    for key in _EN_KEYS:
        i = low.find(key)
        while i != -1:
            j = i + len(key)
            if (i == 0 or not _is_word(low[i - 1])) and (j == n or not (low[j].isalnum() or low[j] == "_")):
                hits.append((i, j, key))
            i = low.find(key, i + 1)
    if not hits:
        return text
    hits.sort(key=lambda h: (h[0], h[0] - h[1]))
    out: list[str] = []
    pos = 0
    for i, j, key in hits:
        if i < pos:
            continue
        out.append(text[pos:i])
        src = text[i:j]
        repl = _EN_LOOKUP[key]
        out.append(("Note:" if src[:1].isupper() else "note:") if repl == "note:" else _match_case(src, repl))
        pos = j
    out.append(text[pos:])
    return "".join(out)


_PARTICIPLE = (r"(?:\w+ed|written|given|shown|known|taken|sent|built|made|kept|found|paid|held|chosen|spoken|done|seen"
               r"|(?:low|high|long|short|great|small|larg|bigg|old|new)er than|more than|less than)")
# "the documents that are provided below" -> "the documents provided below"
_REDUCED_RELATIVE = re.compile(rf"(?:that|which) (?:is|are) (?P<neg>not )?(?={_PARTICIPLE}\b)")
# "say that you will" -> "say you will" (complementiser before a pronoun subject); runs on lowercased text
_COMPLEMENTISER = re.compile(
    r"(?P<v>say|says|note|ensure|sure|means|know|think|believe|remember|check|verify|mention|confirm|assume|realize"
    r"|realise|shows?|states?|indicates?) that (?=(?:you|we|they|i|he|she|it)\b)")


def pass_phrases(text: str, ctx: PassContext) -> str:
    if ctx.en():
        text = _sub_on(_REDUCED_RELATIVE, text, lambda m, s: (m.group("neg") or "")
                       if s[m.start() - 2:m.start() - 1].isalnum() and s[m.start() - 1] == " " else m.group())
        text = _sub_on(_COMPLEMENTISER, text,
                       lambda m, s: _g(m, s, "v") + " " if not _prev_word_char(s, m.start()) else s[m.start():m.end()],
                       lower=True)
        text = _replace_en_phrases(text)
    if ctx.zh():
        text = _ZH_PHRASE_RE.sub(lambda m: PHRASES_ZH[m.group()], text)
    return text


# --------------------------------------------------------------------------- #
# words (aggressive)
# --------------------------------------------------------------------------- #

#: Approximate relative frequency (per 1,000 words of general English) of the
#: only words the pass may drop.  Information = -log2(frequency share).
_DROPPABLE_FREQ: dict[str, float] = {
    "the": 50.0, "a": 21.0, "an": 3.5,
    "very": 1.0, "really": 0.6, "actually": 0.4, "basically": 0.1, "simply": 0.2, "just": 1.5,
    "quite": 0.3, "rather": 0.3, "literally": 0.05, "certainly": 0.1, "definitely": 0.08, "truly": 0.05,
    "extremely": 0.07, "totally": 0.05, "completely": 0.1, "absolutely": 0.08,
    "is": 10.0, "are": 4.5, "was": 9.0, "were": 3.5,
    "that": 10.0, "of": 27.0, "to": 24.0, "in": 18.0, "for": 8.0, "on": 6.0, "at": 4.5, "by": 5.0,
    "with": 7.0, "from": 4.0, "as": 7.5, "it": 9.0, "its": 1.8, "this": 4.5, "these": 1.0, "those": 0.8,
    "there": 2.5, "so": 2.0, "then": 1.2, "also": 1.0, "some": 1.5, "do": 2.5, "does": 0.8, "did": 1.3,
    "have": 4.5, "has": 3.0, "had": 4.5, "into": 1.5, "about": 1.8, "which": 3.0, "your": 1.5,
}
#: Tiers: 0 articles and intensifiers, 1 copulas and "that", 2 everything else droppable.
_TIER0 = {"the", "a", "an", "very", "really", "actually", "basically", "simply", "just", "quite", "rather",
          "literally", "certainly", "definitely", "truly", "extremely", "totally", "completely", "absolutely"}
_TIER1 = {"is", "are", "was", "were", "that"}

#: Never dropped (a guard on top of the droppable list).
NEVER_DROP = frozenset(
    ["not", "no", "never", "nor", "none", "nobody", "nothing", "neither", "without", "cannot", "can't", "don't", "doesn't", "didn't", "won't", "isn't", "aren't", "wasn't", "weren't", "shouldn't", "mustn't", "couldn't", "wouldn't", "only", "all", "any", "each", "every", "must", "may", "might", "should", "shall", "will", "can", "could", "would", "if", "unless", "or", "and", "but", "except", "before", "after", "than", "more", "less", "most", "least"]
)
_NUMBER_WORDS = frozenset(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion", "first", "second", "third", "half", "double", "twice", "dozen"]
)
_ZH_DROP = re.compile(rf"的(?<=[{_CJK}]的)(?<![目有真]的)(?![确话])|[呢吧啊呀哦](?<=[{_CJK}].)(?=[，。！？,.!?\n])"
                      rf"|(?:非常|十分)(?<=[{_CJK}]..)(?=[{_CJK}])")
_WORD_COUNT = re.compile(r"\w+")


def _tier(word: str) -> int:
    return 0 if word in _TIER0 else 1 if word in _TIER1 else 2


def _drop_regex(max_tier: int) -> re.Pattern[str]:
    words = sorted((w for w in _DROPPABLE_FREQ if _tier(w) <= max_tier), key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(words)})\b")


_DROP_RES = {t: _drop_regex(t) for t in (0, 1, 2)}


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
    total = max(1, len(_WORD_COUNT.findall(low)))
    found = [m for m in _DROP_RES[max_tier].finditer(low) if m.start() == 0 or not _is_word(low[m.start() - 1])]
    counts = Counter(m.group() for m in found)
    out = []
    for m in found:
        start, end = m.span()
        word, low_word = text[start:end], m.group()
        if low_word in NEVER_DROP or low_word in _NUMBER_WORDS:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start]
        stripped = before.rstrip()
        if not stripped or before.lstrip().startswith("|"):
            continue  # the first word of a line (labels, list items) and table cells
        if word != low_word and (word == "A" or stripped[-1] not in ".!?"):
            continue  # capitalised mid-sentence: part of a name ("The Hague", "A Tale of...")
        general = -math.log2(_DROPPABLE_FREQ[low_word] / 1000.0)
        local = -math.log2(counts[low_word] / total)
        out.append((start, end, round(0.5 * general + 0.5 * local, 3), _tier(low_word)))
    return out


def pass_words(text: str, ctx: PassContext) -> str:
    if ctx.en():
        drops = [(s, e) for s, e, _bits, _tier_ in word_scores(text, ctx.word_tier)]
        if drops:
            pieces: list[str] = []
            pos = 0
            for s, e in drops:
                # remove the word and one adjacent space
                if e < len(text) and text[e] == " ":
                    e += 1
                elif s > 0 and text[s - 1] == " ":
                    s -= 1
                if s < pos:
                    continue
                pieces.append(text[pos:s])
                pos = e
            pieces.append(text[pos:])
            text = "".join(pieces)
    if ctx.zh():
        text = _ZH_DROP.sub("", text)
    return text


# --------------------------------------------------------------------------- #
# Registry
# --------------------------------------------------------------------------- #

PassFn = Callable[[str, PassContext], str]

#: name -> (function, lowest level where it runs); "fewshot" runs when max_examples is set.
PASSES: dict[str, tuple[PassFn, str]] = {
    "whitespace": (pass_whitespace, "safe"),
    "json": (pass_json, "safe"),
    "markdown": (pass_markdown, "balanced"),
    "fewshot": (pass_fewshot, "safe"),
    "filler": (pass_filler, "balanced"),
    "phrases": (pass_phrases, "balanced"),
    "dedupe": (pass_dedupe, "safe"),
    "words": (pass_words, "aggressive"),
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
