"""Checks of what a partner's client sent to the harness (incoming exchanges): a CPO's CDR
pushes to the receiver the harness served, an eMSP's pulls of the sender it served. Each judges
every request and reports one finding per kind of defect, naming how many requests have it and
one of them."""

from __future__ import annotations

import base64
import binascii
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

from harness.checks.exchange_finding import answer_fact
from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.checks.transport import ROUTING
from harness.exchange import Exchange, as_count, module_path, next_link
from harness.findings import Finding, Level
from harness.versions import VersionProfile

_ROUTING_HEADERS = tuple(f"ocpi-{d}-{n}" for d in ("from", "to") for n in ROUTING)


def _header(exchange: Exchange, name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in exchange.request_headers.items() if k.lower() == lowered), None)


def _told(
    pushes: Sequence[Exchange], requirement: str, what: str, where: str = "$"
) -> list[Finding]:
    """One finding for the requests that have a defect: how many, and the first of them."""
    if not pushes:
        return []
    return [_f(pushes[0], requirement, f"{len(pushes)} request(s) {what}", where)]


@check(requirements=("H-PUSH-01", "C-024", "C-005"), needs=("incoming requests",), roles=("cpo",))
def check_pushes(pushes: Sequence[Exchange], endpoint: str, waited: str) -> list[Finding]:
    """CDRs reach the receiver (H-PUSH-01) by POST to the endpoint URL given, not to an id
    URL (C-024), and none is replaced (no PUT or PATCH, C-005). ``waited`` says how long the
    harness waited and after what."""
    if not pushes:
        return [_f(None, "H-PUSH-01", f"no request reached the CDR receiver {endpoint} {waited}")]
    base = module_path(endpoint)
    replaced = [p for p in pushes if p.method in ("PUT", "PATCH", "DELETE")]
    elsewhere = [p for p in pushes if p.method == "POST" and module_path(p.url) != base]
    found = _told(
        replaced, "C-005", f"sent {replaced[0].method if replaced else ''} to a CDR's URL: a CDR "
        "once sent is never replaced or changed (a correction is a new credit CDR)",
    )  # fmt: skip
    found += _told(
        elsewhere,
        "C-024",
        f"POSTed to {urlsplit(elsewhere[0].url).path if elsewhere else ''}, not to the "
        f"endpoint URL {endpoint}: a CDR is POSTed to the receiver's endpoint itself",
    )
    # None answered 2xx, and not for what another check says (above; the token: 401/403; the
    # Content-Type: 415; a CDR refused for its content is 2xx with 2001): the deciding fact
    # is the answer
    answered = [p for p in pushes if p.status is not None and 200 <= p.status < 300]
    if not found and not answered and pushes[0].status not in (401, 403, 415):
        found.append(
            _f(
                pushes[0], "H-PUSH-01",
                f"{len(pushes)} request(s) reached the CDR receiver {waited}, and none was "
                f"answered 2xx: the first got {answer_fact(pushes[0])}",
            )
        )  # fmt: skip
    return found


@check(
    requirements=("T-AUTH-01", "T-AUTH-02", "T-AUTH-03"),
    needs=("incoming requests",),
    roles=("cpo", "emsp"),
)
def check_client_token(
    pushes: Sequence[Exchange], profile: VersionProfile, known: Callable[[str], bool]
) -> list[Finding]:
    """Every request carries 'Authorization: Token <token>' (T-AUTH-01) with a token the
    harness gave, in the version's encoding: Base64 in 2.2+ (T-AUTH-03), raw in 2.1.1
    (T-AUTH-02)."""
    missing: list[Exchange] = []
    unknown: list[Exchange] = []
    encoded_wrong: list[Exchange] = []
    for push in pushes:
        header = _header(push, "Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme != "Token" or not value:
            missing.append(push)
            continue
        decoded = decoded_token(value)
        if profile.token_base64:
            if decoded is not None and known(decoded):
                continue
            (encoded_wrong if known(value) else unknown).append(push)
        elif known(value):
            continue
        else:
            (encoded_wrong if decoded is not None and known(decoded) else unknown).append(push)
    rule = "T-AUTH-03" if profile.token_base64 else "T-AUTH-02"
    form = "raw, where 2.2+ sends its Base64" if profile.token_base64 else (
        "Base64-encoded, where 2.1.1 sends it raw"
    )  # fmt: skip
    return (
        _told(missing, "T-AUTH-01", "carry no 'Authorization: Token <token>'", "Authorization")
        + _told(encoded_wrong, rule, f"send the token {form}", "Authorization")
        + _told(
            unknown,
            "T-AUTH-01",
            "carry a token that opens nothing: not one the harness gave, or one a "
            "registration retired (TOKEN_A once TOKEN_C was given, T-AUTH-05)",
            "Authorization",
        )
    )


def decoded_token(value: str) -> str | None:
    """The token a 2.2+ Authorization value carries (UTF-8 in Base64), None if it is none."""
    try:
        return base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None


@check(
    requirements=("T-HDR-03", "T-HDR-04"),
    needs=("incoming requests",),
    versions=("2.2.1", "2.3.0"),
    roles=("cpo", "emsp"),
)
def check_client_request_ids(pushes: Sequence[Exchange]) -> list[Finding]:
    """Every request carries an X-Request-ID of its own (T-HDR-03) and an X-Correlation-ID
    (T-HDR-04)."""
    no_id = [p for p in pushes if not _header(p, "X-Request-ID")]
    no_correlation = [p for p in pushes if not _header(p, "X-Correlation-ID")]
    ids = Counter(_header(p, "X-Request-ID") for p in pushes if _header(p, "X-Request-ID"))
    reused = [p for p in pushes if ids.get(_header(p, "X-Request-ID"), 0) > 1]
    return (
        _told(no_id, "T-HDR-03", "carry no X-Request-ID", "X-Request-ID")
        + _told(
            reused,
            "T-HDR-03",
            "share an X-Request-ID with another request: each request has one of its own",
            "X-Request-ID",
        )
        + _told(no_correlation, "T-HDR-04", "carry no X-Correlation-ID", "X-Correlation-ID")
    )


@check(
    requirements=("T-ROUTE-01",),
    needs=("incoming requests",),
    versions=("2.2.1", "2.3.0"),
    roles=("cpo", "emsp"),
)
def check_client_routing(
    pushes: Sequence[Exchange], harness_party: tuple[str, str]
) -> list[Finding]:
    """Every request to the CDRs module (a functional module) carries the four OCPI-from/to
    routing headers, addressed to the harness's party (T-ROUTE-01). Without them it is a
    warning (the peer-to-peer exception, AMB-08, as for a server's answers); addressed to
    another party, an error naming it."""
    lacking = [p for p in pushes if any(_header(p, h) is None for h in _ROUTING_HEADERS)]
    which = ""
    if lacking:
        which = ", ".join(h for h in _ROUTING_HEADERS if _header(lacking[0], h) is None)
    found = [
        replace(f, level=Level.WARNING)
        for f in _told(
            lacking, "T-ROUTE-01",
            f"lack routing headers ({which}): allowed only peer to peer, without a hub "
            "(AMB-08)", "OCPI-to-party-id",
        )
    ]  # fmt: skip
    wanted = tuple(v.upper() for v in harness_party)
    elsewhere = [
        p
        for p in pushes
        if p not in lacking
        and tuple((_header(p, f"OCPI-to-{n}") or "").upper() for n in ROUTING) != wanted
    ]
    if elsewhere:
        to = "/".join(_header(elsewhere[0], f"OCPI-to-{n}") or "" for n in ROUTING)
        found += _told(
            elsewhere, "T-ROUTE-01",
            f"are addressed to {to}, but the harness's peer is {'/'.join(harness_party)}",
            "OCPI-to-party-id",
        )  # fmt: skip
    return found


@check(requirements=("T-HDR-01",), needs=("incoming requests",), roles=("cpo", "emsp"))
def check_client_content_type(pushes: Sequence[Exchange]) -> list[Finding]:
    """A request with a body declares it application/json (T-HDR-01)."""
    wrong = [
        p
        for p in pushes
        if p.request_body is not None
        and (_header(p, "Content-Type") or "").split(";")[0].strip().lower() != "application/json"
    ]
    said = (_header(wrong[0], "Content-Type") or "none") if wrong else ""
    return _told(wrong, "T-HDR-01", f"declare Content-Type {said}, not application/json",
                 "Content-Type")  # fmt: skip


def _asked(exchange: Exchange) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(exchange.url).query))


def syncs(pulls: Sequence[Exchange]) -> list[list[Exchange]]:
    """The pulls cut into syncs: a sync starts with a request that asks no offset (or 0),
    unless it repeats the request before it (a page asked twice is one sync's defect)."""
    found: list[list[Exchange]] = []
    for pull in pulls:
        starts = _asked(pull).get("offset", "0") in ("", "0")
        if not found or (starts and pull.url != found[-1][-1].url):
            found.append([])
        found[-1].append(pull)
    return found


_PAGE_KEYS = ("offset", "date_from", "date_to")


@check(requirements=("H-PULL-01",), needs=("incoming requests",), roles=("emsp",))
def check_pulls(pulls: Sequence[Exchange], endpoint: str, waited: str) -> list[Finding]:
    """The partner's client reads the list to its end in each sync: every Link the harness
    gave is followed (an error: the CDRs after it were never read), no page is asked twice
    in one sync, no limit above the X-Limit the answers said (warnings) (H-PULL-01)."""
    if not pulls:
        return [_f(None, "H-PULL-01", f"no request reached the CDR list {endpoint} {waited}")]
    listed = list_requests(pulls, endpoint)
    found: list[Finding] = []
    for number, sync in enumerate(syncs(listed), 1):
        pages = [{k: _asked(p).get(k) for k in _PAGE_KEYS} for p in sync]
        for page in sync:
            link = next_link(page, page.url) if page.status == 200 else None
            if link is None:
                continue
            wanted = {k: dict(parse_qsl(urlsplit(link).query)).get(k) for k in _PAGE_KEYS}
            if wanted not in pages:  # asked before or after: pages may come in parallel
                found.append(_f(
                    page, "H-PULL-01",
                    f"sync {number} did not follow the Link of {page.label} ({link}): no "
                    f"request of the sync asked offset={wanted.get('offset')}, so the CDRs "
                    "from there on were never read", "Link",
                ))  # fmt: skip
                break
        # A page read twice (a refused request asked again is a retry, not a second read)
        read = [p for p in sync if p.status == 200]
        seen = Counter(_page_key(p) for p in read)
        twice = [p for p in read if seen[_page_key(p)] > 1]
        found += _warned(twice, f"asked the same page more than once in sync {number}")
    found += _over_limit(listed)
    return found


def list_requests(pulls: Sequence[Exchange], endpoint: str) -> list[Exchange]:
    """The requests of the list itself (not of one CDR below it)."""
    base = module_path(endpoint)
    return [p for p in pulls if module_path(p.url) == base]


def _page_key(pull: Exchange) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(_asked(pull).items()))


def _warned(requests: Sequence[Exchange], what: str) -> list[Finding]:
    return [replace(f, level=Level.WARNING) for f in _told(requests, "H-PULL-01", what)]


def _over_limit(pulls: Sequence[Exchange]) -> list[Finding]:
    told: int | None = None
    over: list[Exchange] = []
    for pull in pulls:
        asked = as_count(_asked(pull).get("limit"))
        if told is not None and asked is not None and asked > told:
            over.append(pull)
        told = as_count(pull.header("X-Limit")) or told
    said = f"asked limit={_asked(over[0]).get('limit')} after X-Limit said {told}" if over else ""
    return _warned(over, said)


def _read_cdrs(pull: Exchange) -> bool:
    data = (pull.envelope or {}).get("data")
    return pull.status == 200 and isinstance(data, list) and bool(data)


@check(requirements=("H-PULL-02",), needs=("incoming requests",), roles=("emsp",))
def check_incremental(pulls: Sequence[Exchange], endpoint: str) -> list[Finding]:
    """A sync after the first asks date_from, what changed since, not every CDR again
    (H-PULL-02, a warning)."""
    cut = syncs(list_requests(pulls, endpoint))
    # A sync after one that read nothing (refused, failed) has no time to start from
    later = [
        sync[0]
        for before, sync in itertools.pairwise(cut)
        if "date_from" not in _asked(sync[0]) and any(_read_cdrs(p) for p in before)
    ]
    if not later:
        return []
    what = (
        "started a later sync without date_from: every CDR was read again; ask date_from (the "
        "time of the last sync) for what changed"
    )
    return [replace(f, level=Level.WARNING) for f in _told(later, "H-PULL-02", what)]
