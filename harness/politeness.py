"""How the harness treats a partner that protects itself: a request rate it keeps to, and the
throttled answers (HTTP 429, or 503 with Retry-After) it waits out and asks again, a bounded
number of times and only for GET and HEAD.

The spec sets no rule on rate limits, so a partner that throttles is not non-conformant: its
throttled answers are waited out, and what the run could not see because the throttling
outlasted the retries is blocked (H-RATE-02), not failed. What the harness does report is a
429 that does not say when to come back (no Retry-After, H-RATE-01).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from ipaddress import ip_address
from urllib.parse import urlsplit

from harness.exchange import Exchange

__all__ = [
    "RETRY_METHODS",
    "THROTTLE_STATUSES",
    "RateLimit",
    "RetryPolicy",
    "default_rate",
    "retry_after_seconds",
    "throttle_fact",
]

THROTTLE_STATUSES = frozenset({429, 503})
# Only these are asked again: whether a throttled POST was taken is unknown to the client, and
# a second one could store a CDR twice.
RETRY_METHODS = frozenset({"GET", "HEAD"})
# Requests per second against a remote partner unless --ocpi-rate says otherwise: a full run
# stays well inside the limits gateways commonly set (tens of requests a second) and is not
# noticeably slower, since most answers take longer than a tenth of a second anyway.
REMOTE_RATE = 10.0


def default_rate(url: str | None) -> float | None:
    """The rate for a target: none on loopback (the embedded mock, a lab, a local server),
    ``REMOTE_RATE`` elsewhere."""
    if url is None:
        return None
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return None
    try:
        return None if ip_address(host).is_loopback else REMOTE_RATE
    except ValueError:
        return REMOTE_RATE


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait: delta-seconds or an HTTP-date (RFC 9110
    §10.2.3), counted from ``now`` (the answer's own Date header when it has one: the two
    clocks of the partner agree, the harness's may not); None when absent or unreadable (a
    date in the past is 0)."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT
        when = when.replace(tzinfo=timezone.utc)
    moment = now or datetime.now(timezone.utc)
    return max(0.0, (when - moment).total_seconds())


def answer_date(exchange: Exchange) -> datetime | None:
    """The moment the answer's Date header names, or None."""
    header = exchange.header("date")
    if header is None:
        return None
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def throttle_fact(exchange: Exchange) -> str:
    """A throttled answer in a few words: ``HTTP 429, Retry-After 2`` or ``HTTP 429, no
    Retry-After``."""
    header = exchange.header("retry-after")
    said = f"Retry-After {header.strip()[:40]}" if header else "no Retry-After"
    return f"HTTP {exchange.status}, {said}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most ``retries`` more attempts of a throttled GET, each after the wait Retry-After
    asks for (or ``backoff`` doubling from 1 s for a 429 without one), never a wait longer
    than ``longest_wait`` seconds."""

    retries: int = 3
    longest_wait: float = 30.0
    backoff: float = 1.0

    def wait(self, status: int, retry_after: float | None, attempt: int) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` (attempt counts from 0), or None
        when the answer is not waited out: a 503 that says no Retry-After is a server error,
        not throttling."""
        if retry_after is not None:
            return retry_after
        if status == 429:
            return float(self.backoff * 2**attempt)
        return None


class RateLimit:
    """At most ``rate`` requests a second, across the threads of one client."""

    def __init__(
        self,
        rate: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 0.0 if not rate else 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def take(self) -> float:
        """Wait for this request's turn; the seconds waited."""
        if self.interval == 0.0:
            return 0.0
        with self._lock:
            now = self._clock()
            turn = max(now, self._next)
            self._next = turn + self.interval
        waited = turn - now
        if waited > 0:
            self._sleep(waited)
        return waited
