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


def test_two_usage_exports_of_the_same_days_warn_about_double_counting():
    from llmcost.analyze import overlap_warnings

    def rows(source, fmt):
        df = finalize(pd.DataFrame([
            dict(time="2025-10-01", provider="openai", model="gpt-4o", input_tokens=1000, requests=10),
            dict(time="2025-10-02", provider="openai", model="gpt-4o", input_tokens=1000, requests=10),
        ]), source=source, source_format=fmt)
        return df

    both = pd.concat([rows("usage.csv", "openai-usage-csv"), rows("usage.json", "openai-usage-api")], ignore_index=True)
    (w,) = overlap_warnings(price_usage(both, PriceBook.default()))
    assert w.startswith("usage.csv and usage.json both report usage") and "(2 such day/model pairs)" in w
    # two request logs of different apps on the same days are not a double count
    logs = pd.concat([rows("a.jsonl", "openai-responses"), rows("b.jsonl", "openai-batch-output")], ignore_index=True)
    assert overlap_warnings(price_usage(logs, PriceBook.default())) == []


def test_usage_export_without_models_says_how_to_fix_it():
    df = finalize(pd.DataFrame([dict(time="2025-10-01", provider="openai", model="", input_tokens=1000, requests=7)]),
                  source="usage.json", source_format="openai-usage-api")
    a = analyze(price_usage(df, PriceBook.default()))
    assert any("7 request(s) in 1 row(s) name no model" in w and "group_by=model" in w for w in a.warnings)
