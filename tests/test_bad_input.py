"""Bad input through the CLI: one line naming the file and row, exit 2, no traceback."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli import app

HEADER = "timestamp,model,input_tokens,output_tokens\n"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


CASES = [
    ("empty.csv", b"", "empty.csv: empty file"),
    ("neg.csv", (HEADER + "2025-10-01,gpt-4o,10,5\n2025-10-01,gpt-4o,-3,5\n").encode(),
     "neg.csv:3: input_tokens (column 'input_tokens') is negative: -3"),
    ("nonnum.csv", (HEADER + "2025-10-01,gpt-4o,10,5\n2025-10-01,gpt-4o,ten,5\n").encode(),
     "nonnum.csv:3: input_tokens (column 'input_tokens') is not a number: 'ten'"),
    ("bin.dat", bytes(range(256)) * 8, "bin.dat: binary file, not a text usage log"),
    ("trunc.jsonl", b'{"model":"gpt-4o","usage":{"prompt_tokens":5,"completion_tokens":1}}\n{"model":"gpt-4o","usage":{"prompt_tok',
     "trunc.jsonl:2: truncated JSON line"),
    # bytes neither UTF-8 nor Windows-1252 (0x81 is undefined there); Latin-1 text is read, with a warning
    ("latin1.csv", b"timestamp,model,input_tokens\n2025-10-01,caf\x81,10\n", "latin1.csv:2: not valid UTF-8"),
    ("unknown.csv", b"a,b,c\n1,2,3\n", "unknown.csv: unrecognised usage format (CSV columns a, b, c)"),
    # files of another kind say what they are, not only that they are no usage file
    ("pyproject.toml", b'[tool.poetry]\nname = "x"\n', "pyproject.toml: unrecognised usage format (a [section] header: TOML or INI, not JSON)"),
    ("batch_input.jsonl",
     b'{"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", "messages": []}}\n',
     "batch_input.jsonl: unrecognised usage format (an OpenAI Batch input file: requests, no usage) "
     "(pass the batch's output file: its results carry the usage)"),
    # every record unbilled: the reason is the error (it used to be a bare "no usage rows found")
    ("expired.jsonl", b'{"custom_id":"a","result":{"type":"expired"}}\n{"custom_id":"b","result":{"type":"errored"}}\n'
                      b'{"custom_id":"c","result":{"type":"expired"}}\n',
     "expired.jsonl: no usage rows found: skipped records that were not billed (1 batch result errored, "
     "2 batch results expired)"),
    ("trunc.csv.gz", gzip.compress((HEADER + "".join(f"2025-10-01,gpt-4o,{i * 7919 % 10007},{i}\n" for i in range(3000))).encode())[:2000],
     "trunc.csv.gz: corrupt or truncated gzip file"),
]


@pytest.mark.parametrize("name, data, message", CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_one_line_exit_2(tmp_path: Path, monkeypatch, name, data, message):
    monkeypatch.chdir(tmp_path)
    Path(name).write_bytes(data)
    r = run("analyze", name)
    assert r.exit_code == 2
    err = r.stderr.strip()
    assert err.startswith("llmcost: error: ")
    assert message in err
    assert "\n" not in err and "Traceback" not in err


def test_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("analyze", "nope.csv")
    assert r.exit_code == 2 and "nope.csv: no such file" in r.stderr


def test_skip_bad_counts_rows_instead(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("neg.csv").write_text(HEADER + "2025-10-01,gpt-4o,1000,100\n2025-10-01,gpt-4o,-3,5\n")
    r = run("analyze", "neg.csv", "--skip-bad", "--format", "json")
    assert r.exit_code == 0
    import json

    doc = json.loads(r.stdout)
    assert doc["skipped_rows"] == 1
    assert doc["totals"]["requests"] == 1
    # 1000 x $2.50 + 100 x $10 per 1M
    assert doc["totals"]["cost_usd"] == pytest.approx(0.0035)


def test_utf16_with_bom_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("u16.csv").write_bytes((HEADER + "2025-10-01T00:00:00Z,gpt-4o,1000,100\n").encode("utf-16"))
    r = run("analyze", "u16.csv", "--format", "json")
    assert r.exit_code == 0, r.stderr


def test_strict_exit_2_on_unknown_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("u.csv").write_text(HEADER + "2025-10-01,gpt-4o,1000,100\n2025-10-01,mystery-model-x,10,1\n")
    assert run("analyze", "u.csv").exit_code == 0
    r = run("analyze", "u.csv", "--strict")
    assert r.exit_code == 2
    assert "1 request(s) of 1 model(s) could not be priced" in r.stderr


def test_bad_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("u.csv").write_text(HEADER + "2025-10-01,gpt-4o,1000,100\n")
    r = run("analyze", "u.csv", "--since", "yesterday-ish")
    assert r.exit_code == 2 and "--since must be a date" in r.stderr
    r = run("analyze", "u.csv", "--by", "colour")
    assert r.exit_code == 2 and "--by 'colour' is not a dimension" in r.stderr
    r = run("analyze", "u.csv", "--since", "2026-01-01")
    assert r.exit_code == 2 and "no usage rows found in the --since/--until window" in r.stderr


# An integer literal longer than Python's int-to-string digit limit makes
# json.loads raise a plain ValueError (not JSONDecodeError, so no .msg/.lineno):
# it used to crash with an AttributeError traceback and exit 1.
_DIGITS = 5000
_LIMIT_REASON = (
    f"invalid JSON (Exceeds the limit ({sys.get_int_max_str_digits()} digits) for integer string conversion: "
    f"value has {_DIGITS} digits)"
)


def test_jsonl_line_with_overlong_integer_is_a_bad_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = '{"model":"gpt-4o","usage":{"prompt_tokens":5,"completion_tokens":1}}'
    huge = '{"model":"gpt-4o","usage":{"prompt_tokens":' + "1" * _DIGITS + ',"completion_tokens":1}}'
    Path("huge.jsonl").write_text(f"{good}\n{huge}\n")
    r = run("analyze", "huge.jsonl")
    assert r.exit_code == 2
    assert r.stderr.strip() == f"llmcost: error: huge.jsonl:2: {_LIMIT_REASON} (use --skip-bad to skip such rows)"
    r = run("analyze", "huge.jsonl", "--skip-bad", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["skipped_rows"] == 1


def test_json_document_with_overlong_integer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("huge.json").write_text('[{"model":"gpt-4o","usage":{"prompt_tokens":' + "1" * _DIGITS + "}}]")
    r = run("analyze", "huge.json")
    assert r.exit_code == 2
    assert r.stderr.strip() == f"llmcost: error: huge.json: {_LIMIT_REASON}"


HUGE_INT = "9" * 5000  # json.loads raises a plain ValueError (no line) past 4,300 digits


@pytest.mark.parametrize(
    "args, message",
    [
        (["compress", "p.json"], "p.json: invalid JSON: Exceeds the limit (4300 digits) for integer string conversion"),
        (["tokens", "p.json"], "p.json: invalid JSON: Exceeds the limit (4300 digits) for integer string conversion"),
        (["compress", "ok.txt", "--check", "--baseline", "base.json"], "base.json: baseline is not a JSON file"),
        (["tokens", "ok.txt", "--baseline", "base.json"], "base.json: baseline is not a JSON file"),
    ],
)
def test_json_with_a_huge_integer_is_one_line_exit_2(tmp_path: Path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text('{"messages":[{"role":"user","content":"hi"}],"n":' + HUGE_INT + "}", encoding="utf-8")
    (tmp_path / "base.json").write_text('{"files":' + HUGE_INT + "}", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Please be brief.\n", encoding="utf-8")
    res = run(*args)
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in res.output
