"""Render an :class:`llmcost.analyze.Analysis` as text.

``render(analysis, fmt)`` with ``fmt`` one of :data:`FORMATS`:

* ``table``: a rich terminal report (colour only with ``color=True``; a fixed
  ``width``), with proportional share bars and a daily-cost sparkline;
* ``json``: every section, costs as plain numbers in USD;
* ``csv``: long format ``section,key,metric,value`` for spreadsheets;
* ``markdown``: GitHub tables.

Money reads ``$1,234.56``; amounts under a cent keep two significant digits
(``$0.0036``).
"""

from __future__ import annotations

from ..analyze.model import Analysis
from ..errors import InputError

FORMATS: tuple[str, ...] = ("table", "json", "csv", "markdown")
_ALIASES = {"md": "markdown", "text": "table", "terminal": "table"}

__all__ = ["FORMATS", "render"]


def render(analysis: Analysis, fmt: str, *, color: bool = False, width: int = 100) -> str:
    name = _ALIASES.get(fmt.lower(), fmt.lower())
    if name == "table":
        from .table import render_table

        return render_table(analysis, color=color, width=width)
    if name == "json":
        from .json import render_json

        return render_json(analysis)
    if name == "csv":
        from .csv import render_csv

        return render_csv(analysis)
    if name == "markdown":
        from .markdown import render_markdown

        return render_markdown(analysis)
    raise InputError(f"unknown output format {fmt!r}", hint=f"choose from {', '.join(FORMATS)}")
