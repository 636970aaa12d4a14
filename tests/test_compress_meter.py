"""Token meters of the compressor: counting in a forked child gives the same result as counting here."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llmcost import tokens as tok
from llmcost.compress import compress_text
from llmcost.compress import meter as meter_mod
from llmcost.compress.meter import ForkedMeter, Meter, fork_available, open_meter
from llmcost.compress.passes import PASSES
from llmcost.compress.protect import mask

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "prompts"
needs_fork = pytest.mark.skipif(not fork_available(), reason="needs fork and a second core")


@pytest.fixture(scope="module")
def corpus() -> str:
    """~100 KB of the sample prompts (English and Chinese, Markdown, placeholders, code)."""
    parts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*")) if p.suffix in (".md", ".txt")]
    text = "\n\n".join(parts)
    return "\n\n".join(f"## Part {i}\n\n{text}" for i in range(4))


@pytest.fixture(autouse=True)
def no_parked_child():
    """Each test starts and ends without a parked counting child (patches must reach a new one)."""
    meter_mod.shutdown()
    yield
    meter_mod.shutdown()


def _same(a, b) -> None:
    assert (a.text, a.passes, a.tokens_before, a.tokens_after, a.level, a.notes, a.missing_spans) == \
           (b.text, b.passes, b.tokens_before, b.tokens_after, b.level, b.notes, b.missing_spans)


@needs_fork
@pytest.mark.parametrize("kwargs", [
    {"level": "safe"},
    {"level": "balanced"},
    {"level": "aggressive", "lang": "en"},
    {"level": "balanced", "max_examples": 1},
    {"level": "safe", "target_ratio": 0.5},  # escalates to aggressive, in the same child
    {"level": "balanced", "model": "claude-sonnet-4-5"},  # the family estimate from proxy counts
])
def test_forked_counting_gives_the_same_result(corpus: str, kwargs: dict) -> None:
    here = compress_text(corpus, parallel=False, **kwargs)
    forked = compress_text(corpus, parallel=True, **kwargs)
    _same(here, forked)
    assert here.tokens_after < here.tokens_before


def test_meter_counts_exactly_what_tiktoken_counts(corpus: str) -> None:
    encoding = tok.get_encoding("o200k_base")
    masked = mask(corpus, [])
    meter = Meter("gpt-4o", masked)
    assert meter.count(masked.text) == len(encoding.encode_ordinary(corpus))
    shorter = masked.text.replace("\n\n", "\n")
    assert meter.count(shorter) == len(encoding.encode_ordinary(masked.unmask(shorter)))


def test_estimate_for_other_families_matches_count_tokens(corpus: str) -> None:
    r = compress_text(corpus, model="claude-sonnet-4-5", parallel=False)
    assert r.tokens_before == tok.count_tokens(corpus, "claude-sonnet-4-5").tokens
    assert r.tokens_after == tok.count_tokens(r.text, "claude-sonnet-4-5").tokens
    assert not r.exact


@needs_fork
def test_forked_meter_counts_in_order_and_queues_without_waiting(corpus: str) -> None:
    masked = mask(corpus, [])
    forked = ForkedMeter("gpt-4o", masked)
    try:
        texts = [masked.text, masked.text[: len(masked.text) // 2], "", "one line"]
        for t in texts:
            forked.submit(t)
        here = Meter("gpt-4o", masked)
        assert forked.collect() == [here.count(t) for t in texts]
        assert forked.count("one line\nand two") == here.count("one line\nand two") == 5
    finally:
        forked.close()


@needs_fork
def test_a_pass_that_adds_tokens_is_undone_the_same_way(corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fn, lowest = PASSES["markdown"]
    monkeypatch.setitem(PASSES, "markdown", (lambda text, ctx: text + " and some more words", lowest))
    here = compress_text(corpus, level="balanced", parallel=False)
    forked = compress_text(corpus, level="balanced", parallel=True)
    _same(here, forked)
    assert dict(here.passes)["markdown"] == 0
    assert "markdown: undone (would add 4 tokens)" in here.notes


@needs_fork
def test_a_dead_child_falls_back_to_counting_here(corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meter_mod, "_serve", lambda *args: os._exit(3))
    _same(compress_text(corpus, parallel=True), compress_text(corpus, parallel=False))


@needs_fork
def test_a_failing_child_reports_why(corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self, text: str) -> int:
        raise RuntimeError("no tokenizer in the child")

    monkeypatch.setattr(meter_mod.Meter, "count", broken)
    masked = mask(corpus, [])
    child = ForkedMeter("gpt-4o", masked)
    try:
        child.submit(masked.text)
        with pytest.raises(meter_mod.MeterLost, match="RuntimeError: no tokenizer in the child"):
            child.collect()
    finally:
        child.close()


def test_small_inputs_are_counted_here() -> None:
    masked = mask("Could you please summarise this?", [])
    assert isinstance(open_meter("gpt-4o", masked), Meter)
    assert isinstance(open_meter("gpt-4o", masked, parallel=False), Meter)


def test_no_fork_means_counting_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meter_mod.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert not fork_available()
    masked = mask("x" * meter_mod.FORK_MIN_CHARS, [])
    assert isinstance(open_meter("gpt-4o", masked), Meter)


@needs_fork
def test_the_child_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, signal, time\n"
        "from llmcost.compress.meter import ForkedMeter\n"
        "from llmcost.compress.protect import mask\n"
        "m = mask('hello world\\n' * 10, [])\n"
        "f = ForkedMeter('gpt-4o', m)\n"
        "print(f._proc.pid, flush=True)\n"
        "assert f.count(m.text) == 30\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert out.returncode == -9
    child = int(out.stdout.split()[0])
    for _ in range(100):  # (the child looks for its parent every 0.5 s; give it up to 10 s)
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the counting child {child} outlived its killed parent")


@needs_fork
def test_one_child_serves_text_after_text(corpus: str) -> None:
    first = compress_text(corpus, parallel=True)
    (parked,) = meter_mod._STANDBY
    pid = parked._proc.pid
    second = compress_text(corpus + "\n\nPlease be brief.", level="aggressive")  # (auto: 32,000+ characters)
    assert [m._proc.pid for m in meter_mod._STANDBY] == [pid]
    _same(first, compress_text(corpus, parallel=False))
    _same(second, compress_text(corpus + "\n\nPlease be brief.", level="aggressive", parallel=False))


@needs_fork
def test_prestart_builds_early_and_the_next_large_text_takes_it(corpus: str) -> None:
    assert meter_mod.prestart("gpt-4o") is True
    assert meter_mod.prestart("gpt-4o") is False  # one parked child at most
    (started,) = meter_mod._STANDBY
    r = compress_text(corpus)
    assert meter_mod._STANDBY == [started]  # used, then parked again
    _same(r, compress_text(corpus, parallel=False))
    small = compress_text("Could you please be brief?")  # small texts are counted here
    assert small.text == "Be brief." and meter_mod._STANDBY == [started]


@needs_fork
def test_a_child_for_another_encoding_is_not_used(corpus: str) -> None:
    meter_mod.prestart("gpt-4")  # cl100k_base
    (other,) = meter_mod._STANDBY
    r = compress_text(corpus, model="gpt-4o")
    assert meter_mod._STANDBY == [other]
    _same(r, compress_text(corpus, model="gpt-4o", parallel=False))


@needs_fork
def test_an_idle_child_ends_and_is_replaced(corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meter_mod, "IDLE_EXIT", 0.5)  # (the child is forked after this)
    meter_mod.prestart("gpt-4o")
    (idle,) = meter_mod._STANDBY
    for _ in range(100):
        if not idle.alive():
            break
        time.sleep(0.1)
    assert not idle.alive()
    _same(compress_text(corpus, parallel=True), compress_text(corpus, parallel=False))


@needs_fork
def test_the_command_starts_the_child_early_for_a_large_file(corpus: str, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from llmcost.cli import app

    big = tmp_path / "big.md"
    text = "\n\n".join([corpus] * 3)
    big.write_text(text, encoding="utf-8")
    assert big.stat().st_size >= meter_mod.FORK_MIN_CHARS
    out = tmp_path / "out.md"
    res = CliRunner().invoke(app, ["compress", str(big), "-o", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert len(meter_mod._STANDBY) == 1  # started before the passes were imported, used, parked
    here = compress_text(text, parallel=False)
    row = json.loads(res.stdout)["files"][0]
    assert (row["tokens_before"], row["tokens_after"]) == (here.tokens_before, here.tokens_after)
    assert text.endswith("\n") and not here.text.endswith("\n")
    assert out.read_text(encoding="utf-8") == here.text + "\n"  # (the file's final newline is kept)


def test_a_million_spaces_are_counted_not_a_tiktoken_panic() -> None:
    # tiktoken's pre-tokeniser overflows its stack on a run of ~1,000,000 spaces; o200k tiles a run of
    # spaces with 128-space tokens: 1,000,000 / 128 -> 7,813 tokens
    encoding = tok.get_encoding("o200k_base")
    assert tok.encoded_length(encoding, " " * 1_000_000) == 7_813
    text = " " * 200_000 + "x"  # (short enough for tiktoken itself: the pieces add up to its count)
    assert tok.encoded_length(encoding, text) == len(encoding.encode_ordinary(text))
    r = compress_text(" " * 1_000_000 + "Please be brief.", parallel=False)
    assert (r.text, r.tokens_before, r.tokens_after) == ("Be brief.", 7_817, 3)


@needs_fork
def test_a_small_text_goes_to_the_child_while_this_process_has_no_tokenizer(tmp_path: Path) -> None:
    # (a fresh interpreter: this one has built o200k already, and then counts small texts itself)
    script = tmp_path / "small.py"
    script.write_text(
        "from llmcost import tokens as tok\n"
        "from llmcost.compress import compress_text, meter\n"
        "assert meter.prestart('gpt-4o')\n"
        "(child,) = meter._STANDBY\n"
        "r = compress_text('Could you please be brief?')\n"
        "print(r.text, r.tokens_before, r.tokens_after, tok.encoding_loaded('o200k_base'), meter._STANDBY == [child])\n"
        "r = compress_text('Could you please be brief?', parallel=False)\n"
        "print(r.text, r.tokens_before, r.tokens_after, tok.encoding_loaded('o200k_base'))\n"
        "meter.shutdown()\n",
        encoding="utf-8",
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    # "Could| you| please| be| brief|?" -> "Be| brief|." in o200k
    assert out.stdout.splitlines() == ["Be brief. 6 3 False True", "Be brief. 6 3 True"]


@pytest.mark.parametrize(("argv", "model"), [
    (["compress", "p.md"], "gpt-4o"),
    (["--debug", "compress", "p.md", "--level", "aggressive"], "gpt-4o"),
    (["compress", "p.md", "-m", "gpt-4", "-m", "gpt-4o"], "gpt-4"),  # (the first counts)
    (["compress", "-mgpt-4", "p.md"], "gpt-4"),
    (["compress", "p.md", "--model=claude-sonnet-4"], "claude-sonnet-4"),
    (["compress", "--", "-m", "x"], "gpt-4o"),  # (after --, file names)
    (["compress", "p.md", "--help"], None),
    (["compress", "p.md", "-m"], None),  # (the command line reports the missing value)
    (["analyze", "log.csv", "-m", "gpt-4"], None),
    (["--version"], None),
    ([], None),
])
def test_the_entry_point_sees_which_model_compress_counts_with(argv: list[str], model: str | None) -> None:
    from llmcost.entry import compress_model

    assert compress_model(argv) == model


@needs_fork
def test_the_entry_point_starts_the_child_before_the_command_line(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from llmcost import entry

    prompt = tmp_path / "p.txt"
    prompt.write_text("Could you please be brief?\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    started: list[str] = []
    real = meter_mod.prestart
    monkeypatch.setattr(meter_mod, "prestart", lambda model: started.append(model) or real(model))
    monkeypatch.setattr(sys, "argv", ["llmcost", "compress", str(prompt), "-m", "gpt-4", "-o", str(out)])
    with pytest.raises(SystemExit) as exc:
        entry.main()
    assert exc.value.code == 0
    assert started[0] == "gpt-4"  # (the command's own call finds it started: one child)
    assert [m.encoding for m in meter_mod._STANDBY] == ["cl100k_base"]
    assert out.read_text(encoding="utf-8") == "Be brief.\n"


# --------------------------------------------------------------------------- #
# run_beside: a job for the parked child (the command's price sheet)
# --------------------------------------------------------------------------- #

def _pid_and_sum(*numbers: int) -> tuple[int, int]:
    return os.getpid(), sum(numbers)


def _fails(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def test_without_a_parked_child_a_job_runs_here_at_once() -> None:
    result = meter_mod.run_beside(_pid_and_sum, 2, 3)
    assert result() == (os.getpid(), 5)
    with pytest.raises(FileNotFoundError):  # raised by the call itself, as a direct call would
        meter_mod.run_beside(_fails, "/nonexistent/llmcost-job")


@needs_fork
def test_a_job_runs_in_the_parked_child_and_results_match_their_jobs(corpus: str) -> None:
    meter_mod.prestart("gpt-4o")
    (child,) = meter_mod._STANDBY
    first = meter_mod.run_beside(_pid_and_sum, 1, 2)
    second = meter_mod.run_beside(_pid_and_sum, 10, 20)
    assert second() == (child._proc.pid, 30)  # asked for first: the first job's result is kept on the way
    assert first() == (child._proc.pid, 3)  # the child's own result, not a re-run here after the child ended
    # the child still counts after its jobs, and the counts are the same
    _same(compress_text(corpus), compress_text(corpus, parallel=False))


@needs_fork
def test_a_job_that_fails_in_the_child_runs_again_here_and_raises_here(tmp_path: Path) -> None:
    meter_mod.prestart("gpt-4o")
    missing = tmp_path / "gone.txt"
    result = meter_mod.run_beside(_fails, str(missing))  # fails in the child: no exception yet
    with pytest.raises(FileNotFoundError):
        result()
    missing.write_text("here now", encoding="utf-8")
    assert meter_mod.run_beside(_fails, str(missing))() == "here now"


@needs_fork
def test_a_job_that_does_not_pickle_runs_here_at_once() -> None:
    meter_mod.prestart("gpt-4o")
    t0 = time.monotonic()
    result = meter_mod.run_beside(lambda a, b: (os.getpid(), a + b), 2, 3)  # (a lambda: no pickling)
    assert result() == (os.getpid(), 5)
    assert time.monotonic() - t0 < 5  # (it used to wait ~30 s, for the child to end idle)
    assert meter_mod._STANDBY and meter_mod._STANDBY[0].alive()  # the child is still there for counting


@needs_fork
def test_a_job_whose_child_is_killed_runs_here() -> None:
    meter_mod.prestart("gpt-4o")
    (child,) = meter_mod._STANDBY
    child._proc.kill()
    child._proc.join()
    assert meter_mod.run_beside(_pid_and_sum, 4)() == (os.getpid(), 4)
