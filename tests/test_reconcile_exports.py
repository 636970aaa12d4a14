"""Cost exports loaded next to usage of the same provider and days reconcile
with it instead of being counted twice."""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.analyze import analyze
from llmcost.pricing import PriceBook, price_usage
from llmcost.schema import finalize


def _priced(rows):
    return price_usage(finalize(pd.DataFrame(rows), source="t", source_format="test"), PriceBook.default())


def test_cost_export_on_same_provider_day_is_reconciled_not_added():
    rows = [
        # usage: gpt-4o 1M input + 100k output on 2025-10-01 = $2.50 + $1.00
        dict(time="2025-10-01T10:00:00Z", provider="openai", model="gpt-4o", input_tokens=1_000_000, output_tokens=100_000, requests=40),
        # the provider's cost export for that day, split by line item
        dict(time="2025-10-01T00:00:00Z", provider="openai", model="", requests=0, reported_cost_usd=2.25, feature="gpt-4o, input"),
        dict(time="2025-10-01T00:00:00Z", provider="openai", model="", requests=0, reported_cost_usd=1.00, feature="gpt-4o, output"),
        # an Anthropic cost row with no Anthropic usage: it stays in the totals
        dict(time="2025-10-01T00:00:00Z", provider="anthropic", model="", requests=0, reported_cost_usd=5.0, feature="output_tokens"),
    ]
    a = analyze(_priced(rows))
    assert a.totals.cost_usd == pytest.approx(3.5 + 5.0)
    rec = a.reconciliation
    assert rec.available
    assert rec.total.ours_usd == pytest.approx(3.5)
    assert rec.total.provider_usd == pytest.approx(3.25)
    kinds = {k.key: k for k in rec.by_kind}
    assert rec.kind_split_from_provider
    assert kinds["input"].ours_usd == pytest.approx(2.5) and kinds["input"].provider_usd == pytest.approx(2.25)
    assert kinds["output"].provider_usd == pytest.approx(1.0)
    assert "not added to the totals" in rec.note
