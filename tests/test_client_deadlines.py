"""Issue 20, item 6: the timeout bounds a whole exchange (connect, headers, body), not each read,
and after the run's deadline no request is made. Hostile servers on a loopback port: httpx's
timeouts apply to each socket read, which a server dripping bytes keeps in time forever."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import respx

from harness.checks.transport import check_response
from harness.client import OcpiClient
from harness.findings import Level
from harness.settings import SettingsError, parse_settings
from harness.versions import version_profile
from tests.hostile_servers import Respond, drip, raw_server
from tests.mock_helpers import run_suites

TOKEN = "deadline-test-token"
PROFILE = version_profile("2.2.1")
TIMEOUT = 1.0
EVERY = 0.2  # seconds between two bytes: well within the timeout of each read
FOR = 4.0  # how long the server keeps dripping: what a request took before the deadline


def _timed_get(url: str) -> tuple[float, str | None]:
    client = OcpiClient("2.2.1", TOKEN, timeout=TIMEOUT)
    try:
        started = time.monotonic()
        exchange = client.get(url + "/ocpi/versions")
        elapsed = time.monotonic() - started
    finally:
        client.close()
    assert [f.requirement for f in check_response(exchange, PROFILE)] == ["H-HTTP-01"]
    return elapsed, exchange.error


def test_a_body_dripped_a_byte_at_a_time_is_cut_off_at_the_exchange_deadline() -> None:
    # Given a server that sends its headers, then one byte of the body every 0.2 s
    def respond(sock: socket.socket, stop: threading.Event) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999\r\n\r\n"
        drip(sock, stop, head, b" ", EVERY, FOR)

    with raw_server(respond) as url:
        # When the harness asks it with a timeout of 1 s
        elapsed, error = _timed_get(url)
    # Then the exchange ends at its deadline (it took 4 s, as long as the server dripped)
    assert elapsed < TIMEOUT + 1, elapsed
    assert error is not None
    assert "deadline of 1 s" in error
    assert "after HTTP 200, before the body was complete" in error


def test_headers_dripped_a_byte_at_a_time_are_cut_off_at_the_exchange_deadline() -> None:
    # Given a server that sends its status line, then a header a byte every 0.2 s
    def respond(sock: socket.socket, stop: threading.Event) -> None:
        drip(sock, stop, b"HTTP/1.1 200 OK\r\nX-Drip: ", b"a", EVERY, FOR)

    with raw_server(respond) as url:
        elapsed, error = _timed_get(url)
    assert elapsed < TIMEOUT + 1, elapsed
    assert error is not None
    assert "deadline of 1 s" in error
    assert "before the status line and headers were complete" in error


def test_endless_100_continue_is_cut_off_at_the_exchange_deadline() -> None:
    # Given a server that answers "100 Continue" every 0.2 s and never anything else (httpcore
    # reads past interim responses in a loop, each read within the timeout)
    def respond(sock: socket.socket, stop: threading.Event) -> None:
        drip(sock, stop, b"", b"HTTP/1.1 100 Continue\r\n\r\n", EVERY, FOR)

    with raw_server(respond) as url:
        elapsed, error = _timed_get(url)
    assert elapsed < TIMEOUT + 1, elapsed
    assert error is not None
    assert "deadline of 1 s" in error
    assert "before the status line and headers were complete" in error


def test_an_answer_within_the_deadline_is_read_whole() -> None:
    # Given a server that drips a short body, all of it well before the deadline
    def respond(sock: socket.socket, stop: threading.Event) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
        drip(sock, stop, head, b" ", 0.05, 0.15)

    with raw_server(respond) as url:
        client = OcpiClient("2.2.1", TOKEN, timeout=TIMEOUT)
        exchange = client.get(url + "/ocpi/versions")
        # And the next exchange on the same client has its own deadline
        again = client.get(url + "/ocpi/versions")
        client.close()
    assert (exchange.status, exchange.error, exchange.text) == (200, None, "   ")
    assert (again.status, again.error) == (200, None)


def test_every_connection_pool_of_the_default_client_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rule: the deadline holds on each way out httpx builds, direct or through a proxy taken
    # from the environment (this fails if an httpx upgrade moves its pools).
    from harness.client import _DeadlineBackend

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    client = OcpiClient("2.2.1", TOKEN)
    try:
        transports = [client.http._transport, *client.http._mounts.values()]
        pools = [t._pool for t in transports if isinstance(t, httpx.HTTPTransport)]
        assert len(pools) == 2
        assert all(isinstance(p._network_backend, _DeadlineBackend) for p in pools)
    finally:
        client.close()


@respx.mock
def test_after_the_run_deadline_no_request_is_made_and_nothing_fails() -> None:
    route = respx.get("https://target.example/ocpi/versions").mock(
        return_value=httpx.Response(200, json={})
    )
    # Given a client whose run may last 0.2 s, which made one request in time
    client = OcpiClient("2.2.1", TOKEN, run_deadline=0.2)
    assert client.get("https://target.example/ocpi/versions").status == 200
    time.sleep(0.25)
    # When the run asks for another after its deadline
    late = client.get("https://target.example/ocpi/versions")
    # Then it is not sent, and says why: a bound of the run, not of the target
    assert route.call_count == 1
    assert late.run_deadline_passed
    assert late.status is None
    assert late.error is not None
    assert "run's deadline (0.2 s, --ocpi-run-deadline)" in late.error
    assert "not a fault of the target" in late.error
    # And the transport check judges nothing on it: blocked, at info level
    (finding,) = check_response(late, PROFILE)
    assert (finding.level, finding.outcome, finding.requirement) == (
        Level.INFO,
        "blocked",
        "T-ENV-01",
    )


def test_the_run_deadline_option_is_seconds_default_half_an_hour_zero_none() -> None:
    assert parse_settings({}).run_deadline == 1800
    assert parse_settings({"ocpi-run-deadline": "90.5"}).run_deadline == 90.5
    assert parse_settings({"ocpi-run-deadline": "0"}).run_deadline is None
    for wrong in ("-1", "nan", "soon"):
        with pytest.raises(SettingsError, match="--ocpi-run-deadline"):
            parse_settings({"ocpi-run-deadline": wrong})


@pytest.mark.usefixtures("own_secrets")
def test_the_run_deadline_reaches_the_settings_from_the_command_line(
    pytester: pytest.Pytester,
) -> None:
    run = run_suites(pytester, "-p", "no:xdist", "--collect-only", "-q", "--ocpi-run-deadline", "5")
    assert run.settings is not None, run.stdout[-2000:]
    assert run.settings.run_deadline == 5


@pytest.mark.usefixtures("own_secrets")
def test_a_run_past_its_deadline_blames_nothing_on_the_target(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a run whose deadline passes before its first request (the embedded mock)
    summary = tmp_path / "summary.json"
    run = run_suites(
        pytester,
        *("-p", "no:xdist", "-p", "no:cacheprovider", "-rs", "--ocpi-json", str(summary)),
        *("--ocpi-run-deadline", "0.001"),
    )
    # Then no test fails: what was not asked is not judged, and the run proves nothing
    assert run.ret == 0, run.stdout[-3000:]
    assert "failed" not in run.last_line, run.stdout[-3000:]
    assert "the run's deadline (0.001 s, --ocpi-run-deadline) had passed" in run.stdout
    assert json.loads(summary.read_text(encoding="utf-8"))["verdict"] == "inconclusive"


def _closes_first(count: list[int]) -> Respond:
    """Closes the first connection it is asked on without a byte; answers on the next."""
    body = b'{"data":[],"status_code":1000,"timestamp":"2025-01-01T00:00:00Z"}'

    def respond(sock: socket.socket, stop: threading.Event) -> None:
        count.append(1)
        if len(count) == 1:
            return  # the handler ends: the connection closes with no answer
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        sock.sendall(head + body)

    return respond


def test_a_connection_closed_before_any_answer_is_tried_once_more() -> None:
    # Given a server that drops a connection before answering (as after its own crash)
    count: list[int] = []
    with raw_server(_closes_first(count)) as url:
        # When a request is sent there
        client = OcpiClient("2.2.1", "t0ken", timeout=5)
        try:
            exchange = client.get(url + "/ocpi/versions")
        finally:
            client.close()  # a kept-alive socket left to the collector warns in a later test
    # Then it is sent once more on a new connection, and that answer is the exchange's
    assert len(count) == 2
    assert exchange.error is None
    assert exchange.status == 200


def test_a_server_that_never_answers_is_tried_twice_and_then_no_answer() -> None:
    # Given a server that drops every connection before answering
    count: list[int] = []
    with raw_server(lambda sock, stop: count.append(1)) as url:
        client = OcpiClient("2.2.1", "t0ken", timeout=5)
        try:
            exchange = client.get(url + "/ocpi/versions")
        finally:
            client.close()  # a kept-alive socket left to the collector warns in a later test
    # Then two tries, and the exchange says there was no answer (H-HTTP-01's evidence)
    assert len(count) == 2
    assert exchange.status is None
    assert exchange.error is not None
    assert "Server disconnected without sending a response" in exchange.error


def test_a_post_whose_connection_closed_is_not_sent_twice() -> None:
    # Given a server that reads a request and drops the connection without an answer
    count: list[int] = []
    with raw_server(lambda sock, stop: count.append(1)) as url:
        # When a CDR is POSTed there
        client = OcpiClient("2.2.1", "t0ken", timeout=5)
        try:
            exchange = client.request(
                "POST", url + "/ocpi/2.2.1/cdrs", "POST a CDR", body={"id": "CDR1"}
            )
        finally:
            client.close()
    # Then it was sent once (the server may have stored it), and there was no answer
    assert len(count) == 1
    assert exchange.status is None
