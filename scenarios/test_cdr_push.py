"""Conformance of a CPO's client (target role cpo, --ocpi-direction push): the harness serves
an eMSP receiver, the partner pushes its CDRs to it (made to by --ocpi-trigger, or by the
harness's own pusher when no partner is given), and every request is judged: the token and
its encoding, the unique ids, the routing headers, the Content-Type, POST to the endpoint URL,
no CDR replaced, every pushed CDR valid and priced to its totals."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from harness.checks import check_object
from harness.checks.client_side import (
    check_client_content_type,
    check_client_request_ids,
    check_client_routing,
    check_client_token,
    check_pushes,
)
from harness.checks.exchange_finding import blocked
from harness.client import OcpiClient
from harness.exchange import Exchange
from harness.findings import Finding
from harness.inbox import serve_inbox
from harness.push import PushError, find_receiver, push_cdrs
from harness.roles import Role
from harness.settings import TargetSettings
from harness.target import Target
from harness.verdict import conforms
from harness.versions import version_profile

pytestmark = [pytest.mark.cdrs]

EMBEDDED_PUSHES = 5  # CDRs the harness's own pusher sends when no partner is given


@dataclass
class Pushed:
    """What the partner's client sent to the receiver, and what the checks need to judge it."""

    pushes: list[Exchange]
    endpoint: str
    waited: str
    known: Callable[[str], bool]
    version: str


def _announce(request: pytest.FixtureRequest, text: str) -> None:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(text)


@pytest.fixture(scope="session")
def pushed(
    ocpi_settings: TargetSettings,
    ocpi_target: Callable[[Role], Target],
    request: pytest.FixtureRequest,
) -> Iterator[Pushed]:
    """The partner's pushes, made while the receiver was served (session: every push test
    judges the same requests)."""
    settings = ocpi_settings
    if settings.direction != "push":
        pytest.skip("the CPO's pushes are judged with --ocpi-direction push")
    if settings.role == "emsp":
        pytest.skip("the target plays the eMSP: it pushes no CDRs")
    recorder = ocpi_target("cpo").client.recorder
    host, port = settings.listen
    with serve_inbox(settings.version, host, port, settings.public_url, settings.seed) as inbox:
        if settings.trigger is None and settings.url is None and settings.listen[1] == 0:
            waited = _push_ourselves(inbox.versions_url, inbox.token, settings)
        else:
            _announce(
                request,
                f"ocpi: push the CDRs to {inbox.endpoint} (versions {inbox.versions_url}) with "
                f"'Authorization: Token <token>', the token printed once here: {inbox.token}",
            )
            waited = _trigger(settings, inbox.versions_url, inbox.endpoint, inbox.token)
            inbox.wait(settings.wait)
        pushes = inbox.pushes()
        for exchange in inbox.received:
            recorder.keep(exchange)
        yield Pushed(pushes, inbox.endpoint, waited, inbox.known, settings.version)


def _push_ourselves(versions_url: str, token: str, settings: TargetSettings) -> str:
    """The embedded partner: the harness's own pusher (with --ocpi-client-fault)."""
    client = OcpiClient(settings.version, token, timeout=settings.timeout)
    try:
        receiver = find_receiver(client, versions_url)
        push_cdrs(
            client, receiver, EMBEDDED_PUSHES, settings.seed, frozenset(settings.client_faults)
        )
    except PushError as exc:
        return f"(the harness's own pusher failed: {exc})"
    finally:
        client.close()
    faults = ", ".join(settings.client_faults) or "none"
    return f"after the harness's own pusher ran (client faults: {faults})"


def _trigger(settings: TargetSettings, versions_url: str, endpoint: str, token: str) -> str:
    if settings.trigger is None:
        return f"within {settings.wait:g} s (--ocpi-wait)"
    env = {
        **os.environ,
        "OCPI_RECEIVER_VERSIONS_URL": versions_url,
        "OCPI_RECEIVER_URL": endpoint,
        "OCPI_RECEIVER_TOKEN": token,
        "OCPI_VERSION": settings.version,
    }
    try:
        run = subprocess.run(
            settings.trigger, shell=True, env=env, timeout=settings.wait, capture_output=True
        )
    except subprocess.TimeoutExpired:
        return f"within {settings.wait:g} s of --ocpi-trigger, which did not end in that time"
    return f"within {settings.wait:g} s after --ocpi-trigger ended (exit status {run.returncode})"


def _judged(pushed: Pushed, rules: tuple[str, ...], found: list[Finding]) -> list[Finding]:
    """``found``, or the rules blocked when nothing was pushed to judge them by."""
    if pushed.pushes:
        return found
    cause = ("H-PUSH-01", f"no request reached the CDR receiver {pushed.waited}")
    return blocked(None, rules, "the pushes", cause)


@pytest.mark.requirement("H-PUSH-01", "C-024", "C-005")
def test_the_cdrs_are_posted_to_the_receivers_endpoint(
    pushed: Pushed, request: pytest.FixtureRequest
) -> None:
    conforms(request, check_pushes(pushed.pushes, pushed.endpoint, pushed.waited))


@pytest.mark.auth
@pytest.mark.requirement("T-AUTH-01", "T-AUTH-02", "T-AUTH-03")
def test_every_push_carries_the_token_in_the_versions_encoding(
    pushed: Pushed, request: pytest.FixtureRequest
) -> None:
    profile = version_profile(pushed.version)
    rule = "T-AUTH-03" if profile.token_base64 else "T-AUTH-02"
    found = check_client_token(pushed.pushes, profile, pushed.known)
    conforms(request, _judged(pushed, ("T-AUTH-01", rule), found))


@pytest.mark.transport
@pytest.mark.requirement("T-HDR-01", "T-HDR-03", "T-HDR-04", "T-ROUTE-01")
def test_every_push_carries_the_headers_of_a_request(
    pushed: Pushed, request: pytest.FixtureRequest
) -> None:
    found = check_client_content_type(pushed.pushes)
    rules: tuple[str, ...] = ("T-HDR-01",)
    if version_profile(pushed.version).request_ids:
        found += check_client_request_ids(pushed.pushes) + check_client_routing(pushed.pushes)
        rules += ("T-HDR-03", "T-HDR-04", "T-ROUTE-01")
    conforms(request, _judged(pushed, rules, found))


@pytest.mark.schema
@pytest.mark.cost
@pytest.mark.requirement("C-001", "C-002", "C-010", "C-012", "C-026")
def test_every_pushed_cdr_is_valid_and_prices_to_its_totals(
    pushed: Pushed, request: pytest.FixtureRequest
) -> None:
    found: list[Finding] = []
    for push in pushed.pushes:
        if push.method not in ("POST", "PUT") or push.request_body is None:
            continue
        cdr = check_object(push.request_body, pushed.version, "cdr")
        found += [f.on_object(f"pushed CDR ({push.label})", push.label) for f in cdr]
    conforms(request, _judged(pushed, ("C-001", "C-026"), found))
