"""Routing lever: rule matching, re-pricing on the target model, per-rule report, bad YAML."""

from __future__ import annotations

import pandas as pd
import pytest

from llmcost.errors import ConfigError
from llmcost.pricing import PriceBook
from llmcost.schema import finalize
from llmcost.simulate import simulate
from llmcost.simulate.route import RouteLever, parse_routes

SONNET = "claude-sonnet-4-20250514"  # $3 in / $15 out per 1M
HAIKU = "claude-3-5-haiku-20241022"  # $0.80 in / $4 out per 1M


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.default()


def _table(rows: list[dict], extra: dict | None = None) -> pd.DataFrame:
    base = {"time": "2025-06-01T00:00:00Z", "provider": "anthropic", "model": SONNET, "requests": 1}
    df = finalize(pd.DataFrame([{**base, **r} for r in rows]), source="t.jsonl", source_format="test")
    for k, v in (extra or {}).items():
        df[k] = v
    return df


def test_tier_routing_savings_by_hand(book: PriceBook) -> None:
    t = _table([
        {"app": "chat", "input_tokens": 1000, "output_tokens": 200, "prompt": "hi, translate hello to French"},
        {"app": "chat", "input_tokens": 2000, "output_tokens": 1000, "prompt": "Write a Python function and explain why step by step"},
        {"app": "reports", "input_tokens": 1000, "output_tokens": 200, "prompt": "thanks"},
    ])
    lever = RouteLever.from_text(
        "routes:\n  - name: simple-chat\n    match: {app: chat, tier: simple}\n    to: " + HAIKU + "\n", book, explain=True)
    w = simulate(t, [lever], book)
    # baseline: 1000*3+200*15 = 6000; 2000*3+1000*15 = 21000; 6000  (micro-dollars)
    assert w.baseline_cost_usd == pytest.approx(0.033)
    # row 1 moves: 1000*0.8 + 200*4 = 1600 µ$ → saves 0.0044
    assert w.steps[0].savings_usd == pytest.approx(0.0044)
    assert w.steps[0].requests_affected == 1
    rule = w.rules()[0]
    assert rule["requests_moved"] == 1 and rule["downgraded_requests"] == 1 and rule["upgraded_requests"] == 0
    assert rule["downgraded_spend_share"] == pytest.approx(0.006 / 0.033)
    assert list(w.scenario["model"]) == [HAIKU, SONNET, SONNET]
    ex = lever.explain_frame
    assert list(ex["tier"]) == ["simple", "complex", "simple"]
    assert list(ex["rule"]) == ["simple-chat", "", ""]


def test_first_rule_wins_ranges_regex_and_upgrade(book: PriceBook) -> None:
    t = _table([
        {"model": HAIKU, "input_tokens": 50_000, "output_tokens": 0, "prompt": "legal contract review"},
        {"input_tokens": 100, "output_tokens": 0, "prompt": "Translate: bonjour"},
        {"input_tokens": 3000, "output_tokens": 0, "prompt": "Translate: long text"},
    ])
    text = f"""
routes:
  - name: big-to-sonnet
    match: {{input_tokens: ">=10000"}}
    to: {SONNET}
  - name: short-translations
    match: {{prompt: "(?i)^translate", input_tokens: "<2000"}}
    to: {HAIKU}
"""
    w = simulate(t, [RouteLever.from_text(text, book)], book)
    r1, r2 = w.rules()
    # 50k on haiku 0.04 → sonnet 0.15: an upgrade costing 0.11
    assert r1["upgraded_requests"] == 1 and r1["savings_usd"] == pytest.approx(-0.11)
    # 100 tokens: 0.0003 → 0.00008
    assert r2["requests_moved"] == 1 and r2["savings_usd"] == pytest.approx(0.00022)
    assert w.scenario_cost_usd == pytest.approx(0.15 + 0.00008 + 0.009)


def test_quality_of_moved_requests(book: PriceBook) -> None:
    t = _table([{"app": "a", "input_tokens": 10, "output_tokens": 1}] * 3 + [{"app": "b", "input_tokens": 10, "output_tokens": 1}],
               extra={"quality": ["up", "down", "up", "5"]})
    w = simulate(t, [RouteLever.from_text(f"- match: {{app: a}}\n  to: {HAIKU}\n", book)], book)
    rule = w.rules()[0]
    assert rule["name"] == "rule 1"
    assert rule["quality_rated"] == 3 and rule["quality_mean_moved"] == pytest.approx(2 / 3)


def test_rule_matching_nothing_warns(book: PriceBook) -> None:
    t = _table([{"app": "a", "input_tokens": 10, "output_tokens": 1}])
    w = simulate(t, [RouteLever.from_text(f"- name: ghost\n  match: {{app: zzz}}\n  to: {HAIKU}\n", book, file="r.yaml")], book)
    assert w.warnings == ["r.yaml: rule 'ghost' matched no request"]
    assert w.savings_usd == 0


def test_unknown_model_names_file_line_and_rule(book: PriceBook) -> None:
    text = f"routes:\n  - name: ok\n    to: {HAIKU}\n  - name: bad\n    match: {{app: x}}\n    to: gpt-9-ultra\n"
    with pytest.raises(ConfigError) as exc:
        parse_routes(text, book, "routes.yaml")
    msg = str(exc.value)
    assert msg.startswith("routes.yaml:4: rule 'bad': unknown model 'gpt-9-ultra'")


@pytest.mark.parametrize(
    "text, expect",
    [
        ("routes: [\n", "invalid YAML"),
        ("routes: {a: 1}\n", "expected a non-empty list"),
        (f"- to: {HAIKU}\n  match: {{tier: trivial}}\n", "tier must be one of"),
        (f"- to: {HAIKU}\n  match: {{input_tokens: 'lots'}}\n", "input_tokens: expected"),
        (f"- to: {HAIKU}\n  match: {{prompt: '(unclosed'}}\n", "invalid prompt regex"),
        (f"- to: {HAIKU}\n  match: {{colour: red}}\n", "unknown match key"),
    ],
)
def test_bad_routes(book: PriceBook, text: str, expect: str) -> None:
    with pytest.raises(ConfigError, match=expect):
        parse_routes(text, book, "r.yaml")


def test_a_request_already_on_the_target_price_entry_is_not_moved(book: PriceBook) -> None:
    # gpt-4o-mini-2024-07-18 *is* gpt-4o-mini in the price table: routing it there moves nothing
    t = _table([
        {"provider": "openai", "model": "gpt-4o-mini-2024-07-18", "app": "a", "input_tokens": 1000},
        {"provider": "openai", "model": "gpt-4o-2024-08-06", "app": "a", "input_tokens": 1000},
    ])
    w = simulate(t, [RouteLever.from_text("- match: {app: a}\n  to: gpt-4o-mini\n", book)], book)
    (lever,) = w.steps
    assert lever.requests_affected == 1
    # 1000 x ($2.50 - $0.15) per 1M
    assert lever.savings_usd == pytest.approx(0.00235)


def test_requests_too_long_for_the_target_context_window_stay(book: PriceBook) -> None:
    t = _table([
        {"model": "claude-sonnet-4-5", "app": "a", "input_tokens": 250_000, "output_tokens": 10},
        {"model": "claude-sonnet-4-5", "app": "a", "input_tokens": 1_000, "output_tokens": 10},
    ])
    w = simulate(t, [RouteLever.from_text("- match: {app: a}\n  to: gpt-4o-mini\n", book, file="r.yaml")], book)
    (step,) = w.steps
    assert step.requests_affected == 1  # gpt-4o-mini holds 128,000 tokens
    # 1000 x ($3 - $0.15) + 10 x ($15 - $0.60) per 1M
    assert step.savings_usd == pytest.approx((1000 * 2.85 + 10 * 14.4) / 1e6)
    assert any("exceeds gpt-4o-mini's 128,000-token context window" in n for n in step.notes)


def test_requests_with_web_search_stay_unless_the_target_offers_it(book: PriceBook) -> None:
    t = _table([{"model": "claude-sonnet-4-5", "app": "a", "input_tokens": 1_000, "web_search_requests": 2}])
    w = simulate(t, [RouteLever.from_text("- match: {app: a}\n  to: claude-3-haiku-20240307\n", book, file="r.yaml")], book)
    (step,) = w.steps
    assert step.requests_affected == 0
    assert any("used web search" in n for n in step.notes)
