"""Codex CLI rollouts: cumulative totals are differenced, cached input is split out."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from llmcost.errors import InputError
from llmcost.ingest import detect, load, open_source

FIX = Path(__file__).parent / "fixtures" / "codex" / "sessions"
DAY = FIX / "2025" / "09" / "20"
MAIN = DAY / "rollout-2025-09-20T10-00-00-0199a0b1-0000-7000-8000-000000000001.jsonl"
SUB = DAY / "rollout-2025-09-20T12-00-00-0199a0b1-0000-7000-8000-000000000002.jsonl"
EXT = Path("/work/shared/ext/usage")


def _line(ts: str, kind: str, payload: dict) -> str:
    return json.dumps({"timestamp": ts, "type": kind, "payload": payload})


def _tc(ts: str, total: dict | None = None, last: dict | None = None) -> str:
    info = {}
    if total is not None:
        info["total_token_usage"] = total
    if last is not None:
        info["last_token_usage"] = last
    return _line(ts, "event_msg", {"type": "token_count", "info": info})


def test_detection() -> None:
    assert detect(open_source(str(MAIN))).name == "codex"


def test_cumulative_totals_are_differenced() -> None:
    t = load([str(MAIN)]).table
    # info null and a repeated total add nothing: five model calls
    assert len(t) == 5
    assert t["input_tokens"].tolist() == [1000, 500, 400, 60, 100]  # uncached = input - cached
    assert t["cache_read_tokens"].tolist() == [200, 1300, 0, 40, 100]
    assert t["output_tokens"].tolist() == [300, 200, 50, 10, 20]  # reasoning is inside output
    assert t["reasoning_tokens"].tolist() == [100, 50, 0, 0, 5]
    assert t["cache_write_tokens"].tolist() == [0, 0, 0, 0, 0]
    assert int(t["requests"].sum()) == 5
    # model: info.model, else the latest turn_context
    assert t["model"].tolist() == ["gpt-5-codex", "gpt-5", "gpt-5", "gpt-5-mini", "gpt-5"]
    assert set(t["provider"]) == {"openai"}
    assert set(t["app"]) == {"webapp"}
    assert set(t["session"]) == {"0199a0b1-0000-7000-8000-000000000001"}
    assert set(t["feature"]) == {"main"}
    assert t["time"].iloc[0] == pd.Timestamp("2025-09-20T10:00:10Z")
    assert t["source_row"].tolist() == [5, 8, 9, 10, 11]
    assert t["long_context"].isna().all()


def test_sessions_folder_with_subagent_rollout() -> None:
    res = load([str(FIX)])
    t = res.table
    assert len(res.files) == 2 and len(t) == 6
    sub = t[t["feature"] == "subagent"]
    assert sub["input_tokens"].tolist() == [200]  # 900 - 600 cached - 100 cache writes
    assert sub["cache_read_tokens"].tolist() == [600]
    assert sub["cache_write_tokens"].tolist() == [100]
    assert sub["output_tokens"].tolist() == [70]
    assert sub["reasoning_tokens"].tolist() == [30]
    assert int(t["input_tokens"].sum()) == 2060 + 200
    assert int(t["cache_read_tokens"].sum()) == 1640 + 600
    assert int(t["output_tokens"].sum()) == 580 + 70


def test_ccusage_style_two_events(tmp_path: Path) -> None:
    p = tmp_path / "rollout.jsonl"
    p.write_text(
        "\n".join(
            [
                _line("2026-05-13T09:00:00Z", "turn_context", {"model": "gpt-5.2-codex"}),
                _tc("2026-05-13T09:01:00Z", total={"input_tokens": 1000, "cached_input_tokens": 250, "output_tokens": 125, "reasoning_output_tokens": 75}),
                _tc("2026-05-14T10:00:00Z", total={"input_tokens": 3500, "cached_input_tokens": 750, "output_tokens": 425, "reasoning_output_tokens": 275}),
            ]
        ),
        encoding="utf-8",
    )
    t = load([str(p)]).table
    assert t["input_tokens"].tolist() == [750, 2000]
    assert t["cache_read_tokens"].tolist() == [250, 500]
    assert t["output_tokens"].tolist() == [125, 300]
    assert t["reasoning_tokens"].tolist() == [75, 200]
    assert set(t["session"]) == {"rollout"}  # no session_meta: the file name


def test_restart_counts_new_total_as_fresh(tmp_path: Path) -> None:
    p = tmp_path / "r.jsonl"
    p.write_text(
        "\n".join(
            [
                _line("2025-01-01T00:00:00Z", "session_meta", {"id": "s", "cwd": "C:\\Users\\ana\\repo"}),
                _tc("2025-01-01T00:01:00Z", total={"input_tokens": 5000, "cached_input_tokens": 0, "output_tokens": 100}),
                _tc("2025-01-01T00:02:00Z", total={"input_tokens": 300, "cached_input_tokens": 100, "output_tokens": 20}),
                _tc("2025-01-01T00:03:00Z", total={"input_tokens": 800, "cached_input_tokens": 100, "output_tokens": 50}),
            ]
        ),
        encoding="utf-8",
    )
    t = load([str(p)]).table
    assert t["input_tokens"].tolist() == [5000, 200, 500]
    assert t["cache_read_tokens"].tolist() == [0, 100, 0]
    assert t["output_tokens"].tolist() == [100, 20, 30]
    assert set(t["app"]) == {"repo"}
    assert set(t["provider"]) == {"openai"}
    assert set(t["model"]) == {""}  # no model anywhere: left empty, never guessed


def test_repeated_rollout_copy_counted_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil_copy = MAIN.read_text(encoding="utf-8")
    (tmp_path / "a" / "rollout-1.jsonl").write_text(shutil_copy, encoding="utf-8")
    (tmp_path / "b" / "rollout-1.jsonl").write_text(shutil_copy, encoding="utf-8")
    res = load([str(tmp_path)])
    assert len(res.table) == 5 and res.duplicates_dropped == 5


def test_bad_token_value(tmp_path: Path) -> None:
    p = tmp_path / "r.jsonl"
    p.write_text(
        "\n".join(
            [
                _line("2025-01-01T00:00:00Z", "session_meta", {"id": "s"}),
                _tc("2025-01-01T00:01:00Z", total={"input_tokens": "many", "output_tokens": 1}),
                _tc("2025-01-01T00:02:00Z", total={"input_tokens": 10, "output_tokens": 1}),
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load([str(p)])
    assert err.value.line == 2 and "input_tokens" in str(err.value)
    res = load([str(p)], skip_bad=True)
    assert [s.line for s in res.skipped] == [2]
    assert res.table["input_tokens"].tolist() == [10]


@pytest.mark.skipif(not EXT.exists(), reason="shared external data not present")
def test_real_ccusage_fixture() -> None:
    res = load([str(EXT / "ccusage" / "codex_session-alpha.jsonl")])
    t = res.table
    assert res.files[0][1] == "codex"
    assert t["input_tokens"].tolist() == [750, 2000]
    assert t["cache_read_tokens"].tolist() == [250, 500]
    assert t["output_tokens"].tolist() == [125, 300]
    assert t["reasoning_tokens"].tolist() == [75, 200]
    assert t["model"].tolist() == ["gpt-5.2-codex", "gpt-5.3-codex"]


def test_legacy_rollout_without_token_counts(tmp_path: Path) -> None:
    p = tmp_path / "rollout-2025-08-20T13-20-47-c27a914d.jsonl"
    p.write_text(
        '{"id":"c27a914d","timestamp":"2025-08-20T13:20:47.060Z","instructions":null,"git":{"branch":"main"}}\n'
        '{"record_type":"state"}\n'
        '{"type":"message","id":null,"role":"user","content":[{"type":"input_text","text":"hi"}]}\n',
        encoding="utf-8",
    )
    res = load([str(p)])
    assert res.files[0][1] == "codex" and len(res.table) == 0
    assert any("old format" in w for w in res.warnings)
