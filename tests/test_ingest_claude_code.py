"""Claude Code session transcripts: streaming dedup, subagents, projects folders."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from llmcost.errors import InputError
from llmcost.ingest import detect, load, open_source

FIX = Path(__file__).parent / "fixtures" / "claude_code"
PROJ = FIX / "projects" / "proj-a"
EXT = Path("/work/shared/ext/usage")


def _sums(df: pd.DataFrame) -> dict[str, int]:
    cols = ["input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens", "requests"]
    return {c: int(df[c].sum()) for c in cols}


def test_detection() -> None:
    for p in (PROJ / "sess1.jsonl", PROJ / "sess2.jsonl", PROJ / "sess1" / "subagents" / "agent-x.jsonl"):
        assert detect(open_source(str(p))).name == "claude-code"


def test_one_session_streaming_snapshots_counted_once() -> None:
    res = load([str(PROJ / "sess1.jsonl")])
    t = res.table
    # msg_A is written three times while streaming; its final output (240) counts once.
    assert t["request_id"].tolist() == ["msg_A:req_A", "msg_B:req_B", "msg_C:req_C"]
    assert t["output_tokens"].tolist() == [240, 120, 60]
    assert _sums(t) == {
        "input_tokens": 40,
        "cache_read_tokens": 7_600,
        "cache_write_tokens": 3_100,
        "cache_write_1h_tokens": 2_000,
        "output_tokens": 420,
        "requests": 3,
    }
    # first snapshot's time and line
    assert t["time"].iloc[0] == pd.Timestamp("2025-09-01T10:00:05Z")
    assert t["source_row"].tolist() == [3, 7, 11]
    assert set(t["app"]) == {"proj-a"}  # the session's first cwd, not the later .../src
    assert set(t["session"]) == {"sess-1"}
    assert set(t["feature"]) == {"main"}
    assert set(t["provider"]) == {"anthropic"}
    assert t["model"].tolist() == ["claude-sonnet-4-5-20250929"] * 3
    assert t["service_tier"].tolist() == ["standard"] * 3
    assert not t["batch"].any()
    assert math.isclose(t["reported_cost_usd"].iloc[1], 0.0123)
    assert t["reported_cost_usd"].iloc[[0, 2]].isna().all()
    # the non-object line and the synthetic message are reported, not fatal
    assert any("not objects" in w and "1 lines" in w for w in res.warnings)
    assert any("synthetic" in w for w in res.warnings)
    assert res.skipped == []


def test_projects_folder_end_to_end() -> None:
    res = load([str(FIX / "projects")])
    t = res.table
    assert [Path(f).name for f, _, _ in res.files] == ["sess1.jsonl", "agent-x.jsonl", "sess2.jsonl"]
    assert {fmt for _, fmt, _ in res.files} == {"claude-code"}
    # msg_C:req_C is repeated in sess2.jsonl (resumed session): counted once
    assert res.duplicates_dropped == 1
    assert t["request_id"].tolist().count("msg_C:req_C") == 1
    assert _sums(t) == {
        "input_tokens": 75,  # 40 + 5 (msg_D) + 30 (subagent)
        "cache_read_tokens": 11_600,
        "cache_write_tokens": 3_300,
        "cache_write_1h_tokens": 2_000,
        "output_tokens": 495,
        "requests": 5,
    }
    sub = t[t["feature"] == "subagent"]
    assert sub["request_id"].tolist() == ["msg_S1:req_S1"]
    assert sub["model"].tolist() == ["claude-haiku-4-5-20251001"]
    assert sub["session"].tolist() == ["sess-1"]
    assert (t["feature"] == "main").sum() == 4
    assert set(t["session"]) == {"sess-1", "sess-2"}


def test_home_layout_copy(tmp_path: Path) -> None:
    """A ~/.claude/projects tree copied elsewhere reads the same way."""
    root = tmp_path / ".claude" / "projects"
    shutil.copytree(FIX / "projects", root)
    res = load([str(tmp_path / ".claude")])
    assert len(res.table) == 5 and res.duplicates_dropped == 1


def test_app_from_projects_folder_when_no_cwd(tmp_path: Path) -> None:
    d = tmp_path / "projects" / "-Users-ana-code-shop"
    d.mkdir(parents=True)
    line = {
        "type": "assistant",
        "sessionId": "s9",
        "requestId": "r9",
        "timestamp": "2025-09-02T08:00:00Z",
        "message": {"id": "m9", "role": "assistant", "model": "claude-opus-4-1", "usage": {"input_tokens": 3, "output_tokens": 4}},
    }
    (d / "s9.jsonl").write_text(json.dumps(line) + "\n" + json.dumps({"type": "user", "sessionId": "s9", "message": {"role": "user", "content": "x"}}) + "\n", encoding="utf-8")
    t = load([str(tmp_path)]).table
    assert t["app"].tolist() == ["-Users-ana-code-shop"]
    assert t["request_id"].tolist() == ["m9:r9"]


def test_message_id_alone_when_request_id_missing(tmp_path: Path) -> None:
    p = tmp_path / "s.jsonl"
    rec = {
        "type": "assistant",
        "sessionId": "s",
        "timestamp": "2025-09-02T08:00:00Z",
        "message": {"id": "m1", "role": "assistant", "model": "claude-sonnet-4-5", "usage": {"input_tokens": 3, "output_tokens": 1}},
    }
    final = json.loads(json.dumps(rec))
    final["message"]["usage"]["output_tokens"] = 50
    p.write_text(json.dumps(rec) + "\n" + json.dumps(final) + "\n", encoding="utf-8")
    t = load([str(p)]).table
    assert t["request_id"].tolist() == ["m1"]
    assert t["output_tokens"].tolist() == [50]


def test_bad_usage_value_is_a_bad_record(tmp_path: Path) -> None:
    p = tmp_path / "s.jsonl"
    good = {"type": "assistant", "sessionId": "s", "timestamp": "2025-09-02T08:00:00Z", "message": {"id": "a", "role": "assistant", "model": "claude-sonnet-4-5", "usage": {"input_tokens": 3, "output_tokens": 1}}}
    bad = {"type": "assistant", "sessionId": "s", "timestamp": "2025-09-02T08:00:01Z", "message": {"id": "b", "role": "assistant", "model": "claude-sonnet-4-5", "usage": {"input_tokens": "x", "output_tokens": 1}}}
    p.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n" + '{"type": "assistant", "mess\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load([str(p)])
    assert err.value.line == 3  # the truncated JSON line is reported first
    res = load([str(p)], skip_bad=True)
    assert sorted(s.line for s in res.skipped) == [2, 3]
    assert res.table["input_tokens"].tolist() == [3]


# -- Real published transcripts (skipped when the shared folder is absent) ----------

@pytest.mark.skipif(not EXT.exists(), reason="shared external data not present")
@pytest.mark.parametrize(
    ("name", "inp", "out", "rows"),
    [
        ("claude-code-log/representative_messages.jsonl", 218, 445, 5),
        ("claude-code-log/todowrite_examples.jsonl", 883, 328, 6),
        ("claude-code-log/edge_cases.jsonl", 488, 435, 4),
        ("ccusage/claude_project-alpha_session-alpha_chat.jsonl", 600, 250, 3),
        ("ccusage/claude_project-beta_session-beta_chat.jsonl", 130, 60, 2),
        ("ccusage/test-transcript.jsonl", 3000, 150, 2),
    ],
)
def test_real_transcripts_without_flags(name: str, inp: int, out: int, rows: int) -> None:
    res = load([str(EXT / name)])
    assert res.files[0][1] == "claude-code"
    assert len(res.table) == rows
    assert int(res.table["input_tokens"].sum()) == inp
    assert int(res.table["output_tokens"].sum()) == out
    assert res.skipped == []


@pytest.mark.skipif(not EXT.exists(), reason="shared external data not present")
def test_real_edge_cases_non_objects_warned() -> None:
    res = load([str(EXT / "claude-code-log" / "edge_cases.jsonl")])
    assert any("3 lines are JSON but not objects" in w for w in res.warnings)


@pytest.mark.skipif(not EXT.exists(), reason="shared external data not present")
def test_real_ccusage_cost_and_cache() -> None:
    t = load([str(EXT / "ccusage" / "claude_project-alpha_session-alpha_chat.jsonl")]).table
    assert math.isclose(t["reported_cost_usd"].sum(), 1.02, rel_tol=1e-12)
    assert int(t["cache_write_tokens"].sum()) == 75
    assert int(t["cache_read_tokens"].sum()) == 70


def test_statusline_snapshots_keep_latest_cost(tmp_path: Path) -> None:
    snap = {
        "session_id": "s1",
        "transcript_path": "/home/dev/.claude/projects/-home-dev-app/s1.jsonl",
        "cwd": "/home/dev/app",
        "model": {"id": "claude-opus-4-1-20250805", "display_name": "Opus 4.1"},
        "workspace": {"current_dir": "/home/dev/app", "project_dir": "/home/dev/app"},
        "cost": {"total_cost_usd": 0.05, "total_duration_ms": 1000},
    }
    later = json.loads(json.dumps(snap))
    later["cost"]["total_cost_usd"] = 0.0892
    p = tmp_path / "statusline.jsonl"
    p.write_text(json.dumps(snap) + "\n" + json.dumps(later) + "\n", encoding="utf-8")
    res = load([str(p)])
    t = res.table
    assert res.files[0][1] == "claude-code-statusline"
    assert len(t) == 1
    assert math.isclose(t["reported_cost_usd"].iloc[0], 0.0892)
    assert t["requests"].tolist() == [0] and int(t["input_tokens"].sum()) == 0
    assert t["model"].tolist() == ["claude-opus-4-1-20250805"]
    assert t["app"].tolist() == ["app"]
    assert any("status-line" in w for w in res.warnings)


@pytest.mark.skipif(not EXT.exists(), reason="shared external data not present")
def test_real_statusline_payloads() -> None:
    res = load([str(EXT / "ccusage" / "statusline-test.json"), str(EXT / "ccusage" / "statusline-test-opus4.json")])
    assert {fmt for _, fmt, _ in res.files} == {"claude-code-statusline"}
    assert math.isclose(res.table["reported_cost_usd"].sum(), 0.05626615 + 0.0892, rel_tol=1e-9)
