"""The mock's store over a real socket: acknowledged CDRs survive kill -9, and concurrent POSTs
are each stored exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import FIXTURES
from tests.mock_helpers import TOKEN, auth, free_port, wait_for_port


def _start(port: int, db: Path) -> subprocess.Popen[bytes]:
    args = ["--role", "emsp", "--port", str(port), "--token", TOKEN, "--db", str(db)]
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.mock.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return process


def _cdr(i: int) -> dict[str, Any]:
    cdr: dict[str, Any] = json.loads(
        (FIXTURES / "2.2.1" / "cdr" / "valid" / "full.json").read_text(encoding="utf-8")
    )
    cdr["id"] = f"CDR-{i:05d}"
    return cdr


@pytest.mark.slow
def test_every_acknowledged_cdr_survives_kill_9(tmp_path: Path) -> None:
    # Given a mock eMSP on a database file, receiving a stream of CDRs
    db = tmp_path / "mock.sqlite"
    port = free_port()
    process = _start(port, db)
    acknowledged: list[str] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        for i in range(400):
            if i == 120:
                # When the process is killed without warning in the middle of the stream
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            try:
                response = client.post("/ocpi/2.2.1/emsp/cdrs", headers=auth(), json=_cdr(i))
            except httpx.HTTPError:
                break
            if response.status_code == 201:
                acknowledged.append(response.headers["location"])
    assert len(acknowledged) >= 100
    # Then after a restart on the same file every acknowledged CDR is there
    port = free_port()
    process = _start(port, db)
    try:
        with httpx.Client(timeout=5) as client:
            for location in acknowledged:
                moved = location.replace(location.split("/ocpi/")[0], f"http://127.0.0.1:{port}")
                assert client.get(moved, headers=auth()).status_code == 200, moved
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


@pytest.mark.slow
def test_200_concurrent_posts_are_each_stored_exactly_once(tmp_path: Path) -> None:
    port = free_port()
    process = _start(port, tmp_path / "mock.sqlite")
    try:
        base = f"http://127.0.0.1:{port}"
        limits = httpx.Limits(max_connections=50)
        with httpx.Client(base_url=base, timeout=30, limits=limits) as client:

            def post(i: int) -> int:
                body = _cdr(i % 190)  # ten ids posted twice: one of each pair must be refused
                response = client.post("/ocpi/2.2.1/emsp/cdrs", headers=auth(), json=body)
                return int(response.json()["status_code"])

            with ThreadPoolExecutor(max_workers=50) as pool:
                codes = list(pool.map(post, range(200)))
            assert codes.count(1000) == 190
            assert codes.count(2000) == 10
            for i in range(190):
                stored = client.get(f"/ocpi/2.2.1/emsp/cdrs/NL/ABC/CDR-{i:05d}", headers=auth())
                assert stored.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
