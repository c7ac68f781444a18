"""The mock against crashes, floods and hostile peers: seeding survives kill -9, a costly CDR
delays no other request, half-open connections and malformed HTTP are answered (in the OCPI
envelope) and closed, a partner's huge or endless answer is cut, a 500 is logged, and unusable
options get one line. Each test names the rule it guards; each once failed on the mock."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.mock import MockSettings, Store, create_app, credentials
from harness.mock import cli as mock_cli
from harness.mock.credentials import PartnerError, register_with
from harness.mock.logs import FORMAT, FoldingHandler
from harness.mock.process import MockStartError, stop_mock
from harness.mock.seed import seed_store
from harness.mock.transport import SyncASGITransport
from tests.conftest import FIXTURES
from tests.mock_helpers import (
    TOKEN,
    auth,
    costly_cdr,
    free_port,
    mock_client,
    running_mock,
    wait_for_port,
)

VERSIONS = ("2.1.1", "2.2.1", "2.3.0")


def _cdr(version: str = "2.2.1") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / version / "cdr" / "valid" / "full.json").read_text(encoding="utf-8")
    )
    return data


def _mock_process(
    args: list[str], prelude: str = "", stderr: Any = subprocess.DEVNULL
) -> tuple[subprocess.Popen[bytes], int]:
    """ocpi-mock on a free port, after ``prelude`` ran in its interpreter (what the test changes
    in the process: a file limit, a crash point). Not waited for."""
    port = free_port()
    code = f"{prelude}\nimport sys\nfrom harness.mock.cli import main\nsys.exit(main(sys.argv[1:]))"
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args, "--port", str(port)],
        env={**os.environ, "OCPI_MOCK_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    return process, port


# -- 9: seeding is one transaction ---------------------------------------------------------------


class _CtrlCAt:
    """The store's connection, raising KeyboardInterrupt (Ctrl-C) at its ``at``-th statement;
    ``at=0`` counts the statements and never interrupts."""

    def __init__(self, db: sqlite3.Connection, at: int) -> None:
        self._db = db
        self._at = at
        self.statements = 0

    def _tick(self) -> None:
        self.statements += 1
        if self.statements == self._at:
            raise KeyboardInterrupt

    def execute(self, *args: Any) -> sqlite3.Cursor:
        self._tick()
        return self._db.execute(*args)

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        self._tick()
        return self._db.executemany(*args)

    @property
    def in_transaction(self) -> bool:
        return self._db.in_transaction

    def close(self) -> None:
        self._db.close()


def _rows(path: Path) -> tuple[int, int, str | None]:
    with sqlite3.connect(path) as db:
        (cdrs,) = db.execute("SELECT COUNT(*) FROM sent_cdrs").fetchone()
        (tariffs,) = db.execute("SELECT COUNT(*) FROM tariffs").fetchone()
        mark = db.execute("SELECT value FROM meta WHERE key = 'seeded:2.2.1'").fetchone()
    db.close()
    return cdrs, tariffs, None if mark is None else mark[0]


def test_seeding_interrupted_at_any_statement_then_restarted_has_exactly_the_seeded_rows(
    tmp_path: Path,
) -> None:
    # Rule: the seeded rows and the mark "seeded" commit together; a restart never doubles.
    settings = MockSettings(roles=("cpo",), cdrs=12, seed="crash")
    counting = Store(str(tmp_path / "count.sqlite"))
    counter = _CtrlCAt(counting._db, at=0)
    counting._db = counter
    seed_store(counting, settings)
    counting.close()
    expected = _rows(tmp_path / "count.sqlite")
    assert expected[0] == 12
    assert counter.statements >= 3
    for at in range(1, counter.statements + 1):
        # Given a store file whose seeding is interrupted by Ctrl-C at statement `at`
        path = tmp_path / f"at-{at}.sqlite"
        store = Store(str(path))
        store._db = _CtrlCAt(store._db, at)
        with pytest.raises(KeyboardInterrupt):
            seed_store(store, settings)
        store.close()
        # When the mock restarts on it with the same options
        restarted = Store(str(path))
        seed_store(restarted, settings)
        restarted.close()
        # Then it holds exactly the seeded rows, once
        assert _rows(path) == expected, f"interrupted at statement {at}"


def test_rows_an_interrupted_seeding_left_without_the_mark_are_replaced_not_added_to(
    tmp_path: Path,
) -> None:
    # Given a store where an older mock committed CDRs and crashed before marking them seeded
    settings = MockSettings(roles=("cpo",), cdrs=5, seed="old")
    store = Store(str(tmp_path / "old.sqlite"))
    store.add_sent("sent_cdrs", "2.2.1", [_cdr() for _ in range(5)])
    # When the mock starts on it with the options of that seeding
    seed_store(store, settings)
    store.close()
    # Then the store holds the seeded CDRs only
    assert _rows(tmp_path / "old.sqlite")[0] == 5


# The statement after the first COMMIT that wrote CDRs: the moment the old mock had committed
# the CDRs but not yet the mark (kill -9 there doubled the store on a restart).
_KILL_AFTER_CDRS_COMMIT = """
import os, signal, sqlite3
_connect = sqlite3.connect
def connect(*args, **kwargs):
    db = _connect(*args, **kwargs)
    state = {"wrote": False, "committed": False}
    def trace(sql):
        if state["committed"]:
            os.kill(os.getpid(), signal.SIGKILL)
        state["wrote"] = state["wrote"] or sql.startswith("INSERT INTO sent_cdrs")
        state["committed"] = state["wrote"] and sql == "COMMIT"
    db.set_trace_callback(trace)
    return db
sqlite3.connect = connect
"""


@pytest.mark.slow
@pytest.mark.subprocess
def test_a_restart_after_kill_9_during_seeding_has_exactly_the_seeded_rows(
    tmp_path: Path,
) -> None:
    # Rule (issue done-when): kill -9 while seeding, restart with the same options: exactly the
    # seeded number of rows.
    db = tmp_path / "mock.sqlite"
    args = ["--role", "cpo", "--cdrs", "40", "--seed", "kill", "--db", str(db)]
    # Given ocpi-mock killed with SIGKILL right after its seeding first committed CDRs (or,
    # when that commit holds the whole seeding, as soon as it listens)
    process, port = _mock_process(args, prelude=_KILL_AFTER_CDRS_COMMIT)
    try:
        wait_for_port(port, process, timeout=60)
    except MockStartError:
        pass  # it killed itself mid-seeding
    else:
        process.kill()
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    # When it restarts on the same file with the same options
    expected = Store()
    seed_store(expected, MockSettings(roles=("cpo",), cdrs=40, seed="kill"))
    tariffs = expected.page("tariffs", "2.2.1", 0, 1).total
    expected.close()
    with running_mock(args, TOKEN) as port, httpx.Client(timeout=10) as client:
        base = f"http://127.0.0.1:{port}/ocpi/2.2.1/cpo"
        # Then it serves exactly the seeded CDRs and tariffs
        cdrs = client.get(f"{base}/cdrs?limit=1", headers=auth())
        assert cdrs.headers["X-Total-Count"] == "40"
        served = client.get(f"{base}/tariffs?limit=1", headers=auth())
        assert served.headers["X-Total-Count"] == str(tariffs)


# -- 10: a costly CDR is validated off the event loop -------------------------------------------


@pytest.mark.slow
@pytest.mark.subprocess
def test_a_600_kb_cdr_post_does_not_delay_a_concurrent_get_by_more_than_a_second() -> None:
    # Rule (issue done-when): validating and pricing a pushed CDR runs off the event loop.
    body = json.dumps(costly_cdr()).encode()
    assert len(body) > 600_000
    headers = {**auth(), "Content-Type": "application/json"}
    with running_mock(["--role", "emsp"], TOKEN) as port:
        base = f"http://127.0.0.1:{port}"
        posted: list[httpx.Response] = []

        def post() -> None:
            with httpx.Client(base_url=base, timeout=60) as client:
                posted.append(client.post("/ocpi/2.2.1/emsp/cdrs", content=body, headers=headers))

        # Given a 600 KB CDR that takes seconds to validate, being posted
        poster = threading.Thread(target=post)
        poster.start()
        time.sleep(0.3)  # the body is on its way (loopback: milliseconds)
        # When another client GETs the versions while it is validated
        latencies = []
        with httpx.Client(base_url=base, timeout=10) as client:
            while poster.is_alive():
                start = time.perf_counter()
                assert client.get("/ocpi/versions", headers=auth()).status_code == 200
                latencies.append(time.perf_counter() - start)
                time.sleep(0.05)
        poster.join()
        # Then each GET was answered within a second, and the CDR was stored
        assert latencies
        assert max(latencies) < 1.0, latencies
        assert len(latencies) >= 3, "the POST was over before it could delay anything"
        assert posted[0].status_code == 201, posted[0].text


def test_a_cdr_not_validated_in_time_is_answered_503_and_not_stored() -> None:
    # Rule: the work a pushed CDR costs is bounded: past validation_timeout, 503 and nothing
    # stored (the partner is told; the server stays available).
    cdr = costly_cdr(elements=800, days=4)
    with mock_client(roles=("emsp",), validation_timeout=0.05) as client:
        answer = client.post("/ocpi/2.2.1/emsp/cdrs", json=cdr, headers=auth())
        assert answer.status_code == 503
        assert answer.json()["status_code"] == 3000
        assert "could not be validated within 0.05 s" in answer.json()["status_message"]
        stored = client.get("/ocpi/2.2.1/emsp/cdrs/NL/ABC/CDR-0001", headers=auth())
        assert stored.status_code == 404


# -- 11 and 15: the server side of HTTP --------------------------------------------------------


READ_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def strict_mock() -> Iterator[int]:
    """One ocpi-mock with a read timeout of 0.5 s for the socket tests of this module."""
    with running_mock(["--role", "both", "--read-timeout", str(READ_TIMEOUT)], TOKEN) as port:
        yield port


def _exchange(port: int, data: bytes, half_close: bool = False) -> tuple[float, bytes]:
    """Send ``data`` on a new connection (then half-close it if asked) and read until the
    server closes: seconds taken, bytes received (a server that never closes fails the test
    by socket timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        start = time.monotonic()
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return time.monotonic() - start, received


def _enveloped(raw: bytes) -> tuple[int, dict[str, Any]]:
    """The HTTP status and the JSON envelope of a raw response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    assert headers["content-type"] == "application/json", raw[:300]
    assert int(headers["content-length"]) == len(body)
    envelope: dict[str, Any] = json.loads(body)
    assert set(envelope) == {"status_code", "status_message", "timestamp"}
    assert 2000 <= envelope["status_code"] < 3000
    return int(status_line.split(" ")[1]), envelope


_HEAD = (
    b"POST /ocpi/2.2.1/emsp/cdrs HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n"
    + f"Authorization: {auth()['Authorization']}\r\n".encode()
)


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("request_bytes", "status", "says"),
    [
        (b"GARBAGE\r\n\r\n", 400, "illegal request line"),
        (b"GET / HTTX/1.1\r\nHost: mock\r\n\r\n", 400, "illegal request line"),
        (b"GET /\x00 HTTP/1.1\r\nHost: mock\r\n\r\n", 400, "illegal request line"),
        (b"GET / HTTP/1.1\r\nHost mock\r\n\r\n", 400, "illegal header line"),
        (b"GET / HTTP/1.1\r\nHost : mock\r\n\r\n", 400, "illegal header line"),
        (b"GET / HTTP/1.1\r\n\r\n", 400, "Missing mandatory Host"),
        (_HEAD + b"Content-Length: abc\r\n\r\n", 400, "bad Content-Length"),
        (_HEAD + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n{", 400, "conflicting"),
        (_HEAD + b"Transfer-Encoding: gzip\r\n\r\n", 501, "Transfer-Encoding"),
        (_HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "illegal chunk header"),
        (b"GET / HTTP/1.1\r\nHost: mock\r\nX-Big: " + b"a" * 20_000, 431, "too long"),
    ],
    ids=[
        "request-line", "http-version", "nul-in-target", "header-without-colon",
        "space-before-colon", "no-host", "content-length-not-a-number",
        "conflicting-content-lengths", "unsupported-transfer-encoding", "bad-chunk",
        "head-over-16-kb",
    ],
)  # fmt: skip
def test_malformed_http_is_answered_in_the_ocpi_envelope(
    strict_mock: int, request_bytes: bytes, status: int, says: str
) -> None:
    # Rule: HTTP-layer errors carry the envelope too (T-ENV-05), uvicorn's plain text never.
    # Given a request h11 cannot parse, When it is sent
    _, raw = _exchange(strict_mock, request_bytes)
    # Then the answer is the envelope with h11's status and reason, and the connection closed
    got, envelope = _enveloped(raw)
    assert got == status
    assert says in envelope["status_message"]


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("request_bytes", "half_close", "status"),
    [
        (b"GET /ocpi/versions HTTP/1.1\r\nHost: mock\r\n", False, 408),
        (b"GET /ocpi/versions HTTP/1.1\r\nHost: mock\r\n", True, 400),
        (_HEAD + b"Content-Length: 100\r\n\r\n{", False, 408),
        (_HEAD + b"Content-Length: 100\r\n\r\n{", True, 400),
        (_HEAD + b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n", False, 408),
        (_HEAD + b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n", True, 400),
    ],
    ids=[
        "head-unfinished", "head-unfinished-half-closed", "body-short", "body-short-half-closed",
        "chunks-unfinished", "chunks-unfinished-half-closed",
    ],
)  # fmt: skip
def test_an_unfinished_request_is_answered_and_closed_within_the_read_timeout(
    strict_mock: int, request_bytes: bytes, half_close: bool, status: int
) -> None:
    # Rule: a half-sent request never holds a connection past the read timeout (slow-loris).
    # Given a request whose head or body stops short (the client waits, or half-closes)
    seconds, raw = _exchange(strict_mock, request_bytes, half_close)
    # Then it is answered in the envelope (408 at the read timeout; 400 at once when
    # the client said it had sent all) and the connection closed
    got, envelope = _enveloped(raw)
    assert got == status, envelope
    assert seconds < (0.4 if half_close else READ_TIMEOUT + 1)
    if not half_close:
        assert seconds >= READ_TIMEOUT - 0.05
        assert f"did not arrive within {READ_TIMEOUT} s" in envelope["status_message"]


@pytest.mark.subprocess
def test_a_connection_that_sends_nothing_is_closed_at_the_read_timeout(strict_mock: int) -> None:
    seconds, raw = _exchange(strict_mock, b"")
    assert raw == b""
    assert READ_TIMEOUT - 0.05 <= seconds < READ_TIMEOUT + 1


@pytest.mark.subprocess
def test_a_kept_alive_connection_serves_requests_and_is_then_held_to_the_timeout(
    strict_mock: int,
) -> None:
    # Given a connection that got one full answer, When its next request stops half-way
    get = f"GET /ocpi/versions HTTP/1.1\r\nHost: mock\r\nAuthorization: {auth()['Authorization']}"
    with socket.create_connection(("127.0.0.1", strict_mock), timeout=5) as sock:
        sock.sendall(get.encode() + b"\r\n\r\n")
        first = b""
        while not first.endswith(b"}"):  # the envelope's end: the whole first answer
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 "), first
        start = time.monotonic()
        sock.sendall(get.encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    # Then it is answered 408 within the read timeout
    assert _enveloped(received)[0] == 408
    assert time.monotonic() - start < READ_TIMEOUT + 1


_FILE_LIMIT = "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))"


@pytest.mark.slow
@pytest.mark.subprocess
def test_ocpi_mock_under_more_half_open_connections_than_files_answers_within_a_second(
    tmp_path: Path,
) -> None:
    # Rule (issue done-when): under 1,000 half-open connections a normal request is still
    # answered within a second, and the log does not flood.
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        process, port = _mock_process(["--role", "both"], prelude=_FILE_LIMIT, stderr=stderr)
    sockets: list[socket.socket] = []
    try:
        wait_for_port(port, process)
        # Given 1,100 connections that each sent half a request head, at a file limit of 1024
        for _ in range(1100):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sockets.append(sock)
            sock.sendall(b"GET /ocpi/versions HTTP/1.1\r\nHost: mock\r\n")
        # When a normal client asks for the versions
        with httpx.Client(timeout=5) as client:
            for _ in range(3):
                start = time.perf_counter()
                answer = client.get(f"http://127.0.0.1:{port}/ocpi/versions", headers=auth())
                # Then it is answered within a second
                assert answer.status_code == 200
                assert time.perf_counter() - start < 1.0
    finally:
        for sock in sockets:
            sock.close()
        stop_mock(process)
    # And the log stayed a few lines
    assert log.stat().st_size < 20_000, log.read_text()[:2000]


def test_a_flood_of_identical_log_lines_is_folded_into_one_line_per_interval() -> None:
    # Rule: repeated log lines are folded (a failing accept() once wrote 80 MB in 12 s).
    now = [0.0]
    stream = io.StringIO()
    handler = FoldingHandler(stream, interval=10, burst=3, clock=lambda: now[0])
    handler.setFormatter(logging.Formatter(FORMAT))
    logger = logging.getLogger("test.fold")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        # Given 10,000 identical errors within a second, and another kind of line among them
        for i in range(10_000):
            logger.error("socket.accept() out of system resource")
            if i == 5000:
                logger.warning("Invalid HTTP request received.")
        # When the interval is over and the line comes again
        now[0] = 11.0
        logger.error("socket.accept() out of system resource")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        handler.close()
    lines = stream.getvalue().splitlines()
    # Then the log holds the first three, the other line, one line counting the rest, and the
    # line of the new interval
    assert len(lines) == 6, lines
    assert lines[3] == "ocpi-mock: WARNING test.fold: Invalid HTTP request received."
    assert "9997 more lines like 'socket.accept() out of system resource'" in lines[4]
    assert lines[5].endswith("socket.accept() out of system resource")


# -- 12: the mock as a client reads a partner's answers within a bound ---------------------------


class _Huge(httpx.AsyncByteStream):
    """An answer of 64 MB in chunks of 64 KB (as good as endless, and finite, so that a mock
    that reads it all fails the test instead of hanging it)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b" " * 65536
        for _ in range(1024):
            yield chunk


def _partner(hostile: str) -> httpx.MockTransport:
    """A partner whose answer at ``hostile`` (versions, details or credentials) is 64 MB."""
    answers = {
        "/versions": {"data": [{"version": "2.2.1", "url": "http://partner/2.2.1"}]},
        "/2.2.1": {
            "data": {
                "version": "2.2.1",
                "endpoints": [{"identifier": "credentials", "url": "http://partner/credentials"}],
            }
        },
        "/credentials": {"data": {"token": "token-c"}},
    }
    names = {"/versions": "versions", "/2.2.1": "details", "/credentials": "credentials"}

    def answer(request: httpx.Request) -> httpx.Response:
        if names[request.url.path] == hostile:
            return httpx.Response(200, stream=_Huge())
        return httpx.Response(200, json={**answers[request.url.path], "status_code": 1000})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("hostile", ["versions", "details", "credentials"])
def test_registering_with_a_partner_whose_answer_is_huge_stops_at_the_size_cap(
    hostile: str,
) -> None:
    # Rule: a partner's answer is read up to max_body_bytes, never held whole (a 400 MB answer
    # once took the mock to 913 MB).
    async def attempt() -> None:
        async with httpx.AsyncClient(transport=_partner(hostile)) as client:
            await register_with(
                "http://partner/versions", "token-a", "2.2.1", MockSettings(), Store(),
                "http://me/ocpi/versions", client,
            )  # fmt: skip

    tracemalloc.start()
    try:
        with pytest.raises(PartnerError, match=r"the answer is over 1,000,000 bytes") as caught:
            asyncio.run(attempt())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.status_code == 3001
    assert peak < 30_000_000


def test_a_partner_answer_declared_too_big_is_not_read() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "400000000"}, stream=_Huge())

    async def attempt() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            await credentials.partner_endpoints(client, "http://partner/versions", "t", "2.2.1")

    with pytest.raises(PartnerError, match=r"400000000 declared"):
        asyncio.run(attempt())


def test_a_partner_answer_that_trickles_in_stops_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Trickle(httpx.AsyncByteStream):
        """A byte every 10 ms, for 5 s."""

        async def __aiter__(self) -> AsyncIterator[bytes]:
            for _ in range(500):
                await asyncio.sleep(0.01)
                yield b" "

    monkeypatch.setattr(credentials, "PARTNER_DEADLINE", 0.3)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=Trickle()))

    async def attempt() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await credentials.partner_endpoints(client, "http://partner/versions", "t", "2.2.1")

    with pytest.raises(PartnerError, match=r"no complete answer within 0.3 s"):
        asyncio.run(attempt())


def test_a_partner_registering_whose_api_answers_64_mb_gets_3001_and_the_log_a_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given the mock as the server of a handshake, the partner's versions answer 64 MB
    app = create_app(MockSettings(token="token-a"), outbound=_partner("versions"))
    header = {"Authorization": "Token " + base64.b64encode(b"token-a").decode()}
    body = credentials.credentials_object(
        MockSettings(), "2.2.1", "token-b", "http://partner/versions"
    )
    transport = SyncASGITransport(app)
    with (
        httpx.Client(transport=transport, base_url="http://cpo") as client,
        caplog.at_level(logging.WARNING, logger="harness.mock"),
    ):
        # When the partner registers
        answer = client.post("/ocpi/2.2.1/credentials", headers=header, json=body).json()
    # Then it is told why its API cannot be used, and so is the log
    assert answer["status_code"] == 3001
    assert "over 1,000,000 bytes" in answer["status_message"]
    assert any("over 1,000,000 bytes" in r.getMessage() for r in caplog.records)


# -- 13: equivalent URLs, and every 500 logged ----------------------------------------------------


def _received_url(version: str, spelled: str) -> str:
    key = "CDR-0001" if version == "2.1.1" else "NL/ABC/CDR-0001"
    return f"/ocpi/{version}/emsp/{spelled}/{key}"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_percent_encoded_path_segment_names_the_same_received_cdr(version: str) -> None:
    # Rule: %73 is "s" (RFC 3986 §6.2.2.2): /cdr%73/... is /cdrs/..., never a 500.
    with mock_client(roles=("emsp",), versions=(version,)) as client:
        url = f"/ocpi/{version}/emsp/cdrs"
        posted = client.post(url, json=_cdr(version), headers=auth(version))
        assert posted.status_code == 201, posted.text
        plain = client.get(_received_url(version, "cdrs"), headers=auth(version))
        encoded = client.get(_received_url(version, "cdr%73"), headers=auth(version))
        assert encoded.status_code == 200, encoded.text
        assert encoded.json()["data"] == plain.json()["data"]


@pytest.mark.parametrize("version", VERSIONS)
def test_an_encoded_slash_in_a_fixed_segment_is_404_in_the_envelope(version: str) -> None:
    with mock_client(roles=("emsp",), versions=(version,)) as client:
        url = _received_url(version, "cdrs").replace("/emsp/cdrs/", "/emsp%2Fcdrs/")
        answer = client.get(url, headers=auth(version))
        assert answer.status_code == 404
        assert answer.json()["status_code"] == 2000


def test_every_500_is_logged_with_its_traceback_and_answered_3000(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Rule: a bug of the mock answers the OCPI envelope (3000) and leaves its traceback in the log.
    def broken(*args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Store, "get_received", broken)
    with mock_client(roles=("emsp",)) as client, caplog.at_level(logging.ERROR):
        answer = client.get(_received_url("2.2.1", "cdrs"), headers=auth())
    assert answer.status_code == 500
    assert answer.json()["status_code"] == 3000
    [record] = [r for r in caplog.records if r.name == "harness.mock"]
    assert record.getMessage() == "HTTP 500 on GET /ocpi/2.2.1/emsp/cdrs/NL/ABC/CDR-0001"
    assert record.exc_info is not None
    assert "RuntimeError: a bug" in caplog.text


# -- 16: options the mock cannot use get one line, exit 2 -----------------------------------------


def _not_sqlite(tmp_path: Path) -> str:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    return str(path)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (lambda tmp: ["--port", "99999"], "--port takes 1..65535, got 99999"),
        (lambda tmp: ["--port", "0"], "--port takes 1..65535"),
        (lambda tmp: ["--read-timeout", "0"], "--read-timeout takes a number of seconds > 0"),
        (lambda tmp: ["--db", str(tmp / "missing" / "m.sqlite")], "does not exist: create it"),
        (lambda tmp: ["--db", str(tmp)], "is a folder: give a file path"),
        (lambda tmp: ["--db", _not_sqlite(tmp)], "is not an SQLite database"),
    ],
    ids=["port-too-big", "port-zero", "read-timeout", "db-folder-missing", "db-is-a-folder",
         "db-not-sqlite"],
)  # fmt: skip
def test_an_option_the_mock_cannot_use_gets_one_line_naming_the_fix_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: Any, says: str
) -> None:
    assert mock_cli.main(args(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("ocpi-mock: ")
    assert says in err
