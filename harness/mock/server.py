"""Serving the mock with uvicorn, on its h11 protocol made to hold against clients that send
too little, too slowly, or not HTTP.

- **Read timeouts.** A request head must be complete within the settings' ``read_timeout``
  seconds of the connection opening (or of the previous response, on a kept-alive connection),
  and its body within ``read_timeout`` of the head. Otherwise the client gets 408 in the OCPI
  envelope and the connection is closed; a connection that sent nothing at all is just closed,
  as a keep-alive timeout closes it. (uvicorn's own ``timeout_keep_alive`` only starts after a
  response: a half-sent request would hold its connection forever.) The body clock does not run
  while the server itself has paused reading (the app has not consumed what came).
- **A connection cap below the file limit.** Past ``cap`` open connections, the connection that
  has waited longest for a request head (half-open, or idle between requests) is closed to make
  room; a new connection is refused with 503 only when every open one is busy with a request. The
  cap stays below the process's file limit, so ``accept()`` does not fail: asyncio logs a
  traceback for every failed accept, thousands a second.
- **HTTP errors in the envelope.** What h11 cannot parse (request line, header, Content-Length,
  a head over the size limit...) gets h11's status (400, 431, 501) with the OCPI envelope instead
  of uvicorn's plain text; so does a request the client half-closes before its end.

This relies on uvicorn's ``H11Protocol`` attributes (``conn``, ``cycle``, ``flow``, ``transport``)
and its ``send_400_response`` hook; tests/test_mock_hardening.py drives each path over a socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import os
import socket
import sys
from typing import TYPE_CHECKING, Any, ClassVar

import h11
import uvicorn
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from harness.mock.envelope import error
from harness.mock.logs import folded_log
from harness.mock.settings import MockSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

# asyncio accepts up to `backlog` connections per wake-up of the listening socket, before any
# of them reaches the protocol: a small burst bounds how far past the cap the file count goes.
# The same number sizes the kernel's queue of connections not yet accepted, which should stay
# long (a full queue drops new connections for a second); it is set again once listening.
ACCEPT_BURST = 100
LISTEN_QUEUE = 2048
# Files besides the connections: the store (database, WAL, shared memory), the log, the calls
# the mock makes to partners, and connections accepted in bursts not yet evicted (three bursts:
# accepted, made, closing).
FILE_RESERVE = 64 + 3 * ACCEPT_BURST
MAX_CONNECTIONS = 10_000  # each costs memory too, whatever the file limit


def raise_file_limit() -> None:
    """Raise the soft limit on open files to the hard limit, as servers do (the soft default
    of 1024 is a relic of select())."""
    if sys.platform == "win32":
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_CONNECTIONS + FILE_RESERVE
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    with contextlib.suppress(ValueError, OSError):  # not allowed: the cap follows the limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def connection_cap() -> int:
    """How many connections the server holds at once: the file limit less what else needs
    files, at most MAX_CONNECTIONS."""
    if sys.platform == "win32":
        return 1000
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, soft - FILE_RESERVE))


class _Parser(h11.Connection):
    """h11's connection, keeping the protocol error it raised (uvicorn passes on only a fixed
    text, and the answer should say what was wrong)."""

    error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.error = exc
            raise


class _Connections:
    """The connections of one server that wait for a request head, longest waiting first."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.waiting: dict[OcpiH11Protocol, None] = {}


class OcpiH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with read timeouts, a connection cap that sheds idle connections
    first, and HTTP-level errors in the OCPI envelope. ``protocol_class`` binds it to a mock."""

    settings: ClassVar[MockSettings]
    read_timeout: ClassVar[float]
    connections_waiting: ClassVar[_Connections]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        size = config.h11_max_incomplete_event_size
        self.parser = _Parser(h11.SERVER) if size is None else _Parser(h11.SERVER, size)
        self.conn = self.parser
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    # -- the protocol interface -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Count the connection against the cap; start the clock of its first request head."""
        super().connection_made(transport)
        registry = self.connections_waiting
        if len(self.connections) > registry.cap:
            oldest = next(iter(registry.waiting), None)
            if oldest is None:
                self._answer(503, "the mock is at its connection limit, every connection busy")
                return
            oldest._give_way()
        self._observe()

    def data_received(self, data: bytes) -> None:
        """Feed h11; start or stop the head and body clocks as the request advances."""
        super().data_received(data)
        self._observe()

    def eof_received(self) -> None:
        """The client half-closed: a request it left unfinished is still answered (400)."""
        pending, _ = self.conn.trailing_data
        state = self.conn.their_state
        if (state is h11.IDLE and pending) or state is h11.SEND_BODY:
            # h11 says what is missing; a client that gave up is no malformed request, so not
            # through uvicorn's handler (which logs one).
            self.conn.receive_data(b"")
            try:
                self.conn.next_event()
            except h11.RemoteProtocolError as exc:
                self._answer(400, f"the request ended before it was complete: {exc}")

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clocks; the connection no longer counts."""
        super().connection_lost(exc)
        self._forget()

    def on_response_complete(self) -> None:
        """A kept-alive connection starts waiting for its next request head."""
        super().on_response_complete()
        self._observe()

    def send_400_response(self, msg: str) -> None:
        """What h11 could not parse, answered in the OCPI envelope with h11's status."""
        failure = self.parser.error
        status = failure.error_status_hint if failure is not None else 400
        reason = str(failure) if failure is not None and str(failure) else msg
        # h11 quotes the offending line: enough of it to recognise, not all 16 KB of it
        self._answer(status, f"malformed HTTP request: {reason[:200]}")

    # -- the clocks -----------------------------------------------------------------------------

    def _observe(self) -> None:
        if self.transport.is_closing():
            self._forget()
            return
        state = self.conn.their_state
        waiting = self.connections_waiting.waiting
        if state is h11.IDLE:
            if self not in waiting:
                waiting[self] = None
                self._head_timer = self.loop.call_later(self.read_timeout, self._head_late)
            return
        if self in waiting:
            del waiting[self]
            self._cancel_head_timer()
        if state is h11.SEND_BODY:
            if self._body_timer is None:
                self._body_timer = self.loop.call_later(self.read_timeout, self._body_late)
        else:
            self._cancel_body_timer()

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        pending, _ = self.conn.trailing_data
        if pending:
            self._answer(408, f"the request head did not arrive within {self.read_timeout:g} s")
        else:
            self._close()

    def _body_late(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.SEND_BODY:
            return
        if self.flow.read_paused:
            # The app has not read what came: the wait is the server's, not the client's.
            self._body_timer = self.loop.call_later(self.read_timeout, self._body_late)
            return
        self._answer(
            408,
            f"the request body did not arrive within {self.read_timeout:g} s (Content-Length "
            "or chunks unfinished); nothing was processed",
        )

    def _give_way(self) -> None:
        """Closed to make room for a new connection (this one waits for a request head)."""
        pending, _ = self.conn.trailing_data
        if pending:
            self._answer(503, "the mock is at its connection limit and this request is late")
        else:
            self._close()

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _forget(self) -> None:
        self.connections_waiting.waiting.pop(self, None)
        self._cancel_head_timer()
        self._cancel_body_timer()

    # -- answers --------------------------------------------------------------------------------

    def _answer(self, status: int, message: str) -> None:
        """``status`` with ``message`` in the OCPI envelope (status_code 2000), then close; just
        close when a response to the current request has begun (a second one would corrupt
        it)."""
        if self.cycle is not None and not self.cycle.response_complete:
            # The app is serving this request: it stops waiting for a body, and whatever it
            # still sends is dropped.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            response = error(self.settings, status, 2000, message)
            phrase = http.HTTPStatus(status).phrase.encode("ascii")
            head = [b"HTTP/1.1 %d %s" % (status, phrase)]
            head += [name + b": " + value for name, value in response.raw_headers]
            head.append(b"connection: close")
            self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + response.body)
        self._close()

    def _close(self) -> None:
        self._forget()
        self.transport.close()


def protocol_class(settings: MockSettings, cap: int | None = None) -> type[OcpiH11Protocol]:
    """The protocol class for uvicorn's ``http=``, bound to one mock's settings (its read
    timeout; its envelope faults apply to these answers too) and one server's connection
    cap."""

    class MockH11Protocol(OcpiH11Protocol):
        pass

    MockH11Protocol.settings = settings
    MockH11Protocol.read_timeout = settings.read_timeout
    MockH11Protocol.connections_waiting = _Connections(connection_cap() if cap is None else cap)
    return MockH11Protocol


class _Server(uvicorn.Server):
    """uvicorn's server, its listening sockets' queue lengthened after asyncio set it to the
    accept burst."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if sys.platform == "win32":  # no dup() of a socket handle; the queue stays short
            return
        for server in self.servers:
            for listener in server.sockets:
                # The same socket under another descriptor: listen() again sets its queue.
                with socket.socket(fileno=os.dup(listener.fileno())) as same:
                    same.listen(LISTEN_QUEUE)


def serve(app: FastAPI, settings: MockSettings, host: str, port: int) -> bool:
    """Serve ``app`` until Ctrl-C, its log folded (see harness.mock.logs); False when the
    server did not start (uvicorn has logged why, e.g. the port is taken)."""
    raise_file_limit()
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_class(settings),
        backlog=ACCEPT_BURST,
        # uvicorn's loggers propagate to the folding handler instead of having their own
        log_config=None,
        log_level="warning",
        # Ctrl-C waits this long for requests in progress (a stalled one would hold it forever)
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    with folded_log(), contextlib.suppress(KeyboardInterrupt):
        # uvicorn re-raises the Ctrl-C it handled once it has shut down gracefully
        server.run()
    return server.started
