"""Prices: the bundled, dated genai-prices table plus user overrides, and
vectorised pricing of a whole usage table.

    >>> from llmcost.pricing import PriceBook, price_usage
    >>> book = PriceBook.default()            # or PriceBook.default("overrides.yaml")
    >>> book.quote("gpt-4o-2024-08-06").input  # $ per 1M input tokens
    2.5
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .book import KINDS, PriceBook, Quote, Resolution, name_candidates
from .overrides import Overrides, load_overrides

if TYPE_CHECKING:
    from .vectorised import BILLED_MODEL, price_one, price_usage

__all__ = [
    "KINDS",
    "PriceBook",
    "Quote",
    "Resolution",
    "Overrides",
    "load_overrides",
    "price_usage",
    "price_one",
    "name_candidates",
    "BILLED_MODEL",
]


def __getattr__(name: str) -> Any:
    # The vectorised pricer needs pandas and numpy; quoting one model (the
    # price book) does not, so it is imported on first use only.
    if name in ("BILLED_MODEL", "price_one", "price_usage"):
        from . import vectorised

        return getattr(vectorised, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
