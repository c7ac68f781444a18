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

from harness.client import OcpiClient
from harness.exchange import as_count

__all__ = ["DEFAULT_BUDGET", "SMALL_PAGE", "Budget", "BudgetError", "CrawlPlan", "plan_crawl"]

SMALL_PAGE = 7  # the completeness crawl's page size: small, so that paging is exercised
BIG_PAGE = 1000  # the comparison crawl's page size (the target may clamp it)
_PROBE_PAGES = 40  # pages at random offsets outside a window, at most
_SEARCH_STEPS = 40  # count requests to find a window's start, at most
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

    @property
    def whole(self) -> bool:
        """The list is read whole."""
        return self.window is None and self.pages is None

    def params(self, limit: int) -> dict[str, Any]:
        """The request parameters of a crawl of the planned part in pages of ``limit``."""
        if self.window is None:
            return {"limit": limit}
        return {"date_from": self.window, "limit": limit}

    def pages_of(self, limit: int) -> int | None:
        """The pages a crawl of the planned part in pages of ``limit`` may take (None: no
        bound but --ocpi-max-pages): as many as the part holds, one more for a window that
        grows while it is read."""
        if self.whole:
            return None
        held = self.in_window if self.window is not None else (self.pages or 1) * SMALL_PAGE
        return max(math.ceil((held or 0) / limit), 1) + (1 if self.window is not None else 0)

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
    counted = _count(client, url, {}, f"GET {noun}: plan, count")
    if counted is None:
        return CrawlPlan(None, how=["the list gave no X-Total-Count: read whole"])
    total, latency = counted
    capacity = _capacity(client, budget, latency)
    needed = math.ceil(total / SMALL_PAGE) + 3 * math.ceil(total / BIG_PAGE)
    if not budget.bounded or (needed <= capacity and total <= SMALL_PAGE * client.max_pages):
        return CrawlPlan(total, how=[f"{total:,} objects: read whole"])
    target = SMALL_PAGE * min(client.max_pages - 1, int(0.4 * capacity))
    plan = _windowed(client, url, noun, total, target)
    plan.probes = _probe_offsets(total, min(_PROBE_PAGES, max(capacity // 50, 1)), seed)
    plan.how.append(f"planned in {time.monotonic() - started:.1f} s")
    return plan


def _capacity(client: OcpiClient, budget: Budget, latency: float) -> int:
    """Requests the large crawls may make: the budget's requests, and what its seconds allow
    at the latency seen (a small page with its checks costs a little more than a count)."""
    limits = [budget.requests or 10**9]
    if budget.seconds is not None:
        limits.append(int(0.6 * budget.seconds / max(latency * 1.5 + 0.002, 0.001)))
    return max(min(limits), 1)


def _count(
    client: OcpiClient, url: str, params: dict[str, Any], label: str
) -> tuple[int, float] | None:
    """The X-Total-Count of the list with ``params`` and the seconds the answer took, or None
    when the answer is no OCPI list with a count."""
    started = time.monotonic()
    page = client.get(url, label, params={**params, "limit": 1})
    envelope = page.envelope or {}
    if page.status != 200 or not isinstance(envelope.get("data"), list):
        return None
    total = as_count(page.header("X-Total-Count"))
    return None if total is None else (total, time.monotonic() - started)


def _windowed(client: OcpiClient, url: str, noun: str, total: int, target: int) -> CrawlPlan:
    """A window of at most ``target`` objects, and not many fewer: its date_from found by
    halving the span between the epoch and tomorrow on the counts the target gives."""
    low, high = _EPOCH, datetime.now(timezone.utc) + timedelta(days=1)
    every = _count(client, url, {"date_from": _stamp(low)}, f"GET {noun}: plan, since 1970")
    if every is None or every[0] != total:
        seen = "no count" if every is None else f"{every[0]:,}"
        plan = CrawlPlan(total, pages=max(target // SMALL_PAGE, 1))
        plan.how.append(
            f"date_from=1970-01-01 counts {seen} of the {total:,} listed, so no window can be "
            f"sized by date: the first {plan.pages} pages are read"
        )
        return plan
    best: tuple[datetime, int] | None = None
    for step in range(1, _SEARCH_STEPS + 1):
        if high - low <= timedelta(seconds=1):
            break
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        counted = _count(client, url, {"date_from": _stamp(middle)}, f"GET {noun}: plan {step}")
        if counted is None:
            break
        if counted[0] > target:
            low = middle
        else:
            high, best = middle, (middle, counted[0])
            if counted[0] >= 0.7 * target:
                break
    if best is None or best[1] == 0:
        plan = CrawlPlan(total, pages=max(target // SMALL_PAGE, 1))
        plan.how.append(f"no date_from found that holds objects: the first {plan.pages} pages")
        return plan
    plan = CrawlPlan(total, window=_stamp(best[0]), in_window=best[1])
    plan.how.append(
        f"{total:,} objects, more than the budget reads whole: the {best[1]:,} updated from "
        f"{plan.window} on are read whole"
    )
    return plan


def _probe_offsets(total: int, count: int, seed: str) -> tuple[int, ...]:
    """``count`` page offsets spread over the whole list, the same for the same seed."""
    pages = max(total - SMALL_PAGE, 0)
    if pages == 0:
        return ()
    chooser = random.Random(f"probes-{seed}")  # sampling, not security
    return tuple(sorted(chooser.sample(range(pages + 1), min(count, pages + 1))))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
