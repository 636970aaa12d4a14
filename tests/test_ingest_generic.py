"""Generic CSV / JSONL / JSON / Parquet readers and --map mapping files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from llmcost.errors import ConfigError, InputError
from llmcost.ingest import detect, load
from llmcost.ingest._io import ReadContext, open_source
from llmcost.ingest.generic import READERS, load_mapping, resolve_columns
from llmcost.pricing import price_usage

FIX = Path(__file__).parent / "fixtures" / "generic"


def _rows(table: pd.DataFrame) -> list[dict]:
    return table.to_dict("records")


def test_csv_common_spellings() -> None:
    res = load([str(FIX / "usage.csv")])
    assert res.files[0][1] == "generic-csv"
    r = _rows(res.table)
    # gpt-4o, openai, prompt_tokens column: cache included -> 1000 - 400
    assert (r[0]["input_tokens"], r[0]["cache_read_tokens"], r[0]["output_tokens"]) == (600, 400, 200)
    assert (r[0]["provider"], r[0]["model"], r[0]["app"], r[0]["user"], r[0]["feature"]) == (
        "openai", "gpt-4o", "search", "u1", "/chat")
    assert r[0]["reported_cost_usd"] == pytest.approx(0.0055)
    assert r[0]["batch"] is False or r[0]["batch"] == False  # noqa: E712
    assert r[0]["time"] == pd.Timestamp("2025-05-01 08:00", tz="UTC")
    # Anthropic row: the input column excludes cache reads
    assert (r[1]["input_tokens"], r[1]["cache_read_tokens"], r[1]["output_tokens"]) == (800, 300, 100)
    assert bool(r[1]["batch"]) is True
    assert pd.isna(r[1]["reported_cost_usd"])
    # o3-mini, no provider: prompt_tokens naming -> included (nothing cached)
    assert (r[2]["input_tokens"], r[2]["output_tokens"], r[2]["reasoning_tokens"]) == (500, 900, 700)
    assert r[2]["user"] == "1042"
    assert [x["source_row"] for x in r] == [2, 3, 4]
    assert res.warnings == [f"{FIX / 'usage.csv'}: ignored columns: notes"]


def _read_generic(path: Path) -> tuple[pd.DataFrame, ReadContext]:
    """Read with the generic reader itself (a specific reader would win detection)."""
    src = open_source(str(path))
    reader = next(r for r in READERS if src.kind in r.kinds)
    ctx = ReadContext()
    return reader.read(src, ctx), ctx


def test_jsonl_nested_usage_and_openai_like_default() -> None:
    table, res = _read_generic(FIX / "nested.jsonl")
    assert table["source_format"].iloc[0] == "generic-jsonl"
    r = _rows(table)
    # input_tokens + OpenAI model: included -> 1200 - 1000
    assert (r[0]["input_tokens"], r[0]["cache_read_tokens"], r[0]["output_tokens"]) == (200, 1000, 40)
    # input_tokens + non-OpenAI model: excluded
    assert (r[1]["input_tokens"], r[1]["cache_read_tokens"], r[1]["output_tokens"]) == (300, 100, 20)
    # "input"/"output" holding text are prompt/response, usage.prompt_tokens are the tokens
    assert (r[2]["input_tokens"], r[2]["output_tokens"]) == (12, 1)
    assert (r[2]["prompt"], r[2]["response"]) == ("What is 2+2?", "4")
    assert [x["session"] for x in r] == ["s1", "s1", "s2"]
    assert any("ignored columns: meta.foo" in w for w in res.warnings)


def test_json_document_list(tmp_path: Path) -> None:
    p = tmp_path / "usage.json"
    p.write_text(json.dumps([
        {"date": "2025-02-01", "engine": "gpt-4o-mini", "tokens_in": 10, "tokens_out": 4, "n": 3, "spend": 1.5},
    ]))
    res = load([str(p)])
    assert res.files[0][1] == "generic-json"
    r = _rows(res.table)[0]
    # tokens_in is not an OpenAI-style name: taken as uncached input
    assert (r["model"], r["input_tokens"], r["output_tokens"], r["requests"]) == ("gpt-4o-mini", 10, 4, 3)
    assert r["reported_cost_usd"] == 1.5
    assert r["time"] == pd.Timestamp("2025-02-01", tz="UTC")


def test_non_numeric_token_reports_line_4() -> None:
    with pytest.raises(InputError) as err:
        load([str(FIX / "bad_token.csv")])
    assert err.value.line == 4
    assert err.value.file == str(FIX / "bad_token.csv")
    assert "'twelve'" in str(err.value)
    res = load([str(FIX / "bad_token.csv")], skip_bad=True)
    assert list(res.table["input_tokens"]) == [10, 11, 13]
    assert [s.line for s in res.skipped] == [4]


def test_gzipped_csv_via_load(tmp_path: Path) -> None:
    gz = tmp_path / "usage.csv.gz"
    gz.write_bytes(gzip.compress((FIX / "usage.csv").read_bytes()))
    t = load([str(gz)]).table
    assert list(t["input_tokens"]) == [600, 800, 500]
    assert list(t["cache_read_tokens"]) == [400, 300, 0]
    assert list(t["output_tokens"]) == [200, 100, 900]


def test_parquet_round_trip_with_nested_usage(tmp_path: Path) -> None:
    table = pa.table({
        "timestamp": pa.array(pd.to_datetime(["2025-04-01 10:00", "2025-04-01 11:00"]).to_numpy()),
        "model": ["gpt-4o", "claude-3-7-sonnet-20250219"],
        "provider": ["openai", "anthropic"],
        "usage": pa.array([
            {"prompt_tokens": 900, "completion_tokens": 30, "prompt_tokens_details": {"cached_tokens": 512}},
            {"prompt_tokens": 400, "completion_tokens": 60, "prompt_tokens_details": {"cached_tokens": 100}},
        ]),
        "cost_usd": [0.01, 0.02],
    })
    path = tmp_path / "usage.parquet"
    pq.write_table(table, path)
    res = load([str(path)])
    assert res.files[0][1] == "generic-parquet"
    r = _rows(res.table)
    assert (r[0]["input_tokens"], r[0]["cache_read_tokens"], r[0]["output_tokens"]) == (388, 512, 30)
    assert (r[1]["input_tokens"], r[1]["cache_read_tokens"], r[1]["output_tokens"]) == (400, 100, 60)
    assert r[1]["reported_cost_usd"] == pytest.approx(0.02)
    assert r[0]["time"] == pd.Timestamp("2025-04-01 10:00", tz="UTC")
    assert [x["source_row"] for x in r] == [1, 2]


def test_unrecognised_columns_are_a_clear_error() -> None:
    src = open_source(str(FIX / "unrecognised.csv"))
    with pytest.raises(InputError) as err:
        detect(src)
    assert "unrecognised usage format (CSV columns alpha, beta, gamma)" in str(err.value)


def test_generic_scores_low() -> None:
    src = open_source(str(FIX / "usage.csv"))
    scores = [r.sniff(src) for r in READERS if "csv" in r.kinds]
    assert scores == [5]


def test_resolve_columns_is_case_insensitive() -> None:
    found = resolve_columns(["Created At", "MODEL", "usage.completion_tokens", "Tenant"])
    assert found == {"time": "Created At", "model": "MODEL", "output_tokens": "usage.completion_tokens",
                     "user": "Tenant"}


# -- mapping files -----------------------------------------------------------------

def test_mapping_happy_path() -> None:
    mapping = load_mapping(FIX / "mapping.yaml")
    assert mapping["__file__"] == str(FIX / "mapping.yaml")
    res = load([str(FIX / "custom.csv")], mapping=mapping)
    assert res.files[0][1] == "generic-csv"
    r = _rows(res.table)
    # input_includes_cache: true -> 1500 - 500
    assert (r[0]["input_tokens"], r[0]["cache_read_tokens"], r[0]["output_tokens"]) == (1000, 500, 300)
    assert (r[0]["app"], r[0]["provider"], r[0]["model"]) == ("billing", "openai", "gpt-4o-mini")
    assert r[0]["time"] == pd.Timestamp("2025-05-01 08:15", tz="UTC")
    assert (r[1]["input_tokens"], r[1]["app"]) == (200, "chatbot")  # empty cell -> default
    assert r[1]["time"] == pd.Timestamp("2025-05-02 23:59", tz="UTC")


def test_mapping_dotted_paths_in_nested_json() -> None:
    mapping = load_mapping(FIX / "mapping_nested.yaml")
    t = load([str(FIX / "nested_map.jsonl")], mapping=mapping).table
    assert list(t["input_tokens"]) == [10, 20]
    assert list(t["output_tokens"]) == [5, 7]
    assert list(t["app"]) == ["bot", "bot"]
    assert t["time"].iloc[0] == pd.Timestamp(1746000000, unit="s", tz="UTC")


def test_mapping_unknown_key_names_file_and_key() -> None:
    path = FIX / "mapping_unknown_key.yaml"
    with pytest.raises(ConfigError) as err:
        load_mapping(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: columns.tokens: unknown canonical column")
    assert "\n" not in msg


def test_mapping_unknown_top_level_key(tmp_path: Path) -> None:
    m = tmp_path / "typo.yaml"
    m.write_text("colums:\n  model: llm\n")
    with pytest.raises(ConfigError) as err:
        load_mapping(m)
    assert str(err.value).startswith(f"{m}: unknown mapping key 'colums'")


def test_mapping_missing_column_is_one_line_error() -> None:
    path = FIX / "mapping_missing_column.yaml"
    mapping = load_mapping(path)
    with pytest.raises(ConfigError) as err:
        load([str(FIX / "custom.csv")], mapping=mapping)
    msg = str(err.value)
    assert msg.startswith(f"{path}: columns.input_tokens: column 'prompt_count' not found in")
    assert "custom.csv" in msg
    assert "\n" not in msg


def test_mapping_invalid_yaml_has_line() -> None:
    path = FIX / "mapping_invalid.yaml"
    with pytest.raises(ConfigError) as err:
        load_mapping(path)
    assert err.value.file == str(path)
    assert err.value.line == 4
    assert "invalid YAML" in str(err.value)


def test_mapping_format_mismatch(tmp_path: Path) -> None:
    mapping = load_mapping(FIX / "mapping.yaml")  # format: csv
    with pytest.raises(ConfigError) as err:
        load([str(FIX / "nested_map.jsonl")], mapping=mapping)
    assert "format" in str(err.value)


def test_mapping_input_excludes_cache_override(tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    text = (FIX / "mapping.yaml").read_text()
    m.write_text(text.replace("input_includes_cache: true", "input_includes_cache: false"))
    t = load([str(FIX / "custom.csv")], mapping=load_mapping(m)).table
    assert list(t["input_tokens"]) == [1500, 200]
    assert list(t["cache_read_tokens"]) == [500, 0]


def test_mapping_missing_file() -> None:
    with pytest.raises(ConfigError) as err:
        load_mapping(FIX / "nope.yaml")
    assert "no such mapping file" in str(err.value)


# ------------------------------------------------------------------------------
# Exports of LLM observability tools, auto-detected by their column names.
# Hand-checked prices: gpt-4o $2.50/M input, $1.25/M cached, $10/M output;
# claude-sonnet-4-5 $3/M input, $0.30/M cache read, $3.75/M 5-min write, $15/M output.
# Row A (gpt-4o, 1000 uncached + 2000 cached, 200 out): 0.0025 + 0.0025 + 0.002 = 0.007
# Row B (sonnet, 500 uncached + 4000 read + 1000 write, 100 out):
#       0.0015 + 0.0012 + 0.00375 + 0.0015 = 0.00795
# ------------------------------------------------------------------------------

def _tokens(r: dict) -> tuple[int, int, int, int]:
    return (r["input_tokens"], r["cache_read_tokens"], r["cache_write_tokens"], r["output_tokens"])


def _priced(path: Path, fmt: str) -> list[dict]:
    res = load([str(path)])
    assert res.files[0][1] == fmt
    return _rows(price_usage(res.table))


def test_langfuse_observations_json_nested_usage(tmp_path: Path) -> None:
    # Langfuse's usage.input excludes cached tokens (its integrations subtract them);
    # the top-level "input" holds the prompt messages, not a token count.
    p = tmp_path / "observations.json"
    p.write_text(json.dumps([
        {"id": "o1", "traceId": "t1", "type": "GENERATION", "startTime": "2025-06-02T10:15:00.123+02:00",
         "model": "gpt-4o", "input": [{"role": "user", "content": "hi"}], "output": {"content": "hello"},
         "usage": {"input": 1000, "output": 200, "total": 1200, "unit": "TOKENS"},
         "usageDetails": {"input": 1000, "input_cached_tokens": 2000, "output": 200},
         "promptTokens": 1000, "completionTokens": 200, "calculatedTotalCost": 0.007, "userId": "alice"},
        {"id": "o2", "traceId": "t2", "type": "GENERATION", "startTime": "2025-06-02T11:00:00Z",
         "model": "claude-sonnet-4-5", "input": "text", "output": None,
         "usage": {"input": 500, "output": 100, "total": 600, "unit": "TOKENS"},
         "usageDetails": {"input": 500, "cache_read_input_tokens": 4000, "cache_creation_input_tokens": 1000,
                          "output": 100},
         "promptTokens": 500, "completionTokens": 100, "calculatedTotalCost": 0.00795, "userId": None},
    ]))
    a, b = _priced(p, "generic-json")
    assert _tokens(a) == (1000, 2000, 0, 200)
    assert _tokens(b) == (500, 4000, 1000, 100)
    assert (a["user"], a["session"], a["request_id"]) == ("alice", "t1", "o1")
    assert a["reported_cost_usd"] == pytest.approx(0.007) and a["cost_usd"] == pytest.approx(0.007)
    assert b["reported_cost_usd"] == pytest.approx(0.00795) and b["cost_usd"] == pytest.approx(0.00795)


def test_langfuse_generations_csv_camel_case(tmp_path: Path) -> None:
    p = tmp_path / "generations.csv"
    p.write_text("id,traceId,startTime,model,promptTokens,completionTokens,totalTokens,calculatedTotalCost,userId\n"
                 "o1,t1,2025-06-02T08:15:00.123Z,gpt-4o,1000,200,1200,0.0045,alice\n")
    (r,) = _priced(p, "generic-csv")
    assert _tokens(r) == (1000, 0, 0, 200)
    assert r["user"] == "alice"
    assert r["reported_cost_usd"] == pytest.approx(0.0045) and r["cost_usd"] == pytest.approx(0.0045)


def test_helicone_request_export_csv(tmp_path: Path) -> None:
    # prompt_tokens follows OpenAI (includes cache reads) except for Anthropic rows
    p = tmp_path / "helicone.csv"
    p.write_text(
        "request_id,request_created_at,model,provider,prompt_tokens,completion_tokens,prompt_cache_read_tokens,"
        "prompt_cache_write_tokens,cost_usd,user_id,properties\n"
        "r1,2025-06-02 10:15:00.123,gpt-4o-2024-08-06,OPENAI,3000,200,2000,0,0.007,alice,{}\n"
        "r2,2025-06-02 11:00:00,claude-sonnet-4-5-20250929,ANTHROPIC,500,100,4000,1000,0.00795,,{}\n")
    a, b = _priced(p, "generic-csv")
    assert _tokens(a) == (1000, 2000, 0, 200)
    assert _tokens(b) == (500, 4000, 1000, 100)
    assert a["user"] == "alice" and pd.notna(a["time"])
    assert a["cost_usd"] == pytest.approx(0.007) and b["cost_usd"] == pytest.approx(0.00795)
    assert b["reported_cost_usd"] == pytest.approx(0.00795)


def test_langsmith_runs_model_in_metadata_and_inclusive_cache(tmp_path: Path) -> None:
    # LangChain's input count includes cache reads and writes for every provider
    p = tmp_path / "runs.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"id": "run-1", "run_type": "llm", "start_time": "2025-06-02T10:15:00.123456", "trace_id": "run-1",
         "prompt_tokens": 3000, "completion_tokens": 200, "total_tokens": 3200, "total_cost": "0.007",
         "prompt_token_details": {"cache_read": 2000},
         "extra": {"metadata": {"ls_provider": "openai", "ls_model_name": "gpt-4o", "user_id": "alice"},
                   "invocation_params": {"model": "gpt-4o", "temperature": 0.2}}},
        {"id": "run-2", "run_type": "llm", "start_time": "2025-06-02T11:00:00", "trace_id": "run-2",
         "prompt_tokens": 5500, "completion_tokens": 100, "total_tokens": 5600, "total_cost": "0.00795",
         "prompt_token_details": {"cache_read": 4000, "cache_creation": 1000},
         "extra": {"metadata": {"ls_provider": "anthropic", "ls_model_name": "claude-sonnet-4-5"}}},
    ]) + "\n")
    a, b = _priced(p, "generic-jsonl")
    assert (a["provider"], a["model"], a["user"]) == ("openai", "gpt-4o", "alice")
    assert (b["provider"], b["model"]) == ("anthropic", "claude-sonnet-4-5")
    assert _tokens(a) == (1000, 2000, 0, 200)
    assert _tokens(b) == (500, 4000, 1000, 100)
    assert a["cost_usd"] == pytest.approx(0.007) and b["cost_usd"] == pytest.approx(0.00795)
    assert b["reported_cost_usd"] == pytest.approx(0.00795)


def test_posthog_ai_generation_events(tmp_path: Path) -> None:
    # $ai_input_tokens follows the provider: OpenAI includes cache reads, Anthropic not
    p = tmp_path / "events.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"uuid": "e1", "event": "$ai_generation", "distinct_id": "alice", "timestamp": "2025-06-02T10:15:00+00:00",
         "properties": {"$ai_trace_id": "tr-1", "$ai_model": "gpt-4o", "$ai_provider": "openai",
                        "$ai_input_tokens": 3000, "$ai_output_tokens": 200, "$ai_cache_read_input_tokens": 2000,
                        "$ai_total_cost_usd": 0.007, "$lib": "posthog-python"}},
        {"uuid": "e2", "event": "$ai_generation", "distinct_id": "bob", "timestamp": "2025-06-02T11:00:00+00:00",
         "properties": {"$ai_model": "claude-sonnet-4-5", "$ai_provider": "anthropic",
                        "$ai_input_tokens": 500, "$ai_output_tokens": 100, "$ai_cache_read_input_tokens": 4000,
                        "$ai_cache_creation_input_tokens": 1000, "$ai_total_cost_usd": 0.00795}},
    ]) + "\n")
    a, b = _priced(p, "generic-jsonl")
    assert (a["provider"], a["model"], a["user"], a["session"]) == ("openai", "gpt-4o", "alice", "tr-1")
    assert b["user"] == "bob"
    assert _tokens(a) == (1000, 2000, 0, 200)
    assert _tokens(b) == (500, 4000, 1000, 100)
    assert a["reported_cost_usd"] == pytest.approx(0.007) and a["cost_usd"] == pytest.approx(0.007)
    assert b["cost_usd"] == pytest.approx(0.00795)


def test_otel_genai_span_attributes(tmp_path: Path) -> None:
    # gen_ai.usage.input_tokens follows the provider; the response model is the one billed
    p = tmp_path / "spans.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"traceId": "a1", "spanId": "s1", "startTime": "2025-06-02T10:15:00Z",
         "attributes": {"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
                        "gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.usage.input_tokens": 3000,
                        "gen_ai.usage.output_tokens": 200, "gen_ai.usage.cache_read_input_tokens": 2000,
                        "gen_ai.usage.cost": 0.007, "service.name": "support"}},
        {"traceId": "a2", "spanId": "s2", "startTime": "2025-06-02T11:00:00Z",
         "attributes": {"gen_ai.system": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5",
                        "gen_ai.response.model": None, "gen_ai.usage.input_tokens": 500,
                        "gen_ai.usage.output_tokens": 100, "gen_ai.usage.cache_read_input_tokens": 4000,
                        "gen_ai.usage.cache_creation_input_tokens": 1000}},
    ]) + "\n")
    a, b = _priced(p, "generic-jsonl")
    assert (a["provider"], a["model"], a["app"], a["request_id"]) == ("openai", "gpt-4o-2024-08-06", "support", "s1")
    assert (b["provider"], b["model"]) == ("anthropic", "claude-sonnet-4-5")
    assert _tokens(a) == (1000, 2000, 0, 200)
    assert _tokens(b) == (500, 4000, 1000, 100)
    assert a["reported_cost_usd"] == pytest.approx(0.007) and a["cost_usd"] == pytest.approx(0.007)
    assert b["cost_usd"] == pytest.approx(0.00795)


def test_openlit_dotted_csv_columns(tmp_path: Path) -> None:
    p = tmp_path / "openlit.csv"
    p.write_text("Timestamp,TraceId,SpanId,ServiceName,gen_ai.system,gen_ai.request.model,gen_ai.usage.input_tokens,"
                 "gen_ai.usage.output_tokens,gen_ai.usage.cost\n"
                 "2025-06-02 10:15:00.123456789,a1,s1,support,openai,gpt-4o,1000,200,0.0045\n")
    (r,) = _priced(p, "generic-csv")
    assert (r["model"], r["app"]) == ("gpt-4o", "support")
    assert _tokens(r) == (1000, 0, 0, 200)
    assert r["reported_cost_usd"] == pytest.approx(0.0045) and r["cost_usd"] == pytest.approx(0.0045)


def test_vercel_ai_sdk_spans(tmp_path: Path) -> None:
    # AI SDK 5: ai.usage.inputTokens follows the provider, cachedInputTokens is the cache read
    p = tmp_path / "spans.json"
    p.write_text(json.dumps([
        {"name": "ai.generateText.doGenerate", "startTime": 1748859300123,
         "attributes": {"ai.model.id": "gpt-4o", "ai.model.provider": "openai.chat", "ai.usage.inputTokens": 3000,
                        "ai.usage.outputTokens": 200, "ai.usage.cachedInputTokens": 2000,
                        "ai.telemetry.functionId": "support-chat", "ai.telemetry.metadata.userId": "alice"}},
        {"name": "ai.generateText.doGenerate", "startTime": 1748862000000,
         "attributes": {"ai.model.id": "claude-sonnet-4-5", "ai.model.provider": "anthropic.messages",
                        "ai.usage.promptTokens": 500, "ai.usage.completionTokens": 100}},
    ]))
    a, b = _priced(p, "generic-json")
    assert (a["provider"], a["model"], a["user"], a["feature"]) == ("openai", "gpt-4o", "alice", "support-chat")
    assert b["provider"] == "anthropic"  # "anthropic.messages": the API suffix is dropped
    assert _tokens(a) == (1000, 2000, 0, 200)
    assert _tokens(b) == (500, 0, 0, 100)
    assert a["cost_usd"] == pytest.approx(0.007)
    assert b["cost_usd"] == pytest.approx(0.0015 + 0.0015)


def test_otel_span_epoch_nanoseconds(tmp_path: Path) -> None:
    # OTLP spans carry startTimeUnixNano (a string of nanoseconds): was an out-of-bounds crash
    p = tmp_path / "span.json"
    p.write_text(json.dumps({
        "traceId": "a1", "spanId": "s1", "startTimeUnixNano": "1748859300123000000",
        "attributes": {"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
                       "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 200}}) + "\n")
    (r,) = _priced(p, "generic-json")
    assert _tokens(r) == (1000, 0, 0, 200)
    assert r["cost_usd"] == pytest.approx(0.0045)


def test_portkey_logs_export_cost_in_cents(tmp_path: Path) -> None:
    # Portkey's cost is in cents; req_units is the whole prompt, so the OpenAI usage
    # in response.body (prompt_tokens with cached_tokens) is preferred when present.
    # Was claimed by the OpenAI response-log reader (response.body) and failed.
    p = tmp_path / "portkey.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"id": "pk-1", "trace_id": "t1", "created_at": "2025-06-02T10:15:00.000Z", "is_success": 1, "ai_org": "openai",
         "ai_model": "gpt-4o", "req_units": 3000, "res_units": 200, "total_units": 3200, "cost": 0.7,
         "cost_currency": "USD", "metadata": {"_user": "alice"},
         "response": {"body": {"usage": {"prompt_tokens": 3000, "completion_tokens": 200,
                                         "prompt_tokens_details": {"cached_tokens": 2000}}}}},
        {"id": "pk-2", "trace_id": "t2", "created_at": "2025-06-02T11:00:00.000Z", "is_success": 1,
         "ai_org": "anthropic", "ai_model": "claude-sonnet-4-5", "req_units": 500, "res_units": 100,
         "total_units": 600, "cost": 0.3, "cost_currency": "USD", "metadata": {}},
    ]) + "\n")
    a, b = _priced(p, "generic-jsonl")
    assert (a["provider"], a["model"], a["user"], a["request_id"]) == ("openai", "gpt-4o", "alice", "pk-1")
    assert _tokens(a) == (1000, 2000, 0, 200)
    assert _tokens(b) == (500, 0, 0, 100)
    assert a["reported_cost_usd"] == pytest.approx(0.007) and a["cost_usd"] == pytest.approx(0.007)
    assert b["reported_cost_usd"] == pytest.approx(0.003) and b["cost_usd"] == pytest.approx(0.003)


def test_otlp_json_trace_export(tmp_path: Path) -> None:
    # OTLP/JSON (collector file exporter): attributes are key/value lists, intValue a string
    def attr(key: str, value: dict) -> dict:
        return {"key": key, "value": value}

    span = {"traceId": "a1", "spanId": "s1", "name": "chat gpt-4o", "startTimeUnixNano": "1748859300123000000",
            "attributes": [attr("gen_ai.system", {"stringValue": "openai"}),
                           attr("gen_ai.request.model", {"stringValue": "gpt-4o"}),
                           attr("gen_ai.usage.input_tokens", {"intValue": "3000"}),
                           attr("gen_ai.usage.output_tokens", {"intValue": "200"}),
                           attr("gen_ai.usage.cache_read_input_tokens", {"intValue": "2000"})]}
    line = {"resourceSpans": [{"resource": {"attributes": [attr("service.name", {"stringValue": "support"})]},
                               "scopeSpans": [{"scope": {"name": "openlit"}, "spans": [span, {**span, "spanId": "s2"}]}]}]}
    p = tmp_path / "traces.jsonl"
    p.write_text(json.dumps(line) + "\n" + json.dumps({"resourceSpans": []}) + "\n")
    a, b = _priced(p, "generic-jsonl")
    assert (a["provider"], a["model"], a["app"], a["request_id"], b["request_id"]) == (
        "openai", "gpt-4o", "support", "s1", "s2")
    assert _tokens(a) == (1000, 2000, 0, 200)
    assert a["cost_usd"] == pytest.approx(0.007)
