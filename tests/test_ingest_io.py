"""File-level ingest behaviour: line splitting, CSV row numbers, directories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.errors import InputError
from llmcost.ingest import load

HEADER = "timestamp,model,input_tokens,output_tokens"


def test_jsonl_text_with_unicode_line_separators_is_one_record(tmp_path: Path):
    # Node's JSON.stringify and ensure_ascii=False leave U+2028 / \x0c unescaped
    rec = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1759276800, "model": "gpt-4o",
           "choices": [{"message": {"role": "assistant", "content": "a\u2028b\x0cc\x1cd\x85e"}}],
           "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
    f = tmp_path / "log.jsonl"
    f.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(rec | {"id": "chatcmpl-2"}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    t = load([str(f)]).table
    assert len(t) == 2 and t["input_tokens"].tolist() == [5, 5]


def test_csv_errors_name_the_file_line_after_multiline_fields_and_blank_lines(tmp_path: Path):
    f = tmp_path / "quoted.csv"
    f.write_text(HEADER + ',prompt\n2025-10-01,gpt-4o,10,5,"line one\nline two\nline three"\n2025-10-01,gpt-4o,-3,5,x\n')
    with pytest.raises(InputError, match=r"quoted.csv:5: input_tokens"):
        load([str(f)])
    g = tmp_path / "blank.csv"
    g.write_text(HEADER + "\n2025-10-01,gpt-4o,10,5\n\n\n2025-10-01,gpt-4o,-3,5\n")
    with pytest.raises(InputError, match=r"blank.csv:5: input_tokens"):
        load([str(g)])


def test_directory_skips_files_that_are_not_usage_logs(tmp_path: Path):
    d = tmp_path / "claude_home"
    (d / "projects" / "p").mkdir(parents=True)
    (d / "projects" / "p" / "s.jsonl").write_text(json.dumps({
        "type": "assistant", "timestamp": "2025-10-01T10:00:00Z", "sessionId": "s", "requestId": "r1",
        "message": {"id": "m1", "model": "claude-sonnet-4-5-20250929",
                    "usage": {"input_tokens": 10, "output_tokens": 5}}}) + "\n")
    (d / "settings.json").write_text(json.dumps({"model": "opus", "theme": "dark"}))
    (d / "models.csv").write_text("model,notes\ngpt-4o,main\n")
    (d / ".hidden").mkdir()
    (d / ".hidden" / "x.jsonl").write_text("not json\n")
    r = load([str(d)])
    assert [f for f, _, _ in r.files] == [str(d / "projects" / "p" / "s.jsonl")]
    assert len(r.table) == 1
    skipped = [w for w in r.warnings if w.startswith("skipped ")]
    assert len(skipped) == 2 and all("unrecognised usage format" in w for w in skipped)
    # named explicitly, the same file is an error
    with pytest.raises(InputError, match="settings.json: unrecognised usage format"):
        load([str(d / "settings.json")])
