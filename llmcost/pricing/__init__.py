"""Prices: the bundled, dated genai-prices table plus user overrides, and
vectorised pricing of a whole usage table.

    >>> from llmcost.pricing import PriceBook, price_usage
    >>> book = PriceBook.default()            # or PriceBook.default("overrides.yaml")
    >>> book.quote("gpt-4o-2024-08-06").input  # $ per 1M input tokens
    2.5
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .book import KINDS, PriceBook, Quote, Resolution, name_candidates
    from .overrides import Overrides, load_overrides
    from .vectorised import BILLED_MODEL, price_one, price_usage

_LAZY = {
    # the book needs genai-prices (~0.1 s to import); `llmcost compress` builds its price sheet
    # (.sheet) in its counting child, so this process imports the package without it
    "KINDS": "book", "PriceBook": "book", "Quote": "book", "Resolution": "book", "name_candidates": "book",
    # the vectorised pricer needs pandas and numpy; quoting one model does not
    "BILLED_MODEL": "vectorised", "price_one": "vectorised", "price_usage": "vectorised",
    # overrides need PyYAML; only read when an overrides file is given
    "Overrides": "overrides", "load_overrides": "overrides",
}

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


# imported on first use
__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)
