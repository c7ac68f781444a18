"""A hostile OCPI 2.2.1 CPO on a loopback port, for runs of the suites that must survive what
no library does: it echoes the token it receives in every form a report could decode (raw,
Base64, percent-encoded, JSON-escaped, split across chunks of the body), and it can flood a
CDR page with thousands of empty objects. It answers only requests with its own token; the
rest get OCPI 2004, as a partner should."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlsplit

TIMESTAMP = "2025-06-01T12:00:00Z"


@dataclass(frozen=True)
class Behaviour:
    """What the partner does: ``echo`` the token everywhere; ``flood`` empty objects on its
    only CDR page (0: a page of one empty object)."""

    token: str
    echo: bool = True
    flood: int = 0


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
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # the test's output is the run's
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._answer()

    def do_PUT(self) -> None:
        self.do_POST()

    def _authorised(self) -> bool:
        wanted = "Token " + base64.b64encode(self.behaviour.token.encode()).decode()
        return self.headers.get("Authorization") == wanted

    def _answer(self) -> None:
        base = f"http://{self.headers.get('Host')}"
        path = urlsplit(self.path).path
        if not self._authorised():
            self._send(401, {"status_code": 2004, "status_message": "unknown token"})
            return
        if path == "/ocpi/versions":
            data: Any = [{"version": "2.2.1", "url": f"{base}/ocpi/2.2.1"}]
        elif path == "/ocpi/2.2.1":
            data = {
                "version": "2.2.1",
                "endpoints": [
                    {"identifier": "cdrs", "role": "SENDER", "url": f"{base}/ocpi/2.2.1/cdrs"},
                    {
                        "identifier": "credentials",
                        "role": "RECEIVER",
                        "url": f"{base}/ocpi/2.2.1/credentials",
                    },
                ],
            }
        elif path == "/ocpi/2.2.1/cdrs":
            data = [{} for _ in range(max(self.behaviour.flood, 1))]
        else:
            self._send(404, {"status_code": 2000, "status_message": f"no {path}"})
            return
        self._send(200, {"status_code": 1000, "data": data}, listing=path.endswith("/cdrs"))

    def _send(self, status: int, envelope: dict[str, Any], listing: bool = False) -> None:
        token = self.behaviour.token
        envelope = {**envelope, "timestamp": TIMESTAMP}
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


@contextmanager
def hostile_partner(behaviour: Behaviour) -> Iterator[str]:
    """The partner for a ``with`` block; yields its versions URL."""
    handler = type("Partner", (_Partner,), {"behaviour": behaviour})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/ocpi/versions"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
