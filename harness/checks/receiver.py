"""Pure checks of a CDR receiver: a pushed CDR is accepted with a Location (T-CDR-01/02,
T-HTTP-04), served back there unchanged (T-CDR-03), not replaced or changed afterwards
(C-005, T-CDR-04), and an invalid CDR is refused (C-001, T-HTTP-02)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.checks.transport import check_response
from harness.exchange import Exchange
from harness.findings import Finding, Level
from harness.versions import VersionProfile


def location_of(post: Exchange) -> str | None:
    """The absolute URL of the Location a receiver answered an accepted POST with."""
    code = (post.envelope or {}).get("status_code")
    location = post.header("Location")
    return urljoin(post.url, location) if code == 1000 and location else None


@check(
    requirements=("T-CDR-01", "T-CDR-02", "T-HTTP-04"),
    needs=("push answer",),
    roles=("emsp",),
)
def check_push_accepted(post: Exchange, profile: VersionProfile, what: str) -> list[Finding]:
    """A valid CDR POSTed to the receiver is accepted (status 1000, T-CDR-01), with 201
    (T-HTTP-04) and a Location header (T-CDR-02); the answer is a proper OCPI response."""
    findings = check_response(post, profile, functional=True)
    code = (post.envelope or {}).get("status_code")
    if code != 1000:
        message = (post.envelope or {}).get("status_message")
        findings.append(
            _f(
                post,
                "T-CDR-01",
                f"{what} was not accepted: status {code} ({message})",
                "$.status_code",
                expected=1000,
                seen=code,
            )
        )
        return findings
    if post.status != 201:
        message = f"a new CDR got HTTP {post.status}, 201 Created is expected"
        findings.append(_f(post, "T-HTTP-04", message, level=Level.WARNING))
    if not post.header("Location"):
        message = f"{what}: no Location header in the answer to the POST"
        findings.append(_f(post, "T-CDR-02", message, "Location"))
    return findings


@check(requirements=("T-CDR-03",), needs=("push answer",), roles=("emsp",))
def check_served_back(
    fetched: Exchange, sent: dict[str, Any], profile: VersionProfile, what: str
) -> list[Finding]:
    """The CDR fetched from its Location is the one sent, field for field (T-CDR-03)."""
    findings = check_response(fetched, profile, functional=True)
    if fetched.off_origin:  # not fetched: H-HTTP-03 says why; nothing is known of the CDR
        return findings
    data = (fetched.envelope or {}).get("data")
    if fetched.status != 200 or not isinstance(data, dict):
        message = f"GET of the Location of {what} gave HTTP {fetched.status} without the CDR"
        findings.append(_f(fetched, "T-CDR-03", message, "Location"))
        return findings
    for path in _differences(sent, data):
        findings.append(_f(fetched, "T-CDR-03", f"{what} came back changed at {path}", path))
    return findings


@check(requirements=("C-005", "T-CDR-04"), needs=("stored CDR read back",), roles=("emsp",))
def check_unchanged(
    fetched: Exchange,
    sent: dict[str, Any],
    profile: VersionProfile,
    what: str,
    requirement: str,
    cause: str,
) -> list[Finding]:
    """The stored CDR is still the one first sent after ``cause`` (a second POST with its id:
    C-005; a PUT or PATCH: T-CDR-04): each way it is not (a difference, or no CDR at the
    Location any more) is a ``requirement`` finding naming the cause."""
    return [
        _f(f.exchange, requirement, f"{cause}: {f.message}", f.path)
        for f in check_served_back(fetched, sent, profile, what)
        if f.requirement == "T-CDR-03"
    ]


@check(requirements=("C-001", "T-HTTP-02"), needs=("push answer",), roles=("emsp",))
def check_invalid_refused(post: Exchange, what: str) -> list[Finding]:
    """An invalid CDR (``what`` says how) is refused (C-001), with a 2xxx status (T-HTTP-02)."""
    code = (post.envelope or {}).get("status_code")
    if code == 1000 or (post.status in (200, 201) and code is None):
        return [_f(post, "C-001", f"an invalid CDR ({what}) was accepted")]
    if not (isinstance(code, int) and 2000 <= code < 3000):
        message = f"an invalid CDR got status {code} (HTTP {post.status}); 2001 is expected"
        return [_f(post, "T-HTTP-02", message, level=Level.WARNING)]
    return []


def _differences(sent: Any, got: Any, path: str = "$") -> list[str]:
    if isinstance(sent, dict) and isinstance(got, dict):
        out = []
        for key in sent.keys() | got.keys():
            out += _differences(sent.get(key), got.get(key), f"{path}.{key}")
        return out
    if isinstance(sent, list) and isinstance(got, list) and len(sent) == len(got):
        return [
            p
            for i, (a, b) in enumerate(zip(sent, got, strict=True))
            for p in _differences(a, b, f"{path}[{i}]")
        ]
    return [] if sent == got else [path]
