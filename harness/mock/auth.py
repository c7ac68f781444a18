"""The Authorization header: ``Token <token>``, the token Base64-encoded in 2.2+ (T-AUTH-03) and
raw in 2.1.1 (T-AUTH-02); a missing or unknown token gets HTTP 401 (T-AUTH-04).

Tokens the mock accepts: its configured token (``--token``, the TOKEN_A a partner registers
with, and a ready-to-use token for partners that skip the handshake) and the tokens it issued
in credentials handshakes. Once a partner has registered with the configured token, that token
is retired from the functional modules (T-AUTH-05): only versions, version details and
credentials still take it.
"""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import Response

from harness.checks.client_side import decoded_token
from harness.mock.envelope import error
from harness.mock.settings import MockSettings
from harness.mock.store import Store
from harness.versions import version_profile

RETIRED = "token-a-retired"


def encoded(token: str) -> str:
    """The token as 2.2+ sends it: UTF-8, then Base64 with padding (RFC 4648 §4)."""
    return base64.b64encode(token.encode("utf-8")).decode("ascii")


def header_value(token: str, version: str) -> str:
    """The Authorization header value for calling a peer of ``version``."""
    return f"Token {encoded(token) if version_profile(version).token_base64 else token}"


def candidates(value: str, settings: MockSettings, version: str | None) -> list[str]:
    """The tokens a header value may carry for ``version`` (None: the versions endpoint,
    shared by all versions, takes either encoding)."""
    if settings.has_fault("auth-raw-token"):
        return [value]
    decoded = decoded_token(value)
    base64_token = None if version is None else version_profile(version).token_base64
    strict = settings.token_encoding == "STRICT"
    raw_only = strict and base64_token is False
    b64_only = strict and base64_token is True
    if raw_only:
        return [value]
    if b64_only:
        return [] if decoded is None else [decoded]
    return [value] + ([] if decoded is None else [decoded])


def caller_token(
    request: Request, settings: MockSettings, store: Store, version: str | None, config: bool
) -> str | None:
    """The valid token the request carries, or None. ``config``: a configuration module
    (versions, details, credentials), where the retired configured token still works."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    schemes = ("Token", "Bearer") if settings.has_fault("auth-bearer-accepted") else ("Token",)
    if scheme not in schemes or not value:
        return None
    retired = store.meta(RETIRED) is not None and not settings.has_fault("token-a-kept")
    for token in candidates(value, settings, version):
        if token == settings.token and (config or not retired):
            return token
        issued = store.token(token)
        if issued is not None and issued.active:
            return token
    return None


def authorize(
    request: Request,
    settings: MockSettings,
    version: str | None,
    store: Store,
    config: bool = False,
) -> Response | None:
    """None when the request may proceed, else the 401 to send."""
    if settings.has_fault("auth-ignored"):
        return None
    if caller_token(request, settings, store, version, config) is not None:
        return None
    status = 403 if settings.has_fault("auth-wrong-status") else 401
    return error(settings, status, 2000, refusal(request, settings, store, version))


def refusal(request: Request, settings: MockSettings, store: Store, version: str | None) -> str:
    """Why the request's token opens nothing, in words that say what to send instead: the
    header missing or malformed, the token in the other version's encoding, TOKEN_A after
    the registration retired it, or a token this peer never issued."""
    header = request.headers.get("authorization")
    if header is None:
        return "Authorization header missing: send 'Token <token>'"
    if not header.startswith("Token ") or len(header) < 7:
        return "Authorization must be 'Token <token>'"
    value = header[len("Token ") :]
    base64_token = version is not None and version_profile(version).token_base64
    decoded = decoded_token(value)
    known = {settings.token} | ({decoded} if decoded and store.token(decoded) else set())
    retired = store.meta(RETIRED) is not None
    rule = "T-AUTH-05" if base64_token else "T-AUTH-06"
    if retired and settings.token in (value, decoded):
        return (
            "this token (TOKEN_A) was retired by the credentials registration: use the token "
            f"the registration gave (TOKEN_C, {rule})"
        )
    issued = store.token(decoded or value)
    if issued is not None and not issued.active:
        return f"this token was replaced or unregistered: use the current one ({rule})"
    if base64_token and decoded is None:
        if value == settings.token or store.token(value) is not None:
            return (
                f"OCPI {version} sends the token Base64-encoded: 'Token <the Base64 of the "
                "token>' (T-AUTH-03)"
            )
        return f"unknown token (OCPI {version} expects the Base64 of a token)"
    if version is not None and not base64_token and decoded in known and value not in known:
        return f"OCPI {version} sends the token as it is, not Base64-encoded (T-AUTH-02)"
    if base64_token:
        return "unknown token: its Base64 decodes to no token this peer issued or was given"
    return "unknown token: not one this peer issued or was given"
