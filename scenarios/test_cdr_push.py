"""Conformance of a CPO's client (target role cpo, --ocpi-direction push): the harness serves
an eMSP receiver, the partner pushes its CDRs to it (made to by --ocpi-trigger, or by the
harness's own pusher when no partner is given), and every request is judged: the token and
its encoding, the unique ids, the routing headers, the Content-Type, POST to the endpoint URL,
no CDR replaced, every pushed CDR valid and priced to its totals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.checks import check_object
from harness.checks.client_side import (
    check_client_content_type,
    check_client_request_ids,
    check_client_routing,
    check_pushes,
)
from harness.client import OcpiClient
from harness.findings import Finding
from harness.inbox import serve_inbox
from harness.partner_client import (
    ClientCalls,
    announce,
    judged,
    plays_itself,
    token_findings,
    trigger,
)
from harness.push import PeerError, find_receiver, push_cdrs
from harness.recording import Recorder
from harness.settings import TargetSettings
from harness.verdict import conforms
from harness.versions import version_profile

pytestmark = [pytest.mark.cdrs]

EMBEDDED_PUSHES = 5  # CDRs the harness's own pusher sends when no partner is given


@pytest.fixture(scope="session")
def pushed(
    ocpi_settings: TargetSettings,
    request: pytest.FixtureRequest,
) -> Iterator[ClientCalls]:
    """The partner's pushes, made while the receiver was served (session: every push test
    judges the same requests)."""
    settings = ocpi_settings
    if settings.direction != "push":
        pytest.skip("the CPO's pushes are judged with --ocpi-direction push")
    if settings.role == "emsp":
        pytest.skip("the target plays the eMSP: it pushes no CDRs")
    recorder = Recorder()  # the partner's calls, into the journal the reports read
    host, port = settings.listen
    with serve_inbox(settings.version, host, port, settings.public_url, settings.seed) as inbox:
        if plays_itself(settings):
            announce(request, "ocpi: no partner given: the harness's own pusher plays the CPO")
            waited = _push_ourselves(inbox.versions_url, inbox.token, settings)
        else:
            announce(
                request,
                f"ocpi: push the CDRs to {inbox.endpoint} (versions {inbox.versions_url}) with "
                f"'Authorization: Token <token>', the token printed once here: {inbox.token}",
            )
            waited = trigger(settings, inbox.versions_url, inbox.endpoint, inbox.token)
            inbox.wait(settings.wait, settings.quiet)
        pushes = inbox.pushes()
        for exchange in inbox.received:
            recorder.keep(exchange)
        yield ClientCalls(
            pushes, inbox.endpoint, waited, inbox.known, settings.version, inbox.party
        )


def _push_ourselves(versions_url: str, token: str, settings: TargetSettings) -> str:
    """The embedded partner: the harness's own pusher (with --ocpi-client-fault)."""
    client = OcpiClient(settings.version, token, timeout=settings.timeout)
    try:
        receiver = find_receiver(client, versions_url)
        push_cdrs(
            client, receiver, EMBEDDED_PUSHES, settings.seed, frozenset(settings.client_faults)
        )
    except PeerError as exc:
        return f"(the harness's own pusher failed: {exc})"
    finally:
        client.close()
    faults = ", ".join(settings.client_faults) or "none"
    return f"after the harness's own pusher ran (client faults: {faults})"


@pytest.mark.requirement("H-PUSH-01", "C-024", "C-005")
def test_the_cdrs_are_posted_to_the_receivers_endpoint(
    pushed: ClientCalls, request: pytest.FixtureRequest
) -> None:
    found = check_pushes(pushed.calls, pushed.endpoint, pushed.waited)
    if not pushed.calls:  # H-PUSH-01 is the finding; how CDRs are posted is not known
        found += judged(pushed, ("C-024", "C-005"), [])
    conforms(request, found)


@pytest.mark.auth
@pytest.mark.requirement("T-AUTH-01", "T-AUTH-02", "T-AUTH-03")
def test_every_push_carries_the_token_in_the_versions_encoding(
    pushed: ClientCalls, request: pytest.FixtureRequest
) -> None:
    conforms(request, token_findings(pushed))


@pytest.mark.transport
@pytest.mark.requirement("T-HDR-01", "T-HDR-03", "T-HDR-04", "T-ROUTE-01")
def test_every_push_carries_the_headers_of_a_request(
    pushed: ClientCalls, request: pytest.FixtureRequest
) -> None:
    found = check_client_content_type(pushed.calls)
    rules: tuple[str, ...] = ("T-HDR-01",)
    if version_profile(pushed.version).request_ids:
        found += check_client_request_ids(pushed.calls) + check_client_routing(
            pushed.calls, pushed.party
        )
        rules += ("T-HDR-03", "T-HDR-04", "T-ROUTE-01")
    conforms(request, judged(pushed, rules, found))


@pytest.mark.schema
@pytest.mark.cost
@pytest.mark.requirement("C-001", "C-002", "C-010", "C-012", "C-026")
def test_every_pushed_cdr_is_valid_and_prices_to_its_totals(
    pushed: ClientCalls, request: pytest.FixtureRequest
) -> None:
    found: list[Finding] = []
    for push in pushed.calls:
        if push.method not in ("POST", "PUT") or push.request_body is None:
            continue
        cdr = check_object(push.request_body, pushed.version, "cdr")
        found += [f.on_object(f"pushed CDR ({push.label})", push.label) for f in cdr]
    conforms(request, judged(pushed, ("C-001", "C-026"), found))
