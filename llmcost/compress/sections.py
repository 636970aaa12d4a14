"""Large prompts in sections: the passes that only look near a match run on pieces, on every core.

A prompt of :data:`SECTION_MIN_CHARS` characters or more is cut into sections of
about :data:`SECTION_CHARS` at paragraph breaks that no local pass can see
across: a blank line (exactly one) after a sentence-final mark and before a
letter, so never inside a JSON value, a table, a list, a code block (masked
anyway), an example block (which ends at the blank line) or before a Markdown
rule, heading or front matter.  The *local* passes (:data:`LOCAL_PASSES`: their
rules look at a match's own line or paragraph) then run on each section, and
the sections are joined again.  No cut is made within 256 characters of
Chinese text (whether it is Traditional may be read from the text around it),
so a prompt written in Chinese throughout runs whole.  The other passes look at the whole prompt and
run on all of it: ``whitespace`` (a common indentation), ``fewshot`` (which
examples to keep), ``dedupe`` (a repeat anywhere) and ``words`` (a rubric's
other grades anywhere in the prompt).  What a local rule asks of the whole
prompt (does it spell the British way, does it grade its rules with "must",
which article pairs did it already have) is decided once, on all of it
(:class:`~llmcost.compress.passes.PassContext`), so that every section decides alike.

Where the sections are cut depends only on the text, never on the machine: run
one after another (``parallel=False``) or in forked children, one per core,
the result is the same.  On the four 1 MB benchmark inputs the sections give the
same text as one run over the whole prompt (``tests/test_compress_sections.py``
checks that on large inputs).
"""

from __future__ import annotations

import os
import pickle
import re
import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

from .passes import PASSES, PassContext

#: prompts at least this long (characters, masked) are cut into sections
SECTION_MIN_CHARS = 256_000
#: the length a section aims at (a section ends at the first cut point after it)
SECTION_CHARS = 100_000
#: passes whose every rule looks only at the line or paragraph of a match
LOCAL_PASSES = frozenset({"json", "markdown", "filler", "hedges", "phrases"})
#: where a prompt may be cut: one blank line after a sentence end, before a letter (the separator
#: itself, two newlines, is in no section and is put back between them)
_CUT = re.compile(r"(?<=[.!?])\n\n(?=[^\W\d_])")
SEPARATOR = "\n\n"
#: and no Chinese character this near: whether Chinese is Traditional is read from up to 200
#: characters around it when its own line does not tell (``passes._zh_traditional_at``)
_CJK_CLEARANCE = 256
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
T = TypeVar("T")
R = TypeVar("R")


def cut(text: str) -> list[str] | None:
    """``text`` in sections (``SEPARATOR.join(sections) == text``), or None when it is shorter
    than :data:`SECTION_MIN_CHARS` or has no cut point."""
    if len(text) < SECTION_MIN_CHARS:
        return None
    sections: list[str] = []
    start = 0
    while len(text) - start > SECTION_CHARS:
        m = _CUT.search(text, start + SECTION_CHARS)
        while m is not None and _CJK.search(text, max(0, m.start() - _CJK_CLEARANCE), m.end() + _CJK_CLEARANCE):
            m = _CUT.search(text, m.end())
        if m is None:
            break
        sections.append(text[start:m.start()])
        start = m.end()
    sections.append(text[start:])
    return sections if len(sections) > 1 else None


def phases(names: Sequence[str]) -> list[list[str]]:
    """``names`` as runs of local passes and single other passes, in order."""
    out: list[list[str]] = []
    for name in names:
        if name in LOCAL_PASSES and out and out[-1][-1] in LOCAL_PASSES:
            out[-1].append(name)
        else:
            out.append([name])
    return out


def run_phase(text: str, names: Sequence[str], ctx: PassContext, *, parallel: bool | None) -> list[str]:
    """The text after each pass of ``names`` (one phase, see :func:`phases`), run in order on
    ``text``: on the whole of it, or section by section when the phase is local and the text
    large (:func:`cut`); the sections in forked children unless ``parallel`` is False."""
    sections = cut(text) if names and all(n in LOCAL_PASSES for n in names) else None
    if sections is None:
        return _passes_on(text, names, ctx)
    job = _Sections(names, ctx)
    done = _map(job, sections, workers=0 if parallel is False else _cores())
    return [SEPARATOR.join(per_pass) for per_pass in zip(*done)]


def _passes_on(text: str, names: Sequence[str], ctx: PassContext) -> list[str]:
    outs = []
    for name in names:
        text = PASSES[name][0](text, ctx)
        outs.append(text)
    return outs


class _Sections:
    """The passes of one phase on one section (a callable, so that it needs no pickling: the
    forked children have it already)."""

    def __init__(self, names: Sequence[str], ctx: PassContext) -> None:
        self.names = list(names)
        self.ctx = ctx

    def __call__(self, section: str) -> list[str]:
        return _passes_on(section, self.names, self.ctx)


def _cores() -> int:
    """The cores this process may run on (1 where fork is missing: no children then)."""
    from .meter import fork_available

    if not fork_available():
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _map(fn: Callable[[T], R], items: Sequence[T], *, workers: int) -> list[R]:
    """``[fn(x) for x in items]``, the items shared out in runs among ``workers`` processes: this
    one and forked children (each sends its results back pickled through a pipe).  A child that
    fails or cannot be started costs only time: its items are done here, so any exception is
    raised here as it would be without children."""
    groups = _share(len(items), max(1, workers))
    children: list[tuple[int, int, range]] = []
    for group in groups[1:]:
        child = _fork(fn, [items[i] for i in group])
        if child is None:
            break
        children.append((*child, group))
    done_by_children = {i for _pid, _fd, group in children for i in group}
    results: dict[int, R] = {i: fn(items[i]) for i in range(len(items)) if i not in done_by_children}
    for pid, fd, group in children:
        got = _collect(pid, fd)
        if got is None or len(got) != len(group):
            got = [fn(items[i]) for i in group]
        results.update(zip(group, got))
    return [results[i] for i in range(len(items))]


def _share(n: int, workers: int) -> list[range]:
    """``range(n)`` in ``min(workers, n)`` runs of (nearly) equal length, the longer ones first."""
    k = max(1, min(workers, n))
    size, extra = divmod(n, k)
    out = []
    start = 0
    for j in range(k):
        end = start + size + (1 if j < extra else 0)
        out.append(range(start, end))
        start = end
    return out


def _fork(fn: Callable[[T], R], items: list[T]) -> tuple[int, int] | None:
    """Start a child that sends ``pickle.dumps([fn(x) for x in items])`` on a pipe (empty when it
    failed); (its pid, the pipe's read end), or None when no child could be started."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        with warnings.catch_warnings():
            # (3.12+ warns that a thread of this process, such as the token meter's queue feeder,
            # may hold a lock: the child takes none of theirs, it runs passes and writes a pipe)
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: compute, send, and leave without running any of the parent's exit code
        status = 0
        try:
            os.close(read_end)
            try:
                data = pickle.dumps([fn(x) for x in items], protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                data = b""
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, fd: int) -> list | None:  # type: ignore[type-arg]
    """A child's results, or None when it failed."""
    chunks = []
    try:
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(fd)
        try:
            _pid, status = os.waitpid(pid, 0)
        except ChildProcessError:
            status = 1
    if status != 0 or not chunks:
        return None
    try:
        got = pickle.loads(b"".join(chunks))
    except Exception:
        return None
    return got if isinstance(got, list) else None


__all__ = ["LOCAL_PASSES", "SECTION_CHARS", "SECTION_MIN_CHARS", "SEPARATOR", "cut", "phases", "run_phase"]
