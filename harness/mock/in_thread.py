"""The mock served on a loopback port by a thread of this process: the credentials
scenario's callback peer, which must be reachable over a real socket but need not cost a
Python process start for every run of the suites (``harness.mock.process`` starts the
command-line ``ocpi-mock`` where a process of its own matters)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from harness.mock.settings import MockSettings


class MockThreadError(RuntimeError):
    """The mock's server thread did not listen in time."""


@contextmanager
def mock_in_thread(settings: MockSettings, timeout: float = 30) -> Iterator[int]:
    """The mock built from ``settings``, listening on a free loopback port for the ``with``
    block; yields the port. Stopped and joined on the way out."""
    from harness.mock.app import create_app

    with serve_in_thread(create_app(settings), timeout=timeout) as port:
        yield port


@contextmanager
def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, timeout: float = 30
) -> Iterator[int]:
    """``app`` (an ASGI app) listening on ``host``:``port`` (0: a free one) for the ``with``
    block; yields the port. Stopped and joined on the way out."""
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    # uvicorn installs signal handlers only in the main thread: in this one it installs none.
    thread = threading.Thread(target=server.run, name="ocpi-mock", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout)
            raise MockThreadError(f"nothing listened on {host}:{port} within {timeout:g} s")
        time.sleep(0.01)
    try:
        bound: int = server.servers[0].sockets[0].getsockname()[1]
        yield bound
    finally:
        server.should_exit = True
        thread.join(timeout)
