"""Server-side web searches: read from Anthropic formats, priced per 1,000
searches ($10 for Claude), shown in the analysis.

Hand-computed expectations (claude-sonnet-4-5: $3 input / $15 output per 1M
tokens, $10 per 1,000 web searches; claude-opus-4-6: $10 per 1,000 searches).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.analyze import analyze, to_dict
from llmcost.analyze.reconcile import token_kind
from llmcost.errors import InputError
from llmcost.ingest import load
from llmcost.pricing import PriceBook, price_one, price_usage
from llmcost.pricing.overrides import load_overrides
from llmcost.render import render
from llmcost.schema import COLUMNS, PRICED_COLUMNS

FIX = Path(__file__).parent / "fixtures" / "web_search"
EXT = Path("/work/shared/ext/usage/anthropic_admin_api")


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.default()


def _priced(name: str, book: PriceBook):
    res = load([str(FIX / name)])
    return res, price_usage(res.table, book)


def test_schema_has_the_columns() -> None:
    assert "web_search_requests" in COLUMNS
    assert PRICED_COLUMNS.index("cost_web_search_usd") < PRICED_COLUMNS.index("cost_usd")


def test_messages_response_three_searches(book: PriceBook) -> None:
    res, p = _priced("messages.jsonl", book)
    assert res.files[0][1] == "anthropic-messages"
    assert p["web_search_requests"].tolist() == [3]
    # 3 searches x $10 / 1,000 = $0.03; tokens 1000 x $3/M + 500 x $15/M = $0.0105
    assert p["cost_web_search_usd"].iloc[0] == pytest.approx(0.03, abs=1e-12)
    assert p["cost_usd"].iloc[0] == pytest.approx(0.0405, abs=1e-12)


def test_batch_discount_does_not_halve_search_fee(book: PriceBook) -> None:
    _, p = _priced("batch_results.jsonl", book)
    assert bool(p["batch"].iloc[0])
    assert p["cost_web_search_usd"].iloc[0] == pytest.approx(0.03, abs=1e-12)
    # tokens at half price: $0.0105 / 2 = $0.00525
    assert p["cost_usd"].iloc[0] == pytest.approx(0.03525, abs=1e-12)


def test_console_csv_web_search_count(book: PriceBook) -> None:
    res, p = _priced("console_usage.csv", book)
    assert res.files[0][1] == "anthropic-console-usage-csv"
    assert p["web_search_requests"].tolist() == [1500, 0]
    # 1,500 searches x $10 / 1,000 = $15; a row with searches but no tokens is usage, not cost-only
    assert p["cost_web_search_usd"].tolist() == pytest.approx([15.0, 0.0], abs=1e-9)
    assert p["cost_usd"].tolist() == pytest.approx([15.0, 3.0], abs=1e-9)
    assert p["price_model"].iloc[0] == "claude-sonnet-4-5"


def test_console_csv_negative_count_is_bad_row() -> None:
    with pytest.raises(InputError) as exc:
        load([str(FIX / "console_usage_negative.csv")])
    assert "web_search_count is negative" in str(exc.value)
    assert exc.value.line == 2


def test_admin_usage_report_ten_searches(book: PriceBook) -> None:
    res, p = _priced("usage_report.json", book)
    assert res.files[0][1] == "anthropic-usage-report"
    assert int(p["web_search_requests"].sum()) == 10
    assert float(p["cost_web_search_usd"].sum()) == pytest.approx(0.10, abs=1e-12)
    assert float(p["cost_usd"].sum()) == pytest.approx(0.10, abs=1e-12)


@pytest.mark.parametrize(
    ("name", "searches"),
    [("docs_usage_report_messages_example.json", 10), ("docs_user_usage_report_example.json", 10)],
)
def test_published_admin_examples(name: str, searches: int, book: PriceBook) -> None:
    path = EXT / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    p = price_usage(load([str(path)]).table, book)
    assert int(p["web_search_requests"].sum()) == searches
    assert float(p["cost_web_search_usd"].sum()) == pytest.approx(searches * 10 / 1000, abs=1e-12)


def test_claude_code_server_tool_use(book: PriceBook) -> None:
    res, p = _priced("claude_code.jsonl", book)
    assert res.files[0][1] == "claude-code"
    # two streaming snapshots of one message: counted once
    assert len(p) == 1
    assert int(p["web_search_requests"].iloc[0]) == 2
    assert int(p["output_tokens"].iloc[0]) == 500
    assert p["cost_web_search_usd"].iloc[0] == pytest.approx(0.02, abs=1e-12)
    # 1000 x $3/M + 500 x $15/M + 2 x $0.01 = $0.0305
    assert p["cost_usd"].iloc[0] == pytest.approx(0.0305, abs=1e-12)


def test_quote_and_price_one(book: PriceBook) -> None:
    q = book.quote("claude-sonnet-4-5")
    assert q is not None and q.web_search_per_k == pytest.approx(10.0)
    assert q.scaled(0.5, fees=False).web_search_per_k == pytest.approx(10.0)
    assert q.scaled(0.5).web_search_per_k == pytest.approx(5.0)
    cost = price_one(book, "claude-sonnet-4-5", input_tokens=1000, output_tokens=500, web_search_requests=3)
    assert cost == pytest.approx(0.0405, abs=1e-12)


def test_override_web_search_price(tmp_path: Path) -> None:
    f = tmp_path / "prices.yaml"
    f.write_text(
        "models:\n"
        "  - match: my-agent\n    input: 1.0\n    output: 2.0\n    web_search_per_k: 25\n"
        "  - match: my-sonnet\n    like: claude-sonnet-4-5\n    web_search_per_k: 8\n"
        "  - match: plain\n    input: 1.0\n    output: 2.0\n",
        encoding="utf-8",
    )
    book = PriceBook(overrides=load_overrides(f))
    # 4 searches x $25/1,000 = $0.10, plus 1M input x $1/M = $1
    assert price_one(book, "my-agent", input_tokens=1_000_000, web_search_requests=4) == pytest.approx(1.10)
    assert price_one(book, "my-sonnet", web_search_requests=1000) == pytest.approx(8.0)
    assert price_one(book, "plain", web_search_requests=1000) == pytest.approx(0.0)


def test_analysis_totals_and_renderers(book: PriceBook) -> None:
    res = load([str(FIX / "messages.jsonl"), str(FIX / "console_usage.csv")])
    a = analyze(price_usage(res.table, book))
    t = a.totals
    assert t.web_search_requests == 1503
    assert t.cost_web_search_usd == pytest.approx(15.03, abs=1e-9)
    assert t.cost_usd == pytest.approx(15.0 + 3.0 + 0.0405, abs=1e-9)
    assert t.cost_other_usd == 0.0  # searches are not "billed without token split"
    d = json.loads(render(a, "json"))
    assert d["totals"]["web_search_requests"] == 1503
    assert d["totals"]["cost_web_search_usd"] == pytest.approx(15.03, abs=1e-9)
    assert to_dict(a)["totals"]["cost_web_search_usd"] == pytest.approx(15.03, abs=1e-9)
    md = render(a, "markdown")
    assert "| Web search | 1,503 searches | $15.03 |" in md
    assert "Web search" in render(a, "table")
    assert "cost_web_search_usd" in render(a, "csv")


def test_no_web_search_line_without_searches(book: PriceBook) -> None:
    res = load([str(Path(__file__).parent / "fixtures" / "anthropic" / "messages.jsonl")])
    a = analyze(price_usage(res.table, book))
    assert a.totals.web_search_requests == 0
    assert "Web search" not in render(a, "markdown")
    assert "Web search" not in render(a, "table")


def test_token_kind_web_search() -> None:
    assert token_kind("web_search") == "web_search"
    assert token_kind("gpt-4o, web search tool calls") == "web_search"
    assert token_kind("uncached_input_tokens") == "input"


def test_openai_responses_web_search_calls_are_counted_and_priced(tmp_path):
    import json as _json

    from llmcost.ingest import load
    from llmcost.pricing import PriceBook, price_usage

    resp = {"id": "resp_1", "object": "response", "created_at": 1759312800, "model": "gpt-4o-2024-08-06",
            "output": [{"type": "web_search_call", "id": "ws_1", "status": "completed"},
                       {"type": "web_search_call", "id": "ws_2", "status": "completed"},
                       {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hi"}]}],
            "usage": {"input_tokens": 1000, "input_tokens_details": {"cached_tokens": 0},
                      "output_tokens": 100, "output_tokens_details": {"reasoning_tokens": 0}}}
    f = tmp_path / "r.jsonl"
    f.write_text(_json.dumps(resp) + "\n")
    t = load([str(f)]).table
    assert t["web_search_requests"].tolist() == [2]
    book = PriceBook.default()
    per_k = book.quote("gpt-4o", provider="openai").web_search_per_k
    p = price_usage(t, book)
    assert p.loc[0, "cost_web_search_usd"] == pytest.approx(2 * per_k / 1000)
    assert p.loc[0, "cost_usd"] == pytest.approx(1000 * 2.5e-6 + 100 * 10e-6 + 2 * per_k / 1000)
