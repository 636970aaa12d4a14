"""LiteLLM spend logs and StandardLoggingPayload ingestion: exact canonical numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from llmcost.errors import InputError
from llmcost.ingest import detect, load
from llmcost.ingest._io import open_source
from llmcost.ingest.litellm import normalize_provider

FIX = Path(__file__).parent / "fixtures" / "litellm"
EXT = Path("/work/shared/ext/usage/litellm/spend_logs_payload.json")


def _by_id(table: pd.DataFrame) -> dict[str, pd.Series]:
    return {str(r["request_id"]): r for _, r in table.iterrows()}


def test_csv_detected_as_spend_logs() -> None:
    assert detect(open_source(str(FIX / "spend_logs.csv"))).name == "litellm-spend-logs"


def test_csv_openai_row_splits_cached_tokens() -> None:
    res = load([str(FIX / "spend_logs.csv")])
    assert len(res.table) == 5
    a = _by_id(res.table)["chatcmpl-A1"]
    # prompt 1200 includes 1024 cached tokens
    assert (a["input_tokens"], a["cache_read_tokens"], a["cache_write_tokens"]) == (176, 1024, 0)
    assert (a["output_tokens"], a["reasoning_tokens"]) == (300, 0)
    assert a["reported_cost_usd"] == pytest.approx(0.000183)
    assert a["provider"] == "openai" and a["model"] == "gpt-4o-mini"
    assert a["app"] == "search-team"  # team alias beats team_id
    assert a["user"] == "alice"
    assert a["feature"] == "summarize"  # first request tag
    assert a["session"] == "sess-1"
    assert a["time"] == pd.Timestamp("2025-06-01 10:00:00.123", tz="UTC")
    assert a["source_row"] == 2
    assert a["requests"] == 1


def test_csv_anthropic_current_litellm_subtracts_read_and_write() -> None:
    b = _by_id(load([str(FIX / "spend_logs.csv")]).table)["chatcmpl-B2"]
    # prompt 5300 = 100 uncached + 4000 read + 1200 written (cache_creation_tokens recorded)
    assert (b["input_tokens"], b["cache_read_tokens"], b["cache_write_tokens"], b["cache_write_1h_tokens"]) == (
        100, 4000, 1200, 1000)
    assert b["output_tokens"] == 80
    assert b["provider"] == "anthropic"
    assert b["app"] == "team-123"  # no alias: team_id
    assert b["user"] == "cust-9"  # user empty: end_user
    assert b["feature"] == "acompletion"  # no tags: call_type


def test_csv_anthropic_older_litellm_subtracts_read_only() -> None:
    c = _by_id(load([str(FIX / "spend_logs.csv")]).table)["chatcmpl-C3"]
    # prompt 4100 = 100 uncached + 4000 read; the 1200 written were not added
    assert (c["input_tokens"], c["cache_read_tokens"], c["cache_write_tokens"]) == (100, 4000, 1200)
    assert c["provider"] == "anthropic"  # from the "anthropic/" model prefix
    assert c["model"] == "anthropic/claude-3-5-sonnet-20241022"
    assert c["user"] == "ci-key"  # API key alias


def test_csv_cache_hit_is_free_and_warned() -> None:
    res = load([str(FIX / "spend_logs.csv")])
    d = _by_id(res.table)["chatcmpl-D4"]
    assert d["input_tokens"] == 0 and d["output_tokens"] == 0 and d["cache_read_tokens"] == 0
    assert d["reported_cost_usd"] == 0.0
    assert d["requests"] == 1
    assert any("1 LiteLLM cache hit" in w for w in res.warnings)


def test_csv_row_without_usage_object() -> None:
    e = _by_id(load([str(FIX / "spend_logs.csv")]).table)["chatcmpl-E5"]
    assert (e["input_tokens"], e["cache_read_tokens"], e["output_tokens"]) == (300, 0, 700)
    assert e["provider"] == "google"
    assert e["feature"] == "aembedding"
    assert e["time"] == pd.Timestamp("2025-06-02 00:30:00", tz="UTC")


def test_csv_totals() -> None:
    t = load([str(FIX / "spend_logs.csv")]).table
    assert int(t["input_tokens"].sum()) == 176 + 100 + 100 + 0 + 300
    assert int(t["cache_read_tokens"].sum()) == 1024 + 4000 + 4000
    assert t["reported_cost_usd"].sum() == pytest.approx(0.000183 + 0.008895 + 0.00273 + 0.0 + 0.007375)


def test_v2_json_page_with_object_metadata() -> None:
    res = load([str(FIX / "spend_logs_v2.json")])
    assert res.files[0][1] == "litellm-spend-logs"
    row = res.table.iloc[0]
    assert (row["input_tokens"], row["cache_read_tokens"], row["output_tokens"]) == (176, 1024, 300)
    assert row["feature"] == "summarize"
    assert row["time"] == pd.Timestamp("2025-06-01 10:00:00.123", tz="UTC")


def test_bad_row_raises_with_line_and_can_be_skipped() -> None:
    path = str(FIX / "spend_logs_bad.jsonl")
    with pytest.raises(InputError) as err:
        load([path])
    assert err.value.line == 2
    assert "exceed prompt_tokens" in str(err.value)
    res = load([path], skip_bad=True)
    assert len(res.table) == 1
    assert [(s.line) for s in res.skipped] == [2]


def test_standard_logging_payload() -> None:
    res = load([str(FIX / "standard_logging_payload.jsonl")])
    assert res.files[0][1] == "litellm-logging-payload"
    r = res.table.iloc[0]
    assert (r["input_tokens"], r["cache_read_tokens"], r["output_tokens"]) == (464, 1536, 150)
    assert r["reported_cost_usd"] == pytest.approx(0.00422)
    assert r["provider"] == "azure"
    assert r["app"] == "analytics"
    assert r["user"] == "svc-key"
    assert r["feature"] == "batch-eval"
    assert r["request_id"] == "chatcmpl-slp-1"
    assert r["time"] == pd.Timestamp(1737710446.847371, unit="s", tz="UTC")
    assert r["prompt"] == "Be brief.\nHello there"
    assert r["response"] == "Hi!"


def test_duplicate_request_ids_across_exports_counted_once(tmp_path: Path) -> None:
    copy = tmp_path / "again.csv"
    copy.write_text((FIX / "spend_logs.csv").read_text())
    res = load([str(FIX / "spend_logs.csv"), str(copy)])
    assert len(res.table) == 5
    assert res.duplicates_dropped == 5


@pytest.mark.parametrize(
    ("provider", "model", "expected"),
    [
        ("openai", "gpt-4o", "openai"),
        ("bedrock", "anthropic.claude-3-haiku", "aws"),
        ("gemini", "gemini-2.0-flash", "google"),
        ("vertex_ai", "claude-3-5-sonnet@20240620", ""),
        ("xai", "grok-2", "x-ai"),
        ("", "groq/llama3-70b", "groq"),
        ("", "gpt-4o", ""),
        ("", "meta-llama/Llama-3-8b", ""),
    ],
)
def test_normalize_provider(provider: str, model: str, expected: str) -> None:
    assert normalize_provider(provider, model) == expected


@pytest.mark.skipif(not EXT.exists(), reason="shared real-data folder not present")
def test_real_litellm_payload() -> None:
    res = load([str(EXT)])
    r = res.table.iloc[0]
    assert res.files[0][1] == "litellm-spend-logs"
    assert (r["model"], r["provider"]) == ("gpt-4o", "openai")
    assert (r["input_tokens"], r["output_tokens"], r["cache_read_tokens"]) == (10, 20, 0)
    assert math.isclose(r["reported_cost_usd"], 0.000225)
    assert r["time"] == pd.Timestamp("2025-01-24 09:20:46.847371", tz="UTC")
    assert r["session"] == "1234567890"


def test_daily_user_spend_table() -> None:
    res = load([str(FIX / "daily_user_spend.csv")])
    assert res.files[0][1] == "litellm-daily-spend"
    o, a = res.table.to_dict("records")
    # OpenAI: 120000 prompt includes 80000 cache reads
    assert (o["input_tokens"], o["cache_read_tokens"], o["cache_write_tokens"], o["output_tokens"]) == (
        40000, 80000, 0, 30000)
    assert (o["requests"], o["user"], o["feature"], o["provider"]) == (40, "alice", "/chat/completions", "openai")
    assert o["time"] == pd.Timestamp("2025-06-01", tz="UTC")
    assert o["reported_cost_usd"] == pytest.approx(0.0282)
    # Anthropic: 53000 = 1000 uncached + 40000 read + 12000 written
    assert (a["input_tokens"], a["cache_read_tokens"], a["cache_write_tokens"], a["requests"]) == (
        1000, 40000, 12000, 10)


def test_spend_logs_csv_with_headers_a_spreadsheet_respelt_reads_as_litellm(tmp_path):
    # "Request Id", "START TIME", "cache-hit": the generic reader took such a file and lost the cache
    # tokens LiteLLM records in metadata, so the cost came out silently different
    import re

    from llmcost.ingest import load

    original = Path(__file__).resolve().parents[1] / "samples" / "logs" / "litellm_spend_logs.csv"
    text = original.read_text(encoding="utf-8")
    header, body = text.split("\n", 1)

    def respell(name: str) -> str:
        words = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").split()
        return " ".join(w.capitalize() for w in words)

    names = header.split(",")
    respelt = [respell(n) for n in names]
    respelt[names.index("startTime")] = "START TIME"
    respelt[names.index("cache_hit")] = "cache-hit"
    renamed = tmp_path / "spend.csv"
    renamed.write_text(",".join(respelt) + "\n" + body, encoding="utf-8")

    want, got = load([str(original)]), load([str(renamed)])
    assert set(got.table["source_format"]) == set(want.table["source_format"]) == {"litellm-spend-logs"}
    for col in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reported_cost_usd"):
        assert got.table[col].sum() == want.table[col].sum(), col
    assert (got.table["time"] == want.table["time"]).all()
    assert f"{renamed}: columns read by LiteLLM's names: 'Api Base' as api_base, 'Api Key' as api_key, " \
           "'Call Type' as call_type, 'Completion Start Time' as completionStartTime and 21 more" in got.warnings
    assert not any("LiteLLM's names" in w for w in want.warnings)
