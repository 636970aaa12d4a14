"""OpenAI readers: dashboard CSV exports, Usage/Costs API dumps, response logs, Batch output."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from llmcost.errors import InputError
from llmcost.ingest import load
from llmcost.ingest._io import open_source
from llmcost.ingest.openai import READERS

FIX = Path(__file__).parent / "fixtures" / "openai"
EXT = Path("/work/shared/ext/usage")

SNIFF = {r.name: r.sniff for r in READERS}
TOKENS = ["input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens", "requests"]


def _load(path: Path | str, **kw):
    return load([str(path)], **kw)


def _sums(table: pd.DataFrame) -> dict[str, int]:
    return {c: int(table[c].sum()) for c in TOKENS}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ------------------------------------------------------------------------------
# Dashboard CSV exports
# ------------------------------------------------------------------------------

def test_usage_csv_buckets_subtract_cached_input():
    res = _load(FIX / "usage_export.csv")
    assert res.files[0][1] == "openai-usage-csv"
    t = res.table
    assert list(t["source_row"]) == [3, 4, 5, 6]  # line 2 is an empty bucket
    assert list(t["input_tokens"]) == [3188, 5904, 8570, 1816]  # input - input_cached
    assert list(t["cache_read_tokens"]) == [1024, 0, 7168, 0]
    assert list(t["output_tokens"]) == [1673, 1419, 1482, 1168]
    assert list(t["requests"]) == [3, 1, 25, 2]  # "3.0" style floats are whole numbers
    assert list(t["batch"]) == [False, False, True, False]
    assert list(t["app"]) == ["proj_alpha", "proj_alpha", "proj_beta", ""]
    assert list(t["user"]) == ["user_ann", "key_Y0r9whvwK8Gilt6s", "key_TrCdJcJYEpJnxEzh", ""]
    assert list(t["model"]) == ["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", ""]
    assert list(t["service_tier"]) == ["standard", "standard", "", ""]
    assert set(t["provider"]) == {"openai"}
    assert list(t["long_context"]) == [False] * 4
    assert t["time"].iloc[0] == pd.Timestamp("2025-10-27T00:10:00Z")
    assert t["reported_cost_usd"].isna().all()
    assert _sums(t) == {
        "input_tokens": 19478,
        "cache_read_tokens": 8192,
        "cache_write_tokens": 0,
        "output_tokens": 5742,
        "reasoning_tokens": 0,
        "requests": 31,
    }
    assert any("120 audio input and 64 audio output" in w for w in res.warnings)


def test_usage_csv_negative_tokens_names_file_and_line():
    path = FIX / "usage_export_negative.csv"
    with pytest.raises(InputError) as err:
        _load(path)
    assert err.value.line == 3
    assert err.value.file == str(path)
    assert "output_tokens" in str(err.value) and "negative" in str(err.value)


def test_usage_csv_negative_tokens_skipped_with_skip_bad():
    res = _load(FIX / "usage_export_negative.csv", skip_bad=True)
    assert [s.line for s in res.skipped] == [3]
    t = res.table
    assert list(t["source_row"]) == [2, 4]
    assert list(t["input_tokens"]) == [1000, 200]
    assert list(t["cache_read_tokens"]) == [0, 100]
    assert int(t["output_tokens"].sum()) == 250


def test_usage_csv_cached_above_input_is_bad(tmp_path):
    path = _write(
        tmp_path,
        "u.csv",
        "start_time,end_time,start_time_iso,end_time_iso,num_model_requests,model,input_tokens,output_tokens,input_cached_tokens\n"
        "1761523200,1761523260,2025-10-27T00:00:00+00:00,2025-10-27T00:01:00+00:00,1,gpt-4o,100,5,300\n",
    )
    with pytest.raises(InputError) as err:
        _load(path)
    assert err.value.line == 2 and "exceed" in str(err.value)


USAGE_HEADER = ("start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,model,batch,"
                "input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens")
USAGE_ROW = ("1759276800,1759363200,2025-10-01T00:00:00+00:00,2025-10-02T00:00:00+00:00,proj_a,50,gpt-4o-2024-08-06,"
             "False,1000000,100000,200000,800000")


def _drop_column(name: str) -> str:
    head, row = USAGE_HEADER.split(","), USAGE_ROW.split(",")
    i = head.index(name)
    return ",".join(head[:i] + head[i + 1:]) + "\n" + ",".join(row[:i] + row[i + 1:]) + "\n"


@pytest.mark.parametrize("column", ["output_tokens", "num_model_requests"])
def test_usage_csv_missing_required_column_is_an_error(tmp_path, column):
    # used to be read with 0 output tokens (or as a generic CSV counting rows as requests), priced low silently
    path = _write(tmp_path, "u.csv", _drop_column(column))
    with pytest.raises(InputError) as err:
        _load(path)
    assert str(err.value) == f"{path}: OpenAI usage export lacks column {column} (export it again with all columns)"


def test_usage_csv_without_input_tokens_reads_input_uncached_tokens(tmp_path):
    # used to fall to generic-csv, which ignored input_uncached_tokens: 800,000 input tokens priced at $0
    res = _load(_write(tmp_path, "u.csv", _drop_column("input_tokens")))
    assert res.files[0][1:] == ("openai-usage-csv", 1)
    assert _sums(res.table) == {"input_tokens": 800_000, "cache_read_tokens": 200_000, "cache_write_tokens": 0,
                                "output_tokens": 100_000, "reasoning_tokens": 0, "requests": 50}
    from llmcost.pricing import price_usage
    priced = price_usage(res.table)
    # gpt-4o: 800K x $2.50/M + 200K x $1.25/M + 100K x $10/M
    assert priced["cost_usd"].sum() == pytest.approx(2.0 + 0.25 + 1.0)


def test_usage_csv_empty_export_yields_no_rows(tmp_path):
    path = _write(
        tmp_path,
        "empty.csv",
        "start_time,end_time,start_time_iso,end_time_iso\n"
        "1735689600,1735776000,2025-01-01T00:00:00+00:00,2025-01-02T00:00:00+00:00\n",
    )
    res = _load(path)
    assert res.files[0][1:] == ("openai-usage-csv", 0)
    assert len(res.table) == 0
    assert res.warnings


def test_costs_csv_rows_are_cost_only_with_line_item_model():
    res = _load(FIX / "costs_export.csv")
    assert res.files[0][1] == "openai-costs-csv"
    t = res.table
    assert list(t["source_row"]) == [3, 4, 5, 6]
    assert list(t["reported_cost_usd"]) == pytest.approx([1.25, 0.0375, 0.3, 0.025])
    assert t["reported_cost_usd"].sum() == pytest.approx(1.6125)
    assert list(t["model"]) == ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18", ""]
    assert list(t["feature"])[3] == "web search tool calls"
    assert list(t["app"]) == ["Alpha", "proj_beta", "proj_beta", "Alpha"]
    assert list(t["batch"]) == [False, False, True, False]
    assert _sums(t) == dict.fromkeys(TOKENS, 0)
    assert t["time"].iloc[0] == pd.Timestamp("2025-10-01T00:00:00Z")


def test_costs_csv_non_usd_currency_is_an_error(tmp_path):
    text = (FIX / "costs_export.csv").read_text().replace("0.0375000000,usd", "0.0375000000,eur")
    path = _write(tmp_path, "c.csv", text)
    with pytest.raises(InputError) as err:
        _load(path)
    assert err.value.line == 4 and "not USD" in str(err.value)
    res = _load(path, skip_bad=True)
    assert len(res.table) == 3 and [s.line for s in res.skipped] == [4]


# ------------------------------------------------------------------------------
# Usage API / Costs API JSON
# ------------------------------------------------------------------------------

def test_usage_api_list_of_pages():
    res = _load(FIX / "usage_api_pages.json")
    assert res.files[0][1] == "openai-usage-api"
    t = res.table
    assert list(t["input_tokens"]) == [200, 20000, 4952]
    assert list(t["cache_read_tokens"]) == [800, 0, 2048]
    assert list(t["output_tokens"]) == [500, 3000, 900]
    assert list(t["requests"]) == [5, 40, 12]
    assert list(t["batch"]) == [False, True, False]
    assert list(t["model"]) == ["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", ""]
    assert list(t["user"]) == ["key_abc", "user_x", ""]
    assert list(t["app"]) == ["proj_abc", "proj_abc", ""]
    assert list(t["time"]) == [
        pd.Timestamp(1730419200, unit="s", tz="UTC"),
        pd.Timestamp(1730419200, unit="s", tz="UTC"),
        pd.Timestamp(1730592000, unit="s", tz="UTC"),
    ]


def test_usage_api_jsonl_pages_and_bare_bucket_list(tmp_path):
    pages = json.loads((FIX / "usage_api_pages.json").read_text())
    jsonl = _write(tmp_path, "pages.jsonl", "\n".join(json.dumps(p) for p in pages) + "\n")
    buckets = _write(tmp_path, "buckets.json", json.dumps([b for p in pages for b in p["data"]]))
    for path in (jsonl, buckets):
        res = _load(path)
        assert res.files[0][1] == "openai-usage-api"
        assert _sums(res.table) == {
            "input_tokens": 25152,
            "cache_read_tokens": 2848,
            "cache_write_tokens": 0,
            "output_tokens": 4400,
            "reasoning_tokens": 0,
            "requests": 57,
        }


def test_usage_api_cache_write_tokens_are_subtracted(tmp_path):
    page = {
        "object": "page",
        "data": [{"object": "bucket", "start_time": 1760000000, "end_time": 1760086400, "results": [{
            "object": "organization.usage.completions.result", "input_tokens": 10000, "input_cached_tokens": 6000,
            "input_cache_write_tokens": 1500, "output_tokens": 300, "num_model_requests": 7, "model": "gpt-5",
            "service_tier": "priority",
        }]}],
        "has_more": False, "next_page": None,
    }
    t = _load(_write(tmp_path, "p.json", json.dumps(page))).table
    assert (t["input_tokens"].iloc[0], t["cache_read_tokens"].iloc[0], t["cache_write_tokens"].iloc[0]) == (2500, 6000, 1500)
    assert t["service_tier"].iloc[0] == "priority"


def test_costs_api_page():
    res = _load(FIX / "costs_api_page.json")
    assert res.files[0][1] == "openai-costs-api"
    t = res.table
    assert list(t["reported_cost_usd"]) == pytest.approx([0.06, 0.12, 0.5])
    assert list(t["model"]) == ["gpt-4o-2024-08-06", "gpt-4o-2024-08-06", ""]
    assert list(t["feature"]) == ["gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06, output", "File search tool calls"]
    assert list(t["requests"]) == [0, 0, 0]
    assert list(t["app"]) == ["proj_abc", "proj_abc", ""]


# ------------------------------------------------------------------------------
# Chat Completions / Responses logs
# ------------------------------------------------------------------------------

def test_chat_and_responses_log():
    res = _load(FIX / "chat_responses.jsonl")
    assert res.files[0][1] == "openai-responses"
    t = res.table
    assert list(t["source_row"]) == [1, 2, 3, 4, 5, 6, 8]  # line 7: stream chunk without usage
    assert list(t["input_tokens"]) == [86, 200, 25, 476, 3, 326, 10]
    assert list(t["cache_read_tokens"]) == [1920, 128, 0, 1024, 0, 0, 0]
    assert list(t["cache_write_tokens"]) == [0, 0, 0, 0, 3211, 0, 0]
    assert list(t["output_tokens"]) == [300, 52, 1, 200, 100, 91, 2]
    assert list(t["reasoning_tokens"]) == [256, 0, 0, 0, 0, 0, 0]
    assert list(t["requests"]) == [1] * 7
    assert list(t["provider"]) == ["openai", "openai", "openai", "openai", "openrouter", "openrouter", "openai"]
    assert list(t["service_tier"])[:2] == ["standard", "flex"]
    assert list(t["request_id"])[:3] == ["chatcmpl-A1", "resp_B2", "chatcmpl-C3"]
    assert t["time"].iloc[0] == pd.Timestamp(1727000000, unit="s", tz="UTC")
    assert t["time"].iloc[1] == pd.Timestamp(1741476542, unit="s", tz="UTC")
    assert t["time"].iloc[3] == pd.Timestamp("2025-03-01T12:00:00Z")
    assert t["reported_cost_usd"].iloc[4] == pytest.approx(0.01355025)
    assert t["reported_cost_usd"].iloc[5] == pytest.approx(0.0003253)  # BYOK: 0 + upstream cost
    assert math.isnan(t["reported_cost_usd"].iloc[0])
    assert t["prompt"].iloc[2] == "Be brief.\nWhat is 2+2?"
    assert t["response"].iloc[2] == "4"
    assert t["response"].iloc[1] == "Hello there"
    assert t["response"].iloc[0] == "Paris."
    assert (t["user"].iloc[2], t["app"].iloc[2]) == ("u-42", "calc")
    assert (t["user"].iloc[3], t["feature"].iloc[3], t["session"].iloc[3]) == ("alice", "summarize", "s-1")
    assert t["feature"].iloc[1] == "greeting"
    assert not t["batch"].any()


def test_log_bad_json_line_names_the_line(tmp_path):
    lines = (FIX / "chat_responses.jsonl").read_text().splitlines()
    lines.insert(2, '{"id": "chatcmpl-X", "usage": {"prompt_tokens": 5')  # truncated: file line 3
    path = _write(tmp_path, "log.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        _load(path)
    assert err.value.line == 3 and err.value.file == str(path)
    res = _load(path, skip_bad=True)
    assert [s.line for s in res.skipped] == [3]
    assert len(res.table) == 7


def test_log_line_without_usage_is_bad(tmp_path):
    lines = [
        json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1727000000, "model": "gpt-4o",
                    "usage": {"prompt_tokens": 10, "completion_tokens": 3}}),
        json.dumps({"id": "chatcmpl-2", "object": "chat.completion", "created": 1727000001, "model": "gpt-4o",
                    "choices": []}),
        json.dumps({"id": "chatcmpl-3", "object": "chat.completion", "created": 1727000002, "model": "gpt-4o",
                    "usage": {"prompt_tokens": 10, "completion_tokens": -3}}),
    ]
    path = _write(tmp_path, "log.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        _load(path)
    assert err.value.line == 2 and "no usage block" in str(err.value)
    res = _load(path, skip_bad=True)
    assert [(s.line, "negative" in s.reason or "no usage" in s.reason) for s in res.skipped] == [(2, True), (3, True)]
    assert list(res.table["input_tokens"]) == [10]


def test_cached_above_prompt_is_bad(tmp_path):
    line = {"object": "chat.completion", "model": "gpt-4o",
            "usage": {"prompt_tokens": 10, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 64}}}
    path = _write(tmp_path, "log.jsonl", json.dumps(line) + "\n" + json.dumps(line) + "\n")
    with pytest.raises(InputError) as err:
        _load(path)
    assert err.value.line == 1 and "exceed" in str(err.value)


def test_responses_stream_events_count_only_the_completed_response(tmp_path):
    base = {"id": "resp_S1", "object": "response", "created_at": 1741476542, "model": "gpt-5-mini-2025-08-07"}
    events = [
        {"type": "response.created", "sequence_number": 0, "response": {**base, "status": "in_progress", "usage": None}},
        {"type": "response.output_text.delta", "sequence_number": 1, "item_id": "msg_1", "delta": "Hi"},
        {"type": "response.completed", "sequence_number": 2, "response": {
            **base, "status": "completed",
            "output": [{"type": "message", "content": [{"type": "output_text", "text": "Hi"}]}],
            "usage": {"input_tokens": 5000, "input_tokens_details": {"cached_tokens": 4096},
                      "output_tokens": 700, "output_tokens_details": {"reasoning_tokens": 640}}}},
    ]
    path = _write(tmp_path, "stream.jsonl", "\n".join(json.dumps(e) for e in events) + "\n")
    res = _load(path)
    assert res.files[0][1] == "openai-responses"
    t = res.table
    assert list(t["source_row"]) == [3]
    assert (t["input_tokens"].iloc[0], t["cache_read_tokens"].iloc[0]) == (904, 4096)
    assert (t["output_tokens"].iloc[0], t["reasoning_tokens"].iloc[0]) == (700, 640)
    assert t["response"].iloc[0] == "Hi" and t["request_id"].iloc[0] == "resp_S1"


def test_usage_api_non_token_results_are_warned_not_dropped_silently(tmp_path):
    page = {"object": "page", "has_more": False, "next_page": None, "data": [
        {"object": "bucket", "start_time": 1730419200, "end_time": 1730505600, "results": [
            {"object": "organization.usage.images.result", "images": 2, "num_model_requests": 2, "model": "dall-e-3"},
            {"object": "organization.usage.completions.result", "input_tokens": 50, "output_tokens": 9,
             "num_model_requests": 1, "model": "gpt-4o"},
        ]}]}
    res = _load(_write(tmp_path, "u.json", json.dumps(page)))
    assert len(res.table) == 1 and int(res.table["input_tokens"].iloc[0]) == 50
    assert any("1 organization.usage.images.result" in w for w in res.warnings)


# ------------------------------------------------------------------------------
# Batch output
# ------------------------------------------------------------------------------

def test_batch_output_skips_and_counts_failures():
    res = _load(FIX / "batch_output.jsonl")
    assert res.files[0][1] == "openai-batch-output"
    t = res.table
    assert list(t["source_row"]) == [1, 2]
    assert list(t["input_tokens"]) == [24, 176]
    assert list(t["cache_read_tokens"]) == [0, 1024]
    assert list(t["output_tokens"]) == [15, 80]
    assert list(t["request_id"]) == ["req_aaa", "req_bbb"]
    assert list(t["model"]) == ["gpt-4o-mini", "gpt-4.1-mini-2025-04-14"]
    assert t["batch"].all()
    assert t["time"].iloc[0] == pd.Timestamp(1711475054, unit="s", tz="UTC")
    assert any("2 failed batch requests not billed" in w for w in res.warnings)


# ------------------------------------------------------------------------------
# Sniffers stay specific
# ------------------------------------------------------------------------------

FOREIGN_LINES = {
    "anthropic": {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                  "content": [{"type": "text", "text": "hi"}],
                  "usage": {"input_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                            "output_tokens": 5}},
    "anthropic-usage-only": {"model": "claude-sonnet-4-5",
                             "usage": {"input_tokens": 10, "cache_read_input_tokens": 4, "output_tokens": 5}},
    "claude-code": {"type": "assistant", "sessionId": "abc", "timestamp": "2025-06-01T00:00:00Z", "requestId": "req_1",
                    "message": {"id": "msg_1", "model": "claude-sonnet-4", "usage": {"input_tokens": 3, "output_tokens": 4}}},
    "codex": {"timestamp": "2025-09-01T00:00:00Z", "type": "event_msg",
              "payload": {"type": "token_count", "info": {"total_token_usage": {"input_tokens": 5}}}},
    "litellm": {"request_id": "chatcmpl-1", "call_type": "acompletion", "spend": 0.000225, "startTime": "2025-01-24",
                "model": "gpt-4o", "prompt_tokens": 10, "completion_tokens": 20,
                "response": {"usage": {"prompt_tokens": 10, "completion_tokens": 20}}},
}


@pytest.mark.parametrize("kind", sorted(FOREIGN_LINES))
def test_sniffers_reject_other_formats(tmp_path, kind):
    line = json.dumps(FOREIGN_LINES[kind])
    source = open_source(str(_write(tmp_path, "x.jsonl", line + "\n" + line + "\n")))
    assert {name: sniff(source) for name, sniff in SNIFF.items()} == dict.fromkeys(SNIFF, 0)


def test_sniff_scores_are_specific():
    for fixture, fmt in [
        ("usage_export.csv", "openai-usage-csv"),
        ("costs_export.csv", "openai-costs-csv"),
        ("usage_api_pages.json", "openai-usage-api"),
        ("costs_api_page.json", "openai-costs-api"),
        ("chat_responses.jsonl", "openai-responses"),
        ("batch_output.jsonl", "openai-batch-output"),
    ]:
        source = open_source(str(FIX / fixture))
        scores = {name: sniff(source) if source.kind in r.kinds else 0
                  for (name, sniff), r in zip(SNIFF.items(), READERS)}
        assert 50 <= scores[fmt] <= 100, fixture
        assert [n for n, s in scores.items() if s >= scores[fmt]] == [fmt], fixture


# ------------------------------------------------------------------------------
# Real external files (skipped when /work/shared/ext is absent)
# ------------------------------------------------------------------------------

needs_ext = pytest.mark.skipif(not EXT.is_dir(), reason="external sample data not available")


@needs_ext
def test_ext_cookbook_usage_buckets_totals():
    res = load([str(EXT / "openai_admin_api" / "cookbook_completions_usage_buckets.json")])
    t = res.table
    assert res.files[0][1] == "openai-usage-api"
    assert len(t) == 26  # 31 buckets, 5 of them empty
    assert int(t["input_tokens"].sum() + t["cache_read_tokens"].sum()) == 16951009
    assert int(t["cache_read_tokens"].sum()) == 168128
    assert int(t["input_tokens"].sum()) == 16951009 - 168128
    assert int(t["output_tokens"].sum()) == 729421
    assert int(t["requests"].sum()) == 19347
    assert set(t["model"]) == {""}


@needs_ext
def test_ext_costs_page_and_batch_example():
    res = load([str(EXT / "openai_admin_api" / "openai_docs_costs_page_example.json"),
                str(EXT / "openai_batch" / "docs_batch_output_example.jsonl")])
    assert [f[1] for f in res.files] == ["openai-costs-api", "openai-batch-output"]
    t = res.table
    assert t["reported_cost_usd"].iloc[0] == pytest.approx(0.06)
    assert (t["input_tokens"].iloc[1], t["output_tokens"].iloc[1], bool(t["batch"].iloc[1])) == (24, 15, True)
    assert t["request_id"].iloc[1] == "req_c187b3"


@needs_ext
def test_ext_genai_prices_response_logs():
    base = EXT / "genai-prices"
    res = load([str(base / "openai_responses.jsonl")])
    t = res.table
    assert res.files[0][1] == "openai-responses" and len(t) == 20
    raw = [json.loads(x)["usage"] for x in (base / "openai_responses.jsonl").read_text().splitlines()]
    assert int(t["input_tokens"].sum() + t["cache_read_tokens"].sum()) == sum(u["input_tokens"] for u in raw)
    assert int(t["cache_read_tokens"].sum()) == sum(u["input_tokens_details"]["cached_tokens"] for u in raw)
    assert int(t["output_tokens"].sum()) == sum(u["output_tokens"] for u in raw)
    assert int(t["reasoning_tokens"].sum()) == sum(u["output_tokens_details"]["reasoning_tokens"] for u in raw)

    res = load([str(base / "openrouter_usage_with_billed_cost.jsonl")])
    t = res.table
    raw = [json.loads(x)["usage"] for x in (base / "openrouter_usage_with_billed_cost.jsonl").read_text().splitlines()]
    assert len(t) == len(raw) == 41
    assert set(t["provider"]) == {"openrouter"}
    expected_cost = sum(
        u["cost"] + (u["cost_details"]["upstream_inference_cost"] if u.get("is_byok") else 0) for u in raw
    )
    assert t["reported_cost_usd"].sum() == pytest.approx(expected_cost)
    total_in = sum(u.get("prompt_tokens", u.get("input_tokens", 0)) for u in raw)
    assert int(t["input_tokens"].sum() + t["cache_read_tokens"].sum() + t["cache_write_tokens"].sum()) == total_in

    res = load([str(base / "openai_chat_completions.jsonl")])
    assert res.files[0][1] == "openai-responses" and len(res.table) == 20
