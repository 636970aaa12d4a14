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


def test_gate_says_when_the_baseline_is_other_traffic(tmp_path: Path) -> None:
    two = write_log(tmp_path / "two.jsonl", [{**GPT4O, "prompt": "a"}, {**GPT4O, "prompt": "b"}])
    three = write_log(tmp_path / "three.jsonl", [{**GPT4O, "prompt": "a"}, {**GPT4O, "prompt": "b"}, {**GPT4O, "prompt": "c"}])
    base = tmp_path / "base.json"
    assert whatif(two, "--format", "json", "-o", str(base)).exit_code == 0
    # same traffic: $0.015 over 1 day = $0.4565625/month both sides
    r = whatif(two, "--baseline", str(base), "--fail-above", "5%", "--format", "json")
    assert r.exit_code == 0, r.output
    gate = json.loads(r.stdout)["gate"]
    assert gate["same_traffic"] is True and gate["traffic_diff_monthly_cost"] == 0.0 and gate["warnings"] == []
    # other traffic: $0.0225/day = $0.68484375/month, +$0.22828125 (+50%) all from the extra request
    r = whatif(three, "--baseline", str(base), "--fail-above", "5%", "--format", "json")
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    assert doc["diff_total_monthly_cost"] == pytest.approx(0.0075 * 30.4375)
    assert doc["gate"]["same_traffic"] is False
    assert doc["gate"]["traffic_diff_monthly_cost"] == pytest.approx(0.0075 * 30.4375)
    assert "was computed on other traffic (2 requests, 2025-06-01 to 2025-06-01) than this run (3 requests" in r.stderr
    md = whatif(three, "--baseline", str(base), "--fail-above", "5%", "--format", "markdown", "--quiet-below")
    assert md.exit_code == 1
    assert "the baseline was computed on other traffic" in md.stdout
    assert "> ⚠️" in md.stdout and "moves the monthly cost by +$0.2283" in md.stdout


WORDY = ("Please could you kindly, if at all possible, basically just summarize the following text for me, "
         "thank you very much in advance:   the   cat   sat on the mat.\n\n\n\nThe dog   sat too.")


def test_compress_level_uses_each_prompts_own_measured_ratio(tmp_path: Path) -> None:
    from llmcost.compress import compress_text

    res = compress_text(WORDY, level="balanced")
    assert (res.tokens_before, res.tokens_after) == (42, 37)  # the real compressor; the figures below follow
    log = write_log(tmp_path / "t.jsonl", [
        *[{**GPT4O, "prompt": WORDY}] * 3,
        {**GPT4O, "prompt": "Translate to French: good morning"},  # 6 -> 6 tokens: nothing to save
        dict(GPT4O),  # no prompt text: cannot be measured, left alone
    ])
    r = whatif(log, "--compress", "balanced", "--format", "json")
    assert r.exit_code == 0, r.output
    lv = lever(json.loads(r.stdout), "compress")
    # 1000 x 37/42 = 880.95 -> 881 input tokens: 119 saved on each of 3 requests = 357 x $2.50/M
    assert lv["savings_usd"] == pytest.approx(0.0008925)
    assert lv["requests_affected"] == 3
    assert lv["details"]["requests_without_text"] == 1
    assert "1 request(s) without prompt text left as they are" in " ".join(lv["notes"])
    # (the old lever applied the pooled 5/48 to all five requests: 520 tokens, $0.0013)
    assert json.loads(whatif(log, "--compress", "measure", "--format", "json").stdout)["savings_usd"] == pytest.approx(0.0008925)


def test_compress_without_prompt_text_says_it_cannot_measure(tmp_path: Path) -> None:
    log = write_log(tmp_path / "t.jsonl", [dict(GPT4O), dict(GPT4O)])
    r = whatif(log, "--compress", "aggressive", "--format", "json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["levers"] == [] and doc["savings_usd"] == 0.0
    assert doc["errors"] == ["lever compress cannot run: cannot measure compression: the log has no prompt text "
                             "(log the prompts, or pass an assumed ratio, e.g. --compress 0.3)"]


def test_gate_says_when_the_baseline_priced_the_same_traffic_differently(tmp_path: Path) -> None:
    two = write_log(tmp_path / "two.jsonl", [{**GPT4O, "prompt": "a"}, {**GPT4O, "prompt": "b"}])
    prices = tmp_path / "prices.yaml"
    prices.write_text("discounts:\n  - provider: openai\n    percent: 10\n")
    base = tmp_path / "base.json"
    assert whatif(two, "--prices", str(prices), "--format", "json", "-o", str(base)).exit_code == 0
    # list price $0.015/day vs $0.0135 with 10% off: +$0.0015 x 30.4375 = +$0.04565625/month (+11.1%)
    r = whatif(two, "--baseline", str(base), "--fail-above", "10%", "--format", "json")
    assert r.exit_code == 1, r.output
    gate = json.loads(r.stdout)["gate"]
    assert gate["diff_total_monthly_cost"] == pytest.approx(0.0015 * 30.4375)
    assert gate["same_traffic"] is False and gate["traffic_diff_monthly_cost"] == pytest.approx(0.0015 * 30.4375)
    assert gate["warnings"] == [f"{base} priced the same requests differently (another price table or --prices): "
                                "the un-optimised monthly cost moves by +$0.0457 before any lever"]


SONNET = {"provider": "anthropic", "model": "claude-sonnet-4-5"}


def test_prompt_cache_batch_cap_history_route_by_hand(tmp_path: Path) -> None:
    # Anthropic: a 3000-token shared prefix (of 4000) written at $3.75/M, read at $0.30/M within
    # 5 minutes (a read refreshes), written again after expiry; a row already reading the cache
    # in the log stays as it is. Baseline 4 x $0.0135 + $0.0054; after: write rows $0.01575,
    # read rows $0.0054: saving $0.0117.
    p = "S" * 3000
    rows = [
        {**SONNET, "time": f"2025-06-01T00:{m:02d}:00Z", "prompt": p + c * 1000, "input_tokens": 4000, "output_tokens": 100}
        for m, c in ((0, "a"), (2, "b"), (10, "c"), (12, "e"))
    ]
    rows.insert(3, {**SONNET, "time": "2025-06-01T00:11:00Z", "prompt": p + "d" * 1000, "input_tokens": 1000,
                    "cache_read_input_tokens": 3000, "output_tokens": 100})
    doc = json.loads(whatif(write_log(tmp_path / "a.jsonl", rows), "--prompt-cache", "--format", "json").stdout)
    assert doc["baseline_cost_usd"] == pytest.approx(0.0594)
    assert lever(doc, "prompt-cache")["savings_usd"] == pytest.approx(0.0117)
    # OpenAI gpt-4o: a 1500-token prefix caches 1024 + 3 x 128 = 1408 tokens at half price on the
    # second request ($0.00176); a 900-token prefix is under the 1024 minimum
    q = "S" * 1500
    rows = [{**GPT4O, "time": f"2025-06-01T00:0{i}:00Z", "prompt": q + c * 500, "input_tokens": 2000, "output_tokens": 100}
            for i, c in enumerate("ab")]
    rows += [{**GPT4O, "time": f"2025-06-01T00:0{i}:00Z", "prompt": "T" * 900 + c * 100, "input_tokens": 1000, "output_tokens": 100}
             for i, c in ((3, "c"), (4, "d"))]
    doc = json.loads(whatif(write_log(tmp_path / "o.jsonl", rows), "--prompt-cache", "--format", "json").stdout)
    assert (doc["baseline_cost_usd"], lever(doc, "prompt-cache")["savings_usd"]) == (pytest.approx(0.019), pytest.approx(0.00176))
    # batch app=nightly: gpt-4o $0.0075 -> half; an already-batched row stays; sonnet $0.0105 and
    # $0.0111 (with 2000 cache-read tokens) -> half: $0.01455; app=chat stays
    rows = [{**GPT4O, "app": "nightly"}, {**GPT4O, "app": "nightly", "batch": True}, {**GPT4O, "app": "chat"},
            {**SONNET, "app": "nightly", "input_tokens": 1000, "output_tokens": 500},
            {**SONNET, "app": "nightly", "input_tokens": 1000, "cache_read_input_tokens": 2000, "output_tokens": 500}]
    doc = json.loads(whatif(write_log(tmp_path / "b.jsonl", rows), "--batch", "app=nightly", "--format", "json").stdout)
    assert doc["baseline_cost_usd"] == pytest.approx(0.04035)
    assert (lever(doc, "batch")["savings_usd"], lever(doc, "batch")["requests_affected"]) == (pytest.approx(0.01455), 3)
    # output cap 1000: 2000 -> 1000 on gpt-4o ($0.01), 1500 -> 1000 on sonnet ($0.0075), 800 stays;
    # history 2000: s1 3000 -> 2000 (gpt-4o $0.0025), 5000 -> 2000 (sonnet $0.009); s2 starts at 2500,
    # so 4000 -> 2500 ($0.00375); no session: left alone
    rows = [{**GPT4O, "session": "s1", "input_tokens": 1000, "output_tokens": 2000},
            {**GPT4O, "session": "s1", "input_tokens": 3000, "output_tokens": 800},
            {**SONNET, "session": "s1", "input_tokens": 5000, "output_tokens": 1500},
            {**GPT4O, "session": "s2", "input_tokens": 2500, "output_tokens": 100},
            {**GPT4O, "session": "s2", "input_tokens": 4000, "output_tokens": 100},
            {**GPT4O, "input_tokens": 9000, "output_tokens": 100}]
    for i, r in enumerate(rows):
        r["time"] = f"2025-06-01T00:0{i}:00Z"
    log = write_log(tmp_path / "c.jsonl", rows)
    doc = json.loads(whatif(log, "--max-output", "1000", "--format", "json").stdout)
    assert (lever(doc, "output-cap")["savings_usd"], lever(doc, "output-cap")["requests_affected"]) == (pytest.approx(0.0175), 2)
    assert "2 response(s) (33.3% of requests) would be truncated at 1,000 tokens" in doc["risks"][0]
    doc = json.loads(whatif(log, "--max-history", "2000", "--format", "json").stdout)
    assert lever(doc, "history")["savings_usd"] == pytest.approx(0.01525)


def test_route_then_cache_stack_without_double_counting(tmp_path: Path) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text("routes:\n  - name: chat-to-mini\n    match: {app: chat}\n    to: gpt-4o-mini\n"
                      "  - name: gpt4o-to-sonnet\n    match: {model: 'gpt-4o*'}\n    to: claude-sonnet-4-5\n")
    log = write_log(tmp_path / "t.jsonl", [
        {**GPT4O, "time": "2025-06-01T00:00:00Z", "app": "chat", "prompt": "hi"},
        {**GPT4O, "time": "2025-06-01T00:10:00Z", "app": "chat", "prompt": "hi"},
        {**GPT4O, "time": "2025-06-01T00:20:00Z", "app": "docs", "prompt": "hi"},
    ])
    doc = json.loads(whatif(log, "--route", str(routes), "--cache", "exact", "--format", "json").stdout)
    # first match wins: the chat rows go to mini ($0.00045 each), docs to sonnet ($0.0105): $0.0225 -> $0.0114;
    # then the second chat row is a hit on the mini answer: $0.00045 more; final = the transformed log, $0.01095
    assert [lv["name"] for lv in doc["levers"]] == ["route", "cache"]
    assert lever(doc, "route")["savings_usd"] == pytest.approx(0.0111)
    assert lever(doc, "cache")["savings_usd"] == pytest.approx(0.00045)
    assert doc["scenario_cost_usd"] == pytest.approx(0.01095)
    assert doc["savings_usd"] == pytest.approx(sum(lv["savings_usd"] for lv in doc["levers"]))
