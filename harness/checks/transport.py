"""Pure checks of one recorded response: it arrived, in the OCPI envelope, with the headers
the version asks for. The scenarios do the I/O through the client."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from harness.checks.exchange_finding import (
    answer_fact,
    blocked,
    is_redirect,
    not_judgeable,
    redirect_finding,
    unanswered,
)
from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.exchange import MAX_DEPTH, NESTED_TOO_DEEPLY, Exchange
from harness.findings import Finding, Level
from harness.models.datetimes import parse_datetime
from harness.models.types import DATETIME_PATTERN
from harness.versions import VersionProfile

_DATETIME = re.compile(DATETIME_PATTERN)
# The cause named when the run's deadline stopped a request: the registry has no id for the
# harness's own limits yet, and H-HTTP-01 is the nearest (a request that got no answer).


_NO_RETRY_AFTER = "HTTP 429, no Retry-After"  # how harness.politeness.throttle_fact says it


def _throttling(exchange: Exchange) -> list[Finding]:
    """What the throttled answers before (or as) this one say: a 429 without Retry-After
    (H-RATE-01, a warning), and the waits the harness made (H-RATE-02, a note)."""
    facts = list(exchange.throttled)
    if exchange.throttled_out is not None:
        facts.append(exchange.throttled_out)
    found: list[Finding] = []
    if any(f.startswith(_NO_RETRY_AFTER) for f in facts):
        waits = [
            f.rsplit("waited ", 1)[1] for f in exchange.throttled if f.startswith(_NO_RETRY_AFTER)
        ]
        waited = f" (the harness waited {', then '.join(waits)})" if waits else ""
        found.append(
            _f(
                exchange,
                "H-RATE-01",
                f"HTTP 429 without Retry-After: a throttled answer says when to ask again{waited}",
                "Retry-After",
                level=Level.WARNING,
            )
        )
    if exchange.throttled and exchange.throttled_out is None:
        found.append(
            _f(
                exchange,
                "H-RATE-02",
                f"answered after {len(exchange.throttled)} throttled attempt"
                f"{'s' if len(exchange.throttled) > 1 else ''}: {'; '.join(exchange.throttled)}",
                level=Level.INFO,
            )
        )
    return found


@check(
    requirements=(
        "H-RATE-01",
        "H-RATE-02",
        "H-HTTP-01",
        "H-HTTP-02",
        "H-HTTP-03",
        "H-HTTP-04",
        "T-HTTP-02",
        "T-HDR-01",
        "T-ENV-01",
        "T-ENV-04",
        "T-TYPE-02",
        "T-HDR-03",
        "T-HDR-04",
        "T-ROUTE-01",
    ),
    needs=("response",),
)
def check_response(
    exchange: Exchange,
    profile: VersionProfile,
    expect_list: bool = False,
    functional: bool = False,
) -> list[Finding]:
    """The response arrived, is JSON in the envelope (T-ENV-01/04), carries the unique ids
    (T-HDR-03/04) and, on functional modules, the routing headers (T-ROUTE-01).

    A request the run's deadline stopped (``run_deadline_passed``) is no answer of the
    target's: the envelope is not judged (blocked, at info level), nothing fails."""
    if exchange.run_deadline_passed:
        cause = unanswered(exchange)
        return blocked(exchange, ("T-ENV-01",), "the answer", cause) if cause else []
    if exchange.off_origin:
        return [_f(exchange, "H-HTTP-03", exchange.error or "not sent: another origin", "url")]
    throttling = _throttling(exchange)
    if exchange.throttled_out is not None:
        cause = unanswered(exchange)
        return throttling + (blocked(exchange, ("T-ENV-01",), "the answer", cause) if cause else [])
    if throttling:
        return throttling + check_response(
            replace(exchange, throttled=()), profile, expect_list, functional
        )
    if exchange.error is not None:
        requirement = "H-HTTP-02" if "limit" in exchange.error else "H-HTTP-01"
        return [_f(exchange, requirement, exchange.error)]  # the finding names the exchange
    if is_redirect(exchange):
        return [redirect_finding(exchange)]
    findings: list[Finding] = []
    if exchange.status is not None and exchange.status >= 500:
        findings.append(
            _f(
                exchange,
                "T-HTTP-02",
                f"{answer_fact(exchange)} to a valid request: requests that reach the OCPI "
                "layer get an envelope, not an HTTP server error",
                seen=exchange.status,
            )
        )
        if "status_code" not in (exchange.envelope or {}):
            # A server's error page (or a framework's JSON error): its Content-Type and its
            # missing envelope are that error (told in its fact), not more defects
            return findings
    media = (exchange.header("content-type") or "").split(";")[0].strip().lower()
    if media != "application/json":
        findings.append(
            _f(
                exchange,
                "T-HDR-01",
                f"Content-Type is {media or 'missing'}, not application/json",
                "Content-Type",
                expected="application/json",
                seen=media or None,
            )
        )
    envelope = exchange.envelope
    if envelope is None:
        if exchange.json_error == NESTED_TOO_DEEPLY:
            shape = f"JSON nested more than {MAX_DEPTH} levels deep (not read)"
        elif exchange.json_error:
            shape = "not JSON"
        else:
            shape = f"a JSON {type(exchange.parsed).__name__}"
        findings.append(
            _f(
                exchange,
                "T-ENV-01",
                f"the body is {shape}, not the OCPI envelope "
                "{data, status_code, status_message, timestamp}",
            )
        )
        return findings
    findings += _envelope_fields(exchange, envelope, profile)
    listed = isinstance(envelope.get("data"), list)
    if (
        expect_list
        and exchange.status == 200
        and envelope.get("status_code") == 1000
        and not listed
    ):
        findings.append(
            _f(
                exchange,
                "T-ENV-01",
                "a list endpoint's data must be an array",
                "$.data",
                seen=type(envelope.get("data")).__name__,
            )
        )
    if profile.request_ids:
        for name in ("X-Request-ID", "X-Correlation-ID"):
            sent = exchange.request_headers.get(name)
            if sent is not None and exchange.header(name) != sent:
                requirement = "T-HDR-03" if name == "X-Request-ID" else "T-HDR-04"
                findings.append(
                    _f(
                        exchange,
                        requirement,
                        f"{name} not echoed",
                        name,
                        expected=sent,
                        seen=exchange.header(name),
                    )
                )
    if functional and profile.routing_headers:
        missing = [
            n for n in ("OCPI-from-country-code", "OCPI-from-party-id") if not exchange.header(n)
        ]
        if missing:
            findings.append(
                _f(
                    exchange,
                    "T-ROUTE-01",
                    f"no {', '.join(missing)} on a functional "
                    "module response (required via platforms/hubs; AMB-08)",
                    missing[0],
                    Level.WARNING,
                )
            )
    return findings


# Seconds two answers must be apart for an unchanged timestamp to prove a stale one: more
# than the one-second precision a timestamp may have
STALE_AFTER = 1.1


@check(requirements=("T-ENV-01",), needs=("response",))
def check_timestamp_moves(first: Exchange, later: Exchange) -> list[Finding]:
    """The envelope's timestamp is when the answer was made (T-ENV-01): two answers asked at
    least ``STALE_AFTER`` seconds apart cannot carry the same one (a default computed once,
    at the server's start). Closer answers, or answers without a timestamp to compare (the
    response check's finding), say nothing here."""
    stamps = [(e.envelope or {}).get("timestamp") for e in (first, later)]
    # From the end of the first exchange: its answer may have been made as late as that
    apart = later.sent_at - (first.sent_at + first.elapsed_ms / 1000)
    if apart < STALE_AFTER or not isinstance(stamps[0], str) or stamps[0] != stamps[1]:
        return []
    message = (
        f"the envelope's timestamp is {stamps[0]!r} on two answers asked {apart:.1f} s apart "
        f"({first.label}, {later.label}): it is not the time the answer was made"
    )
    return [_f(later, "T-ENV-01", message, "$.timestamp", seen=stamps[1])]


ROUTING = ("country-code", "party-id")


def routing_party(answer: Exchange) -> tuple[str, str] | None:
    """The party an answer says it is from (its OCPI-from-country-code and -party-id)."""
    country, party = (answer.header(f"OCPI-from-{name}") for name in ROUTING)
    return (country, party) if country and party else None


def routing_headers(sender: tuple[str, str], receiver: tuple[str, str]) -> dict[str, str]:
    """The four routing headers of a request from ``sender`` to ``receiver`` (country code,
    party id each)."""
    headers = {f"OCPI-from-{n}": v for n, v in zip(ROUTING, sender, strict=True)}
    headers.update({f"OCPI-to-{n}": v for n, v in zip(ROUTING, receiver, strict=True)})
    return headers


@check(requirements=("T-ROUTE-03", "H-HTTP-04"), needs=("response",), versions=("2.2.1", "2.3.0"))
def check_routing_swapped(
    answer: Exchange, ours: tuple[str, str], theirs: tuple[str, str]
) -> list[Finding]:
    """A request sent from party ``ours`` to party ``theirs`` with the four routing headers is
    answered with them swapped (T-ROUTE-03, party to party): from ``theirs``, to ``ours``.
    An answer without the to-headers is a warning (the peer-to-peer exception, AMB-08); a
    value that is not the swapped one is an error naming the header."""
    unjudged = not_judgeable(answer, ("T-ROUTE-03",), "how the routing headers are answered")
    if unjudged is not None:
        return unjudged
    expected = {f"OCPI-to-{n}": v for n, v in zip(ROUTING, ours, strict=True)}
    expected.update({f"OCPI-from-{n}": v for n, v in zip(ROUTING, theirs, strict=True)})
    absent = [name for name in expected if not answer.header(name)]
    findings = []
    if absent:
        message = (
            f"the answer to a request with routing headers has no {', '.join(absent)} "
            "(required when routed; peer to peer they may be left out, AMB-08)"
        )
        findings.append(_f(answer, "T-ROUTE-03", message, absent[0], Level.WARNING))
    for name, value in expected.items():
        seen = answer.header(name)
        if seen and seen.upper() != value.upper():  # CiString: case-insensitive
            unswapped = seen.upper() == _sent(answer, name).upper()
            why = "the request's own value, not swapped" if unswapped else "not swapped"
            message = f"{name} is {seen!r}: {why} (expected {value!r})"
            findings.append(_f(answer, "T-ROUTE-03", message, name, expected=value, seen=seen))
    return findings


def _sent(answer: Exchange, name: str) -> str:
    """The request's value of the same routing header (``OCPI-to-x`` for ``OCPI-to-x``)."""
    lowered = {k.lower(): v for k, v in answer.request_headers.items()}
    return lowered.get(name.lower(), "")


def _envelope_fields(
    exchange: Exchange, envelope: dict[str, Any], profile: VersionProfile
) -> list[Finding]:
    findings = []
    code = envelope.get("status_code")
    if not isinstance(code, int) or isinstance(code, bool):
        findings.append(
            _f(
                exchange,
                "T-ENV-01",
                f"status_code must be an integer; got {code!r}",
                "$.status_code",
                seen=repr(code),
            )
        )
    elif not profile.known_status(code):
        findings.append(
            _f(
                exchange,
                "T-ENV-04",
                f"status_code {code} is not defined in OCPI {profile.version}",
                "$.status_code",
                Level.WARNING,
                seen=code,
            )
        )
    stamp = envelope.get("timestamp")
    if stamp is None:
        findings.append(_f(exchange, "T-ENV-01", "the envelope has no timestamp", "$.timestamp"))
    elif not isinstance(stamp, str) or not _DATETIME.fullmatch(stamp) or not _real(stamp):
        findings.append(
            _f(
                exchange,
                "T-TYPE-02",
                f"timestamp {stamp!r} is not an OCPI DateTime",
                "$.timestamp",
                seen=stamp,
            )
        )
    message = envelope.get("status_message")
    if message is not None and not isinstance(message, str):
        findings.append(
            _f(exchange, "T-ENV-01", "status_message must be a string", "$.status_message")
        )
    return findings


def _real(stamp: str) -> bool:
    try:
        parse_datetime(stamp)
    except ValueError:
        return False
    return True
