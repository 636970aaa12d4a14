"""Number formatting shared by analysis texts and renderers.

Money: ``$1,234.56``; amounts under one cent keep two significant digits
(``$0.0036``, ``$0.000012``) so sub-cent costs never show as ``$0.00``.
"""

from __future__ import annotations

import math

from ..wording import plural  # noqa: F401 (re-exported: the renderers import it from here)


def money(x: float | None, *, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) < 5e-13:  # float noise from summing many rows
        x = 0.0
    sign = "-" if x < 0 else ("+" if signed and x > 0 else "")
    a = abs(x)
    if a == 0:
        body = "0.00"
    elif a < 0.01:
        decimals = -math.floor(math.log10(a)) + 1
        body = f"{a:.{decimals}f}"
    else:
        body = f"{a:,.2f}"
    return f"{sign}${body}"


def pct(x: float | None, *, digits: int = 1, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x * 100:+.{digits}f}%" if signed else f"{x * 100:.{digits}f}%"


def count(n: float) -> str:
    return f"{int(n):,}"


def compact(n: float) -> str:
    """1234 -> 1.2K, 5_600_000 -> 5.6M (for narrow terminal columns)."""
    a = abs(float(n))
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= div:
            return f"{n / div:.1f}{suffix}"
    return f"{int(n):,}"


