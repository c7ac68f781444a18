"""Pure checks of one recorded response: it arrived, in the OCPI envelope, with the headers
the version asks for. The scenarios do the I/O through the client."""

from __future__ import annotations

import re
from typing import Any

from harness.checks.exchange_finding import blocked, unanswered
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


@check(
    requirements=(
        "H-HTTP-01",
        "H-HTTP-02",
        "H-HTTP-03",
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
    if exchange.error is not None:
        requirement = "H-HTTP-02" if "limit" in exchange.error else "H-HTTP-01"
        return [_f(exchange, requirement, exchange.error)]  # the finding names the exchange
    findings: list[Finding] = []
    if exchange.status is not None and exchange.status >= 500:
        findings.append(
            _f(
                exchange,
                "T-HTTP-02",
                f"HTTP {exchange.status} to a valid request: requests that reach the OCPI layer "
                "get an envelope, not an HTTP server error",
                seen=exchange.status,
            )
        )
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
