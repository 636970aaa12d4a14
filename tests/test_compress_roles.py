"""Chat conversations: only the instructions are compressed (the system /
developer messages and the last user message); past turns, assistant and tool
messages are data and stay byte-identical."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.compress.formats import parse_prompt

runner = CliRunner()

OPENAI = {
    "model": "gpt-4o",
    "messages": [
        {"role": "developer", "content": "Please answer in order to help."},
        {"role": "user", "content": "Could you please classify: I love it!"},
        {"role": "assistant", "content": "Please note: positive."},
        {"role": "user", "content": "Could you please classify: It broke in order to annoy me."},
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "Please note that this is very important."},
        {"role": "function", "name": "f", "content": "Please note that this is very important."},
        {"content": "Please note that this has no role."},
        {"role": "user", "content": [{"type": "text", "text": "Could you please list the plans?"}]},
    ],
}

ANTHROPIC = {
    "system": [{"type": "text", "text": "Please answer in order to help."}],
    "messages": [
        {"role": "user", "content": "Could you please list the plans?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "plans",
                                           "input": {"text": "Please note that."}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "t1",
             "content": [{"type": "text", "text": "Please note that there are 3 plans."}]},
            {"type": "text", "text": "Could you please list the plans?"},
        ]},
    ],
}


def test_openai_messages_only_developer_and_last_user_are_content():
    doc = parse_prompt(json.dumps(OPENAI), "chat.json")
    assert doc.texts == ["Please answer in order to help.", "Could you please list the plans?"]


def test_openai_messages_cli_leaves_history_alone(tmp_path: Path):
    src = tmp_path / "chat.json"
    src.write_text(json.dumps(OPENAI, indent=2), encoding="utf-8")
    out = tmp_path / "out.json"
    res = runner.invoke(app, ["compress", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    expected = copy.deepcopy(OPENAI)
    expected["messages"][0]["content"] = "Answer to help."
    expected["messages"][-1]["content"][0]["text"] = "List the plans."
    assert json.loads(out.read_text(encoding="utf-8")) == expected


def test_few_shot_pairs_are_data():
    shots = [{"role": "system", "content": "Please classify in order to help."},
             {"role": "user", "content": "Could you please help? Great!"}, {"role": "assistant", "content": "positive"},
             {"role": "user", "content": "{input}, in order to help"}]
    doc = parse_prompt(json.dumps(shots), "fs.json")
    assert doc.texts == ["Please classify in order to help.", "{input}, in order to help"]
    assert json.loads(doc.render(["Classify.", "{input}"])) == [
        {"role": "system", "content": "Classify."},
        {"role": "user", "content": "Could you please help? Great!"}, {"role": "assistant", "content": "positive"},
        {"role": "user", "content": "{input}"}]


def test_anthropic_system_blocks_and_tool_results():
    doc = parse_prompt(json.dumps(ANTHROPIC), "req.json")
    # the system block and the last user turn's own text; not the tool_use input nor the tool_result
    assert doc.texts == ["Please answer in order to help.", "Could you please list the plans?"]
    out = json.loads(doc.render(["A.", "B."]))
    expected = copy.deepcopy(ANTHROPIC)
    expected["system"][0]["text"] = "A."
    expected["messages"][2]["content"][1]["text"] = "B."
    assert out == expected


def test_anthropic_system_string_and_assistant_prefill():
    req = {"system": "Please be brief.", "messages": [{"role": "user", "content": "Could you please list the plans?"},
                                                    {"role": "assistant", "content": "Please note"}]}
    assert parse_prompt(json.dumps(req), "req.json").texts == ["Please be brief.", "Could you please list the plans?"]


def test_yaml_prompt_file_messages(tmp_path: Path):
    src = tmp_path / "p.prompt.yml"
    src.write_text(
        "name: Classifier\n"
        "messages:\n"
        "- role: system\n"
        "  content: Please classify in order to help.\n"
        "- role: user\n"
        "  content: 'Could you please classify: I love it!'\n"
        "- role: assistant\n"
        "  content: Please note, positive.\n"
        "- role: user\n"
        "  content: 'Please classify this, in order to help: {{input}}'\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(src), "-o", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout == (
        "name: Classifier\n"
        "messages:\n"
        "- role: system\n"
        "  content: Classify to help.\n"
        "- role: user\n"
        "  content: 'Could you please classify: I love it!'\n"
        "- role: assistant\n"
        "  content: Please note, positive.\n"
        "- role: user\n"
        "  content: 'Classify this, to help: {{input}}'\n")


def test_yaml_alias_is_one_content_field():
    doc = parse_prompt("base: &sys\n  role: system\n  content: Please be brief.\nmessages:\n- *sys\n", "a.yaml")
    assert doc.texts == ["Please be brief."]


def test_help_says_history_is_left_alone():
    res = runner.invoke(app, ["compress", "--help"])
    assert res.exit_code == 0
    assert ("only system/developer messages and the last user message are compressed"
            in " ".join(res.stdout.replace("│", " ").split()))


def test_responses_input_string_is_the_user_message(tmp_path: Path):
    # a Responses API request's input as a string used to be left out (and its tokens not counted)
    p = tmp_path / "resp.json"
    p.write_text('{"model": "gpt-4.1", "instructions": "Please answer in order to help.", '
                 '"input": "Could you please list the plans?"}', encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "-o", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout == '{"model": "gpt-4.1", "instructions": "Answer to help.", "input": "List the plans."}'
    # elsewhere "input" is data (a test case's, a tool's)
    assert parse_prompt('{"input": "Please hurry.", "ideal": "x"}', "case.json").texts == []
    assert parse_prompt('{"prompt": "Please be brief.", "tests": [{"input": "Please hurry."}]}',
                        "p.json").texts == ["Please be brief."]
