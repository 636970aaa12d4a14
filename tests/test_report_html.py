"""Tests for ``llmcost report`` and :mod:`llmcost.render.html`.

Fixture ``tests/fixtures/report/usage.csv``: 14 days (2025-03-01..14), two
requests a day, priced by ``prices.yaml`` ($ per 1M tokens):

* ``model-a`` (app search, user alice): 1,000,000 input and 500,000 output
  on days 1-7, 1,000,000 output on days 8-14; on day 1 also 1,000,000 cache
  read tokens ($0.10/M). Cost: days 1-7 $1 + $1 = $2.00 (day 1 $2.10), days
  8-14 $1 + $2 = $3.00. Total 7 × 2 + 0.10 + 7 × 3 = $35.10.
* ``<script>alert(1)</script>`` (app ``<img src=x onerror=alert(2)>``, user
  ``"><svg onload=alert(3)>``): 500,000 input a day, $0.50 a day, $7.00 total.

Total $42.10; last 7 days $24.50 vs previous 7 $17.60 (+39.2 %); cache hit
ratio day 1 = 1,000,000 / (1,000,000 + 1,000,000 + 500,000) = 40 %.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llmcost.analyze import analyze
from llmcost.cli import app
from llmcost.ingest import load
from llmcost.pricing import PriceBook, price_usage
from llmcost.render.html import (
    JS,
    SECTION_IDS,
    BudgetLine,
    Waterfall,
    WaterfallStep,
    change_vs_previous,
    csp,
    daily_by_model,
    nice_ticks,
    render_html,
    report_data,
    script_hash,
)

FIX = Path(__file__).parent / "fixtures" / "report"
USAGE = FIX / "usage.csv"
PRICES = FIX / "prices.yaml"
EVIL_MODEL = "<script>alert(1)</script>"
EVIL_APP = "<img src=x onerror=alert(2)>"
EVIL_USER = '"><svg onload=alert(3)>'
NOW = pd.Timestamp("2025-03-20T00:00:00Z")

runner = CliRunner()


@pytest.fixture(scope="module")
def priced() -> pd.DataFrame:
    loaded = load([str(USAGE)])
    return price_usage(loaded.table, PriceBook.default(str(PRICES)))


@pytest.fixture(scope="module")
def page(priced: pd.DataFrame) -> str:
    a = analyze(priced, by=("model", "provider", "app", "user", "feature", "day"))
    return render_html(report_data(priced, a, now=NOW))


def _tips(page: str, chart: str) -> list[str]:
    m = re.search(rf'<svg [^>]*data-chart="{chart}".*?</svg>', page, re.DOTALL)
    assert m, f"chart {chart} missing"
    return re.findall(r'data-tip="([^"]*)"', m.group(0))


# --------------------------------------------------------------------------- aggregates


def test_daily_by_model_numbers(priced: pd.DataFrame) -> None:
    a = analyze(priced)
    d = report_data(priced, a, now=NOW)
    assert d.daily.bucket == "day"
    assert d.daily.labels[0] == "2025-03-01" and d.daily.labels[-1] == "2025-03-14"
    assert [name for name, _ in d.daily.series] == ["model-a", EVIL_MODEL]
    a_costs = d.daily.series[0][1]
    assert a_costs[0] == pytest.approx(2.10)
    assert a_costs[1:7] == pytest.approx([2.0] * 6)
    assert a_costs[7:] == pytest.approx([3.0] * 7)
    assert d.daily.series[1][1] == pytest.approx([0.5] * 14)


def test_change_and_cache_and_savings(priced: pd.DataFrame) -> None:
    d = report_data(priced, analyze(priced), now=NOW)
    assert d.change.days == 7
    assert d.change.current_usd == pytest.approx(24.5)
    assert d.change.previous_usd == pytest.approx(17.6)
    assert d.change.ratio == pytest.approx(24.5 / 17.6 - 1)  # +39.2 %
    assert d.cache[0].ratio == pytest.approx(0.4)
    assert (d.cache[0].cache_read_tokens, d.cache[0].input_tokens_all) == (1_000_000, 2_500_000)
    assert d.cache[1].ratio == 0.0 and d.cache[1].input_tokens_all == 1_500_000
    assert d.generated_at == "2025-03-20 00:00 UTC"


def test_change_needs_two_days() -> None:
    c = change_vs_previous([5.0])
    assert not c.available and c.ratio is None
    c = change_vs_previous([1.0, 2.0, 4.0])  # k = 1: last day vs the one before
    assert (c.days, c.current_usd, c.previous_usd) == (1, 4.0, 2.0)
    assert c.ratio == pytest.approx(1.0)


def test_top_models_and_other_series() -> None:
    rows = pd.DataFrame(
        {
            "day": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-03", "2025-01-03"]),
            "model": ["a", "b", "c", ""],
            "cost_usd": [5.0, 3.0, 1.0, 0.5],
            "input_tokens": [0, 0, 0, 0],
            "cache_read_tokens": [0, 0, 0, 0],
            "cache_write_tokens": [0, 0, 0, 0],
        }
    )
    d = daily_by_model(rows, top_models=2)
    assert d.labels == ["2025-01-01", "2025-01-02", "2025-01-03"]  # the gap day is kept at $0
    assert d.series == [("a", [5.0, 0.0, 0.0]), ("b", [3.0, 0.0, 0.0]), ("(other)", [0.0, 0.0, 1.5])]


def test_long_logs_are_charted_by_week() -> None:
    days = pd.date_range("2025-01-06", periods=200, freq="D")  # a Monday
    rows = pd.DataFrame({"day": days, "model": "m", "cost_usd": 1.0, "input_tokens": 0,
                         "cache_read_tokens": 0, "cache_write_tokens": 0})
    d = daily_by_model(rows)
    assert d.bucket == "week"
    assert len(d.labels) == 29  # 200 days = 28 full weeks + 4 days
    assert d.labels[:2] == ["2025-01-06", "2025-01-13"]
    assert d.series[0][1][0] == 7.0 and d.series[0][1][-1] == 4.0


def test_nice_ticks() -> None:
    assert nice_ticks(3.5) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert nice_ticks(0.0) == [0.0, 1.0]
    assert nice_ticks(1230.0) == [0, 500, 1000, 1500]


# --------------------------------------------------------------------------- HTML


def test_every_section_and_chart(page: str) -> None:
    for sid in SECTION_IDS:
        assert f'<section id="{sid}" data-section="{sid}">' in page, sid
    for chart in ("daily", "model", "app", "user", "feature", "token-mix", "token-cost", "cache"):
        assert _tips(page, chart), chart
    # headline cards
    for card in ("cost", "forecast", "change", "savings"):
        assert f'data-card="{card}"' in page
    assert "$42.10" in page
    assert "+39.2%" in page  # change vs previous 7 days
    # the daily chart has one segment per model per day: 14 + 14
    tips = _tips(page, "daily")
    assert len(tips) == 28
    assert "2025-03-01 · model-a: $2.10 (day total $2.60)" in tips
    cache_tips = _tips(page, "cache")
    assert cache_tips[0].startswith("2025-03-01: 40.0% of input tokens read from cache (1,000,000 of 2,500,000)")
    # no levers, no budgets: the sections say how to get them
    assert "No levers given" in page
    assert "No budgets file given" in page


def test_top_requests_table_is_sortable_with_numbers(page: str) -> None:
    m = re.search(r'<table class="sortable" data-table="top-requests">.*?</table>', page, re.DOTALL)
    assert m
    table = m.group(0)
    assert table.count("<tr>") == 11  # header + top 10
    assert 'data-type="num"' in table
    # most expensive first: a $3.00 model-a request, cost carried as a sort value
    first = table.split("<tbody>")[1].split("</tr>")[0]
    assert "model-a" in first and 'data-v="3.0"' in first


def test_user_strings_are_escaped(page: str) -> None:
    for raw in (EVIL_MODEL, EVIL_APP, EVIL_USER, "tagging & more"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&quot;&gt;&lt;svg onload=alert(3)&gt;" in page
    assert "tagging &amp; more" in page
    # exactly one script element, the report's own
    assert len(re.findall(r"<script\b", page)) == 1
    assert "<img" not in page


def test_self_contained_no_network(page: str) -> None:
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(script|img|iframe|link|embed|object|video|audio|source)\b[^>]*\b(src|href)=", page)
    assert "@import" not in page and "url(" not in page
    # CSP: nothing may load; only this script (by hash) may run
    policy = csp(JS)
    assert "default-src 'none'" in policy
    assert script_hash(JS) in policy
    assert f'content="{policy}"' in page.replace("&#x27;", "'")
    # responsive and dark mode
    assert 'name="viewport"' in page
    assert "prefers-color-scheme:dark" in page


def test_script_hash_is_the_standard_csp_hash() -> None:
    # echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
    assert script_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"


def test_waterfall_and_budgets_render() -> None:
    loaded = load([str(USAGE)])
    priced = price_usage(loaded.table, PriceBook.default(str(PRICES)))
    wf_steps = [WaterfallStep("output-cap", 42.1, 28.1, 14, notes=["n1"], risks=["r1 <b>"])]
    budgets = [
        BudgetLine("total <monthly>", "monthly", 100.0, 42.1, "ok", projected_usd=93.25),
        BudgetLine("search", "daily", 2.0, 3.0, "exceeded", breach_date="2025-03-08"),
    ]
    d = report_data(priced, analyze(priced), budgets=budgets, now=NOW)
    d = type(d)(**{**d.__dict__, "waterfall": Waterfall(42.1, 28.1, 30.4 / 13.0, wf_steps, ["lever x cannot run: y"])})
    page = render_html(d)
    tips = _tips(page, "waterfall")
    assert tips[0] == "baseline: $42.10"
    assert tips[1] == "output-cap: saves $14.00 ($42.10 → $28.10; 14 requests)"
    assert tips[-1] == "after levers: $28.10"
    assert "risk: r1 &lt;b&gt;" in page
    assert "lever x cannot run: y" in page
    btips = _tips(page, "budgets")
    assert btips == [
        "total &lt;monthly&gt; (monthly): $42.10 of $100.00 (42.1%) · ok",
        "search (daily): $3.00 of $2.00 (150.0%) · exceeded",
    ]
    assert 'class="b-over"' in page and 'class="b-ok"' in page
    # savings card: the whatif saving per month, 14.00 × 30.4 / 13
    assert "$32.74" in page


def test_size_stays_small_for_many_days() -> None:
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    n = len(days) * 40
    table = pd.DataFrame({"day": days.repeat(40), "model": [f"m{i % 40}" for i in range(n)], "cost_usd": 1.0,
                          "input_tokens": 1, "cache_read_tokens": 0, "cache_write_tokens": 0})
    d = daily_by_model(table)
    assert len(d.series) == 9  # 8 models + (other)
    assert d.series[-1][0] == "(other)" and d.series[-1][1][0] == 32.0


# --------------------------------------------------------------------------- CLI


def test_cli_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    r = runner.invoke(app, ["report", str(USAGE), "--prices", str(PRICES), "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "$42.10" in text
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left


def test_cli_with_levers_adds_waterfall(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["report", str(USAGE), "--prices", str(PRICES), "-o", str(out),
                            "--max-output", "250000", "--batch", "app=search"])
    assert r.exit_code == 0, r.output
    tips = _tips(out.read_text(encoding="utf-8"), "waterfall")
    # output cap: model-a output 500k/1M → 250k saves $0.50 × 7 + $1.50 × 7 = $14.00;
    # batch halves what search then costs: (14 × $1.50 + $0.10) / 2 = $10.55
    assert tips[0] == "baseline: $42.10"
    assert tips[1].startswith("output-cap: saves $14.00 ($42.10 → $28.10")
    assert tips[2].startswith("batch: saves $10.55 ($28.10 → $17.55")
    assert tips[3] == "after levers: $17.55"


def test_cli_missing_folder_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "nope" / "report.html"
    r = runner.invoke(app, ["report", str(USAGE), "--prices", str(PRICES), "-o", str(out)])
    assert r.exit_code == 2
    assert "output folder does not exist" in r.output
    assert str(out) in r.output
    assert not out.parent.exists()


def test_cli_bad_input_keeps_old_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("previous report", encoding="utf-8")
    missing = tmp_path / "missing.csv"
    r = runner.invoke(app, ["report", str(missing), "-o", str(out)])
    assert r.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous report"
    r = runner.invoke(app, ["report", str(USAGE), "--prices", str(PRICES), "-o", str(out), "--since", "2026-01-01"])
    assert r.exit_code == 2 and "no usage rows found" in r.output
    assert out.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_cli_bad_lever_exit_2_report_names_it(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["report", str(USAGE), "--prices", str(PRICES), "-o", str(out), "--cache", "fuzzy"])
    assert r.exit_code == 2
    assert "lever cache cannot run" in r.output
    assert "lever cache cannot run" in out.read_text(encoding="utf-8")


def test_cli_output_is_a_folder(tmp_path: Path) -> None:
    r = runner.invoke(app, ["report", str(USAGE), "-o", str(tmp_path)])
    assert r.exit_code == 2 and "is a folder" in r.output


def test_cli_missing_budgets_file(tmp_path: Path) -> None:
    r = runner.invoke(app, ["report", str(USAGE), "-o", str(tmp_path / "r.html"),
                            "--budgets", str(tmp_path / "none.yaml")])
    assert r.exit_code == 2 and "budgets file not found" in r.output


def test_cli_budgets_section(tmp_path: Path) -> None:
    pytest.importorskip("llmcost.budget", reason="budget module not installed")
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["report", str(USAGE), "--prices", str(PRICES), "-o", str(out),
                            "--budgets", str(FIX / "budgets.yaml")])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    tips = _tips(page, "budgets")
    # as of 2025-03-14: March so far $42.10 of $100; search that day $3.00 of $2.50; the <script> model $7 of $10
    assert tips[0].startswith("everything (monthly 2025-03): $42.10 of $100.00 (42.1%) · ok")
    assert tips[1].startswith("app=search (daily 2025-03-14): $3.00 of $2.50 (120.0%) · exceeded")
    assert tips[2].startswith("&lt;b&gt;evil&lt;/b&gt; (monthly 2025-03): $7.00 of $10.00 (70.0%) · warning")
    assert "<b>evil" not in page
    assert "as of 2025-03-14" in page


def test_cli_bad_budgets_file_fails_before_writing(tmp_path: Path) -> None:
    pytest.importorskip("llmcost.budget", reason="budget module not installed")
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["report", str(USAGE), "--prices", str(PRICES), "-o", str(out),
                            "--budgets", str(FIX / "budgets_negative.yaml")])
    assert r.exit_code == 2
    assert "budgets_negative.yaml" in r.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_two_day_log_cards_read_once_and_in_the_singular(tmp_path: Path) -> None:
    # day 1: 1M gpt-4o input ($2.50) + 1M output ($10.00) = $12.50; day 2: 1M input = $2.50, cut short at 09:30
    usage = tmp_path / "u.csv"
    usage.write_text("timestamp,model,app,input_tokens,output_tokens\n"
                     "2025-10-01T10:15:00Z,gpt-4o,chat,1000000,1000000\n"
                     "2025-10-02T09:30:00Z,gpt-4o,chat,1000000,0\n", encoding="utf-8")
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["report", str(usage), "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert ('<div class="label">Month-end forecast</div><div class="value">n/a</div>'
            '<div class="sub">cannot project: 1 full day of data (need 2)</div>') in text
    assert "cannot project: cannot project" not in text
    assert ('<div class="label">Last 1 day vs previous 1</div><div class="value">-80.0%</div>'
            '<div class="sub">$2.50 vs $12.50</div>') in text


def test_a_single_request_is_one_request_not_one_requests(tmp_path: Path) -> None:
    log = tmp_path / "one.csv"
    log.write_text("timestamp,model,input_tokens,output_tokens\n2025-03-01T10:00:00Z,gpt-4o,1000000,0\n", encoding="utf-8")
    priced = price_usage(load([str(log)]).table, PriceBook.default())
    page = render_html(report_data(priced, analyze(priced, by=("model", "day")), now=NOW))
    assert _tips(page, "model") == ["gpt-4o: $2.50 (100.0%), 1 request"]  # 1M input tokens x $2.50/1M
