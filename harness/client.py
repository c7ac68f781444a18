"""The harness's only door to the network: an OCPI client that records every exchange.

``OcpiClient`` sends requests with the version's token encoding, a deadline per exchange and a
cap on response bodies, and never raises for what a target does: a timeout, a refused
connection or an oversized body becomes an ``Exchange`` with ``error`` set. The timeout bounds
the whole exchange (connect, headers, body), not each read: every socket operation of the
client's own transport gets what is left of the exchange's deadline, so a server that drips a
byte a second or sends ``100 Continue`` forever is cut off when the deadline passes. After the
run's deadline (``run_deadline``) no request is made at all.

``paginate()`` follows Link headers and stops on a loop, on too many pages or on a Link to
another origin (which never gets the token), noting why in the ``Crawl``: the client records,
the checks judge (``harness.checks.pagination``). Every exchange is recorded with the token
redacted in every encoding, ready for reports and curl reproductions.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import ssl
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from harness.exchange import (
    Crawl,
    CrawlBudget,
    CrawlStop,
    Exchange,
    as_count,
    next_link,
    origin,
    parse_body,
)
from harness.politeness import (
    RETRY_METHODS,
    THROTTLE_STATUSES,
    RateLimit,
    RetryPolicy,
    answer_date,
    retry_after_seconds,
    throttle_fact,
)
from harness.progress import SHOW_AFTER, Meters
from harness.recording import Recorder
from harness.versions import VersionProfile, version_profile

__all__ = ["OcpiClient"]

# Exchange numbers are unique in a process, so that a finding's ``exchange`` names one exchange.
_NUMBERS = itertools.count(1)
# The deadline (time.monotonic()) of the exchange the current thread is making: the network
# streams read it at each operation. Per thread: a crawl may feed pages from another thread,
# and a pooled connection serves whichever thread's exchange uses it.
_EXCHANGE = threading.local()


class OcpiClient:
    """A client for one target in one version."""

    def __init__(
        self,
        version: str,
        token: str,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        max_body: int = 5_000_000,
        recorder: Recorder | None = None,
        max_pages: int = 1000,
        home: str | None = None,
        allowed_origins: tuple[str, ...] = (),
        run_deadline: float | None = None,
        rate: float | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        """``timeout``: seconds for a whole exchange; ``run_deadline``: seconds from now after
        which no request is made (None: no end); ``rate``: requests a second at most (None:
        no limit); ``retry``: how throttled GETs are asked again (harness.politeness)."""
        self.profile: VersionProfile = version_profile(version)
        self.version = version
        self.token = token
        self.timeout = timeout
        self.run_deadline = run_deadline
        self._run_ends = None if run_deadline is None else time.monotonic() + run_deadline
        self.max_body = max_body
        self.max_pages = max_pages
        self.rate = RateLimit(rate)
        self.retry = retry or RetryPolicy()
        self._sleep = time.sleep  # tests wait no real seconds
        # Progress of long crawls and waits on the terminal (the plugin sets it): none here
        self.meters: Meters | None = None
        self.recorder = recorder or Recorder()
        self.recorder.add_secret(token)
        # The origins the token may go to: the target's own (``home``, else the origin of the
        # first request) and those named (--ocpi-allow-origin).
        self.home = None if home is None else origin(home)
        self.allowed_origins = frozenset(origin(o) for o in allowed_origins)
        self.http = httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)
        if transport is None:  # an injected transport (ASGI, respx) has no sockets to bound
            _bound_by_deadline(self.http)

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def authorization(self, token: str | None = None, encoding: str | None = None) -> str:
        """``Token <token>`` encoded as the version wants (or as ``encoding`` says: "raw",
        "base64")."""
        value = self.token if token is None else token
        self.recorder.add_secret(value)
        wanted = encoding or ("base64" if self.profile.token_base64 else "raw")
        if wanted == "base64":
            value = base64.b64encode(value.encode()).decode()
        return f"Token {value}"

    def request(
        self,
        method: str,
        url: str,
        label: str = "",
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str | None] | None = None,
        authorization: str | None = "default",
    ) -> Exchange:
        """Send one request; the result is always an Exchange (never an exception).
        ``authorization``: "default" (the token, encoded per version), None (no header), or
        the exact header value. A request with a token to a URL off the target's origin is
        not made: the exchange says so (``off_origin``), whatever URL the target handed back
        (a Link, a Location, a version details or endpoint URL). A throttled GET or HEAD
        (HTTP 429, or 503 with Retry-After) is asked again after the wait it names, within
        ``retry``: every attempt is recorded, the answer returned lists the waits
        (``throttled``), and one still throttled says why it was left (``throttled_out``)."""
        sent: dict[str, str] = {}
        if authorization == "default":
            sent["Authorization"] = self.authorization()
        elif authorization is not None:
            sent["Authorization"] = authorization
        content = None
        if body is not None:
            content = body if isinstance(body, (bytes, str)) else json.dumps(body)
            sent["Content-Type"] = "application/json"
        waited: list[str] = []
        attempt = 0
        while True:
            exchange = self._attempt(method, url, label, params, content, sent, headers, attempt)
            exchange.throttled = tuple(waited)
            wait = self._throttled_wait(exchange, attempt)
            self.recorder.keep(exchange)
            if wait is None:
                return exchange
            waited.append(f"{throttle_fact(exchange)}: waited {wait:g} s")
            self._wait(wait, throttle_fact(exchange))
            attempt += 1

    def _wait(self, seconds: float, why: str) -> None:
        """Sleep ``seconds``, shown on the terminal when it is long (harness.progress)."""
        if self.meters is None or seconds < SHOW_AFTER:
            self._sleep(seconds)
            return
        meter = self.meters.start(f"waiting out {why}", math.ceil(seconds), "s")
        left = seconds
        try:
            while left > 0:
                step = min(1.0, left)
                self._sleep(step)
                left -= step
                meter.advance(0, 1)
        finally:
            meter.close()

    def _throttled_wait(self, exchange: Exchange, attempt: int) -> float | None:
        """Seconds to wait before asking a throttled exchange again, or None: not throttled,
        or not to be asked again (then ``throttled_out`` says why)."""
        status = exchange.status
        if status not in THROTTLE_STATUSES or exchange.error is not None:
            return None
        retry_after = retry_after_seconds(exchange.header("retry-after"), answer_date(exchange))
        if status == 503 and retry_after is None:
            return None  # a server error that says nothing of coming back: judged as one
        fact = throttle_fact(exchange)
        if exchange.method not in RETRY_METHODS:
            exchange.throttled_out = (
                f"{fact} to a {exchange.method}, not sent again (a second {exchange.method} "
                "could store its object twice)"
            )
            return None
        wait = self.retry.wait(status, retry_after, attempt)
        if wait is None:
            return None
        if attempt >= self.retry.retries:
            exchange.throttled_out = f"{fact} still, after {attempt} throttled retries"
        elif wait > self.retry.longest_wait:
            exchange.throttled_out = (
                f"{fact}: asked to wait {wait:g} s, longer than the harness waits for one "
                f"retry ({self.retry.longest_wait:g} s)"
            )
        elif self._run_ends is not None and time.monotonic() + wait >= self._run_ends:
            exchange.throttled_out = (
                f"{fact}: the wait of {wait:g} s would pass the run's deadline "
                "(--ocpi-run-deadline)"
            )
        return None if exchange.throttled_out else wait

    def _attempt(
        self,
        method: str,
        url: str,
        label: str,
        params: dict[str, Any] | None,
        content: bytes | str | None,
        given: dict[str, str],
        headers: Mapping[str, str | None] | None,
        attempt: int,
    ) -> Exchange:
        """One request of ``request()`` (a retry is a request of its own: new request ids),
        not yet recorded."""
        sent = dict(given)
        if self.profile.request_ids:
            # A retry is a request of its own (a new X-Request-ID) in the same conversation
            # (the X-Correlation-ID of the first attempt, T-HDR-04)
            sent["X-Request-ID"] = str(uuid.uuid4())
            sent["X-Correlation-ID"] = given.setdefault("X-Correlation-ID", str(uuid.uuid4()))
        for name, value in (headers or {}).items():  # None: a header of the client's left out
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        request = self.http.build_request(method, url, params=params, headers=sent, content=content)
        name = label or method + " " + urlsplit(str(request.url)).path
        again = f" (throttled retry {attempt})" if attempt else ""
        exchange = Exchange(
            f"{name}{again} #{next(_NUMBERS)}",
            method,
            str(request.url),
            sent,
            None
            if content is None
            else (content if isinstance(content, str) else content.decode("utf-8", "replace")),
        )
        where = origin(exchange.url)
        if self.home is None:
            self.home = where
        if "Authorization" in sent and where != self.home and where not in self.allowed_origins:
            exchange.off_origin = True
            exchange.error = (
                f"not sent: {where} is not the target's origin {self.home}, and the token goes "
                "only there (--ocpi-allow-origin names another origin to trust)"
            )
            return exchange
        self.rate.take()
        if self._run_ends is not None and time.monotonic() >= self._run_ends:
            exchange.run_deadline_passed = True
            exchange.error = (
                f"not sent: the run's deadline ({self.run_deadline:g} s, --ocpi-run-deadline) "
                "had passed; a bound of this run, not a fault of the target"
            )
            return exchange
        started = time.perf_counter()
        exchange.sent_at = time.monotonic()
        deadline = exchange.sent_at + self.timeout
        _EXCHANGE.deadline = deadline
        try:
            response = self._send(request)
            try:
                exchange.status = response.status_code
                exchange.response_headers = {k.lower(): v for k, v in response.headers.items()}
                raw = self._read_capped(response, deadline)
            finally:
                response.close()
        except (httpx.TimeoutException, _PastDeadline):
            exchange.error = self._late(exchange, deadline)
        except httpx.HTTPError as exc:
            exchange.error = _network_error(exc)
        except _TooBig as exc:
            exchange.error = str(exc)
        else:
            text = raw.decode("utf-8", "replace")
            exchange.text = text
            exchange.body = self.recorder.redact(text)
            exchange.parsed, exchange.json_error = parse_body(text)
        finally:
            _EXCHANGE.deadline = None
        if exchange.status is not None and exchange.status >= 500:
            _drop_connections(self.http)
        exchange.elapsed_ms = (time.perf_counter() - started) * 1000
        return exchange

    def _send(self, request: httpx.Request) -> httpx.Response:
        """Send; a GET or HEAD once more on a new connection when the connection closed before
        any byte of an answer came back (a server that drops its kept-alive connections
        after an error). Never another method: whether the server took a POST before it
        closed is unknown, and a second one could store a CDR twice. A second failure is the
        target's."""
        try:
            return self.http.send(request, stream=True)
        except httpx.RemoteProtocolError as exc:
            idempotent = request.method in ("GET", "HEAD")
            if not idempotent or "without sending a response" not in str(exc):
                raise
            return self.http.send(request, stream=True)

    def _late(self, exchange: Exchange, deadline: float) -> str:
        """Why a timed-out exchange ended: its deadline passed (at the headers or in the
        body), or a timeout came before it (the transport's own)."""
        if time.monotonic() < deadline:
            return "no answer within the timeout"
        where = (
            "before the status line and headers were complete"
            if exchange.status is None
            else f"after HTTP {exchange.status}, before the body was complete"
        )
        return (
            f"no complete answer within the exchange's deadline of {self.timeout:g} s "
            f"(--ocpi-timeout bounds connect, headers and body together): cut off {where}"
        )

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        declared = as_count(response.headers.get("content-length"))
        if declared is not None and declared > self.max_body:
            raise _TooBig(f"body of {declared:,} bytes is over the {self.max_body:,} limit")
        chunks = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise _TooBig(f"body over the {self.max_body:,}-byte limit")
            chunks.append(chunk)
            # The sockets are bounded already; an injected transport's stream is not.
            if time.monotonic() >= deadline:
                raise _PastDeadline
        return b"".join(chunks)

    def get(self, url: str, label: str = "", **kwargs: Any) -> Exchange:
        """GET ``url``."""
        return self.request("GET", url, label, **kwargs)

    def paginate(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        crawl: Crawl | None = None,
        label: str = "page",
        budget: CrawlBudget | None = None,
    ) -> Iterator[Exchange]:
        """The pages of a list, following Link rel="next" (T-PAG-04). Stops on a repeated URL,
        too many pages or a Link to another origin (never sent the token), and says why in
        ``crawl.stop``; with ``budget``, also after that many pages (a bound of the run's plan,
        ``budget``: no finding)."""
        crawl = crawl if crawl is not None else Crawl()
        home = origin(url)
        seen: set[str] = set()
        next_url: str | None = url
        next_params = params
        number = 0
        while next_url is not None:
            number += 1
            page = self.get(next_url, f"{label} {number}", params=next_params)
            if page.url in seen:
                crawl.stop = CrawlStop("loop", number, page.url)
                return
            seen.add(page.url)
            crawl.pages += 1
            yield page
            link = next_link(page, next_url)
            if link is None:
                return
            if origin(link) != home:
                crawl.stop = CrawlStop("other-origin", number, link)
                return
            if budget is not None and budget.spent(number):
                crawl.stop = CrawlStop("budget", number, link)
                return
            if number >= self.max_pages:
                crawl.stop = CrawlStop("max-pages", number, link)
                return
            next_url, next_params = link, None


def _network_error(exc: httpx.HTTPError) -> str:
    """What went wrong on the wire, told apart (a TLS failure, a refused or reset connection,
    a connection closed mid-answer), then the library's own words."""
    said = f"{type(exc).__name__}: {exc}"
    text = str(exc).lower()
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    if cause is not None or "ssl" in text or "certificate" in text:
        kind = "TLS failure"
    elif "refused" in text:
        kind = "connection refused"
    elif "reset" in text or "broken pipe" in text:
        kind = "connection reset"
    elif isinstance(exc, httpx.RemoteProtocolError):
        kind = "connection closed mid-answer" if "without sending" in text else "protocol error"
    elif isinstance(exc, httpx.ConnectError):
        kind = "could not connect"
    else:
        return said
    return f"{kind} ({said})"


class _TooBig(Exception):
    pass


class _PastDeadline(Exception):
    pass


def _left(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` for one socket operation, cut to what is left of the current thread's
    exchange deadline; ``expired`` raised when nothing is left."""
    deadline: float | None = getattr(_EXCHANGE, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the exchange's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read, write and TLS handshake ends by the deadline of the
    exchange it serves: httpx's timeouts apply to each operation, and an answer dripped a
    byte at a time (or ``100 Continue`` forever, which httpcore skips in a loop) would go on
    with each one in time."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every stream it opens bounded by the exchange's
    deadline (connecting included)."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _drop_connections(client: httpx.Client) -> None:
    """Close the kept-alive connections after a server error: a server that crashed on a
    request often closes its connection just after answering, and the next request, sent on
    it before the close arrived, would get no answer (a POST is not sent twice, see
    ``_send``). The next request opens a new connection."""
    for transport in (client._transport, *client._mounts.values()):
        if isinstance(transport, httpx.HTTPTransport):
            transport._pool.close()


def _bound_by_deadline(client: httpx.Client) -> None:
    """Every connection pool httpx built for ``client`` (the direct one and those of proxies
    from the environment) opens its connections through ``_DeadlineBackend``. httpx takes no
    network backend; its pools are httpcore's, which do (tests/test_client_deadlines.py fails
    if an upgrade moves them)."""
    for transport in (client._transport, *client._mounts.values()):
        if isinstance(transport, httpx.HTTPTransport):
            pool = transport._pool
            pool._network_backend = _DeadlineBackend(pool._network_backend)
