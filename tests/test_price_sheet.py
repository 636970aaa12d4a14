"""The price sheet ``llmcost compress`` builds in its counting child: the same quotes and warnings
as the price table gives directly."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from llmcost.pricing import PriceBook
from llmcost.pricing.sheet import InputPrice, price_sheet


def test_quotes_are_the_tables_and_the_sheet_pickles_without_genai_prices() -> None:
    sheet = pickle.loads(pickle.dumps(price_sheet(["gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro", "gpt-4o"])))
    book = PriceBook.default()
    assert sheet.quote("gpt-4o") == InputPrice(2.5) == InputPrice.of(book.quote("gpt-4o"))  # $ per 1M input tokens
    assert sheet.quote("claude-sonnet-4-5").input == 3.0
    # long context: above 200,000 input tokens the whole request is billed at the higher price
    assert sheet.quote("gemini-2.5-pro") == InputPrice(1.25, ((200_000, InputPrice(2.5)),))
    assert (sheet.warnings, sheet.notes) == ([], [])
    with pytest.raises(KeyError):  # a model the sheet was not built for is never "unpriced"
        sheet.quote("gpt-4o-mini")


def test_unknown_models_get_a_warning_and_a_note_only_when_the_tokenizer_does_not_know_them() -> None:
    sheet = price_sheet(["gpt-4o-mnii", "gpt-9000"])
    assert sheet.quote("gpt-4o-mnii") is None and sheet.quote("gpt-9000") is None
    assert sheet.warnings == [
        "llmcost: warning: model 'gpt-4o-mnii' is not in the price table: it is not priced (tokens counted "
        "with o200k_base); did you mean gpt-4o-mini, ft:gpt-4o-mini, gpt-5.4-mini?",
        "llmcost: warning: model 'gpt-9000' is not in the price table: its count is an estimate and it is not priced",
    ]
    assert sheet.notes == ["gpt-9000: unknown model: its token counts are estimates and it is not priced"]


def test_without_dollars_the_table_is_read_only_for_a_model_the_tokenizer_does_not_know() -> None:
    sheet = price_sheet(["gpt-4o-mnii"], dollars=False)
    assert (sheet.quotes, sheet.warnings, sheet.notes) == (None, [], [])
    assert sheet.quote("anything") is None
    sheet = price_sheet(["claude-sonet-4-5"], dollars=False)
    assert sheet.warnings[0].startswith("llmcost: warning: model 'claude-sonet-4-5' is not in the price table: its "
                                        "count is an estimate and it is not priced; did you mean claude-sonnet-4-5")


def test_overrides_price_a_model_of_their_own(tmp_path: Path) -> None:
    prices = tmp_path / "prices.yaml"
    prices.write_text("models:\n  - match: our-llm\n    input: 0.5\n    output: 1.5\n", encoding="utf-8")
    sheet = price_sheet(["our-llm"], str(prices))
    assert sheet.quote("our-llm").input == 0.5
    assert sheet.warnings == []


def test_unpickling_a_sheet_needs_neither_the_book_nor_genai_prices() -> None:
    import subprocess
    import sys

    data = pickle.dumps(price_sheet(["gpt-4o"]))
    code = ("import pickle, sys; s = pickle.loads(sys.stdin.buffer.read()); "
            "print(s.quote('gpt-4o').input, 'genai_prices' in sys.modules, 'llmcost.pricing.book' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True).stdout
    assert out.decode().split() == ["2.5", "False", "False"]
