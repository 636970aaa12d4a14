"""Optional quality / temperature signals pass from logs to the levers."""

from __future__ import annotations

import json

from llmcost.ingest import load


def test_generic_csv_quality_and_temperature(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text(
        "timestamp,model,prompt_tokens,completion_tokens,rating,temperature\n"
        "2025-10-01T10:00:00Z,gpt-4o,100,20,up,0.2\n"
        "2025-10-01T10:01:00Z,gpt-4o,100,20,4.5,1.0\n"
    )
    t = load([str(f)]).table
    assert t["quality"].tolist() == ["up", "4.5"]
    assert t["temperature"].tolist() == [0.2, 1.0]


def test_openai_log_wrapper_carries_request_temperature(tmp_path):
    f = tmp_path / "gw.jsonl"
    rec = {
        "request": {"model": "gpt-4o", "temperature": 0.9, "messages": [{"role": "user", "content": "hi"}]},
        "response": {"id": "chatcmpl-1", "object": "chat.completion", "created": 1759312800, "model": "gpt-4o",
                     "choices": [{"message": {"role": "assistant", "content": "hello"}}],
                     "usage": {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 10}},
        "feedback": "thumbs_down",
    }
    f.write_text(json.dumps(rec) + "\n")
    t = load([str(f)]).table
    assert t.loc[0, "temperature"] == 0.9
    assert t.loc[0, "quality"] == "thumbs_down"
    assert t.loc[0, "input_tokens"] == 8 and t.loc[0, "output_tokens"] == 2
