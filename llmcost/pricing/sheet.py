"""A price sheet: what a report on a few named models needs of the price table, small enough to
build in another process (``llmcost compress`` builds it in its token-counting child while it
compresses: see :func:`llmcost.compress.meter.run_beside`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # (imported where used: this module is imported where genai-prices must not be)
    from .book import PriceBook, Quote


@dataclass(frozen=True)
class InputPrice:
    """A model's input price, USD per 1M tokens, and its long-context tiers ((threshold, price when
    the input exceeds it), ...): what :func:`llmcost.tokens.input_cost_per_1k_calls` reads of a
    :class:`~llmcost.pricing.book.Quote`, without the book's module (and genai-prices) to unpickle."""

    input: float | None
    tiers: tuple[tuple[int, InputPrice], ...] = ()

    @classmethod
    def of(cls, quote: Quote | None) -> InputPrice | None:
        if quote is None:
            return None
        return cls(quote.input, tuple((start, cls(tier.input)) for start, tier in quote.tiers))


@dataclass
class PriceSheet:
    """The input prices of some models (None: unpriced), the warning for each model the table does not
    know (with close matches) and a report note for each model neither the tokenizer mapping nor the
    table knows.  ``quotes`` is None where no dollars are shown (``llmcost compress --check``)."""

    quotes: dict[str, InputPrice | None] | None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def quote(self, model: str, when: Any = None) -> InputPrice | None:
        """The quote of one of the sheet's models (:class:`llmcost.tokens.PriceSource`); a model the
        sheet was not built for is a KeyError, never an unpriced None."""
        return None if self.quotes is None else self.quotes[model]


def unknown_model_warning(model: str, book: PriceBook) -> str | None:
    """The warning for a model the price table does not know (a typo, or newer than the table), with
    close matches; None for a known one.  tiktoken maps any "gpt-4o-..." name to o200k, so
    "gpt-4o-mnii" is counted exactly but not priced: that is said too, not only for names neither knows."""
    from .. import tokens as tok

    if book.resolve(model) is not None:
        return None
    import difflib

    names = sorted({q.model_id for q in book.entries()})
    close = difflib.get_close_matches(model.lower(), names, n=3, cutoff=0.75)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    encoding = tok.encoding_for_model(model)
    what = (f"it is not priced (tokens counted with {encoding})" if encoding is not None
            else "its count is an estimate and it is not priced")
    return f"llmcost: warning: model {model!r} is not in the price table: {what}{hint}"


def price_sheet(models: Sequence[str], overrides: str | None = None, *, dollars: bool = True) -> PriceSheet:
    """The :class:`PriceSheet` of ``models`` from the bundled table plus ``overrides`` (a YAML file).

    Without ``dollars`` the table (~0.1 s to load) is read only to validate ``overrides`` or for a
    model the tokenizer mapping does not know, which is then warned about: its count is an estimate."""
    from .. import tokens as tok

    def table() -> PriceBook:
        from .book import PriceBook

        return PriceBook.default(overrides=overrides)

    book = table() if dollars or overrides is not None else None
    sheet = PriceSheet({} if dollars else None)
    for m in dict.fromkeys(models):
        if book is not None and sheet.quotes is not None:
            sheet.quotes[m] = InputPrice.of(book.quote(m))
        if tok.encoding_for_model(m) is not None:
            if book is not None and dollars:  # counted exactly; unpriced is worth a word where dollars are shown
                line = unknown_model_warning(m, book)
                sheet.warnings += [line] if line is not None else []
            continue
        if book is None:
            book = table()
        line = unknown_model_warning(m, book)
        if line is not None:
            sheet.warnings.append(line)
            sheet.notes.append(f"{m}: unknown model: its token counts are estimates and it is not priced")
    return sheet


__all__ = ["InputPrice", "PriceSheet", "price_sheet", "unknown_model_warning"]
