"""OpenRouter activity export: prompt includes cached, BYOK cost added."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmcost.errors import InputError
from llmcost.ingest import load
from llmcost.pricing import price_usage

FIX = Path(__file__).parent / "fixtures" / "openrouter"


def test_activity_export_rows():
    r = load([str(FIX / "activity.csv")])
    assert r.files == [(str(FIX / "activity.csv"), "openrouter-activity-csv", 3)]
    t = r.table
    assert t["input_tokens"].tolist() == [10389, 1000, 1000]
    assert t["cache_read_tokens"].tolist() == [0, 1000, 0]
    assert t["output_tokens"].tolist() == [137, 150, 50]
    assert t["reasoning_tokens"].tolist() == [0, 100, 0]
    # BYOK: OpenRouter's fee (0) plus the upstream inference billed to the key
    assert t["reported_cost_usd"].tolist() == pytest.approx([0.0123, 0.004125, 0.0025])
    assert t["app"].tolist() == ["acme-support", "acme-support", "batch-tools"]
    assert t["user"].tolist() == ["prod-key", "ana", "byok-key"]
    assert t["time"].dt.strftime("%Y-%m-%d %H:%M").tolist()[0] == "2025-10-01 09:15"
    p = price_usage(t)
    assert p.loc[0, "cost_usd"] > 0  # variant "standard": the paid model
    # openai/gpt-4o via OpenRouter: 1000 x $2.50 + 50 x $10 per 1M
    assert p.loc[2, "cost_usd"] == pytest.approx(0.003)


def test_header_only_export_has_no_rows(tmp_path):
    f = tmp_path / "empty_activity.csv"
    f.write_text((FIX / "activity.csv").read_text().splitlines()[0] + "\n")
    r = load([str(f)])
    assert r.files[0][1] == "openrouter-activity-csv" and len(r.table) == 0


def test_cached_above_prompt_is_a_bad_row(tmp_path):
    lines = (FIX / "activity.csv").read_text().splitlines()
    bad = lines[1].replace(",10389,137,0,0,", ",100,137,0,500,")
    f = tmp_path / "a.csv"
    f.write_text("\n".join([lines[0], bad]) + "\n")
    with pytest.raises(InputError, match=r"a.csv:2: tokens_cached exceed tokens_prompt"):
        load([str(f)])


def test_free_variant_is_priced_as_the_free_model(tmp_path):
    lines = (FIX / "activity.csv").read_text().splitlines()
    f = tmp_path / "free.csv"
    f.write_text("\n".join([lines[0], lines[1].replace(",standard,", ",free,")]) + "\n")
    p = price_usage(load([str(f)]).table)
    assert p.loc[0, "model"] == "openai/gpt-oss-120b:free"
    assert bool(p.loc[0, "priced"]) and p.loc[0, "cost_usd"] == 0.0


def test_cached_tokens_through_openrouter_get_the_upstream_cache_discount(tmp_path):
    # genai-prices' openrouter entry for openai/gpt-4o had no cache-read price before 2026-10-19:
    # the 1,024 cached tokens used to be priced at the full $2.50/M input price ($0.0060 for a
    # request OpenRouter billed $0.00472); OpenRouter passes OpenAI's 50% cache discount through
    header = "generation_id,created_at,cost_total,tokens_prompt,tokens_completion,tokens_cached,model_permaslug"
    f = tmp_path / "a.csv"
    f.write_text(header + "\ngen-1,2025-10-05 11:07:44.215,0.00472,2000,100,1024,openai/gpt-4o-2024-08-06\n")
    p = price_usage(load([str(f)]).table)
    # 976 x $2.50/M + 1,024 x $1.25/M + 100 x $10/M
    assert p.loc[0, "cost_usd"] == pytest.approx(0.00244 + 0.00128 + 0.001)
    assert p.loc[0, "reported_cost_usd"] == pytest.approx(0.00472)
