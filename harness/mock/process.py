"""`ocpi-mock` as its own process on a free loopback port: the credentials scenario's callback
peer, the tests that need a real socket, and the benchmarks all start it this one way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class MockStartError(RuntimeError):
    """ocpi-mock exited or did not listen in time."""


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(
    port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 20
) -> None:
    """Return once something listens on ``port``; MockStartError when ``process`` exits first
    or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process is not None and process.poll() is not None:
            raise MockStartError(f"ocpi-mock exited with {process.returncode}")
        time.sleep(0.05)
    raise MockStartError(f"nothing listens on port {port} after {timeout:.0f} s")


def start_mock(
    args: Sequence[str], token: str, timeout: float = 90, attempts: int = 3
) -> tuple[subprocess.Popen[bytes], int]:
    """ocpi-mock with ``args`` and ``token`` on a free port, once it listens. A port taken
    between choosing and binding it makes the mock exit: then another port is tried. The
    default timeout allows for a loaded machine starting Python slowly."""
    failure = MockStartError("ocpi-mock was not started")
    for _ in range(attempts):
        port = free_port()
        # The token goes in the environment: not in the process list, and a token that starts
        # with "-" cannot read as an option.
        process = subprocess.Popen(
            [sys.executable, "-m", "harness.mock.cli", *args, "--port", str(port)],
            env={**os.environ, "OCPI_MOCK_TOKEN": token},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, process, timeout)
            return process, port
        except MockStartError as exc:
            failure = exc
            stop_mock(process)
    raise failure


def stop_mock(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Ctrl-C, as a user would; killed if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


@contextmanager
def running_mock(args: Sequence[str], token: str, timeout: float = 90) -> Iterator[int]:
    """ocpi-mock for the duration of a ``with`` block; yields its port."""
    process, port = start_mock(args, token, timeout)
    try:
        yield port
    finally:
        stop_mock(process)
