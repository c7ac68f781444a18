"""Checking the pages of a list, on several cores: ``check_objects_of_pages`` takes the JSON
text of each page of an OCPI list response and gives, page by page, the findings of each
object of its ``data``, in order, streaming. A full check, with the cost oracle, is a few
tenths of a millisecond of pure Python per CDR, so a crawl of a large partner is CPU-bound: a
pool of worker processes checks the pages when the crawl is big enough to repay starting
them.

Pages travel as the text the target sent: sending a worker one string costs next to nothing,
where pickling parsed objects and serialising them again for strict validation cost about as
much as validating them; and a worker validates a whole page's ``data`` in one call."""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from harness.checks.registry import check
from harness.exchange import parse_body
from harness.findings import Finding, Level
from harness.models import Kind, model_for
from harness.options import DEFAULT_OPTIONS, Options

CHUNK = 2  # pages sent to a worker at a time
MIN_PARALLEL = 2_000  # objects: below this, the pool costs more than it saves

PageFindings = list[list[Finding]]  # the findings of each object of one page


def default_workers() -> int:
    """Processes to use when the caller does not say: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@cache
def _page_model(version: str, kind: Kind) -> type[BaseModel]:
    """A model of a list response that reads only ``data``, a list of the version's objects."""
    objects: Any = cast(Any, list)[model_for(version, kind)]
    return create_model(
        f"Page_{kind}_{version.replace('.', '_')}",
        __config__=ConfigDict(strict=True, extra="ignore"),
        data=(objects, ...),
    )


def check_page_objects(
    text: str | bytes, version: str, kind: Kind, options: Options = DEFAULT_OPTIONS
) -> PageFindings:
    """The findings of each object in the ``data`` list of one page (the JSON text of a list
    response); nothing when the page has no such list (the transport checks say why)."""
    from harness.checks import check_model, check_object

    try:
        page: Any = _page_model(version, kind).model_validate_json(text)
    except ValidationError:
        # Some object is invalid (or the page is no list at all): object by object, so that
        # each gets its own findings and one bad object hides nothing of the others. The page
        # is read as the crawl read it.
        parsed, _ = parse_body(text)
        data = parsed.get("data") if isinstance(parsed, dict) else None
        if not isinstance(data, list):
            return []
        return [check_object(item, version, kind, options) for item in data]
    return [list(check_model(model, version, kind, options)) for model in page.data]


def _start_worker() -> None:
    # A page's objects and their findings live a few milliseconds and hold no cycles worth
    # chasing, yet they trip the collector's young-generation threshold dozens of times a
    # page, and each full collection walks every imported module: in a worker, the imports
    # are frozen out of the collector and it runs a hundred times less often (a fifth of
    # the checking time on a crawl).
    gc.freeze()
    gc.set_threshold(70_000, 10, 10)


def _check_chunk(
    job: tuple[list[str | bytes], str, Kind, Mapping[str, str]],
) -> list[PageFindings]:
    texts, version, kind, values = job
    options = Options(dict(values))
    return [check_page_objects(text, version, kind, options) for text in texts]


def check_objects_of_pages(
    pages: Iterable[str | bytes],
    version: str,
    kind: Kind,
    options: Options = DEFAULT_OPTIONS,
    workers: int | None = None,
    expected: int | None = None,
) -> Iterator[PageFindings]:
    """``check_page_objects`` of each page, in order. ``workers`` processes (default: the usable
    cores) check chunks of ``CHUNK`` pages; with one worker, or when ``expected`` (the number
    of objects, when known) is under ``MIN_PARALLEL``, everything runs here."""
    count = workers if workers is not None else default_workers()
    if count <= 1 or (expected is not None and expected < MIN_PARALLEL):
        for text in pages:
            yield check_page_objects(text, version, kind, options)
        return
    values = dict(options.values)
    source = iter(pages)
    jobs = (
        (chunk, version, kind, values)
        for chunk in iter(lambda: list(itertools.islice(source, CHUNK)), [])
    )
    # forkserver: the pool's processes do not inherit this process's threads (an HTTP client,
    # a mock server) the way fork would; they import the checks once and are reused.
    context = multiprocessing.get_context("forkserver")
    # The server imports the checks once; each worker it forks starts with them.
    context.set_forkserver_preload([__name__])
    with context.Pool(count, initializer=_start_worker) as pool:
        for results in pool.imap(_check_chunk, jobs):
            yield from results


@check(requirements=("C-002", "TF-001"), needs=("list page",))
def check_page_readable(kind: Kind, listed: int, readable: int, page: str) -> list[Finding]:
    """Every object the crawl listed on ``page`` could be read for checking: where a parser's
    limit cut some off (JSON nested too deeply, say), say so rather than pin findings on the
    wrong objects (C-002 for CDRs, TF-001 for tariffs)."""
    if listed == readable:
        return []
    return [
        Finding(
            "C-002" if kind == "cdr" else "TF-001",
            Level.ERROR,
            f"{listed} objects listed on this page, {readable} could be read for checking: the "
            "page's objects are not checked",
            "$.data",
            exchange=page,
        )
    ]
