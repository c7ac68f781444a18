"""A CPO's CDR pushes, made by the harness: it finds an eMSP's CDR receiver through the
versions URL and POSTs generated CDRs to it, as a CPO's client does after each session.

It is what an eMSP under test needs (real-looking pushes), and the client the harness's own
push scenario judges when no partner is given; its named client faults (``CLIENT_FAULTS``)
each break one rule a CPO's client keeps, so that every client-side check is proven to fail
on its fault and pass on the clean client.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from harness.checks.transport import routing_headers
from harness.client import OcpiClient
from harness.exchange import Exchange
from harness.generate import generate
from harness.versions import version_profile

__all__ = [
    "CLIENT_FAULTS",
    "PeerError",
    "PushResult",
    "find_cdrs_endpoint",
    "find_receiver",
    "push_cdrs",
]

# name -> what the faulty client does (and the rule it breaks)
CLIENT_FAULTS: dict[str, str] = {
    "raw-token": "sends the token raw in 2.2+ (T-AUTH-03) or Base64 in 2.1.1 (T-AUTH-02)",
    "no-request-id": "sends no X-Request-ID (T-HDR-03)",
    "no-correlation-id": "sends no X-Correlation-ID (T-HDR-04)",
    "reused-request-id": "sends every request with the same X-Request-ID (T-HDR-03)",
    "no-routing-headers": "sends no OCPI-from/to routing headers (T-ROUTE-01)",
    "post-to-id-url": "POSTs each CDR to an id URL below the endpoint (C-024)",
    "put-cdr": "PUTs each CDR to an id URL instead of POSTing it (C-005, C-024)",
    "invalid-cdr": "pushes CDRs without their charging_periods (C-001)",
    "text-content-type": "sends the CDRs as text/plain (T-HDR-01)",
}
# Who the harness's pusher (a CPO) and puller (an eMSP) say they are in routing headers; the
# peer they address is the harness's mock (its default party, harness.mock.MockSettings)
CPO_PARTY = ("NL", "CPO")
EMSP_PARTY = ("NL", "EMP")
PEER_PARTY = ("NL", "MCK")


class PeerError(Exception):
    """The partner's receiver or sender could not be found or reached: the message says what
    was asked."""


@dataclass
class PushResult:
    """The receiver's URL and each push's exchange."""

    receiver: str
    pushes: list[Exchange] = field(default_factory=list)


def find_receiver(client: OcpiClient, versions_url: str) -> str:
    """The cdrs RECEIVER endpoint (2.1.1: the cdrs endpoint) the versions URL leads to."""
    return find_cdrs_endpoint(client, versions_url, "RECEIVER")


def find_cdrs_endpoint(client: OcpiClient, versions_url: str, role: str) -> str:
    """The cdrs endpoint of ``role`` (SENDER or RECEIVER; 2.1.1 endpoints have no role) that
    the versions URL leads to, in the client's version."""
    versions = client.get(versions_url, f"GET versions (find the cdrs {role})")
    listed = (versions.envelope or {}).get("data")
    if not isinstance(listed, list):
        raise PeerError(f"{versions_url} lists no versions ({versions.status or versions.error})")
    match = [v for v in listed if isinstance(v, dict) and v.get("version") == client.version]
    if not match:
        raise PeerError(f"{versions_url} does not offer OCPI {client.version}")
    details = client.get(str(match[0].get("url")), f"GET version details (find the cdrs {role})")
    endpoints = ((details.envelope or {}).get("data") or {}).get("endpoints") or []
    for endpoint in endpoints:
        if (
            isinstance(endpoint, dict)
            and endpoint.get("identifier") == "cdrs"
            and endpoint.get("role") in (None, role)
        ):
            return str(endpoint.get("url"))
    raise PeerError(f"the version details of {client.version} list no cdrs {role.lower()}")


def push_cdrs(
    client: OcpiClient,
    receiver: str,
    count: int,
    seed: str,
    faults: frozenset[str] = frozenset(),
    profile: str = "default",
) -> PushResult:
    """POST ``count`` generated CDRs of ``seed`` to ``receiver`` (as ``faults`` say)."""
    unknown = sorted(faults - CLIENT_FAULTS.keys())
    if unknown:
        raise PeerError(f"unknown client fault {unknown[0]!r}: one of {', '.join(CLIENT_FAULTS)}")
    result = PushResult(receiver)
    for index, cdr in enumerate(_cdrs(client.version, count, seed, profile, faults)):
        method, url = "POST", receiver
        if faults & {"post-to-id-url", "put-cdr"}:
            url = f"{receiver.rstrip('/')}/{_key(cdr, client.version)}"
            method = "PUT" if "put-cdr" in faults else "POST"
        headers = _headers(client, faults, index)
        authorization = _authorization(client, faults)
        label = f"push CDR {index + 1}"
        answer = client.request(
            method, url, label, body=cdr, headers=headers, authorization=authorization
        )
        result.pushes.append(answer)
    return result


def _cdrs(
    version: str, count: int, seed: str, profile: str, faults: frozenset[str]
) -> Iterator[dict[str, Any]]:
    for cdr in generate("cdr", version, count, seed, profile):
        if "invalid-cdr" in faults:
            cdr = copy.deepcopy(cdr)
            cdr.pop("charging_periods", None)
        yield cdr


def _key(cdr: dict[str, Any], version: str) -> str:
    ident = quote(str(cdr.get("id")), safe="")
    if not version_profile(version).party_scoped_ids:
        return ident
    return f"{cdr.get('country_code')}/{cdr.get('party_id')}/{ident}"


def _headers(client: OcpiClient, faults: frozenset[str], index: int) -> dict[str, str | None]:
    """The headers besides the client's own (None: leave the client's out)."""
    headers: dict[str, str | None] = {}
    if client.profile.request_ids:
        if "reused-request-id" in faults:
            headers["X-Request-ID"] = "push-request-1"
        if "no-request-id" in faults:
            headers["X-Request-ID"] = None
        if "no-correlation-id" in faults:
            headers["X-Correlation-ID"] = None
        if "no-routing-headers" not in faults:
            headers.update(routing_headers(CPO_PARTY, PEER_PARTY))
    if "text-content-type" in faults:
        headers["Content-Type"] = "text/plain"
    return headers


def _authorization(client: OcpiClient, faults: frozenset[str]) -> str:
    if "raw-token" not in faults:
        return "default"
    wrong = "raw" if client.profile.token_base64 else "base64"
    return client.authorization(encoding=wrong)
