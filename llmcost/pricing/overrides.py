"""User price overrides and additions (``--prices overrides.yaml``).

Example::

    models:
      # a fine-tune or a model the bundled table lacks, $/1M tokens
      - match: "ft:gpt-4o-mini-2024-07-18:acme::*"    # exact name, glob, or "re:<regex>"
        provider: openai
        input: 0.30
        output: 1.20
        cache_read: 0.15          # optional (default: input)
        cache_write: 0.30         # optional (default: input)
        cache_write_1h: 0.60      # optional (default: cache_write)
        batch_discount: 0.5       # optional: batch price = price x (1 - discount)
        web_search_per_k: 10.0    # optional: USD per 1,000 server-side web searches (default 0)
      # a price that changed: several entries, each valid from its date
      - match: my-model
        input: 2.0
        output: 8.0
        valid_from: 2025-06-01
      # self-hosted: $/hour at a measured throughput becomes $/1M tokens
      - match: llama-3.1-70b-selfhosted
        hourly_usd: 9.60
        tokens_per_second: 2500
      # an alias: price like another model of the table
      - match: our-gateway-gpt
        like: gpt-4o-mini
    discounts:                    # negotiated discounts on list prices
      - provider: anthropic
        percent: 12
      - model: "gpt-4o*"
        percent: 5
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..textfiles import yaml_error_line

_MODEL_KEYS = {
    "match",
    "provider",
    "name",
    "input",
    "output",
    "cache_read",
    "cache_write",
    "cache_write_1h",
    "batch_discount",
    "valid_from",
    "hourly_usd",
    "tokens_per_second",
    "like",
    "context_window",
    "web_search_per_k",
}
_DISCOUNT_KEYS = {"provider", "model", "percent"}


@dataclass
class _Dated:
    valid_from: date | None
    prices: dict[str, float]
    like: str | None = None


@dataclass
class ModelOverride:
    """One model of the overrides file (possibly several dated prices)."""

    match: str
    provider: str
    model_id: str
    versions: list[_Dated] = field(default_factory=list)
    batch_discount: float = 0.5
    context_window: int | None = None
    file: str = ""
    book: Any = None  # the PriceBook, for ``like:`` aliases

    def matches(self, model: str) -> bool:
        return _match(self.match, model)

    def quote(self, when: datetime, *, batch: bool):
        from .book import Quote

        version = self._version_at(when)
        if version.like:
            if self.book is None:
                raise ConfigError(f"'like: {version.like}' needs the bundled table", file=self.file)
            base = self.book.quote(version.like, when, batch=batch)
            if base is None:
                raise ConfigError(f"model {self.match!r}: 'like: {version.like}' is not in the price table", file=self.file)
            q = replace(base, model_id=self.model_id, source=f"override {self.file} (like {base.model_id})")
            if "web_search_per_k" in version.prices:
                q = replace(q, web_search_per_k=version.prices["web_search_per_k"])
            return q
        p = version.prices
        inp = p["input"]
        q = Quote(
            model_id=self.model_id,
            provider=self.provider,
            input=inp,
            cache_read=p.get("cache_read", inp),
            cache_write=p.get("cache_write", inp),
            cache_write_1h=p.get("cache_write_1h", p.get("cache_write", inp)),
            output=p["output"],
            web_search_per_k=p.get("web_search_per_k", 0.0),
            context_window=self.context_window,
            source=f"override {self.file}",
        )
        if batch and self.batch_discount:
            q = replace(q.scaled(1 - self.batch_discount, fees=False), batch=True)
        return q

    def _version_at(self, when: datetime) -> _Dated:
        day = when.astimezone(UTC).date()
        active = [v for v in self.versions if v.valid_from is None or v.valid_from <= day]
        if not active:
            # before the first dated price: use the earliest one rather than nothing
            return min(self.versions, key=lambda v: v.valid_from or date.min)
        return max(active, key=lambda v: v.valid_from or date.min)


@dataclass
class Discount:
    provider: str | None
    model: str | None
    percent: float

    def applies(self, model_id: str, provider: str) -> bool:
        if self.provider and self.provider.lower() != (provider or "").lower():
            return False
        if self.model and not _match(self.model, model_id):
            return False
        return True


@dataclass
class Overrides:
    file: str
    models: list[ModelOverride]
    discounts: list[Discount]

    def find(self, model: str, provider: str = "") -> ModelOverride | None:
        for ov in self.models:
            if ov.matches(model):
                return ov
        return None

    def discount_factor(self, model_id: str, provider: str) -> float:
        factor = 1.0
        for d in self.discounts:
            if d.applies(model_id, provider):
                factor *= 1 - d.percent / 100.0
        return factor


def _match(pattern: str, model: str) -> bool:
    if pattern.startswith("re:"):
        return re.fullmatch(pattern[3:], model, flags=re.I) is not None
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(model.lower(), pattern.lower())
    return pattern.lower() == model.lower()


def _num(value: Any, key: str, file: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: {key} must be a number, got {value!r}", file=file)
    if value < 0:
        raise ConfigError(f"{where}: {key} must not be negative ({value})", file=file)
    return float(value)


def load_overrides(path: str | Path) -> Overrides:
    """Read and validate an overrides YAML file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("price overrides file not found", file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read price overrides: {exc}", file=file) from None
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", file=file, line=yaml_error_line(exc)) from None
    if not isinstance(doc, dict):
        raise ConfigError("expected a mapping with 'models' and/or 'discounts'", file=file)
    unknown = set(doc) - {"models", "discounts"}
    if unknown:
        raise ConfigError(f"unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}", file=file, hint="allowed: models, discounts")
    by_match: dict[str, ModelOverride] = {}
    for i, entry in enumerate(doc.get("models") or [], start=1):
        where = f"models[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping", file=file)
        bad = set(entry) - _MODEL_KEYS
        if bad:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(map(str, bad)))}", file=file, hint=f"allowed: {', '.join(sorted(_MODEL_KEYS))}")
        match = entry.get("match")
        if not isinstance(match, str) or not match.strip():
            raise ConfigError(f"{where}: 'match' (model name, glob or re:regex) is required", file=file)
        if match.startswith("re:"):
            try:
                re.compile(match[3:])
            except re.error as exc:
                raise ConfigError(f"{where}: invalid regex {match[3:]!r}: {exc}", file=file) from None
        prices: dict[str, float] = {}
        like = entry.get("like")
        if "hourly_usd" in entry:
            hourly = _num(entry["hourly_usd"], "hourly_usd", file, where)
            tps = _num(entry.get("tokens_per_second"), "tokens_per_second", file, where) if "tokens_per_second" in entry else None
            if not tps:
                raise ConfigError(f"{where}: hourly_usd needs tokens_per_second (> 0) to become a $/1M-token price", file=file)
            per_mtok = hourly / (tps * 3600) * 1e6
            prices = {"input": per_mtok, "output": per_mtok}
        elif like is not None:
            if not isinstance(like, str):
                raise ConfigError(f"{where}: 'like' must be a model name", file=file)
        else:
            for k in ("input", "output"):
                if k not in entry:
                    raise ConfigError(f"{where}: '{k}' ($ per 1M tokens) is required", file=file)
        for k in ("input", "output", "cache_read", "cache_write", "cache_write_1h", "web_search_per_k"):
            if k in entry:
                prices[k] = _num(entry[k], k, file, where)
        vf = entry.get("valid_from")
        if vf is not None and not isinstance(vf, date):
            try:
                vf = date.fromisoformat(str(vf))
            except ValueError:
                raise ConfigError(f"{where}: valid_from must be a date like 2025-06-01, got {vf!r}", file=file) from None
        bd = _num(entry["batch_discount"], "batch_discount", file, where) if "batch_discount" in entry else 0.5
        if bd > 1:
            raise ConfigError(f"{where}: batch_discount is a fraction between 0 and 1", file=file)
        cw = entry.get("context_window")
        ov = by_match.get(match)
        if ov is None:
            ov = ModelOverride(
                match=match,
                provider=str(entry.get("provider") or "").lower(),
                model_id=str(entry.get("name") or match),
                batch_discount=bd,
                context_window=int(cw) if isinstance(cw, int) else None,
                file=file,
            )
            by_match[match] = ov
        ov.versions.append(_Dated(valid_from=vf, prices=prices, like=like))
    discounts: list[Discount] = []
    for i, entry in enumerate(doc.get("discounts") or [], start=1):
        where = f"discounts[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping", file=file)
        bad = set(entry) - _DISCOUNT_KEYS
        if bad:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(map(str, bad)))}", file=file, hint="allowed: provider, model, percent")
        pct = _num(entry.get("percent"), "percent", file, where)
        if pct > 100:
            raise ConfigError(f"{where}: percent must be between 0 and 100", file=file)
        discounts.append(Discount(provider=entry.get("provider"), model=entry.get("model"), percent=pct))
    return Overrides(file=file, models=list(by_match.values()), discounts=discounts)
