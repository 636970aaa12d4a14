"""Logs with prompt/response text but no usage numbers get tokens counted."""

from __future__ import annotations

import json

from llmcost.ingest import load
from llmcost.pricing import price_usage


def test_text_without_usage_is_counted_with_tiktoken(tmp_path):
    f = tmp_path / "gateway.jsonl"
    lines = [
        {"timestamp": "2025-10-01T10:00:00Z", "model": "gpt-4o", "prompt": "Hello, world!", "response": "Hello, world!"},
        {"timestamp": "2025-10-01T10:01:00Z", "model": "gpt-4o", "prompt": "Hello, world! Hello, world!", "response": ""},
        {"timestamp": "2025-10-01T10:02:00Z", "model": "gpt-4o", "prompt": "x", "response": "y", "input_tokens": 10, "output_tokens": 3},
    ]
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    r = load([str(f)])
    t = r.table
    # "Hello, world!" is 4 o200k tokens; rows that report usage keep it
    assert t["input_tokens"].tolist() == [4, 8, 10]
    assert t["output_tokens"].tolist() == [4, 0, 3]
    assert any("counted locally" in w for w in r.warnings)
    p = price_usage(t)
    assert p["cost_usd"].iloc[0] == 4 * 2.5e-6 + 4 * 10e-6
