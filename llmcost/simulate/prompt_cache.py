"""Provider prompt-caching lever: bill long shared prompt prefixes as cache reads.

Requests are replayed in time order per cache (one per provider family,
priced model and ``app``: providers keep caches per organisation / workspace
and model; taking the app as the workspace is conservative).

Anthropic (explicit ``cache_control``; https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching)
    * minimum cacheable prefix: 1024 tokens (Sonnet up to 4.5, Opus up to 4.1,
      Claude 3.x Sonnet/Opus), 2048 (Sonnet 4.6, Haiku 3 / 3.5), 4096
      (Opus 4.5 and later, Haiku 4.5 and later);
    * a write costs the model's cache-write price (1.25x input for the 5-minute
      TTL, 2x for the 1-hour TTL: ``ttl="1h"``), a read the cache-read price
      (0.1x); each read refreshes the TTL;
    * the simulation assumes a breakpoint at the end of each request's
      *shared prefix*: the longest prefix it shares with any other request of
      the same cache in the log (the system prompt, tools, a document, an
      earlier turn of the conversation).  A request whose shared prefix is not
      live in the cache writes it (even when nobody reads it in time: that
      premium is reported), one whose prefix is live reads it and writes only
      the part beyond it.
OpenAI (automatic; https://platform.openai.com/docs/guides/prompt-caching)
    * prompts of 1024 tokens or more; the cached part is the longest prefix
      seen in a recent request, in 128-token increments (1024, 1152, ...);
    * no write premium; reads at the model's cached-input price; entries kept
      5 minutes after last use (``openai_ttl_seconds``; OpenAI says 5-10
      minutes, up to an hour off-peak).
Other providers are left as they are (noted).  Models whose price entry has
no cached-input discount are left as they are too.

Token counts of a prefix
    The log's own ``input_tokens`` of the request, split in proportion to
    characters: ``tokens(prefix) = input_tokens * len(prefix) / len(prompt)``.
    The log's counts are exact for the provider's tokenizer (Claude included,
    which no local tokenizer counts exactly); the proportional split is an
    approximation near the minimum-length edge.

Without prompt text
    When no row carries prompt text, requests of the same cache with
    *identical* ``input_tokens`` (a template, a retried or repeated call) are
    taken as sharing their whole input: the first writes it, repeats within the
    TTL read it.  This is labelled an ESTIMATE (an upper bound for such
    repeats; prefixes shared by requests of different sizes are not seen).

Rows left alone: already using caching (cache read or write tokens > 0),
served by the response cache (``cache_hit``), aggregated rows (``requests``
!= 1), rows without a time or input tokens.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from ..pricing import PriceBook, price_usage
from .base import LeverError, LeverOutcome

ANTHROPIC_TTLS = {"5m": 300.0, "1h": 3600.0}
OPENAI_MIN_TOKENS = 1024
OPENAI_INCREMENT = 128

_CLAUDE_NEW = re.compile(r"(opus|sonnet|haiku)-(\d+)(?:[-.](\d)(?!\d))?")
_CLAUDE_OLD = re.compile(r"claude-(\d+)(?:[-.](\d)(?!\d))?-(opus|sonnet|haiku)")


def claude_version(model: str) -> tuple[str, tuple[int, int]] | None:
    """(family, (major, minor)) of a Claude model name, or None."""
    low = model.lower()
    m = _CLAUDE_OLD.search(low)
    if m:
        return m.group(3), (int(m.group(1)), int(m.group(2) or 0))
    m = _CLAUDE_NEW.search(low)
    if m:
        return m.group(1), (int(m.group(2)), int(m.group(3) or 0))
    return None


def anthropic_min_tokens(model: str) -> int:
    """Minimum cacheable prompt length of a Claude model (Anthropic's table)."""
    v = claude_version(model)
    if v is None:
        return 1024
    family, version = v
    if family == "haiku":
        return 4096 if version >= (4, 5) else 2048
    if family == "opus":
        return 4096 if version >= (4, 5) else 1024
    return 2048 if version >= (4, 6) else 1024


@dataclass(frozen=True)
class Rules:
    family: str  # "anthropic" or "openai"
    min_tokens: int
    ttl_seconds: float
    write_premium: bool

    def cacheable(self, tokens: int) -> int:
        """The part of a matched prefix of ``tokens`` tokens the provider caches."""
        if tokens < self.min_tokens:
            return 0
        if self.family == "openai":
            return OPENAI_MIN_TOKENS + (tokens - OPENAI_MIN_TOKENS) // OPENAI_INCREMENT * OPENAI_INCREMENT
        return tokens


@dataclass
class _Entry:
    expiry: float
    written: int = 0  # tokens written at a premium when this entry was created
    read: bool = False


@dataclass
class _Cache:
    """Live prefixes of one cache, sorted, for longest-shared-prefix lookups."""

    keys: list[str] = field(default_factory=list)
    entries: dict[str, _Entry] = field(default_factory=dict)
    expired_written_unread: int = 0

    def _drop(self, pos: int) -> None:
        key = self.keys.pop(pos)
        entry = self.entries.pop(key)
        if entry.written and not entry.read:
            self.expired_written_unread += entry.written

    def best(self, text: str, now: float) -> tuple[str | None, int]:
        """The live entry sharing the longest prefix with ``text`` and that length."""
        pos = bisect.bisect_left(self.keys, text)
        best_key, best_len = None, 0
        for side in (pos - 1, pos):
            while 0 <= side < len(self.keys) and self.entries[self.keys[side]].expiry <= now:
                self._drop(side)
                if side == pos - 1:
                    pos -= 1
                    side -= 1
            if 0 <= side < len(self.keys):
                key = self.keys[side]
                n = common_prefix_len(text, key)
                if n > best_len:
                    best_key, best_len = key, n
        return best_key, best_len

    def put(self, key: str, expiry: float, written: int) -> None:
        entry = self.entries.get(key)
        if entry is None:
            bisect.insort(self.keys, key)
            self.entries[key] = _Entry(expiry, written)
        else:
            entry.expiry = max(entry.expiry, expiry)
            entry.written += written

    def finish(self) -> int:
        """Tokens written at a premium and never read."""
        return self.expired_written_unread + sum(e.written for e in self.entries.values() if not e.read)


def common_prefix_len(a: str, b: str) -> int:
    """Length of the longest common prefix: galloping, then binary search,
    comparing slices (C speed) and only the part not yet known equal."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, step = 0, 64
    hi = min(step, n)
    while a[lo:hi] == b[lo:hi]:  # ends: the full prefixes differ
        lo, step = hi, step * 4
        hi = min(lo + step, n)
    while hi - lo > 1:  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def shared_prefix_lengths(texts: list[str]) -> list[int]:
    """For each text, the longest prefix it shares with any other text of the
    list (the maximum is reached at a neighbour in sorted order)."""
    order = sorted(range(len(texts)), key=texts.__getitem__)
    out = [0] * len(texts)
    for a, b in pairwise(order):
        n = common_prefix_len(texts[a], texts[b])
        out[a] = max(out[a], n)
        out[b] = max(out[b], n)
    return out


class PromptCache:
    """The ``prompt-cache`` lever: provider prompt caching on shared prefixes."""

    name = "prompt-cache"

    def __init__(self, ttl: str = "5m", openai_ttl_seconds: float = 300.0) -> None:
        if ttl not in ANTHROPIC_TTLS:
            raise LeverError(self.name, f"unknown Anthropic cache TTL {ttl!r} (use 5m or 1h)")
        if not (math.isfinite(openai_ttl_seconds) and openai_ttl_seconds > 0):
            raise LeverError(self.name, f"the OpenAI cache TTL must be positive, not {openai_ttl_seconds!r}")
        self.ttl = ttl
        self.openai_ttl_seconds = float(openai_ttl_seconds)

    # ------------------------------------------------------------------ apply
    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome:
        df = table.reset_index(drop=True)
        n = len(df)
        cache_read = df["cache_read_tokens"].to_numpy(dtype="int64")
        cache_write = df["cache_write_tokens"].to_numpy(dtype="int64")
        inp = df["input_tokens"].to_numpy(dtype="int64")
        served = df["cache_hit"].fillna(False).to_numpy(dtype=bool) if "cache_hit" in df.columns else np.zeros(n, bool)
        has_time = df["time"].notna().to_numpy()
        single = df["requests"].to_numpy(dtype="int64") == 1
        already = (cache_read > 0) | (cache_write > 0)
        eligible = ~already & ~served & has_time & single & (inp > 0)

        prompt = df["prompt"].astype("string") if "prompt" in df.columns else pd.Series(pd.NA, index=df.index, dtype="string")
        has_text = (prompt.notna() & (prompt.fillna("").str.len() > 0)).to_numpy()
        text_mode = bool((eligible & has_text).any())
        if not eligible.any():
            raise LeverError(self.name, "no per-request rows to simulate (every row is aggregated, already cached or empty)")
        rows_used = eligible & has_text if text_mode else eligible

        ns = np.zeros(n, dtype="int64")
        ns[has_time] = df["time"][has_time].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[ns]").astype("int64")
        secs = ns / 1e9

        rules, skipped_models = self._rules_per_row(df, book, rows_used, ns)
        read = np.zeros(n, dtype="int64")
        write = np.zeros(n, dtype="int64")
        unread_written = 0
        groups = pd.DataFrame(
            {"rule": [r.family if r else "" for r in rules], "model": self._price_models(df, book), "app": df["app"].astype("string").fillna("")}
        )
        idx = np.flatnonzero(rows_used & np.array([r is not None for r in rules], dtype=bool))
        texts = prompt.astype(object).where(prompt.notna(), None).tolist()
        for members in groups.iloc[idx].groupby(["rule", "model", "app"], sort=True).groups.values():
            pos = np.asarray(members, dtype="int64")
            pos = pos[np.argsort(ns[pos], kind="stable")]
            r = rules[int(pos[0])]
            assert r is not None
            if text_mode:
                unread_written += self._replay_text(pos, [str(texts[i]) for i in pos], inp, secs, r, read, write)
            else:
                unread_written += self._replay_sizes(pos, inp, secs, r, read, write)

        out = df.copy()
        changed = (read > 0) | (write > 0)
        out["input_tokens"] = inp - read - write
        out["cache_read_tokens"] = cache_read + read
        out["cache_write_tokens"] = cache_write + write
        if self.ttl == "1h":
            out["cache_write_1h_tokens"] = df["cache_write_1h_tokens"].to_numpy(dtype="int64") + write
        if changed.any():
            reported = out["reported_cost_usd"].to_numpy(dtype="float64").copy()
            reported[changed] = np.nan
            out["reported_cost_usd"] = reported
        saved = self._saved(df, out, changed, book)
        return self._outcome(out, text_mode, changed, read, write, unread_written, saved, skipped_models,
                             int((already).sum()), int((eligible & ~has_text).sum()) if text_mode else 0)

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _price_models(df: pd.DataFrame, book: PriceBook) -> np.ndarray:
        """The priced model id of each row (the log's name when unpriced)."""
        pairs = pd.MultiIndex.from_arrays(
            [df["model"].astype("string").fillna(""), df["provider"].astype("string").fillna("")]
        )
        codes, uniques = pairs.factorize()
        ids = []
        for model, provider in uniques:
            res = book.resolve(str(model), str(provider))
            ids.append(res.model_id if res is not None else str(model))
        return np.asarray(ids, dtype=object)[codes] if len(codes) else np.asarray([], dtype=object)

    def _rules_per_row(
        self, df: pd.DataFrame, book: PriceBook, rows_used: np.ndarray, ns: np.ndarray
    ) -> tuple[list[Rules | None], list[str]]:
        rules: list[Rules | None] = [None] * len(df)
        memo: dict[tuple[str, str], Rules | None] = {}
        skipped: set[str] = set()
        models = df["model"].astype("string").fillna("").to_numpy(dtype=object)
        providers = df["provider"].astype("string").fillna("").to_numpy(dtype=object)
        for i in np.flatnonzero(rows_used).tolist():
            key = (models[i], providers[i])
            if key not in memo:
                memo[key] = self._rules_for(models[i], providers[i], book, pd.Timestamp(int(ns[i]), tz="UTC").floor("us").to_pydatetime())
                if memo[key] is None:
                    skipped.add(models[i] or "(no model)")
            rules[i] = memo[key]
        return rules, sorted(skipped)

    def _rules_for(self, model: str, provider: str, book: PriceBook, when: Any) -> Rules | None:
        res = book.resolve(model, provider)
        if res is None:
            return None
        quote = book.quote_resolved(res, when)
        if not quote.cache_read < quote.input:
            return None  # no cached-input discount in the price table
        if "claude" in model.lower() or res.provider == "anthropic" or "claude" in res.model_id.lower():
            return Rules("anthropic", anthropic_min_tokens(res.model_id or model), ANTHROPIC_TTLS[self.ttl], True)
        if res.provider in ("openai", "azure"):
            return Rules("openai", OPENAI_MIN_TOKENS, self.openai_ttl_seconds, False)
        return None

    @staticmethod
    def _to_tokens(chars: int, total_chars: int, total_tokens: int) -> int:
        if total_chars <= 0:
            return 0
        return min(total_tokens, round(total_tokens * chars / total_chars))

    def _replay_text(
        self, pos: np.ndarray, texts: list[str], inp: np.ndarray, secs: np.ndarray, r: Rules,
        read: np.ndarray, write: np.ndarray,
    ) -> int:
        shared = shared_prefix_lengths(texts)
        cache = _Cache()
        for k, i in enumerate(pos.tolist()):
            text, t, total = texts[k], float(secs[i]), int(inp[i])
            key, matched = cache.best(text, t)
            got = r.cacheable(self._to_tokens(matched, len(text), total))
            if got and key is not None:
                entry = cache.entries[key]
                entry.read = True
                entry.expiry = t + r.ttl_seconds
                if r.family == "openai":
                    # the matched prefix itself is what stays cached
                    cache.put(key[:matched], t + r.ttl_seconds, 0)
            read[i] = got
            if r.write_premium:
                own = r.cacheable(self._to_tokens(shared[k], len(text), total))
                extra = max(0, own - got) if own else 0
                write[i] = extra
                if own:
                    cache.put(text[: shared[k]], t + r.ttl_seconds, extra)
            elif total >= r.min_tokens:
                cache.put(text, t + r.ttl_seconds, 0)
        return cache.finish()

    def _replay_sizes(
        self, pos: np.ndarray, inp: np.ndarray, secs: np.ndarray, r: Rules, read: np.ndarray, write: np.ndarray
    ) -> int:
        sizes = inp[pos]
        values, counts = np.unique(sizes, return_counts=True)
        repeated = set(values[counts > 1].tolist())
        live: dict[int, _Entry] = {}
        unread = 0
        for i in pos.tolist():
            size, t = int(inp[i]), float(secs[i])
            if size not in repeated:
                continue
            entry = live.get(size)
            cacheable = r.cacheable(size)
            if not cacheable:
                continue
            if entry is not None and entry.expiry > t:
                read[i] = cacheable
                entry.read = True
                entry.expiry = t + r.ttl_seconds
                continue
            if entry is not None and entry.written and not entry.read:
                unread += entry.written
            written = cacheable if r.write_premium else 0
            write[i] = written
            live[size] = _Entry(t + r.ttl_seconds, written)
        return unread + sum(e.written for e in live.values() if not e.read)

    def _saved(self, before: pd.DataFrame, after: pd.DataFrame, changed: np.ndarray, book: PriceBook) -> float:
        if not changed.any():
            return 0.0
        b = price_usage(before[changed], book)["cost_usd"].sum()
        a = price_usage(after[changed], book)["cost_usd"].sum()
        return float(b - a)

    def _outcome(
        self, out: pd.DataFrame, text_mode: bool, changed: np.ndarray, read: np.ndarray, write: np.ndarray,
        unread_written: int, saved: float, skipped_models: list[str], already: int, no_text: int,
    ) -> LeverOutcome:
        notes = [
            (
                f"Anthropic: cache_control breakpoints assumed at the end of each shared prefix, {self.ttl} TTL "
                f"(write {'2x' if self.ttl == '1h' else '1.25x'} input, read at the cache-read price); "
                f"OpenAI: automatic caching in 128-token steps from 1024 tokens, {self.openai_ttl_seconds:g} s TTL"
            ),
            "one cache per provider, model and app; a read refreshes the TTL",
        ]
        if text_mode:
            notes.append("prefix tokens = the request's logged input tokens split in proportion to characters")
        else:
            notes.append(
                "ESTIMATE: the log has no prompt text, so shared prefixes cannot be seen; requests of the same "
                "model and app with identical input sizes are assumed to share their whole input (an upper bound)"
            )
        if no_text:
            notes.append(f"{no_text} requests without prompt text were left as they are")
        if already:
            notes.append(f"{already} rows already using prompt caching were left as they are")
        if skipped_models:
            notes.append("not simulated (provider without a modelled cache or no cached price): " + ", ".join(skipped_models[:10]))
        risks = [
            (
                "a prefix only caches when it is byte-identical: anything variable (dates, user names, ids) placed "
                "before the shared part breaks the cache"
            ),
        ]
        if unread_written:
            risks.append(f"{unread_written:,} tokens are written at the cache-write premium and never read in time")
        if not text_mode:
            risks.append("estimate from repeated input sizes, not from prompt text: verify on a log with prompts")
        details: dict[str, Any] = {
            "mode": "text" if text_mode else "estimate-from-sizes",
            "anthropic_ttl": self.ttl,
            "openai_ttl_seconds": self.openai_ttl_seconds,
            "requests_changed": int(changed.sum()),
            "cache_read_tokens_added": int(read.sum()),
            "cache_write_tokens_added": int(write.sum()),
            "written_never_read_tokens": int(unread_written),
            "saved_usd": saved,
            "models_not_simulated": skipped_models,
        }
        return LeverOutcome(
            name=self.name, table=out, requests_affected=int(changed.sum()), notes=notes, risks=risks, details=details
        )
