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
