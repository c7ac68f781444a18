"""Building a mock peer and an httpx client that talks to it in process."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from harness.mock import MockSettings, create_app
from harness.mock.process import free_port, running_mock, wait_for_port
from harness.mock.transport import SyncASGITransport

__all__ = ["B64", "TOKEN", "auth", "crawl", "free_port", "mock_client", "running_mock"]
__all__ += ["wait_for_port"]

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
