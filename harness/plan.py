"""A run's budget and the crawl plan it buys against a list too large to read whole.

Against a production partner (a million CDRs) a crawl in pages of 7 would take hours and
hammer the partner. The plan is sized from the list's X-Total-Count: a list the budget can
read whole is read whole, as always; a larger one is read in full inside a *window* of its most
recent objects by last_updated (``date_from`` chosen so that the window holds what the budget
allows, found by asking counts with ``limit=1``), and sampled elsewhere by pages at random
offsets. Every check that needs every object then says what it covered ("validated 6,993 of
1,000,000 CDRs: ..."), a partial outcome caused by the budget (H-BUDGET-01), never a failure.

A target whose X-Total-Count ignores date_from cannot size a window: its first pages are read
instead (the date-window check reports the filter).
"""

from __future__ import annotations

import math
import random
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from harness.checks.exchange_finding import unanswered
from harness.client import OcpiClient
from harness.exchange import CrawlBudget, Exchange, as_count

__all__ = ["DEFAULT_BUDGET", "SMALL_PAGE", "Budget", "BudgetError", "CrawlPlan", "plan_crawl"]

SMALL_PAGE = 7  # the completeness crawl's page size: small, so that paging is exercised
BIG_PAGE = 1000  # the comparison crawl's page size (the target may clamp it)
_PROBE_PAGES = 40  # pages at random offsets outside a window, at most
_SEARCH_STEPS = 40  # count requests to find a window's start, at most
# Pages of 7 kept free below --ocpi-max-pages and beyond a window's count: a partner that adds
# CDRs while it is read must not run the crawl into a limit that would be reported
_SLACK_PAGES = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class BudgetError(ValueError):
    """A --ocpi-budget value that cannot be read: the message names the fix."""


@dataclass(frozen=True, slots=True)
class Budget:
    """Requests and seconds a run may spend at most on its large crawls (None: no bound)."""

    requests: int | None
    seconds: float | None

    @property
    def bounded(self) -> bool:
        """Whether anything is bounded."""
        return self.requests is not None or self.seconds is not None

    @classmethod
    def parse(cls, text: str | None) -> Budget:
        """``4000`` (requests), ``10m`` or ``600s`` (time), both comma-separated
        (``4000,10m``), ``none``, or ``auto``/empty (``DEFAULT_BUDGET``)."""
        value = (text or "auto").strip().lower()
        if value == "auto":
            return DEFAULT_BUDGET
        if value == "none":
            return cls(None, None)
        requests: int | None = None
        seconds: float | None = None
        for part in value.split(","):
            match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(m|min|s|r|requests)?\s*", part)
            if match is None or float(match.group(1)) <= 0:
                raise BudgetError(
                    f"--ocpi-budget {text!r}: give requests (4000), minutes (10m), seconds "
                    "(600s), both (4000,10m), none or auto"
                )
            number, unit = float(match.group(1)), match.group(2)
            if unit in ("m", "min"):
                seconds = number * 60
            elif unit == "s":
                seconds = number
            else:
                requests = int(number)
        return cls(requests, seconds)


# Ends a run against a 1,000,000-CDR partner within 10 minutes on a normal link: the window
# crawl in pages of 7 is at most --ocpi-max-pages (1,000) pages, the rest a few hundred.
DEFAULT_BUDGET = Budget(requests=4000, seconds=600.0)


@dataclass
class CrawlPlan:
    """How the CDR list is read: whole (``window`` and ``pages`` None), in full from
    ``window`` on (a ``date_from``), or its first ``pages`` pages; ``probes`` are offsets of the
    whole list read as single pages besides. ``total`` is the list's X-Total-Count,
    ``in_window`` the window's; ``how`` says how the plan was made."""

    total: int | None
    window: str | None = None
    in_window: int | None = None
    pages: int | None = None
    probes: tuple[int, ...] = ()
    how: list[str] = field(default_factory=list)
    # no request of the planned crawls after this moment (time.monotonic(); the budget's time)
    until: float | None = None
    # the largest page the target serves (its X-Limit), for the crawls in large pages
    big_page: int = BIG_PAGE

    @property
    def whole(self) -> bool:
        """The list is read whole."""
        return self.window is None and self.pages is None

    def params(self, limit: int) -> dict[str, Any]:
        """The request parameters of a crawl of the planned part in pages of ``limit``."""
        if self.window is None:
            return {"limit": limit}
        return {"date_from": self.window, "limit": limit}

    def budget(self, limit: int) -> CrawlBudget:
        """What a crawl of the planned part in pages of ``limit`` may spend: the budget's
        time, and (unless the list is read whole) as many pages as the part holds, with a
        few more for a window that grows while it is read."""
        if self.whole:
            return CrawlBudget(None, self.until)
        if self.window is not None:
            pages = math.ceil((self.in_window or 0) / limit) + _SLACK_PAGES
        else:
            pages = math.ceil((self.pages or 1) * SMALL_PAGE / limit)
        return CrawlBudget(max(pages, 1), self.until)

    def coverage(self, checked: int, probed: int, noun: str = "CDRs") -> str:
        """What was read, in a sentence: "validated 6,993 of 1,000,000 CDRs: the window
        date_from=... (the most recent by last_updated); 40 pages at random offsets
        elsewhere (280 CDRs)"."""
        total = f"{self.total:,}" if self.total is not None else "an unknown number of"
        where = (
            f"the window date_from={self.window} ({self.in_window:,} {noun}, the most recent by "
            "last_updated)"
            if self.window is not None
            else f"the first {self.pages} pages of {SMALL_PAGE}"
        )
        told = f"validated {checked + probed:,} of {total} {noun}: {where}"
        if self.probes:
            told += f"; {len(self.probes)} pages at random offsets elsewhere ({probed:,} {noun})"
        return told


def plan_crawl(
    client: OcpiClient, url: str, budget: Budget, seed: str, noun: str = "cdrs"
) -> CrawlPlan:
    """The plan for the list at ``url`` under ``budget`` (``seed`` picks the probe offsets)."""
    started = time.monotonic()
    until = None if budget.seconds is None else started + 0.9 * budget.seconds
    first = _count(client, url, {}, f"GET {noun}: plan, count")
    most = client.max_pages - _SLACK_PAGES  # pages of 7 one crawl may take
    if isinstance(first, str):
        plan = CrawlPlan(None, pages=max(most, 1), until=until)
        plan.how.append(f"{first}: the first {plan.pages} pages at most are read")
        return plan
    total, latency, x_limit = first
    capacity = _capacity(budget, latency)
    big = min(BIG_PAGE, x_limit or BIG_PAGE)
    needed = math.ceil(total / SMALL_PAGE) + 3 * math.ceil(total / big)
    if total <= SMALL_PAGE * most and (not budget.bounded or needed <= capacity):
        return CrawlPlan(total, how=[f"{total:,} objects: read whole"], until=until, big_page=big)
    share = most if not budget.bounded else min(most, int(0.4 * capacity))
    target = SMALL_PAGE * max(share, 1)
    steps = _SEARCH_STEPS if not budget.bounded else min(_SEARCH_STEPS, max(capacity // 10, 12))
    plan = _windowed(client, url, noun, total, target, steps)
    plan.until, plan.big_page = until, big
    if not budget.bounded:
        plan.how.append(f"--ocpi-max-pages ({client.max_pages}) bounds a crawl in pages of 7")
    plan.probes = _probe_offsets(total, min(_PROBE_PAGES, max(capacity // 50, 1)), seed)
    plan.how.append(f"planned in {time.monotonic() - started:.1f} s")
    return plan


def _capacity(budget: Budget, latency: float) -> int:
    """Requests the large crawls may make: the budget's requests, and what its seconds allow
    at the latency seen (a small page with its checks costs a little more than a count)."""
    limits = [budget.requests or 10**9]
    if budget.seconds is not None:
        limits.append(int(0.6 * budget.seconds / max(latency * 1.5 + 0.002, 0.001)))
    return max(min(limits), 1)


def _count(
    client: OcpiClient, url: str, params: dict[str, Any], label: str
) -> tuple[int, float, int | None] | str:
    """The X-Total-Count of the list with ``params``, the seconds the answer took and its
    X-Limit; or why there is no count (the answer, or its missing header)."""
    started = time.monotonic()
    page = client.get(url, label, params={**params, "limit": 1})
    envelope = page.envelope or {}
    if page.status != 200 or not isinstance(envelope.get("data"), list):
        return f"the count was not read ({_why(page)})"
    total = as_count(page.header("X-Total-Count"))
    if total is None:
        return "the list gives no X-Total-Count"
    return total, time.monotonic() - started, as_count(page.header("X-Limit"))


def _why(page: Exchange) -> str:
    cause = unanswered(page)
    return cause[1] if cause is not None else f"HTTP {page.status}, no list"


def _windowed(
    client: OcpiClient, url: str, noun: str, total: int, target: int, steps: int
) -> CrawlPlan:
    """A window of at most ``target`` objects, and not many fewer: its date_from found by
    halving the span between the epoch and tomorrow (in whole seconds) on the counts the
    target gives. A count that does not move with date_from sizes no window: the first pages
    are read instead."""
    low = int(_EPOCH.timestamp())
    high = int((datetime.now(timezone.utc) + timedelta(days=1)).timestamp())
    first_pages = CrawlPlan(total, pages=max(target // SMALL_PAGE, 1))
    late = _count(client, url, {"date_from": _stamp(high)}, f"GET {noun}: plan, from tomorrow")
    if isinstance(late, str) or late[0] >= total - _moved(total):
        seen = late if isinstance(late, str) else f"date_from=tomorrow counts {late[0]:,}"
        first_pages.how.append(
            f"{seen} of the {total:,} listed: the count does not follow date_from, so no "
            f"window can be sized by date; the first {first_pages.pages} pages are read"
        )
        return first_pages
    best: tuple[int, int] | None = None
    counts = iter(range(1, steps + 1))
    stopped: list[str] = []

    def count_from(moment: int) -> int | str:
        step = next(counts, None)
        got = (
            f"the search for a window's start used its {steps} requests"
            if step is None
            else _count(client, url, {"date_from": _stamp(moment)}, f"GET {noun}: plan {step}")
        )
        if isinstance(got, str):
            stopped.append(got)
            return got
        return got[0]

    # Back from tomorrow a day, two, four...: the most recent CDRs are usually days old,
    # so the window's start is bracketed in a few counts, then found by halving.
    span = 86_400
    while high - span > low:
        counted = count_from(high - span)
        if isinstance(counted, str):
            break
        if counted > target:
            low = high - span
            break
        best = (high - span, counted)
        if counted >= 0.7 * target:
            break
        span *= 2
    top = best[0] if best is not None else high
    while best is None or best[1] < 0.7 * target:
        if top - low <= 1:
            break
        middle = (low + top) // 2
        counted = count_from(middle)
        if isinstance(counted, str):
            break
        if counted > target:
            low = middle
        else:
            top, best = middle, (middle, counted)
    if best is None or best[1] == 0:
        why = (
            stopped[0]
            if stopped
            else f"more than {target:,} objects have a last_updated at {_stamp(low)} or "
            "later, within one second"
        )
        first_pages.how.append(
            f"{why}, so no window was found: the first {first_pages.pages} pages are read"
        )
        return first_pages
    plan = CrawlPlan(total, window=_stamp(best[0]), in_window=best[1])
    plan.how.append(
        f"{total:,} objects, more than the budget reads whole: the {best[1]:,} updated from "
        f"{plan.window} on are read whole"
    )
    return plan


def _moved(total: int) -> int:
    """How far a count may move between two requests (a live partner adds CDRs)."""
    return max(10, total // 1000)


def _probe_offsets(total: int, count: int, seed: str) -> tuple[int, ...]:
    """``count`` page offsets spread over the whole list, the same for the same seed."""
    pages = max(total - SMALL_PAGE, 0)
    if pages == 0:
        return ()
    chooser = random.Random(f"probes-{seed}")  # sampling, not security
    return tuple(sorted(chooser.sample(range(pages + 1), min(count, pages + 1))))


def _stamp(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
