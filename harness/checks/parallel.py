"""Checking many objects on several cores: ``check_many`` gives each object's findings, in
order, streaming, from a pool of worker processes when the batch is big enough to repay
starting them (a full check, with the cost oracle, is a few tenths of a millisecond of pure
Python per CDR, so a crawl of a large partner is CPU-bound)."""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from harness.findings import Finding
from harness.models import Kind
from harness.options import DEFAULT_OPTIONS, Options

CHUNK = 100  # objects sent to a worker at a time
MIN_PARALLEL = 2_000  # below this, the pool costs more than it saves


def default_workers() -> int:
    """Processes to use when the caller does not say: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _check_chunk(
    job: tuple[list[Any], str, Kind, Mapping[str, str]],
) -> list[list[Finding]]:
    from harness.checks import check_object

    objects, version, kind, values = job
    options = Options(dict(values))
    return [check_object(obj, version, kind, options) for obj in objects]


def check_many(
    objects: Iterable[Any],
    version: str,
    kind: Kind,
    options: Options = DEFAULT_OPTIONS,
    workers: int | None = None,
    expected: int | None = None,
) -> Iterator[list[Finding]]:
    """The findings of each object, in order. ``workers`` processes (default: the usable
    cores) check chunks of ``CHUNK`` objects; with one worker, or when ``expected`` (the
    number of objects, when known) is under ``MIN_PARALLEL``, everything runs here."""
    from harness.checks import check_object

    count = workers if workers is not None else default_workers()
    if count <= 1 or (expected is not None and expected < MIN_PARALLEL):
        for obj in objects:
            yield check_object(obj, version, kind, options)
        return
    values = dict(options.values)
    source = iter(objects)
    jobs = (
        (chunk, version, kind, values)
        for chunk in iter(lambda: list(itertools.islice(source, CHUNK)), [])
    )
    # forkserver: the pool's processes do not inherit this process's threads (an HTTP client,
    # a mock server) the way fork would; they import the checks once and are reused.
    context = multiprocessing.get_context("forkserver")
    with context.Pool(count) as pool:
        for results in pool.imap(_check_chunk, jobs):
            yield from results
