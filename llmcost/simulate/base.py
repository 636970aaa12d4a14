"""The lever interface shared by every ``llmcost whatif`` lever.

A lever takes the scenario table (canonical columns, see :mod:`llmcost.schema`)
and returns a :class:`LeverOutcome` whose ``table`` is the scenario after the
lever: it may change ``model`` / ``provider``, the token columns and ``batch``.
A request removed by a response-cache hit keeps its row with every token
column set to 0 and a boolean column ``cache_hit`` set to True, so row counts
and indexes stay aligned across levers.

A lever that cannot run (missing text, missing session ids, invalid option)
raises :class:`LeverError`; the engine reports it and runs the other levers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from ..errors import LlmcostError
from ..pricing import PriceBook

# The fixed order in which the engine applies levers.
LEVER_ORDER: tuple[str, ...] = (
    "route",
    "cache",
    "prompt-cache",
    "compress",
    "history",
    "output-cap",
    "batch",
)


@dataclass
class LeverOutcome:
    """The scenario after one lever, with what it changed and what it risks."""

    name: str  # one of LEVER_ORDER
    table: pd.DataFrame  # canonical columns (+ optional cache_hit / quality)
    requests_affected: int
    notes: list[str] = field(default_factory=list)  # assumptions, plain words
    risks: list[str] = field(default_factory=list)  # risk notes for a reviewer
    details: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable


class LeverError(LlmcostError):
    """``lever X cannot run: why`` — reported by the engine; other levers still run."""

    def __init__(self, lever: str, why: str, *, file: str | None = None, hint: str | None = None) -> None:
        super().__init__(f"lever {lever} cannot run: {why}", file=file, hint=hint)
        self.lever = lever
        self.why = why


class Lever(Protocol):
    """One optimisation lever."""

    name: str

    def apply(self, table: pd.DataFrame, book: PriceBook) -> LeverOutcome: ...
