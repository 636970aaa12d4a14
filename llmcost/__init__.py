"""llmcost: where does our LLM money go, and how much would we save?

Library first: everything the CLI does is a call here.

    >>> from llmcost import load
    >>> from llmcost.pricing import PriceBook, price_usage
    >>> usage = load(["samples/logs/"]).table
    >>> priced = price_usage(usage, PriceBook.default())
    >>> from llmcost.compress import compress_text
    >>> compress_text("Could you please summarise the text below in order to save time?").text
    'Summarise the text below to save time.'

"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from ._lazy import lazy_attributes
from .errors import ConfigError, InputError, LlmcostError

if TYPE_CHECKING:
    from .ingest import LoadResult, load

__all__ = ["__version__", "LlmcostError", "InputError", "ConfigError", "load", "LoadResult"]


# ``load`` and ``LoadResult`` pull in pandas and every ingest reader: imported on first use, so that
# ``import llmcost.tokens`` or the CLI stay light
__getattr__, __dir__ = lazy_attributes(__name__, {"load": "ingest", "LoadResult": "ingest"})
