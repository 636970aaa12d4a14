"""The price table: genai-prices' bundled, dated prices plus user overrides.

Prices are USD per million tokens. A :class:`Quote` is the flat price list of
one model on one date (and billing mode): every token kind, plus optional
long-context tiers. :class:`PriceBook` resolves model names as they appear in
real logs (dated snapshots, ``openai/`` style prefixes, Bedrock and Vertex ids,
``-latest``) to a price entry, and returns the quote valid at a time.

Rules applied on top of the bundled data (see ``docs`` in README):

* cache read / cache write missing from an entry → billed at the input price
  (no discount is invented); 1-hour cache write missing → 2x input for
  Anthropic (its published rule), else the 5-minute write price.
* Batch: the provider's own batch price where the data has one for that date,
  else 50% of every token price for providers whose Batch API is 50% off
  (OpenAI, Azure OpenAI, Anthropic, Google Gemini, AWS Bedrock). genai-prices
  only carries batch variants from 2026-10-14 and none for older Anthropic
  dates, while both Batch APIs have been 50% off since 2024.
* Server-side web searches (Anthropic's and OpenAI's web search tools) are
  billed per call: ``web_searches_kcount`` of genai-prices, USD per 1,000
  searches (Anthropic: $10). They are not token prices: the Batch API 50%
  rule and long-context tiers do not change them (negotiated discounts do).
* Long-context tiers: when a request's total input (uncached + cache read +
  cache write) exceeds a tier's start, *every* token of that request is billed
  at the tier's prices (the providers' cliff rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from genai_prices import types as gp_types
from genai_prices.data_snapshot import get_snapshot

KINDS: tuple[str, ...] = ("input", "cache_read", "cache_write", "cache_write_1h", "output")

# providers whose Flex service tier is billed at their Batch prices
FLEX_AT_BATCH_PROVIDERS = frozenset({"openai", "azure"})

BATCH_HALF_PRICE_PROVIDERS = frozenset({"openai", "azure", "anthropic", "google", "aws"})

try:  # the version of the bundled price data
    from importlib.metadata import version as _pkg_version

    GENAI_PRICES_VERSION = _pkg_version("genai-prices")
except Exception:  # pragma: no cover - metadata missing in odd installs
    GENAI_PRICES_VERSION = "unknown"

DEFAULT_SOURCE = f"genai-prices {GENAI_PRICES_VERSION}"  # Quote.source of the bundled prices


@dataclass(frozen=True)
class Quote:
    """Prices of one model at one time, USD per 1M tokens (web searches: USD
    per 1,000 searches)."""

    model_id: str
    provider: str
    input: float
    cache_read: float
    cache_write: float
    cache_write_1h: float
    output: float
    tiers: tuple[tuple[int, "Quote"], ...] = ()  # (start, prices when total input > start)
    context_window: int | None = None
    source: str = DEFAULT_SOURCE
    batch: bool = False
    name: str = ""
    valid_from: date | None = None  # the date this price took effect, where the table says
    web_search_per_k: float = 0.0  # USD per 1,000 server-side web searches

    def prices(self) -> tuple[float, float, float, float, float]:
        return (self.input, self.cache_read, self.cache_write, self.cache_write_1h, self.output)

    def scaled(self, factor: float, *, fees: bool = True) -> "Quote":
        """Every price (tiers included) multiplied by ``factor``; per-call fees
        (web searches) too unless ``fees`` is False (the Batch API discount
        applies to tokens only)."""
        return replace(
            self,
            input=self.input * factor,
            cache_read=self.cache_read * factor,
            cache_write=self.cache_write * factor,
            cache_write_1h=self.cache_write_1h * factor,
            output=self.output * factor,
            web_search_per_k=self.web_search_per_k * factor if fees else self.web_search_per_k,
            tiers=tuple((start, q.scaled(factor, fees=fees)) for start, q in self.tiers),
        )

    def cost(
        self,
        *,
        input_tokens: int = 0,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        cache_write_1h_tokens: int = 0,
        output_tokens: int = 0,
        web_search_requests: int = 0,
        long_context: bool | None = None,
    ) -> float:
        """USD for one request (scalar reference implementation; the
        vectorised pricer in :mod:`llmcost.pricing.vectorised` is the fast path)."""
        q = self.tier_for(input_tokens + cache_read_tokens + cache_write_tokens, long_context)
        five_m = cache_write_tokens - cache_write_1h_tokens
        return (
            input_tokens * q.input
            + cache_read_tokens * q.cache_read
            + five_m * q.cache_write
            + cache_write_1h_tokens * q.cache_write_1h
            + output_tokens * q.output
        ) / 1e6 + web_search_requests * self.web_search_per_k / 1e3

    def tier_for(self, total_input: int, long_context: bool | None = None) -> "Quote":
        if long_context is not None:
            return self.tiers[0][1] if (long_context and self.tiers) else self
        chosen = self
        for start, q in self.tiers:
            if total_input > start:
                chosen = q
        return chosen


@dataclass
class Resolution:
    """How a model name from a log was matched to a price entry."""

    provider: str
    model: gp_types.ModelInfo | None = None
    override: Any = None  # an overrides.ModelOverride

    @property
    def model_id(self) -> str:
        if self.override is not None:
            return self.override.model_id
        assert self.model is not None
        return self.model.id


def _dec(v: Decimal | gp_types.TieredPrices | None) -> float | None:
    if v is None:
        return None
    if isinstance(v, gp_types.TieredPrices):
        return float(v.base)
    return float(v)


def _tier_value(v: Decimal | gp_types.TieredPrices | None, level: int) -> float | None:
    """Price of ``v`` for a request whose total input is just above ``level``."""
    if v is None:
        return None
    if not isinstance(v, gp_types.TieredPrices):
        return float(v)
    price = v.base
    for tier in v.tiers:
        if level >= tier.start:
            price = tier.price
    return float(price)


class _TokenPrices(NamedTuple):
    """The token prices of one tier, USD per 1M tokens."""

    input: float
    cache_read: float
    cache_write: float
    cache_write_1h: float
    output: float


def quote_from_model_price(
    mp: gp_types.ModelPrice,
    *,
    model_id: str,
    provider: str,
    context_window: int | None,
    name: str = "",
    source: str | None = None,
) -> Quote:
    """Flatten a genai-prices ``ModelPrice`` into a :class:`Quote`."""
    raw = {
        "input": mp.input_mtok,
        "cache_read": mp.cache_read_mtok,
        "cache_write": mp.cache_write_mtok,
        "cache_write_1h": mp.cache_write_1h_mtok,
        "output": mp.output_mtok,
    }
    starts = sorted(
        {t.start for v in raw.values() if isinstance(v, gp_types.TieredPrices) for t in v.tiers}
    )

    def flat(level: int | None) -> _TokenPrices:
        get = (lambda v: _dec(v)) if level is None else (lambda v: _tier_value(v, level))
        inp = get(raw["input"]) or 0.0
        out = get(raw["output"]) or 0.0
        cr = get(raw["cache_read"])
        cw = get(raw["cache_write"])
        cw1 = get(raw["cache_write_1h"])
        cr = inp if cr is None else cr
        cw = inp if cw is None else cw
        if cw1 is None:
            # Anthropic's 1-hour write is 2x input, also for Claude on Bedrock / Vertex
            cw1 = 2 * inp if (provider == "anthropic" or "claude" in model_id) else cw
        return _TokenPrices(input=inp, cache_read=cr, cache_write=cw, cache_write_1h=cw1, output=out)

    web = _dec(mp.web_searches_kcount) or 0.0

    def make(p: _TokenPrices, tiers: tuple[tuple[int, Quote], ...] = ()) -> Quote:
        return Quote(
            model_id=model_id,
            provider=provider,
            input=p.input,
            cache_read=p.cache_read,
            cache_write=p.cache_write,
            cache_write_1h=p.cache_write_1h,
            output=p.output,
            tiers=tiers,
            context_window=context_window,
            source=source or DEFAULT_SOURCE,
            name=name,
            web_search_per_k=web,
        )

    return make(flat(None), tiers=tuple((s, make(flat(s))) for s in starts))


# ------------------------------------------------------------------------------
# Name normalisation
# ------------------------------------------------------------------------------

# routers that resell other providers' models under "vendor/model" ids
GATEWAY_PROVIDERS = frozenset({"openrouter"})

_VENDOR_PREFIXES = {
    "openai": "openai",
    "azure": "azure",
    "azure_ai": "azure",
    "anthropic": "anthropic",
    "google": "google",
    "gemini": "google",
    "vertex_ai": "google",
    "vertex": "google",
    "bedrock": "aws",
    "aws": "aws",
    "mistral": "mistral",
    "mistralai": "mistral",
    "cohere": "cohere",
    "groq": "groq",
    "deepseek": "deepseek",
    "x-ai": "x-ai",
    "xai": "x-ai",
    "together_ai": "together",
    "together": "together",
    "fireworks_ai": "fireworks",
    "openrouter": "openrouter",
    "meta-llama": "meta",
    "moonshotai": "moonshotai",
    "perplexity": "perplexity",
}

_DATE_AT = re.compile(r"@(\d{8})$")
_CLAUDE_OLD = re.compile(r"^claude-(\d)[.-](\d)-(sonnet|opus|haiku)(.*)$")
_CLAUDE_OLD_MAJOR = re.compile(r"^claude-(\d)-(sonnet|opus|haiku)(.*)$")


def name_candidates(model: str, provider_hint: str) -> Iterator[tuple[str | None, str]]:
    """(provider, model) lookups to try, most specific first."""
    raw = model.strip()
    low = raw.lower()
    hint = provider_hint.lower().strip() or None
    seen: set[tuple[str | None, str]] = set()

    def emit(p: str | None, m: str) -> Iterator[tuple[str | None, str]]:
        if m and (p, m) not in seen:
            seen.add((p, m))
            yield (p, m)

    bases = [low]
    # Vertex AI resource names: projects/P/locations/L/publishers/anthropic/models/claude-...@DATE
    m_vertex = re.search(r"(?:^|/)publishers/([^/]+)/models/([^/]+)$", low)
    if m_vertex:
        publisher, name = m_vertex.groups()
        prov = {"google": "google", "anthropic": "anthropic", "meta": "meta", "mistralai": "mistral"}.get(publisher)
        if prov:
            yield from emit(prov, name)
        bases.append(name)
    # strip "models/" (Gemini REST) and routing prefixes like "openrouter/"
    if low.startswith("models/"):
        bases.append(low[len("models/"):])
    if low.startswith("openrouter/"):
        yield from emit("openrouter", low[len("openrouter/"):])
    vendor_split: list[tuple[str, str]] = []
    for b in list(bases):
        if "/" in b:
            vendor, rest = b.split("/", 1)
            vendor_split.append((vendor, rest))
            if "/" in rest:  # e.g. openrouter/anthropic/claude-x or bedrock/us.anthropic...
                v2, r2 = rest.split("/", 1)
                vendor_split.append((v2, r2))
    # 1. exactly as written, with the hint, then anywhere
    for b in bases:
        if hint:
            yield from emit(hint, b)
        yield from emit(None, b)
    # 2. vendor-prefixed names: openai/gpt-4o, anthropic/claude-..., bedrock/...
    for vendor, rest in vendor_split:
        prov = _VENDOR_PREFIXES.get(vendor)
        if hint == "openrouter" or prov is None:
            yield from emit("openrouter", f"{vendor}/{rest}")
        if prov:
            yield from emit(prov, rest)
        yield from emit(None, rest)
        bases.append(rest)
    # 3. Bedrock ids
    for b in list(bases):
        if re.match(r"^((us|eu|apac|global|jp|au)\.)?(anthropic|amazon|meta|mistral|cohere|deepseek|ai21)\.", b) or b.endswith((":0", "-v1")):
            yield from emit("aws", b)
            stripped = re.sub(r"^((us|eu|apac|global|jp|au)\.)?(anthropic|amazon|meta|mistral|cohere|deepseek|ai21)\.", "", b)
            stripped = re.sub(r"-v\d+(:\d+)?$", "", stripped)
            if stripped != b:
                bases.append(stripped)
                yield from emit(None, stripped)
    # 4. Vertex "@20241022", "-latest", Claude's old "claude-3.5-sonnet" / "claude-4.5-sonnet" spellings
    for b in list(bases):
        forms = [b]
        m = _DATE_AT.search(b)
        if m:
            forms.append(b[: m.start()] + "-" + m.group(1))
            forms.append(b[: m.start()])
        if b.endswith("-latest"):
            forms.append(b[: -len("-latest")])
        for f in list(forms):
            mm = _CLAUDE_OLD.match(f)
            if mm:
                major, minor, fam, tail = mm.groups()
                forms.append(f"claude-{major}-{minor}-{fam}{tail}")
                forms.append(f"claude-{fam}-{major}-{minor}{tail}")
            mm = _CLAUDE_OLD_MAJOR.match(f)
            if mm:
                major, fam, tail = mm.groups()
                forms.append(f"claude-{fam}-{major}{tail}")
        for f in forms[1:]:
            if hint:
                yield from emit(hint, f)
            yield from emit(None, f)


# ------------------------------------------------------------------------------
# The book
# ------------------------------------------------------------------------------

@dataclass
class PriceBook:
    """Bundled genai-prices data plus user overrides (see :mod:`.overrides`)."""

    overrides: Any = None  # overrides.Overrides | None
    _resolved: dict[tuple[str, str], Resolution | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.overrides is not None:
            for ov in self.overrides.models:
                ov.book = self

    @classmethod
    def default(cls, overrides: str | None = None) -> "PriceBook":
        """The bundled table, plus an overrides YAML file when given."""
        if not overrides:
            return cls()
        from .overrides import load_overrides  # PyYAML: only with an overrides file

        return cls(overrides=load_overrides(overrides))

    # -- resolution -------------------------------------------------------------
    def resolve(self, model: str, provider: str = "") -> Resolution | None:
        """Match a model name from a log to a price entry; None when unknown."""
        key = (model, provider)
        if key in self._resolved:
            return self._resolved[key]
        res = self._resolve(model, provider)
        self._resolved[key] = res
        return res

    def _resolve(self, model: str, provider: str) -> Resolution | None:
        if not model or not model.strip():
            return None
        if self.overrides is not None:
            ov = self.overrides.find(model, provider)
            if ov is not None:
                return Resolution(provider=ov.provider or provider or "", override=ov)
        low = model.lower().strip()
        snap = get_snapshot()
        if low.startswith("ft:") or ":ft-" in low or ".ft-" in low:
            # fine-tunes cost more than their base model: only an explicit
            # fine-tune entry (or an override) may price them, never the base
            for prov in dict.fromkeys([provider.lower() or "openai", "openai", "azure"]):
                try:
                    p, m = snap.find_provider_model(low, None, prov, None)
                except LookupError:
                    continue
                if "ft" in m.id:
                    return Resolution(provider=p.id, model=m)
            return None
        for cand_provider, name in name_candidates(model, provider):
            try:
                p, m = snap.find_provider_model(name, None, cand_provider, None)
            except LookupError:
                continue
            return Resolution(provider=p.id, model=m)
        return None

    # -- quotes -------------------------------------------------------------------
    def quote(
        self,
        model: str,
        when: datetime | None = None,
        *,
        provider: str = "",
        batch: bool = False,
        service_tier: str = "",
    ) -> Quote | None:
        """The prices of ``model`` valid at ``when`` (default: now), or None."""
        res = self.resolve(model, provider)
        if res is None:
            return None
        return self.quote_resolved(res, when, batch=batch, service_tier=service_tier)

    def quote_resolved(
        self,
        res: Resolution,
        when: datetime | None,
        *,
        batch: bool = False,
        service_tier: str = "",
    ) -> Quote:
        when = when or datetime.now(tz=UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if res.override is not None:
            q = res.override.quote(when, batch=batch)
        elif res.model is not None:
            q = _genai_quote(res.provider, res.model, when, batch, _tier_context(service_tier))
            if res.provider in GATEWAY_PROVIDERS and res.model.get_prices(when).cache_read_mtok is None:
                q = self._upstream_cache_read(q, res, when, batch=batch, service_tier=service_tier)
        else:
            raise ValueError(f"Resolution for provider {res.provider!r} has neither a model nor an override")
        if self.overrides is not None:
            factor = self.overrides.discount_factor(q.model_id, res.provider)
            if factor != 1.0:
                q = replace(q.scaled(factor), source=q.source + f" x{factor:g} discount")
        return q

    def _upstream_cache_read(self, q: Quote, res: Resolution, when: datetime, *, batch: bool,
                             service_tier: str) -> Quote:
        """A gateway entry (``openrouter``: ``openai/gpt-4o``) with no cache-read price.

        The gateway passes the upstream provider's prompt-cache discount through
        (its bill for a cached request is lower), so cached tokens are priced at
        the gateway's input price times the upstream provider's cache-read ratio,
        not at the full input price."""
        vendor, sep, rest = q.model_id.partition("/")
        if not sep or vendor not in _VENDOR_PREFIXES:
            return q
        up_res = self.resolve(rest, _VENDOR_PREFIXES[vendor])
        if up_res is None or up_res.model is None or up_res.provider in GATEWAY_PROVIDERS:
            return q
        up = _genai_quote(up_res.provider, up_res.model, when, batch, _tier_context(service_tier))
        if not up.input or up.cache_read >= up.input:
            return q
        ratio = up.cache_read / up.input

        def fix(x: Quote) -> Quote:
            return replace(x, cache_read=x.input * ratio)

        return replace(fix(q), tiers=tuple((start, fix(t)) for start, t in q.tiers),
                       source=q.source + f" (cache read at {up_res.provider}'s {ratio:.0%} of input)")

    def has_time_of_day_prices(self, res: Resolution) -> bool:
        if res.model is None or not isinstance(res.model.prices, list):
            return False
        return any(isinstance(c.constraint, gp_types.TimeOfDateConstraint) for c in res.model.prices)

    def price_change_dates(self, res: Resolution) -> list[date]:
        if res.model is None or not isinstance(res.model.prices, list):
            return []
        return sorted(
            c.constraint.start_date
            for c in res.model.prices
            if isinstance(c.constraint, gp_types.StartDateConstraint)
        )

    # -- listing ------------------------------------------------------------------
    def entries(self, pattern: str = "", when: datetime | None = None) -> list[Quote]:
        """Every model of the table (overrides first) whose id, name or
        provider contains ``pattern`` (case-insensitive; ``*`` globs allowed)."""
        when = when or datetime.now(tz=UTC)
        rx = _pattern_regex(pattern)
        out: list[Quote] = []
        # a name as logs spell it (dated snapshot, Bedrock/Vertex id): the entry pricing would use
        if pattern and not any(ch in pattern for ch in "*?"):
            res = self.resolve(pattern)
            if res is not None:
                out.append(self.quote_resolved(res, when))
        if self.overrides is not None:
            for ov in self.overrides.models:
                q = ov.quote(when, batch=False)
                if rx.search(f"{ov.provider}/{ov.model_id}"):
                    out.append(q)
        for p in get_snapshot().providers:
            for m in p.models:
                if not rx.search(f"{p.id}/{m.id} {m.name or ''}"):
                    continue
                if out and out[0].model_id == m.id and out[0].provider == p.id:
                    continue  # already listed as the resolved entry
                try:
                    out.append(_genai_quote(p.id, m, when, False, None))
                except Exception:  # an entry with only non-token prices
                    continue
        return out


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    if not pattern:
        return re.compile("")
    if "*" in pattern or "?" in pattern:
        body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
        return re.compile(body, re.I)
    return re.compile(re.escape(pattern), re.I)


def _tier_context(service_tier: str) -> str | None:
    t = (service_tier or "").strip().lower()
    if t in ("priority", "flex", "fast", "scale"):
        return t
    return None


def _genai_quote(provider: str, model: gp_types.ModelInfo, when: datetime, batch: bool, tier: str | None) -> Quote:
    return _genai_quote_uncached(provider, model, when, batch, tier)


def _genai_quote_uncached(provider: str, model: gp_types.ModelInfo, when: datetime, batch: bool, tier: str | None) -> Quote:
    ctx: dict[str, str] = {}
    if tier:
        ctx["service_tier"] = tier
    standard = model.get_prices(when)
    q = quote_from_model_price(
        standard, model_id=model.id, provider=provider, context_window=model.context_window, name=model.name or ""
    )
    if isinstance(model.prices, list):
        starts = [
            c.constraint.start_date
            for c in model.prices
            if isinstance(c.constraint, gp_types.StartDateConstraint) and c.constraint.active(when)
        ]
        if starts:
            q = replace(q, valid_from=max(starts))
    if tier:
        tiered = model.get_prices(when, ctx)
        if tiered != standard:
            q = replace(quote_from_model_price(
                tiered, model_id=model.id, provider=provider, context_window=model.context_window, name=model.name or ""
            ), valid_from=q.valid_from, source=q.source + f" ({tier} tier)")
        elif tier == "flex" and provider in FLEX_AT_BATCH_PROVIDERS and not batch:
            # OpenAI prices Flex processing "at Batch API rates" (Azure: 50% off); genai-prices
            # has no flex prices, so a flex request is priced as a batch one rather than at full price
            flex = _genai_quote_uncached(provider, model, when, True, None)
            return replace(flex, batch=False, source=flex.source.replace("(batch", "(flex at batch rates", 1))
    if batch:
        variant = model.get_prices(when, {"processing": "batch"})
        if variant != standard:
            q = replace(quote_from_model_price(
                variant, model_id=model.id, provider=provider, context_window=model.context_window, name=model.name or ""
            ), batch=True, valid_from=q.valid_from, source=q.source + " (batch price)")
        elif provider in BATCH_HALF_PRICE_PROVIDERS:
            q = replace(q.scaled(0.5, fees=False), batch=True, source=q.source + " (batch: 50% rule)")
    return q
