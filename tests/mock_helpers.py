"""Building a mock peer and an httpx client that talks to it in process."""

from __future__ import annotations

import base64
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from harness.mock import MockSettings, create_app
from harness.mock.transport import SyncASGITransport

TOKEN = "s3cret-token"
B64 = base64.b64encode(TOKEN.encode()).decode()


def auth(version: str = "2.2.1") -> dict[str, str]:
    """The Authorization header the mock expects for ``version``."""
    return {"Authorization": f"Token {TOKEN if version == '2.1.1' else B64}"}


@contextmanager
def mock_client(**settings: Any) -> Iterator[httpx.Client]:
    """A client bound to a fresh in-process mock built from ``settings``."""
    options: dict[str, Any] = {"token": TOKEN, **settings}
    if "faults" in options:
        options["faults"] = frozenset(options["faults"])
    transport = SyncASGITransport(create_app(MockSettings(**options)))
    client = httpx.Client(transport=transport, base_url="http://mock", timeout=5)
    try:
        yield client
    finally:
        client.close()


def crawl(client: httpx.Client, url: str, version: str = "2.2.1") -> list[dict[str, Any]]:
    """Every object of a list, following Link headers."""
    out: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url, headers=auth(version))
        assert response.status_code == 200, response.text
        out += response.json()["data"]
        link = response.headers.get("link")
        next_url = link[1 : link.index(">")] if link else None
    return out


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int) -> None:
    """Wait until something listens on ``port`` (20 s at most)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


@contextmanager
def ocpi_mock_process(*args: str) -> Iterator[int]:
    """`ocpi-mock` with ``args`` as its own process on a free loopback port; yields the port
    and stops it with Ctrl-C."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.mock.cli", *args, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
