"""The credentials module of the mock, both ways (T-CRED-01..06, T-AUTH-05/06).

As server: POST with TOKEN_A registers a partner. The mock calls the partner's versions URL and
version details with the partner's TOKEN_B over real HTTP, issues TOKEN_C and retires TOKEN_A
from the functional modules. PUT rotates TOKEN_C (the old one is refused afterwards); DELETE
unregisters. POST when registered, and PUT or DELETE when not, answer 405.

As client: ``register_with(...)`` runs the handshake against a partner, e.g. another mock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import Any

import httpx
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from harness.mock.auth import RETIRED, caller_token, header_value, refusal
from harness.mock.envelope import error, own_base, read_json_body, respond
from harness.mock.settings import MockSettings
from harness.mock.store import IssuedToken, Store
from harness.models.credentials import credentials_model, listed_roles
from harness.redaction import RUN_SECRETS
from harness.versions import version_profile

logger = logging.getLogger("harness.mock")

#: Seconds a call to a partner may take in all, however its answer trickles in.
PARTNER_DEADLINE = 30.0


class PartnerError(Exception):
    """The partner's versions or version details could not be used (status 3001/3002)."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code


def new_token() -> str:
    """A fresh credentials token: printable ASCII, at most 64 characters (T-AUTH-07)."""
    return secrets.token_urlsafe(32)


def credentials_object(
    settings: MockSettings, version: str, token: str, versions_url: str
) -> dict[str, Any]:
    """This peer's credentials object in ``version``'s shape (T-CRED-06)."""
    business = {"name": "ocpi-harness mock peer"}
    if not version_profile(version).credentials_roles:
        return {
            "token": token,
            "url": versions_url,
            "business_details": business,
            "party_id": settings.party_id,
            "country_code": settings.country_code,
        }
    roles = [
        {
            "role": role.upper(),
            "business_details": business,
            "party_id": settings.party_id,
            "country_code": settings.country_code,
        }
        for role in settings.roles
    ]
    return {"token": token, "url": versions_url, "roles": roles}


async def _call(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    token: str,
    version: str,
    limit: int,
    body: dict[str, Any] | None = None,
) -> tuple[int, bytes]:
    """The status and body of a call to the partner. The body is streamed and read up to
    ``limit`` bytes (after decompression), the whole call bounded by PARTNER_DEADLINE: a
    partner's answer is data from outside, and an endless or huge one must cost neither
    memory nor a stuck handshake. PartnerError (3001) says which bound was hit."""
    headers = {"Authorization": header_value(token, version)}

    async def call() -> tuple[int, bytes]:
        async with client.stream(method, url, headers=headers, json=body) as response:
            declared = response.headers.get("content-length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > limit:
                raise PartnerError(3001, f"{method} {url}: {_over(limit)} ({declared} declared)")
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    raise PartnerError(3001, f"{method} {url}: {_over(limit)}")
            return response.status_code, bytes(data)

    try:
        return await asyncio.wait_for(call(), PARTNER_DEADLINE)
    except asyncio.TimeoutError:
        raise PartnerError(
            3001, f"{method} {url}: no complete answer within {PARTNER_DEADLINE:g} s"
        ) from None
    except httpx.HTTPError as exc:
        raise PartnerError(3001, f"{method} {url} failed: {type(exc).__name__}") from None


def _over(limit: int) -> str:
    return f"the answer is over {limit:,} bytes, more than this peer reads; nothing more was read"


async def _envelope_data(
    client: httpx.AsyncClient, url: str, token: str, version: str, limit: int
) -> Any:
    status, raw = await _call(client, "GET", url, token, version, limit)
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise PartnerError(3001, f"GET {url} failed: {type(exc).__name__}") from None
    if status != 200 or not isinstance(body, dict):
        raise PartnerError(3001, f"GET {url} answered HTTP {status}")
    if body.get("status_code") != 1000:
        said = str(body.get("status_message") or "")[:200]
        raise PartnerError(
            3001,
            f"GET {url} answered OCPI status {body.get('status_code')!r}"
            + (f": {said}" if said else ""),
        )
    return body.get("data")


async def partner_endpoints(
    client: httpx.AsyncClient,
    versions_url: str,
    token: str,
    version: str,
    limit: int = MockSettings.max_body_bytes,
) -> list[dict[str, Any]]:
    """The partner's endpoints for ``version``, found through its versions URL (each answer
    read up to ``limit`` bytes)."""
    versions = await _envelope_data(client, versions_url, token, version, limit)
    if isinstance(versions, dict):  # 2.1.1 documents a {"versions": [...]} shape too (AMB-14)
        versions = versions.get("versions")
    if not isinstance(versions, list):
        raise PartnerError(3001, f"{versions_url} did not list versions")
    match = [v for v in versions if isinstance(v, dict) and v.get("version") == version]
    if not match:
        raise PartnerError(3002, f"the partner does not offer OCPI {version}")
    details = await _envelope_data(client, str(match[0].get("url")), token, version, limit)
    endpoints = details.get("endpoints") if isinstance(details, dict) else None
    if not isinstance(endpoints, list):
        raise PartnerError(3001, "the partner's version details list no endpoints")
    return [e for e in endpoints if isinstance(e, dict)]


def _versions_url(request: Request) -> str:
    return f"{own_base(request)}/ocpi/versions"


async def handle(
    request: Request,
    settings: MockSettings,
    store: Store,
    version: str,
    client_factory: Any,
) -> Response:
    """GET, POST, PUT or DELETE on the credentials endpoint of ``version``."""
    token = caller_token(request, settings, store, version, config=True)
    if token is None and not settings.has_fault("auth-ignored"):
        return error(settings, 401, 2000, refusal(request, settings, store, version))
    issued = None if token is None else store.token(token)
    registered = issued is not None and issued.kind == "C"
    method = request.method
    if method == "GET":
        return respond(
            settings, credentials_object(settings, version, token or "", _versions_url(request))
        )
    if method == "DELETE":
        if not registered or token is None:
            return _not_allowed(settings, "not registered: nothing to delete (T-CRED-04)", False)
        store.deactivate(token)
        return respond(settings)
    if method == "POST" and registered:
        return _not_allowed(settings, "already registered: use PUT to update (T-CRED-02)", True)
    if method == "PUT" and not registered:
        return _not_allowed(settings, "not registered: use POST to register (T-CRED-03)", False)
    theirs = await _partner_credentials(request, settings, version)
    if isinstance(theirs, Response):
        return theirs
    try:
        async with client_factory() as client:
            await partner_endpoints(
                client, theirs["url"], theirs["token"], version, settings.max_body_bytes
            )
    except PartnerError as exc:
        logger.warning("credentials %s from a partner: %s", method, exc)
        return error(settings, 200, exc.status_code, f"unable to use the client's API: {exc}")
    fresh = new_token()
    # Both are credentials from now on: no log line or report of this process shows them
    RUN_SECRETS.add(fresh)
    RUN_SECRETS.add(theirs["token"])
    store.add_token(IssuedToken(fresh, "C", version, theirs["url"], theirs["token"], True))
    if registered and token is not None:
        store.deactivate(token)  # rotated (T-CRED-03)
    elif token == settings.token:
        store.set_meta(RETIRED, "1")  # TOKEN_A no longer opens functional modules (T-AUTH-05)
    return respond(settings, credentials_object(settings, version, fresh, _versions_url(request)))


def _not_allowed(settings: MockSettings, message: str, registered: bool) -> Response:
    """405 with the methods the caller's registration state allows (RFC 9110 Allow)."""
    allowed = "GET, PUT, DELETE" if registered else "GET, POST"
    return respond(settings, None, 2000, message, 405, {"Allow": allowed})


async def _partner_credentials(
    request: Request, settings: MockSettings, version: str
) -> dict[str, Any] | Response:
    """The partner's token and versions URL from a Credentials object of ``version``, or the
    2001 error that says what is wrong with the body (T-CRED-06)."""
    read = await read_json_body(request, settings)
    if isinstance(read, Response):
        return read
    text, body = read
    try:
        credentials_model(version).model_validate_json(text)
    except ValidationError as exc:
        return error(settings, 200, 2001, _credentials_problem(exc, body, version))
    token, url = body["token"], body["url"]
    if not url.startswith(("http://", "https://")):
        return error(settings, 200, 2001, f"'url' must be the http(s) versions URL: {url[:80]}")
    return {"token": token, "url": url}


def _credentials_problem(exc: ValidationError, body: Any, version: str) -> str:
    """What is wrong with a credentials body, in a line: the first errors by field, and the
    other version's shape when it is that."""
    said = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'the body'}: {e['msg']}" for e in exc.errors()[:3]
    )
    more = f" (and {exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    shape = ""
    if isinstance(body, dict):
        roles = version_profile(version).credentials_roles
        if not roles and "roles" in body:
            shape = (
                "; 'roles' is the 2.2 form: 2.1.1 sends business_details, party_id, country_code"
            )
        elif roles and "roles" not in body and "party_id" in body:
            shape = f"; party_id beside token and url is the 2.1.1 form: {version} sends roles[]"
        elif "HUB" not in listed_roles(version) and any(
            isinstance(r, dict) and r.get("role") == "HUB" for r in body.get("roles") or []
        ):
            shape = (
                f"; role HUB is the 2.2.1 form: a {version} hub lists the parties it reaches "
                "in roles (AMB-16)"
            )
    return f"not a {version} Credentials object: {said}{more}{shape}"


async def register_with(
    partner_versions_url: str,
    token_a: str,
    version: str,
    settings: MockSettings,
    store: Store,
    own_versions_url: str,
    client: httpx.AsyncClient,
) -> str:
    """Register this peer with a partner (this peer is the client of the handshake); returns
    the partner's TOKEN_C, kept for calling it. Raises PartnerError when it cannot."""
    limit = settings.max_body_bytes
    endpoints = await partner_endpoints(client, partner_versions_url, token_a, version, limit)
    url = next((str(e.get("url")) for e in endpoints if e.get("identifier") == "credentials"), None)
    if url is None:
        raise PartnerError(3003, "the partner offers no credentials endpoint")
    token_b = new_token()
    store.add_token(IssuedToken(token_b, "B", version, partner_versions_url, None, True))
    body = credentials_object(settings, version, token_b, own_versions_url)
    try:
        status, raw = await _call(client, "POST", url, token_a, version, limit, body)
    except PartnerError:
        store.deactivate(token_b)
        raise
    try:
        answer = json.loads(raw) if status == 200 else None
    except (ValueError, RecursionError):
        answer = None  # not JSON: refused below, with what the partner sent
    data = answer.get("data") if isinstance(answer, dict) else None
    token_c = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token_c, str):
        store.deactivate(token_b)
        sent = raw[:200].decode("utf-8", "replace")
        raise PartnerError(3001, f"the partner refused the registration: {sent}")
    store.set_partner_token(token_b, token_c)
    return token_c
