"""YAML prompt files keep their comments, anchors, quoting and indentation:
the changed scalars are replaced in place (and the result must load as the
intended data); when one cannot be, PyYAML re-writes the file and the report
says so in one line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.compress.formats import YAML_REWRITTEN, parse_prompt

runner = CliRunner()

PROMPT_YML = (
    "# GitHub Models prompt file\n"
    "name: Summarizer\n"
    "model: openai/gpt-4o  # keep\n"
    "messages:\n"
    "  - role: system\n"
    "    content: |\n"
    "      Please be brief.\n"
    "      In order to win, play.\n"
    "\n"
    "      Output format:\n"
    "        - bullet 1\n"
    "  - role: user\n"
    '    content: "Please be brief: {{input}}"\n'
    "testData:\n"
    '  - input: "Please keep this."\n'
    "    expected: 'summary'\n"
)


def test_prompt_file_in_place_changes_only_content_lines(tmp_path: Path):
    p = tmp_path / "p.prompt.yml"
    p.write_text(PROMPT_YML, encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "--in-place", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert p.read_text(encoding="utf-8") == (
        PROMPT_YML.replace("      Please be brief.\n      In order to win, play.\n",
                           "      Be brief.\n      To win, play.\n")
        .replace('"Please be brief: {{input}}"', '"Be brief: {{input}}"'))
    assert json.loads(res.stdout)["files"][0]["notes"] == []


def test_anchor_alias_comments_and_folded_block():
    src = ("# shared\n"
           "defaults: &sys\n"
           "  role: system\n"
           "  content: Please be brief.  # keep short\n"
           "messages:\n"
           "  - *sys\n"
           "  - role: user\n"
           "    content: >\n"
           "      Please tell me\n"
           "      about the weather.\n"
           "  - role: assistant\n"
           '    content: "Sure! 20°C"\n')
    doc = parse_prompt(src, "a.yaml")
    assert doc.texts == ["Please be brief.", "Please tell me about the weather.\n"]  # the alias: one field
    out, notes = doc.render_with_notes(["Be brief.", "Tell me about the weather."])
    assert out == src.replace("Please be brief.  #", "Be brief.  #").replace(
        "      Please tell me\n      about the weather.\n", "      Tell me about the weather.\n")
    assert notes == []


def test_block_scalar_edges():
    # blank lines and a comment after a block, and a block ending the file without a newline
    src = "a:\n  - system: |\n      Please be brief.\n\n    # note\n  - x: 1\nb:\n  prompt: |\n    One.\n    Two."
    doc = parse_prompt(src, "b.yaml")
    assert doc.render(["Be brief.", "One."]) == "a:\n  - system: |\n      Be brief.\n\n    # note\n  - x: 1\nb:\n  prompt: |\n    One."
    # a new line inside a once single-line value: a "|" block for a folded one, double quotes for a plain one
    doc = parse_prompt("system: >\n  Please be\n  brief.\nprompt: Please be brief.\n", "c.yaml")
    assert doc.render(["Be\nbrief.\n", "Be\nbrief."]) == 'system: |\n  Be\n  brief.\nprompt: "Be\\nbrief."\n'


def test_plain_scalar_that_needs_quotes_now():
    doc = parse_prompt("system: Please note that you are brief # why\nn: 1\n", "q.yaml")
    assert doc.render(["Note: be brief"]) == 'system: "Note: be brief" # why\nn: 1\n'
    doc = parse_prompt("system: 'It''s brief, please.'\n", "s.yaml")
    assert doc.render(["It's brief."]) == "system: 'It''s brief.'\n"


def test_crlf_and_bom_yaml(tmp_path: Path):
    p = tmp_path / "c.yaml"
    p.write_bytes(b"\xef\xbb\xbf# c\r\nmessages:\r\n  - role: system\r\n    content: |\r\n"
                  b"      Please be brief.\r\n      In order to win, play.\r\n")
    res = runner.invoke(app, ["compress", str(p), "--in-place"])
    assert res.exit_code == 0, res.output
    assert p.read_bytes() == (b"\xef\xbb\xbf# c\r\nmessages:\r\n  - role: system\r\n    content: |\r\n"
                              b"      Be brief.\r\n      To win, play.\r\n")


def test_rewritten_yaml_is_noted(tmp_path: Path):
    # one scalar under two content keys (an alias) cannot be replaced in place twice: PyYAML re-writes
    # the file, and the report says so
    p = tmp_path / "k.yaml"
    p.write_text("# comment\nsystem: &s Please be brief.\nprompt: *s\nn: 1\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "-o", str(tmp_path / "out.yaml")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out.yaml").read_text(encoding="utf-8") == "system: Be brief.\nprompt: Be brief.\nn: 1\n"
    assert f"{p}: {YAML_REWRITTEN}" in res.stdout.splitlines()
    assert YAML_REWRITTEN == "YAML re-written by PyYAML: comments, anchors, quoting and indentation not preserved"
    res = runner.invoke(app, ["compress", str(p), "--format", "json"])
    assert json.loads(res.stdout)["files"][0]["notes"] == [YAML_REWRITTEN]
    doc = parse_prompt(p.read_text(encoding="utf-8"), "k.yaml")
    assert doc.render_with_notes(["Be brief.", "Be brief."]) == ("system: Be brief.\nprompt: Be brief.\nn: 1\n",
                                                                [YAML_REWRITTEN])
    assert doc.render_with_notes(doc.texts) == (doc.raw, [])  # no note left over from the render before


def test_block_that_cannot_stay_a_block_is_quoted_in_place(tmp_path: Path):
    # an indentation indicator, "keep" chomping, a comment on the header: that scalar becomes a
    # double-quoted one; the rest of the file (comments, other blocks) is kept (the whole file used
    # to be re-written by PyYAML, its comments lost)
    p = tmp_path / "k.yaml"
    p.write_text("# prompt library\n"
                 "system: |2\n    Please be brief.\n  Really, please.\n"
                 "prompt: |+ # keep\n  Please answer in order to help.\n\n"
                 "template: >-\n  Please could you kindly\n  summarise it.\n"
                 "n: 1\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "-o", str(tmp_path / "out.yaml"), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["files"][0]["notes"] == []
    assert (tmp_path / "out.yaml").read_text(encoding="utf-8") == (
        "# prompt library\n"
        'system: "Be brief.\\nReally.\\n"\n'
        'prompt: "Answer to help.\\n"\n\n'
        "template: >-\n  Could you kindly summarise it.\n"
        "n: 1\n")


def test_several_yaml_documents_say_so(tmp_path: Path):
    # the message was PyYAML's problem alone: "invalid YAML: but found another document"
    p = tmp_path / "m.yaml"
    p.write_text("system: Please be brief.\n---\nsystem: Please again.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p)])
    assert res.exit_code == 2
    assert res.stderr == (f"llmcost: error: {p}:2:1: invalid YAML: expected a single document in the stream, "
                          "but found another document\n")
