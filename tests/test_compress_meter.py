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
