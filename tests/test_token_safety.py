"""Issue 19, item 5: a short token is redacted in values, never in the keys of the reports'
structure, so the reports survive it; the run says at start that a short token may be
redacted inside unrelated text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.redaction import Secrets
from tests.mock_helpers import import_harness, run_suites

import_harness()


def test_keys_are_kept_and_values_redacted() -> None:
    secrets = Secrets()
    secrets.add("test")
    data = {"tests": [{"nodeid": "test_x", "message": "the test token"}]}
    assert secrets.redact_data(data) == {
        "tests": [{"nodeid": "<token>_x", "message": "the <token> token"}]
    }


@pytest.mark.usefixtures("own_secrets")
@pytest.mark.parametrize("token", ["tes", "id", "t"])
def test_a_short_token_against_the_clean_mock_passes_and_writes_every_report(
    token: str, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given the embedded mock called with a token of a few characters
    reports = tmp_path / "reports"
    run = run_suites(
        pytester,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--target-token",
        token,
        "--ocpi-report",
        str(reports),
    )
    # Then the run passes, warns about the token at start, and the reports keep their shape
    assert run.ret == 0, run.stdout[-3000:]
    assert f"the token has {len(token)} characters" in run.stdout
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "pass"
    assert summary["tests"]
    assert (reports / "conformance.html").stat().st_size > 0
    assert (reports / "junit.xml").stat().st_size > 0


TOKEN = "very-secret-partner-token"


def _escaped(token: str) -> str:
    """The token as a partner's JSON may write it: every character a \\u escape."""
    return "".join(f"\\u{ord(ch):04x}" for ch in token)


def test_a_token_echoed_json_escaped_stays_out_of_the_html_evidence(
    own_secrets: None,
) -> None:
    import httpx
    import respx

    from harness.client import OcpiClient
    from harness.report.evidence import evidence_html

    # Given a partner that echoes the token in its JSON body, \\u-escaped and with \\/
    body = '{"data": {"echo": "' + _escaped(TOKEN) + '", "url": "https:\\/\\/x\\/' + TOKEN + '"}}'
    with respx.mock:
        respx.get("https://partner.example/ocpi/versions").mock(
            return_value=httpx.Response(200, text=body)
        )
        client = OcpiClient("2.2.1", TOKEN)
        client.get("https://partner.example/ocpi/versions")
    # When the HTML evidence renders the exchange (it pretty-prints the decoded body)
    html = evidence_html([], client.recorder.exchanges, 1)
    # Then the token is in it in no form
    assert TOKEN not in html
    assert _escaped(TOKEN) not in html
    assert "&lt;token&gt;" in html


def test_a_token_echoed_in_a_response_header_stays_out_of_debug_logs(
    own_secrets: None, caplog: pytest.LogCaptureFixture
) -> None:
    import base64
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from harness.client import OcpiClient
    from harness.redaction import redact_log_records

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the partner echoes the Authorization header back
            self.send_response(200)
            self.send_header("X-Echo", self.headers.get("Authorization", ""))
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        redact_log_records()  # as the plugin does at configure
        client = OcpiClient("2.2.1", TOKEN, timeout=5)
        # Given DEBUG logging of the HTTP library, When the harness calls the partner
        with caplog.at_level("DEBUG"):
            exchange = client.get(f"http://127.0.0.1:{server.server_port}/ocpi/versions")
            client.close()
    finally:
        server.shutdown()
        server.server_close()
    assert exchange.status == 200
    text = "\n".join(record.getMessage() for record in caplog.records)
    # Then the header trace is there, with the token in neither form
    assert "x-echo" in text.lower()
    assert TOKEN not in text
    assert base64.b64encode(TOKEN.encode()).decode() not in text
