"""A crawl of a sender's list: every page checked as a page (envelope, headers, pagination),
the id and last_updated of each object noted for the crawl checks (a last_updated in another
form than OCPI's is dated by the instant it names, one that names none is noted as undated:
the schema check says what is wrong with either, the date-window check leaves the undated
out), and, when asked, every
object checked (schema, consistency, cost) while the crawl goes on, on several cores when the
list is large (``harness.checks.parallel``)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from harness.checks.exchange_finding import BUDGET_CAUSE, answer_fact, is_redirect, unanswered
from harness.checks.pagination import (
    check_crawl_stop,
    check_page,
    datetime_instant,
    dropped_filters,
    readable_instant,
)
from harness.checks.parallel import check_objects_of_pages, check_page_readable
from harness.checks.transport import check_response
from harness.client import OcpiClient
from harness.exchange import Crawl, CrawlBudget, CrawlStop, Exchange, as_count, next_link
from harness.findings import Finding, Level
from harness.models import Kind
from harness.options import DEFAULT_OPTIONS, Options
from harness.progress import Meter


@dataclass(frozen=True)
class ObjectChecks:
    """Check every listed object as ``kind`` of the client's version, with ``options``, on
    ``workers`` processes (None: the usable cores)."""

    kind: Kind
    options: Options = DEFAULT_OPTIONS
    workers: int | None = None


@dataclass
class Listing:
    """What a crawl of a list saw: the ids in the order listed, (id, last_updated) pairs of
    the objects whose last_updated names an instant (as an OCPI DateTime: one in another form,
    ``2025-01-01 10:00:00+00:00``, rewritten) and the ids of those whose names none
    (``undated``), each page's X-Total-Count and X-Limit, the findings on the pages and the
    crawl, and, when objects were checked, their findings (``checked`` of them).
    ``incomplete`` says why the crawl did not reach the list's end, when it did not: the
    requirement id of that root cause and the fact (a page without a list, a Link that looped
    or left the target); what needs every object is then blocked or partial, never judged
    as if the list were whole."""

    ids: list[str] = field(default_factory=list)
    stamps: list[tuple[str, str]] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)
    totals: list[int | None] = field(default_factory=list)
    x_limits: list[int | None] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    object_findings: list[Finding] = field(default_factory=list)
    checked: int = 0
    incomplete: tuple[str, str] | None = None


def crawl(
    client: OcpiClient,
    url: str,
    params: dict[str, Any],
    *,
    noun: str = "cdrs",
    checks: ObjectChecks | None = None,
    budget: CrawlBudget | None = None,
) -> Listing:
    """Every page of the list at ``url`` from ``params`` on (exchanges labelled ``GET
    <noun> <params>``), and with ``checks`` every object checked; with ``budget``, within
    what the plan gave it (then ``incomplete`` names the budget, H-BUDGET-01, when more
    remain), a continuation by offset after a failed Link included."""
    listing = Listing()
    # Each page not yet checked, in order: its label and the ids of its objects (the checks
    # come back page by page, a little behind the crawl).
    owners: deque[tuple[str, list[str]]] = deque()
    pages = _pages(client, url, params, noun, listing, owners, budget)
    if checks is None:
        for _ in pages:
            pass
        return listing
    first = next(pages, None)
    if first is None:
        return listing
    # The first page's X-Total-Count says whether the crawl is big enough for the pool; a
    # target that does not say is checked here (it fails T-PAG-04 anyway).
    total = listing.totals[0] if listing.totals else None
    expected = total if total is not None else len(owners[0][1])
    for page in check_objects_of_pages(
        itertools.chain([first], pages),
        client.version,
        checks.kind,
        checks.options,
        checks.workers,
        expected,
    ):
        label, idents = owners.popleft()
        unreadable = check_page_readable(checks.kind, len(idents), len(page), label)
        if unreadable:
            listing.object_findings += unreadable
            continue
        noun = checks.kind.upper()
        for found, ident in zip(page, idents, strict=True):
            listing.checked += 1
            listing.object_findings += [f.on_object(f"{noun} {ident}", label) for f in found]
    return listing


# A Link that cannot be followed, where the pages of the endpoint URL can still be asked by
# offset and limit: the crawl goes on that way, so one defect does not hide the rest.
_CONTINUABLE = frozenset({"broken-link", "drops-filters", "loop", "other-origin", "link-missing"})
CONTINUED = "continued by offset after the Link failed"


def _pages(
    client: OcpiClient,
    url: str,
    params: dict[str, Any],
    noun: str,
    listing: Listing,
    owners: deque[tuple[str, list[str]]],
    budget: CrawlBudget | None = None,
) -> Iterator[str]:
    """The text of each page whose data is a list, noting what the crawl needs in
    ``listing`` and ``owners`` (this may run in the pool's feeding thread: ``deque`` appends
    are atomic)."""
    crawled = Crawl()
    query = "&".join(f"{k}={v}" for k, v in params.items()) or "(no parameters)"
    label = f"GET {noun} {query}"
    meter = _Meter(client, label, noun)
    try:
        yield from _listed_pages(
            client, url, params, noun, listing, owners, budget, crawled, label, meter
        )
    finally:
        meter.close()


class _Meter:
    """The crawl's progress meter, started at its first page (whose X-Total-Count is the
    total), when the client has meters (the plugin's terminal)."""

    def __init__(self, client: OcpiClient, label: str, noun: str) -> None:
        self.client, self.label, self.unit = client, label, noun.upper()
        self.meter: Meter | None = None

    def page(self, objects: int, total: int | None) -> None:
        meters = self.client.meters
        if meters is None:
            return
        if self.meter is None:
            self.meter = meters.start(self.label, total, self.unit)
        self.meter.advance(1, objects)

    def close(self) -> None:
        if self.meter is not None:
            self.meter.close()


def _listed_pages(
    client: OcpiClient,
    url: str,
    params: dict[str, Any],
    noun: str,
    listing: Listing,
    owners: deque[tuple[str, list[str]]],
    budget: CrawlBudget | None,
    crawled: Crawl,
    label: str,
    meter: _Meter,
) -> Iterator[str]:
    """The pages of ``_pages``, and how the crawl ended (in ``crawled`` and ``listing``)."""
    offset = int(params.get("offset", 0))
    served = 0
    for page in client.paginate(url, params, crawled, label=label, budget=budget):
        found = check_response(page, client.profile, expect_list=True, functional=True)
        found += check_page(page, client.profile, offset)
        data = (page.envelope or {}).get("data")
        if not isinstance(data, list) or page.text is None:
            status = page.status or 0
            # A page with no answer to judge (throttled to the end, past the deadline) says
            # nothing of the Link that led to it: its own cause is the root.
            if crawled.pages > 1 and 400 <= status < 500 and unanswered(page) is None:
                # The Link led to a URL nothing serves (a 404 from the framework, not an
                # OCPI answer): the Link is the root cause, the page's own findings its echo.
                crawled.stop = CrawlStop(
                    "broken-link", crawled.pages - 1, page.url, answer_fact(page)
                )
            else:
                listing.findings += found
                listing.incomplete = _why_no_list(page, listing.findings)
            break
        listing.findings += found
        _note_page(page, data, offset, listing, owners)
        meter.page(len(data), listing.totals[0] if listing.totals else None)
        offset += len(data)
        served = len(data)
        yield page.text
        link = next_link(page, page.url)
        dropped = [] if link is None else dropped_filters(link, params)
        if link is not None and dropped:
            crawled.stop = CrawlStop("drops-filters", crawled.pages, link, ", ".join(dropped))
            break
        if link is not None and not data:  # past the end, a Link would lead on forever
            crawled.stop = CrawlStop("empty-page", crawled.pages, link)
            break
    else:  # no Link: the list ended, unless its count says more and the next offset lists more
        total = listing.totals[-1] if listing.totals else None
        if crawled.stop is None and total is not None and offset < total:
            crawled.stop = _objects_remain(client, url, params, offset, crawled.pages, label)
            if crawled.stop is None and crawled.pages > 1:
                # Fewer objects than counted, none after them: the offsets or the count are
                # off (the crawl checks say which); either way these pages are not the list.
                start = int(params.get("offset", 0))
                fact = f"the pages listed {offset - start} objects, X-Total-Count says {total}"
                listing.incomplete = ("T-PAG-01", fact)
    stop = crawled.stop
    if stop is not None and stop.reason in _CONTINUABLE and listing.incomplete is None:
        # Pages as large as the request's limit, else as the target served its last one
        onward = _ByOffset(
            client, url, params, offset, f"{label} {CONTINUED}", crawled.pages, served, budget
        )
        yield from onward.pages(listing, owners, meter)
        crawled.stop = CrawlStop(
            stop.reason, stop.page, stop.url, stop.fact, onward.outcome, onward.complete
        )
        if onward.budget_spent and listing.incomplete is None:
            fact = f"the continuation by offset used what the plan gave ({onward.outcome})"
            listing.incomplete = (BUDGET_CAUSE, fact)
    if stop is not None and stop.reason == "budget" and listing.incomplete is None:
        fact = (
            f"the plan's budget ended this crawl after {stop.page} pages (--ocpi-budget), and "
            "the list goes on"
        )
        listing.incomplete = (BUDGET_CAUSE, fact)
    stopped = check_crawl_stop(crawled)
    listing.findings += stopped
    if stopped and listing.incomplete is None and not _whole(crawled):
        listing.incomplete = (stopped[0].requirement, stopped[0].message)


def _whole(crawled: Crawl) -> bool:
    """Every object was seen despite the stop: continued by offset to the end, or a Link on
    a page past the end (the list had ended; the Link is the finding)."""
    stop = crawled.stop
    return stop is not None and (stop.complete or stop.reason == "empty-page")


def _note_page(
    page: Exchange,
    data: list[Any],
    offset: int,
    listing: Listing,
    owners: deque[tuple[str, list[str]]],
) -> None:
    """Note a page's counts, ids and last_updated stamps, and queue its ids for the checks."""
    listing.totals.append(as_count(page.header("X-Total-Count")))
    listing.x_limits.append(as_count(page.header("X-Limit")))
    idents = []
    for index, item in enumerate(data, offset):
        ident = str(item.get("id")) if isinstance(item, dict) else f"at offset {index}"
        if isinstance(item, dict):
            listing.ids.append(ident)
            stamp = item.get("last_updated")
            # What a date filter can be set to and compared with: an OCPI DateTime, or the
            # instant another form names (the schema check reports the form)
            if isinstance(stamp, str) and datetime_instant(stamp) is not None:
                listing.stamps.append((ident, stamp))
            elif (rewritten := readable_instant(stamp)) is not None:
                listing.stamps.append((ident, rewritten))
            else:
                listing.undated.append(ident)
        idents.append(ident)
    owners.append((page.label, idents))


class _ByOffset:
    """The rest of a list asked page by page by offset and limit on the endpoint URL, after
    its Link failed: each page is checked as a page, and ``outcome`` says how it ended
    ("reached the end of the list ...", or why not; ``complete`` when every object the list
    counts was seen). Bounded by ``--ocpi-max-pages`` for the whole crawl."""

    def __init__(
        self,
        client: OcpiClient,
        url: str,
        params: dict[str, Any],
        offset: int,
        label: str,
        pages_so_far: int,
        served: int,
        budget: CrawlBudget | None = None,
    ) -> None:
        self.client, self.url, self.params = client, url, params
        self.offset, self.label, self.served = offset, label, served
        self.so_far = pages_so_far
        self.budget = max(client.max_pages - pages_so_far, 0)
        self.plan = budget
        self.outcome = ""
        self.complete = False
        self.budget_spent = False

    def pages(
        self, listing: Listing, owners: deque[tuple[str, list[str]]], meter: _Meter
    ) -> Iterator[str]:
        start, seen = self.offset, set(listing.ids)
        limit = as_count(str(self.params.get("limit", ""))) or self.served or 100
        total: int | None = None
        for number in itertools.count(1):
            total = next((t for t in reversed(listing.totals) if t is not None), None)
            if total is not None and self.offset >= total:
                break
            if self.plan is not None and self.plan.spent(self.so_far + number - 1):
                self.outcome = f"stopped after {number - 1} pages (--ocpi-budget)"
                self.budget_spent = True
                return
            if number > self.budget:
                self.outcome = f"stopped after {number - 1} pages (--ocpi-max-pages)"
                return
            page = self.client.get(
                self.url,
                f"{self.label} {number}",
                params={**self.params, "offset": self.offset, "limit": limit},
            )
            envelope = page.envelope or {}
            data = envelope.get("data")
            if (
                not isinstance(data, list)
                or page.text is None
                or envelope.get("status_code") != 1000
            ):
                self.outcome = f"stopped: offset={self.offset} answered {answer_fact(page)}"
                return
            listing.findings += check_response(
                page, self.client.profile, expect_list=True, functional=True
            )
            listing.findings += check_page(page, self.client.profile, self.offset)
            if not data:
                if total is not None:  # the count says more: these pages are not the list
                    self.outcome = (
                        f"stopped: offset={self.offset} lists nothing, X-Total-Count says {total}"
                    )
                    return
                break
            idents = {str(o["id"]) for o in data if isinstance(o, dict) and "id" in o}
            if idents & seen:
                self.outcome = (
                    f"stopped: offset={self.offset} lists objects already seen (the offset "
                    "is not honoured either)"
                )
                return
            seen |= idents
            _note_page(page, data, self.offset, listing, owners)
            meter.page(len(data), total)
            self.offset += len(data)
            yield page.text
        self.complete = True
        self.outcome = (
            f"reached the end of the list: {self.offset - start} more objects from offset={start}"
        )


def _objects_remain(
    client: OcpiClient, url: str, params: dict[str, Any], offset: int, pages: int, label: str
) -> CrawlStop | None:
    """After a last page without a Link where X-Total-Count says more: whether the next
    offset lists an object (the Link is missing, T-PAG-04), or not (the count or the offsets
    are off: the crawl checks judge those)."""
    probe = client.get(
        url,
        f"{label}: offset={offset} after the last Link",
        params={**params, "offset": offset, "limit": 1},
    )
    data = (probe.envelope or {}).get("data")
    if not isinstance(data, list) or not data:
        return None
    first = data[0].get("id") if isinstance(data[0], dict) else data[0]
    return CrawlStop("link-missing", pages, probe.url, f"offset={offset} lists {first!r}")


def _why_no_list(page: Exchange, found: list[Finding]) -> tuple[str, str]:
    """The root cause of a page that holds no list (the first, or one a Link led to that
    answered no 4xx): why it had no answer, else the first error its checks found, else the
    answer itself."""
    cause = unanswered(page)
    if cause is not None:
        return cause[0], f"{page.label}: {cause[1]}"
    if is_redirect(page):
        return "H-HTTP-04", f"{page.label}: {answer_fact(page)}, a redirect"
    errors = [f for f in found if f.exchange == page.label and f.level is Level.ERROR]
    if errors:
        return errors[0].requirement, f"{page.label}: {errors[0].message}"
    return "T-ENV-01", f"{page.label} holds no list: {answer_fact(page)}"
