"""Every real usage log in ../shared/ext/usage ingests without flags.

The statusline JSON is a session summary rather than a log (it is read as a
cost-only row) and the OpenRouter activity CSV is a header without rows, so
both are excluded as the issue allows. Skipped when the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmcost.ingest import load
from llmcost.pricing import price_usage

EXT = Path(__file__).resolve().parents[2] / "shared" / "ext" / "usage"
if not EXT.exists():
    EXT = Path("/work/shared/ext/usage")

EXCLUDED = {"statusline-test.json", "statusline-test-opus4.json", "activity_export_header.csv"}

EXPECTED_FORMAT = {
    "docs_cost_report_example.json": "anthropic-cost-report",
    "docs_usage_report_messages_example.json": "anthropic-usage-report",
    "docs_user_usage_report_example.json": "anthropic-usage-report",
    "claude_project-alpha_session-alpha_chat.jsonl": "claude-code",
    "claude_project-beta_session-beta_chat.jsonl": "claude-code",
    "codex_session-alpha.jsonl": "codex",
    "test-transcript.jsonl": "claude-code",
    "edge_cases.jsonl": "claude-code",
    "representative_messages.jsonl": "claude-code",
    "todowrite_examples.jsonl": "claude-code",
    "anthropic_messages.jsonl": "anthropic-messages",
    "google_gemini.jsonl": "gemini-responses",
    "openai_chat_completions.jsonl": "openai-responses",
    "openai_responses.jsonl": "openai-responses",
    "openrouter_usage_with_billed_cost.jsonl": "openai-responses",
    "other_usage.jsonl": "api-responses",
    "spend_logs_payload.json": "litellm-spend-logs",
    "cookbook_completions_usage_buckets.json": "openai-usage-api",
    "openai_docs_costs_page_example.json": "openai-costs-api",
    "docs_batch_output_example.jsonl": "openai-batch-output",
}


def _files() -> list[Path]:
    if not EXT.exists():
        return []
    return sorted(p for p in EXT.rglob("*") if p.is_file() and p.name != "SOURCE.txt" and p.name not in EXCLUDED)


@pytest.mark.skipif(not EXT.exists(), reason="../shared/ext/usage not present on this machine")
def test_every_ext_usage_file_is_covered():
    assert {p.name for p in _files()} == set(EXPECTED_FORMAT)


@pytest.mark.skipif(not EXT.exists(), reason="../shared/ext/usage not present on this machine")
@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_ext_usage_ingests_without_flags(path: Path):
    result = load([str(path)])
    assert result.files[0][1] == EXPECTED_FORMAT[path.name]
    assert len(result.table) > 0
    assert result.skipped == []
    priced = price_usage(result.table)
    # nothing is silently free: a row is either priced or reported unpriced
    assert ((priced["cost_usd"] > 0) | ~priced["priced"] | (priced[["input_tokens", "output_tokens"]].sum(axis=1) == 0)).all()


@pytest.mark.skipif(not EXT.exists(), reason="../shared/ext/usage not present on this machine")
def test_ext_known_totals():
    cookbook = load([str(EXT / "openai_admin_api" / "cookbook_completions_usage_buckets.json")]).table
    assert int(cookbook["input_tokens"].sum() + cookbook["cache_read_tokens"].sum()) == 16_951_009
    assert int(cookbook["cache_read_tokens"].sum()) == 168_128
    assert int(cookbook["output_tokens"].sum()) == 729_421
    assert int(cookbook["requests"].sum()) == 19_347
    litellm = price_usage(load([str(EXT / "litellm" / "spend_logs_payload.json")]).table)
    assert litellm["cost_usd"].sum() == pytest.approx(0.000225)
    assert litellm["reported_cost_usd"].sum() == pytest.approx(0.000225)
    cost = load([str(EXT / "anthropic_admin_api" / "docs_cost_report_example.json")]).table
    assert cost["reported_cost_usd"].sum() == pytest.approx(1.2378912)
