"""JSON prompt files keep their layout: only the changed content string
literals are replaced, so numbers, indentation, separators, escapes and the
final newline stay as written and ``--diff`` shows only the changed lines."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.compress.formats import parse_prompt

runner = CliRunner()

PRETTY = (
    '{\n'
    '    "model": "gpt-4o",\n'
    '    "temperature": 1.0,\n'
    '    "top_p": 1e-5,\n'
    '    "frequency_penalty": -0.0,\n'
    '    "logit_bias": {"50256": 1E+2},\n'
    '    "seed": 12345678901234567890,\n'
    '    "messages": [\n'
    '        {\n'
    '            "role": "system",\n'
    '            "content": "Please answer in order to help."\n'
    '        },\n'
    '        {"role" : "user" , "content" : "Could you please list the plans?"}\n'
    '    ]\n'
    '}\n'
)


def test_pretty_file_changes_only_content_lines(tmp_path: Path):
    p = tmp_path / "chat.json"
    p.write_text(PRETTY, encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "--in-place"])
    assert res.exit_code == 0, res.output
    assert p.read_text(encoding="utf-8") == (
        PRETTY.replace('"Please answer in order to help."', '"Answer to help."')
        .replace('"Could you please list the plans?"', '"List the plans."'))


def test_diff_shows_only_the_changed_lines(tmp_path: Path):
    p = tmp_path / "chat.json"
    p.write_text(PRETTY, encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "--diff", "-o", str(tmp_path / "out.json")])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    start = lines.index(f"--- {p}")
    assert lines[start:start + 13] == [
        f"--- {p}",
        f"+++ {p} (compressed)",
        "@@ -8,8 +8,8 @@",
        '     "messages": [',
        "         {",
        '             "role": "system",',
        '-            "content": "Please answer in order to help."',
        '+            "content": "Answer to help."',
        "         },",
        '-        {"role" : "user" , "content" : "Could you please list the plans?"}',
        '+        {"role" : "user" , "content" : "List the plans."}',
        "     ]",
        " }",
    ]


def test_tabs_and_compact_layouts_are_kept():
    tabs = '{\n\t"messages": [\n\t\t{"role": "system", "content": "Please answer in order to help."}\n\t]\n}\n'
    doc = parse_prompt(tabs, "t.json")
    assert doc.render(["Answer to help."]) == tabs.replace("Please answer in order to help.", "Answer to help.")
    compact = '{"top_p":1e-5,"n":1.50,"messages":[{"role":"system","content":"Please answer in order to help."}]}'
    doc = parse_prompt(compact, "c.json")
    assert doc.render(["Answer to help."]) == '{"top_p":1e-5,"n":1.50,"messages":[{"role":"system","content":"Answer to help."}]}'


def test_non_ascii_escapes_follow_the_original():
    escaped = '{"system": "Please r\\u00e9ponds en fran\\u00e7ais.", "prompt": "Please be brief."}\n'
    doc = parse_prompt(escaped, "e.json")
    assert doc.texts == ["Please r\u00e9ponds en fran\u00e7ais.", "Please be brief."]
    # \u escapes stay \u escapes, also in a field that had no non-ASCII (the file's style)
    assert doc.render(["R\u00e9ponds en fran\u00e7ais.", "Be brief \u00e9."]) == (
        '{"system": "R\\u00e9ponds en fran\\u00e7ais.", "prompt": "Be brief \\u00e9."}\n')
    raw = '{"system": "Please réponds en français.", "prompt": "Please be brief."}\n'
    doc = parse_prompt(raw, "r.json")
    assert doc.render(["Réponds en français.", "Be brief é."]) == (
        '{"system": "Réponds en français.", "prompt": "Be brief é."}\n')


def test_escaped_slashes_and_crlf_inside_a_value():
    php = '{"system": "Please see https:\\/\\/acme.example\\/help in order to help."}'
    doc = parse_prompt(php, "p.json")
    assert doc.texts == ["Please see https://acme.example/help in order to help."]
    assert doc.render(["See https://acme.example/help to help."]) == (
        '{"system": "See https:\\/\\/acme.example\\/help to help."}')
    crlf = '{"system": "Line one.\\r\\nPlease be brief.\\r\\n"}'
    doc = parse_prompt(crlf, "c.json")
    assert doc.texts == ["Line one.\nPlease be brief.\n"]
    # the field's final line break is kept (the compressor trims it), in the field's own CRLF style
    assert doc.render(["Line one.\nBe brief."]) == '{"system": "Line one.\\r\\nBe brief.\\r\\n"}'


def test_duplicate_keys_replace_the_value_json_keeps():
    dup = '{"system": "Please ignore me.", "system": "Please be brief."}'
    doc = parse_prompt(dup, "d.json")
    assert doc.texts == ["Please be brief."]
    assert doc.render(["Be brief."]) == '{"system": "Please ignore me.", "system": "Be brief."}'


def test_invalid_json_error_is_unchanged(tmp_path: Path):
    p = tmp_path / "bad.json"
    p.write_text('{\n  "system": "x",\n}\n', encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p)])
    assert res.exit_code == 2
    assert res.output == f"llmcost: error: {p}:3:1: invalid JSON: Expecting property name enclosed in double quotes\n"
    # line:column, the column in characters of the text as read (after a BOM; CRLF is one line break)
    p.write_bytes('\ufeff{\r\n  "system": "é",\r\n  "x": 1,,\r\n}'.encode())
    res = runner.invoke(app, ["compress", str(p)])
    assert res.output == f"llmcost: error: {p}:3:10: invalid JSON: Expecting property name enclosed in double quotes\n"
    y = tmp_path / "bad.yaml"
    y.write_text("system: Be brief.\n  model: x\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(y)])
    assert res.exit_code == 2
    assert res.output == f"llmcost: error: {y}:2:8: invalid YAML: mapping values are not allowed here\n"


def test_lone_surrogate_escape_is_written_escaped(tmp_path: Path):
    # "\ud800" (valid JSON, no UTF-8) in a literal with raw non-ASCII: writing it raw was a UnicodeEncodeError traceback
    p = tmp_path / "s.json"
    p.write_text('{"system": "Please be brief \\ud800 caf\u00e9."}', encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "-o", str(tmp_path / "out.json")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out.json").read_bytes() == b'{"system": "Be brief \\ud800 caf\\u00e9."}'
