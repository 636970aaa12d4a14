"""Small value helpers shared by the record-by-record readers."""

from __future__ import annotations

import math
from typing import Any


def missing(value: Any) -> bool:
    """None, NaN or a blank string."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip() == ""


def token_count(value: Any, name: str, error: type[ValueError] = ValueError) -> int:
    """A token count (missing → 0); raises ``error`` naming the field otherwise."""
    if missing(value):
        return 0
    if isinstance(value, bool):
        raise error(f"{name} is not a number: {value!r}")
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise error(f"{name} is not a number: {value!r}") from None
    if math.isnan(num) or num != int(num):
        raise error(f"{name} is not a whole number: {value!r}")
    if num < 0:
        raise error(f"{name} is negative: {value!r}")
    return int(num)


def first(*values: Any) -> Any:
    """The first value that is not missing, else None."""
    for v in values:
        if not missing(v):
            return v
    return None


def text(value: Any) -> str:
    return "" if missing(value) else str(value)
