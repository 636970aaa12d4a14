"""llmcost: where does our LLM money go, and how much would we save?

Library first: everything the CLI does is a call here.

    >>> from llmcost import load, PriceBook, price_usage
    >>> usage = load(["samples/"]).table
    >>> priced = price_usage(usage, PriceBook.default())
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ConfigError, InputError, LlmcostError
from .ingest import LoadResult, load

__all__ = ["__version__", "LlmcostError", "InputError", "ConfigError", "load", "LoadResult"]
