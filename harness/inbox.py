"""The peer the harness serves while a partner's client talks to it: the eMSP receiver a CPO
under test pushes its CDRs to, or the CPO sender an eMSP under test pulls them from.

The mock (``harness.mock``: its receiver validates, stores and answers each CDR as an eMSP
does; its sender lists seeded CDRs in pages, with Links) is served on a socket, loopback by
default or ``--ocpi-listen HOST:PORT`` (with ``--ocpi-public-url`` when the partner reaches
it through a tunnel or an ingress), and every request the partner's client makes is recorded
as an incoming exchange, for the checks of ``harness.checks.client_side``. The partner learns
the URL and the token by the credentials registration (it calls the versions URL back), or by
hand, from what the terminal prints.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from harness.exchange import Exchange
from harness.mock import MockSettings, Store, create_app
from harness.mock.in_thread import serve_in_thread
from harness.redaction import RUN_SECRETS

__all__ = ["Inbox", "serve_inbox"]

QUIET = 2.0  # seconds without a new request after which pushes are taken as done


@dataclass
class Inbox:
    """Where the partner pushes (``versions_url``, ``endpoint``, with ``token``) and what it
    sent (``received``, in order of arrival)."""

    versions_url: str
    endpoint: str
    token: str
    version: str
    store: Store = field(default_factory=Store, repr=False)
    received: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def known(self, token: str) -> bool:
        """Whether the receiver gave ``token`` (its own, or one a registration issued)."""
        issued = self.store.token(token)
        return token == self.token or (issued is not None and issued.active)

    def add(self, exchange: Exchange) -> None:
        """Record one request of the partner's (the server's threads call it)."""
        with self._lock:
            self.received.append(exchange)

    def pushes(self) -> list[Exchange]:
        """The requests to the CDR receiver or below it (a CDR pushed, or tried to)."""
        with self._lock:
            return [e for e in self.received if "/emsp/cdrs" in e.url]

    def pulls(self) -> list[Exchange]:
        """The requests to the CDR sender's list (a page pulled)."""
        with self._lock:
            return [e for e in self.received if "/cpo/cdrs" in e.url]

    def calls(self) -> list[Exchange]:
        """The requests to the CDRs module, whichever the role served."""
        return self.pushes() + self.pulls()

    def wait(
        self,
        seconds: float,
        until: Callable[[], bool] = lambda: False,
        tick: Callable[[int], None] = lambda n: None,
    ) -> None:
        """Wait up to ``seconds`` for pushes: return early when ``until()`` says done, or once
        a push came and then nothing for ``QUIET`` seconds; ``tick`` is told each new count."""
        ends = time.monotonic() + seconds
        seen, last = 0, time.monotonic()
        while time.monotonic() < ends and not until():
            count = len(self.calls())
            if count != seen:
                seen, last = count, time.monotonic()
                tick(count)
            elif seen and time.monotonic() - last >= QUIET:
                return
            time.sleep(0.05)


# The sender an eMSP's client pulls from: CDRs in pages small enough to need several Links
PULL_CDRS = 24
PULL_PAGE = 10


@contextmanager
def serve_inbox(
    version: str,
    host: str = "127.0.0.1",
    port: int = 0,
    public_url: str | None = None,
    seed: str = "1",
    role: str = "emsp",
) -> Iterator[Inbox]:
    """The peer for a ``with`` block: a fresh token (redacted everywhere from now on), an
    in-memory store, the credentials endpoint of ``version`` and, as ``role`` says, the CDR
    receiver (emsp) or a CDR sender of ``PULL_CDRS`` CDRs in pages of ``PULL_PAGE`` (cpo)."""
    token = secrets.token_urlsafe(24)
    RUN_SECRETS.add(token)
    cdrs, page = (PULL_CDRS, PULL_PAGE) if role == "cpo" else (0, 100)
    settings = MockSettings(
        roles=(role,), versions=(version,), token=token, seed=seed, cdrs=cdrs, page_limit=page
    )
    inbox = Inbox("", "", token, version)
    app = create_app(settings, store=inbox.store, incoming=inbox.add)
    with serve_in_thread(app, host, port) as bound:
        base = public_url or f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{bound}"
        base = base.rstrip("/")
        inbox.versions_url = f"{base}/ocpi/versions"
        inbox.endpoint = f"{base}/ocpi/{version}/{role}/cdrs"
        yield inbox
