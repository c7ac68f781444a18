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

from harness.exchange import Exchange, module_path, next_link
from harness.mock import MockSettings, Store, create_app
from harness.mock.auth import RETIRED
from harness.mock.in_thread import serve_in_thread
from harness.redaction import RUN_SECRETS

__all__ = ["Inbox", "serve_inbox"]

# Seconds without a new request after which a partner is taken as done (--ocpi-quiet): long
# enough for a CPO that pushes sessions as they end, or an eMSP that reads a page at a time
QUIET = 15.0


@dataclass
class Inbox:
    """Where the partner pushes (``versions_url``, ``endpoint``, with ``token``) and what it
    sent (``received``, in order of arrival)."""

    versions_url: str
    endpoint: str
    token: str = field(repr=False)
    version: str = ""
    party: tuple[str, str] = ("NL", "MCK")  # the country code and party id it plays
    local: str = ""  # where it listens (the public URL may be a tunnel's)
    store: Store = field(default_factory=Store, repr=False)
    received: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def known(self, token: str) -> bool:
        """Whether ``token`` opens the CDRs module: one a registration issued and still
        active, or the peer's own token until a registration retired it (T-AUTH-05)."""
        issued = self.store.token(token)
        if issued is not None:
            return issued.active
        return token == self.token and self.store.meta(RETIRED) is None

    def add(self, exchange: Exchange) -> None:
        """Record one request of the partner's (the server's threads call it)."""
        with self._lock:
            self.received.append(exchange)

    def pushes(self) -> list[Exchange]:
        """The requests to the CDR receiver or below it (a CDR pushed, or tried to), in
        either URL layout."""
        return self._of(f"/ocpi/{self.version}/emsp/cdrs")

    def pulls(self) -> list[Exchange]:
        """The requests to the CDR sender's list or below it (a page pulled)."""
        return self._of(f"/ocpi/{self.version}/cpo/cdrs")

    def _of(self, module: str) -> list[Exchange]:
        with self._lock:
            return [
                e
                for e in self.received
                if (path := module_path(e.url)) == module or path.startswith(module + "/")
            ]

    def calls(self) -> list[Exchange]:
        """The requests to the CDRs module, whichever the role served."""
        return self.pushes() + self.pulls()

    def wait(
        self,
        seconds: float,
        quiet: float = QUIET,
        tick: Callable[[int], None] = lambda n: None,
    ) -> None:
        """Wait up to ``seconds`` for the partner: return early once it made requests and then
        none for ``quiet`` seconds, unless the last page it read links to one it has not
        asked yet (it is still reading); ``tick`` is told each new count."""
        ends = time.monotonic() + seconds
        seen, last = 0, time.monotonic()
        while time.monotonic() < ends:
            count = len(self.calls())
            if count != seen:
                seen, last = count, time.monotonic()
                tick(count)
            elif seen and time.monotonic() - last >= quiet and not self._reading():
                return
            time.sleep(0.05)

    def _reading(self) -> bool:
        """The last list page read has a Link no request has asked for yet."""
        pulls = [p for p in self.pulls() if p.status == 200]
        if not pulls:
            return False
        link = next_link(pulls[-1], pulls[-1].url)
        return link is not None and all(p.url != link for p in pulls)


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
        roles=(role,),
        versions=(version,),
        token=token,
        seed=seed,
        cdrs=cdrs,
        page_limit=page,
        advertised_url=public_url,
    )
    inbox = Inbox("", "", token, version, (settings.country_code, settings.party_id))
    app = create_app(settings, store=inbox.store, incoming=inbox.add)
    with serve_in_thread(app, host, port) as bound:
        base = public_url or f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{bound}"
        base = base.rstrip("/")
        inbox.versions_url = f"{base}/ocpi/versions"
        inbox.local = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{bound}"
        inbox.endpoint = f"{base}/ocpi/{version}/{role}/cdrs"
        yield inbox
