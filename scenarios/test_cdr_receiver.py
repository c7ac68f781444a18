"""Conformance of a CDR receiver (target role emsp): generated CDRs of every scenario profile are
accepted with a Location and served back unchanged; credit CDRs too; invalid CDRs are refused
and not stored; a known id is not replaced; PUT/PATCH do not change a CDR. These tests POST:
``--ocpi-read-only`` skips them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import pytest

from harness.checks.transport import check_response
from harness.client import Exchange
from harness.findings import Finding, Level
from harness.generate import PROFILES, CdrGenerator
from harness.target import Target
from scenarios.conftest import conforms
from tests.conftest import fixture_cases

pytestmark = [pytest.mark.cdrs]


@pytest.fixture(scope="session")
def cdr_receiver(receiver: Target) -> str:
    """The CDRs endpoint of an eMSP target (RECEIVER)."""
    if receiver.settings.role == "cpo":
        pytest.skip("the target plays the CPO: no CDR receiver interface to test")
    if receiver.settings.read_only:
        pytest.skip("--ocpi-read-only: the receiver tests POST CDRs")
    url = receiver.endpoint("cdrs", "RECEIVER")
    if url is None:
        problems = "; ".join(f"{f.requirement}: {f.message}" for f in receiver.discover().findings)
        pytest.fail(f"no cdrs RECEIVER endpoint found in version details. {problems}", False)
    return url


@pytest.fixture(scope="session")
def run_tag(receiver: Target) -> str:
    """Appended to pushed CDR ids against a real target, so that a rerun with the same seed
    does not collide with the CDRs the receiver already holds (the embedded mock starts
    empty, so there ids are exactly the generator's)."""
    return "" if receiver.settings.embedded else f"-{time.time_ns() % 10**6:06d}"


def _tagged(cdr: dict[str, Any], tag: str) -> dict[str, Any]:
    return {**cdr, "id": f"{str(cdr['id'])[: 36 - len(tag)]}{tag}"} if tag else cdr


def _post(receiver: Target, url: str, cdr: dict[str, Any], what: str) -> Exchange:
    return receiver.client.request("POST", url, f"POST {what}", body=cdr)


def _accepted(post: Exchange, receiver: Target, what: str) -> tuple[list[Finding], str | None]:
    """Findings on a POST that should be accepted, and the Location to fetch the CDR at."""
    findings = check_response(post, receiver.client.profile, functional=True)
    code = (post.envelope or {}).get("status_code")
    if code != 1000:
        message = (post.envelope or {}).get("status_message")
        findings.append(
            Finding(
                "T-CDR-01",
                Level.ERROR,
                f"{what} was not accepted: status {code} ({message})",
                "$.status_code",
                expected=1000,
                seen=code,
                exchange=post.label,
            )
        )
        return findings, None
    if post.status != 201:
        findings.append(
            Finding(
                "T-HTTP-04",
                Level.WARNING,
                f"a new CDR got HTTP {post.status}, 201 Created is expected",
                exchange=post.label,
            )
        )
    location = post.header("Location")
    if not location:
        findings.append(
            Finding(
                "T-CDR-02",
                Level.ERROR,
                f"{what}: no Location header in the answer to the POST",
                "Location",
                exchange=post.label,
            )
        )
        return findings, None
    return findings, urljoin(post.url, location)


def _served_back(receiver: Target, location: str, cdr: dict[str, Any], what: str) -> list[Finding]:
    fetched = receiver.client.get(location, f"GET {what} back")
    findings = check_response(fetched, receiver.client.profile, functional=True)
    data = (fetched.envelope or {}).get("data")
    if fetched.status != 200 or not isinstance(data, dict):
        findings.append(
            Finding(
                "T-CDR-03",
                Level.ERROR,
                f"GET of the Location of {what} gave HTTP {fetched.status} without the CDR",
                "Location",
                exchange=fetched.label,
            )
        )
        return findings
    for path in _differences(cdr, data):
        findings.append(
            Finding(
                "T-CDR-03",
                Level.ERROR,
                f"{what} came back changed at {path}",
                path,
                exchange=fetched.label,
            )
        )
    return findings


def _unchanged(
    receiver: Target, location: str, cdr: dict[str, Any], what: str, requirement: str, cause: str
) -> list[Finding]:
    """The stored CDR is still the one sent: each way it is not (a difference, or no CDR at
    the Location any more) becomes a ``requirement`` finding that names the ``cause``."""
    return [
        Finding(requirement, Level.ERROR, f"{cause}: {f.message}", f.path, exchange=f.exchange)
        for f in _served_back(receiver, location, cdr, what)
        if f.requirement == "T-CDR-03"
    ]


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


@pytest.mark.requirement("T-CDR-01", "T-CDR-02", "T-CDR-03", "T-HTTP-04")
@pytest.mark.parametrize("profile", list(PROFILES))
def test_a_cdr_of_each_profile_is_accepted_and_served_back_unchanged(
    profile: str,
    receiver: Target,
    cdr_receiver: str,
    cdr_factory: Callable[..., dict[str, Any]],
    run_tag: str,
    request: pytest.FixtureRequest,
) -> None:
    version = receiver.settings.version
    if version not in PROFILES[profile].versions:
        pytest.skip(f"profile {profile} has no {version} form")
    cdr = _tagged(cdr_factory(version=version, profile=profile), run_tag)
    post = _post(receiver, cdr_receiver, cdr, f"CDR {cdr['id']} ({profile})")
    findings, location = _accepted(post, receiver, f"CDR {cdr['id']}")
    if location:
        findings += _served_back(receiver, location, cdr, f"CDR {cdr['id']}")
    conforms(request, findings)


def _invalid_cases(version: str) -> list[Any]:
    cases = [c for c in fixture_cases() if c.version == version and c.kind == "cdr"]
    return [c for c in cases if c.verdict == "invalid" and c.layer == "schema"][:8]


@pytest.mark.schema
@pytest.mark.requirement("C-001", "C-002", "T-HTTP-02")
def test_invalid_cdrs_are_refused_and_not_stored(
    receiver: Target, cdr_receiver: str, run_tag: str, request: pytest.FixtureRequest
) -> None:
    findings: list[Finding] = []
    for number, case in enumerate(_invalid_cases(receiver.settings.version)):
        cdr = json.loads(case.path.read_text(encoding="utf-8"))
        if isinstance(cdr.get("id"), str):
            cdr["id"] = f"INVALID-{number}{run_tag}"
        post = _post(receiver, cdr_receiver, cdr, f"invalid CDR ({case.file})")
        code = (post.envelope or {}).get("status_code")
        if code == 1000 or (post.status in (200, 201) and code is None):
            findings.append(
                Finding(
                    "C-001",
                    Level.ERROR,
                    f"an invalid CDR ({case.file}: {case.expect[0]['requirement']}) was accepted",
                    exchange=post.label,
                )
            )
        elif not (isinstance(code, int) and 2000 <= code < 3000):
            findings.append(
                Finding(
                    "T-HTTP-02",
                    Level.WARNING,
                    f"an invalid CDR got status {code} (HTTP {post.status}); 2001 is expected",
                    exchange=post.label,
                )
            )
    conforms(request, findings)


# Either answer to a known id is accepted (AMB-C-09); replacing the stored CDR is not.
@pytest.mark.requirement("C-004", "C-005")
def test_a_known_id_does_not_replace_the_stored_cdr(
    receiver: Target,
    cdr_receiver: str,
    cdr_factory: Callable[..., dict[str, Any]],
    run_tag: str,
    request: pytest.FixtureRequest,
) -> None:
    cdr = _tagged(cdr_factory(version=receiver.settings.version), run_tag)
    findings, location = _accepted(_post(receiver, cdr_receiver, cdr, "a CDR"), receiver, "a CDR")
    changed = {**cdr, "remark": "posted again with the same id"}
    _post(receiver, cdr_receiver, changed, "the same id again")
    if location:
        findings += _unchanged(
            receiver,
            location,
            cdr,
            "the first CDR",
            "C-005",
            "a CDR posted again with a known id replaced the stored one",
        )
    conforms(request, findings)


@pytest.mark.auth
@pytest.mark.requirement("T-AUTH-04", "T-CDR-04")
def test_posting_needs_the_token_and_stored_cdrs_cannot_be_changed(
    receiver: Target,
    cdr_receiver: str,
    cdr_factory: Callable[..., dict[str, Any]],
    run_tag: str,
    request: pytest.FixtureRequest,
) -> None:
    cdr = _tagged(cdr_factory(version=receiver.settings.version), run_tag)
    anonymous = receiver.client.request(
        "POST", cdr_receiver, "POST without a token", body=cdr, authorization=None
    )
    findings = []
    if anonymous.status != 401:
        findings.append(
            Finding(
                "T-AUTH-04",
                Level.ERROR,
                f"a POST without a token got HTTP {anonymous.status}, not 401",
                exchange=anonymous.label,
            )
        )
    post = _post(receiver, cdr_receiver, cdr, "a CDR")
    accepted, location = _accepted(post, receiver, "a CDR")
    findings += accepted
    if location:
        for method in ("PUT", "PATCH"):
            receiver.client.request(
                method, location, f"{method} the stored CDR", body={**cdr, "remark": "changed"}
            )
        findings += _unchanged(
            receiver, location, cdr, "the CDR", "T-CDR-04", "PUT/PATCH changed a stored CDR"
        )
    conforms(request, findings)


@pytest.mark.requirement("C-006", "C-007")
def test_a_credit_cdr_is_accepted(
    receiver: Target, cdr_receiver: str, run_tag: str, request: pytest.FixtureRequest
) -> None:
    version = receiver.settings.version
    if version == "2.1.1":
        pytest.skip("2.1.1 has no credit CDRs")
    credit = _tagged(CdrGenerator(receiver.settings.seed, "credit", version).cdr(0), run_tag)
    findings, location = _accepted(
        _post(receiver, cdr_receiver, credit, "a credit CDR"), receiver, "a credit CDR"
    )
    if location:
        findings += _served_back(receiver, location, credit, "the credit CDR")
    conforms(request, findings)
