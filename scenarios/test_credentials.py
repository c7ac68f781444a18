"""The credentials handshake with the target as server (opt-in: it changes the partner's
registration; always run against the embedded mock). The harness registers with TOKEN_A (the
token it was given), serving its own versions URL on a loopback port for the target to call
back with TOKEN_B; then TOKEN_C must work and TOKEN_A must be refused on functional modules."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from harness.checks.credentials import (
    check_registered_again,
    check_registration,
    check_token_a_retired,
    check_token_c_opens,
    token_c_of,
)
from harness.mock import MockSettings
from harness.mock.credentials import credentials_object
from harness.mock.in_thread import MockThreadError, mock_in_thread
from harness.target import Target, open_target
from harness.verdict import blocked_by, conforms

pytestmark = [pytest.mark.credentials]


@pytest.fixture(scope="module")
def registrar(sender: Target) -> Iterator[Target]:
    """The target to register with: against the embedded mock a CPO mock of its own, so that
    retiring TOKEN_A does not touch the other suites' peer (under -n, in any order)."""
    if not sender.settings.embedded:
        yield sender
        return
    target = open_target(sender.settings, "cpo")
    try:
        yield target
    finally:
        target.close()


@pytest.fixture(scope="module")
def callback_peer(registrar: Target) -> Iterator[tuple[str, str]]:
    """Our own versions URL on a loopback port (an ocpi-mock accepting TOKEN_B), and TOKEN_B."""
    settings = registrar.settings
    if not settings.embedded and not settings.credentials:
        pytest.skip("the credentials handshake changes the partner's state: --ocpi-credentials")
    token_b = secrets.token_urlsafe(24)
    registrar.client.recorder.add_secret(token_b)
    peer = MockSettings(roles=("emsp",), versions=(settings.version,), token=token_b)
    try:
        with mock_in_thread(peer) as port:
            yield f"http://127.0.0.1:{port}/ocpi/versions", token_b
    except MockThreadError as exc:
        pytest.fail(f"the harness's own callback peer (the mock) did not start: {exc}", False)


def _credentials_body(version: str, token: str, url: str) -> dict[str, Any]:
    """The harness's own credentials object (it registers as an eMSP, party NL/HAR)."""
    ours = MockSettings(roles=("emsp",), country_code="NL", party_id="HAR")
    return credentials_object(ours, version, token, url)


@pytest.mark.requirement("T-CRED-02", "T-AUTH-05", "T-AUTH-06", "T-AUTH-07")
def test_registration_gives_token_c_and_retires_token_a(
    registrar: Target, callback_peer: tuple[str, str], request: pytest.FixtureRequest
) -> None:
    client = registrar.client
    version = client.version
    found = registrar.discover().findings
    cdr_sender = registrar.endpoint("cdrs", "SENDER")
    if cdr_sender is None and found:
        blocked_by(found, "no cdrs SENDER endpoint to try the tokens on")
    if cdr_sender is None:
        pytest.skip("the target offers no cdrs SENDER to try the tokens on")
    url = registrar.endpoint("credentials", "SENDER") or registrar.endpoint(
        "credentials", "RECEIVER"
    )
    if url is None and found:  # the discovery test reports the missing endpoint (T-VER-02)
        blocked_by(found, "no credentials endpoint to register at")
    if url is None:
        pytest.skip("the target lists no credentials endpoint to register at")
    own_url, token_b = callback_peer
    post = client.request(
        "POST",
        url,
        "POST credentials (register with TOKEN_A)",
        body=_credentials_body(version, token_b, own_url),
    )
    findings = check_registration(post)
    token_c = token_c_of(post)
    if token_c is None:
        conforms(request, findings)
        return
    client.recorder.add_secret(token_c)
    with_c = client.get(
        cdr_sender,
        "GET cdrs with TOKEN_C",
        params={"limit": 1},
        authorization=client.authorization(token_c),
    )
    findings += check_token_c_opens(with_c)
    with_a = client.get(cdr_sender, "GET cdrs with TOKEN_A after registration", params={"limit": 1})
    findings += check_token_a_retired(with_a, client.profile)
    again = client.request(
        "POST",
        url,
        "POST credentials again with TOKEN_C",
        body=_credentials_body(version, token_b, own_url),
        authorization=client.authorization(token_c),
    )
    findings += check_registered_again(again)
    conforms(request, findings)
