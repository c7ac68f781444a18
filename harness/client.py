"""The harness's only door to the network: an OCPI client that records every exchange.

``OcpiClient`` sends requests with the version's token encoding, per-request timeouts and a
cap on response bodies, and never raises for what a target does: a timeout, a refused
connection or an oversized body becomes an ``Exchange`` with ``error`` set. ``paginate()``
follows Link headers and stops on a loop, on too many pages or on a Link to another origin
(which never gets the token). Every exchange is recorded with the token redacted in every
encoding, ready for reports and curl reproductions.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic_core import from_json

from harness.findings import Finding, Level
from harness.redaction import REDACTED, RUN_SECRETS, Secrets
from harness.versions import VersionProfile, version_profile

__all__ = ["REDACTED", "Crawl", "Exchange", "Journal", "OcpiClient", "Recorded", "Recorder"]
__all__ += ["parse_body"]

_LINK = re.compile(r"<([^>]*)>\s*((?:;[^,<]*)*)")
_RECORDED_BODY = 4000  # characters of a body kept in the transcript
# Exchange numbers are unique in a process, so that a finding's ``exchange`` names one exchange.
_NUMBERS = itertools.count(1)


@dataclass
class Exchange:
    """One request and what came back (or why nothing usable did)."""

    label: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    elapsed_ms: float = 0.0
    error: str | None = None
    parsed: Any = field(default=None, repr=False)  # unredacted: kept out of reprs
    json_error: str | None = None
    # The body as received, unredacted (kept out of reprs): what the checks read, so that a
    # secret-looking value in an object cannot change its verdict.
    text: str | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        """A response header, by case-insensitive name (T-HDR-02)."""
        return self.response_headers.get(name.lower())

    @property
    def envelope(self) -> dict[str, Any] | None:
        """The parsed body when it is a JSON object."""
        return self.parsed if isinstance(self.parsed, dict) else None

    def transcript(self, redact: Callable[[str], str]) -> dict[str, Any]:
        """The exchange for reports: redacted already, body capped. A long JSON body is kept
        as valid, pretty-printed JSON with its lists cut to their first items (``redact`` is
        applied to that rendering, which comes from the parsed body)."""
        body = self.body
        if body is not None and len(body) > _RECORDED_BODY:
            if self.parsed is not None:
                try:
                    body = redact(_pretty_start(_shrunk(self.parsed)))
                except RecursionError:  # nested past the interpreter's limit: cut as text
                    body = self.body or ""
            if len(body) > _RECORDED_BODY:
                body = body[:_RECORDED_BODY] + f"... ({len(self.body or ''):,} characters)"
        return {
            "label": self.label,
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": self.response_headers,
            "body": body,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "error": self.error,
        }

    def curl(self) -> str:
        """A curl command reproducing the request, the token left as a placeholder."""
        parts = ["curl", "-i", "-X", self.method]
        for name, value in self.request_headers.items():
            parts += ["-H", _quote(f"{name}: {value}")]
        if self.request_body is not None:
            parts += ["--data", _quote(self.request_body)]
        parts.append(_quote(self.url))
        return " ".join(parts)


def _shrunk(value: Any, items: int = 2) -> Any:
    """``value`` with every list cut to its first ``items`` entries and a note of the rest."""
    if isinstance(value, list):
        kept = [_shrunk(v, items) for v in value[:items]]
        return [*kept, f"... {len(value) - items} more item(s)"] if len(value) > items else kept
    if isinstance(value, dict):
        return {k: _shrunk(v, items) for k, v in value.items()}
    return value


def parse_body(text: str | bytes) -> tuple[Any, str | None]:
    """The JSON value of a body, or why there is none. pydantic-core's parser reads the same
    values as ``json`` (numbers included) in two thirds of the time, and a crawl parses every
    page; ``json`` reads what it refuses (lone surrogates, nesting past its limit) and words
    the error."""
    try:
        return from_json(text), None
    except ValueError:
        pass
    try:
        return json.loads(text), None
    except ValueError as exc:
        return None, str(exc)
    except RecursionError:  # json's decoder recurses once per level of nesting
        return None, "nested too deeply to read"


def _pretty_start(value: Any) -> str:
    """``value`` as pretty-printed JSON, or enough of its start to fill a transcript: the
    pretty encoder is pure Python, and a page's first objects alone run to several times what
    the transcript keeps. The margin keeps a secret that runs across the cut whole, so that
    redacting this start redacts all that is kept of it."""
    parts: list[str] = []
    size = 0
    for part in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(value):
        parts.append(part)
        size += len(part)
        if size > _RECORDED_BODY + 1000:
            break
    return "".join(parts)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@dataclass(frozen=True)
class Recorded:
    """What the recorder keeps of an exchange: its transcript (redacted, body capped) and a
    curl line; not the parsed body, so that a long crawl does not hold its pages."""

    transcript: dict[str, Any]
    curl: str

    @property
    def label(self) -> str:
        """The exchange's unique label (what findings name in ``exchange``)."""
        return str(self.transcript["label"])


@dataclass
class Journal:
    """Every exchange recorded in this process, in order, by label: the reports take from it
    the exchanges a test made and those its findings name. Bounded: the oldest are dropped."""

    limit: int = 5_000  # a few kB each
    _by_label: dict[str, Recorded] = field(default_factory=dict)
    _made: int = 0

    def add(self, recorded: Recorded) -> None:
        """Remember one exchange."""
        self._by_label[recorded.label] = recorded
        self._made += 1
        if len(self._by_label) > self.limit:
            del self._by_label[next(iter(self._by_label))]

    def mark(self) -> int:
        """A position; ``since(mark)`` gives what was recorded after it."""
        return self._made

    def since(self, mark: int) -> list[Recorded]:
        """The exchanges recorded after ``mark`` (those still held)."""
        newer = self._made - mark
        return list(self._by_label.values())[-newer:] if newer > 0 else []

    def find(self, label: str) -> Recorded | None:
        """The exchange with this label, if still held."""
        return self._by_label.get(label)


JOURNAL = Journal()


@dataclass
class Recorder:
    """Every exchange of a run, and the secrets to redact from them."""

    secrets: Secrets = field(default_factory=Secrets, repr=False)
    exchanges: list[Recorded] = field(default_factory=list, repr=False)
    limit: int = 10_000  # exchanges kept (each a few kB at most)

    def add_secret(self, token: str) -> None:
        """Redact ``token`` raw, Base64-encoded and URL-encoded from now on (here and in
        every report of this process: ``RUN_SECRETS``)."""
        self.secrets.add(token)
        RUN_SECRETS.add(token)

    def redact(self, text: str) -> str:
        """``text`` with every known secret replaced by the placeholder."""
        return self.secrets.redact(text)

    def keep(self, exchange: Exchange) -> None:
        """Record an exchange (the first ``limit`` ones), in this recorder and the journal."""
        recorded = Recorded(exchange.transcript(self.redact), exchange.curl())
        if len(self.exchanges) < self.limit:
            self.exchanges.append(recorded)
        JOURNAL.add(recorded)


@dataclass
class Crawl:
    """How many pages a paginated GET had and what went wrong while following them."""

    pages: int = 0
    findings: list[Finding] = field(default_factory=list)


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
    ) -> None:
        self.profile: VersionProfile = version_profile(version)
        self.version = version
        self.token = token
        self.max_body = max_body
        self.max_pages = max_pages
        self.recorder = recorder or Recorder()
        self.recorder.add_secret(token)
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
        the exact header value."""
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
        redact = self.recorder.redact
        exchange = Exchange(
            f"{label or method + ' ' + urlsplit(str(request.url)).path} #{next(_NUMBERS)}",
            method,
            redact(str(request.url)),
            {k: redact(v) for k, v in sent.items()},
            None
            if content is None
            else redact(
                content if isinstance(content, str) else content.decode("utf-8", "replace")
            ),
        )
        started = time.perf_counter()
        try:
            response = self.http.send(request, stream=True)
            try:
                exchange.status = response.status_code
                exchange.response_headers = {
                    k.lower(): redact(v) for k, v in response.headers.items()
                }
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
            exchange.body = redact(text)
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
        """The pages of a list, following Link rel="next" (T-PAG-04). Stops, with a finding in
        ``crawl``, on a repeated URL, too many pages or a Link to another origin."""
        crawl = crawl if crawl is not None else Crawl()
        origin = _origin(url)
        seen: set[str] = set()
        next_url: str | None = url
        next_params = params
        number = 0
        while next_url is not None:
            number += 1
            page = self.get(next_url, f"{label} {number}", params=next_params)
            key = page.url
            if key in seen:
                crawl.findings.append(
                    _finding(
                        "H-PAG-01",
                        f"page {number} repeats an earlier URL ({page.url}): the Link loops",
                    )
                )
                return
            seen.add(key)
            crawl.pages += 1
            yield page
            link = next_link(page, next_url)
            if link is None:
                return
            if _origin(link) != origin:
                crawl.findings.append(
                    _finding(
                        "H-PAG-02",
                        f"the Link of page {number} leaves the target for {_origin(link)}: not "
                        "followed, the token is never sent there",
                    )
                )
                return
            if number >= self.max_pages:
                crawl.findings.append(
                    _finding("H-PAG-01", f"still a Link after {number} pages (--ocpi-max-pages)")
                )
                return
            next_url, next_params = link, None


class _TooBig(Exception):
    pass


def _finding(requirement: str, message: str) -> Finding:
    return Finding(requirement, Level.ERROR, message, "Link")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def next_link(exchange: Exchange, base: str) -> str | None:
    """The absolute URL of the rel="next" Link of a response (RFC 8288), if any."""
    header = exchange.header("link")
    if not header:
        return None
    for target, params in _LINK.findall(header):
        rels = re.findall(r'rel\s*=\s*"?([^";]+)"?', params)
        if any("next" in rel.split() for rel in rels):
            return str(urljoin(base, target))
    return None
