"""Anthropic readers: Console CSV exports, Admin API reports, Messages API logs."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from llmcost.errors import InputError
from llmcost.ingest import detect, load, open_source
from llmcost.ingest.anthropic import long_context_flag, message_usage_tokens

FIX = Path(__file__).parent / "fixtures" / "anthropic"
EXT = Path("/work/shared/ext/usage")


def _sums(df: pd.DataFrame) -> dict[str, int]:
    cols = ["input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens", "requests"]
    return {c: int(df[c].sum()) for c in cols}


def _fmt(path: Path) -> str:
    return detect(open_source(str(path))).name


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("console_usage.csv", "anthropic-console-usage-csv"),
        ("console_usage_old.csv", "anthropic-console-usage-csv"),
        ("console_cost.csv", "anthropic-console-cost-csv"),
        ("usage_report.json", "anthropic-usage-report"),
        ("user_usage_report.json", "anthropic-usage-report"),
        ("cost_report.json", "anthropic-cost-report"),
        ("messages.jsonl", "anthropic-messages"),
    ],
)
def test_detection(name: str, fmt: str) -> None:
    assert _fmt(FIX / name) == fmt


# -- Console usage CSV --------------------------------------------------------------

def test_console_usage_csv_totals_and_flags() -> None:
    res = load([str(FIX / "console_usage.csv")])
    t = res.table
    assert len(t) == 4
    assert _sums(t) == {
        "input_tokens": 471_000,
        "cache_read_tokens": 700_000,
        "cache_write_tokens": 10_500,  # 8000 + 2000 (5m + 1h) + 500 (1h)
        "cache_write_1h_tokens": 2_500,
        "output_tokens": 28_200,
        "requests": 4,  # one per row: the export has no request counts
    }
    assert t["long_context"].tolist() == [False, True, False, False]
    assert t["batch"].tolist() == [False, False, True, False]
    assert t["service_tier"].tolist() == ["standard", "standard", "batch", "fast"]
    assert t["app"].tolist() == ["Default", "Default", "Research", "Default"]
    assert t["user"].tolist() == ["prod-key", "prod-key", "batch-key", "dev-key"]
    assert t["feature"].tolist() == ["standard", "standard", "batch", "standard"]
    assert set(t["provider"]) == {"anthropic"}
    assert t["source_row"].tolist() == [2, 3, 4, 5]
    assert t["time"].iloc[2] == pd.Timestamp("2025-10-02", tz="UTC")
    assert any("no request counts" in w for w in res.warnings)
    assert t["reported_cost_usd"].isna().all()


def test_console_usage_csv_old_columns() -> None:
    t = load([str(FIX / "console_usage_old.csv")]).table
    assert _sums(t) == {
        "input_tokens": 1_508,  # "1,500" with a thousands separator
        "cache_read_tokens": 3_400,
        "cache_write_tokens": 1_200,  # the combined column, read as 5-minute writes
        "cache_write_1h_tokens": 0,
        "output_tokens": 251,
        "requests": 2,
    }
    assert t["long_context"].isna().all()
    assert t["app"].tolist() == ["Claude Code", "Claude Code"]


def test_console_usage_csv_bad_row_raises_or_skips(tmp_path: Path) -> None:
    p = tmp_path / "usage.csv"
    p.write_text(
        "usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,usage_output_tokens\n"
        "2025-10-01,claude-sonnet-4-5,k,W,standard,100,10\n"
        "2025-10-02,claude-sonnet-4-5,k,W,standard,abc,10\n"
        "2025-10-03,claude-sonnet-4-5,k,W,standard,-5,10\n"
        "not-a-date,claude-sonnet-4-5,k,W,standard,7,10\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load([str(p)])
    assert err.value.line == 3 and "usage_input_tokens_no_cache" in str(err.value)
    res = load([str(p)], skip_bad=True)
    assert [s.line for s in res.skipped] == [3, 4, 5]
    assert "negative" in res.skipped[1].reason
    assert _sums(res.table)["input_tokens"] == 100


# -- Console cost CSV ---------------------------------------------------------------

@pytest.mark.parametrize("column", ["usage_input_tokens_no_cache", "usage_output_tokens"])
def test_console_usage_csv_missing_token_column_is_an_error(tmp_path: Path, column: str) -> None:
    # used to read the missing column as 0 tokens on every row: priced low, silently
    cols = ["usage_date_utc", "model_version", "usage_type", "usage_input_tokens_no_cache",
            "usage_input_tokens_cache_read", "usage_output_tokens"]
    vals = ["2025-10-01", "claude-sonnet-4-5-20250929", "standard", "1000", "0", "500"]
    i = cols.index(column)
    p = tmp_path / "u.csv"
    p.write_text(",".join(cols[:i] + cols[i + 1:]) + "\n" + ",".join(vals[:i] + vals[i + 1:]) + "\n")
    with pytest.raises(InputError) as err:
        load([str(p)])
    assert str(err.value) == f"{p}: Console usage export lacks column {column} (export it again with all columns)"


def test_console_cost_csv_cost_only_rows() -> None:
    t = load([str(FIX / "console_cost.csv")]).table
    assert len(t) == 4
    assert math.isclose(t["reported_cost_usd"].sum(), 0.765, rel_tol=1e-12)
    assert _sums(t) == {
        "input_tokens": 0,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "cache_write_1h_tokens": 0,
        "output_tokens": 0,
        "requests": 0,
    }
    assert t["feature"].tolist() == ["input_no_cache", "output", "input_cache_read", "web_search"]
    assert t["model"].tolist() == ["Claude Sonnet 4.5"] * 3 + [""]
    assert t["long_context"].tolist()[:3] == [False, False, True]
    assert pd.isna(t["long_context"].iloc[3])


def test_console_cost_csv_cents_column(tmp_path: Path) -> None:
    p = tmp_path / "cost.csv"
    p.write_text("usage_date_utc,model,token_type,cost_cents\n2025-10-01,Claude Haiku 4.5,output,250\n", encoding="utf-8")
    t = load([str(p)]).table
    assert t["reported_cost_usd"].tolist() == [2.5]


def test_console_cost_csv_empty_cost_is_bad(tmp_path: Path) -> None:
    p = tmp_path / "cost.csv"
    p.write_text("usage_date_utc,model,token_type,cost_usd\n2025-10-01,Claude Haiku 4.5,output,\n", encoding="utf-8")
    with pytest.raises(InputError, match="cost_usd is empty"):
        load([str(p)])


# -- Admin API usage report -----------------------------------------------------------

def test_usage_report_buckets() -> None:
    res = load([str(FIX / "usage_report.json")])
    t = res.table
    assert len(t) == 3  # the empty bucket adds nothing
    assert _sums(t) == {
        "input_tokens": 251_510,
        "cache_read_tokens": 200,
        "cache_write_tokens": 1_500,
        "cache_write_1h_tokens": 1_000,
        "output_tokens": 3_505,
        "requests": 3,
    }
    assert t["long_context"].tolist()[:2] == [False, True]
    assert pd.isna(t["long_context"].iloc[2])
    assert t["batch"].tolist() == [False, True, False]
    assert t["service_tier"].tolist() == ["standard", "batch", "priority"]
    assert t["app"].tolist() == ["wrkspc_01AAA", "wrkspc_01AAA", ""]
    assert t["user"].tolist() == ["apikey_01AAA", "apikey_01AAA", ""]
    assert t["time"].tolist() == [
        pd.Timestamp("2025-08-01", tz="UTC"),
        pd.Timestamp("2025-08-01", tz="UTC"),
        pd.Timestamp("2025-08-02", tz="UTC"),
    ]
    assert any("no request counts" in w for w in res.warnings)


def test_usage_report_as_list_of_pages_in_jsonl(tmp_path: Path) -> None:
    import json

    doc = json.loads((FIX / "usage_report.json").read_text(encoding="utf-8"))
    p = tmp_path / "pages.jsonl"
    p.write_text(json.dumps(doc) + "\n" + json.dumps(doc) + "\n", encoding="utf-8")
    t = load([str(p)]).table
    assert len(t) == 6 and int(t["input_tokens"].sum()) == 2 * 251_510
    assert t["source_row"].tolist() == [1, 1, 1, 2, 2, 2]


def test_user_usage_report_has_request_counts() -> None:
    res = load([str(FIX / "user_usage_report.json")])
    t = res.table
    assert t["requests"].tolist() == [128, 4]
    assert t["user"].tolist() == ["jane@example.com", "li@example.com"]
    assert t["feature"].tolist() == ["chat", "claude_code"]
    assert t["long_context"].tolist() == [False, True]
    assert _sums(t)["cache_write_tokens"] == 1_500
    assert _sums(t)["cache_write_1h_tokens"] == 1_000
    assert not any("no request counts" in w for w in res.warnings)


def test_usage_report_bad_token_value(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text(
        '{"data":[{"starting_at":"2025-08-01T00:00:00Z","results":['
        '{"uncached_input_tokens":"lots","output_tokens":1},'
        '{"uncached_input_tokens":5,"output_tokens":1}]}]}',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="uncached_input_tokens is not a number"):
        load([str(p)])
    res = load([str(p)], skip_bad=True)
    assert len(res.skipped) == 1 and int(res.table["input_tokens"].sum()) == 5


# -- Admin API cost report ------------------------------------------------------------

def test_cost_report_amount_is_cents() -> None:
    t = load([str(FIX / "cost_report.json")]).table
    assert len(t) == 3
    assert math.isclose(t["reported_cost_usd"].iloc[0], 1.2378912, rel_tol=1e-12)
    assert math.isclose(t["reported_cost_usd"].iloc[1], 27.9918745, rel_tol=1e-12)
    assert math.isclose(t["reported_cost_usd"].iloc[2], 0.5, rel_tol=1e-12)
    assert t["requests"].tolist() == [0, 0, 0]
    assert int(t["input_tokens"].sum() + t["output_tokens"].sum()) == 0
    assert t["feature"].tolist() == ["uncached_input_tokens", "output_tokens", "web_search"]
    assert t["model"].tolist() == ["claude-opus-4-1-20250805", "claude-opus-4-1-20250805", ""]
    assert t["batch"].tolist() == [False, True, False]
    assert t["long_context"].tolist()[:2] == [False, True]
    assert set(t["provider"]) == {"anthropic"}


def test_cost_report_non_usd_is_bad(tmp_path: Path) -> None:
    p = tmp_path / "eur.json"
    p.write_text(
        '{"data":[{"starting_at":"2025-08-01T00:00:00Z","results":[{"amount":"100","currency":"EUR"}]}]}',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="EUR"):
        load([str(p)])


# -- Messages API ---------------------------------------------------------------------

def test_messages_log() -> None:
    res = load([str(FIX / "messages.jsonl")])
    t = res.table
    assert len(t) == 4  # the errored batch result is not billed
    assert _sums(t) == {
        "input_tokens": 2_795,  # 2095 + 20 + (100 + 180) + 400
        "cache_read_tokens": 10_000,
        "cache_write_tokens": 58_096,  # 3000 + 55096 (compaction iteration)
        "cache_write_1h_tokens": 2_000,
        "output_tokens": 698,  # 503 + 5 + (82 + 8) + 100
        "requests": 4,
    }
    assert t["batch"].tolist() == [False, False, False, True]
    assert t["request_id"].tolist() == ["msg_01XFDUDYJgAACzvnptvVoYEL", "msg_02", "", "msg_03"]
    assert t["prompt"].iloc[1] == "You are terse.\nSay hi"
    assert t["response"].iloc[0] == "Hello there"
    assert t["user"].iloc[1] == "u-42"
    assert t["time"].iloc[1] == pd.Timestamp("2025-09-01T12:00:00Z")
    assert pd.isna(t["time"].iloc[0])
    assert t["long_context"].isna().all()
    assert any("1 batch result errored" in w for w in res.warnings)


def test_message_usage_helper() -> None:
    tok = message_usage_tokens(
        {
            "input_tokens": 10,
            "cache_creation_input_tokens": 30,
            "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 20},
            "cache_read_input_tokens": 7,
            "output_tokens": 4,
        }
    )
    assert (tok.input, tok.cache_write, tok.cache_write_1h, tok.cache_read, tok.output) == (10, 30, 20, 7, 4)
    with pytest.raises(ValueError, match="negative"):
        message_usage_tokens({"input_tokens": -1, "output_tokens": 1})


def test_messages_negative_tokens_are_bad(tmp_path: Path) -> None:
    p = tmp_path / "m.jsonl"
    p.write_text(
        '{"id":"msg_1","type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":3,"output_tokens":2}}\n'
        '{"id":"msg_2","type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":-3,"output_tokens":2}}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load([str(p)])
    assert err.value.line == 2
    res = load([str(p)], skip_bad=True)
    assert len(res.table) == 1 and [s.line for s in res.skipped] == [2]


@pytest.mark.parametrize(
    ("label", "flag"),
    [("≤ 200k", False), ("> 200k", True), ("0-200k", False), ("200k-1M", True), ("", None), (None, None)],
)
def test_long_context_labels(label: str | None, flag: bool | None) -> None:
    assert long_context_flag(label) is flag


# -- Real published examples (skipped when the shared folder is absent) ---------------

@pytest.mark.skipif(not EXT.exists(), reason="shared external data not present")
def test_real_admin_api_examples() -> None:
    cost = load([str(EXT / "anthropic_admin_api" / "docs_cost_report_example.json")]).table
    assert math.isclose(cost["reported_cost_usd"].sum(), 1.2378912, rel_tol=1e-12)
    usage = load([str(EXT / "anthropic_admin_api" / "docs_usage_report_messages_example.json")]).table
    assert _sums(usage) == {
        "input_tokens": 1500,
        "cache_read_tokens": 200,
        "cache_write_tokens": 1500,
        "cache_write_1h_tokens": 1000,
        "output_tokens": 500,
        "requests": 1,
    }
    users = load([str(EXT / "anthropic_admin_api" / "docs_user_usage_report_example.json")]).table
    assert users["requests"].tolist() == [128]


@pytest.mark.skipif(not EXT.exists(), reason="shared external data not present")
def test_real_genai_prices_messages() -> None:
    res = load([str(EXT / "genai-prices" / "anthropic_messages.jsonl")])
    assert res.files[0][1] == "anthropic-messages"
    assert len(res.table) == 20
    assert int(res.table["output_tokens"].sum()) == 2532


def test_messages_json_list_and_error_responses(tmp_path: Path) -> None:
    p = tmp_path / "responses.json"
    p.write_text(
        '[{"id":"msg_a","type":"message","model":"claude-opus-4-1","content":[],"usage":{"input_tokens":7,"output_tokens":3}},'
        '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}},'
        '{"id":"msg_b","type":"message","model":"claude-opus-4-1","content":[],"usage":{"input_tokens":5,"output_tokens":2,"service_tier":"priority"}}]',
        encoding="utf-8",
    )
    res = load([str(p)])
    assert res.files[0][1] == "anthropic-messages"
    assert res.table["input_tokens"].tolist() == [7, 5]
    assert res.table["source_row"].tolist() == [1, 3]
    assert res.table["service_tier"].tolist() == ["", "priority"]
    assert any("1 error response" in w for w in res.warnings)


def test_message_batch_results_mostly_failed_are_still_detected(tmp_path: Path) -> None:
    # one succeeded result among an errored and an expired one: used to be rejected as
    # "unrecognised usage format (JSON Lines)" because under half the lines carried usage
    from llmcost.pricing import price_usage

    p = tmp_path / "results.jsonl"
    p.write_text(
        '{"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg_01","type":"message","role":"assistant",'
        '"model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":"end_turn","stop_sequence":null,'
        '"usage":{"input_tokens":1000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":100}}}}\n'
        '{"custom_id":"b","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error",'
        '"message":"Validation error"}}}}\n'
        '{"custom_id":"c","result":{"type":"expired"}}\n'
    )
    res = load([str(p)])
    assert res.files == [(str(p), "anthropic-messages", 1)]
    assert f"{p}: skipped records that were not billed (1 batch result errored, 1 batch result expired)" in res.warnings
    priced = price_usage(res.table)
    # Batch: 1,000 x $1.50/M + 100 x $7.50/M
    assert bool(priced.loc[0, "batch"]) and priced.loc[0, "cost_usd"] == pytest.approx(0.00225)
