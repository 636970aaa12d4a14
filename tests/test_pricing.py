"""Pricing: hand-computed costs, dated prices, batch, tiers, overrides, and
the 72 external cost cases (genai-prices' and tokencost's own tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmcost.errors import ConfigError
from llmcost.pricing import PriceBook, price_one, price_usage
from llmcost.schema import finalize

FIX = Path(__file__).parent / "fixtures"


def table(rows: list[dict]) -> pd.DataFrame:
    return finalize(pd.DataFrame(rows), source="t.csv", source_format="test")


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.default()


def test_openai_cached_input_hand_computed(book):
    # gpt-4o: $2.50 input, $1.25 cached, $10 output per 1M
    p = price_usage(table([dict(time="2025-06-01T10:00:00Z", model="gpt-4o-2024-08-06", provider="openai",
                                input_tokens=1000, cache_read_tokens=500, output_tokens=200)]), book)
    assert p.loc[0, "cost_input_usd"] == pytest.approx(0.0025)
    assert p.loc[0, "cost_cache_read_usd"] == pytest.approx(0.000625)
    assert p.loc[0, "cost_output_usd"] == pytest.approx(0.002)
    assert p.loc[0, "cost_usd"] == pytest.approx(0.005125)
    assert p.loc[0, "price_model"] == "gpt-4o"
    assert bool(p.loc[0, "priced"])


def test_anthropic_cache_write_5m_and_1h(book):
    # claude-sonnet-4-5: $3 in, $3.75 5m write, $6 1h write, $0.30 read, $15 out
    p = price_usage(table([dict(time="2025-11-01", model="claude-sonnet-4-5-20250929", provider="anthropic",
                                input_tokens=100, cache_write_tokens=1000, cache_write_1h_tokens=400,
                                cache_read_tokens=2000, output_tokens=300)]), book)
    # 100*3 + 600*3.75 + 400*6 + 2000*0.3 + 300*15 = 10050 micro-dollars
    assert p.loc[0, "cost_usd"] == pytest.approx(0.01005)
    assert p.loc[0, "cost_cache_write_usd"] == pytest.approx(0.00465)


def test_batch_is_half_price_even_where_the_data_lacks_it(book):
    rows = [
        dict(time="2025-11-01", model="gpt-4o-mini", provider="openai", input_tokens=1_000_000, output_tokens=1_000_000, batch=True),
        dict(time="2025-11-01", model="gpt-4o-mini", provider="openai", input_tokens=1_000_000, output_tokens=1_000_000, batch=False),
        # Anthropic: genai-prices has no batch variant before 2026-10-14
        dict(time="2025-05-01", model="claude-3-5-haiku-20241022", provider="anthropic", input_tokens=1_000_000, output_tokens=1_000_000, batch=True),
    ]
    p = price_usage(table(rows), book)
    assert p["cost_usd"].tolist() == pytest.approx([0.375, 0.75, 2.4])  # (0.8 + 4.0) / 2


def test_openai_flex_tier_is_priced_at_batch_rates(book):
    # OpenAI: Flex processing tokens are "priced at Batch API rates"; genai-prices has no flex
    # prices, and flex rows used to be priced at the full standard price
    base = dict(time="2025-10-05", model="o3-2025-04-16", provider="openai", input_tokens=1_000_000,
                cache_read_tokens=1_000_000, output_tokens=100_000)
    rows = [base | dict(service_tier="flex"), base | dict(service_tier="standard"),
            base | dict(service_tier="flex", batch=True)]
    p = price_usage(table(rows), book)
    # o3 since 2025-06-10: $2 input, $0.50 cached, $8 output per 1M; flex and batch halve them, once
    assert p["cost_usd"].tolist() == pytest.approx([1.0 + 0.25 + 0.4, 2.0 + 0.5 + 0.8, 1.0 + 0.25 + 0.4])


def test_price_valid_on_the_requests_date(book):
    # o3 was cut from $10/$40 to $2/$8 on 2025-06-10
    rows = [
        dict(time="2025-06-09T23:59:59Z", model="o3", input_tokens=1_000_000, output_tokens=1_000_000),
        dict(time="2025-06-10T00:00:00Z", model="o3", input_tokens=1_000_000, output_tokens=1_000_000),
    ]
    p = price_usage(table(rows), book)
    assert p["cost_usd"].tolist() == pytest.approx([50.0, 10.0])


def test_long_context_tier_per_request_and_aggregated(book):
    rows = [
        # per-request: 150k uncached + 60k cache read > 200k -> whole request at $6 / $22.50 / $0.60
        dict(time="2025-11-01", model="claude-sonnet-4-5", input_tokens=150_000, cache_read_tokens=60_000, output_tokens=1000),
        # exactly 200k: base tier
        dict(time="2025-11-01", model="claude-sonnet-4-5", input_tokens=200_000),
        # an aggregated daily row of 10 requests: tier from its context_window flag, not from totals
        dict(time="2025-11-01", model="claude-sonnet-4-5", input_tokens=3_000_000, requests=10, long_context=False),
        dict(time="2025-11-01", model="claude-sonnet-4-5", input_tokens=3_000_000, requests=10, long_context=True),
    ]
    p = price_usage(table(rows), book)
    assert p.loc[0, "cost_usd"] == pytest.approx(150_000 * 6e-6 + 60_000 * 0.6e-6 + 1000 * 22.5e-6)
    assert p.loc[1, "cost_usd"] == pytest.approx(0.6)
    assert p.loc[2, "cost_usd"] == pytest.approx(9.0)
    assert p.loc[3, "cost_usd"] == pytest.approx(18.0)
    assert p["long_context_billed"].tolist() == [True, False, False, True]


def test_model_names_as_logs_spell_them(book):
    names = {
        "openai/gpt-4o": "gpt-4o",
        "gpt-4o-2024-08-06": "gpt-4o",
        "models/gemini-2.5-flash": "gemini-2.5-flash",
        "claude-3-5-sonnet-latest": "claude-3-5-sonnet",
        "claude-3-5-sonnet-v2@20241022": "claude-3-5-sonnet",
        "anthropic/claude-3.5-sonnet": "claude-3-5-sonnet",
        "vertex_ai/gemini-2.5-pro": "gemini-2.5-pro",
        "anthropic.claude-3-5-sonnet-20240620-v1:0": "regional.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0": "regional.anthropic.claude-sonnet-4-20250514-v1:0",
        "azure/gpt-4o": "gpt-4o",
        "projects/acme/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929": "claude-sonnet-4-5",
        "publishers/google/models/gemini-2.5-pro": "gemini-2.5-pro",
    }
    for raw, expected in names.items():
        res = book.resolve(raw)
        assert res is not None, raw
        assert res.model_id == expected, raw


def test_unknown_and_finetuned_models_are_unpriced_not_free(book):
    rows = [
        dict(time="2025-11-01", model="totally-unknown-model-9000", input_tokens=1000, output_tokens=10),
        dict(time="2025-11-01", model="ft:gpt-4.1-nano-2025-04-14:acme::abc123", input_tokens=1000),
        dict(time="2025-11-01", model="", input_tokens=5),
        dict(time="2025-11-01", model="gpt-4o", input_tokens=1_000_000),
        # a fine-tune the table knows is priced at its fine-tune price, not its base model's
        dict(time="2025-11-01", model="ft:gpt-4o-mini-2024-07-18:acme::abc123", input_tokens=1_000_000, output_tokens=1_000_000),
    ]
    p = price_usage(table(rows), book)
    assert p["priced"].tolist() == [False, False, False, True, True]
    assert p["cost_usd"].tolist() == pytest.approx([0, 0, 0, 2.5, 1.5])
    assert p["price_model"].tolist() == ["", "", "", "gpt-4o", "ft:gpt-4o-mini"]


def test_cost_only_rows_count_at_billed_amount(book):
    rows = [dict(time="2025-11-01", model="", requests=0, reported_cost_usd=12.34, feature="gpt-4o input")]
    p = price_usage(table(rows), book)
    assert bool(p.loc[0, "priced"]) and p.loc[0, "cost_usd"] == pytest.approx(12.34)
    assert p.loc[0, "price_model"] == "(billed amount)"


def test_time_of_day_prices_deepseek(book):
    # deepseek-chat has off-peak prices 16:30-00:30 UTC
    peak = book.quote("deepseek-chat", datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    off = book.quote("deepseek-chat", datetime(2025, 6, 1, 17, 0, tzinfo=UTC))
    assert peak is not None and off is not None and off.input < peak.input
    p = price_usage(table([
        dict(time="2025-06-01T12:00:00Z", model="deepseek-chat", input_tokens=1_000_000),
        dict(time="2025-06-01T17:00:00Z", model="deepseek-chat", input_tokens=1_000_000),
    ]), book)
    assert p["cost_usd"].tolist() == pytest.approx([peak.input, off.input])


def test_vectorised_equals_row_by_row(book):
    rng = np.random.default_rng(7)
    models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "claude-3-5-haiku-20241022", "gemini-2.5-pro", "o3"]
    n = 300
    rows = [
        dict(
            time=pd.Timestamp("2025-01-01", tz="UTC") + pd.Timedelta(days=int(rng.integers(0, 300))),
            model=models[int(rng.integers(0, len(models)))],
            input_tokens=int(rng.integers(0, 250_000)),
            cache_read_tokens=int(rng.integers(0, 5_000)),
            cache_write_tokens=int(rng.integers(0, 3_000)),
            output_tokens=int(rng.integers(0, 4_000)),
            batch=bool(rng.integers(0, 2)),
        )
        for _ in range(n)
    ]
    p = price_usage(table(rows), book)
    for r, (_, got) in zip(rows, p.iterrows()):
        ref = price_one(book, r["model"], when=r["time"].to_pydatetime(), input_tokens=r["input_tokens"],
                        cache_read_tokens=r["cache_read_tokens"], cache_write_tokens=r["cache_write_tokens"],
                        output_tokens=r["output_tokens"], batch=r["batch"])
        assert got["cost_usd"] == pytest.approx(ref, rel=1e-12)


# -- the 72 external cases ---------------------------------------------------------

NOT_COVERED = {
    # tokencost's table used the legacy gpt-3.5-turbo price ($1.50/$2.00, the 0613
    # snapshot); today's gpt-3.5-turbo alias is priced $0.50/$1.50.
    "tokencost-p-gpt-3.5-turbo": "legacy gpt-3.5-turbo list price in tokencost's table",
    "tokencost-c-gpt-3.5-turbo": "legacy gpt-3.5-turbo list price in tokencost's table",
    # video and audio input tokens are priced per modality by Gemini; llmcost prices
    # all input tokens at the text price.
    "genai-prices-20": "Gemini audio/video modality input pricing",
}


def _cases():
    return [json.loads(line) for line in (FIX / "ext" / "cost_cases.jsonl").read_text().splitlines() if line.strip()]


def test_external_cost_cases(book):
    cases = _cases()
    assert len(cases) == 72
    rows = []
    for c in cases:
        raw = c.get("raw_api_usage") or {}
        cw1h = (raw.get("cache_creation") or {}).get("ephemeral_1h_input_tokens", 0) if isinstance(raw, dict) else 0
        rows.append(dict(
            time="2026-09-01", model=c["model"], provider=c["provider"],
            input_tokens=c["uncached_input_tokens"], cache_read_tokens=c["cache_read_tokens"],
            cache_write_tokens=c["cache_write_tokens"], cache_write_1h_tokens=cw1h or 0,
            output_tokens=c["output_tokens"], reasoning_tokens=c["reasoning_tokens"],
        ))
    p = price_usage(table(rows), book)
    checked = 0
    for c, (_, got) in zip(cases, p.iterrows()):
        if c["id"] in NOT_COVERED:
            continue
        expected = float(c["expected_total_usd"])
        assert bool(got["priced"]), c["id"]
        assert got["cost_usd"] == pytest.approx(expected, rel=1e-6, abs=1e-12), c["id"]
        checked += 1
    assert checked == 69


# -- overrides ------------------------------------------------------------------------

def write(tmp_path: Path, text: str) -> str:
    f = tmp_path / "prices.yaml"
    f.write_text(text)
    return str(f)


def test_overrides_finetune_dated_selfhosted_alias_and_discount(tmp_path):
    path = write(tmp_path, """
models:
  - match: "ft:gpt-4o-mini-2024-07-18:acme::*"
    provider: openai
    input: 0.30
    output: 1.20
  - match: house-model
    input: 2.0
    output: 8.0
  - match: house-model
    input: 1.0
    output: 4.0
    valid_from: 2025-06-01
  - match: llama-selfhosted
    hourly_usd: 9.0
    tokens_per_second: 2500
  - match: gateway-gpt
    like: gpt-4o-mini
discounts:
  - provider: anthropic
    percent: 10
""")
    book = PriceBook.default(path)
    rows = [
        dict(time="2025-01-01", model="ft:gpt-4o-mini-2024-07-18:acme::abc", input_tokens=1_000_000, output_tokens=1_000_000),
        dict(time="2025-05-31", model="house-model", input_tokens=1_000_000),
        dict(time="2025-06-01", model="house-model", input_tokens=1_000_000),
        dict(time="2025-06-01", model="llama-selfhosted", input_tokens=9_000_000),
        dict(time="2025-06-01", model="gateway-gpt", input_tokens=1_000_000),
        dict(time="2025-11-01", model="claude-sonnet-4-5", input_tokens=100_000),
    ]
    p = price_usage(table(rows), book)
    # self-hosted: $9/h at 2500 tok/s = 9e6 tokens/h -> $1 per 1M tokens
    assert p["cost_usd"].tolist() == pytest.approx([1.5, 2.0, 1.0, 9.0, 0.15, 0.27])


@pytest.mark.parametrize(
    "text, message",
    [
        ("models: [{match: x, input: 1}]", "'output'"),
        ("models: [{match: x, input: -1, output: 2}]", "must not be negative"),
        ("models: [{match: x, input: 1, output: 2, colour: red}]", "unknown key(s) colour"),
        ("discounts: [{provider: openai, percent: 150}]", "between 0 and 100"),
        ("models: [{match: x, hourly_usd: 3}]", "tokens_per_second"),
        ("modles: []", "unknown top-level key(s): modles"),
        ("models: [{match: x, input: 1, output: 2]", "invalid YAML"),
    ],
)
def test_override_errors_are_one_line_and_name_the_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        PriceBook.default(path)
    assert message in str(exc.value)
    assert str(exc.value).startswith(path)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize(
    "args, line",
    [
        # a typo: the close spelling is offered, not "try a shorter pattern"
        (["gtp-4o"], "llmcost: error: no model in the price table matches 'gtp-4o' (did you mean gpt-4o?)"),
        # --provider filtered every match out: say where the model is listed
        (["claude-sonnet-4-5", "--provider", "openai"],
         "llmcost: error: no openai model in the price table matches 'claude-sonnet-4-5' "
         "(it is listed under: anthropic, aws, google)"),
        (["zzzz"], "llmcost: error: no model in the price table matches 'zzzz' (try a shorter pattern, e.g. 'sonnet')"),
    ],
)
def test_prices_cli_no_match_is_one_line_with_a_suggestion(args, line):
    from typer.testing import CliRunner

    from llmcost.cli import app

    r = CliRunner().invoke(app, ["prices", *args])
    assert r.exit_code == 2
    assert r.stderr == line + "\n" and r.stdout == ""


def test_prices_cli_date_is_the_days_standard_price_not_midnights():
    # deepseek-chat: $0.27/M input, $1.10/M output; half price 16:30-00:30 UTC.  A bare --date used to be
    # read at 00:00 UTC, inside the off-peak window, and showed 0.135 / 0.55 as "the prices valid that day"
    from typer.testing import CliRunner

    from llmcost.cli import app

    def row(date: str) -> str:
        r = CliRunner().invoke(app, ["prices", "deepseek-chat", "--provider", "deepseek", "--date", date, "--format", "csv"])
        assert r.exit_code == 0, r.output
        return r.stdout.splitlines()[1].split(",")[:8]  # up to context_window (not the source's version)

    assert row("2025-06-01") == "deepseek,deepseek-chat,0.27,0.07,0.27,0.27,1.1,64000".split(",")
    assert row("2025-06-01T17:00") == "deepseek,deepseek-chat,0.135,0.035,0.135,0.135,0.55,64000".split(",")
