"""The harness's only door to the network: an OCPI client that records every exchange.

``OcpiClient`` sends requests with the version's token encoding, per-request timeouts and a
cap on response bodies, and never raises for what a target does: a timeout, a refused
connection or an oversized body becomes an ``Exchange`` with ``error`` set. ``paginate()``
follows Link headers and stops on a loop, on too many pages or on a Link to another origin
(which never gets the token), noting why in the ``Crawl``: the client records, the checks
judge (``harness.checks.pagination``). Every exchange is recorded with the token redacted in
every encoding, ready for reports and curl reproductions.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from harness.exchange import Crawl, CrawlStop, Exchange, next_link, origin, parse_body
from harness.recording import Recorder
from harness.versions import VersionProfile, version_profile

__all__ = ["OcpiClient"]

# Exchange numbers are unique in a process, so that a finding's ``exchange`` names one exchange.
_NUMBERS = itertools.count(1)


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
    ) -> None:
        self.profile: VersionProfile = version_profile(version)
        self.version = version
        self.token = token
        self.max_body = max_body
        self.max_pages = max_pages
        self.recorder = recorder or Recorder()
        self.recorder.add_secret(token)
        # The origins the token may go to: the target's own (``home``, else the origin of the
        # first request) and those named (--ocpi-allow-origin).
        self.home = None if home is None else origin(home)
        self.allowed_origins = frozenset(origin(o) for o in allowed_origins)
        self.http = httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)

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
        headers: dict[str, str] | None = None,
        authorization: str | None = "default",
    ) -> Exchange:
        """Send one request; the result is always an Exchange (never an exception).
        ``authorization``: "default" (the token, encoded per version), None (no header), or
        the exact header value. A request with a token to a URL off the target's origin is
        not made: the exchange says so (``off_origin``), whatever URL the target handed back
        (a Link, a Location, a version details or endpoint URL)."""
        sent: dict[str, str] = {}
        if authorization == "default":
            sent["Authorization"] = self.authorization()
        elif authorization is not None:
            sent["Authorization"] = authorization
        if self.profile.request_ids:
            sent["X-Request-ID"] = str(uuid.uuid4())
            sent["X-Correlation-ID"] = str(uuid.uuid4())
        content = None
        if body is not None:
            content = body if isinstance(body, (bytes, str)) else json.dumps(body)
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        request = self.http.build_request(method, url, params=params, headers=sent, content=content)
        exchange = Exchange(
            f"{label or method + ' ' + urlsplit(str(request.url)).path} #{next(_NUMBERS)}",
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
            self.recorder.keep(exchange)
            return exchange
        started = time.perf_counter()
        try:
            response = self.http.send(request, stream=True)
            try:
                exchange.status = response.status_code
                exchange.response_headers = {k.lower(): v for k, v in response.headers.items()}
                raw = self._read_capped(response)
            finally:
                response.close()
        except httpx.TimeoutException:
            exchange.error = "no answer within the timeout"
        except httpx.HTTPError as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
        except _TooBig as exc:
            exchange.error = str(exc)
        else:
            text = raw.decode("utf-8", "replace")
            exchange.text = text
            exchange.body = self.recorder.redact(text)
            exchange.parsed, exchange.json_error = parse_body(text)
        exchange.elapsed_ms = (time.perf_counter() - started) * 1000
        self.recorder.keep(exchange)
        return exchange

    def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise _TooBig(f"body of {int(declared):,} bytes is over the {self.max_body:,} limit")
        chunks = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise _TooBig(f"body over the {self.max_body:,}-byte limit")
            chunks.append(chunk)
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
    ) -> Iterator[Exchange]:
        """The pages of a list, following Link rel="next" (T-PAG-04). Stops on a repeated URL,
        too many pages or a Link to another origin (never sent the token), and says why in
        ``crawl.stop``."""
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
            if number >= self.max_pages:
                crawl.stop = CrawlStop("max-pages", number, link)
                return
            next_url, next_params = link, None


class _TooBig(Exception):
    pass
