"""Prices: the bundled, dated genai-prices table plus user overrides, and
vectorised pricing of a whole usage table.

    >>> from llmcost.pricing import PriceBook, price_usage
    >>> book = PriceBook.default()            # or PriceBook.default("overrides.yaml")
    >>> book.quote("gpt-4o-2024-08-06").input  # $ per 1M input tokens
    2.5
"""

from __future__ import annotations

from .book import KINDS, PriceBook, Quote, Resolution, name_candidates
from .overrides import Overrides, load_overrides
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
