"""Tests for llmcost.render: golden files for the text formats, structure for
JSON and CSV.

Regenerate the golden files after an intended change with
``LLMCOST_UPDATE_GOLDEN=1 python -m pytest tests/test_render.py`` and review
the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

from llmcost.analyze import Analysis, analyze
from llmcost.errors import InputError
from llmcost.render import FORMATS, render
from llmcost.render.common import bar, shown_rows, sparkline

sys.path.insert(0, str(Path(__file__).parent))  # the table builders live in test_analyze.py
from test_analyze import _steady, make_priced, req, sample_table

GOLDEN = Path(__file__).parent / "golden"


def sample_analysis() -> Analysis:
    return analyze(
        sample_table(),
        now=pd.Timestamp("2025-03-06T08:00:00Z"),
        files=[("logs/app.jsonl", "openai-chat-completions", 10)],
        skipped_rows=1,
        warnings=["logs/app.jsonl:12: line is not JSON (skipped)"],
    )


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("LLMCOST_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}: run with LLMCOST_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_table_golden() -> None:
    _check_golden("sample_table.txt", render(sample_analysis(), "table", width=100))


def test_markdown_golden() -> None:
    _check_golden("sample_markdown.md", render(sample_analysis(), "markdown"))


def test_table_is_plain_without_color_and_fits_width() -> None:
    out = render(sample_analysis(), "table", width=100)
    assert "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "$0.0024" in out  # sub-cent cost keeps its precision
    assert "█████▉" in out  # share bar of gpt-4o (49.3 % of 12 cells = 5 7/8)


def test_table_with_color_has_escape_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in render(sample_analysis(), "table", color=True, width=100)


def test_narrow_table_still_renders() -> None:
    out = render(sample_analysis(), "table", width=60)
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "Cost by model" in out


def test_json_contract() -> None:
    d = json.loads(render(sample_analysis(), "json"))
    t = d["totals"]
    assert (t["requests"], t["input_tokens"], t["cache_read_tokens"], t["cache_write_tokens"], t["output_tokens"]) == (
        9,
        23500,
        5000,
        4000,
        12400,
    )
    assert t["cost_usd"] == pytest.approx(0.028725 + 0.00245 + 0.015 + 0.12556)
    gpt = d["by_model"][0]
    assert (gpt["model"], gpt["provider"], gpt["requests"]) == ("gpt-4o", "openai", 4)
    assert gpt["cost_usd"] == pytest.approx(0.08475)
    assert d["unpriced"] == [
        {
            "model": "mystery-model",
            "provider": "",
            "rows": 1,
            "requests": 1,
            "input_tokens": 700,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
            "output_tokens": 100,
            "reported_cost_usd": None,
            "sources": ["log.jsonl"],
        }
    ]
    for key in (
        "period",
        "by_provider",
        "by_app",
        "by_user",
        "by_feature",
        "by_day",
        "trend",
        "forecast",
        "anomalies",
        "top_calls",
        "reconciliation",
        "suggestions",
        "skipped_rows",
        "warnings",
        "files",
    ):
        assert key in d
    assert d["period"]["start"] == "2025-03-03T09:15:00+00:00"
    assert [x["day"] for x in d["by_day"]] == ["2025-03-03", "2025-03-04", "2025-03-05"]
    assert d["forecast"]["available"] is True
    assert d["top_calls"][0]["request_id"] == "r7"
    assert d["top_calls"][0]["cost_usd"] == pytest.approx(0.061)
    assert d["reconciliation"]["total"]["diff_usd"] == pytest.approx(-0.0005)
    assert d["skipped_rows"] == 1
    assert d["suggestions"][0]["id"] == "long-output"


def test_csv_long_format_pivots() -> None:
    text = render(sample_analysis(), "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "key", "metric", "value"]
    assert all(len(r) == 4 for r in rows)
    cells = {(s, k, m): v for s, k, m, v in rows[1:]}
    assert int(cells[("totals", "", "requests")]) == 9
    assert float(cells[("by_model", "gpt-4o", "cost_usd")]) == pytest.approx(0.08475)
    assert cells[("by_model", "gpt-4o", "provider")] == "openai"
    assert int(cells[("by_day", "2025-03-04", "requests")]) == 3
    assert cells[("unpriced", "mystery-model", "sources")] == "log.jsonl"
    assert float(cells[("reconciliation", "total", "diff_usd")]) == pytest.approx(-0.0005)
    assert cells[("meta", "", "skipped_rows")] == "1"
    assert float(cells[("suggestions", "long-output", "estimated_savings_usd")]) > 0
    # no two rows share (section, key, metric): a pivot never has to aggregate
    assert len(cells) == len(rows) - 1


def test_unknown_format() -> None:
    with pytest.raises(InputError, match="unknown output format 'xml'"):
        render(sample_analysis(), "xml")
    assert set(FORMATS) == {"table", "json", "csv", "markdown"}


def test_empty_analysis_renders_everywhere() -> None:
    a = analyze(make_priced([req("2025-03-03T09:15:00Z", "gpt-4o", 1, 1)]).iloc[:0])
    for fmt in FORMATS:
        assert render(a, fmt)
    assert json.loads(render(a, "json"))["totals"]["cost_usd"] == 0


def test_bar_and_sparkline() -> None:
    assert bar(1.0, 4) == "████"
    assert bar(0.5, 4) == "██  "
    assert bar(0.0625, 4) == "▎   "  # 1/16 of 4 cells = 2 eighths
    assert bar(0.0, 3) == "   "
    assert sparkline([0.0, 1.0, 8.0]) == " ▂█"
    assert sparkline([]) == ""


def test_long_day_breakdown_is_folded_in_text() -> None:
    recs = [req(f"{d:%Y-%m-%d}T10:00:05Z", "gpt-4o-mini", 0, 1000, rid=f"d{i}") for i, d in enumerate(pd.date_range("2025-01-01", periods=40))]
    a = analyze(make_priced(recs), by=("day",))
    rows = shown_rows(a.breakdowns["day"])
    assert len(a.breakdowns["day"].rows) == 40
    assert rows[0].key == "(earlier 9 days)" and rows[0].requests == 9
    assert rows[1].key == "2025-01-10" and len(rows) == 32
    assert "(earlier 9 days)" in render(a, "markdown")


def test_anomalies_render_in_text_formats() -> None:
    spike = [req(f"2025-03-15T11:{i % 60:02d}:00Z", "gpt-4o-mini", 0, 1000, rid=f"s{i}") for i in range(90)]
    a = analyze(_steady(15, spike={"records": spike}))
    table = render(a, "table", width=120)
    assert "Anomalies" in table and "volume spike: requests x10.0" in table
    md = render(a, "markdown")
    assert "| 2025-03-15 | total | $0.06 | $0.0060 | volume spike: requests x10.0" in md
    rows = list(csv.reader(io.StringIO(render(a, "csv"))))
    assert ["anomalies", "1", "cause", "volume spike"] in rows


def test_csv_numbers_are_never_in_scientific_notation() -> None:
    # one gpt-4o input token ($2.50/M) in app "tiny"; 400T input + 100T output tokens ($2,000,000,000) in "huge"
    a = analyze(make_priced([
        req("2025-03-03T09:15:07Z", "gpt-4o", 1, 0, app="tiny", rid="t"),
        req("2025-03-03T09:16:07Z", "gpt-4o", 400_000_000_000_000, 100_000_000_000_000, app="huge", rid="h"),
    ]), by=("app",))
    rows = list(csv.reader(io.StringIO(render(a, "csv"))))
    assert ["by_app", "tiny", "cost_usd", "0.0000025"] in rows
    assert ["by_app", "huge", "cost_usd", "2000000000.0"] in rows
    assert ["by_app", "huge", "tokens", "500000000000000"] in rows
    assert not [r for r in rows if "e-" in r[3] or "e+" in r[3]]
