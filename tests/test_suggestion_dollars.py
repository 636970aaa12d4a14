"""The dollars behind every savings suggestion, computed by hand from list prices.

Each rule of :mod:`llmcost.analyze.suggestions` gets a small CSV in
``tests/fixtures/suggestions/`` read through the normal path (generic-CSV
detection -> bundled price table -> ``analyze``), so the expected savings
below follow from the providers' list prices and the rule's documented
formula, not from prices the test made up. Each fixture also holds requests
just past the rule's thresholds, which must not be selected, and each rule is
checked not to fire at all once the requests that qualify are taken out.

The generic CSVs name their input column ``tokens_in``, which the generic
reader takes as *uncached* input (cached tokens in their own column).

Monthly projection (:mod:`llmcost.periods`): saving x (365.25 / 12 =
30.4375) / calendar days from the first to the last request, inclusive.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from collections.abc import Callable
from pathlib import Path

import pytest

from llmcost.analyze import Analysis, Suggestion, analyze
from llmcost.ingest import load
from llmcost.pricing import PriceBook, price_usage

FIXTURES = Path(__file__).parent / "fixtures" / "suggestions"
MONTH = 365.25 / 12  # 30.4375 days
REL = 1e-9


def _analyze(path: Path, prices: Path | None = None) -> Analysis:
    book = PriceBook.default(str(prices) if prices else None)
    return analyze(price_usage(load([str(path)]).table, book), book=book)


def _by_id(a: Analysis) -> dict[str, Suggestion]:
    return {s.id: s for s in a.suggestions}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _without(tmp_path: Path, fixture: str, drop: Callable[[dict[str, str]], bool]) -> Path:
    """The fixture minus the rows where ``drop(row)``."""
    lines = (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    names = header.split(",")
    kept = [r for r in rows if not drop(dict(zip(names, r.split(","))))]
    assert 0 < len(kept) < len(rows), "no row removed, or none left: the test would prove nothing"
    return _write(tmp_path, fixture, "\n".join([header, *kept]) + "\n")


def _ids(*prefixes: str) -> Callable[[dict[str, str]], bool]:
    """Rows whose request_id starts with one of ``prefixes``."""
    return lambda row: any(row["request_id"].startswith(p) for p in prefixes if p)


def _assert_dollars(s: Suggestion, saving: float, days: int, requests: int, cost: float) -> None:
    assert s.estimated_savings_usd == pytest.approx(saving, rel=REL)
    assert s.monthly_savings_usd == pytest.approx(saving * MONTH / days, rel=REL)
    assert s.affected_requests == requests
    assert s.affected_cost_usd == pytest.approx(cost, rel=REL)


@pytest.mark.parametrize(
    ("model", "day", "prices"),
    [
        # (input, cache read, cache write 5m, cache write 1h, output) in $ per 1M tokens
        ("gpt-4o", "2025-03-03", (2.5, 1.25, 2.5, 2.5, 10.0)),
        ("gpt-4o-mini", "2025-03-03", (0.15, 0.075, 0.15, 0.15, 0.6)),
        ("gpt-4.1", "2025-03-03", (2.0, 0.5, 2.0, 2.0, 8.0)),
        ("gpt-3.5-turbo-16k", "2025-03-03", (3.0, 3.0, 3.0, 3.0, 4.0)),
        ("gpt-5", "2025-03-03", (1.25, 0.125, 1.25, 1.25, 10.0)),
        ("o4-mini", "2025-07-01", (1.1, 0.275, 1.1, 1.1, 4.4)),
        ("o3", "2025-07-01", (2.0, 0.5, 2.0, 2.0, 8.0)),  # from 2025-06-10; $10/$40 before
        ("o1", "2025-07-01", (15.0, 7.5, 15.0, 15.0, 60.0)),
        ("claude-sonnet-4", "2025-03-03", (3.0, 0.3, 3.75, 6.0, 15.0)),
        ("claude-3-7-sonnet-20250219", "2025-03-03", (3.0, 0.3, 3.75, 6.0, 15.0)),
        ("claude-3-5-haiku-20241022", "2025-03-03", (0.8, 0.08, 1.0, 1.6, 4.0)),
        ("claude-opus-4-1", "2025-03-03", (15.0, 1.5, 18.75, 30.0, 75.0)),
        ("claude-sonnet-4-5-20250929", "2025-10-06", (3.0, 0.3, 3.75, 6.0, 15.0)),
    ],
)
def test_list_prices_behind_the_hand_computations(model: str, day: str, prices: tuple[float, ...]) -> None:
    """The per-1M prices every comment below multiplies by; a price-table
    update that changes them fails here first, with the model's name."""
    q = PriceBook.default().quote(model, datetime.fromisoformat(day).replace(tzinfo=UTC))
    assert q is not None
    assert q.prices() == pytest.approx(prices, rel=REL)


def test_web_search_fee_behind_the_batch_computation() -> None:
    q = PriceBook.default().quote("claude-sonnet-4-5-20250929", datetime(2025, 10, 6, tzinfo=UTC))
    assert q is not None and q.web_search_per_k == pytest.approx(10.0, rel=REL)  # $10 per 1,000 searches


# ----------------------------------------------------------------------------- (a) premium-short


def test_premium_short_dollars() -> None:
    a = _analyze(FIXTURES / "premium_short.csv")
    assert a.period.days == 3  # Mar 3 - Mar 5
    assert set(_by_id(a)) == {"premium-short"}
    s = _by_id(a)["premium-short"]
    # premium: input >= $2.50 or output >= $10.00 per 1M. short: < 1,000 input
    # (all kinds) and < 300 output tokens. saving = 80 % of their cost:
    #   short-1..4  gpt-4o ($2.50 / $10.00): 4 x (999 x 2.50 + 299 x 10.00)/1M = 4 x $0.0054875 = $0.02195
    #   short-input-price-only  gpt-3.5-turbo-16k ($3.00 / $4.00):
    #                           (999 x 3.00 + 299 x 4.00)/1M = $0.004193
    #   short-output-price-only gpt-5 ($1.25 / $10.00):
    #                           (999 x 1.25 + 299 x 10.00)/1M = $0.00423875
    #   cost $0.03038175; saving 0.8 x = $0.0243054; monthly x 30.4375 / 3 = $0.24659854
    # not selected: input-at-limit (1,000 in), output-at-limit (300 out),
    # cached-counts-as-input (600 + 400 cached = 1,000 in), not-premium
    # (gpt-4.1: $2.00 / $8.00), cheap (gpt-4o-mini)
    _assert_dollars(s, 0.8 * 0.03038175, days=3, requests=6, cost=0.02195 + 0.004193 + 0.00423875)
    assert s.estimated_savings_usd == pytest.approx(0.0243054, rel=REL)
    assert s.monthly_savings_usd == pytest.approx(0.0243054 * 30.4375 / 3, rel=REL)


def test_premium_short_does_not_fire_on_requests_at_its_limits(tmp_path: Path) -> None:
    a = _analyze(_without(tmp_path, "premium_short.csv", _ids("short-")))
    assert "premium-short" not in _by_id(a)


def test_premium_short_at_exactly_the_list_price_threshold(tmp_path: Path) -> None:
    # gpt-4o sits exactly on both thresholds ($2.50 / $10.00), and its
    # effective price is a sum of float costs over tokens: for these two
    # requests (898 in, 402 out) it is $2.4999999999999996 / $9.999999999999998
    # per 1M, which must still count as premium.
    csv = _write(tmp_path, "two.csv", (
        "timestamp,request_id,model,tokens_in,tokens_out\n"
        "2025-03-03T09:00:05Z,a,gpt-4o,100,240\n"
        "2025-03-03T09:01:05Z,b,gpt-4o,798,162\n"
    ))
    s = _by_id(_analyze(csv))["premium-short"]
    # 0.8 x (898 x $2.50 + 402 x $10.00)/1M = 0.8 x $0.006265 = $0.005012 in 1 day
    _assert_dollars(s, 0.005012, days=1, requests=2, cost=0.006265)


@pytest.mark.parametrize(("input_price", "fires"), [(2.5, True), (2.49, False)])
def test_premium_short_input_price_threshold(tmp_path: Path, input_price: float, fires: bool) -> None:
    # no list model has exactly $2.50 input with output under $10: an override does
    prices = _write(tmp_path, "prices.yaml", f"models:\n  - match: acme-llm\n    input: {input_price}\n    output: 5.0\n")
    csv = _write(tmp_path, "one.csv", (
        "timestamp,request_id,model,tokens_in,tokens_out\n"
        "2025-03-03T09:00:05Z,a,acme-llm,100,240\n"
        "2025-03-03T09:01:05Z,b,acme-llm,798,162\n"
    ))
    found = _by_id(_analyze(csv, prices))
    assert ("premium-short" in found) is fires
    if fires:
        # 0.8 x (898 x $2.50 + 402 x $5.00)/1M = 0.8 x $0.004255 = $0.003404
        _assert_dollars(found["premium-short"], 0.003404, days=1, requests=2, cost=0.004255)


# ----------------------------------------------------------------------------- (b) no-caching


def test_no_caching_dollars() -> None:
    a = _analyze(FIXTURES / "no_caching.csv")
    assert a.period.days == 4  # Mar 3 - Mar 6
    assert set(_by_id(a)) == {"no-caching"}
    s = _by_id(a)["no-caching"]
    # saving = input cost x 50 % repeated x (1 - read/input price ratio); no
    # cache reads of these models in the data, so the price table's ratio:
    #   claude-sonnet-4 (2,000 + 1,024 in) x $3.00/1M = $0.009072  x 0.5 x (1 - 0.30/3.00)  = $0.0040824
    #   gpt-4o           4,000 in x $2.50/1M         = $0.010000  x 0.5 x (1 - 1.25/2.50)  = $0.0025
    #   gpt-4.1          1,024 in x $2.00/1M         = $0.002048  x 0.5 x (1 - 0.50/2.00)  = $0.000768
    #   gpt-5            2,000 in x $1.25/1M         = $0.0025    x 0.5 x (1 - 0.125/1.25) = $0.001125
    #   gpt-4o-mini bucket of 2 requests, 2,048 in (1,024 each)
    #                    2,048 x $0.15/1M            = $0.0003072 x 0.5 x (1 - 0.075/0.15) = $0.0000768
    #   total $0.0085522 over 4 days; monthly x 30.4375 / 4 = $0.06507659
    # not selected: sonnet-below (1,023 in), the 1-request bucket (no request
    # count), haiku-reads (has cache reads; it makes the file report cache tokens)
    saving = 0.0040824 + 0.0025 + 0.000768 + 0.001125 + 0.0000768
    assert saving == pytest.approx(0.0085522, rel=REL)
    # affected cost: $0.0075 + $0.004572 (sonnet) + $0.0101 (gpt-4o) + $0.002128 (gpt-4.1)
    # + $0.0026 (gpt-5) + (2,048 x $0.15 + 20 x $0.60)/1M (gpt-4o-mini)
    cost = 0.0075 + 0.004572 + 0.0101 + 0.002128 + 0.0026 + (2048 * 0.15 + 20 * 0.6) / 1e6
    _assert_dollars(s, saving, days=4, requests=1 + 1 + 1 + 1 + 1 + 2, cost=cost)


def test_no_caching_uses_the_cached_price_of_the_book_it_was_priced_with(tmp_path: Path) -> None:
    prices = _write(tmp_path, "prices.yaml", (
        "models:\n  - match: acme-llm\n    provider: openai\n    input: 2.0\n    cache_read: 0.2\n    output: 8.0\n"
    ))
    csv = _write(tmp_path, "acme.csv", (
        "timestamp,request_id,model,tokens_in,cached_tokens,tokens_out\n"
        "2025-03-03T09:00:05Z,a,acme-llm,2000,0,10\n"
        "2025-03-03T09:01:05Z,b,claude-3-5-haiku-20241022,100,5000,10\n"  # the file reports cache reads
    ))
    s = _by_id(_analyze(csv, prices))["no-caching"]
    # 2,000 x $2.00/1M = $0.004 x 0.5 x (1 - 0.20/2.00) = $0.0018 (0.5 for OpenAI would give $0.001)
    _assert_dollars(s, 0.0018, days=1, requests=1, cost=0.00408)


def test_no_caching_prefers_the_ratio_seen_in_the_data_over_the_table(tmp_path: Path) -> None:
    # the cached price fell on Mar 4: the data's cache reads (Mar 3, $1.00 of $2.00)
    # show a ratio of 0.5; the table at the model's last request says 0.2 / 2.0 = 0.1
    prices = _write(tmp_path, "prices.yaml", (
        "models:\n"
        "  - match: acme-llm\n    provider: openai\n    input: 2.0\n    cache_read: 1.0\n    output: 8.0\n"
        "    valid_from: 2025-01-01\n"
        "  - match: acme-llm\n    provider: openai\n    input: 2.0\n    cache_read: 0.2\n    output: 8.0\n"
        "    valid_from: 2025-03-04\n"
    ))
    csv = _write(tmp_path, "acme.csv", (
        "timestamp,request_id,model,tokens_in,cached_tokens,tokens_out\n"
        "2025-03-03T09:00:05Z,a,acme-llm,100,5000,10\n"
        "2025-03-04T09:00:05Z,b,acme-llm,2000,0,10\n"
    ))
    s = _by_id(_analyze(csv, prices))["no-caching"]
    # request b: 2,000 x $2.00/1M = $0.004 x 0.5 x (1 - 0.5) = $0.001 (the table's 0.1 would give $0.0018)
    # cost $0.004 + 10 x $8.00/1M = $0.00408; Mar 3 - Mar 4 = 2 days
    _assert_dollars(s, 0.001, days=2, requests=1, cost=0.00408)


def test_no_caching_falls_back_to_the_providers_usual_ratio(tmp_path: Path) -> None:
    # models the table lists without a cached input price (it defaults to the input price)
    prices = _write(tmp_path, "prices.yaml", (
        "models:\n"
        "  - match: acme-claude\n    provider: anthropic\n    input: 3.0\n    output: 15.0\n"
        "  - match: acme-gpt\n    provider: openai\n    input: 2.0\n    output: 8.0\n"
    ))
    csv = _write(tmp_path, "acme.csv", (
        "timestamp,request_id,model,tokens_in,cached_tokens,tokens_out\n"
        "2025-03-03T09:00:05Z,a,acme-claude,2000,0,10\n"
        "2025-03-03T09:01:05Z,b,acme-gpt,2000,0,10\n"
        "2025-03-03T09:02:05Z,c,claude-3-5-haiku-20241022,100,5000,10\n"  # the file reports cache reads
    ))
    s = _by_id(_analyze(csv, prices))["no-caching"]
    # acme-claude 2,000 x $3.00/1M = $0.006 x 0.5 x (1 - 0.1) = $0.0027
    # acme-gpt    2,000 x $2.00/1M = $0.004 x 0.5 x (1 - 0.5) = $0.001
    _assert_dollars(s, 0.0037, days=1, requests=2, cost=(6000 + 150 + 4000 + 80) / 1e6)


def test_no_caching_does_not_fire_below_1024_tokens(tmp_path: Path) -> None:
    a = _analyze(_without(
            tmp_path,
            "no_caching.csv",
            lambda r: r["requests"] == "2" or r["request_id"] in ("sonnet-long", "sonnet-at-limit", "gpt4o-long", "gpt41-at-limit", "gpt5-long"),
        ))
    assert "no-caching" not in _by_id(a)


# ----------------------------------------------------------------------------- (c) long-output


def test_long_output_dollars() -> None:
    a = _analyze(FIXTURES / "long_output.csv")
    assert a.period.days == 8  # calendar days Mar 3 09:00 - Mar 10 08:00 (6.96 days elapsed)
    assert set(_by_id(a)) == {"long-output"}
    s = _by_id(a)["long-output"]
    # saving = output price x (visible output - max(1,000, 4 x input))
    #   cap-by-input   gpt-4.1: 2,000 visible, cap max(1,000, 1,200) = 1,200 -> 800 x $8.00/1M = $0.0064
    #   cap-by-minimum o4-mini: 1,500 - 200 reasoning = 1,300 visible, cap max(1,000, 400) = 1,000
    #                  -> 300 x $4.40/1M = $0.00132
    #   total $0.00772; monthly $0.00772 x 30.4375 / 8 = $0.02937219
    # not selected: visible-at-minimum (1,000 visible), visible-at-4x-input
    # (1,200 = 4 x 300), reasoning-not-visible (1,500 - 500 = 1,000 visible), short
    cost = (300 * 2.0 + 2000 * 8.0) / 1e6 + (100 * 1.1 + 1500 * 4.4) / 1e6  # $0.0166 + $0.00671
    _assert_dollars(s, 0.00772, days=8, requests=2, cost=cost)
    assert s.monthly_savings_usd == pytest.approx(0.0293721875, rel=REL)


def test_long_output_does_not_fire_at_its_limits(tmp_path: Path) -> None:
    a = _analyze(_without(tmp_path, "long_output.csv", _ids("cap-by-")))
    assert "long-output" not in _by_id(a)


# ----------------------------------------------------------------------------- (d) batch


def test_batch_dollars() -> None:
    a = _analyze(FIXTURES / "batch.csv")
    assert a.period.days == 7  # Mon Mar 3 - Sun Mar 9: the 7 days the rule needs
    assert set(_by_id(a)) == {"batch"}
    s = _by_id(a)["batch"]
    # every request: gpt-4o, 10,000 in x $2.50 + 1,000 out x $10.00 per 1M = $0.035
    #   etl: 20 standard requests ($0.70), 8 off-hours ($0.28 = exactly 40 %):
    #     03:00, 07:59:59, 20:00:05, 23:00 on weekdays and 4 at the weekend;
    #     08:00:05 and 19:59:59 on weekdays are daytime.
    #   saving 50 % of $0.28 = $0.14; monthly $0.14 x 30.4375 / 7 = $0.60875
    # not selected:
    #   chat: 8 of 20 off-hours, one of them cheaper (5,000 in: $0.0225):
    #     $0.2675 of $0.6875 = 38.9 % < 40 %
    #   few: 19 requests, all at night (20 needed to tell a pattern)
    #   batched: already at Batch prices
    _assert_dollars(s, 0.14, days=7, requests=8, cost=0.28)
    assert s.monthly_savings_usd == pytest.approx(0.60875, rel=REL)
    assert "etl: 40% of its $0.70" in s.detail
    assert "chat" not in s.detail and "few" not in s.detail and "batched" not in s.detail


def test_batch_does_not_fire_below_40_percent_or_20_requests(tmp_path: Path) -> None:
    a = _analyze(_without(tmp_path, "batch.csv", lambda r: r["app"] == "etl"))
    assert "batch" not in _by_id(a)


@pytest.mark.parametrize(("days", "fires"), [(7, True), (6, False)])
def test_batch_needs_seven_days(tmp_path: Path, days: int, fires: bool) -> None:
    # 21 requests at 02:00 UTC over `days` days, the first on Mon Mar 3
    rows = [f"2025-03-{3 + i % days:02d}T02:{i:02d}:05Z,n{i},nightly,gpt-4o,10000,1000" for i in range(21)]
    csv = _write(tmp_path, "nightly.csv", "\n".join(["timestamp,request_id,app,model,tokens_in,tokens_out", *rows]) + "\n")
    a = _analyze(csv)
    assert a.period.days == days
    found = _by_id(a)
    assert ("batch" in found) is fires
    if fires:
        # 50 % of 21 x $0.035 = $0.3675 over 7 days
        _assert_dollars(found["batch"], 0.3675, days=7, requests=21, cost=21 * 0.035)


# ----------------------------------------------------------------------------- (f) reasoning-heavy


def test_reasoning_heavy_dollars() -> None:
    a = _analyze(FIXTURES / "reasoning_heavy.csv")
    assert a.period.days == 4  # Jul 1 - Jul 4
    found = _by_id(a)
    assert set(found) == {"reasoning-heavy", "premium-short"}
    s = found["reasoning-heavy"]
    # o3 from 2025-06-10: $2.00 in / $8.00 out (not premium). saving = 50 % of
    # the reasoning tokens' output cost:
    #   share-at-80pc     800 of 1,000 output (80 %), 200 visible, 1,999 in -> 800 x $8/1M = $0.0064
    #   mostly-reasoning  1,701 of 2,000 (85 %), 299 visible, 500 in      -> 1,701 x $8/1M = $0.013608
    #   saving 0.5 x $0.020008 = $0.010004; monthly x 30.4375 / 4 = $0.07612294
    # not selected: input-at-limit (2,000 in), share-below-80pc (799 of 1,000),
    # visible-at-limit (1,500 - 1,200 = 300 visible), no-reasoning, and
    # premium-short-first (o1, $15/$60, 500 in / 250 out: premium-short takes it)
    cost = (1999 * 2.0 + 1000 * 8.0) / 1e6 + (500 * 2.0 + 2000 * 8.0) / 1e6  # $0.011998 + $0.017
    _assert_dollars(s, 0.010004, days=4, requests=2, cost=cost)
    # o1: 0.8 x (500 x $15 + 250 x $60)/1M = 0.8 x $0.0225 = $0.018
    _assert_dollars(found["premium-short"], 0.018, days=4, requests=1, cost=0.0225)


def test_reasoning_heavy_does_not_fire_at_its_limits(tmp_path: Path) -> None:
    a = _analyze(_without(tmp_path, "reasoning_heavy.csv", _ids("share-at-80pc", "mostly-reasoning")))
    assert "reasoning-heavy" not in _by_id(a)


# ----------------------------------------------------------------------------- (e) cache-writes-unread


def test_cache_writes_unread_dollars() -> None:
    a = _analyze(FIXTURES / "cache_writes_unread.csv")
    assert a.period.days == 4  # Mar 3 - Mar 6
    assert set(_by_id(a)) == {"cache-writes-unread"}
    s = _by_id(a)["cache-writes-unread"]
    # saving = (cache write + cache read cost) - the same tokens at the input price
    #   claude-sonnet-4: 40,000 written (5 min, $3.75), 2,000 read ($0.30), input $3.00
    #     $0.15 + $0.0006 - 42,000 x $3.00/1M ($0.126) = $0.0246
    #   claude-3-5-haiku: 10,000 written (1 h, $1.60), none read, input $0.80
    #     $0.016 - 10,000 x $0.80/1M ($0.008) = $0.008
    #   total $0.0326; monthly x 30.4375 / 4 = $0.24806563
    # not selected: claude-3-7-sonnet, 10,000 written and 2,778 read:
    #   $0.0375 + $0.0008334 = $0.0383334 >= 12,778 x $3.00/1M = $0.038334 (caching pays, barely);
    # claude-opus-4-1: every written token read back.
    # affected: the 6 requests that wrote (4 sonnet at $0.03795, 2 haiku at $0.00808)
    _assert_dollars(s, 0.0246 + 0.008, days=4, requests=6, cost=4 * 0.03795 + 2 * 0.00808)
    assert "claude-3-7-sonnet" not in s.detail and "claude-opus" not in s.detail


def test_cache_writes_unread_fires_one_read_token_past_break_even(tmp_path: Path) -> None:
    # 10,000 written at 1.25x and R read at 0.1x cost more than 10,000 + R at
    # 1x while 0.25 x 10,000 > 0.9 x R, i.e. R < 2,777.8 tokens.
    text = (FIXTURES / "cache_writes_unread.csv").read_text(encoding="utf-8").replace(",2778,", ",2777,")
    s = _by_id(_analyze(_write(tmp_path, "cache_writes_unread.csv", text)))["cache-writes-unread"]
    # + $0.0375 + 2,777 x $0.30/1M - 12,777 x $3.00/1M = $0.0000021
    assert s.estimated_savings_usd == pytest.approx(0.0326 + 0.0000021, rel=REL)
    assert "claude-3-7-sonnet" in s.detail


@pytest.mark.parametrize("written", [180, 18_000, 54_000])
def test_cache_writes_unread_does_not_fire_at_exact_break_even(tmp_path: Path, written: int) -> None:
    # W written at $3.75 and R = 5W/18 read at $0.30 cost exactly (W + R) x $3.00:
    # 3.75 W + 0.3 x 5W/18 = 3.8333 W = 3 x 23W/18. Float sums leave +$1e-17.
    read = written * 5 // 18
    csv = _write(tmp_path, "even.csv", (
        "timestamp,request_id,model,tokens_in,cached_tokens,cache_write_tokens,tokens_out\n"
        f"2025-03-03T09:00:05Z,w,claude-sonnet-4,100,0,{written},10\n"
        f"2025-03-03T09:01:05Z,r,claude-sonnet-4,100,{read},0,10\n"
    ))
    assert "cache-writes-unread" not in _by_id(_analyze(csv))


def test_cache_writes_unread_does_not_fire_when_caching_pays(tmp_path: Path) -> None:
    a = _analyze(_without(tmp_path, "cache_writes_unread.csv", _ids("sonnet-", "haiku-")))
    assert "cache-writes-unread" not in _by_id(a)


def test_cache_writes_unread_without_uncached_input(tmp_path: Path) -> None:
    # no uncached input to derive the base price from: the write price is
    # 1.25x (5 min) or 2x (1 h) of it
    csv = _write(tmp_path, "writes.csv", (
        "timestamp,request_id,model,tokens_in,cached_tokens,cache_write_tokens,cache_write_1h_tokens,tokens_out\n"
        "2025-03-03T09:00:05Z,a,claude-3-5-haiku-20241022,0,0,5000,5000,10\n"
        "2025-03-03T09:01:05Z,b,claude-3-5-haiku-20241022,0,0,5000,0,10\n"
    ))
    s = _by_id(_analyze(csv))["cache-writes-unread"]
    # writes 5,000 x $1.60 (1 h) + 5,000 x $1.00 (5 min) per 1M = $0.013
    # base $0.013 / (2 x 5,000 + 1.25 x 5,000) = $0.80/1M, the list input price
    # saving $0.013 - 10,000 x $0.80/1M = $0.005
    _assert_dollars(s, 0.005, days=1, requests=2, cost=0.013 + 20 * 4.0 / 1e6)


def test_batch_does_not_discount_web_search_fees(tmp_path: Path) -> None:
    # Claude Code log: 21 requests at 02:00 UTC over Mon Oct 6 - Sun Oct 12, each
    # 1,000 in / 500 out on claude-sonnet-4-5 with 2 web searches
    lines = [
        json.dumps({
            "type": "assistant", "sessionId": "s-night", "cwd": "/home/dev/nightly", "requestId": f"req_{i:03d}",
            "timestamp": f"2025-10-{6 + i % 7:02d}T02:{i:02d}:05.000Z",
            "message": {
                "id": f"msg_{i:03d}", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
                "content": [{"type": "text", "text": "ok"}],
                "usage": {
                    "input_tokens": 1000, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                    "output_tokens": 500, "server_tool_use": {"web_search_requests": 2}, "service_tier": "standard",
                },
            },
        })
        for i in range(21)
    ]
    a = _analyze(_write(tmp_path, "session.jsonl", "\n".join(lines) + "\n"))
    s = _by_id(a)["batch"]
    # per request: tokens 1,000 x $3.00 + 500 x $15.00 per 1M = $0.0105, searches 2 x $10/1,000 = $0.02
    # Batch halves the tokens only: 0.5 x 21 x $0.0105 = $0.11025 (not 0.5 x 21 x $0.0305)
    _assert_dollars(s, 0.11025, days=7, requests=21, cost=21 * 0.0305)


def test_premium_short_saving_leaves_web_search_fees_out(tmp_path: Path) -> None:
    # one short Claude Sonnet 4.5 request ($3 / $15 per 1M, web search $10 per 1,000) with 2 searches:
    #   tokens 500 x $3/1M + 200 x $15/1M = $0.0045; searches 2 x $0.01 = $0.02; cost $0.0245
    #   a cheaper tier cuts the tokens, not the search fee: saving 0.8 x $0.0045 = $0.0036
    line = ('{"id":"msg_01Short","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",'
            '"content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,'
            '"usage":{"input_tokens":500,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,'
            '"output_tokens":200,"server_tool_use":{"web_search_requests":2}}}\n')
    a = _analyze(_write(tmp_path, "messages.jsonl", line))
    s = _by_id(a)["premium-short"]
    assert s.affected_cost_usd == pytest.approx(0.0245, rel=REL)
    assert s.estimated_savings_usd == pytest.approx(0.0036, rel=REL)
