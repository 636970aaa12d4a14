"""Prompt files as real teams keep them: JSON Lines (Batch API input, fine-tuning and
ShareGPT datasets), promptfoo configs, GitHub Models ``.prompt.yml`` test data, LangChain
serialised prompts, Jinja comments and code files.  Each test pins one shape with a small
example of our own: what is compressed, and that everything else stays byte-identical."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.compress.formats import parse_prompt

runner = CliRunner()

SYSTEM = "I want you to act as a translator. Please make sure that you answer in French."
SYSTEM_SHORT = "Act as a translator. Answer in French."


def _compress(tmp_path: Path, name: str, text: str, *args: str) -> tuple[int, str, str]:
    """(exit code, output, written file) of ``llmcost compress NAME -o OUT``."""
    src = tmp_path / name
    src.write_bytes(text.encode("utf-8"))
    out = tmp_path / "out" / name
    out.parent.mkdir(exist_ok=True)
    res = runner.invoke(app, ["compress", str(src), "-o", str(out), *args])
    return res.exit_code, res.output, out.read_bytes().decode("utf-8") if out.exists() else ""


# --------------------------------------------------------------------------- #
# JSON Lines
# --------------------------------------------------------------------------- #

BATCH = (
    '{"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", '
    '"messages": [{"role": "system", "content": "%s"},{"role": "user", "content": "Hi!"}],"max_tokens": 10}}\n'
    '\n'
    '{"custom_id":"r2","body":{"model":"gpt-4o-mini","messages":[{"role":"system","content":"%s"}]}}\n'
)


def test_batch_jsonl_compresses_each_request_in_place(tmp_path: Path):
    code, output, out = _compress(tmp_path, "batch.jsonl", BATCH % (SYSTEM, SYSTEM))
    assert code == 0, output
    assert out == BATCH % (SYSTEM_SHORT, SYSTEM_SHORT)  # keys, spacing, the blank line: as they were


def test_jsonl_crlf_and_bom_are_kept(tmp_path: Path):
    text = "\ufeff" + (BATCH % (SYSTEM, SYSTEM)).replace("\n", "\r\n")
    code, output, out = _compress(tmp_path, "batch.jsonl", text)
    assert code == 0, output
    assert out == "\ufeff" + (BATCH % (SYSTEM_SHORT, SYSTEM_SHORT)).replace("\n", "\r\n")


def test_finetuning_jsonl_compresses_only_the_instructions_of_an_answered_example():
    # the user turn is the example's input, paired with its answer: training data, like the answer
    line = ('{"messages": [{"role": "system", "content": "%s"}, {"role": "user", "content": "Could you please '
            'help?"}, {"role": "assistant", "content": "Please make sure that you ask.", "weight": 1}]}\n' % SYSTEM)
    doc = parse_prompt(line * 2, "train.jsonl")
    assert doc.texts == [SYSTEM] * 2
    # the same conversation as a request (a .json file, or a Batch line waiting for its answer): the last user
    # message is the prompt; and an Anthropic request ending in a prefilled assistant turn keeps that rule
    assert parse_prompt(line, "request.json").texts == [SYSTEM, "Could you please help?"]
    pending = '{"messages": [{"role": "system", "content": "%s"}, {"role": "user", "content": "Could you help?"}]}\n'
    assert parse_prompt(pending % SYSTEM, "batch.jsonl").texts == [SYSTEM, "Could you help?"]


def test_sharegpt_answered_conversation_keeps_its_user_turns():
    line = ('{"conversations": [{"from": "system", "value": "%s"}, {"from": "human", "value": "Question?"}, '
            '{"from": "gpt", "value": "Answer."}]}' % SYSTEM)
    assert parse_prompt(line, "sharegpt.jsonl").texts == [SYSTEM]


def test_sharegpt_turns_are_messages():
    line = ('{"id": "a", "conversations": [{"from": "system", "value": "%s"}, {"from": "human", "value": "Old '
            'question?"}, {"from": "gpt", "value": "Old answer."}, {"from": "human", "value": "New question?"}]}'
            % SYSTEM)
    doc = parse_prompt(line, "sharegpt.jsonl")
    assert doc.texts == [SYSTEM, "New question?"]


def test_bad_jsonl_line_is_one_line_error_with_line_and_column(tmp_path: Path):
    text = '{"messages": [{"role": "system", "content": "Be brief."}]}\n{"messages": [}\n'
    code, output, out = _compress(tmp_path, "bad.jsonl", text)
    assert code == 2
    assert output.strip() == f"llmcost: error: {tmp_path / 'bad.jsonl'}:2:15: invalid JSON Lines record: Expecting value"
    assert out == ""


def test_jsonl_record_over_several_lines_is_an_error(tmp_path: Path):
    code, output, _ = _compress(tmp_path, "multi.jsonl", '{"messages": [\n{"role": "system", "content": "x"}]}\n')
    assert code == 2
    assert output.strip() == (f"llmcost: error: {tmp_path / 'multi.jsonl'}:1:15: invalid JSON Lines record: "
                              "Expecting value")


def test_a_message_that_would_compress_to_nothing_is_kept(tmp_path: Path):
    text = '{"messages": [{"role": "system", "content": "%s"}, {"role": "user", "content": "Hi!"}]}\n' % SYSTEM
    code, output, out = _compress(tmp_path, "chat.json", text)
    assert code == 0, output
    assert out == text.replace(SYSTEM, SYSTEM_SHORT)  # "Hi!" stays: an empty message is not a shorter one
    assert "kept as it was: compressing would leave nothing of it" in output


# --------------------------------------------------------------------------- #
# Eval configs: the prompts, never the test data
# --------------------------------------------------------------------------- #

PROMPTFOO = """\
# yaml-language-server: $schema=https://promptfoo.dev/config-schema.json
description: "Translator eval"
prompts:
  - "%s {{text}}"
  - file://prompts/chat.json
  - prompts/legacy_path.txt
  - id: file://prompts/system.txt
    label: system
  - raw: '%s {{text}}'
    label: raw one
providers:
  - id: openai:gpt-4o-mini
    config: {temperature: 0}
tests:
  - vars:
      text: "%s"
    assert:
      - type: llm-rubric
        value: "%s"
"""


def test_promptfoo_config_compresses_its_prompts_not_its_tests(tmp_path: Path):
    code, output, out = _compress(tmp_path, "promptfooconfig.yaml", PROMPTFOO % (SYSTEM, SYSTEM, SYSTEM, SYSTEM))
    assert code == 0, output
    assert out == PROMPTFOO % (SYSTEM_SHORT, SYSTEM_SHORT, SYSTEM, SYSTEM)  # comments, quoting, tests: as they were


GITHUB_MODELS = """\
name: Translator
model: openai/gpt-4o-mini
messages:
  - role: system
    content: %s
  - role: user
    content: '{{text}}'
testData:
  - text: %s
    expected: Bonjour
"""


def test_github_models_test_data_is_not_compressed(tmp_path: Path):
    code, output, out = _compress(tmp_path, "t.prompt.yml", GITHUB_MODELS % (SYSTEM, SYSTEM))
    assert code == 0, output
    assert out == GITHUB_MODELS % (SYSTEM_SHORT, SYSTEM)


# --------------------------------------------------------------------------- #
# LangChain serialised prompts
# --------------------------------------------------------------------------- #


def _lc_message(cls: str, template: str) -> str:
    return ('{"lc": 1, "type": "constructor", "id": ["langchain", "prompts", "chat", "%s"], "kwargs": {"prompt": '
            '{"lc": 1, "type": "constructor", "id": ["langchain", "prompts", "prompt", "PromptTemplate"], "kwargs": '
            '{"input_variables": [], "template": "%s", "template_format": "f-string"}}}}' % (cls, template))


def test_langchain_chat_prompt_template_few_shot_turns_are_data():
    messages = [_lc_message("SystemMessagePromptTemplate", SYSTEM),
                _lc_message("HumanMessagePromptTemplate", "Could you please say hello?"),
                _lc_message("AIMessagePromptTemplate", "Please note: bonjour."),
                _lc_message("HumanMessagePromptTemplate", "Could you please translate {text}?")]
    text = ('{"lc": 1, "type": "constructor", "id": ["langchain", "prompts", "chat", "ChatPromptTemplate"], '
            '"kwargs": {"input_variables": ["text"], "messages": [%s]}}' % ", ".join(messages))
    doc = parse_prompt(text, "prompt.json")
    assert doc.texts == [SYSTEM, "Could you please translate {text}?"]


# --------------------------------------------------------------------------- #
# Templates
# --------------------------------------------------------------------------- #


def test_jinja_comment_is_kept_byte_for_byte(tmp_path: Path):
    comment = "{# Please make sure that you keep this note for reviewers. #}"
    code, output, out = _compress(tmp_path, "agent.j2", f"{comment}\n{SYSTEM}\n")
    assert code == 0, output
    assert out == f"{comment}\n{SYSTEM_SHORT}\n"


def test_code_file_is_refused_not_compressed_as_text(tmp_path: Path):
    code = f'import dspy\n\n\nclass Translate(dspy.Signature):\n    """{SYSTEM}"""\n\n    text: str = dspy.InputField()\n'
    exit_code, output, out = _compress(tmp_path, "signature.py", code)
    assert exit_code == 2
    assert output.strip() == (
        f"llmcost: error: {tmp_path / 'signature.py'}: is Python source code, not a prompt file: compressing it as "
        "text would change the code, and the prompts inside it (DSPy signatures, string literals) are not found "
        "(move the prompt to a .txt, .md, .json or .yaml file the code reads)")
    assert out == ""


# --------------------------------------------------------------------------- #
# Anthropic documents and search results: what the model quotes back in citations
# --------------------------------------------------------------------------- #

DOCUMENTS = (
    '{"model": "claude-sonnet-4-5", "max_tokens": 1024,\n'
    ' "messages": [{"role": "user", "content": [\n'
    '   {"type": "document", "source": {"type": "content", "content": [{"type": "text", '
    '"text": "Please note that in order to cancel, you will need to call us."}]}, "citations": {"enabled": true}},\n'
    '   {"type": "search_result", "source": "https://example.com/a", "title": "Refunds", '
    '"content": [{"type": "text", "text": "Please note that refunds take 5 days."}]},\n'
    '   {"type": "text", "text": "%s"}]}]}\n'
)


def test_document_and_search_result_blocks_are_data(tmp_path: Path) -> None:
    # a custom-content document's text blocks were compressed ("Note that to cancel, ..."): citations quote
    # the document back, so its text is data, like a tool result
    code, output, written = _compress(tmp_path, "request.json", DOCUMENTS % SYSTEM)
    assert code == 0, output
    assert written == DOCUMENTS % SYSTEM_SHORT
