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
import signal
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .passes import _CJK_RE, PASSES, PassContext

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
#: a cut has no Chinese character (``passes._CJK_RE``) this near: whether Chinese is Traditional is read from up to 200
#: characters around it when its own line does not tell (``passes._zh_traditional_at``)
_CJK_CLEARANCE = 256
T = TypeVar("T")
R = TypeVar("R")


def cut(text: str) -> list[str] | None:
    """``text`` in sections (``SEPARATOR.join(sections) == text``), or None when it is shorter
    than :data:`SECTION_MIN_CHARS` or has no cut point."""
    if len(text) < SECTION_MIN_CHARS:
        return None
    sections: list[str] = []
    start = 0
    size = max(SECTION_CHARS, len(text) // _MAX_ITEMS + 1)  # (over 409 MB: fewer, longer sections)
    while len(text) - start > size:
        m = _CUT.search(text, start + size)
        while m is not None and _CJK_RE.search(text, max(0, m.start() - _CJK_CLEARANCE), m.end() + _CJK_CLEARANCE):
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
    # (a closure is fine: the forked children have it already, nothing is pickled but results)
    done = _map(lambda section: _passes_on(section, names, ctx), sections, workers=0 if parallel is False else _cores())
    # (a section a pass emptied leaves no blank lines behind, as the pass leaves none in one text)
    return [SEPARATOR.join(filter(None, per_pass)) for per_pass in zip(*done)]


def _passes_on(text: str, names: Sequence[str], ctx: PassContext) -> list[str]:
    outs = []
    for name in names:
        text = PASSES[name][0](text, ctx)
        outs.append(text)
    return outs


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
    """``[fn(x) for x in items]``, computed by this process and up to ``workers - 1`` forked children.

    Every worker takes the next item from one queue (a pipe of item numbers, filled before the
    children start), so one slowed by other work (the token-counting child on the same core) takes
    fewer.  A child sends back its (number, result) pairs, pickled.  A child that fails or cannot be
    started costs only time: the items it took and did not finish are done here, so any exception
    is raised here, as it would be without children."""
    n = len(items)
    if workers <= 1 or n <= 1 or n > _MAX_ITEMS:
        return [fn(x) for x in items]
    try:
        queue_r, queue_w = os.pipe()
    except OSError:
        return [fn(x) for x in items]
    try:
        os.write(queue_w, b"".join(i.to_bytes(4, "little") for i in range(n)))  # (< a pipe's buffer)
    except OSError:
        os.close(queue_r)
        return [fn(x) for x in items]
    finally:
        os.close(queue_w)
    children: list[tuple[int, int]] = []
    results: dict[int, R] = {}
    try:
        for _ in range(min(workers, n) - 1):
            child = _fork(fn, items, queue_r)
            if child is None:
                break
            children.append(child)
        while (i := _take(queue_r)) is not None:
            results[i] = fn(items[i])
        while children:
            results.update(_collect(*children.pop(0)))
    finally:
        os.close(queue_r)
        for pid, fd in children:  # (this process failed: stop the children, whatever they are doing)
            _stop(pid, fd)
    return [results[i] if i in results else fn(items[i]) for i in range(n)]


#: at most this many items go through :func:`_map`'s queue (4 bytes each: less than a pipe's buffer,
#: so it is filled before anyone reads); :func:`cut` makes sections longer to stay under it
_MAX_ITEMS = 4096


def _take(queue_r: int) -> int | None:
    """The next item number from the queue, None when it is empty (every number was written before
    any worker read, and each read takes one whole number)."""
    got = os.read(queue_r, 4)
    return int.from_bytes(got, "little") if len(got) == 4 else None


def _fork(fn: Callable[[T], R], items: Sequence[T], queue_r: int) -> tuple[int, int] | None:
    """Start a child that takes items from the queue until it is empty and sends the pickled list of
    (number, ``fn(item)``) pairs on a pipe (those done before a failure, when one fails); (its pid,
    the pipe's read end), or None when no child could be started."""
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
            done: list[tuple[int, R]] = []
            try:
                while (i := _take(queue_r)) is not None:
                    done.append((i, fn(items[i])))
            except BaseException:
                status = 1
            view = memoryview(pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL))
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, fd: int) -> dict[int, Any]:
    """A child's results by item number (none when what it sent does not read)."""
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(fd)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    try:
        return {int(i): r for i, r in pickle.loads(b"".join(chunks))} if chunks else {}
    except Exception:
        return {}


def _stop(pid: int, fd: int) -> None:
    """Kill a child and close its pipe."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


__all__ = ["LOCAL_PASSES", "SECTION_CHARS", "SECTION_MIN_CHARS", "SEPARATOR", "cut", "phases", "run_phase"]
