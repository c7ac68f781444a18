"""A partner that protects itself (429, 503 with Retry-After) is waited out, a bounded number
of times and only on GET, and never reported as broken for it (harness/politeness.py); the
rate the harness keeps to."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from harness.checks.transport import check_response
from harness.client import OcpiClient
from harness.exchange import Exchange
from harness.findings import Finding, Level
from harness.politeness import RateLimit, RetryPolicy, default_rate, retry_after_seconds
from harness.settings import SettingsError, parse_settings
from harness.versions import version_profile
from tests.hostile_servers import Behaviour, hostile_partner
from tests.test_blocked_outcomes import _cdrs, _judged, _outcomes

TOKEN = "receiver-token-0123"
PROFILE = version_profile("2.2.1")


def _client(waits: list[float]) -> OcpiClient:
    client = OcpiClient("2.2.1", TOKEN, timeout=5)
    client._sleep = waits.append  # the waits are noted, not slept
    return client


def _cdrs_url(versions_url: str) -> str:
    return versions_url.replace("/ocpi/versions", "/ocpi/2.2.1/cdrs")


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level in (Level.ERROR, Level.WARNING)]


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=3), usegmt=True), now) == 3
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_the_rate_spaces_requests_and_no_rate_waits_nothing() -> None:
    clock = [100.0]
    slept: list[float] = []
    limit = RateLimit(10, clock=lambda: clock[0], sleep=slept.append)
    assert [round(limit.take(), 3) for _ in range(3)] == [0.0, 0.1, 0.2]
    assert slept == pytest.approx([0.1, 0.2])
    assert RateLimit(None).take() == 0.0


def test_the_default_rate_is_none_on_loopback_and_bounded_elsewhere() -> None:
    assert default_rate("http://127.0.0.1:8000/ocpi/versions") is None
    assert default_rate("http://localhost/ocpi/versions") is None
    assert default_rate("http://[::1]:80/ocpi/versions") is None
    assert default_rate("https://ocpi.partner.example/versions") == 10.0
    assert default_rate(None) is None


def test_a_wrong_rate_names_the_fix_and_a_right_one_is_taken() -> None:
    base: dict[str, Any] = {"target-url": "https://p.example/v", "target-token": "t" * 12}
    base["target-role"] = "cpo"
    with pytest.raises(SettingsError, match="give requests a second"):
        parse_settings({**base, "ocpi-rate": "fast"})
    assert parse_settings({**base, "ocpi-rate": "2.5"}).rate == 2.5
    assert parse_settings({**base, "ocpi-rate": "0"}).rate is None
    assert parse_settings(base).rate == 10.0


def test_a_throttled_get_is_waited_out_and_the_answer_says_so() -> None:
    # Given a CPO that answers its first two list requests 429 (Retry-After 2) and 503
    # (Retry-After 1), then the list
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(3), throttle=((429, "2"), (503, "1")))
    waits: list[float] = []
    with hostile_partner(partner) as url:
        client = _client(waits)
        # When the harness asks for the list
        answer = client.get(_cdrs_url(url))
        client.close()
    # Then it waited as asked, twice, and got the list on the third request
    assert waits == [2.0, 1.0]
    assert answer.status == 200
    assert answer.throttled == (
        "HTTP 429, Retry-After 2: waited 2 s",
        "HTTP 503, Retry-After 1: waited 1 s",
    )
    # And every attempt is recorded, each with request ids of its own
    sent = [e.transcript for e in client.recorder.exchanges]
    assert [e["status"] for e in sent] == [429, 503, 200]
    assert len({e["request_headers"]["X-Request-ID"] for e in sent}) == 3
    assert "throttled retry 2" in sent[2]["label"]
    assert sent[2]["throttled"] == list(answer.throttled)
    # And the answer is judged as any other, with a note of the waits and nothing wrong
    found = check_response(answer, PROFILE, expect_list=True, functional=True)
    assert _errors(found) == []
    (note,) = [f for f in found if f.requirement == "H-RATE-02"]
    assert note.level == Level.INFO
    assert "answered after 2 throttled attempts: HTTP 429, Retry-After 2" in note.message


def test_throttling_that_outlasts_the_retries_blocks_instead_of_failing() -> None:
    # Given a CPO that answers every list request 429 with Retry-After 1
    seen: list[str] = []
    partner = Behaviour(
        TOKEN, echo=False, cdrs=_cdrs(3), throttle=((429, "1"),), throttle_forever=True, seen=seen
    )
    waits: list[float] = []
    with hostile_partner(partner) as url:
        client = _client(waits)
        answer = client.get(_cdrs_url(url))
        client.close()
    # Then the harness asked 1 + 3 times and stopped, saying why
    assert seen == ["GET"] * 4
    assert waits == [1.0, 1.0, 1.0]
    assert answer.throttled_out == "HTTP 429, Retry-After 1 still, after 3 throttled retries"
    # And the answer is not judged: blocked by the throttling, no error, no warning
    found = check_response(answer, PROFILE, expect_list=True, functional=True)
    assert _errors(found) == []
    (blocked,) = [f for f in found if f.outcome == "blocked"]
    assert blocked.cause == "H-RATE-02"
    assert "still, after 3 throttled retries" in blocked.message


def test_a_throttled_post_is_never_sent_again() -> None:
    # Given a receiver that answers its first CDR request 429 with Retry-After 0
    seen: list[str] = []
    partner = Behaviour(TOKEN, echo=False, location="{base}/x/{id}", throttle=((429, "0"),),
                        seen=seen)  # fmt: skip
    waits: list[float] = []
    with hostile_partner(partner) as url:
        client = _client(waits)
        # When the harness POSTs a CDR
        answer = client.request("POST", _cdrs_url(url), body={"id": "CDR-1"})
        # And then POSTs another, which the partner takes
        taken = client.request("POST", _cdrs_url(url), body={"id": "CDR-2"})
        client.close()
    # Then the throttled POST was sent once, not again, and the answer says why
    assert seen == ["POST", "POST"]
    assert waits == []
    assert answer.status == 429
    assert "to a POST, not sent again" in (answer.throttled_out or "")
    assert taken.status == 201
    assert taken.throttled_out is None
    # And what the POST's answer would show is blocked, not failed
    found = check_response(answer, PROFILE)
    assert _errors(found) == []
    assert [f.cause for f in found if f.outcome == "blocked"] == ["H-RATE-02"]


def test_a_429_without_retry_after_is_backed_off_and_warned() -> None:
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(3), throttle=((429, None), (429, None)))
    waits: list[float] = []
    with hostile_partner(partner) as url:
        client = _client(waits)
        answer = client.get(_cdrs_url(url))
        client.close()
    assert waits == [1.0, 2.0]  # 1 s, then twice as long
    assert answer.status == 200
    found = check_response(answer, PROFILE, expect_list=True, functional=True)
    (warning,) = _errors(found)
    assert warning.requirement == "H-RATE-01"
    assert warning.level == Level.WARNING
    assert "HTTP 429 without Retry-After" in warning.message


def test_a_wait_longer_than_the_harness_waits_is_not_waited() -> None:
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(3), throttle=((429, "120"),))
    waits: list[float] = []
    with hostile_partner(partner) as url:
        client = _client(waits)
        client.retry = RetryPolicy(retries=3, longest_wait=30)
        answer = client.get(_cdrs_url(url))
        client.close()
    assert waits == []
    assert "asked to wait 120 s, longer than the harness waits for one retry (30 s)" in (
        answer.throttled_out or ""
    )


def test_a_503_without_retry_after_is_a_server_error_not_throttling() -> None:
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(3), throttle=((503, None),))
    waits: list[float] = []
    with hostile_partner(partner) as url:
        client = _client(waits)
        answer = client.get(_cdrs_url(url))
        client.close()
    assert waits == []
    assert answer.status == 503
    assert answer.throttled_out is None
    found = check_response(answer, PROFILE, expect_list=True, functional=True)
    assert "T-HTTP-02" in {f.requirement for f in _errors(found)}


@pytest.mark.slow
@pytest.mark.usefixtures("own_secrets")
def test_a_partner_that_throttles_its_list_passes_the_suites(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO right in all, that throttles its first list requests (Retry-After 0: the
    # test waits no real seconds)
    plan = ((429, "0"), (503, "0"), (429, "0"))
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(10), throttle=plan)
    # When the suites judge it
    summary = _judged(pytester, tmp_path, partner, "cpo")
    outcomes = _outcomes(summary)
    # Then nothing fails or warns, and the CDR suites are judged in full
    assert {r for r, o in outcomes.items() if o in ("fail", "error", "warning")} == set()
    for rule in ("T-PAG-01", "T-PAG-04", "C-001", "C-026"):
        assert outcomes[rule] == "pass", (rule, outcomes)


@pytest.mark.slow
@pytest.mark.usefixtures("own_secrets")
def test_a_partner_that_throttles_for_ever_is_blocked_not_failed(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO whose cdrs module answers every request 429 with Retry-After 0
    partner = Behaviour(
        TOKEN, echo=False, cdrs=_cdrs(10), throttle=((429, "0"),), throttle_forever=True
    )
    # When the suites judge it
    summary = _judged(pytester, tmp_path, partner, "cpo")
    outcomes = _outcomes(summary)
    # Then no requirement fails: the CDR rules are blocked by the throttling (H-RATE-02)
    assert {r for r, o in outcomes.items() if o in ("fail", "error")} == set(), outcomes
    for rule in ("T-PAG-01", "C-001"):
        assert outcomes[rule] == "blocked", (rule, outcomes)
    causes = {
        f.get("cause")
        for test in summary["tests"]
        for f in test["findings"]
        if f["requirement"] == "T-PAG-01" and f.get("outcome") == "blocked"
    }
    assert causes == {"H-RATE-02"}
    # And discovery, which was not throttled, is judged
    assert outcomes["T-VER-01"] == "pass"


def test_an_unthrottled_exchange_gets_no_throttle_finding() -> None:
    plain = Exchange("x", "GET", "http://h/", {}, None, status=200)
    plain.response_headers = {"content-type": "application/json"}
    plain.parsed = {"status_code": 1000, "data": [], "timestamp": "2026-12-01T00:00:00Z"}
    found = check_response(plain, PROFILE)
    assert not [f for f in found if f.requirement.startswith("H-RATE")]


def test_network_failures_are_told_apart() -> None:
    # Given a closed port, a plain-HTTP server asked over TLS, and a server that resets
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    client = OcpiClient("2.2.1", TOKEN, timeout=5)
    refused = client.get(f"http://127.0.0.1:{port}/ocpi/versions")
    client.close()
    with hostile_partner(Behaviour(TOKEN, echo=False)) as url:
        client = OcpiClient("2.2.1", TOKEN, timeout=5)
        tls = client.get(url.replace("http://", "https://"))
        client.close()
    # Then each error says what kind of failure it was, before the library's words
    assert (refused.error or "").startswith("connection refused (ConnectError")
    assert (tls.error or "").startswith("TLS failure (ConnectError")
    # And each is no answer to judge (H-HTTP-01), not a finding of the protocol
    for failed in (refused, tls):
        assert [f.requirement for f in check_response(failed, PROFILE)] == ["H-HTTP-01"]


def test_a_retry_after_that_is_no_number_is_ignored_not_a_crash() -> None:
    assert retry_after_seconds("²") is None
    assert retry_after_seconds("1.5") is None  # delta-seconds are whole


def test_an_http_date_is_read_against_the_answers_own_date() -> None:
    # The partner's clock says 12:00:00 and asks for 12:00:05: 5 s, whatever the harness's
    # clock says
    sent = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(sent + timedelta(seconds=5), usegmt=True)
    assert retry_after_seconds(later, sent) == 5


def test_a_retry_keeps_the_correlation_id_with_a_new_request_id() -> None:
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(3), throttle=((429, "0"),))
    with hostile_partner(partner) as url:
        client = _client([])
        client.get(_cdrs_url(url))
        client.close()
    sent = [e.transcript["request_headers"] for e in client.recorder.exchanges]
    assert len(sent) == 2
    assert sent[0]["X-Correlation-ID"] == sent[1]["X-Correlation-ID"]
    assert sent[0]["X-Request-ID"] != sent[1]["X-Request-ID"]


def test_a_throttled_post_says_no_wait_it_did_not_make() -> None:
    partner = Behaviour(TOKEN, echo=False, location="{base}/x/{id}", throttle=((429, None),))
    with hostile_partner(partner) as url:
        client = _client([])
        answer = client.request("POST", _cdrs_url(url), body={"id": "CDR-1"})
        client.close()
    (warning,) = _errors(check_response(answer, PROFILE))
    assert warning.requirement == "H-RATE-01"
    assert "waited" not in warning.message
