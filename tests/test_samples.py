"""The shipped ``samples/`` folder: every file is read as its intended format
with the exact totals the generator (``scripts/make_samples.py``) wrote, every
model but the intended unknown fine-tune is priced, the folder is what the
generator produces today, and the CLI runs on it.

The expected numbers below were read off the generator's output once and are
pinned here: a change to a reader, to the generator or to the files shows up
as a failure naming the file.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.ingest import expand_paths, load
from llmcost.pricing import PriceBook, price_usage

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
LOGS = SAMPLES / "logs"
EXPORTS = SAMPLES / "exports"

CC = "logs/claude-code/projects/-home-ana-acme-platform"
CC_S1 = "604005ce-9d6b-455f-89f2-248d28a95c7e"
CC_S2 = "28b189e2-4e67-4b51-8bcf-7ff5ae30a9e9"
CODEX = "logs/codex/sessions/2025/10/14/rollout-2025-10-14T09-12-03-0199e2a4-7b1c-7d3e-9f10-d688ae4face9.jsonl"

# path under samples/ -> (format, rows, requests, uncached input, cache read, cache write, output)
EXPECTED: dict[str, tuple[str, int, int, int, int, int, int]] = {
    "logs/openai_chat_completions.jsonl": ("openai-responses", 900, 900, 2014410, 241152, 0, 513575),
    "logs/anthropic_messages.jsonl": ("anthropic-messages", 450, 450, 4643886, 65875, 276675, 132316),
    "logs/litellm_spend_logs.csv": ("litellm-spend-logs", 367, 367, 275451, 56320, 0, 2066),
    "logs/gemini_responses.jsonl": ("gemini-responses", 180, 180, 388412, 54272, 0, 136969),
    "logs/openai_batch_output.jsonl": ("openai-batch-output", 248, 248, 163265, 0, 0, 996),
    "logs/generic_usage.csv": ("generic-csv", 300, 300, 113978, 0, 0, 15288),
    f"{CC}/{CC_S1}.jsonl": ("claude-code", 9, 9, 184, 151480, 18297, 4964),
    f"{CC}/{CC_S2}.jsonl": ("claude-code", 7, 7, 137, 99474, 8053, 4180),
    f"{CC}/{CC_S1}/subagents/agent-a1b2c3d4.jsonl": ("claude-code", 3, 3, 50, 0, 9882, 474),
    CODEX: ("codex", 12, 12, 61749, 207104, 0, 8995),
    "exports/openai_usage_2025-10.csv": ("openai-usage-csv", 148, 1445, 2451016, 504576, 0, 531756),
    "exports/openai_usage_api.json": ("openai-usage-api", 148, 1445, 2451016, 504576, 0, 531756),
    "exports/openai_costs_2025-10.csv": ("openai-costs-csv", 353, 0, 0, 0, 0, 0),
    "exports/openai_costs_api.json": ("openai-costs-api", 353, 0, 0, 0, 0, 0),
    "exports/anthropic_usage_2025-10.csv": ("anthropic-console-usage-csv", 156, 156, 4821173, 316829, 312907, 148518),
    "exports/anthropic_usage_report.json": ("anthropic-usage-report", 156, 156, 4821173, 316829, 312907, 148518),
    "exports/anthropic_cost_2025-10.csv": ("anthropic-console-cost-csv", 355, 0, 0, 0, 0, 0),
    "exports/anthropic_cost_report.json": ("anthropic-cost-report", 355, 0, 0, 0, 0, 0),
}
LOG_REQUESTS = 2476  # sum of the logs' requests above
UNKNOWN_MODEL = "acme-finetune-v2"
UNKNOWN_REQUESTS = 20


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts" / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def logs_priced() -> pd.DataFrame:
    return price_usage(load([str(LOGS)]).table)


def test_every_usage_file_is_listed() -> None:
    found = {str(Path(p).relative_to(SAMPLES)) for p in expand_paths([str(LOGS), str(EXPORTS)])}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_file_format_and_totals(rel: str) -> None:
    fmt, rows, requests, inp, read, write, out = EXPECTED[rel]
    result = load([str(SAMPLES / rel)])
    assert [(f[1], f[2]) for f in result.files] == [(fmt, rows)]
    assert result.skipped == []
    t = result.table
    assert rows > 0
    assert int(t["requests"].sum()) == requests
    assert int(t["input_tokens"].sum()) == inp
    assert int(t["cache_read_tokens"].sum()) == read
    assert int(t["cache_write_tokens"].sum()) == write
    assert int(t["output_tokens"].sum()) == out
    priced = price_usage(t)
    unpriced = set(priced.loc[~priced["priced"], "model"])
    assert unpriced == ({UNKNOWN_MODEL} if rel.endswith("openai_chat_completions.jsonl") else set())


def test_custom_file_needs_its_mapping() -> None:
    mapping = yaml.safe_load((SAMPLES / "custom" / "mapping.yaml").read_text(encoding="utf-8"))
    result = load([str(SAMPLES / "custom" / "warehouse_llm_extract.csv")], mapping=mapping)
    assert [(f[1], f[2]) for f in result.files] == [("generic-csv", 161)]
    t = result.table
    # Tok_Eingabe_gesamt includes Tok_Cache (input_includes_cache: true); the extract has no cached tokens
    assert int(t["input_tokens"].sum()) == 76880
    assert int(t["output_tokens"].sum()) == 9571
    assert set(t["model"]) == {"gpt-4o-mini-2024-07-18"}
    assert set(t["app"]) == {"SALES-EMAIL"}
    assert t["time"].min() >= pd.Timestamp("2025-10-01", tz="UTC")
    assert bool(price_usage(t)["priced"].all())


def test_logs_story(logs_priced: pd.DataFrame) -> None:
    t = logs_priced
    assert len(t) == LOG_REQUESTS and int(t["requests"].sum()) == LOG_REQUESTS
    # only the intended unknown model is unpriced
    unpriced = t[~t["priced"]]
    assert set(unpriced["model"]) == {UNKNOWN_MODEL}
    assert int(unpriced["requests"].sum()) == UNKNOWN_REQUESTS
    # the whole month, October 2025
    days = t["time"].dt.floor("D")
    assert days.min() == pd.Timestamp("2025-10-01", tz="UTC")
    assert days.max() == pd.Timestamp("2025-10-31", tz="UTC")
    assert days.nunique() == 31
    # the spike day is the most expensive day, caused by the summariser
    daily = t.groupby(days)["cost_usd"].sum()
    assert daily.idxmax() == pd.Timestamp("2025-10-22", tz="UTC")
    spike = t[days == pd.Timestamp("2025-10-22", tz="UTC")]
    assert spike.groupby("app")["cost_usd"].sum().idxmax() == "summariser"
    assert daily.max() > 2 * daily.drop(daily.idxmax()).max()
    # the model switch: support-bot chat moved from gpt-4o to gpt-4o-mini on 2025-10-16
    chat = t[(t["app"] == "support-bot") & (t["feature"] == "chat")]
    switch = pd.Timestamp("2025-10-16", tz="UTC")
    assert set(chat.loc[chat["time"] < switch, "model"]) == {"gpt-4o-2024-08-06"}
    assert set(chat.loc[chat["time"] >= switch, "model"]) == {"gpt-4o-mini-2024-07-18"}
    # five long-context (>200k input) Anthropic requests, billed at the higher tier
    lc = t[t["long_context_billed"].astype(bool)]
    assert len(lc) == 5 and set(lc["model"]) == {"claude-sonnet-4-5-20250929"}
    total_in = lc["input_tokens"] + lc["cache_read_tokens"] + lc["cache_write_tokens"]
    assert bool((total_in > 200_000).all())
    # batch traffic: the OpenAI Batch output, all nightly-tagging
    batch = t[t["batch"]]
    assert len(batch) == 248 and set(batch["app"]) == {"nightly-tagging"}
    # prompt text for the cache levers (gateway, Anthropic and LiteLLM logs; not the
    # 6 LiteLLM cache hits): exact repeats, and 1-hour cache writes
    prompts = t["prompt"].dropna()
    assert len(prompts) == 900 + 450 + 144
    assert prompts.duplicated().sum() > 100
    assert int(t["cache_write_1h_tokens"].sum()) > 0
    assert set(t["app"]) >= {"support-bot", "search", "summariser", "code-review", "nightly-tagging", "sales-email"}


def test_exports_reconcile_with_a_discount() -> None:
    """OpenAI bills list prices; Anthropic bills 90% of list (the negotiated discount)."""
    book = PriceBook.default()
    oa_usage = price_usage(load([str(EXPORTS / "openai_usage_2025-10.csv")]).table, book)
    oa_cost = load([str(EXPORTS / "openai_costs_2025-10.csv")]).table
    assert float(oa_cost["reported_cost_usd"].sum()) == pytest.approx(float(oa_usage["cost_usd"].sum()), abs=0.01)
    an_usage = price_usage(load([str(EXPORTS / "anthropic_usage_2025-10.csv")]).table, book)
    an_cost = load([str(EXPORTS / "anthropic_cost_report.json")]).table
    list_total = float(an_usage["cost_usd"].sum())
    assert float(an_cost["reported_cost_usd"].sum()) == pytest.approx(0.9 * list_total, abs=0.01)
    assert list_total - float(an_cost["reported_cost_usd"].sum()) > 1.0


def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    _load_generator().generate(tmp_path)
    made = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    hand_written = {"prompts", "routes.yaml", "budgets.yaml"}  # written by hand, not by the generator
    shipped = {p.relative_to(SAMPLES) for p in SAMPLES.rglob("*")
               if p.is_file() and p.relative_to(SAMPLES).parts[0] not in hand_written}
    assert made == shipped
    for rel in sorted(made):
        assert (tmp_path / rel).read_bytes() == (SAMPLES / rel).read_bytes(), f"samples/{rel} is stale: rerun the script"


def test_folder_is_small() -> None:
    size = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert size < 3_000_000


def test_cli_analyze_logs() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(LOGS)])
    assert res.exit_code == 0, res.output
    strict = runner.invoke(app, ["analyze", str(LOGS), "--strict"])
    assert strict.exit_code == 2, strict.output
    assert "20 request(s)" in strict.output
    priced = runner.invoke(app, ["analyze", str(LOGS), "--prices", str(SAMPLES / "prices.yaml"), "--strict"])
    assert priced.exit_code == 0, priced.output
