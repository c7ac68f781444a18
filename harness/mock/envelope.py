"""Responses in the OCPI envelope {data, status_code, status_message, timestamp}, with the
envelope faults applied where they are active."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from starlette.responses import Response

from harness.mock.settings import MockSettings

JSON = "application/json"


def timestamp() -> str:
    """The current time as an OCPI DateTime (the envelope says when it was generated)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def respond(
    settings: MockSettings,
    data: Any = None,
    status_code: int = 1000,
    message: str = "Success",
    http_status: int = 200,
    headers: dict[str, str] | None = None,
    raw_data: str | None = None,
) -> Response:
    """An enveloped JSON response. ``raw_data`` is JSON text put in ``data`` as is (stored
    objects are served byte for byte)."""
    envelope_faults = settings.faults
    if http_status >= 400 and "error-without-envelope" in envelope_faults:
        return Response(message, http_status, headers, media_type="text/plain")
    if "no-envelope" in envelope_faults and http_status < 400:
        body = raw_data if raw_data is not None else json.dumps(data, ensure_ascii=False)
        return Response(body, http_status, headers, media_type=JSON)
    code: int | str = str(status_code) if "status-code-string" in envelope_faults else status_code
    parts = []
    if raw_data is not None:
        parts.append(f'"data":{raw_data}')
    elif data is not None:
        parts.append(f'"data":{json.dumps(data, ensure_ascii=False)}')
    parts.append(f'"status_code":{json.dumps(code)}')
    parts.append(f'"status_message":{json.dumps(message, ensure_ascii=False)}')
    if "no-timestamp" not in envelope_faults:
        parts.append(f'"timestamp":"{timestamp()}"')
    return Response("{" + ",".join(parts) + "}", http_status, headers, media_type=JSON)


def error(settings: MockSettings, http_status: int, status_code: int, message: str) -> Response:
    """An error in the envelope (HTTP-layer errors carry it too, T-ENV-05)."""
    return respond(settings, None, status_code, message, http_status)
