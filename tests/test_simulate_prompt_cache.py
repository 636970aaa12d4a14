"""Provider prompt-caching lever: hand-computed Anthropic and OpenAI cases."""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.pricing import PriceBook, price_usage
from llmcost.schema import finalize
from llmcost.simulate.base import LeverError
from llmcost.simulate.prompt_cache import (
    PromptCache,
    anthropic_min_tokens,
    shared_prefix_lengths,
)

T0 = pd.Timestamp("2025-06-02T09:00:00Z")
SYSTEM = "S" * 8000  # a system prompt of 8,000 characters


def question(letter: str) -> str:
    # 400 characters that differ from the first character on
    return letter * 400


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.default()


def log(rows: list[dict], model: str = "claude-sonnet-4-5") -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "time": [T0 + pd.Timedelta(seconds=r["at"]) for r in rows],
            "model": [r.get("model", model) for r in rows],
            "app": [r.get("app", "") for r in rows],
            "prompt": [r.get("prompt") for r in rows],
            "input_tokens": [r["input"] for r in rows],
            "cache_read_tokens": [r.get("cache_read", 0) for r in rows],
            "output_tokens": [r.get("output", 0) for r in rows],
        }
    )
    return finalize(df, source="t.jsonl", source_format="test")


def cost(table: pd.DataFrame, book: PriceBook) -> float:
    return float(price_usage(table, book)["cost_usd"].sum())


def three_requests(gap: float = 60.0) -> list[dict]:
    # 8,400 characters = 2,100 tokens each: the 8,000-character system prompt is 2,000 tokens
    return [{"prompt": SYSTEM + question(q), "input": 2100, "at": i * gap} for i, q in enumerate("ABC")]


def test_anthropic_write_premium_then_reads(book):
    t = log(three_requests())
    out = PromptCache().apply(t, book)
    tab = out.table
    assert tab["cache_write_tokens"].tolist() == [2000, 0, 0]
    assert tab["cache_read_tokens"].tolist() == [0, 2000, 2000]
    assert tab["input_tokens"].tolist() == [100, 100, 100]
    assert tab["cache_write_1h_tokens"].tolist() == [0, 0, 0]
    # claude-sonnet-4-5: input $3/M, 5-minute write $3.75/M (1.25x), read $0.30/M (0.1x)
    before = 3 * 2100 * 3.0 / 1e6  # 0.0189
    after = (100 * 3.0 + 2000 * 3.75) / 1e6 + 2 * (100 * 3.0 + 2000 * 0.30) / 1e6  # 0.0078 + 2 * 0.0009
    assert cost(t, book) == pytest.approx(before)
    assert cost(tab, book) == pytest.approx(after)
    assert after == pytest.approx(0.0096)
    assert out.details["saved_usd"] == pytest.approx(0.0093)
    assert out.requests_affected == 3
    assert out.details["cache_write_tokens_added"] == 2000
    assert out.details["written_never_read_tokens"] == 0


def test_anthropic_one_hour_ttl_costs_2x_to_write(book):
    out = PromptCache(ttl="1h").apply(log(three_requests()), book)
    tab = out.table
    assert tab["cache_write_1h_tokens"].tolist() == [2000, 0, 0]
    after = (100 * 3.0 + 2000 * 6.0) / 1e6 + 2 * (100 * 3.0 + 2000 * 0.30) / 1e6
    assert cost(tab, book) == pytest.approx(after)


def test_anthropic_ttl_expires_five_minutes_after_the_last_use(book):
    rows = three_requests(gap=240.0)  # 0, 240, 480 s: each read refreshes the 5-minute TTL
    rows.append({"prompt": SYSTEM + question("D"), "input": 2100, "at": 480 + 301})  # 5 min 1 s after the last read
    out = PromptCache().apply(log(rows), book)
    assert out.table["cache_write_tokens"].tolist() == [2000, 0, 0, 2000]
    assert out.table["cache_read_tokens"].tolist() == [0, 2000, 2000, 0]
    # the second write is never read: 2,000 tokens paid at the premium for nothing
    assert out.details["written_never_read_tokens"] == 2000


def test_anthropic_minimum_length(book):
    # a 900-token shared prefix (3,600 of 4,000 characters): below Sonnet's 1,024
    rows = [{"prompt": "S" * 3600 + question(q), "input": 1000, "at": i} for i, q in enumerate("AB")]
    out = PromptCache().apply(log(rows), book)
    assert out.requests_affected == 0
    assert out.table["input_tokens"].tolist() == [1000, 1000]
    assert out.details["saved_usd"] == 0.0
    # a 2,000-token prefix is enough for Sonnet 4.5 but not for Haiku 3.5 (2,048)
    out = PromptCache().apply(log(three_requests(), model="claude-3-5-haiku-20241022"), book)
    assert out.requests_affected == 0


def test_anthropic_minimum_lengths_per_model():
    assert anthropic_min_tokens("claude-sonnet-4-5-20250929") == 1024
    assert anthropic_min_tokens("claude-3-7-sonnet-20250219") == 1024
    assert anthropic_min_tokens("claude-opus-4-1") == 1024
    assert anthropic_min_tokens("claude-opus-4-5") == 4096
    assert anthropic_min_tokens("claude-sonnet-4-6") == 2048
    assert anthropic_min_tokens("claude-3-5-haiku-20241022") == 2048
    assert anthropic_min_tokens("claude-3-haiku-20240307") == 2048
    assert anthropic_min_tokens("claude-haiku-4-5") == 4096
    assert anthropic_min_tokens("anthropic.claude-3-5-sonnet-20240620-v1:0") == 1024
    assert anthropic_min_tokens("claude-sonnet-4-20250514") == 1024


def test_openai_automatic_caching_in_128_token_steps(book):
    # 2,000-token prompts (8,000 characters) sharing 6,000 characters = 1,500 tokens
    shared = "P" * 6000
    rows = [{"prompt": shared + q * 2000, "input": 2000, "at": i * 30} for i, q in enumerate("XY")]
    out = PromptCache().apply(log(rows, model="gpt-4o"), book)
    tab = out.table
    # 1,500 matched tokens -> 1,024 + 3 * 128 = 1,408 cached; no write premium
    assert tab["cache_read_tokens"].tolist() == [0, 1408]
    assert tab["cache_write_tokens"].tolist() == [0, 0]
    assert tab["input_tokens"].tolist() == [2000, 592]
    # gpt-4o: input $2.50/M, cached input $1.25/M
    assert cost(tab, book) == pytest.approx((2000 * 2.5 + 592 * 2.5 + 1408 * 1.25) / 1e6)
    assert out.details["saved_usd"] == pytest.approx(1408 * (2.5 - 1.25) / 1e6)


def test_openai_prompt_under_1024_tokens_is_not_cached(book):
    rows = [{"prompt": "P" * 3800 + q * 200, "input": 1000, "at": i} for i, q in enumerate("XY")]
    assert PromptCache().apply(log(rows, model="gpt-4o"), book).requests_affected == 0


def test_conversation_turns_read_the_previous_turn(book):
    # turn 2 repeats turn 1 and adds to it; turn 3 repeats turn 2
    t1 = SYSTEM + "U1" * 200
    t2 = t1 + "A1" * 200 + "U2" * 200
    t3 = t2 + "A2" * 200 + "U3" * 200
    rows = [
        {"prompt": t1, "input": 2100, "at": 0},
        {"prompt": t2, "input": 2300, "at": 60},
        {"prompt": t3, "input": 2500, "at": 120},
    ]
    out = PromptCache().apply(log(rows), book)
    # shared prefixes: t1 with t2 -> all of t1 (8,400 chars = 2,100 tokens); t2 with t3 -> all of t2 (2,300)
    assert out.table["cache_write_tokens"].tolist() == [2100, 200, 0]
    assert out.table["cache_read_tokens"].tolist() == [0, 2100, 2300]
    assert out.table["input_tokens"].tolist() == [0, 0, 200]


def test_caches_are_per_app_and_rows_already_cached_are_left_alone(book):
    rows = three_requests()
    rows[1]["app"] = "other"
    rows.append({"prompt": SYSTEM + question("Z"), "input": 100, "cache_read": 2000, "at": 100})
    out = PromptCache().apply(log(rows), book)
    # app "": rows 0 and 2 share the prefix; app "other": row 1 has nothing to share with
    assert out.table["cache_write_tokens"].tolist() == [2000, 0, 0, 0]
    assert out.table["cache_read_tokens"].tolist() == [0, 0, 2000, 2000]
    assert out.table["input_tokens"].tolist() == [100, 2100, 100, 100]
    assert any("already using prompt caching" in n for n in out.notes)


def test_shared_prefix_lengths():
    assert shared_prefix_lengths(["abcx", "abcy", "zz", "abcxq"]) == [4, 3, 0, 4]


def test_no_text_estimates_from_identical_input_sizes(book):
    rows = [
        {"input": 3000, "at": 0},
        {"input": 3000, "at": 120},
        {"input": 1500, "at": 130},
        {"input": 3000, "at": 200},
        {"input": 3000, "at": 200 + 301},  # more than 5 minutes after the last use
    ]
    out = PromptCache().apply(log(rows, model="gpt-4o"), book)
    assert out.details["mode"] == "estimate-from-sizes"
    assert any("ESTIMATE" in n and "no prompt text" in n for n in out.notes)
    # 3,000 tokens -> 1,024 + 15 * 128 = 2,944 cached on repeats within the TTL
    assert out.table["cache_read_tokens"].tolist() == [0, 2944, 0, 2944, 0]
    out = PromptCache().apply(log(rows), book)  # claude-sonnet-4-5: first of each run writes
    assert out.table["cache_write_tokens"].tolist() == [3000, 0, 0, 0, 3000]
    assert out.table["cache_read_tokens"].tolist() == [0, 3000, 0, 3000, 0]
    assert out.details["written_never_read_tokens"] == 3000


def test_bad_options_and_nothing_to_do(book):
    with pytest.raises(LeverError) as err:
        PromptCache(ttl="10m")
    assert "lever prompt-cache cannot run" in str(err.value)
    t = log([{"input": 100, "cache_read": 50, "at": 0}])
    with pytest.raises(LeverError):
        PromptCache().apply(t, book)
