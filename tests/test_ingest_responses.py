"""Gemini, Cohere and Bedrock API response logs: exact canonical numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from llmcost.errors import InputError
from llmcost.ingest import load
from llmcost.ingest._io import open_source
from llmcost.ingest.responses import READERS, record_kind

FIX = Path(__file__).parent / "fixtures" / "responses"
EXT = Path("/work/shared/ext/usage/genai-prices")


def _tokens(r: dict) -> tuple[int, int, int, int, int]:
    return (r["input_tokens"], r["cache_read_tokens"], r["cache_write_tokens"], r["output_tokens"],
            r["reasoning_tokens"])


def _scores(path: Path) -> dict[str, int]:
    src = open_source(str(path))
    return {r.name: r.sniff(src) for r in READERS if src.kind in r.kinds and r.sniff(src)}


def test_gemini_usage_metadata() -> None:
    res = load([str(FIX / "gemini.jsonl")])
    assert res.files[0][1] == "gemini-responses"
    rows = res.table.to_dict("records")
    assert len(rows) == 3  # the error line is not usage
    g1, g2, g3 = rows
    # input = 1000 prompt + 50 tool-use prompt - 600 cached; output = 200 candidates + 300 thoughts
    assert _tokens(g1) == (450, 600, 0, 500, 300)
    assert (g1["provider"], g1["model"], g1["request_id"]) == ("google", "gemini-2.5-pro", "resp-g1")
    assert g1["time"] == pd.Timestamp("2025-07-01 12:00:00.500", tz="UTC")
    assert not g1["batch"]
    # Gemini API batch output line: read from "response", billed as batch
    assert _tokens(g2) == (80, 0, 0, 20, 0)
    assert (g2["model"], bool(g2["batch"]), g2["source_row"]) == ("gemini-2.5-flash", True, 2)
    # no model recorded: kept with model ""
    assert _tokens(g3) == (7, 0, 0, 3, 0)
    assert g3["model"] == "" and g3["source_row"] == 4
    assert any("1 error response" in w for w in res.warnings)


def test_cohere_bills_billed_units() -> None:
    res = load([str(FIX / "cohere.jsonl")])
    assert res.files[0][1] == "cohere-responses"
    c1, c2 = res.table.to_dict("records")
    assert _tokens(c1) == (41, 0, 0, 28, 0)
    assert (c1["provider"], c1["model"]) == ("cohere", "command-r-plus-08-2024")
    assert _tokens(c2) == (12, 0, 0, 7, 0)  # v1 "meta.billed_units"
    assert c2["request_id"] == "c0ffee01-0000-4000-8000-000000000002"


def test_bedrock_converse() -> None:
    res = load([str(FIX / "bedrock_converse.jsonl")])
    assert res.files[0][1] == "bedrock-converse"
    b1, b2 = res.table.to_dict("records")
    assert _tokens(b1) == (22, 2492, 0, 13, 0)
    assert (b1["provider"], b1["model"], b1["request_id"]) == ("aws", "us.amazon.nova-pro-v1:0", "5f1c-b1")
    assert b1["time"] == pd.Timestamp("2025-07-01 12:00:00", tz="UTC")
    assert _tokens(b2) == (5, 0, 1000, 10, 0)


def test_bedrock_converse_total_reveals_included_cache(tmp_path: Path) -> None:
    line = {"usage": {"inputTokens": 1200, "outputTokens": 10, "totalTokens": 1210, "cacheReadInputTokens": 1000,
                      "cacheWriteInputTokens": 0}, "modelId": "m"}
    p = tmp_path / "b.jsonl"
    p.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n")
    r = load([str(p)]).table.iloc[0]
    assert (r["input_tokens"], r["cache_read_tokens"]) == (200, 1000)


def test_bedrock_invocation_log() -> None:
    res = load([str(FIX / "bedrock_invocation.jsonl")])
    assert res.files[0][1] == "bedrock-invocation-log"
    i1, i2 = res.table.to_dict("records")
    assert _tokens(i1) == (1500, 3000, 0, 500, 0)
    assert (i1["model"], i1["app"], i1["feature"], i1["request_id"]) == (
        "anthropic.claude-3-5-haiku-20241022-v1:0", "helpdesk", "Converse", "inv-1")
    assert i1["user"] == "arn:aws:sts::123456789012:assumed-role/app-role/session-1"
    assert i1["time"] == pd.Timestamp("2025-07-02 08:00", tz="UTC")
    assert _tokens(i2) == (15, 0, 0, 120, 0)
    assert i2["app"] == ""


def test_mixed_cohere_and_bedrock_lines() -> None:
    res = load([str(FIX / "mixed.jsonl")])
    assert res.files[0][1] == "api-responses"
    c, b = res.table.to_dict("records")
    assert (c["provider"], c["model"]) == ("cohere", "")
    assert _tokens(c) == (2406, 0, 0, 2, 0)
    assert (b["provider"], b["model"]) == ("aws", "")
    assert _tokens(b) == (22, 2492, 0, 13, 0)


def test_unrecognised_line_is_bad_row(tmp_path: Path) -> None:
    p = tmp_path / "g.jsonl"
    good = (FIX / "gemini.jsonl").read_text().splitlines()[0]
    p.write_text(good + "\n" + json.dumps({"hello": "world"}) + "\n")
    with pytest.raises(InputError) as err:
        load([str(p)])
    assert err.value.line == 2
    res = load([str(p)], skip_bad=True)
    assert len(res.table) == 1 and [s.line for s in res.skipped] == [2]


def test_negative_gemini_count_is_bad_row(tmp_path: Path) -> None:
    p = tmp_path / "g.jsonl"
    p.write_text(json.dumps({"modelVersion": "gemini-2.0-flash",
                             "usageMetadata": {"promptTokenCount": -3, "candidatesTokenCount": 1}}) + "\n")
    with pytest.raises(InputError) as err:
        load([str(p)])
    assert err.value.line == 1 and "promptTokenCount is negative" in str(err.value)


def test_sniffers_leave_openai_and_anthropic_shapes_alone(tmp_path: Path) -> None:
    openai_line = {"model": "gpt-4o", "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}}
    anthropic_line = {"model": "claude-sonnet-4-5", "usage": {"input_tokens": 10, "output_tokens": 2,
                                                               "cache_creation_input_tokens": 0}}
    for name, line in (("o.jsonl", openai_line), ("a.jsonl", anthropic_line)):
        p = tmp_path / name
        p.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n")
        assert _scores(p) == {}
        assert record_kind(line) is None
    # Mixed with OpenAI-shaped lines: only a low score, so specific readers win.
    p = tmp_path / "mixed.jsonl"
    p.write_text((FIX / "cohere.jsonl").read_text() + json.dumps(openai_line) + "\n")
    assert _scores(p) == {"api-responses": 30}


@pytest.mark.skipif(not (EXT / "google_gemini.jsonl").exists(), reason="shared real-data folder not present")
def test_real_gemini_lines() -> None:
    res = load([str(EXT / "google_gemini.jsonl")])
    t = res.table
    assert len(t) == 20 and not res.skipped
    assert res.files[0][1] == "gemini-responses"
    # line 2: prompt 373 (204 cached), candidates 89, thoughts 167
    r = t.iloc[1].to_dict()
    assert _tokens(r) == (169, 204, 0, 256, 167)
    assert r["model"] == "gemini-2.5-flash"
    # every line: input + cached + output == totalTokenCount
    totals = [json.loads(x)["usageMetadata"]["totalTokenCount"]
              for x in (EXT / "google_gemini.jsonl").read_text().splitlines() if x.strip()]
    assert list(t["input_tokens"] + t["cache_read_tokens"] + t["output_tokens"]) == totals


@pytest.mark.skipif(not (EXT / "other_usage.jsonl").exists(), reason="shared real-data folder not present")
def test_real_other_usage_lines() -> None:
    res = load([str(EXT / "other_usage.jsonl")])
    t = res.table
    assert len(t) == 20 and not res.skipped
    assert list(t["provider"]).count("cohere") == 8 and list(t["provider"]).count("aws") == 12
    assert set(t["model"]) == {""}
    assert _tokens(t.iloc[0].to_dict()) == (2406, 0, 0, 2, 0)
    assert _tokens(t.iloc[12].to_dict()) == (22, 2492, 0, 13, 0)
