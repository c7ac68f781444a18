"""Conformance of a CDR receiver (target role emsp): generated CDRs of every scenario profile are
accepted with a Location and served back unchanged; credit CDRs too; invalid CDRs are refused
and not stored; a known id is not replaced; PUT/PATCH do not change a CDR. These tests POST:
``--ocpi-read-only`` skips them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.checks.auth import check_refused
from harness.checks.exchange_finding import answer_fact, blocked
from harness.checks.receiver import (
    check_invalid_refused,
    check_non_json_refused,
    check_push_accepted,
    check_read_at_derived_url,
    check_served_back,
    check_unchanged,
    derived_cdr_urls,
    location_of,
)
from harness.exchange import Exchange
from harness.findings import Finding
from harness.generate import PROFILES, CdrGenerator
from harness.models import model_for
from harness.target import Target
from harness.verdict import conforms

pytestmark = [pytest.mark.cdrs]


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


def _push(
    receiver: Target, url: str, cdr: dict[str, Any], what: str
) -> tuple[Exchange, list[Finding], str | None]:
    """POST a valid CDR: the answer, the findings on it, and the Location to read it at."""
    post = _post(receiver, url, cdr, what)
    return post, check_push_accepted(post, receiver.client.profile, what), location_of(post)


def _not_stored(
    post: Exchange, pushed: list[Finding], requirements: tuple[str, ...], what: str
) -> list[Finding]:
    """No stored CDR to read at a Location: ``requirements`` need that read, so they are
    blocked, never passed, by what took it away: no Location header in an accepted answer
    (T-CDR-02), else the refusal or the missing answer that ``pushed`` reports."""
    if location_of(post):
        return []
    if _accepted(post):
        why = ("T-CDR-02", "the answer to the POST has no Location header")
    else:
        errors = [f for f in pushed if f.level.value == "error" and f.outcome is None]
        causes = [f for f in pushed if f.outcome == "blocked" and f.cause]
        if errors:
            why = (errors[0].requirement, errors[0].message)
        elif causes:
            why = (causes[0].cause or "T-CDR-01", causes[0].seen or "no answer to the POST")
        else:
            why = ("T-CDR-01", f"the CDR was not accepted: {answer_fact(post)}")
    return blocked(None, requirements, what, why)


def _read_back(receiver: Target, location: str, what: str) -> Exchange:
    return receiver.client.get(location, f"GET {what} back")


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
    what = f"CDR {cdr['id']}"
    post, findings, location = _push(receiver, cdr_receiver, cdr, what)
    served = None
    if location:
        served = _read_back(receiver, location, what)
        findings += check_served_back(served, cdr, receiver.client.profile, what)
    # Nowhere to read it back (no Location, or not accepted): how it is served is unknown
    findings += _not_stored(post, findings, ("T-CDR-03",), f"how {what} is served back")
    if not _accepted(post):
        # Refused: whether it would have got 201 and a Location is unknown too
        reported = {f.requirement for f in findings}
        unjudged = tuple(r for r in ("T-CDR-02", "T-HTTP-04") if r not in reported)
        findings += (
            _not_stored(post, findings, unjudged, f"how {what} is stored") if unjudged else []
        )
    if _accepted(post) and not _served(served):
        findings += _read_at_derived_url(receiver, cdr_receiver, cdr, what)
    conforms(request, findings)


def _accepted(post: Exchange) -> bool:
    return (post.envelope or {}).get("status_code") == 1000


def _served(fetched: Exchange | None) -> bool:
    return fetched is not None and fetched.status == 200 and fetched.envelope is not None


def _read_at_derived_url(
    receiver: Target, endpoint: str, cdr: dict[str, Any], what: str
) -> list[Finding]:
    """The CDR accepted but not readable at its Location: read it where a receiver commonly
    serves it, as a labelled diagnostic, so its shape and round trip are still told."""
    for number, url in enumerate(derived_cdr_urls(endpoint, cdr), 1):
        label = f"GET {what} at derived URL {number} (diagnostic: the Location was unusable)"
        fetched = receiver.client.get(url, label)
        if _served(fetched):
            return check_read_at_derived_url(fetched, cdr, receiver.client.profile, what)
    return []


def _invalid_cdrs(version: str, valid: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A valid CDR with one required field of the version's model left out, for the first
    eight required fields (each breaks C-001)."""
    required = [n for n, f in model_for(version, "cdr").model_fields.items() if f.is_required()]
    for name in required[:8]:
        yield f"required field {name} missing: C-001", {k: v for k, v in valid.items() if k != name}


@pytest.mark.schema
@pytest.mark.requirement("C-001", "C-002", "T-HTTP-02", "T-ENV-01")
def test_invalid_cdrs_are_refused_and_not_stored(
    receiver: Target,
    cdr_receiver: str,
    cdr_factory: Callable[..., dict[str, Any]],
    run_tag: str,
    request: pytest.FixtureRequest,
) -> None:
    findings: list[Finding] = []
    valid = cdr_factory(version=receiver.settings.version)
    # A refusal tells something only if the receiver takes a valid CDR: push one beside them.
    reference = {**valid, "id": f"VALID-{str(valid['id'])[:20]}{run_tag}"}
    accepted = _post(receiver, cdr_receiver, reference, "a valid CDR beside the invalid ones")
    for number, (what, cdr) in enumerate(_invalid_cdrs(receiver.settings.version, valid)):
        if isinstance(cdr.get("id"), str):
            cdr["id"] = f"INVALID-{number}{run_tag}"
        post = _post(receiver, cdr_receiver, cdr, f"invalid CDR ({what})")
        findings += check_invalid_refused(post, what, accepted)
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
    post, findings, location = _push(receiver, cdr_receiver, cdr, "a CDR")
    findings += _not_stored(post, findings, ("C-004", "C-005"), "whether a second POST replaces it")
    before = _read_back(receiver, location, "the first CDR") if location else None
    changed = {**cdr, "remark": "posted again with the same id"}
    _post(receiver, cdr_receiver, changed, "the same id again")
    if location and before is not None:
        fetched = _read_back(receiver, location, "the first CDR after the second POST")
        findings += check_unchanged(
            before,
            fetched,
            cdr,
            receiver.client.profile,
            "the first CDR",
            "C-005",
            "a CDR posted again with a known id replaced the stored one",
        )
    conforms(request, findings)


@pytest.mark.transport
@pytest.mark.requirement("T-HTTP-01")
def test_a_body_that_is_not_json_gets_http_400(
    receiver: Target, cdr_receiver: str, request: pytest.FixtureRequest
) -> None:
    answer = receiver.client.request(
        "POST", cdr_receiver, "POST a body that is not JSON", body='{"id": "broken'
    )
    conforms(request, check_non_json_refused(answer, receiver.client.profile))


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
    # Another id: a receiver that stores it anyway must not turn the real push into a repeat
    stranger = {**cdr, "id": f"NOTOKEN-{str(cdr['id'])[:20]}{run_tag}"}
    anonymous = receiver.client.request(
        "POST", cdr_receiver, "POST without a token", body=stranger, authorization=None
    )
    findings = check_refused(anonymous, "no token on a POST", envelope=False)
    post, accepted, location = _push(receiver, cdr_receiver, cdr, "a CDR")
    findings += accepted
    findings += _not_stored(post, accepted, ("T-CDR-04",), "whether PUT/PATCH change it")
    if location:
        before = _read_back(receiver, location, "the CDR before PUT/PATCH")
        for method in ("PUT", "PATCH"):
            receiver.client.request(
                method, location, f"{method} the stored CDR", body={**cdr, "remark": "changed"}
            )
        fetched = _read_back(receiver, location, "the CDR after PUT/PATCH")
        findings += check_unchanged(
            before,
            fetched,
            cdr,
            receiver.client.profile,
            "the CDR",
            "T-CDR-04",
            "PUT/PATCH changed a stored CDR",
        )
    conforms(request, findings)


@pytest.mark.requirement("C-006", "C-007")
def test_a_credit_cdr_is_accepted(
    receiver: Target, cdr_receiver: str, run_tag: str, request: pytest.FixtureRequest
) -> None:
    version = receiver.settings.version
    if not receiver.client.profile.has_credit_cdrs:
        pytest.skip(f"{version} has no credit CDRs")
    credit = _tagged(CdrGenerator(receiver.settings.seed, "credit", version).cdr(0), run_tag)
    post, findings, location = _push(receiver, cdr_receiver, credit, "a credit CDR")
    findings += _not_stored(post, findings, ("C-006", "C-007"), "how a credit CDR is taken")
    if location:
        fetched = _read_back(receiver, location, "the credit CDR")
        findings += check_served_back(fetched, credit, receiver.client.profile, "the credit CDR")
    conforms(request, findings)
