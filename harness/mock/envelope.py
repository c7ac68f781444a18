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
    is_list: bool = False,
) -> Response:
    """An enveloped JSON response. ``raw_data`` is JSON text put in ``data`` as is (stored
    objects are served byte for byte); ``is_list``: a paginated list (where the no-envelope
    fault strikes)."""
    has_fault = settings.has_fault
    if http_status in (401, 404) and has_fault("error-without-envelope"):
        return Response(message, http_status, headers, media_type="text/plain")
    if is_list and has_fault("no-envelope"):
        body = raw_data if raw_data is not None else json.dumps(data, ensure_ascii=False)
        return Response(body, http_status, headers, media_type=JSON)
    code: int | str = str(status_code) if has_fault("status-code-string") else status_code
    parts = []
    if raw_data is not None:
        parts.append(f'"data":{raw_data}')
    elif data is not None:
        parts.append(f'"data":{json.dumps(data, ensure_ascii=False)}')
    parts.append(f'"status_code":{json.dumps(code)}')
    parts.append(f'"status_message":{json.dumps(message, ensure_ascii=False)}')
    if not has_fault("no-timestamp"):
        parts.append(f'"timestamp":"{timestamp()}"')
    return Response("{" + ",".join(parts) + "}", http_status, headers, media_type=JSON)


def error(settings: MockSettings, http_status: int, status_code: int, message: str) -> Response:
    """An error in the envelope (HTTP-layer errors carry it too, T-ENV-05)."""
    return respond(settings, None, status_code, message, http_status)


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} does not fit a number")
    return value


def parse_json(text: str) -> Any:
    """Strict JSON: NaN, Infinity and numbers that overflow to infinity are not JSON."""
    return json.loads(text, parse_constant=_no_constants, parse_float=_finite)


async def read_json_body(request: Any, settings: MockSettings) -> tuple[str, Any] | Response:
    """The body as text and parsed JSON, or the error to send: 415 when it is not declared
    JSON, 413 past the size limit (read in chunks, so a huge body is refused without being
    held), 400 when it is not JSON."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != JSON:
        return error(settings, 415, 2000, f"Content-Type must be {JSON}, got {media or 'none'}")
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return error(settings, 413, 2000, f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return error(settings, 413, 2000, f"body over {limit} bytes")
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("utf-8")
        return text, parse_json(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        if settings.has_fault("non-json-accepted"):  # refused, but as an OCPI answer
            return error(settings, 200, 2001, "the body is not JSON")
        return error(settings, 400, 2000, "the body is not JSON (T-HTTP-01)")


def own_base(request: Any) -> str:
    """Where this peer's URLs start: its advertised URL (behind a tunnel or an ingress), else
    the scheme, host and port the request came to."""
    advertised = request.app.state.settings.advertised_url
    return str(advertised or request.base_url).rstrip("/")
