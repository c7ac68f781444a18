"""The CPO's client judged (--ocpi-direction push): the push suite passes the harness's own clean
pusher and fails each client fault under the requirement it breaks; the receiver records what
arrives as incoming exchanges, redacted in the reports like the harness's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.client import OcpiClient
from harness.inbox import serve_inbox
from harness.push import CLIENT_FAULTS, PeerError, find_receiver, push_cdrs
from tests.mock_helpers import import_harness, run_suites

import_harness()

# Each client fault: the requirement the push suite reports it under (2.2.1), and how
EXPECTED = {
    "raw-token": ("T-AUTH-03", "fail"),
    "no-request-id": ("T-HDR-03", "fail"),
    "no-correlation-id": ("T-HDR-04", "fail"),
    "reused-request-id": ("T-HDR-03", "fail"),
    # a warning: allowed peer to peer (AMB-08), as for a server's answers
    "no-routing-headers": ("T-ROUTE-01", "warning"),
    "post-to-id-url": ("C-024", "fail"),
    "put-cdr": ("C-005", "fail"),
    "invalid-cdr": ("C-001", "fail"),
    "text-content-type": ("T-HDR-01", "fail"),
}


def _summary(pytester: pytest.Pytester, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "summary.json"
    run = run_suites(
        pytester, "-p", "no:cacheprovider", "-p", "no:xdist", "-k", "push",
        "--ocpi-direction", "push", "--ocpi-json", str(out), *args,
    )  # fmt: skip
    assert out.exists(), run.stdout[-3000:]
    summary: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return summary


def _failing(summary: dict[str, Any]) -> set[str]:
    return {r["id"] for r in summary["requirements"] if r["outcome"] in ("fail", "error")}


def _reported(summary: dict[str, Any]) -> dict[str, str]:
    """The requirements that fail or warn (what a CDR's schema finding kept other rules from
    judging is partial: a consequence, not a finding)."""
    return {
        r["id"]: r["outcome"]
        for r in summary["requirements"]
        if r["outcome"] in ("fail", "error", "warning")
    }


def test_every_client_fault_has_its_expected_requirement() -> None:
    assert set(EXPECTED) == set(CLIENT_FAULTS)


@pytest.mark.usefixtures("own_secrets")
def test_the_clean_pusher_passes_the_push_suite(pytester: pytest.Pytester, tmp_path: Path) -> None:
    summary = _summary(pytester, tmp_path)
    assert summary["verdict"] == "pass"
    outcomes = {r["id"]: r["outcome"] for r in summary["requirements"]}
    for rule in ("H-PUSH-01", "C-024", "T-AUTH-03", "T-HDR-03", "T-ROUTE-01", "C-001"):
        assert outcomes[rule] == "pass", (rule, outcomes)


@pytest.mark.usefixtures("own_secrets")
@pytest.mark.parametrize(
    "fault",
    [
        # two in the README's command, every one in CI's slow run
        f if f in ("raw-token", "post-to-id-url") else pytest.param(f, marks=pytest.mark.slow)
        for f in sorted(EXPECTED)
    ],
)
def test_each_client_fault_fails_the_rule_it_breaks(
    pytester: pytest.Pytester, tmp_path: Path, fault: str
) -> None:
    summary = _summary(pytester, tmp_path, "--ocpi-client-fault", fault)
    rule, outcome = EXPECTED[fault]
    assert _reported(summary) == {rule: outcome}, summary["to_fix"]


@pytest.mark.usefixtures("own_secrets")
def test_the_2_1_1_pusher_sends_the_token_raw(pytester: pytest.Pytester, tmp_path: Path) -> None:
    clean = _summary(pytester, tmp_path, "--ocpi-version", "2.1.1")
    assert clean["verdict"] == "pass"
    faulty = _summary(pytester, tmp_path, "--ocpi-version", "2.1.1", "--ocpi-client-fault",
                      "raw-token")  # fmt: skip
    assert _failing(faulty) == {"T-AUTH-02"}


@pytest.mark.usefixtures("own_secrets")
def test_a_partner_that_never_pushes_fails_h_push_01_and_blocks_the_rest(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a trigger that does nothing, and a short wait
    summary = _summary(pytester, tmp_path, "--ocpi-trigger", "true", "--ocpi-wait", "0.3")
    outcomes = {r["id"]: r["outcome"] for r in summary["requirements"]}
    assert outcomes["H-PUSH-01"] == "fail"
    assert outcomes["T-AUTH-03"] == "blocked"
    assert outcomes["C-024"] == "blocked"  # how CDRs are posted is not known
    assert outcomes["C-001"] in ("blocked", "pass")  # the sender suite judges C-001 too


@pytest.mark.usefixtures("own_secrets")
@pytest.mark.slow
def test_a_trigger_command_is_given_the_receiver_and_its_pushes_judged(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a trigger that runs the harness's pusher as a separate client (a partner's CLI)
    script = tmp_path / "push.py"
    script.write_text(
        "import os\n"
        "from harness.client import OcpiClient\n"
        "from harness.push import find_receiver, push_cdrs\n"
        "client = OcpiClient(os.environ['OCPI_VERSION'], os.environ['OCPI_RECEIVER_TOKEN'])\n"
        "receiver = find_receiver(client, os.environ['OCPI_RECEIVER_VERSIONS_URL'])\n"
        "assert receiver == os.environ['OCPI_RECEIVER_URL']\n"
        "push_cdrs(client, receiver, 2, 'trigger', frozenset({'no-routing-headers'}))\n",
        encoding="utf-8",
    )
    import sys

    summary = _summary(pytester, tmp_path, "--ocpi-trigger", f"{sys.executable} {script}",
                       "--ocpi-wait", "20")  # fmt: skip
    assert _reported(summary) == {"T-ROUTE-01": "warning"}


def test_the_receiver_records_what_arrives_as_incoming_exchanges() -> None:
    with serve_inbox("2.2.1") as inbox:
        client = OcpiClient("2.2.1", inbox.token)
        receiver = find_receiver(client, inbox.versions_url)
        result = push_cdrs(client, receiver, 2, "inbox")
        client.close()
        pushes = inbox.pushes()
    assert [p.status for p in result.pushes] == [201, 201]
    assert [p.method for p in pushes] == ["POST", "POST"]
    assert all(p.incoming for p in pushes)
    transcript = pushes[0].transcript(lambda text: text.replace(inbox.token, "***"))
    assert transcript["direction"] == "incoming"
    assert inbox.known(inbox.token)
    assert not inbox.known("someone-else")


def test_an_unknown_client_fault_is_named() -> None:
    with serve_inbox("2.2.1") as inbox:
        client = OcpiClient("2.2.1", inbox.token)
        with pytest.raises(PeerError, match="unknown client fault 'loud'"):
            push_cdrs(client, inbox.endpoint, 1, "x", frozenset({"loud"}))
        client.close()


@pytest.mark.usefixtures("own_secrets")
def test_incoming_exchanges_are_in_the_report_with_their_direction_and_no_token(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    import html
    import re

    report = tmp_path / "report"
    run_suites(pytester, "-p", "no:cacheprovider", "-p", "no:xdist", "-k", "push",
               "--ocpi-direction", "push", "--ocpi-client-fault", "no-routing-headers",
               "--ocpi-report", str(report))  # fmt: skip
    page = html.unescape((report / "conformance.html").read_text(encoding="utf-8"))
    assert "the partner's request to the harness, and the harness's answer" in page
    assert "incoming POST /ocpi/2.2.1/emsp/cdrs" in page
    # (the evidence of a failing test: the partner's pushes that lacked the headers)
    # Every Authorization header shown, the partner's included, is redacted
    shown = re.findall(r"Authorization: Token (<token>|[A-Za-z0-9+/=_.\-]+)", page)
    assert shown
    assert set(shown) == {"<token>"}


def test_the_push_command_pushes_and_says_what_each_push_got(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from harness.cli.main import main

    with serve_inbox("2.2.1") as inbox:
        base = ["push", "--to", inbox.versions_url, "--token", inbox.token, "--version", "2.2.1"]
        clean = main([*base, "--count", "2"])
        out = capsys.readouterr().out
        faulty = main([*base, "--count", "1", "--fault", "raw-token"])
        refused = capsys.readouterr().out
    assert clean == 0
    assert out.count(": HTTP 201") == 2
    assert faulty == 1
    assert "HTTP 401" in refused
    assert "sends the token Base64-encoded" in refused
    assert inbox.token not in out + refused


def _b64(token: str) -> str:
    import base64

    return base64.b64encode(token.encode()).decode()


@pytest.mark.usefixtures("own_secrets")
def test_a_registration_makes_both_tokens_secrets_and_retires_token_a() -> None:
    import httpx

    from harness.checks.client_side import check_client_token
    from harness.mock.credentials import credentials_object
    from harness.mock.settings import MockSettings
    from harness.redaction import RUN_SECRETS
    from harness.versions import version_profile

    # Given a partner (its own versions endpoint) that registers with the receiver
    with serve_inbox("2.2.1") as partner, serve_inbox("2.2.1") as inbox:
        token_b = partner.token
        body = credentials_object(MockSettings(), "2.2.1", token_b, partner.versions_url)
        base = inbox.versions_url.removesuffix("/ocpi/versions")
        answer = httpx.post(
            f"{base}/ocpi/2.2.1/credentials",
            json=body,
            headers={"Authorization": f"Token {_b64(inbox.token)}"},
        ).json()
        token_c = answer["data"]["token"]
        # Then TOKEN_B and TOKEN_C are redacted from everything shown from now on
        assert RUN_SECRETS.redact(f"{token_b} {token_c}") == "<token> <token>"
        # And a push with the retired TOKEN_A is refused, and the token check says so
        client = OcpiClient("2.2.1", inbox.token)
        push_cdrs(client, inbox.endpoint, 1, "retired")
        client.close()
        found = check_client_token(inbox.pushes(), version_profile("2.2.1"), inbox.known)
    assert [f.requirement for f in found] == ["T-AUTH-01"]
    assert "TOKEN_A once TOKEN_C was given" in found[0].message
    assert inbox.known(token_c)


def test_the_public_url_is_the_one_the_peer_hands_out() -> None:
    import httpx

    with serve_inbox("2.2.1", public_url="https://gw.example/harness") as inbox:
        header = {"Authorization": f"Token {_b64(inbox.token)}"}
        versions = httpx.get(f"{inbox.local}/ocpi/versions", headers=header).json()["data"]
        details = httpx.get(f"{inbox.local}/ocpi/2.2.1", headers=header).json()["data"]
    assert inbox.versions_url == "https://gw.example/harness/ocpi/versions"
    assert versions[0]["url"] == "https://gw.example/harness/ocpi/2.2.1"
    urls = {e["identifier"]: e["url"] for e in details["endpoints"]}
    assert urls["cdrs"] == "https://gw.example/harness/ocpi/2.2.1/emsp/cdrs"


def test_a_role_first_push_is_a_push_to_the_endpoint() -> None:
    import httpx

    from harness.checks.client_side import check_pushes
    from harness.generate import generate

    with serve_inbox("2.2.1") as inbox:
        base = inbox.versions_url.removesuffix("/ocpi/versions")
        cdr = next(generate("cdr", "2.2.1", 1, "role-first"))
        taken = httpx.post(
            f"{base}/ocpi/emsp/2.2.1/cdrs",
            json=cdr,
            headers={"Authorization": f"Token {_b64(inbox.token)}"},
        )
        pushes = inbox.pushes()
    assert taken.status_code == 201
    assert len(pushes) == 1
    assert check_pushes(pushes, inbox.endpoint, "now") == []


def test_the_verdict_box_says_what_of_the_partner_was_judged() -> None:
    from harness.report.summary import judged_side

    assert judged_side(None, True, False) == "the target's server side"
    assert judged_side("push", True, True) == (
        "the CDR pushes of the harness's own CPO client, standing in for a partner"
    )
    assert judged_side("pull", True, False) == "the partner's CDR pulls (its eMSP client)"
    assert judged_side("push", False, False) == (
        "the target's server side, and its CDR pushes (its CPO client)"
    )
