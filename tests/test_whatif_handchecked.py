"""`llmcost whatif` on short logs whose dollar figures are worked out by hand from the
published prices (gpt-4o $2.50 / $1.25 cached / $10 per M; gpt-4o-mini $0.15 / $0.60;
claude-sonnet-4-5 $3 in, $0.30 read, $3.75 5-minute write, $15 out; Batch 50% off)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli import app

runner = CliRunner()


def write_log(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps({"time": "2025-06-01T00:00:00Z", **r}) + "\n" for r in rows))
    return str(path)


def whatif(*args: str):
    return runner.invoke(app, ["whatif", *args])


def lever(doc: dict, name: str) -> dict:
    return next(lv for lv in doc["levers"] if lv["name"] == name)


GPT4O = {"provider": "openai", "model": "gpt-4o", "input_tokens": 1000, "output_tokens": 500}  # $0.0075


def test_unknown_model_is_reported_not_priced_at_zero(tmp_path: Path) -> None:
    log = write_log(tmp_path / "t.jsonl", [
        {**GPT4O, "prompt": "hi"},
        {**GPT4O, "model": "my-llm-7b", "provider": "", "prompt": "hi"},
    ])
    r = whatif(log, "--max-output", "400", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    # only the gpt-4o request is priced: $0.0075, capped 500 -> 400 output saves 100 x $10/M = $0.001
    assert doc["baseline_cost_usd"] == pytest.approx(0.0075)
    assert doc["savings_usd"] == pytest.approx(0.001)
    assert doc["unpriced_requests"] == 1
    assert doc["unpriced_models"] == [{"model": "my-llm-7b", "requests": 1, "rows": 1}]
    row = next(m for m in doc["by_model"] if m["model"] == "my-llm-7b")
    assert row["unpriced_requests"] == 1
    assert any("(my-llm-7b) are left out of every cost" in w for w in doc["warnings"])
    assert "my-llm-7b" in r.stderr
    md = whatif(log, "--format", "markdown")
    assert "(my-llm-7b) are left out of every cost" in md.stdout
