"""Token meters for the compressor: how many tokens a masked text has, pass after pass.

:class:`Meter` counts in this process, incrementally.  Text is cut at line
starts (a newline followed by a non-space character), where tiktoken's
pre-tokeniser never joins two pieces, so the count of the whole text is the sum
of the counts of its chunks and only chunks a pass changed are re-counted; a
changed chunk is cut again into clauses (at more such places, see
``_SUB_END_EN``/``_SUB_END_ZH``) and only its clauses never seen are
re-encoded.

:class:`ForkedMeter` runs a :class:`Meter` in a forked child process, so that
counting (and building the tokenizer, ~0.25 s for o200k on a cold start)
overlaps with the passes on a second core.  The passes never need a count to
do their work; only the "a pass never makes the prompt longer" rule does, so
the compressor runs the passes ahead, queues each changed text, and checks the
counts at the end (see ``compress._run_ahead``).  Counts are the same numbers
:class:`Meter` gives: the child runs the same code on the same text.  Used
only where it pays (:func:`open_meter`): large inputs on a machine with fork
and a second core.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate, count
from operator import add, sub
from multiprocessing.connection import Connection
from typing import Any, Protocol, TypeVar

from .. import tokens as tok
from .protect import Masked

_CHUNK_SPLIT = re.compile(r"\n(?=\S)")
#: the end of a clause inside a piece, where the tokeniser also never joins two pieces: punctuation
#: before a space (the space starts the next piece), a CJK ideograph before CJK punctuation (a
#: letter run ends at a non-letter, and the punctuation starts the next piece)
_SUB_END_EN = re.compile(r"[.!?;:,](?= )")
_SUB_END_ZH = re.compile(r"[，。！？；：、](?<=[\u3400-\u4db5\u4e00-\u9fa5].)")
_CJK_PUNCT = re.compile(r"[，。！？；：、]")
#: joins clauses for one unmask: a reserved character (never in a span) that is no placeholder
_SEP = "\U0010FFFD"
T = TypeVar("T")

#: inputs at least this long (characters) are counted in a child process when that is possible
FORK_MIN_CHARS = 256_000
#: a child already started (:func:`prestart`, or parked after a text) takes inputs from this length on,
#: and shorter ones too while this process has not built the encoding itself (see :func:`open_meter`)
STANDBY_MIN_CHARS = 32_000
#: how long to wait for the child's next count before checking that it is still alive (seconds)
_POLL = 0.5


class TokenMeter(Protocol):
    """What the compressor needs of a meter."""

    def count(self, text: str) -> int: ...

    def close(self) -> None: ...


class MeterLost(Exception):
    """The counting child died or failed: count here instead."""


class Meter:
    """Incremental token counter over masked text, in this process (see module docstring)."""

    def __init__(self, model: str, masked: Masked) -> None:
        self.encoding = tok.get_encoding(_encoding_of(model))
        self.masked = masked
        self.cache: dict[str, int] = {}  # piece followed by a newline -> tokens of both
        self.last_cache: dict[str, int] = {"": 0}  # the text's last piece -> tokens
        self.sub_cache: dict[str, int] = {}  # clause of a piece (see _SUB_END_EN) -> tokens

    def count(self, text: str) -> int:
        # split on the newline itself (much faster than a zero-width split); every piece but the
        # last owns the newline that followed it: ``cache`` is keyed by such pieces without their
        # newline (no copies to build and hash), ``last_cache`` by the last piece
        pieces = _CHUNK_SPLIT.split(text)
        last = pieces.pop()
        cache = self.cache
        # only the pieces never seen are counted (a set difference, not a Python loop over all)
        new = list(set(pieces).difference(cache))
        new_last = last not in self.last_cache
        if new or new_last:
            self._count_new(new, last if new_last else None)
        return sum(map(cache.__getitem__, pieces)) + self.last_cache[last]

    def close(self) -> None:
        pass

    def _count_new(self, pieces: list[str], last: str | None) -> None:
        """Count new pieces clause by clause: a pass changes a word or two of a line, so most
        clauses of a new piece were counted before (in ``sub_cache``) and only the others are
        encoded.  All in C loops: one scan for the clause ends of all the pieces, one unmask and
        one split for all the new clauses, then the per-piece sums from running totals."""
        texts = [p + "\n" for p in pieces]
        if last is not None:
            texts.append(last)  # ("" is in last_cache from the start: every text here is non-empty)
        joined = "".join(texts)
        ends = list(accumulate(map(len, texts)))
        # clause ends never fall on a piece end (one is before a space or CJK punctuation, the other
        # after a newline), so the cuts are distinct and every clause is non-empty
        cuts = _cuts(_SUB_END_EN, joined, 1)  # (after the punctuation)
        if not joined.isascii() and _CJK_PUNCT.search(joined):
            cuts += _cuts(_SUB_END_ZH, joined, 0)  # (before the punctuation)
        cuts += ends
        cuts.sort()
        clauses = list(map(joined.__getitem__, map(slice, [0, *cuts], cuts)))
        sub_cache = self.sub_cache
        fresh = list(set(clauses).difference(sub_cache))
        if fresh:
            # one encode call each (the batch API's thread pool costs more than it saves here)
            src = _SEP.join(fresh)
            if not src.isascii():  # (O(1): placeholders are not ASCII)
                src = self.masked.unmask(src)
            sub_cache.update(zip(fresh, map(partial(tok.encoded_length, self.encoding), src.split(_SEP))))
        at_cut = dict(zip(cuts, accumulate(map(sub_cache.__getitem__, clauses))))
        totals = list(map(at_cut.__getitem__, ends))
        counts = list(map(sub, totals, [0, *totals]))
        if last is not None:
            self.last_cache[last] = counts.pop()
        self.cache.update(zip(pieces, counts))


def _cuts(rx: re.Pattern[str], text: str, offset: int) -> list[int]:
    """The positions of the matches of ``rx`` (all one character long) in ``text``, plus ``offset``.

    From the lengths of the parts ``rx.split`` leaves (C loops: faster than a match object each)."""
    parts = rx.split(text)
    parts.pop()
    return list(map(add, accumulate(map(len, parts)), count(offset)))


def _encoding_of(model: str) -> str:
    return tok.encoding_for_model(model) or tok.PROXY_ENCODING


def _serve(model: str, requests: multiprocessing.Queue, replies: multiprocessing.Queue,
           jobs: Connection) -> None:
    """The child.  It builds the tokenizer at once, while the parent goes on.  Messages: a
    :class:`Masked` starts counting for that text (a session), a string is counted and answered,
    ``False`` ends the session (the child is parked), ``None`` stops, a :class:`_Job` is run and
    its result (or :data:`_JOB_FAILED`) sent on ``jobs`` at once (a pipe: a Queue's feeder thread
    would wait for the GIL until the counting is done).  A counting failure is answered with
    its message.  It ends when the parent is gone (killed: nobody would send the ``None``) or after
    :data:`IDLE_EXIT` seconds parked."""
    parent = os.getppid()
    idle = 0.0
    try:
        tok.get_encoding(_encoding_of(model))
        meter: Meter | None = None
        while True:
            try:
                msg = requests.get(timeout=_POLL)
            except queue.Empty:
                idle = idle + _POLL if meter is None else 0.0
                if os.getppid() != parent or idle >= IDLE_EXIT:
                    return
                continue
            idle = 0.0
            if msg is None:
                return
            if isinstance(msg, _Job):
                try:
                    reply = pickle.dumps((msg.id, msg.fn(*msg.args)))
                except Exception:  # (the parent runs it again itself, and reports what fails there)
                    reply = b""
                if not reply or len(reply) > _JOB_REPLY_MAX:  # (a pipe's buffer: sent without waiting for the reader)
                    reply = pickle.dumps((msg.id, _JOB_FAILED))
                jobs.send_bytes(reply)
                continue
            if msg is False:
                meter = None  # (and its caches)
            elif isinstance(msg, Masked):
                meter = Meter(model, msg)
            elif meter is None:
                raise RuntimeError("a text to count before the text it belongs to")
            else:
                replies.put(meter.count(msg))
    except BaseException as exc:  # (any failure: the parent counts in its own process instead)
        replies.put(f"{type(exc).__name__}: {exc}")


class ForkedMeter:
    """A :class:`Meter` in a forked child: :meth:`submit` texts, :meth:`collect` their counts in
    order later; :meth:`count` is both at once.  Any failure of the child raises
    :class:`MeterLost`.  The child starts building the tokenizer at once and counts for the text
    given to :meth:`attach` (or ``masked``); :meth:`close` parks a healthy child for the next text
    (:func:`open_meter` takes it), so one child serves a whole run."""

    def __init__(self, model: str, masked: Masked | None = None) -> None:
        mp = multiprocessing.get_context("fork")
        self.encoding = _encoding_of(model)
        # a Queue, not a Pipe: its feeder thread writes, so submit() never waits for the child to read
        self._requests: multiprocessing.Queue = mp.Queue()
        self._replies: multiprocessing.Queue = mp.Queue()
        self._jobs, jobs_end = mp.Pipe(duplex=False)
        self._job_results: dict[int, Any] = {}  # job id -> result, read before its own call asked
        self._proc = mp.Process(target=_serve, args=(model, self._requests, self._replies, jobs_end),
                                name="llmcost-token-meter", daemon=True)
        self._proc.start()
        jobs_end.close()  # (the child's end)
        self._pending = 0
        if masked is not None:
            self.attach(masked)

    def attach(self, masked: Masked) -> None:
        """Count for ``masked`` from now on."""
        self._requests.put(masked)

    def alive(self) -> bool:
        return self._proc.is_alive()

    def submit(self, text: str) -> None:
        self._requests.put(text)
        self._pending += 1

    def collect(self) -> list[int]:
        """The counts of every text submitted since the last collect, in order."""
        out = []
        while self._pending:
            out.append(self._next())
            self._pending -= 1
        return out

    def count(self, text: str) -> int:
        self.submit(text)
        return self.collect()[-1]

    def _next(self) -> int:
        while True:
            try:
                reply = self._replies.get(timeout=_POLL)
            except queue.Empty:
                if not self._proc.is_alive():
                    raise MeterLost("the token-counting process ended") from None
                continue
            if isinstance(reply, int):
                return reply
            raise MeterLost(str(reply))

    def job_result(self, job_id: int) -> Any:
        """The result of the :class:`_Job` ``job_id``; :data:`_JOB_FAILED` when it failed or the
        child ended.  Results of other jobs that come first are kept for their own call."""
        if job_id in self._job_results:
            return self._job_results.pop(job_id)
        while True:
            try:
                if not self._jobs.poll(_POLL):
                    if not self._proc.is_alive():
                        return _JOB_FAILED
                    continue
                got_id, result = pickle.loads(self._jobs.recv_bytes())
            except (OSError, ValueError, EOFError):
                return _JOB_FAILED
            if got_id == job_id:
                return result
            self._job_results[got_id] = result

    def close(self) -> None:
        """Done with this text: park the child for the next one when it is healthy, idle and no
        other child is parked; stop it otherwise."""
        if self._pending == 0 and not _STANDBY and self._proc.is_alive():
            self._requests.put(False)
            _STANDBY.append(self)
            return
        self.stop()

    def stop(self) -> None:
        """Stop the child.  Texts it was never going to read are dropped, not waited for (the
        queue's feeder thread would block on a full pipe with nobody reading)."""
        try:
            if self._pending == 0 and self._proc.is_alive():
                self._requests.put(None)
                self._requests.close()
                self._requests.join_thread()
                self._proc.join(timeout=1.0)
            else:
                self._requests.cancel_join_thread()
                self._requests.close()
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
            self._replies.close()
            self._jobs.close()
        except (OSError, ValueError):
            pass


_JOB_IDS = count(1)


@dataclass(frozen=True)
class _Job:
    """A call for the child to make: ``fn`` must be a module-level function (sent by name)."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    id: int = field(default_factory=lambda: next(_JOB_IDS))


#: a job's result when it raised, its result did not fit :data:`_JOB_REPLY_MAX`, or the child ended
_JOB_FAILED = "llmcost.compress.meter: job failed"
#: the largest job result sent back (pickled bytes): less than a pipe's buffer, so that the child
#: never waits for this process to read before it counts on
_JOB_REPLY_MAX = 32_768


def run_beside(fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """Run ``fn(*args)`` in the parked child (:func:`prestart`), on the second core, while this
    process goes on; the callable returned waits for the result.  The child runs it after building
    its tokenizer and before counting anything sent later.  Without a parked child, ``fn`` runs here
    at once; when it fails in the child (or the child ends), it runs here again when the result is
    asked for, so its exceptions reach the caller as they would have; so does one whose result does
    not pickle to :data:`_JOB_REPLY_MAX` bytes or less."""
    child = _STANDBY[0] if _STANDBY and _STANDBY[0].alive() else None
    job = _Job(fn, args)
    if child is not None:
        try:
            # the queue pickles in its feeder thread, where a failure is only printed: the child
            # would never see the job and the result would be waited for until the child ends
            pickle.dumps(job)
            child._requests.put(job)
        except (OSError, ValueError, AssertionError, pickle.PicklingError, AttributeError, TypeError):
            child = None
    if child is None:
        done = fn(*args)
        return lambda: done
    box: list[T] = []

    def result() -> T:
        if not box:
            got = child.job_result(job.id)
            box.append(fn(*args) if isinstance(got, str) and got == _JOB_FAILED else got)
        return box[0]

    return result


#: the parked child (at most one): started by :func:`prestart` or left by :meth:`ForkedMeter.close`
_STANDBY: list[ForkedMeter] = []
#: a parked child ends after this many seconds without a new text
IDLE_EXIT = 30.0


def _take_standby(model: str) -> ForkedMeter | None:
    """The parked child, if it is alive and counts with ``model``'s encoding."""
    if _STANDBY and _STANDBY[0].encoding == _encoding_of(model):
        standby = _STANDBY.pop()
        if standby.alive():
            return standby
        standby.stop()
    return None


def prestart(model: str) -> bool:
    """Start the counting child for ``model`` now, so that it builds the tokenizer (~0.25 s for
    o200k) while the caller goes on importing and reading; the next large :func:`open_meter` for
    the same encoding takes it.  The command line calls this when a prompt file is large.  False
    when there is no fork or second core, or a child is parked already."""
    if _STANDBY or not fork_available():
        return False
    child = _start(model)
    if child is not None:
        _STANDBY.append(child)
    return child is not None


def _start(model: str) -> ForkedMeter | None:
    try:
        return ForkedMeter(model)
    except (OSError, ValueError, AssertionError):
        return None  # no process could be started here


def shutdown() -> None:
    """Stop the parked child, if any (tests; a long-running caller that wants its memory back)."""
    while _STANDBY:
        _STANDBY.pop().stop()


def fork_available() -> bool:
    """Can counting run in a forked child on a second core?"""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores > 1 and not multiprocessing.current_process().daemon


def open_meter(model: str, masked: Masked, *, parallel: bool | None = None) -> TokenMeter:
    """A meter for ``masked``: a forked one when ``parallel`` is true, or (``None``) when that pays:
    a child for the model's encoding already parked (by :func:`prestart` or after an earlier text)
    takes a text from :data:`STANDBY_MIN_CHARS` on, and any text while this process has not built
    the encoding itself (building it here would cost ~0.25 s; the child has it or is building it);
    a new child is started from :data:`FORK_MIN_CHARS`, where fork and a second core are there.
    Else one counting here."""
    child = None
    if parallel is True or (parallel is None and (len(masked.text) >= STANDBY_MIN_CHARS
                                                  or not tok.encoding_loaded(_encoding_of(model)))):
        child = _take_standby(model)
    if child is None and (parallel or (parallel is None and len(masked.text) >= FORK_MIN_CHARS and fork_available())):
        child = _start(model)
    if child is None:
        return Meter(model, masked)
    child.attach(masked)
    return child
