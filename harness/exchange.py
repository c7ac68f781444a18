"""A recorded exchange: one request and what came back, as plain data that checks read and
reports render; and the pure readings of a response every layer shares (its JSON body, its
next-page Link, a URL's origin)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from pydantic_core import from_json

__all__ = [
    "MAX_DEPTH",
    "NESTED_TOO_DEEPLY",
    "Crawl",
    "CrawlBudget",
    "CrawlStop",
    "Exchange",
    "as_count",
    "module_path",
    "next_link",
    "origin",
    "parse_body",
    "version_first",
]

_LINK = re.compile(r"<([^>]*)>\s*((?:;[^,<]*)*)")
_RECORDED_BODY = 4000  # characters of a body kept in the transcript
# Levels of nesting a body may have to be read. The deepest OCPI answer (a CDR page with its
# tariffs' price components) has about ten; everything that walks a parsed body (checks,
# reprs, the reports' pretty-printer) recurses, and a body nested near the interpreter's
# limit would crash whichever of them runs on the deepest stack.
MAX_DEPTH = 64
NESTED_TOO_DEEPLY = "nested too deeply to read"


@dataclass
class Exchange:
    """One request and what came back (or why nothing usable did).

    The URL, headers, request body and error are kept as sent and received, so the checks
    judge what the target did, whatever a secret looks like (a token ``100`` and an
    ``X-Limit: 100``); they are kept out of reprs, and ``transcript``/``curl`` redact them for
    anything shown or written. ``body`` is the redacted body (for display), ``text`` the body
    as received. ``off_origin`` marks a request not made because its URL was on another origin
    than the target's (the token is never sent there); ``run_deadline_passed`` one not made
    because the run's deadline had passed (a limit of the harness, not a fault of the
    target)."""

    label: str
    method: str
    url: str = field(repr=False)
    request_headers: dict[str, str] = field(repr=False)
    request_body: str | None = field(repr=False)
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict, repr=False)
    body: str | None = field(default=None, repr=False)
    elapsed_ms: float = 0.0
    # time.monotonic() when sent: how far apart two answers were asked (out of reprs: its
    # digits could spell a short token)
    sent_at: float = field(default=0.0, repr=False)
    error: str | None = field(default=None, repr=False)
    off_origin: bool = False
    run_deadline_passed: bool = False
    # The throttled answers waited out before this one ("HTTP 429, Retry-After 2: waited 2 s"),
    # and, when this answer is still throttled, why the harness did not ask again.
    throttled: tuple[str, ...] = ()
    throttled_out: str | None = None
    parsed: Any = field(default=None, repr=False)  # unredacted: kept out of reprs
    json_error: str | None = None
    # The body as received, unredacted (kept out of reprs): what the checks read, so that a
    # secret-looking value in an object cannot change its verdict.
    text: str | None = field(default=None, repr=False)
    # A request the partner's client made to the harness (and the harness's answer), not one
    # the harness made
    incoming: bool = False

    def header(self, name: str) -> str | None:
        """A response header, by case-insensitive name (T-HDR-02)."""
        return self.response_headers.get(name.lower())

    @property
    def envelope(self) -> dict[str, Any] | None:
        """The parsed body when it is a JSON object."""
        return self.parsed if isinstance(self.parsed, dict) else None

    def transcript(self, redact: Callable[[str], str]) -> dict[str, Any]:
        """The exchange for reports, every part ``redact``-ed and the body capped (the exchange
        itself keeps what was sent and received, which is what the checks read). A long JSON
        body is kept as valid, pretty-printed JSON with its lists cut to their first items
        (``redact`` is applied to that rendering, which comes from the parsed body)."""
        body = self.body
        if body is not None and len(body) > _RECORDED_BODY:
            if self.parsed is not None:
                try:
                    body = redact(_pretty_start(_shrunk(self.parsed)))
                except RecursionError:  # nested past the interpreter's limit: cut as text
                    body = self.body or ""
            if len(body) > _RECORDED_BODY:
                body = body[:_RECORDED_BODY] + f"... ({len(self.body or ''):,} characters)"
        if body is not None and self.json_error is not None and _nests_deeper(body, MAX_DEPTH):
            # A reader that parses the body to pretty-print it (the HTML evidence does) would
            # recurse as deep as the brackets go: led by a note, it is plainly not JSON.
            body = f"({self.json_error}; shown as text) {body}"
        return {
            "label": self.label,
            "method": self.method,
            "url": redact(self.url),
            "request_headers": {redact(k): redact(v) for k, v in self.request_headers.items()},
            "request_body": None if self.request_body is None else redact(self.request_body),
            "status": self.status,
            "response_headers": {redact(k): redact(v) for k, v in self.response_headers.items()},
            "body": body,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "error": None if self.error is None else redact(self.error),
            **({"direction": "incoming"} if self.incoming else {}),
            **({"throttled": list(self.throttled)} if self.throttled else {}),
            **({"throttled_out": self.throttled_out} if self.throttled_out else {}),
        }

    def curl(self, redact: Callable[[str], str]) -> str:
        """A curl command reproducing the request, ``redact``-ed (the token left as a
        placeholder)."""
        parts = ["curl", "-i", "-X", self.method]
        for name, value in self.request_headers.items():
            parts += ["-H", _quote(redact(f"{name}: {value}"))]
        if self.request_body is not None:
            parts += ["--data", _quote(redact(self.request_body))]
        parts.append(_quote(redact(self.url)))
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
    """The JSON value of a body, or why there is none: a body nested more than ``MAX_DEPTH``
    levels deep is not read (``NESTED_TOO_DEEPLY``), so nothing downstream walks deep data.
    pydantic-core's parser reads the same values as ``json`` (numbers included) in two thirds
    of the time, and a crawl parses every page; ``json`` reads what it refuses (lone
    surrogates, nesting past its own limit) and words the error."""
    try:
        value = from_json(text)
    except ValueError:
        try:
            value = json.loads(text)
        except ValueError as exc:
            return None, str(exc)
        except RecursionError:  # json's decoder recurses once per level of nesting
            return None, NESTED_TOO_DEEPLY
    if _deeper(value, MAX_DEPTH):
        return None, NESTED_TOO_DEEPLY
    return value, None


def _deeper(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` levels of arrays and objects. Level by
    level, without recursion, and only through containers: about half the time of parsing a
    page of CDRs."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for node in level:
            items = node.values() if type(node) is dict else node
            below += [item for item in items if type(item) is dict or type(item) is list]
        level = below
    return False


def _nests_deeper(text: str, limit: int) -> bool:
    """Whether the brackets of ``text`` outside JSON strings nest more than ``limit`` deep
    (for the few thousand characters a transcript shows)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


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


def as_count(value: str | None) -> int | None:
    """``value`` (a header, a query parameter) as a whole number when it is ASCII digits only,
    else None: ``str.isdigit`` also takes digits such as "²", which ``int`` refuses."""
    return int(value) if value is not None and value.isascii() and value.isdigit() else None


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased: where a token may be sent."""
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


@dataclass(frozen=True, slots=True)
class CrawlBudget:
    """What one crawl may spend by the run's plan (--ocpi-budget), beyond --ocpi-max-pages:
    ``pages`` at most, and no request after ``until`` (a ``time.monotonic()`` moment)."""

    pages: int | None = None
    until: float | None = None

    def spent(self, pages: int) -> bool:
        """Whether a crawl that has made ``pages`` pages may make no more."""
        return (self.pages is not None and pages >= self.pages) or (
            self.until is not None and time.monotonic() >= self.until
        )


@dataclass(frozen=True)
class CrawlStop:
    """Why ``paginate`` stopped before the list ended: the Link of page ``page`` loops back
    (``loop``: ``url`` repeats an earlier page), leaves the target (``other-origin``: ``url``
    is the Link), leads to no page (``broken-link``: ``url`` answered ``fact``, with no list),
    drops the request's date filters (``drops-filters``: ``fact`` names them), is missing
    while objects remain (``link-missing``: ``url`` is the offset asked next, ``fact`` what it
    listed), links on from a page with no objects (``empty-page``: past the list's end), or
    there was still a Link after ``max-pages`` pages, or after the pages the run's plan gave
    the crawl (``budget``: a bound of the run, not a finding). ``continued`` says how the
    crawl went on by offset and limit afterwards, when it did ("reached the end of the list
    ..." or why it stopped)."""

    reason: Literal[
        "loop",
        "other-origin",
        "max-pages",
        "broken-link",
        "drops-filters",
        "link-missing",
        "empty-page",
        "budget",
    ]
    page: int
    url: str
    fact: str = ""
    continued: str = ""
    complete: bool = False  # continued by offset to the list's end: every object seen


@dataclass
class Crawl:
    """How many pages a paginated GET had and, when it stopped before the list ended, why."""

    pages: int = 0
    stop: CrawlStop | None = None


# The role-first URL layout (/ocpi/cpo/2.3.0/cdrs, the most used Python OCPI server library's)
_ROLE_FIRST = re.compile(r"^(.*?)/ocpi/(cpo|emsp)/([0-9]+\.[0-9]+(?:\.[0-9]+)?)(?=/|$)")


def version_first(path: str) -> str:
    """``path`` in the version-first layout (``/ocpi/2.3.0/cpo/cdrs``): a role-first path
    (``/ocpi/cpo/2.3.0/cdrs``) rewritten, any other as it is."""
    match = _ROLE_FIRST.match(path)
    if match is None:
        return path
    prefix, role, version = match.groups()
    return f"{prefix}/ocpi/{version}/{role}{path[match.end() :]}"


def module_path(url: str) -> str:
    """The path of ``url`` from ``/ocpi/`` on, version-first: what names a module's URL
    whatever prefix a tunnel or an ingress puts before it."""
    path = version_first(urlsplit(url).path).rstrip("/")
    at = path.find("/ocpi/")
    return path[at:] if at >= 0 else path
