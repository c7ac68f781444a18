"""The evidence of one test, gathered where the test ran: its findings and the exchanges that
show them (redacted transcripts and curl lines), rendered as the HTML shown under the test in
the report. Plain data crosses pytest-xdist process boundaries; HTML is made once, here."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from harness.exchange import parse_body
from harness.recording import JOURNAL, Recorded
from harness.redaction import RUN_SECRETS

MAX_EXCHANGES = 8  # transcripts kept per test: the ones its findings name first
MAX_FINDINGS = 60  # rows of the findings table (the JSON summary has them all)
_PRETTY_BODY = 6000  # characters of a pretty-printed body shown


def findings_of(user_properties: Sequence[tuple[str, object]]) -> list[dict[str, str]]:
    """The findings a test attached (``conforms`` stores them as the ``ocpi_findings``
    property)."""
    found: list[dict[str, str]] = []
    for name, value in user_properties:
        if name == "ocpi_findings" and isinstance(value, str):
            found += json.loads(value)
    return found


def exchanges_for(findings: Sequence[dict[str, str]], made: Sequence[Recorded]) -> list[Recorded]:
    """The exchanges to show for a test: those its findings name (possibly made by an earlier
    test, e.g. a shared crawl), then the ones it made itself, at most ``MAX_EXCHANGES``."""
    chosen: dict[str, Recorded] = {}
    for finding in findings:
        label = finding.get("exchange")
        recorded = JOURNAL.find(label) if label else None
        if recorded is not None:
            chosen.setdefault(label or "", recorded)
    for recorded in made:
        chosen.setdefault(recorded.label, recorded)
    return list(chosen.values())[:MAX_EXCHANGES]


def evidence_html(
    findings: Sequence[dict[str, str]], exchanges: Sequence[Recorded], total_made: int
) -> str:
    """The HTML shown under a test: a findings table, then each exchange's transcript and the
    curl line that reproduces it (token as a placeholder). Everything is redacted again with
    every secret this process knows (an exchange may have been recorded before a token learned
    later in the run), before it is escaped."""
    findings = RUN_SECRETS.redact_data(list(findings))
    exchanges = [
        Recorded(RUN_SECRETS.redact_data(r.transcript), RUN_SECRETS.redact(r.curl))
        for r in exchanges
    ]
    parts = ['<div class="ocpi-evidence">']
    if findings:
        parts.append(
            '<table class="ocpi-findings"><thead><tr><th>level</th><th>requirement</th>'
            "<th>JSON path</th><th>message</th><th>expected</th><th>seen</th><th>exchange</th>"
            "</tr></thead><tbody>"
        )
        rank = {"error": 0, "warning": 1, "info": 2}
        ordered = sorted(findings, key=lambda f: rank.get(f.get("level", ""), 3))
        for f in ordered[:MAX_FINDINGS]:
            cells = [f.get(key, "") for key in ("level", "requirement", "path", "message")]
            cells += [f.get(key, "") for key in ("expected", "seen", "exchange")]
            parts.append(
                f'<tr class="ocpi-level-{escape(cells[0])}">'
                + "".join(f"<td>{escape(cell)}</td>" for cell in cells)
                + "</tr>"
            )
        parts.append("</tbody></table>")
        if len(findings) > MAX_FINDINGS:
            parts.append(
                f"<p>{len(findings) - MAX_FINDINGS} more finding(s): see the JSON summary.</p>"
            )
    for recorded in exchanges:
        parts.append(_transcript_html(recorded))
    hidden = total_made - len(exchanges)
    if hidden > 0:
        parts.append(f"<p>{hidden} more exchange(s) of this test not shown.</p>")
    parts.append("</div>")
    return "".join(parts)


def _transcript_html(recorded: Recorded) -> str:
    t = recorded.transcript
    request = [f"{t['method']} {t['url']}"]
    request += [f"{name}: {value}" for name, value in t["request_headers"].items()]
    if t.get("request_body"):
        request += ["", _pretty(t["request_body"])]
    if t.get("error"):
        response = [f"(no usable answer: {t['error']})"]
    else:
        response = [f"HTTP {t['status']}  ({t['elapsed_ms']} ms)"]
        response += [f"{name}: {value}" for name, value in t["response_headers"].items()]
        if t.get("body") is not None:
            response += ["", _pretty(t["body"])]
    # Who made the request: the harness, or the partner's client (its push to the harness)
    direction = (
        "the partner's request to the harness, and the harness's answer"
        if t.get("direction") == "incoming"
        else "the harness's request to the target, and its answer"
    )
    return (
        f'<div class="ocpi-exchange"><h4>{escape(t["label"])}</h4>'
        f'<p class="ocpi-direction">{direction}</p>'
        f'<pre class="ocpi-request">{escape(chr(10).join(request))}</pre>'
        f'<pre class="ocpi-response">{escape(chr(10).join(response))}</pre>'
        f'<p>Reproduce:</p><pre class="ocpi-curl">{escape(recorded.curl)}</pre></div>'
    )


def _pretty(body: str) -> str:
    # The client's own reader: bounded in depth, so no body can make the report recurse.
    parsed, error = parse_body(body)
    if error is not None:
        return body  # capped already, or not JSON: shown as it came
    # Decoding undoes the body's escapes (\u0074, \/): a secret the raw text hid in them is
    # plain now, so this rendering is redacted again
    text = RUN_SECRETS.redact(json.dumps(parsed, indent=2, ensure_ascii=False))
    if len(text) > _PRETTY_BODY:
        text = text[:_PRETTY_BODY] + f"\n... ({len(text):,} characters pretty-printed)"
    return text
