"""Exports after a spreadsheet touched them: separators, encodings, number
formats and the rows a spreadsheet adds. Costs hand-checked against the
price table (claude-sonnet-4-5: $3 in / $15 out per 1M; gpt-4o-mini:
$0.15 / $0.60; cached $0.075)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmcost.errors import InputError
from llmcost.ingest import load
from llmcost.pricing import price_usage

ANTHROPIC_USAGE = ("usage_date_utc,model_version,api_key,workspace,usage_type,context_window,"
                   "usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,"
                   "usage_input_tokens_cache_read,usage_output_tokens,web_search_count\n")


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_dot_grouped_token_counts_are_thousands_not_decimals(tmp_path: Path):
    # Google Sheets in a German locale: comma-separated CSV, "120.000" = 120,000 tokens
    f = _write(tmp_path, "u.csv", (ANTHROPIC_USAGE + "2025-10-01,claude-sonnet-4-5-20250929,k,Default,standard,"
                                   "\u2264 200k,120.000,0,0,0,15.000,0\n").encode())
    res = load([f])
    t = res.table
    assert t.loc[0, "input_tokens"] == 120_000 and t.loc[0, "output_tokens"] == 15_000
    assert price_usage(t).loc[0, "cost_usd"] == pytest.approx(0.36 + 0.225)
    assert f"{f}: usage_input_tokens_no_cache: read '120.000' as 120000 (digit grouping)" in res.warnings


def test_decimal_comma_cost_is_not_read_as_a_thousands_separator(tmp_path: Path):
    f = _write(tmp_path, "c.csv", (
        "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd\n"
        '2025-10-01,Claude Sonnet 4.5,Default,k,message,\u2264 200k,input_no_cache,"0,36"\n'
        '2025-10-01,Claude Sonnet 4.5,Default,k,message,\u2264 200k,output,"0,225"\n').encode())
    t = load([f]).table
    assert t["reported_cost_usd"].tolist() == pytest.approx([0.36, 0.225])  # was 36 and 225


def test_semicolon_separated_export_with_decimal_commas(tmp_path: Path):
    # European Excel: ";" between fields, "," as the decimal mark, "." grouping thousands
    f = _write(tmp_path, "costs.csv", (
        "start_time;end_time;amount_value;amount_currency;line_item;project_id\n"
        "1759276800;1759363200;1.250,50;usd;gpt-4o-2024-08-06, input;proj\n"
        "1759276800;1759363200;0,0375;usd;gpt-4o-mini-2024-07-18, cached input;proj\n").encode())
    res = load([f])
    assert res.files[0][1] == "openai-costs-csv"
    assert res.table["reported_cost_usd"].tolist() == pytest.approx([1250.5, 0.0375])


def test_excel_unicode_text_utf16_tab_separated(tmp_path: Path):
    text = ("generation_id\tcreated_at\tcost_total\ttokens_prompt\ttokens_completion\ttokens_cached\tmodel_permaslug\r\n"
            "gen-1\t2025-10-01 09:15:02\t0.00045\t2000\t250\t1000\topenai/gpt-4o-mini\r\n")
    f = _write(tmp_path, "act.txt.csv", b"\xff\xfe" + text.encode("utf-16-le"))
    res = load([f])
    assert res.files[0][1] == "openrouter-activity-csv"
    t = res.table
    assert (t.loc[0, "input_tokens"], t.loc[0, "cache_read_tokens"], t.loc[0, "output_tokens"]) == (1000, 1000, 250)


def test_windows_1252_text_is_read_with_a_warning(tmp_path: Path):
    f = _write(tmp_path, "u.csv", "timestamp,model,user,input_tokens,output_tokens\n"
               "2025-10-01T00:00:00Z,gpt-4o-mini,José Müller,1000,100\n".encode("cp1252"))
    res = load([f])
    assert res.table.loc[0, "user"] == "José Müller"
    assert f"{f}: not UTF-8; read as Windows-1252 (Latin-1), the encoding Excel saves CSV in" in res.warnings


def test_total_row_is_skipped_not_counted(tmp_path: Path):
    f = _write(tmp_path, "u.csv", (
        "timestamp,model,input_tokens,output_tokens,cost_usd\n"
        "2025-10-01T00:00:00Z,gpt-4o-mini,1000,100,0.00021\n"
        "2025-10-01T01:00:00Z,gpt-4o-mini,2000,200,0.00042\n"
        "Grand total,,3000,300,0.00063\n").encode())
    res = load([f])
    assert len(res.table) == 2 and res.table["input_tokens"].sum() == 3000
    assert f"{f}: skipped a total row (spreadsheet sums are not usage; recomputed from the rows): line 4" in res.warnings


def test_openai_costs_total_row_does_not_double_the_cost(tmp_path: Path):
    f = _write(tmp_path, "c.csv", (
        "start_time,end_time,amount_value,amount_currency,line_item\n"
        "1759276800,1759363200,1.25,usd,\"gpt-4o-2024-08-06, input\"\n"
        "Total,,1.25,,\n").encode())
    assert load([f]).table["reported_cost_usd"].sum() == pytest.approx(1.25)


def test_repeated_header_and_blank_rows_are_no_records(tmp_path: Path):
    head = "generation_id,created_at,cost_total,tokens_prompt,tokens_completion,tokens_cached,model_permaslug\n"
    f = _write(tmp_path, "a.csv", (
        head + "gen-1,2025-10-01 09:15:02,0.00045,2000,250,1000,openai/gpt-4o-mini\n"
        ",,,,,,\n" + head + "gen-2,2025-10-01 09:16:02,0.00045,2000,250,1000,openai/gpt-4o-mini\n").encode())
    res = load([f])
    assert res.table["request_id"].tolist() == ["gen-1", "gen-2"]
    assert res.table["source_row"].tolist() == [2, 5]
    assert (f"{f}: skipped the header row repeated (files pasted one under another): line 4" in res.warnings)


def test_litellm_daily_spend_grouped_counts(tmp_path: Path):
    f = _write(tmp_path, "d.csv", (
        "id,date,api_key,model,prompt_tokens,completion_tokens,cache_read_input_tokens,spend,api_requests\n"
        "x,2025-06-01,k,gpt-4o-mini,120.000,30.000,80.000,\"0,0282\",40\n").encode())
    t = load([f]).table
    assert (t.loc[0, "input_tokens"], t.loc[0, "cache_read_tokens"], t.loc[0, "output_tokens"]) == (40_000, 80_000, 30_000)
    assert t.loc[0, "reported_cost_usd"] == pytest.approx(0.0282)
    # 40k x 0.15 + 80k x 0.075 + 30k x 0.60 per 1M
    assert price_usage(t).loc[0, "cost_usd"] == pytest.approx(0.006 + 0.006 + 0.018)


def test_generic_csv_dot_grouped_tokens_and_dollar_costs(tmp_path: Path):
    f = _write(tmp_path, "g.csv", (
        "timestamp,model,prompt_tokens,completion_tokens,cost_usd\n"
        "2025-10-01T00:00:00Z,gpt-4o-mini,1.000,200,$0.00027\n"
        "2025-10-01T00:00:00Z,gpt-4o-mini,2.500,\"1,000\",$0.000975\n").encode())
    t = load([f]).table
    assert t["input_tokens"].tolist() == [1000, 2500] and t["output_tokens"].tolist() == [200, 1000]
    assert t["reported_cost_usd"].tolist() == pytest.approx([0.00027, 0.000975])


def test_a_column_mixing_decimal_commas_and_points_is_an_error(tmp_path: Path):
    f = _write(tmp_path, "c.csv", (
        "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd\n"
        '2025-10-01,Claude Sonnet 4.5,Default,k,message,\u2264 200k,input_no_cache,"0,36"\n'
        "2025-10-01,Claude Sonnet 4.5,Default,k,message,\u2264 200k,output,0.225\n").encode())
    with pytest.raises(InputError) as e:
        load([f])
    assert str(e.value).startswith(f"{f}:2: cost_usd is not a number: '0,36'")


# --------------------------------------------------------------------------- #
# dates as a spreadsheet writes them
# --------------------------------------------------------------------------- #

def _times(tmp_path: Path, *stamps: str) -> list[str]:
    body = "".join(f"{t},gpt-4o-mini,1000,100\n" for t in stamps)
    f = _write(tmp_path, "d.csv", ("timestamp,model,input_tokens,output_tokens\n" + body).encode())
    return [t.isoformat() for t in load([f]).table["time"]]


def test_numeric_dates_are_read_day_first_or_month_first_for_the_whole_column(tmp_path: Path):
    # "10/3/2025" was October 3 and "25/10/2025" October 25 in one file: the 25 says the column is day first
    assert _times(tmp_path, "10/3/2025 14:05", "25/10/2025 09:00") == [
        "2025-03-10T14:05:00+00:00", "2025-10-25T09:00:00+00:00"]
    assert _times(tmp_path, "10/3/2025 14:05", "10/13/2025 2:05 PM") == [
        "2025-10-03T14:05:00+00:00", "2025-10-13T14:05:00+00:00"]  # 13 says month first
    # dotted dates are the European way: day first (it was March 10)
    assert _times(tmp_path, "03.10.2025 14:05") == ["2025-10-03T14:05:00+00:00"]


def test_a_column_of_dates_both_ways_is_an_error_naming_the_row(tmp_path: Path):
    body = "10/13/2025 09:00,gpt-4o-mini,1,1\n25/10/2025 09:00,gpt-4o-mini,1,1\n"
    f = _write(tmp_path, "d.csv", ("timestamp,model,input_tokens,output_tokens\n" + body).encode())
    with pytest.raises(InputError) as exc:
        load([f])
    assert str(exc.value).startswith(f"{f}:2: dates written both day first ('25/10/2025 09:00') and month first "
                                     "('10/13/2025 09:00') in one column")


def test_excel_date_serials_are_dates_not_epoch_seconds(tmp_path: Path):
    # 45933.58 was read as epoch seconds: 1970-01-01 12:45
    assert _times(tmp_path, "45933.58", "45934") == ["2025-10-03T13:55:12+00:00", "2025-10-04T00:00:00+00:00"]
