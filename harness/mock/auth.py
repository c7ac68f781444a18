"""The Authorization header: ``Token <token>``, the token Base64-encoded in 2.2+ (T-AUTH-03) and
raw in 2.1.1 (T-AUTH-02); a missing or unknown token gets HTTP 401 (T-AUTH-04)."""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import Response

from harness.mock.envelope import error
from harness.mock.settings import MockSettings


def encoded(token: str) -> str:
    """The token as 2.2+ sends it: UTF-8, then Base64 with padding (RFC 4648 §4)."""
    return base64.b64encode(token.encode("utf-8")).decode("ascii")


def accepted_values(settings: MockSettings, version: str | None) -> set[str]:
    """The header values (after ``Token ``) accepted for ``version`` (None: the versions
    endpoint, shared by all versions, takes either encoding)."""
    raw, b64 = settings.token, encoded(settings.token)
    if settings.has("auth-raw-token"):
        return {raw}
    if version is None or settings.token_encoding == "ACCEPT_BOTH":
        return {raw, b64}
    return {raw} if version == "2.1.1" else {b64}


def authorize(request: Request, settings: MockSettings, version: str | None) -> Response | None:
    """None when the request may proceed, else the 401 to send."""
    if settings.has("auth-ignored"):
        return None
    status = 403 if settings.has("auth-wrong-status") else 401
    header = request.headers.get("authorization")
    if header is None:
        return error(settings, status, 2000, "Authorization header missing: send 'Token <token>'")
    scheme, _, value = header.partition(" ")
    if scheme != "Token" or not value:
        return error(settings, status, 2000, "Authorization must be 'Token <token>'")
    if value not in accepted_values(settings, version):
        hint = "Base64 of the token" if version not in (None, "2.1.1") else "the token"
        return error(
            settings, status, 2000, f"unknown token (OCPI {version or 'any'} expects {hint})"
        )
    return None
