"""Checks of what a partner's client sent to the harness (incoming exchanges): a CPO's CDR
pushes to the receiver the harness served. Each judges every push and reports one finding per
kind of defect, naming how many pushes have it and one of them."""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.checks.transport import ROUTING
from harness.exchange import Exchange
from harness.findings import Finding
from harness.versions import VersionProfile

_ROUTING_HEADERS = tuple(f"ocpi-{d}-{n}" for d in ("from", "to") for n in ROUTING)


def _header(exchange: Exchange, name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in exchange.request_headers.items() if k.lower() == lowered), None)


def _told(
    pushes: Sequence[Exchange], requirement: str, what: str, where: str = "$"
) -> list[Finding]:
    """One finding for the pushes that have a defect: how many, and the first of them."""
    if not pushes:
        return []
    return [_f(pushes[0], requirement, f"{len(pushes)} push(es) {what}", where)]


@check(requirements=("H-PUSH-01", "C-024", "C-005"), needs=("incoming requests",), roles=("cpo",))
def check_pushes(pushes: Sequence[Exchange], endpoint: str, waited: str) -> list[Finding]:
    """CDRs reach the receiver (H-PUSH-01) by POST to the endpoint URL given, not to an id
    URL (C-024), and none is replaced (no PUT or PATCH, C-005). ``waited`` says how long the
    harness waited and after what."""
    if not pushes:
        return [_f(None, "H-PUSH-01", f"no request reached the CDR receiver {endpoint} {waited}")]
    base = urlsplit(endpoint).path.rstrip("/")
    replaced = [p for p in pushes if p.method in ("PUT", "PATCH", "DELETE")]
    elsewhere = [
        p for p in pushes if p.method == "POST" and urlsplit(p.url).path.rstrip("/") != base
    ]
    found = _told(
        replaced, "C-005", f"sent {replaced[0].method if replaced else ''} to a CDR's URL: a CDR "
        "once sent is never replaced or changed (a correction is a new credit CDR)",
    )  # fmt: skip
    found += _told(
        elsewhere,
        "C-024",
        f"POSTed to {urlsplit(elsewhere[0].url).path if elsewhere else ''}, not to the "
        f"endpoint URL {base}: a CDR is POSTed to the receiver's endpoint itself",
    )
    return found


@check(
    requirements=("T-AUTH-01", "T-AUTH-02", "T-AUTH-03"),
    needs=("incoming requests",),
    roles=("cpo",),
)
def check_pushed_token(
    pushes: Sequence[Exchange], profile: VersionProfile, known: Callable[[str], bool]
) -> list[Finding]:
    """Every push carries 'Authorization: Token <token>' (T-AUTH-01) with a token the
    receiver gave, in the version's encoding: Base64 in 2.2+ (T-AUTH-03), raw in 2.1.1
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
        + _told(unknown, "T-AUTH-01", "carry a token the receiver never gave", "Authorization")
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
    roles=("cpo",),
)
def check_pushed_request_ids(pushes: Sequence[Exchange]) -> list[Finding]:
    """Every push carries an X-Request-ID of its own (T-HDR-03) and an X-Correlation-ID
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
            "share an X-Request-ID with another push: each request has one of its own",
            "X-Request-ID",
        )
        + _told(no_correlation, "T-HDR-04", "carry no X-Correlation-ID", "X-Correlation-ID")
    )


@check(
    requirements=("T-ROUTE-01",),
    needs=("incoming requests",),
    versions=("2.2.1", "2.3.0"),
    roles=("cpo",),
)
def check_pushed_routing(pushes: Sequence[Exchange]) -> list[Finding]:
    """Every push to the CDRs module (a functional module) carries the four OCPI-from/to
    routing headers (T-ROUTE-01)."""
    lacking = [p for p in pushes if any(_header(p, h) is None for h in _ROUTING_HEADERS)]
    which = ""
    if lacking:
        which = ", ".join(h for h in _ROUTING_HEADERS if _header(lacking[0], h) is None)
    return _told(lacking, "T-ROUTE-01", f"lack routing headers ({which})", "OCPI-from-party-id")


@check(requirements=("T-HDR-01",), needs=("incoming requests",), roles=("cpo",))
def check_pushed_content_type(pushes: Sequence[Exchange]) -> list[Finding]:
    """A push with a body declares it application/json (T-HDR-01)."""
    wrong = [
        p
        for p in pushes
        if p.request_body is not None
        and (_header(p, "Content-Type") or "").split(";")[0].strip().lower() != "application/json"
    ]
    said = (_header(wrong[0], "Content-Type") or "none") if wrong else ""
    return _told(wrong, "T-HDR-01", f"declare Content-Type {said}, not application/json",
                 "Content-Type")  # fmt: skip
