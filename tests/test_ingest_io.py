"""File-level ingest behaviour: line splitting, CSV row numbers, directories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmcost.errors import InputError
from llmcost.ingest import load

HEADER = "timestamp,model,input_tokens,output_tokens"


def test_jsonl_text_with_unicode_line_separators_is_one_record(tmp_path: Path):
    # Node's JSON.stringify and ensure_ascii=False leave U+2028 / \x0c unescaped
    rec = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1759276800, "model": "gpt-4o",
           "choices": [{"message": {"role": "assistant", "content": "a\u2028b\x0cc\x1cd\x85e"}}],
           "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
    f = tmp_path / "log.jsonl"
    f.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(rec | {"id": "chatcmpl-2"}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    t = load([str(f)]).table
    assert len(t) == 2 and t["input_tokens"].tolist() == [5, 5]


def test_csv_errors_name_the_file_line_after_multiline_fields_and_blank_lines(tmp_path: Path):
    f = tmp_path / "quoted.csv"
    f.write_text(HEADER + ',prompt\n2025-10-01,gpt-4o,10,5,"line one\nline two\nline three"\n2025-10-01,gpt-4o,-3,5,x\n')
    with pytest.raises(InputError, match=r"quoted.csv:5: input_tokens"):
        load([str(f)])
    g = tmp_path / "blank.csv"
    g.write_text(HEADER + "\n2025-10-01,gpt-4o,10,5\n\n\n2025-10-01,gpt-4o,-3,5\n")
    with pytest.raises(InputError, match=r"blank.csv:5: input_tokens"):
        load([str(g)])


def test_directory_skips_files_that_are_not_usage_logs(tmp_path: Path):
    d = tmp_path / "claude_home"
    (d / "projects" / "p").mkdir(parents=True)
    (d / "projects" / "p" / "s.jsonl").write_text(json.dumps({
        "type": "assistant", "timestamp": "2025-10-01T10:00:00Z", "sessionId": "s", "requestId": "r1",
        "message": {"id": "m1", "model": "claude-sonnet-4-5-20250929",
                    "usage": {"input_tokens": 10, "output_tokens": 5}}}) + "\n")
    (d / "settings.json").write_text(json.dumps({"model": "opus", "theme": "dark"}))
    (d / "models.csv").write_text("model,notes\ngpt-4o,main\n")
    (d / ".hidden").mkdir()
    (d / ".hidden" / "x.jsonl").write_text("not json\n")
    r = load([str(d)])
    assert [f for f, _, _ in r.files] == [str(d / "projects" / "p" / "s.jsonl")]
    assert len(r.table) == 1
    skipped = [w for w in r.warnings if w.startswith("skipped ")]
    assert len(skipped) == 2 and all("unrecognised usage format" in w for w in skipped)
    # named explicitly, the same file is an error
    with pytest.raises(InputError, match="settings.json: unrecognised usage format"):
        load([str(d / "settings.json")])


def _usage_page(day: int, results: list[dict], has_more: bool) -> dict:
    start = 1759276800 + day * 86400
    return {"object": "page", "data": [{"object": "bucket", "start_time": start, "end_time": start + 86400,
                                        "results": results}],
            "has_more": has_more, "next_page": "page_AAAAAGdGxdEiJdKO" if has_more else None}


def _usage_result(inp: int, cached: int, out: int, n: int, batch: bool) -> dict:
    return {"object": "organization.usage.completions.result", "input_tokens": inp, "output_tokens": out,
            "input_cached_tokens": cached, "input_audio_tokens": 0, "output_audio_tokens": 0,
            "num_model_requests": n, "project_id": None, "user_id": None, "api_key_id": None,
            "model": "gpt-4o-2024-08-06", "batch": batch}


def test_pretty_printed_pages_one_after_another_are_read_as_a_list_of_pages(tmp_path: Path):
    # `curl .../usage/completions?page=... | jq . >> usage.json` once per page: used to be taken
    # for JSON Lines and rejected as "unrecognised usage format (JSON Lines)"
    from llmcost.pricing import price_usage

    p1 = _usage_page(0, [_usage_result(1_000_000, 200_000, 100_000, 50, False)], True)
    p2 = _usage_page(1, [], True)
    p3 = _usage_page(2, [_usage_result(2_000_000, 0, 0, 10, True)], False)
    f = tmp_path / "usage.json"
    f.write_text("\n".join(json.dumps(p, indent=2) for p in (p1, p2, p3)) + "\n")
    res = load([str(f)])
    assert res.files[0][1:] == ("openai-usage-api", 2)
    t = res.table
    assert [int(t[c].sum()) for c in ("input_tokens", "cache_read_tokens", "output_tokens", "requests")] == \
        [2_800_000, 200_000, 100_000, 60]
    # gpt-4o: 800K x $2.50/M + 200K x $1.25/M + 100K x $10/M = $3.25; batch 2M x $1.25/M = $2.50
    assert price_usage(t)["cost_usd"].sum() == pytest.approx(5.75)


def test_pretty_printed_lists_one_after_another_are_one_list(tmp_path: Path):
    rec = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1759276800, "model": "gpt-4o",
           "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
    f = tmp_path / "log.json"
    f.write_text(json.dumps([rec], indent=2) + "\n" + json.dumps([rec | {"id": "chatcmpl-2"}], indent=2))
    t = load([str(f)]).table
    assert t["request_id"].tolist() == ["chatcmpl-1", "chatcmpl-2"]


def test_truncated_pretty_printed_document_is_a_truncated_json_error(tmp_path: Path):
    # an interrupted download: used to be taken for JSON Lines and reported as
    # "unrecognised usage format (JSON Lines)"; line 17 = line 16 of the document after one blank line
    text = json.dumps(_usage_page(0, [_usage_result(1000, 0, 10, 1, False)], False), indent=2)
    f = tmp_path / "usage.json"
    f.write_text("\n" + text[: text.index('"num_model_requests"') + 10])
    with pytest.raises(InputError) as err:
        load([str(f)])
    assert str(err.value) == f"{f}:17: truncated JSON: the document ends early (Unterminated string starting at)"


def test_malformed_pretty_printed_document_names_the_line(tmp_path: Path):
    f = tmp_path / "usage.json"
    f.write_text('{\n  "object": "page",\n  "data": [\n    {"start_time": 1759276800,, "results": []}\n  ]\n}\n')
    with pytest.raises(InputError) as err:
        load([str(f)])
    assert str(err.value) == f"{f}:4: invalid JSON (Expecting property name enclosed in double quotes)"


def test_jsonl_with_a_bad_first_line_is_still_jsonl_reported_by_line(tmp_path: Path):
    good = json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1759276800, "model": "gpt-4o",
                       "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}})
    f = tmp_path / "log.jsonl"
    f.write_text('{"id": "chatcmpl-0", "usage": {"prompt_tok\n' + good + "\n")
    with pytest.raises(InputError) as err:
        load([str(f)])
    assert err.value.line == 1 and "truncated JSON line" in str(err.value)
    assert len(load([str(f)], skip_bad=True).table) == 1
