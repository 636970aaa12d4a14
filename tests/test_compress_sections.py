"""Large prompts in sections (llmcost.compress.sections): where they are cut, that the sections give
the same text as one run over the whole prompt, in children or not, and that a failing child costs
only time."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from llmcost.compress import compress_text, sections
from llmcost.compress.formats import read_prompt
from llmcost.compress.meter import fork_available
from llmcost.compress.protect import mask

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "prompts"

#: ~370,000 characters of plain prose paragraphs, numbered so that dedupe keeps them: three+ sections
_PROSE = "\n\n".join(f"The report lists the costs of the project in a table of rows and columns for the reader {i}."
                      for i in range(4000))


def _large(chars: int, pattern: str = "*") -> str:
    """The sample prompts, repeated with their numbers shifted (so that dedupe cannot drop the copies)."""
    parts = []
    for f in sorted(SAMPLES.glob(pattern)):
        parts.extend(read_prompt(f).texts)
    corpus = "\n\n".join(parts)
    out = []
    size = i = 0
    while size < chars:
        block = re.sub(r"\b(\d+)\b", lambda m, i=i: str(int(m.group()) + i), corpus) + f"\n\nSection {i}.\n\n"
        out.append(block)
        size += len(block)
        i += 1
    return "".join(out)


def test_short_text_is_not_cut() -> None:
    assert sections.cut("One. Two.\n\nThree.") is None
    assert sections.cut("x" * (sections.SECTION_MIN_CHARS - 1)) is None


def test_text_without_cut_point_is_not_cut() -> None:
    # no blank line after a sentence end before a letter: one section, so None
    text = "- item one\n\n- item two\n\n" * (sections.SECTION_MIN_CHARS // 20)
    assert sections.cut(text) is None


def test_sections_join_back_and_are_cut_only_between_prose_paragraphs() -> None:
    text = _large(600_000)
    parts = sections.cut(text)
    assert parts is not None
    assert sections.SEPARATOR.join(parts) == text
    # ~SECTION_CHARS each: a section ends at the first cut point after that length
    assert len(parts) == pytest.approx(len(text) / sections.SECTION_CHARS, abs=1)
    for before, after in zip(parts, parts[1:]):
        assert len(before) >= sections.SECTION_CHARS or before is parts[0]
        assert before[-1] in ".!?。！？"  # a sentence ended
        assert after[0].isalpha()  # a letter starts the next: no list, heading, rule, table or code
        assert not before.endswith("\n") and not after.startswith("\n")


def test_a_cut_needs_exactly_one_blank_line() -> None:
    filler = ("A sentence of prose that ends here. " * 3000).strip()  # ~108,000 characters, one line
    text = filler + "\n\n\nNot here: two blank lines.\n\n" + filler + "\n\nHere."
    text = text + "\n\n" + filler * 2
    parts = sections.cut(text)
    assert parts is not None
    assert sections.SEPARATOR.join(parts) == text
    assert not any(p.startswith("Not here") for p in parts)
    assert any(p.startswith("Here.") for p in parts)
    # nor after a blank at the end of a line
    assert sections.cut(filler + " \n\n" + filler + " \n\nEnd " + filler) is None


def test_a_section_a_pass_empties_leaves_no_blank_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Answer the question." + "\n\nThank you!" * 30_000 + "\n\nBe brief."
    assert len(sections.cut(text) or []) >= 3
    for parallel in (True, False):
        assert compress_text(text, parallel=parallel).text == "Answer the question.\n\nBe brief."
    monkeypatch.setattr(sections, "SECTION_MIN_CHARS", 10**12)
    assert compress_text(text, parallel=False).text == "Answer the question.\n\nBe brief."


def test_phases_group_the_local_passes() -> None:
    names = ["whitespace", "json", "markdown", "fewshot", "filler", "hedges", "phrases", "dedupe", "words"]
    assert sections.phases(names) == [["whitespace"], ["json", "markdown"], ["fewshot"],
                                      ["filler", "hedges", "phrases"], ["dedupe"], ["words"]]
    assert sections.phases(["json", "filler"]) == [["json", "filler"]]
    assert sections.phases([]) == []


@pytest.mark.parametrize("level", ["safe", "balanced", "aggressive"])
def test_sections_give_the_text_of_one_run_over_the_whole_prompt(level: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _large(420_000)
    in_children = compress_text(text, level=level, parallel=True)
    one_by_one = compress_text(text, level=level, parallel=False)
    monkeypatch.setattr(sections, "SECTION_MIN_CHARS", 10**12)
    whole = compress_text(text, level=level, parallel=False)
    assert in_children.text == one_by_one.text == whole.text
    assert in_children.passes == one_by_one.passes == whole.passes
    assert in_children.tokens_after == whole.tokens_after < whole.tokens_before
    assert in_children.protected_spans_ok


def test_no_cut_near_chinese_text() -> None:
    # whether Chinese is Traditional may be read from 200 characters around it: no cut that near
    assert sections.cut(mask(_large(300_000, "*zh*"), []).text) is None
    text = mask(_large(600_000), []).text
    parts = sections.cut(text)
    assert parts is not None and len(parts) >= 4
    at = 0
    for part in parts[:-1]:
        at += len(part)
        assert _CJK.search(text, at - 256, at + 2 + 256) is None
        at += 2


_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def test_a_rule_graded_by_must_in_another_section_keeps_its_should() -> None:
    # "must" only in the first section: "you should" in the last is the weaker grade and stays
    body = _PROSE
    last = "\n\nYou should answer in two sentences."
    graded = "You must cite the source of every figure.\n\n" + body + last
    assert len(sections.cut(mask(graded, []).text) or []) >= 3
    for parallel in (True, False):
        assert compress_text(graded, parallel=parallel).text.endswith(last)
    assert compress_text(body + last).text.endswith("\n\nAnswer in two sentences.")


def test_british_spelling_is_decided_on_the_whole_prompt() -> None:
    # "summarise" only in the first section: "give a summary of" in the last becomes British too
    body = _PROSE
    text = "Summarise the findings of the report in two sentences.\n\n" + body + "\n\nThen give a summary of the costs."
    parts = sections.cut(mask(text, []).text)
    assert parts is not None and len(parts) >= 3 and "ummarise" not in "".join(parts[1:])
    for parallel in (True, False):
        assert compress_text(text, parallel=parallel).text.endswith("\n\nThen summarise the costs.")
    # without the British first line: American
    assert compress_text(body + "\n\nThen give a summary of the costs.").text.endswith("Then summarize the costs.")


def test_an_article_pair_written_in_another_section_is_left_as_written() -> None:
    # the prompt writes "a honest" once: after "truly" goes, "a truly honest" is left "a honest" too
    body = _PROSE
    last = "\n\nWrite a truly honest review."
    text = "It was a honest mistake.\n\n" + body + last
    assert len(sections.cut(mask(text, []).text) or []) >= 3
    for parallel in (True, False):
        assert compress_text(text, parallel=parallel).text.endswith("\n\nWrite a honest review.")
    assert compress_text(body + last).text.endswith("\n\nWrite an honest review.")


def _double_in_parent_only(x: int) -> int:
    if os.getpid() != _PARENT:
        raise RuntimeError("fails in a child")
    return 2 * x


_PARENT = os.getpid()


@pytest.mark.skipif(not fork_available(), reason="needs fork and a second core")
def test_work_of_a_failing_child_is_done_here() -> None:
    assert sections._map(_double_in_parent_only, list(range(7)), workers=3) == [0, 2, 4, 6, 8, 10, 12]


@pytest.mark.skipif(not fork_available(), reason="needs fork and a second core")
def test_children_take_items_from_the_queue_and_results_keep_their_order() -> None:
    def slow_here(x: int) -> tuple[int, bool]:
        if os.getpid() == _PARENT:
            time.sleep(0.2)  # this process is slow: the child takes most of the items
        return x * x, os.getpid() == _PARENT

    got = sections._map(slow_here, list(range(12)), workers=2)
    assert [square for square, _here in got] == [x * x for x in range(12)]
    assert sum(here for _square, here in got) <= 3  # this process did few (or none), not its half (6)


def test_an_exception_everywhere_is_raised_here() -> None:
    def boom(x: int) -> int:
        raise ValueError(f"bad {x}")

    with pytest.raises(ValueError, match="bad"):
        sections._map(boom, [1, 2, 3], workers=2)


@pytest.mark.skipif(not fork_available(), reason="needs fork and a second core")
def test_no_child_is_left_behind() -> None:
    def boom_here(x: int) -> int:
        if os.getpid() == _PARENT:
            raise ValueError("fails here")
        time.sleep(5)
        return x

    before = _children()
    t0 = time.monotonic()
    with pytest.raises(ValueError, match="fails here"):
        sections._map(boom_here, list(range(4)), workers=3)
    assert time.monotonic() - t0 < 4  # the sleeping children were stopped, not waited for
    assert _children() == before


def _children() -> set[int]:
    """This process's child processes (Linux: /proc; elsewhere an empty set)."""
    me = str(os.getpid())
    out = set()
    if not os.path.isdir("/proc"):
        return out
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    if fh.read().rsplit(")", 1)[1].split()[1] == me:
                        out.add(int(pid))
            except OSError:
                pass
    return out


def test_map_without_workers_runs_here() -> None:
    assert sections._map(lambda x: (x, os.getpid()), [1, 2], workers=1) == [(1, _PARENT), (2, _PARENT)]
    assert sections._map(str, [], workers=4) == []
