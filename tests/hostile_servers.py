"""Hostile targets on a loopback port, for the tests where a real socket matters (what httpx's
timeouts do, what a report makes of a body): a raw server that writes bytes as slowly as it
likes, a small OCPI CPO whose CDR list answers what a test gives it, and a partner that echoes
the token it receives in every form a report could decode (raw, Base64, percent-encoded,
JSON-escaped, cut across chunks of the body), floods a CDR page with empty objects, or accepts
CDRs with a Location anywhere (``hostile_partner``); it answers only its own token. Each runs
in a thread of the test's process and is stopped, joined and closed when the test leaves it."""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = [
    "Behaviour",
    "Respond",
    "deep_json",
    "drip",
    "echo_forms",
    "hostile_partner",
    "ocpi_cpo",
    "raw_server",
]

# What a raw server does with a connection once it has read a request's head: write to it
# (through ``drip``, or ``sendall``) until done or until ``stop`` is set.
Respond = Callable[[socket.socket, threading.Event], None]


def drip(
    sock: socket.socket,
    stop: threading.Event,
    head: bytes,
    unit: bytes,
    every: float,
    until: float,
) -> None:
    """Write ``head``, then ``unit`` every ``every`` seconds for ``until`` seconds at most:
    fewer when the test stops the server or the client hangs up."""
    try:
        sock.sendall(head)
        for _ in range(round(until / every)):
            if stop.wait(every):
                return
            sock.sendall(unit)
    except OSError:  # the client gave up: what the test wants to see
        return


class _Raw(socketserver.BaseRequestHandler):
    server: _RawServer

    def handle(self) -> None:
        head = b""
        self.request.settimeout(5)
        try:
            while b"\r\n\r\n" not in head:
                data = self.request.recv(4096)
                if not data:
                    return
                head += data
        except OSError:
            return
        self.server.respond(self.request, self.server.stop)


class _RawServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = True  # server_close joins the handlers: no thread outlives the test

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), _Raw)


@contextmanager
def _serving(server: socketserver.BaseServer, stop: threading.Event | None = None) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host!s}:{port}"
    finally:
        if stop is not None:
            stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def raw_server(respond: Respond) -> Iterator[str]:
    """A loopback server that hands each connection to ``respond`` once the request's head
    is read; yields its base URL."""
    server = _RawServer(respond)
    with _serving(server, server.stop) as url:
        yield url


def deep_json(depth: int) -> str:
    """A JSON array nested ``depth`` levels deep."""
    return "[" * depth + "]" * depth


class _Cpo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 0.5  # a kept-alive connection left open ends, so that closing the server joins
    server: _CpoServer

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_port}/ocpi"
        path = self.path.split("?")[0]
        if path == "/ocpi/versions":
            body = self.server.versions or _envelope([{"version": "2.2.1", "url": base + "/2.2.1"}])
        elif path == "/ocpi/2.2.1":
            endpoints = [
                {"identifier": "credentials", "role": "RECEIVER", "url": base + "/2.2.1/creds"},
                {"identifier": "cdrs", "role": "SENDER", "url": base + "/2.2.1/cdrs"},
            ]
            body = _envelope({"version": "2.2.1", "endpoints": endpoints})
        elif path == "/ocpi/2.2.1/cdrs":
            body = self.server.cdrs
        else:
            body = _envelope(None, 2000)
        raw = body.encode()
        self.send_response(200)
        for name, value in (
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(raw))),
            ("X-Total-Count", str(self.server.total)),
            ("X-Limit", "1000"),
            ("X-Request-ID", self.headers.get("X-Request-ID", "")),
            ("X-Correlation-ID", self.headers.get("X-Correlation-ID", "")),
        ):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


class _CpoServer(ThreadingHTTPServer):
    block_on_close = True

    def __init__(self, cdrs: str, total: int, versions: str | None) -> None:
        self.cdrs, self.total, self.versions = cdrs, total, versions
        super().__init__(("127.0.0.1", 0), _Cpo)


def _envelope(data: Any, code: int = 1000) -> str:
    return json.dumps({"data": data, "status_code": code, "timestamp": "2025-01-01T00:00:00Z"})


@contextmanager
def ocpi_cpo(cdrs: str, total: int = 1, versions: str | None = None) -> Iterator[str]:
    """A CPO on a loopback port that answers discovery (2.2.1) and lists ``cdrs`` (the raw
    body of every CDR page, with X-Total-Count ``total``); ``versions`` replaces the versions
    answer. Any token opens it. Yields its versions URL."""
    server = _CpoServer(cdrs, total, versions)
    with _serving(server) as url:
        yield url + "/ocpi/versions"


def _now() -> str:
    """The envelope's timestamp: when the answer is made (T-ENV-01)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


STARTED = _now()


@dataclass(frozen=True)
class Behaviour:
    """What the partner does: ``echo`` the token everywhere; ``flood`` empty objects on its
    only CDR page (0: a page of one empty object); with ``location`` it is also a CDR receiver
    that accepts every POST and answers with that Location (``{id}`` replaced), wherever it
    points. With ``cdrs`` it lists those instead, filtered by date_from/date_to, ``limit`` at a
    time (7 by default), with the request ids echoed and the routing headers, and a next-page
    Link of ``link`` (``{offset}``, ``{limit}`` and ``{filters}``, the request's date filters,
    replaced) on every page but the last:
    a partner correct in all but its Link. Without ``honours_offset`` every page starts at the
    first CDR, whatever offset is asked. With ``serves_pushed`` it keeps each CDR POSTed
    (its id lower-cased, as some libraries do) and serves it at ``<endpoint>/<id>`` as a list
    of one, wherever its Location points (``{base}`` in it: the partner's own origin)."""

    token: str
    echo: bool = True
    flood: int = 0
    location: str | None = None
    cdrs: tuple[dict[str, Any], ...] = ()
    link: str = "{base}/ocpi/2.2.1/cdrs?offset={offset}&limit={limit}{filters}"
    honours_offset: bool = True
    serves_pushed: bool = False
    # "redirect-slash": the versions URL answers 308 to itself with a slash added;
    # "broken": it answers HTTP 500 text/html (a partner's discovery down, its modules up);
    # "endpoint-slash": the cdrs URL the details list answers 307 to itself with a slash
    discovery: str = "ok"
    # every answer carries the timestamp of the server's start (a default computed once)
    frozen_timestamp: bool = False
    # the list answers with the routing headers of the request as they came, not swapped
    routing_echoed: bool = False
    # (status, Retry-After or None) answered, in order, to the first requests of the cdrs
    # module (GET and POST) before it serves them (status 0: served); with throttle_forever
    # the last one repeats
    throttle: tuple[tuple[int, str | None], ...] = ()
    throttle_forever: bool = False
    # the list ignores date_from and date_to (its X-Total-Count too)
    ignores_dates: bool = False
    # where the server notes the method of each cdrs request the throttle plan sees
    seen: list[str] | None = None


def _escaped(text: str) -> str:
    """``text`` as JSON may spell it: every character a \\u escape."""
    return "".join(f"\\u{ord(ch):04x}" for ch in text)


def echo_forms(token: str) -> list[str]:
    """The forms of the token a report could show once decoded, and the encoded forms it
    must not show either."""
    return [
        token,
        base64.b64encode(token.encode()).decode(),
        quote(token, safe=""),
        _escaped(token),
        token.replace("/", "\\/"),
    ]


class _Partner(BaseHTTPRequestHandler):
    behaviour: Behaviour
    pushed: dict[str, dict[str, Any]]  # id lower-cased -> the CDR kept (serves_pushed)
    requests: list[str]  # the methods of the cdrs requests the throttle plan has seen
    lock: threading.Lock
    protocol_version = "HTTP/1.1"
    timeout = 0.5  # a kept-alive connection left open ends, so that closing the server joins

    def log_message(self, *args: object) -> None:  # the test's output is the run's
        pass

    def do_GET(self) -> None:
        if not self._throttled():
            self._answer()

    def _throttled(self) -> bool:
        """Answer a throttled request of the cdrs module, as ``behaviour.throttle`` says."""
        plan = self.behaviour.throttle
        if not plan or not urlsplit(self.path).path.startswith("/ocpi/2.2.1/cdrs"):
            return False
        with self.lock:
            self.requests.append(self.command)
            turn = len(self.requests) - 1
        if turn >= len(plan) and not self.behaviour.throttle_forever:
            return False
        status, retry_after = plan[min(turn, len(plan) - 1)]
        if status == 0:
            return False
        body = json.dumps({"status_code": 2000, "status_message": "slow down"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.end_headers()
        self.wfile.write(body)
        return True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self._throttled():
            return
        location = self.behaviour.location
        if location is None or not urlsplit(self.path).path.endswith("/cdrs"):
            self._answer()
            return
        if not self._authorised():
            self._send(401, {"status_code": 2004, "status_message": "unknown token"})
            return
        try:
            cdr = json.loads(body)
            ident = str(cdr.get("id"))
        except (ValueError, AttributeError):
            cdr, ident = None, "unknown"
        if self.behaviour.serves_pushed and isinstance(cdr, dict):
            self.pushed[ident.lower()] = {**cdr, "id": ident.lower()}
        base = f"http://{self.headers.get('Host')}"
        where = location.replace("{id}", ident).replace("{base}", base)
        self._send(201, {"status_code": 1000}, location=where)

    def do_PUT(self) -> None:
        self.do_POST()

    def _raw(self, status: int, body: bytes, media: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self) -> bool:
        wanted = "Token " + base64.b64encode(self.behaviour.token.encode()).decode()
        return self.headers.get("Authorization") == wanted

    def _answer(self) -> None:
        base = f"http://{self.headers.get('Host')}"
        path = urlsplit(self.path).path
        if self.behaviour.discovery == "endpoint-slash" and path.startswith("/ocpi/2.2.1/cdrs"):
            if path == "/ocpi/2.2.1/cdrs":  # what a web framework's redirect_slashes does
                query = urlsplit(self.path).query
                self.send_response(307)
                self.send_header("Location", f"{base}{path}/" + (f"?{query}" if query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = "/ocpi/2.2.1/cdrs" if path == "/ocpi/2.2.1/cdrs/" else path
        if not self._authorised():
            self._send(401, {"status_code": 2004, "status_message": "unknown token"})
            return
        if path == "/ocpi/versions" and self.behaviour.discovery == "redirect-slash":
            self.send_response(308)
            self.send_header("Location", f"{base}/ocpi/versions/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/ocpi/versions" and self.behaviour.discovery == "broken":
            self._raw(500, b"<html>Internal Server Error</html>", "text/html")
            return
        if path in ("/ocpi/versions", "/ocpi/versions/"):
            data: Any = [{"version": "2.2.1", "url": f"{base}/ocpi/2.2.1"}]
        elif path == "/ocpi/2.2.1":
            data = {
                "version": "2.2.1",
                "endpoints": [
                    {"identifier": "cdrs", "role": "SENDER", "url": f"{base}/ocpi/2.2.1/cdrs"},
                    {"identifier": "cdrs", "role": "RECEIVER", "url": f"{base}/ocpi/2.2.1/cdrs"},
                    {
                        "identifier": "credentials",
                        "role": "RECEIVER",
                        "url": f"{base}/ocpi/2.2.1/credentials",
                    },
                ],
            }
        elif path == "/ocpi/2.2.1/cdrs" and self.behaviour.cdrs:
            self._list(base)
            return
        elif path == "/ocpi/2.2.1/cdrs":
            data = [{} for _ in range(max(self.behaviour.flood, 1))]
        elif (
            path.startswith("/ocpi/2.2.1/cdrs/")
            and path.count("/") == 4
            and (path.rsplit("/", 1)[1].lower() in self.pushed)
        ):
            data = [self.pushed[path.rsplit("/", 1)[1].lower()]]
        else:
            # What a web framework answers for a path no route serves: no OCPI envelope
            self._raw(404, b'{"detail":"Not Found"}', "application/json")
            return
        self._send(200, {"status_code": 1000, "data": data}, listing=path.endswith("/cdrs"))

    def _list(self, base: str) -> None:
        query = dict(parse_qsl(urlsplit(self.path).query))
        listed = [
            c
            for c in self.behaviour.cdrs
            if self.behaviour.ignores_dates
            or (
                query.get("date_from", "") <= c["last_updated"]
                and ("date_to" not in query or c["last_updated"] < query["date_to"])
            )
        ]
        offset, limit = int(query.get("offset", 0)), min(int(query.get("limit", 7)), 1000)
        if not self.behaviour.honours_offset:
            offset = 0
        page = listed[offset : offset + limit]
        headers = {
            "X-Total-Count": str(len(listed)),
            "X-Limit": "1000",
            "OCPI-from-country-code": "NL",
            "OCPI-from-party-id": "HOS",
            "OCPI-to-country-code": self.headers.get("OCPI-from-country-code", "NL"),
            "OCPI-to-party-id": self.headers.get("OCPI-from-party-id", "HAR"),
        }
        if self.behaviour.routing_echoed and self.headers.get("OCPI-to-party-id"):
            headers.update({k: v for k, v in self.headers.items() if k.lower().startswith("ocpi-")})
        for name in ("X-Request-ID", "X-Correlation-ID"):
            headers[name] = self.headers.get(name, "")
        if offset + limit < len(listed):
            filters = "".join(
                f"&{name}={quote(query[name], safe='')}"
                for name in ("date_from", "date_to")
                if name in query
            )
            link = self.behaviour.link.format(
                base=base, offset=offset + limit, limit=limit, filters=filters
            )
            headers["Link"] = f'<{link}>; rel="next"'
        stamp = STARTED if self.behaviour.frozen_timestamp else _now()
        body = json.dumps({"data": page, "status_code": 1000, "timestamp": stamp}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send(
        self,
        status: int,
        envelope: dict[str, Any],
        listing: bool = False,
        location: str | None = None,
    ) -> None:
        token = self.behaviour.token
        stamp = STARTED if self.behaviour.frozen_timestamp else _now()
        envelope = {**envelope, "timestamp": stamp}
        echo = self.behaviour.echo
        if echo:
            envelope["status_message"] = (
                f"{envelope.get('status_message', 'ok')}; you sent {token}, "
                f"{base64.b64encode(token.encode()).decode()} and {quote(token, safe='')}"
            )
        text = json.dumps(envelope, separators=(",", ":"))
        if echo:  # the token once more, JSON-escaped and with "\/", inside the JSON
            text = text[:-1] + ',"echo":"' + _escaped(token) + '","url":"http:\\/\\/x\\/'
            text += token + '"}'
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if listing:
            self.send_header("X-Total-Count", str(max(self.behaviour.flood, 1)))
            self.send_header("X-Limit", "100000")
        if location is not None:
            self.send_header("Location", location)
        for name in ("X-Request-ID", "X-Correlation-ID"):
            self.send_header(name, self.headers.get(name, ""))
        if echo:
            self.send_header("X-Echo", self.headers.get("Authorization", ""))
            self.send_header("X-Echo-Raw", token)
        # Chunked, with a cut inside the token: a reader that redacts per chunk misses it.
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        cut = body.find(token.encode()) + len(token) // 2 if echo else len(body) // 2
        for piece in (body[:cut], body[cut:]):
            if piece:
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


class _PartnerServer(ThreadingHTTPServer):
    block_on_close = True


@contextmanager
def hostile_partner(behaviour: Behaviour) -> Iterator[str]:
    """The partner for a ``with`` block; yields its versions URL."""
    handler = type(
        "Partner",
        (_Partner,),
        {
            "behaviour": behaviour,
            "pushed": {},
            "requests": [] if behaviour.seen is None else behaviour.seen,
            "lock": threading.Lock(),
        },
    )
    with _serving(_PartnerServer(("127.0.0.1", 0), handler)) as url:
        yield url + "/ocpi/versions"
