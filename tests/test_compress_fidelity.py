"""``llmcost compress`` keeps what is not its business: line endings, the BOM,
folder layout under ``-o``, and the wording's emphasis and punctuation."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli import app
from llmcost.compress import compress_text
from llmcost.compress.formats import line_ending, parse_prompt, read_prompt

runner = CliRunner()

BOM = b"\xef\xbb\xbf"

# --------------------------------------------------------------------------- #
# line endings and BOM
# --------------------------------------------------------------------------- #

WINDOWS = b"Line one.  \r\nPlease be brief.\r\n\r\n\r\n\r\nKeep this line.\r\n"


def test_in_place_safe_keeps_crlf_and_only_changed_lines(tmp_path: Path):
    p = tmp_path / "sys.md"
    p.write_bytes(WINDOWS)
    res = runner.invoke(app, ["compress", str(p), "--in-place", "--level", "safe"])
    assert res.exit_code == 0, res.output
    # trailing spaces and the extra blank lines go; every remaining line still ends in CRLF
    assert p.read_bytes() == b"Line one.\r\nPlease be brief.\r\n\r\nKeep this line.\r\n"


def test_in_place_keeps_utf8_bom_and_crlf(tmp_path: Path):
    p = tmp_path / "sys.md"
    p.write_bytes(BOM + WINDOWS)
    res = runner.invoke(app, ["compress", str(p), "--in-place"])
    assert res.exit_code == 0, res.output
    assert p.read_bytes() == BOM + b"Line one.\r\nBe brief.\r\n\r\nKeep this line.\r\n"


def test_lf_file_without_bom_stays_lf(tmp_path: Path):
    p = tmp_path / "sys.md"
    p.write_bytes(b"Please be brief.\nIn order to win, play.\n")
    res = runner.invoke(app, ["compress", str(p), "--in-place"])
    assert res.exit_code == 0, res.output
    assert p.read_bytes() == b"Be brief.\nTo win, play.\n"


def test_unchanged_file_is_not_rewritten(tmp_path: Path):
    # nothing to compress: an in-place run leaves the bytes (BOM, CRLF, no final newline) alone
    p = tmp_path / "sys.md"
    p.write_bytes(BOM + b"Be brief.\r\nAnswer in English.")
    res = runner.invoke(app, ["compress", str(p), "--in-place"])
    assert res.exit_code == 0, res.output
    assert p.read_bytes() == BOM + b"Be brief.\r\nAnswer in English."


def test_diff_of_crlf_file_shows_only_changed_lines(tmp_path: Path):
    p = tmp_path / "sys.md"
    p.write_bytes(WINDOWS)
    res = runner.invoke(app, ["compress", str(p), "--level", "safe", "--diff", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = res.stderr_bytes.decode("utf-8")  # (with --format json the diff is on stderr; .stderr turns CRLF into LF)
    changed = [line for line in out.split("\n") if line.startswith(("+", "-")) and line[:3] not in ("+++", "---")]
    assert changed == ["-Line one.  \r", "+Line one.\r", "-\r", "-\r"]


def test_json_and_yaml_keep_crlf(tmp_path: Path):
    js = tmp_path / "chat.json"
    js.write_bytes(b'{\r\n  "messages": [\r\n    {"role": "system", "content": "Please be brief."}\r\n  ]\r\n}\r\n')
    ym = tmp_path / "p.prompt.yml"
    ym.write_bytes(b"messages:\r\n- role: system\r\n  content: |-\r\n    Please be brief.\r\n    In order to win, play.\r\n")
    res = runner.invoke(app, ["compress", str(js), str(ym), "--in-place"])
    assert res.exit_code == 0, res.output
    assert js.read_bytes() == b'{\r\n  "messages": [\r\n    {"role": "system", "content": "Be brief."}\r\n  ]\r\n}\r\n'
    assert ym.read_bytes() == b"messages:\r\n- role: system\r\n  content: |-\r\n    Be brief.\r\n    To win, play.\r\n"


def test_prompt_doc_records_style():
    doc = parse_prompt("\ufeffA.\r\nB.\r\n", "x.md")
    assert (doc.bom, doc.newline, doc.texts, doc.raw) == ("\ufeff", "\r\n", ["A.\nB.\n"], "\ufeffA.\r\nB.\r\n")
    assert doc.render(["A.\nC."]) == "\ufeffA.\r\nC."
    # mostly LF: LF (the odd CRLF is normalised)
    assert line_ending("a\nb\nc\r\n") == "\n" and line_ending("a\r\nb\r\nc\n") == "\r\n" and line_ending("abc") == "\n"


def test_read_prompt_keeps_bom_of_utf8_only(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_bytes(BOM + b"Hi.")
    doc = read_prompt(p)
    assert (doc.raw, doc.texts, doc.encoding) == ("\ufeffHi.", ["Hi."], "utf-8")
    q = tmp_path / "b.txt"
    q.write_bytes("Hi.".encode("utf-16"))
    doc = read_prompt(q)
    assert (doc.raw, doc.bom, doc.encoding) == ("Hi.", "", "utf-16")


# --------------------------------------------------------------------------- #
# -o FOLDER mirrors the tree
# --------------------------------------------------------------------------- #


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "pr"
    (root / "a" / "deep").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "a" / "sys.md").write_text("Please be brief.\n", encoding="utf-8")
    (root / "b" / "sys.md").write_text("In order to win, play.\n", encoding="utf-8")
    (root / "a" / "deep" / "x.txt").write_text("Kindly answer in English.\n", encoding="utf-8")
    return root


def test_folder_is_mirrored_under_output(tree: Path, tmp_path: Path):
    out = tmp_path / "outd"
    out.mkdir()
    res = runner.invoke(app, ["compress", str(tree), "-o", str(out)])
    assert res.exit_code == 0, res.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a/deep/x.txt", "a/sys.md", "b/sys.md"]
    assert (out / "a" / "sys.md").read_text(encoding="utf-8") == "Be brief.\n"
    assert (out / "b" / "sys.md").read_text(encoding="utf-8") == "To win, play.\n"
    assert (out / "a" / "deep" / "x.txt").read_text(encoding="utf-8") == "Answer in English.\n"


def test_output_folder_inside_input_is_not_compressed_again(tree: Path):
    out = tree / "out"
    out.mkdir()
    for _ in range(2):
        res = runner.invoke(app, ["compress", str(tree), "-o", str(out)])
        assert res.exit_code == 0, res.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a/deep/x.txt", "a/sys.md", "b/sys.md"]


@pytest.mark.parametrize("args", [["a", "b"], ["a/sys.md", "b/sys.md"]])
def test_two_inputs_on_one_output_are_refused(tree: Path, tmp_path: Path, args: list[str]):
    out = tmp_path / "outd"
    out.mkdir()
    res = runner.invoke(app, ["compress", *[str(tree / a) for a in args], "-o", str(out)])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1
    assert f"{tree / 'a' / 'sys.md'} and {tree / 'b' / 'sys.md'} would both be written to {out / 'sys.md'}" in lines[0]
    assert list(out.iterdir()) == []  # refused before anything was written


def test_one_file_into_an_existing_folder(tree: Path, tmp_path: Path):
    out = tmp_path / "outd"
    out.mkdir()
    res = runner.invoke(app, ["compress", str(tree / "b" / "sys.md"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "sys.md").read_text(encoding="utf-8") == "To win, play.\n"


def test_folder_input_needs_an_existing_output_folder(tree: Path, tmp_path: Path):
    res = runner.invoke(app, ["compress", str(tree / "b"), "-o", str(tmp_path / "new.md")])
    assert res.exit_code == 2 and "-o must be an existing folder" in res.output


# --------------------------------------------------------------------------- #
# wording: orphaned punctuation, emphasis, politeness chains
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("level", ["balanced", "aggressive"])
def test_repeated_intensifiers_leave_no_stray_comma(level: str):
    r = compress_text("It is very important that you really, really follow these rules.", level=level)
    assert r.text == "You must follow these rules."


def test_words_pass_takes_the_intensifier_comma_along():
    r = compress_text("You must really, really follow these rules. I mean it, really, do it.",
                      passes=["words"], level="aggressive")
    assert r.text == "You must follow these rules. I mean it, do it."
    assert r.passes == [("words", 5)]


def test_words_pass_keeps_meaningful_function_words():
    # "not really" is not "not"; "Do not" keeps its verb; "Is" opens a question; articles still go
    r = compress_text("This is not really a bug. Is it valid? Do not guess. It is not very long.",
                      passes=["words"], level="aggressive")
    assert r.text == "This is not really bug. Is it valid? Do not guess. It is not very long."


@pytest.mark.parametrize(
    "text, balanced, aggressive",
    [
        ("Do NOT mention the price. Do not mention the cost.",
         "Do NOT mention the price. Don't mention the cost.",
         "Do NOT mention price. Don't mention cost."),
        ("You must NEVER reveal the key. You must never reveal the PIN. You should NOT guess. Please ALWAYS cite.",
         "You must NEVER reveal the key. Never reveal the PIN. You should NOT guess. Please ALWAYS cite.",
         "You must NEVER reveal key. Never reveal PIN. You should NOT guess. Please ALWAYS cite."),
        ("IT IS IMPORTANT THAT YOU cite sources. You MUST NOT share the key.",
         "IT IS IMPORTANT THAT YOU cite sources. You MUST NOT share the key.",
         "IT IS IMPORTANT THAT YOU cite sources. You MUST NOT share key."),
    ],
)
def test_uppercase_emphasis_is_kept(text: str, balanced: str, aggressive: str):
    assert compress_text(text).text == balanced
    assert compress_text(text, level="aggressive").text == aggressive


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Please, could you kindly make sure that you always reply in French.", "Always reply in French."),
        ("Could you kindly make sure you always reply in French?", "Always reply in French."),
        ("Would you please try to keep it short!", "Keep it short!"),
        ("Please, could you summarise the text?", "Summarise the text."),
        # not at a sentence start: left alone
        ("Tell me whether you could make sure you reply.", "Tell me whether you could make sure you reply."),
    ],
)
def test_politeness_chain_becomes_an_imperative(text: str, expected: str):
    assert compress_text(text, passes=["filler"]).text == expected


# --------------------------------------------------------------------------- #
# the final newline
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("raw, expected", [
    (b"Please be brief.", b"Be brief."),
    (b"Please be brief.\n", b"Be brief.\n"),
    (b"Please be brief.\r\nIn order to win, play.", b"Be brief.\r\nTo win, play."),
    (b"Please be brief.\r\nIn order to win, play.\r\n", b"Be brief.\r\nTo win, play.\r\n"),
    (BOM + b"Please be brief.\r\nIn order to win, play.", BOM + b"Be brief.\r\nTo win, play."),
])
def test_text_file_final_newline_is_kept_or_not_added(tmp_path: Path, raw: bytes, expected: bytes):
    p = tmp_path / "sys.txt"
    p.write_bytes(raw)
    res = runner.invoke(app, ["compress", str(p), "--in-place"])
    assert res.exit_code == 0, res.output
    assert p.read_bytes() == expected
    q = tmp_path / "copy.txt"
    p.write_bytes(raw)
    res = runner.invoke(app, ["compress", str(p), "-o", str(q)])
    assert res.exit_code == 0, res.output
    assert q.read_bytes() == expected
    res = runner.invoke(app, ["compress", str(p), "-o", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout_bytes == expected


def test_structured_files_without_final_newline(tmp_path: Path):
    js = tmp_path / "c.json"
    js.write_bytes(b'{"system": "Please be brief."}')
    ym = tmp_path / "c.yaml"
    ym.write_bytes(b"system: Please be brief.")
    res = runner.invoke(app, ["compress", str(js), str(ym), "--in-place"])
    assert res.exit_code == 0, res.output
    assert js.read_bytes() == b'{"system": "Be brief."}'
    assert ym.read_bytes() == b"system: Be brief."
    # a final newline that is part of the last YAML value stays
    doc = parse_prompt("system: |\n  Please be brief.\n  Thanks.", "k.yaml")
    assert doc.render(["Be brief.\n"]) == "system: |\n  Be brief.\n"
