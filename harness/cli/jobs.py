"""``--jobs N`` of the bulk commands (``validate``, ``price``): each record of the input turned
into its lines of output, by worker processes when the input is large enough to repay starting
them, in the input's order.

The decision is made on what has been read, not on a file's size (standard input has none):
the first ``START_LINES`` records (or ``START_BYTES`` bytes of them) are read ahead; an input
that ends before is handled here, as with ``--jobs 1``. A larger one goes, in chunks of at most
``CHUNK_LINES`` records or about ``CHUNK_BYTES`` bytes, to a pool of processes that each
received the command's settings once (the pool's initializer), so that a chunk carries only
its records and brings back only its text and its tally. At most ``AHEAD`` chunks a worker are
in flight, so memory stays bounded however large the input and however slow the reader of the
output; chunks are written in the order they were read.

Like ``harness.checks.parallel`` (which checks the pages of a crawl), the commands default to
the usable cores, start no pool under 2,000 objects and tune the workers' collector.
Unlike a crawl, a command's input can be endless and its output slow to drain, hence the
bounded submission instead of ``Pool.imap``; a worker that dies (killed, out of memory) ends the
run with one line (``WorkerStopped``), where a pool would wait for its lost chunk for ever; and
the command's own process has no other thread, so its workers are forked (``_start_method``).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from harness.cli.inputs import UsageError
from harness.streaming import Record

if TYPE_CHECKING:  # imported where a pool starts: a small input never needs them
    from concurrent.futures import Future, ProcessPoolExecutor

# Records read ahead before the pool is worth starting: harness.checks.parallel's MIN_PARALLEL,
# not imported from there (its imports would come with it into every command).
START_LINES = 2_000
START_BYTES = 8 << 20  # ... or as many bytes of them (a few large records repay it too)
CHUNK_LINES = 1_000  # records a worker receives at a time
CHUNK_BYTES = 1 << 20  # ... or about as many bytes of them
AHEAD = 2  # chunks in flight a worker: one computing, one waiting

S = TypeVar("S")
Item = tuple[str, str | bytes | None, str | None]  # label, text, why it is unreadable
# What a command does with one record: its output text, counting outcomes into the tally.
Render = Callable[[S, str, str | bytes | None, str | None, Counter[str]], str]
Result = tuple[str, Counter[str]]


def usable_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    counted: Callable[[], int | None] | None = getattr(os, "process_cpu_count", None)
    if counted is not None:  # Python 3.13
        return counted() or 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity outside Linux
        return os.cpu_count() or 1


class WorkerStopped(Exception):
    """A worker process ended before returning its chunk (killed, out of memory)."""


def add_jobs_argument(parser: Any) -> None:
    """``--jobs N``: worker processes for a large input."""
    parser.add_argument(
        "--jobs",
        metavar="N",
        help="processes to check a large input with (default: the usable cores, "
        f"{usable_cores()} here); an input under {START_LINES:,} objects is checked in this "
        "process, and --jobs 1 checks each object as it is read",
    )


def parse_jobs(text: str | None) -> int:
    """The ``--jobs`` value (the usable cores when not given); a UsageError names the fix."""
    if text is None:
        return usable_cores()
    jobs = int(text) if text.isascii() and text.isdigit() else 0
    if jobs < 1:
        raise UsageError(
            f"--jobs {text!r} is not a number of processes: pass a whole number, 1 or more "
            f"(1 checks in this process; the default is the usable cores, {usable_cores()})"
        )
    return jobs


def render_records(
    records: Iterable[tuple[str, Record]],
    render: Render[S],
    settings: S,
    jobs: int,
    out: TextIO,
) -> tuple[int, Counter[str]]:
    """Write ``render(settings, label, text, error, tally)`` of each record to ``out``, in order;
    return how many records there were and the tally. ``jobs`` above 1 uses that many worker
    processes once the input proves large (see the module's note); an error of the input is
    raised after the output of every record read before it."""
    tally: Counter[str] = Counter()
    source = iter(records)
    if jobs <= 1:
        return _here(source, render, settings, out, tally), tally
    head: list[tuple[str, Record]] = []
    size = 0
    try:
        while len(head) < START_LINES and size < START_BYTES:
            pair = next(source, None)
            if pair is None:
                return _here(iter(head), render, settings, out, tally), tally
            head.append(pair)
            size += len(pair[1].text or "")
    except Exception:
        _here(iter(head), render, settings, out, tally)
        raise
    items = ((label, r.text, r.error) for label, r in _chained(head, source))
    return _in_workers(items, render, settings, jobs, out, tally), tally


def _chained(
    head: list[tuple[str, Record]], source: Iterator[tuple[str, Record]]
) -> Iterator[tuple[str, Record]]:
    # Not itertools.chain: the head is dropped as it is consumed, not held to the end.
    head.reverse()
    while head:
        yield head.pop()
    yield from source


def _here(
    source: Iterator[tuple[str, Record]],
    render: Render[S],
    settings: S,
    out: TextIO,
    tally: Counter[str],
) -> int:
    count = 0
    for label, record in source:
        count += 1
        text = render(settings, label, record.text, record.error, tally)
        if text:
            out.write(text)
    return count


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    """The items in chunks; an error of the input comes after the chunk it cut short."""
    chunk: list[Item] = []
    size = 0
    try:
        for item in items:
            chunk.append(item)
            size += len(item[1] or "")
            if len(chunk) >= CHUNK_LINES or size >= CHUNK_BYTES:
                yield chunk
                chunk, size = [], 0
    except Exception:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def _in_workers(
    items: Iterator[Item],
    render: Render[S],
    settings: S,
    jobs: int,
    out: TextIO,
    tally: Counter[str],
) -> int:
    from concurrent.futures.process import BrokenProcessPool

    count = 0
    pending: deque[tuple[Future[Result], str, int]] = deque()  # with first label, length
    # A forked worker flushes its copy of what the output streams buffer as it ends: nothing
    # has been written yet, but the streams are emptied first all the same.
    for stream in (out, sys.stdout, sys.stderr):
        stream.flush()
    pool = start_pool(jobs, render, settings)
    finished = False

    def write_oldest() -> None:
        nonlocal count
        future, first, length = pending.popleft()
        try:
            text, counted = future.result()
        except BrokenProcessPool:
            raise _stopped(first) from None
        out.write(text)
        tally.update(counted)
        count += length

    try:
        chunks = _chunks(items)
        failure: Exception | None = None
        while True:
            try:
                chunk = next(chunks, None)
            except Exception as exc:  # the input's: raised once what came before is written
                failure = exc
                break
            if chunk is None:
                break
            try:
                pending.append((pool.submit(_render_chunk, chunk), chunk[0][0], len(chunk)))
            except BrokenProcessPool:  # a worker died: the oldest chunk not written says where
                while pending:
                    write_oldest()
                raise _stopped(chunk[0][0]) from None
            if len(pending) >= AHEAD * jobs:
                write_oldest()
        while pending:
            write_oldest()
        finished = True
        if failure is not None:
            raise failure
    finally:
        _stop(pool, finished)
    return count


def _stopped(label: str) -> WorkerStopped:
    return WorkerStopped(
        f"a worker process stopped (killed, or out of memory?): the output ends before {label}; "
        "run again with --jobs 1 to check in this process"
    )


def start_pool(jobs: int, render: Render[S], settings: S) -> ProcessPoolExecutor:
    """``jobs`` worker processes, each given ``render`` and ``settings`` once."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context(_start_method()),
        initializer=_start_worker,
        initargs=(render, settings),
    )


def _start_method() -> str:
    """fork on Linux from a process with no other thread (the command's own): its workers start
    at once with everything imported, and a fork is only unsafe where another thread may hold
    a lock. Otherwise (a caller with threads, or another system) a forkserver, or spawn, both
    of which import the command afresh in each worker. Not the forkserver's preload: until
    CPython's gh-117378 (fixed late 2024) its server imported from the folder it was started
    in, where another ``harness`` folder would shadow this one."""
    import multiprocessing

    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _stop(pool: ProcessPoolExecutor, finished: bool) -> None:
    """Shut the pool down; after an interruption (Ctrl-C, a closed output, a dead worker) its
    workers are ended at once, not left to finish chunks nobody will read."""
    if finished:
        pool.shutdown(wait=True)
        return
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)


_worker: tuple[Render[Any], Any] | None = None


def _start_worker(render: Render[S], settings: S) -> None:
    global _worker
    _worker = (render, settings)
    # Ctrl-C reaches every process of the terminal's group: the command ends its workers
    # itself, and a worker must not print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A command that is killed (kill, kill -9) cannot end its workers: they end themselves
    # once it is gone (they would wait for chunks for ever, each holding its memory).
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    # As in harness.checks.parallel: the imports are frozen out of the collector, which then
    # runs a hundred times less often (short-lived findings trip it dozens of times a chunk).
    gc.freeze()
    gc.set_threshold(70_000, 10, 10)


def _end_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _render_chunk(chunk: list[Item]) -> Result:
    assert _worker is not None, "the pool's initializer runs first"
    render, settings = _worker
    tally: Counter[str] = Counter()
    text = "".join([render(settings, label, body, error, tally) for label, body, error in chunk])
    return text, tally
