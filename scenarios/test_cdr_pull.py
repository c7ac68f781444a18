"""Conformance of an eMSP's client (target role emsp, --ocpi-direction pull): the harness serves
a CPO sender (CDRs in pages small enough to need several Links), the partner syncs from it
(made to by --ocpi-trigger, or the harness's own puller when no partner is given), and every
request is judged: the token and its encoding, the unique ids, the routing headers, a crawl
that follows Link to the last page, each page once, within X-Limit, and a later sync that asks
date_from (incremental, a warning)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.checks.client_side import (
    check_client_request_ids,
    check_client_routing,
    check_incremental,
    check_pulls,
    list_requests,
    syncs,
)
from harness.client import OcpiClient
from harness.inbox import serve_inbox
from harness.partner_client import (
    ClientCalls,
    announce,
    judged,
    plays_itself,
    token_findings,
    trigger,
)
from harness.pull import find_sender, latest_stamp, pull_cdrs
from harness.push import PeerError
from harness.recording import Recorder
from harness.settings import TargetSettings
from harness.verdict import conforms
from harness.versions import version_profile

pytestmark = [pytest.mark.cdrs]


@pytest.fixture(scope="session")
def pulled(
    ocpi_settings: TargetSettings,
    request: pytest.FixtureRequest,
) -> Iterator[ClientCalls]:
    """The partner's pulls of the sender the harness served (session-wide)."""
    settings = ocpi_settings
    if settings.direction != "pull":
        pytest.skip("the eMSP's pulls are judged with --ocpi-direction pull")
    if settings.role == "cpo":
        pytest.skip("the target plays the CPO: it pulls no CDRs")
    recorder = Recorder()  # the partner's calls, into the journal the reports read
    host, port = settings.listen
    with serve_inbox(
        settings.version, host, port, settings.public_url, settings.seed, role="cpo"
    ) as inbox:
        if plays_itself(settings):
            announce(request, "ocpi: no partner given: the harness's own puller plays the eMSP")
            waited = _pull_ourselves(inbox.versions_url, inbox.token, settings)
        else:
            announce(
                request,
                f"ocpi: pull the CDRs from {inbox.endpoint} (versions {inbox.versions_url}) "
                f"with 'Authorization: Token <token>', the token printed once here: "
                f"{inbox.token}",
            )
            waited = trigger(settings, inbox.versions_url, inbox.endpoint, inbox.token)
            inbox.wait(settings.wait, settings.quiet)
        for exchange in inbox.received:
            recorder.keep(exchange)
        yield ClientCalls(
            inbox.pulls(),
            inbox.endpoint,
            waited,
            inbox.known,
            settings.version,
            inbox.party,
            "H-PULL-01",
        )


def _pull_ourselves(versions_url: str, token: str, settings: TargetSettings) -> str:
    """The embedded partner: the harness's own puller, two syncs (with --ocpi-client-fault)."""
    faults = frozenset(settings.client_faults)
    client = OcpiClient(settings.version, token, timeout=settings.timeout)
    try:
        sender = find_sender(client, versions_url)
        first = pull_cdrs(client, sender, None, faults, "sync 1")
        since = None if "re-read-all" in faults else latest_stamp(first.pages)
        pull_cdrs(client, sender, since, faults, "sync 2")
    except PeerError as exc:
        return f"(the harness's own puller failed: {exc})"
    finally:
        client.close()
    return f"after the harness's own puller ran (client faults: {', '.join(faults) or 'none'})"


@pytest.mark.pagination
@pytest.mark.requirement("H-PULL-01")
def test_the_list_is_read_to_its_end_each_page_once(
    pulled: ClientCalls, request: pytest.FixtureRequest
) -> None:
    conforms(request, check_pulls(pulled.calls, pulled.endpoint, pulled.waited))


@pytest.mark.pagination
@pytest.mark.requirement("H-PULL-02")
def test_a_later_sync_asks_what_changed(
    pulled: ClientCalls, request: pytest.FixtureRequest
) -> None:
    if len(syncs(list_requests(pulled.calls, pulled.endpoint))) < 2:
        pytest.skip("the partner synced once: whether it syncs incrementally is not known")
    conforms(request, check_incremental(pulled.calls, pulled.endpoint))


@pytest.mark.auth
@pytest.mark.requirement("T-AUTH-01", "T-AUTH-02", "T-AUTH-03")
def test_every_pull_carries_the_token_in_the_versions_encoding(
    pulled: ClientCalls, request: pytest.FixtureRequest
) -> None:
    conforms(request, token_findings(pulled))


@pytest.mark.transport
@pytest.mark.requirement("T-HDR-03", "T-HDR-04", "T-ROUTE-01")
def test_every_pull_carries_the_headers_of_a_request(
    pulled: ClientCalls, request: pytest.FixtureRequest
) -> None:
    if not version_profile(pulled.version).request_ids:
        pytest.skip("2.1.1 has no request ids or routing headers")
    found = check_client_request_ids(pulled.calls) + check_client_routing(
        pulled.calls, pulled.party
    )
    conforms(request, judged(pulled, ("T-HDR-03", "T-HDR-04", "T-ROUTE-01"), found))
