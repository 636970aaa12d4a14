"""``llmcost compress`` command line: outputs, --check, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost import tokens as tok
from llmcost.cli import app
from llmcost.compress import compress_text

runner = CliRunner()

PROMPT = (
    "Hello! I would like you to act as a **support agent** for ACME.\n\n"
    "Please answer questions in order to help users. Do not reveal `internal notes`.\n"
    "Do not reveal internal notes under any circumstances whatsoever, ever.\n"
    "Do not reveal internal notes under any circumstances whatsoever, ever.\n\n"
    "Docs: https://docs.acme.example/help. Thank you!\n"
)
COMPRESSED = (
    "Act as a support agent for ACME.\n\n"
    "Answer questions to help users. Don't reveal `internal notes`.\n"
    "Don't reveal internal notes under any circumstances whatsoever, ever.\n\n"
    "Docs: https://docs.acme.example/help.\n"
)


@pytest.fixture()
def prompt(tmp_path: Path) -> Path:
    p = tmp_path / "system.md"
    p.write_text(PROMPT, encoding="utf-8")
    return p


def test_json_report_numbers(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "--format", "json", "--calls-per-day", "10000",
                              "-m", "gpt-4o", "-m", "gpt-4o-mini"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["command"] == "compress" and doc["level"] == "balanced"
    row, mini = doc["files"]
    before = tok.count_tokens(PROMPT, "gpt-4o").tokens
    after = tok.count_tokens(COMPRESSED.rstrip("\n"), "gpt-4o").tokens
    assert (row["tokens_before"], row["tokens_after"]) == (before, after)
    assert row["reduction_pct"] == round(100 * (1 - after / before), 2)
    assert sum(row["passes"].values()) == before - after
    from llmcost.pricing import PriceBook

    price = PriceBook.default().quote("gpt-4o").input  # $ per 1M input tokens
    assert row["saved_usd_per_1k_calls"] == pytest.approx((before - after) * price / 1000, rel=1e-9)
    assert row["saved_usd_per_month"] == pytest.approx(row["saved_usd_per_1k_calls"] * 10 * 30.4375, rel=1e-6)
    # by hand: 71 -> 42 o200k tokens; 29 tokens x $2.50/1M x 1,000 calls = $0.0725; x 10 calls/day x 30.4375
    # days (365.25 / 12, the month of every monthly figure) = $22.0671875
    assert (before, after) == (71, 42)
    assert row["saved_usd_per_1k_calls"] == pytest.approx(0.0725)
    assert row["saved_usd_per_month"] == pytest.approx(22.067187)
    assert row["protected_spans_ok"] and row["protected_spans"] == 2
    assert mini["model"] == "gpt-4o-mini" and mini["passes"] is None
    assert prompt.read_text(encoding="utf-8") == PROMPT  # report only: nothing written


def test_output_file_and_stdout(prompt: Path, tmp_path: Path):
    out = tmp_path / "small.md"
    res = runner.invoke(app, ["compress", str(prompt), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8") == COMPRESSED
    assert "Prompt compression (balanced)" in res.stdout and "filler" in res.stdout
    res = runner.invoke(app, ["compress", str(prompt), "-o", "-"])
    assert res.exit_code == 0
    assert res.stdout == COMPRESSED


def test_in_place_writes_atomically(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "--in-place"])
    assert res.exit_code == 0, res.output
    assert prompt.read_text(encoding="utf-8") == COMPRESSED
    assert [p.name for p in prompt.parent.iterdir()] == ["system.md"]  # no temp file left behind


def test_diff_is_unified_and_coloured(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "--diff"], color=True)
    assert res.exit_code == 0
    assert f"--- {prompt}" in res.stdout
    assert "\x1b[31m-Hello! I would like you to act as a **support agent** for ACME.\n" in res.stdout
    assert "\x1b[32m+Act as a support agent for ACME.\n" in res.stdout


def test_no_pass_and_keep(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "-o", "-", "--no-pass", "filler", "--keep", r"\*\*support agent\*\*"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Hello! I would like you to act as a **support agent** for ACME.")


def test_chat_json_file_rewritten_as_json(tmp_path: Path):
    p = tmp_path / "chat.json"
    p.write_text(json.dumps({"model": "gpt-4o", "messages": [
        {"role": "system", "content": "Please answer in order to help."},
        {"role": "user", "content": "Could you please list the plans?"}]}), encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "--in-place"])
    assert res.exit_code == 0, res.output
    doc = json.loads(p.read_text(encoding="utf-8"))
    assert doc == {"model": "gpt-4o", "messages": [{"role": "system", "content": "Answer to help."},
                                                  {"role": "user", "content": "List the plans."}]}


def test_several_files_to_folder(tmp_path: Path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Please be brief.", encoding="utf-8")
    b.write_text("In order to win, play.", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    res = runner.invoke(app, ["compress", str(a), str(b), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "a.txt").read_text() == "Be brief."  # no final newline in, none out
    assert (out / "b.txt").read_text() == "To win, play."
    res = runner.invoke(app, ["compress", str(a), str(b), "-o", str(tmp_path / "x.txt")])
    assert res.exit_code == 2 and "must be an existing folder" in res.output


# --------------------------------------------------------------------------- #
# --check
# --------------------------------------------------------------------------- #


def test_check_budget(tmp_path: Path, prompt: Path):
    tokens = tok.count_tokens(PROMPT, "gpt-4o").tokens
    ok = runner.invoke(app, ["compress", "--check", str(tmp_path), "--max-tokens", str(tokens)])
    assert ok.exit_code == 0, ok.output
    assert "OK: every prompt within budget." in ok.stdout
    bad = runner.invoke(app, ["compress", "--check", str(tmp_path), "--max-tokens", str(tokens - 1)])
    assert bad.exit_code == 1
    assert "over budget by 1" in bad.stdout


def test_check_against_baseline(tmp_path: Path, prompt: Path):
    base = tmp_path / "base.json"
    res = runner.invoke(app, ["compress", str(prompt), "--format", "json"])  # as in `... > base.json`
    assert res.exit_code == 0, res.output
    base.write_text(res.stdout, encoding="utf-8")
    same = runner.invoke(app, ["compress", "--check", str(prompt), "--baseline", str(base), "--format", "json"])
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["failed"] is False
    prompt.write_text(PROMPT + "Also answer in French.\n", encoding="utf-8")
    grew = runner.invoke(app, ["compress", "--check", str(prompt), "--baseline", str(base), "--format", "json"])
    assert grew.exit_code == 1
    row = json.loads(grew.stdout)["files"][0]
    added = tok.count_tokens(PROMPT + "Also answer in French.\n", "gpt-4o").tokens - tok.count_tokens(PROMPT, "gpt-4o").tokens
    assert row["status"] == f"grew by {added}" and row["ok"] is False


def test_check_needs_a_threshold(prompt: Path):
    res = runner.invoke(app, ["compress", "--check", str(prompt)])
    assert res.exit_code == 2 and "--check needs --max-tokens or --baseline" in res.output


# --------------------------------------------------------------------------- #
# bad input
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("ratio", ["0", "1.5", "-1"])
def test_bad_target_ratio(prompt: Path, ratio: str):
    res = runner.invoke(app, ["compress", str(prompt), "--target-ratio", ratio])
    assert res.exit_code == 2
    assert "--target-ratio must be in (0, 1]" in res.output
    assert len(res.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "content, message",
    [(b"", "file is empty"), (b"\x00\x01\x02binary\x00", "binary file"), ("Ol\u00e1".encode("cp1252"), "not UTF-8 text")],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str):
    p = tmp_path / "p.txt"
    p.write_bytes(content)
    res = runner.invoke(app, ["compress", str(p)])
    assert res.exit_code == 2
    assert message in res.output and str(p) in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_in_place_failure_leaves_file_untouched(tmp_path: Path):
    a = tmp_path / "a.txt"
    a.write_text("Please be brief.", encoding="utf-8")
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"")
    res = runner.invoke(app, ["compress", str(a), str(bad), "--in-place"])
    assert res.exit_code == 2
    assert a.read_text(encoding="utf-8") == "Please be brief."  # all files are read before anything is written


def test_output_and_in_place_conflict(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "--in-place", "-o", "x.md"])
    assert res.exit_code == 2 and "not both" in res.output


def test_compress_text_matches_cli(prompt: Path):
    assert compress_text(PROMPT).text + "\n" == COMPRESSED
    assert os.path.exists(prompt)


@pytest.fixture()
def baseline_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``chk/a.txt`` and ``chk/b.txt`` and a baseline made from ``tmp_path`` (paths ``chk/...``)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chk").mkdir()
    (tmp_path / "chk" / "a.txt").write_text("Please be brief.\n", encoding="utf-8")
    (tmp_path / "chk" / "b.txt").write_text("In order to win, play.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", "chk", "--format", "json"])
    assert res.exit_code == 0, res.output
    (tmp_path / "base.json").write_text(res.stdout, encoding="utf-8")
    return tmp_path


def test_check_baseline_matching_nothing_is_an_error(baseline_tree: Path, monkeypatch: pytest.MonkeyPatch):
    ok = runner.invoke(app, ["compress", "chk", "--check", "--baseline", "base.json"])
    assert ok.exit_code == 0, ok.output
    assert ok.stderr == ""
    assert ok.stdout.splitlines()[-1] == "OK: no prompt grew since the baseline."
    # the same prompts checked from inside the folder: other paths, nothing compared
    monkeypatch.chdir(baseline_tree / "chk")
    res = runner.invoke(app, ["compress", ".", "--check", "--baseline", "../base.json"])
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr == (
        "llmcost: error: ../base.json: no checked prompt matches a baseline entry (path + model): e.g. baseline "
        "has chk/a.txt (gpt-4o), this run has a.txt (gpt-4o) (run from the folder the baseline was made in, "
        "with the same -m)\n")
    # another model: nothing compared either
    monkeypatch.chdir(baseline_tree)
    res = runner.invoke(app, ["compress", "chk", "--check", "--baseline", "base.json", "-m", "gpt-4o-mini"])
    assert res.exit_code == 2
    assert res.stderr == (
        "llmcost: error: base.json: no checked prompt matches a baseline entry (path + model): e.g. baseline "
        "has chk/a.txt (gpt-4o), this run has chk/a.txt (gpt-4o-mini) (run from the folder the baseline was "
        "made in, with the same -m)\n")


def test_check_baseline_some_new_prompts_warn(baseline_tree: Path):
    (baseline_tree / "chk" / "c.txt").write_text("Please be brief.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", "chk", "--check", "--baseline", "base.json", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ("llmcost: warning: 1 of 3 checked prompts is not in the baseline (path + model): "
                          "reported as new\n")
    doc = json.loads(res.stdout)
    assert [(r["file"], r["status"]) for r in doc["files"]] == [("chk/a.txt", "ok"), ("chk/b.txt", "ok"),
                                                                 ("chk/c.txt", "new")]
    (baseline_tree / "chk" / "d.txt").write_text("Please be brief.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", "chk", "--check", "--baseline", "base.json", "--max-tokens", "100"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ("llmcost: warning: 2 of 4 checked prompts are not in the baseline (path + model): "
                          "reported as new\n")
    assert res.stdout.splitlines()[-1] == "OK: no prompt grew since the baseline and every prompt is within budget."


def test_check_empty_baseline_is_an_error(baseline_tree: Path):
    (baseline_tree / "empty.json").write_text('{"command": "compress", "files": []}', encoding="utf-8")
    res = runner.invoke(app, ["compress", "chk", "--check", "--baseline", "empty.json"])
    assert res.exit_code == 2
    assert res.stderr == ("llmcost: error: empty.json: the baseline has no entries, so no checked prompt matches "
                          "one (e.g. chk/a.txt (gpt-4o))\n")


# --------------------------------------------------------------------------- #
# unknown models
# --------------------------------------------------------------------------- #

UNKNOWN_NOTE = "gpt-9000: unknown model: its token counts are estimates and it is not priced"


def test_unknown_model_warns_and_is_reported_as_estimate(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "-m", "gpt-9000", "-m", "gpt-4o"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ("llmcost: warning: model 'gpt-9000' is not in the price table: its count is an "
                          "estimate and it is not priced\n")
    lines = res.stdout.splitlines()
    assert UNKNOWN_NOTE in lines
    assert any("│ gpt-9000 (estimate) │" in line and " unpriced │" in line for line in lines)
    res = runner.invoke(app, ["compress", str(prompt), "-m", "gpt-9000", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["warnings"] == [UNKNOWN_NOTE]
    assert (doc["files"][0]["exact"], doc["files"][0]["saved_usd_per_1k_calls"]) == (False, None)


def test_unknown_model_warning_names_close_matches(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "-m", "claude-sonet-4-5", "--check", "--max-tokens", "1000",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    assert res.stderr.startswith(
        "llmcost: warning: model 'claude-sonet-4-5' is not in the price table: its count is an estimate and it "
        "is not priced; did you mean claude-sonnet-4-5")
    assert len(res.stderr.splitlines()) == 1
    assert json.loads(res.stdout)["warnings"] == [
        "claude-sonet-4-5: unknown model: its token counts are estimates and it is not priced"]


def test_known_models_give_no_warning(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "-m", "gpt-4o", "-m", "claude-sonnet-4-5", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert res.stderr == "" and json.loads(res.stdout)["warnings"] == []


# --------------------------------------------------------------------------- #
# empty files
# --------------------------------------------------------------------------- #


def test_folder_run_skips_empty_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pr" / "sub").mkdir(parents=True)
    (tmp_path / "pr" / "a.txt").write_text("Please be brief.\n", encoding="utf-8")
    (tmp_path / "pr" / "empty.txt").write_bytes(b"")
    (tmp_path / "pr" / "sub" / "blank.md").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    res = runner.invoke(app, ["compress", "pr", "-o", "out", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert res.stderr == "llmcost: note: pr/empty.txt: empty, skipped\nllmcost: note: pr/sub/blank.md: empty, skipped\n"
    assert [f["file"] for f in json.loads(res.stdout)["files"]] == ["pr/a.txt"]
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")) == ["a.txt"]
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == "Be brief.\n"
    # --check skips them the same way
    res = runner.invoke(app, ["compress", "pr", "--check", "--max-tokens", "100"])
    assert res.exit_code == 0, res.output
    assert res.stderr == "llmcost: note: pr/empty.txt: empty, skipped\nllmcost: note: pr/sub/blank.md: empty, skipped\n"


def test_empty_file_named_directly_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    res = runner.invoke(app, ["compress", "empty.txt"])
    assert res.exit_code == 2
    assert res.stderr == "llmcost: error: empty.txt: file is empty\n"
    (tmp_path / "pr").mkdir()
    (tmp_path / "pr" / "e.md").write_bytes(b"\n")
    res = runner.invoke(app, ["compress", "pr"])
    assert res.exit_code == 2
    assert res.stderr == ("llmcost: note: pr/e.md: empty, skipped\n"
                          "llmcost: error: nothing to compress: every prompt file found is empty\n")


# --------------------------------------------------------------------------- #
# -o naming the input itself
# --------------------------------------------------------------------------- #

OVERWRITE_HINT = "(use --in-place to rewrite the inputs, or -o another file or folder)"


def test_output_same_as_input_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Please be brief.\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    for out in ("a.txt", "./a.txt", "link.txt", "."):  # the file, another spelling, a link to it, its folder
        res = runner.invoke(app, ["compress", "a.txt", "-o", out])
        assert res.exit_code == 2, out
        assert res.stderr == f"llmcost: error: -o would overwrite the input a.txt {OVERWRITE_HINT}\n"
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "Please be brief.\n"


def test_output_same_as_input_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pr").mkdir()
    (tmp_path / "pr" / "a.txt").write_text("Please be brief.\n", encoding="utf-8")
    for out in ("pr", "pr/", str(tmp_path / "pr")):
        res = runner.invoke(app, ["compress", "pr", "-o", out])
        assert res.exit_code == 2, out
        assert res.stderr == f"llmcost: error: -o would overwrite the input pr/a.txt {OVERWRITE_HINT}\n"
    assert (tmp_path / "pr" / "a.txt").read_text(encoding="utf-8") == "Please be brief.\n"
    res = runner.invoke(app, ["compress", "pr", "--in-place"])  # asked for explicitly: fine
    assert res.exit_code == 0, res.output
    assert (tmp_path / "pr" / "a.txt").read_text(encoding="utf-8") == "Be brief.\n"


# --------------------------------------------------------------------------- #
# small: wording, --lang, totals, --diff with JSON
# --------------------------------------------------------------------------- #


def test_compressor_notes_count_right():
    from llmcost.compress import compress_text

    from llmcost.wording import plural as counted

    text = "Classify.\n\nReview: Good.\nLabel: positive\n\nReview: Bad.\nLabel: negative\n\nReview: {review}\nLabel:"
    r = compress_text(text, level="safe", max_examples=1)
    assert r.notes == ["fewshot: kept 1 of 2 examples (1 label) and the live query"]
    assert (counted(1, "token"), counted(2, "token"), counted(1001, "number")) == ("1 token", "2 tokens", "1,001 numbers")


@pytest.mark.parametrize("lang", ["en", "EN", "En", " en "])
def test_lang_is_case_insensitive(prompt: Path, lang: str):
    res = runner.invoke(app, ["compress", str(prompt), "--lang", lang, "-o", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout == COMPRESSED


def test_unknown_lang_is_one_line_error(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "--lang", "FR"])
    assert res.exit_code == 2
    assert res.stderr == "llmcost: error: unknown language 'fr': use en or zh (default: both)\n"


def test_multi_file_runs_have_a_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tot").mkdir()
    (tmp_path / "tot" / "a.txt").write_text("Please be brief.\n", encoding="utf-8")  # 4 -> 3 gpt-4o tokens
    (tmp_path / "tot" / "b.txt").write_text("In order to win, play.\n", encoding="utf-8")  # 7 -> 5
    res = runner.invoke(app, ["compress", "tot", "--calls-per-day", "1000"])
    assert res.exit_code == 0, res.output
    lines = [" ".join(line.split()) for line in res.stdout.splitlines()]
    # 3 tokens x $2.50/1M x 1,000 calls = $0.0075; x 1 x 30.4375 = $0.2283 a month
    assert "│ Total (2 files) │ gpt-4o │ 11 │ 8 │ 27.3% │ $0.0075 │ $0.2283 │ 0 ok │" in lines
    # tokens saved per pass: a row per file, a column per pass that ran
    assert "┃ File ┃ whitespace ┃ json ┃ markdown ┃ filler ┃ hedges ┃ phrases ┃ dedupe ┃ Total ┃" in lines
    assert "│ tot/a.txt │ 0 │ 0 │ 0 │ 1 │ 0 │ 0 │ 0 │ 1 │" in lines
    assert "│ tot/b.txt │ 0 │ 0 │ 0 │ 0 │ 0 │ 2 │ 0 │ 2 │" in lines
    assert "│ Total (2 files) │ 0 │ 0 │ 0 │ 1 │ 0 │ 2 │ 0 │ 3 │" in lines
    res = runner.invoke(app, ["compress", "tot", "--format", "json", "--calls-per-day", "1000"])
    assert json.loads(res.stdout)["total"] == {"files": 2, "models": [
        {"model": "gpt-4o", "tokens_before": 11, "tokens_after": 8, "saved_tokens": 3, "reduction_pct": 27.27,
         "exact": True, "saved_usd_per_1k_calls": 0.0075, "saved_usd_per_month": 0.228282}]}  # (0.076094 + 0.152188)
    # one file: no total row in the table, and the passes are rows; the JSON keeps the same shape
    res = runner.invoke(app, ["compress", "tot/a.txt"])
    assert "Total" not in res.stdout
    lines = [" ".join(line.split()) for line in res.stdout.splitlines()]
    assert "┃ Pass ┃ Saved (gpt-4o) ┃" in lines
    assert "│ filler │ 1 │" in lines
    res = runner.invoke(app, ["compress", "tot/a.txt", "-f", "json", "-m", "gpt-9000"])
    assert json.loads(res.stdout)["total"] == {"files": 1, "models": [
        {"model": "gpt-9000", "tokens_before": 4, "tokens_after": 3, "saved_tokens": 1, "reduction_pct": 25.0,
         "exact": False, "saved_usd_per_1k_calls": None, "saved_usd_per_month": None}]}


def test_multi_file_total_per_model_and_per_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The totals of a second model (counted apart from the compressor) and the per-pass Total column."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tot").mkdir()
    (tmp_path / "tot" / "a.txt").write_text("Please be brief.\n", encoding="utf-8")  # 4 -> 3 tokens (both tokenizers)
    (tmp_path / "tot" / "b.txt").write_text("In order to win, play.\n", encoding="utf-8")  # 7 -> 5
    res = runner.invoke(app, ["compress", "tot", "-m", "gpt-4o", "-m", "gpt-4", "--calls-per-day", "1000"])
    assert res.exit_code == 0, res.output
    lines = [" ".join(line.split()) for line in res.stdout.splitlines()]
    # gpt-4 (cl100k, $30/1M input): 11 -> 8 = 3 tokens x $30/1M x 1,000 calls = $0.09; x 1 x 30.4375 = $2.74 a month
    assert "│ Total (2 files) │ gpt-4 │ 11 │ 8 │ 27.3% │ $0.0900 │ $2.74 │ 0 ok │" in lines
    # gpt-4o ($2.50/1M): 3 x $2.50/1M x 1,000 = $0.0075; x 30.4375 = $0.2283
    assert "│ Total (2 files) │ gpt-4o │ 11 │ 8 │ 27.3% │ $0.0075 │ $0.2283 │ 0 ok │" in lines
    # passes (first model): filler 1 + 0, phrases 0 + 2; 1 + 2 = the 3 tokens saved
    assert "Tokens saved per pass (gpt-4o)" in lines
    assert "│ Total (2 files) │ 0 │ 0 │ 0 │ 1 │ 0 │ 2 │ 0 │ 3 │" in lines
    res = runner.invoke(app, ["compress", "tot", "-m", "gpt-4o", "-m", "gpt-4", "-f", "json", "--calls-per-day", "1000"])
    gpt4 = json.loads(res.stdout)["total"]["models"][1]
    assert (gpt4["model"], gpt4["saved_tokens"]) == ("gpt-4", 3)
    assert gpt4["saved_usd_per_1k_calls"] == pytest.approx(0.09)
    assert gpt4["saved_usd_per_month"] == pytest.approx(2.739375)  # $0.09 x 30.4375


def test_diff_with_json_report_goes_to_stderr(prompt: Path):
    res = runner.invoke(app, ["compress", str(prompt), "--diff", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["files"][0]["tokens_after"] == 42  # stdout is the JSON report alone
    assert res.stderr.startswith(f"--- {prompt}\n+++ {prompt} (compressed)\n@@ -1,7 +1,6 @@\n")
    assert "-Hello! I would like you to act as a **support agent** for ACME.\n" in res.stderr
    assert "+Act as a support agent for ACME.\n" in res.stderr
    # the table report keeps the diff on stdout, before the table
    res = runner.invoke(app, ["compress", str(prompt), "--diff"])
    assert res.stderr == "" and res.stdout.startswith(f"--- {prompt}\n")


def test_structured_files_say_what_their_tokens_count(tmp_path: Path):
    p = tmp_path / "chat.json"
    p.write_text('{"messages": [{"role": "system", "content": "Please be brief."}]}', encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "-o", str(tmp_path / "out.json")])
    assert res.exit_code == 0, res.output
    assert ("JSON/YAML files: tokens of the compressed text fields only (what the model reads), not the file's "
            "syntax: `llmcost tokens` counts the whole file") in " ".join(res.stdout.split())
    txt = tmp_path / "p.txt"
    txt.write_text("Please be brief.\n", encoding="utf-8")
    assert "JSON/YAML files" not in runner.invoke(app, ["compress", str(txt), "-o", str(tmp_path / "o.txt")]).stdout


def test_a_typo_the_tokenizer_accepts_still_warns(prompt: Path):
    # tiktoken maps any "gpt-4o-..." name to o200k, so the count is exact; the price table does not know it
    res = runner.invoke(app, ["compress", str(prompt), "-m", "gpt-4o-mnii"])
    assert res.exit_code == 0, res.output
    # (the close matches come from the bundled price table: the first is checked, the rest may change with it)
    assert res.stderr.startswith("llmcost: warning: model 'gpt-4o-mnii' is not in the price table: it is not priced "
                                 "(tokens counted with o200k_base); did you mean gpt-4o-mini")
    assert len(res.stderr.splitlines()) == 1
    assert any("│ gpt-4o-mnii │" in line and " unpriced │" in line for line in res.stdout.splitlines())
    tokens = runner.invoke(app, ["tokens", str(prompt), "-m", "gpt-4o-mnii"])
    assert tokens.exit_code == 0 and tokens.stderr == res.stderr


def test_check_warns_about_the_same_models_in_any_order(prompt: Path):
    # --check shows no dollars: an unpriced name the tokenizer counts exactly is not worth a warning
    # there, whether or not an unknown model made the command read the price table first
    for models in (["claude-foo", "gpt-4o-mnii"], ["gpt-4o-mnii", "claude-foo"]):
        args = ["compress", "--check", str(prompt), "--max-tokens", "100000"]
        for m in models:
            args += ["-m", m]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        warned = [line.split("'")[1] for line in res.stderr.splitlines() if line.startswith("llmcost: warning: model")]
        assert warned == ["claude-foo"], res.stderr


def test_long_file_names_are_folded_not_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With many files and models the table squeezes the File column: the names wrap, never end in '…'."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "prompts_for_the_customer_support_assistant"
    folder.mkdir()
    for i in range(3):
        (folder / f"a_rather_long_prompt_file_name_number_{i}.txt").write_text("Please be brief.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", folder.name, "-m", "gpt-4o", "-m", "claude-sonnet-4-5",
                              "--calls-per-day", "1000"])
    assert res.exit_code == 0, res.output
    assert "…" not in res.stdout
    # the first cells of the body rows, joined, give the names back whole
    first_cells = "".join(line.split("│")[1].strip() for line in res.stdout.splitlines() if line.startswith("│"))
    name = f"{folder.name}/a_rather_long_prompt_file_name_number_2.txt"
    assert first_cells.count(name) == 3  # two model rows in the first table, one row in the pass table


# --------------------------------------------------------------------------- #
# front matter: configuration, kept byte for byte and not counted
# --------------------------------------------------------------------------- #

DOTPROMPT_HEAD = (
    "---\n"
    "model: googleai/gemini-1.5-flash\n"
    "config:\n"
    "  temperature:   0.9\n"
    "input:\n"
    "  default:\n"
    "    location: a restaurant\n"
    "  schema:\n"
    "    description: string, in order to be really very helpful, a short description\n"
    "---\n"
    "\n"
)


def test_front_matter_is_kept_byte_for_byte(tmp_path: Path):
    # the input default "a restaurant" used to become "restaurant", "in order to" "to", and so on
    p = tmp_path / "menu.prompt"
    p.write_bytes((DOTPROMPT_HEAD + "Please invent a menu item for {{location}} in order to delight guests.\n")
                  .replace("\n", "\r\n").encode())
    res = runner.invoke(app, ["compress", str(p), "--level", "aggressive", "-o", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout_bytes == (DOTPROMPT_HEAD + "Invent menu item for {{location}} to delight guests.\n") \
        .replace("\n", "\r\n").encode()
    res = runner.invoke(app, ["compress", str(p), "--format", "json"])
    row = json.loads(res.stdout)["files"][0]
    assert row["tokens_before"] == tok.count_tokens(
        "Please invent a menu item for {{location}} in order to delight guests.\n", "gpt-4o").tokens


def test_a_leading_rule_is_not_front_matter(tmp_path: Path):
    p = tmp_path / "rule.md"
    # (between the rules: not a YAML mapping, so compressed like the rest)
    p.write_text("---\nPlease be brief in order to help.\n\n---\nPlease answer in order to help.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "-o", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout == "---\nBe brief to help.\n\n---\nAnswer to help.\n"


@pytest.mark.parametrize("head, message", [
    ("---\nname: basic\nmodel: [gpt-4o\n---\n", "a.prompty:3:15: invalid YAML front matter: expected ',' or ']', but got '<stream end>'"),
    ("---\nname: basic\nmodel: gpt-4o\n", "a.prompty:1: front matter not closed: no --- line ends the one opened here"),
    ("---\n- name\n- model\n---\n", "a.prompty:2: front matter is not a YAML mapping (key: value lines) but a list"),
])
def test_a_prompty_front_matter_that_does_not_load_is_an_error(tmp_path: Path, head: str, message: str):
    # it was compressed as prompt text, configuration lines and all ("A basic prompt" -> "basic prompt")
    p = tmp_path / "a.prompty"
    p.write_text(head + "system:\nYou are a basic assistant in order to help.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(p), "-o", "-"])
    assert res.exit_code == 2
    assert res.output == f"llmcost: error: {tmp_path / message}\n"


# --------------------------------------------------------------------------- #
# encodings: the line and the offset of the first bad byte
# --------------------------------------------------------------------------- #


def _no_bom(order: str) -> str:
    return (f"p.txt: looks like UTF-16-{order} text without a BOM: only UTF-8, or UTF-16/32 with a BOM, is read "
            f"(convert it to UTF-8, e.g. with iconv -f UTF-16{order})")


@pytest.mark.parametrize(
    "raw, message",
    [
        ("Line one\nCaf\u00e9 line two\n".encode("latin-1"),
         "p.txt:2: not UTF-8 text at byte 12 (0xe9); unknown encoding (convert it to UTF-8, e.g. with iconv)"),
        ("第一行\n第二行\n".encode("gbk"),
         "p.txt:1: not UTF-8 text at byte 0 (0xb5); unknown encoding (convert it to UTF-8, e.g. with iconv)"),
        (b"\xef\xbb\xbfok\nline two \xff\n", "p.txt:2: invalid UTF-8 text at byte 15 (0xff)"),
        ("ab\ncd".encode("utf-16") + b"\x00\xd8", "p.txt:2: invalid UTF-16 text at byte 12 (0x00)"),
        ("Please be brief.\n".encode("utf-16-le"), _no_bom("LE")),
        ("Please be brief.\n".encode("utf-16-be"), _no_bom("BE")),
        # Chinese: NULs only beside the ASCII newlines and punctuation
        ("你是一名客服助手。\n请用中文回答，不要超过100字。\n".encode("utf-16-le"), _no_bom("LE")),
        ("你是一名客服助手。\n请用中文回答。\n".encode("utf-16-be"), _no_bom("BE")),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "p.txt: binary file, not a text prompt (a NUL byte at byte 8)"),
        # NULs on one side only, but not text: still binary
        (bytes(range(1, 256, 2)) * 8 + b"\x01\x00", "p.txt: binary file, not a text prompt (a NUL byte at byte 1025)"),
    ],
    ids=["latin-1", "gbk", "utf-8-bom", "utf-16-bom", "utf-16le-no-bom", "utf-16be-no-bom", "utf-16le-zh-no-bom",
         "utf-16be-zh-no-bom", "png", "one-sided-nul-binary"],
)
def test_undecodable_file_names_line_and_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: bytes,
                                              message: str):
    monkeypatch.chdir(tmp_path)
    Path("p.txt").write_bytes(raw)
    res = runner.invoke(app, ["compress", "p.txt"])
    assert res.exit_code == 2
    assert res.stderr == f"llmcost: error: {message}\n"


# --------------------------------------------------------------------------- #
# JSON/YAML that is valid but not a prompt
# --------------------------------------------------------------------------- #

NO_PROMPT = ("no prompt text to compress: no content field (content, text, prompt, system, instructions...) nor "
             "system, developer or last user message holds text")


def test_json_of_another_shape_is_not_counted_as_an_empty_prompt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # it used to be reported as 0 tokens (exit 0): a --check budget passed without checking anything
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pr").mkdir()
    (tmp_path / "pr" / "a.txt").write_text("Please be brief.\n", encoding="utf-8")
    (tmp_path / "pr" / "config.json").write_text('{"model": "gpt-4o", "temperature": 0.2}\n', encoding="utf-8")
    (tmp_path / "pr" / "history.yaml").write_text("messages:\n  - role: assistant\n    content: Hi!\n",
                                                  encoding="utf-8")
    res = runner.invoke(app, ["compress", "pr/config.json", "--check", "--max-tokens", "10"])
    assert res.exit_code == 2
    assert res.stderr == f"llmcost: error: pr/config.json: {NO_PROMPT}\n"
    res = runner.invoke(app, ["compress", "pr", "--check", "--max-tokens", "10", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ("llmcost: note: pr/config.json: no prompt text, skipped\n"
                          "llmcost: note: pr/history.yaml: no prompt text, skipped\n")
    assert [f["file"] for f in json.loads(res.stdout)["files"]] == ["pr/a.txt"]
    (tmp_path / "pr" / "a.txt").unlink()
    res = runner.invoke(app, ["compress", "pr"])
    assert res.exit_code == 2
    assert res.stderr.splitlines()[-1] == ("llmcost: error: nothing to compress: every prompt file found is empty or "
                                           "holds no prompt text")


def test_infinite_calls_per_day_is_refused(prompt: Path):
    # the JSON report said "saved_usd_per_month": Infinity, which is not JSON
    res = runner.invoke(app, ["compress", str(prompt), "--calls-per-day", "inf", "--format", "json"])
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr == "llmcost: error: --calls-per-day must be a finite number\n"


def test_output_with_a_trailing_slash_is_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # "-o small/" used to write a file named "small" when the folder did not exist
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Please be brief.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", "a.txt", "-o", "small/"])
    assert res.exit_code == 2
    assert res.stderr == "llmcost: error: small/: output folder does not exist\n"
    assert not (tmp_path / "small").exists()
    res = runner.invoke(app, ["compress", "a.txt", "-o", "a.txt/"])
    assert res.exit_code == 2
    assert res.stderr == "llmcost: error: a.txt/: is not a folder\n"
    (tmp_path / "small").mkdir()
    res = runner.invoke(app, ["compress", "a.txt", "-o", "small/"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "small" / "a.txt").read_text(encoding="utf-8") == "Be brief.\n"


def test_in_place_on_a_read_only_file_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # EROFS (a read-only mount; tests may run as root, so chmod cannot show it): unlinking the temp file
    # that was never created failed too, and that second OSError escaped as a traceback (exit 1)
    import errno

    from llmcost.commands import _common

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Please be brief.\n", encoding="utf-8")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    with monkeypatch.context() as m:
        m.setattr(_common, "open", read_only, raising=False)
        m.setattr(Path, "unlink", read_only)
        res = runner.invoke(app, ["compress", "a.txt", "--in-place"])
    assert res.exit_code == 2
    assert res.stderr == "llmcost: error: a.txt: cannot write: Read-only file system\n"
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "Please be brief.\n"
    # the rename fails after the temp file was written: it is removed, the input is untouched
    with monkeypatch.context() as m:
        m.setattr(os, "replace", read_only)
        res = runner.invoke(app, ["compress", "a.txt", "--in-place"])
    assert res.exit_code == 2
    assert res.stderr == "llmcost: error: a.txt: cannot write: Read-only file system\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "Please be brief.\n"


def test_truncated_baseline_names_line_and_column(prompt: Path, tmp_path: Path):
    base = tmp_path / "base.json"
    base.write_text('{"command": "compress",\n "files": [\n  {"file": "a.txt", "model": "gpt-4o", "tokens_before": 3},\n',
                    encoding="utf-8")  # a CI artifact cut short
    res = runner.invoke(app, ["compress", str(prompt), "--check", "--baseline", str(base)])
    assert res.exit_code == 2
    assert res.stderr == (f"llmcost: error: {base}:4:1: baseline is not a JSON file: Expecting value "
                          "(use a previous `llmcost compress --format json` output)\n")


@pytest.mark.parametrize("name, text", [
    ("deep.json", '{"system": "Please be brief.", "x": ' + "[" * 5000 + "]" * 5000 + "}"),
    ("deep.yaml", "system: Please be brief.\nx: " + "[" * 5000 + "]" * 5000 + "\n"),
])
def test_deeply_nested_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str):
    # a RecursionError traceback, exit 1
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["compress", name])
    assert res.exit_code == 2
    assert res.stderr == f"llmcost: error: {name}: {name[-4:].upper()} nested too deeply to read\n"


@pytest.mark.skipif(not os.path.exists("/dev/null") or os.name != "posix", reason="needs /dev/null")
def test_a_device_is_not_read(tmp_path: Path):
    # /dev/zero (or /dev/urandom) was read until memory ran out; /dev/null is the harmless device to show it
    res = runner.invoke(app, ["compress", "/dev/null"])
    assert res.exit_code == 2
    assert res.stderr == "llmcost: error: /dev/null: is a device, not a prompt file\n"


def test_in_place_with_a_name_near_the_length_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # the temp file's name (".<name>.tmp<pid>") was over 255 bytes: "cannot write: File name too long"
    monkeypatch.chdir(tmp_path)
    name = "p" * 248 + ".txt"
    Path(name).write_text("Please be brief.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", name, "--in-place"])
    assert res.exit_code == 0, res.output
    assert Path(name).read_text(encoding="utf-8") == "Be brief.\n"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_in_place_interrupted_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("Please be brief.\n", encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)  # Ctrl-C after the temp file was written
    res = runner.invoke(app, ["compress", "a.txt", "--in-place"])
    assert res.exit_code == 130
    assert res.stderr == "llmcost: interrupted\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # the temp file used to stay
    assert Path("a.txt").read_text(encoding="utf-8") == "Please be brief.\n"


def test_folder_walk_names_the_files_it_does_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # a .j2 or .prompty template in a --check folder was passed over without a word
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pr" / "sub").mkdir(parents=True)
    (tmp_path / "pr" / ".git").mkdir()
    (tmp_path / "pr" / "a.txt").write_text("Please be brief.\n", encoding="utf-8")
    for name in ("sub/agent.prompty", "system.j2", "logo.png", "z.tmpl", ".hidden.j2", ".git/config"):
        (tmp_path / "pr" / name).write_text("x\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", "pr", "--check", "--max-tokens", "100"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ("llmcost: note: pr: 2 files not read (not a prompt suffix such as .txt, .md, .json, "
                          ".yaml, .prompty or .j2): logo.png, z.tmpl\n")
    # the templates it compresses are read and checked
    res = runner.invoke(app, ["compress", "pr", "--check", "--max-tokens", "100", "-f", "json"])
    assert sorted(f["file"] for f in json.loads(res.stdout)["files"]) == ["pr/a.txt", "pr/sub/agent.prompty", "pr/system.j2"]
    res = runner.invoke(app, ["compress", "pr/a.txt", "--check", "--max-tokens", "100"])
    assert res.stderr == ""  # a file named on the command line: no walk


def test_max_examples_says_when_it_had_nothing_to_drop(tmp_path: Path):
    plain = tmp_path / "plain.txt"
    plain.write_text("Summarise the text.\nBe brief.\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(plain), "--max-examples", "1", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["files"][0]["notes"] == [
        "fewshot: no few-shot examples found (2 or more marked alike: Q:/A:, Input:/Output:, Example 1...): "
        "--max-examples had nothing to drop"]
    shots = tmp_path / "shots.txt"
    shots.write_text("Classify the sentiment.\n\nReview: Great phone.\nSentiment: positive\n\n"
                     "Review: Broke in a day.\nSentiment: negative\n", encoding="utf-8")
    res = runner.invoke(app, ["compress", str(shots), "--max-examples", "5", "-f", "json"])
    assert json.loads(res.stdout)["files"][0]["notes"] == ["fewshot: 2 examples, within --max-examples 5: all kept"]
    # a chat file: one note for the file, not one per compressed message
    chat = tmp_path / "chat.json"
    chat.write_text(json.dumps([{"role": "system", "content": "Be brief."},
                                {"role": "user", "content": "Could you please summarise this?"}]), encoding="utf-8")
    res = runner.invoke(app, ["compress", str(chat), "--max-examples", "1", "-f", "json"])
    assert json.loads(res.stdout)["files"][0]["notes"] == [
        "fewshot: no few-shot examples found (2 or more marked alike: Q:/A:, Input:/Output:, Example 1...): "
        "--max-examples had nothing to drop"]
