"""Small wording helpers shared by the analysis, the renderers and the compressor.

A module of its own (no pandas, no numpy) so light commands such as
``compress`` can use it without importing the analysis stack.
"""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "request")`` -> "1 request"; ``plural(2, ...)`` -> "2 requests"."""
    return f"{int(n):,} {word if int(n) == 1 else (many or word + 's')}"


__all__ = ["plural"]
