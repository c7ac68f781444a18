"""The mock OCPI peer as a FastAPI app: versions, version details, CDRs and tariffs as sender
(role cpo), CDRs as receiver (role emsp), every answer in the OCPI envelope.

URL layout: ``/ocpi/versions``; ``/ocpi/{version}`` (details); ``/ocpi/{version}/cpo/cdrs`` and
``/ocpi/{version}/cpo/tariffs`` (sender lists); ``/ocpi/{version}/emsp/cdrs`` (receiver POST)
and ``/ocpi/{version}/emsp/cdrs/{country_code}/{party_id}/{id}`` (``.../cdrs/{id}`` in 2.1.1)
for the CDRs received.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote, unquote

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from harness.checks import check_object
from harness.exchange import Exchange, parse_body, version_first
from harness.findings import Finding, Level
from harness.mock import credentials as credentials_module
from harness.mock.auth import authorize
from harness.mock.credentials import PartnerError, register_with
from harness.mock.envelope import error, own_base, read_json_body, respond
from harness.mock.listing import list_response
from harness.mock.seed import seed_store
from harness.mock.settings import MockSettings
from harness.mock.store import DuplicateCdr, Store
from harness.mock.workers import CpuWorkers, WorkTimeout
from harness.versions import version_profile

logger = logging.getLogger("harness.mock")


def create_app(
    settings: MockSettings,
    store: Store | None = None,
    outbound: httpx.AsyncBaseTransport | None = None,
    incoming: Callable[[Exchange], None] | None = None,
) -> FastAPI:
    """The mock peer of ``settings`` (the store is opened from ``settings.db`` if not given).
    ``outbound`` carries the mock's own calls to partners (real HTTP when None); ``incoming``
    is given every request a partner makes, with the answer, as an incoming ``Exchange`` (the
    harness judges a partner's client by them)."""
    store = store or Store(settings.db)
    seed_store(store, settings)

    def client_factory() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=outbound, timeout=10)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.register_url:
            task = asyncio.create_task(_register_when_up(settings, store, client_factory))
        yield
        if task is not None:
            task.cancel()

    app = FastAPI(
        title="ocpi-harness mock peer",
        description="A mock OCPI CPO (CDR sender) and eMSP (CDR receiver).",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.client_factory = client_factory
    app.state.settings = settings
    app.state.store = store
    app.state.requests = 0
    workers = CpuWorkers()

    @app.middleware("http")
    async def transport(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        app.state.requests += 1
        asked = request.url
        body = await _kept_body(request, settings) if incoming is not None else b""
        path = request.scope["path"]
        if len(path) > 1 and path.endswith("/"):
            # "cdrs/?offset=" (the 2.1.1 examples' style) is the same resource as "cdrs?offset=".
            request.scope["path"] = path.rstrip("/")
            request.scope["raw_path"] = request.scope.get("raw_path", b"").rstrip(b"/")
        _serve_role_first(request)
        if settings.has_fault("stall"):
            await asyncio.sleep(3600)
        if settings.has_fault("slow"):
            await asyncio.sleep(2)
        if settings.has_fault("server-error"):
            response: Response = error(settings, 500, 3000, "internal error (fault server-error)")
        else:
            try:
                response = await call_next(request)
            except ClientDisconnect:
                # The client left, or the server gave up on its body (read timeout): nobody
                # reads this answer, and it is no server error.
                response = error(settings, 400, 2000, "the request ended before its body")
            except Exception as exc:
                # A bug of the mock: the partner gets the envelope, the log the traceback.
                logger.exception("HTTP 500 on %s %s", request.method, request.scope["path"])
                response = error(settings, 500, 3000, f"internal error: {type(exc).__name__}")
        finished = await _finish(request, response, settings)
        if incoming is not None:
            finished = await _buffered(finished)  # the answer is recorded with its body
            incoming(_incoming(request, str(asked), body, finished))
        return finished

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        path = request.url.path
        if exc.status_code != 405:
            asked = request.scope.get("ocpi.asked_path", path)
            said = f"no such path: {asked}. {_where_to(settings, path, _base(request))}"
            return error(settings, exc.status_code, 2000, said)
        # A method the resource does not offer gets 405 with Allow whoever asks (RFC 9110;
        # OCPI defines no status for n/a methods, AMB-11).
        message = _not_here(settings, request.method, path, _base(request))
        allowed = sorted(
            {
                m
                for r in app.routes
                if isinstance(r, APIRoute) and r.path_regex.match(path)
                for m in r.methods or ()
            }
        )
        return respond(settings, None, 2000, message, 405, {"Allow": ", ".join(allowed)})

    _add_routes(app, settings, store, workers)
    _document(app, settings)
    return app


async def _register_when_up(
    settings: MockSettings, store: Store, client_factory: Callable[[], httpx.AsyncClient]
) -> None:
    """Register with the partner given on the command line, retrying while it starts."""
    assert settings.register_url is not None
    assert settings.public_url is not None
    own = f"{settings.public_url.rstrip('/')}/ocpi/versions"
    version = settings.versions[-1]
    for _ in range(40):
        try:
            async with client_factory() as client:
                await register_with(
                    settings.register_url, settings.register_token or settings.token,
                    version, settings, store, own, client,
                )  # fmt: skip
            print(f"ocpi-mock: registered with {settings.register_url} (OCPI {version})")
            return
        except (PartnerError, httpx.HTTPError, ValueError) as exc:
            last = exc
            await asyncio.sleep(0.5)
    print(f"ocpi-mock: could not register with {settings.register_url}: {last}")


async def _kept_body(request: Request, settings: MockSettings) -> bytes:
    """The body of a partner's request, to record: read (and kept for the handler) only when
    its Content-Length fits the peer's body limit; a larger or unannounced body is left to
    the handler, which refuses or streams it, and is not recorded."""
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > settings.max_body_bytes:
        return b""
    try:
        return await request.body()
    except ClientDisconnect:
        return b""


async def _buffered(response: Response) -> Response:
    """``response`` with its body read (a streamed answer read to its end)."""
    if not hasattr(response, "body_iterator"):
        return response
    body = b""
    async for chunk in response.body_iterator:
        body += chunk if isinstance(chunk, bytes) else chunk.encode()
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return Response(body, response.status_code, headers)


def _incoming(request: Request, url: str, body: bytes, response: Response) -> Exchange:
    """A partner's request and this peer's answer, as the harness records its own exchanges
    (``incoming``: the partner's client made it)."""
    answer = getattr(response, "body", b"")
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else None
    made = Exchange(
        f"incoming {request.method} {request.url.path} #{next(_INCOMING)}",
        request.method,
        url,
        dict(request.headers.items()),
        body.decode("utf-8", "replace") if body else None,
        status=response.status_code,
        response_headers={k.lower(): v for k, v in response.headers.items()},
        body=text,
        text=text,
        incoming=True,
    )
    made.sent_at = time.monotonic()
    made.parsed, made.json_error = parse_body(text or "")
    return made


_INCOMING = itertools.count(1)


async def _finish(request: Request, response: Response, settings: MockSettings) -> Response:
    """Echo the unique ids (T-HDR-03/04), apply the header and body transport faults."""
    if not settings.has_fault("request-id-not-echoed"):
        for name in ("X-Request-ID", "X-Correlation-ID"):
            value = request.headers.get(name)
            if value is not None:
                response.headers[name] = value
    if settings.has_fault("wrong-content-type"):
        response.headers["content-type"] = "text/plain"
    if settings.has_fault("garbage-json"):
        body = getattr(response, "body", b"")
        if hasattr(response, "body_iterator"):
            body = b""
            async for chunk in response.body_iterator:
                body += chunk if isinstance(chunk, bytes) else chunk.encode()
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        return Response(body[: len(body) // 2], response.status_code, headers)
    return response


def _routing_headers(request: Request, settings: MockSettings, version: str) -> dict[str, str]:
    """2.2+ functional modules answer with the routing headers swapped (T-ROUTE-03)."""
    missing = settings.has_fault("routing-headers-missing")
    if missing or not version_profile(version).routing_headers:
        return {}
    if settings.has_fault("routing-headers-not-swapped") and request.headers.get(
        "OCPI-to-party-id"
    ):
        # The request's four headers sent back as they came
        return {k: v for k, v in request.headers.items() if k.lower().startswith("ocpi-")}
    headers = {
        "OCPI-from-country-code": settings.country_code,
        "OCPI-from-party-id": settings.party_id,
    }
    for ours, theirs in (
        ("to-country-code", "from-country-code"),
        ("to-party-id", "from-party-id"),
    ):
        value = request.headers.get(f"OCPI-{theirs}")
        if value:
            headers[f"OCPI-{ours}"] = value
    return headers


def _endpoints(settings: MockSettings, version: str, base: str) -> list[dict[str, str]]:
    """The endpoints of the version's details: credentials and what the roles offer."""
    prefix = f"{base}/ocpi/{version}"
    offered = []
    if "cpo" in settings.roles:
        offered += [("cdrs", "SENDER", f"{prefix}/cpo/cdrs"),
                    ("tariffs", "SENDER", f"{prefix}/cpo/tariffs")]  # fmt: skip
    if "emsp" in settings.roles:
        offered.append(("cdrs", "RECEIVER", f"{prefix}/emsp/cdrs"))
    if not version_profile(version).roles:
        # 2.1.1 endpoints have no role: one URL per module, the first role's.
        seen: dict[str, str] = {"credentials": f"{prefix}/credentials"}
        for module, _, url in offered:
            seen.setdefault(module, url)
        return [{"identifier": m, "url": u} for m, u in seen.items()]
    return [{"identifier": "credentials", "role": "SENDER", "url": f"{prefix}/credentials"}] + [
        {"identifier": m, "role": r, "url": u} for m, r, u in offered
    ]


# What the OpenAPI document says of bodies and answers (schemathesis generates requests from
# it and checks every answer against it).
_JSON_BODY: dict[str, Any] = {
    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}
}
ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status_code", "timestamp"],
    "properties": {
        "data": {},
        "status_code": {"type": "integer", "minimum": 1000, "maximum": 4999},
        "status_message": {"type": "string"},
        "timestamp": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T"},
    },
}


def _document(app: FastAPI, settings: MockSettings) -> None:
    """Every answer is the envelope; ``version`` takes the versions served."""
    schema = app.openapi()
    for path, path_item in schema.get("paths", {}).items():
        placeholders = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        for operation in path_item.values():
            named = {p.get("name") for p in operation.get("parameters", [])}
            operation.setdefault("parameters", []).extend(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in placeholders
                if name not in named
            )
            operation["responses"] = {
                "default": {
                    "description": "An OCPI envelope",
                    "content": {"application/json": {"schema": ENVELOPE_SCHEMA}},
                }
            }
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "version":
                    parameter["schema"] = {"type": "string", "enum": list(settings.versions)}
    app.openapi_schema = schema


def _base(request: Request) -> str:
    return own_base(request)


def _serve_role_first(request: Request) -> None:
    """Rewrite a role-first path (``/ocpi/cpo/2.3.0/cdrs``, the layout of the most used Python
    OCPI server library's tutorials) to this peer's version-first one (``/ocpi/2.3.0/cpo/
    cdrs``), raw path too (received CDRs are found by it), keeping the path asked for the
    messages."""
    path = request.scope["path"]
    rewritten = version_first(path)
    if rewritten == path:
        return
    request.scope["ocpi.asked_path"] = path
    request.scope["path"] = rewritten
    raw = request.scope.get("raw_path")
    if raw:
        request.scope["raw_path"] = version_first(raw.decode("latin-1")).encode("latin-1")


def _module_urls(settings: MockSettings, base: str) -> str:
    """This peer's versions URL and module URLs, in a sentence."""
    urls = [f"versions {base}/ocpi/versions"]
    for version in settings.versions:
        if "cpo" in settings.roles:
            urls.append(f"{version} CDR list (GET) {base}/ocpi/{version}/cpo/cdrs")
        if "emsp" in settings.roles:
            urls.append(f"{version} CDR receiver (POST) {base}/ocpi/{version}/emsp/cdrs")
    return "This peer serves: " + "; ".join(urls) + " (also as /ocpi/{cpo|emsp}/{version}/...)"


def _where_to(settings: MockSettings, path: str, base: str) -> str:
    """What a lost request should have asked for."""
    parts = path.strip("/").split("/")
    if len(parts) > 4 and parts[:1] == ["ocpi"] and parts[2:4] == ["cpo", "cdrs"]:
        version = parts[1]
        return (
            "OCPI has no URL for one CDR on a CPO's sender interface (C-025): list them with "
            f"GET {base}/ocpi/{version}/cpo/cdrs (date_from, date_to, offset, limit); a CDR "
            "pushed to an eMSP is read at the Location its POST was answered with. "
            + _module_urls(settings, base)
        )
    return _module_urls(settings, base)


def _not_here(settings: MockSettings, method: str, path: str, base: str) -> str:
    """The 405 message: what the method does not do here, and where it goes instead."""
    parts = path.strip("/").split("/")
    version = parts[1] if len(parts) > 1 else settings.versions[-1]
    receiver = f"{base}/ocpi/{version}/emsp/cdrs"
    if path.endswith("/cpo/cdrs") and method in ("POST", "PUT"):
        where = (
            f"POST {receiver}"
            if "emsp" in settings.roles
            else "the eMSP's receiver (this peer plays no eMSP: start it with --role emsp)"
        )
        return (
            f"{method} on the CPO's CDR list: CDRs are pushed to the eMSP's receiver, not to "
            f"the CPO's sender: {where} (C-024)"
        )
    if "/emsp/cdrs/" in path and method == "POST":
        return (
            f"a CDR is POSTed to the receiver's endpoint URL {receiver}, not to an id URL "
            "(C-024); a CDR once stored cannot be replaced (C-005)"
        )
    if "/emsp/cdrs" in path and method in ("PUT", "PATCH", "DELETE"):
        return "CDRs cannot be replaced, updated or deleted (C-005, T-CDR-04)"
    if path.endswith("/emsp/cdrs") and method == "GET":
        return (
            "the receiver's endpoint takes POSTs of CDRs; a stored CDR is read at the Location "
            "its POST was answered with (C-025)"
        )
    return f"method not allowed here: {method} {path}"


def _add_routes(app: FastAPI, settings: MockSettings, store: Store, workers: CpuWorkers) -> None:
    versions = settings.versions

    def unsupported(version: str) -> Response:
        return error(
            settings, 404, 3002, f"unsupported version {version}; this peer speaks "
            f"{', '.join(versions)}"
        )  # fmt: skip

    @app.get("/ocpi/versions")
    async def get_versions(request: Request) -> Response:
        denied = authorize(request, settings, None, store, config=True)
        if denied and not settings.has_fault("versions-open"):
            return denied
        data = [{"version": v, "url": f"{_base(request)}/ocpi/{v}"} for v in versions]
        return respond(settings, data)

    @app.get("/ocpi/{version}")
    async def get_details(version: str, request: Request) -> Response:
        if version not in versions:
            return unsupported(version)
        denied = authorize(request, settings, version, store, config=True)
        if denied and not settings.has_fault("versions-open"):
            return denied
        data = {"version": version, "endpoints": _endpoints(settings, version, _base(request))}
        return respond(settings, data)

    # Handlers are coroutines on the event loop (SQLite calls are short, and a mock need not
    # scale across cores); only what can take long, validating a pushed CDR, goes to a worker.
    @app.get("/ocpi/{version}/cpo/{module}")
    async def get_list(
        version: str,
        module: str,
        request: Request,
        offset: str | None = None,
        limit: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Response:
        if version not in versions:
            return unsupported(version)
        if module not in ("cdrs", "tariffs") or "cpo" not in settings.roles:
            return error(settings, 404, 2000, f"no such module: {module}")
        denied = authorize(request, settings, version, store)
        if denied:
            return denied
        table = "sent_cdrs" if module == "cdrs" else "tariffs"
        return list_response(
            request, settings, store, table, version, _routing_headers(request, settings, version)
        )

    async def credentials(request: Request) -> Response:
        version = request.path_params["version"]
        if version not in versions:
            return unsupported(version)
        return await credentials_module.handle(
            request, settings, store, version, app.state.client_factory
        )

    for method in ("GET", "POST", "PUT", "DELETE"):
        app.add_api_route(
            "/ocpi/{version}/credentials",
            credentials,
            methods=[method],
            operation_id=f"credentials_{method.lower()}",
            openapi_extra=_JSON_BODY if method in ("POST", "PUT") else None,
        )

    @app.post("/ocpi/{version}/emsp/cdrs", openapi_extra=_JSON_BODY)
    async def post_cdr(version: str, request: Request) -> Response:
        if version not in versions or "emsp" not in settings.roles:
            return unsupported(version) if version not in versions else _no_receiver()
        denied = authorize(request, settings, version, store)
        if denied:
            return denied
        return await _receive(request, settings, store, version, workers)

    def _no_receiver() -> Response:
        return error(settings, 404, 2000, "this peer does not play the eMSP (CDR receiver)")

    async def get_received(request: Request) -> Response:
        version = request.path_params["version"]
        if version not in versions or "emsp" not in settings.roles:
            return unsupported(version) if version not in versions else _no_receiver()
        denied = authorize(request, settings, version, store)
        if denied:
            return denied
        key = _received_key(request, version)
        if key is None:
            form = (
                ".../cdrs/{country_code}/{party_id}/{id}"
                if version_profile(version).party_scoped_ids
                else ".../cdrs/{id} (2.1.1 CDRs have no country_code or party_id)"
            )
            return error(settings, 404, 2000, f"no such CDR URL: the form is {form}")
        body = store.get_received(version, key)
        if body is None:
            return error(settings, 404, 2000, f"no CDR {'/'.join(k for k in key if k)} received")
        return respond(
            settings, raw_data=body, headers=_routing_headers(request, settings, version)
        )

    # One route for every received-CDR URL: the key is read from the raw path, so that ids
    # with '/', '%' or '?' (printable, hence legal) work once percent-encoded.
    path = "/ocpi/{version}/emsp/cdrs/{rest:path}"
    app.add_api_route(path, get_received, methods=["GET"], operation_id="received_cdr_get")
    # PUT, PATCH and DELETE are not offered (C-005): the router answers 405 with Allow.


async def _receive(
    request: Request, settings: MockSettings, store: Store, version: str, workers: CpuWorkers
) -> Response:
    """POST of a CDR: validated with the version's models and checks (the cost oracle among
    them), stored atomically, answered with 201 and a Location (T-CDR-01/02). Validation runs
    off the event loop, bounded by ``validation_timeout``: a CDR that takes long to price
    delays no other request."""
    read = await read_json_body(request, settings)
    if isinstance(read, Response):
        return read
    text, parsed = read
    if not isinstance(parsed, dict):
        return error(settings, 200, 2001, "the body must be one CDR object")
    if not settings.has_fault("store-invalid"):
        try:
            problems = await workers.run(
                lambda: _errors(text, version), settings.validation_timeout
            )
        except WorkTimeout:
            return error(
                settings, 503, 3000, f"the CDR could not be validated within "
                f"{settings.validation_timeout:g} s (its cost check re-prices each charging "
                "period against each tariff element); nothing was stored"
            )  # fmt: skip
        if problems:
            listed = "; ".join(f"{f.requirement} {f.path}: {f.message}" for f in problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            if settings.has_fault("invalid-refused-without-envelope"):
                # What a web framework's own validation answers: its JSON, no OCPI envelope
                detail = [{"loc": ["body", f.path], "msg": f.message} for f in problems[:3]]
                return JSONResponse({"detail": detail}, status_code=422)
            return error(settings, 200, 2001, f"invalid CDR: {listed}{more}")
    key = _cdr_key(parsed, version)
    if not key[2] or (version_profile(version).party_scoped_ids and not all(key)):
        # An empty id would be stored under a Location that names nothing (C-001: the id
        # identifies the CDR); refused whatever a fault lets through, nothing stored.
        return error(
            settings, 200, 2001, "invalid CDR: id (and country_code, party_id) must not be empty"
        )
    try:
        store.add_received(version, text, key)
    except DuplicateCdr:
        if not settings.has_fault("duplicate-overwrites"):
            return error(
                settings, 200, 2000, f"CDR {'/'.join(k for k in key if k)} is already stored; "
                "CDRs are immutable (C-005): send a credit CDR with a new id (C-006)"
            )  # fmt: skip
        store.replace_received(version, text, key)
    headers = {}
    if not settings.has_fault("no-location-header"):
        path = "/".join(_segment(k) for k in key if k)
        headers["Location"] = f"{own_base(request)}/ocpi/{version}/emsp/cdrs/{path}"
    headers.update(_routing_headers(request, settings, version))
    return respond(settings, None, 1000, "Success", 201, headers)


def _segment(value: str) -> str:
    """A URL path segment for any printable id: percent-encoded, dots too where a client
    would otherwise collapse them."""
    encoded = quote(value, safe="")
    return encoded.replace(".", "%2E") if set(value) <= {"."} else encoded


def _errors(text: str, version: str) -> list[Finding]:
    """The error-level findings of a CDR's JSON text."""
    return [f for f in check_object(text, version, "cdr") if f.level is Level.ERROR]


def _received_key(request: Request, version: str) -> tuple[str, str, str] | None:
    """The key in a received CDR's URL, None if the URL names none. The raw path is decoded
    segment by segment, so that an id may hold '/' or '%' (percent-encoded), and so that a fixed
    segment spelled with percent-escapes (``cdr%73``) is the segment it spells (RFC 3986
    §6.2.2.2); an encoded '/' in a fixed segment (``emsp%2Fcdrs``) separates nothing."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
    segments = [unquote(s) for s in raw.decode("latin-1").split("?")[0].split("/")]
    if segments[:5] != ["", "ocpi", version, "emsp", "cdrs"]:
        return None
    parts = segments[5:]
    if not version_profile(version).party_scoped_ids:
        return ("", "", parts[0]) if len(parts) == 1 else None
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def _cdr_key(cdr: dict[str, Any], version: str) -> tuple[str, str, str]:
    cdr_id = str(cdr.get("id", ""))
    if not version_profile(version).party_scoped_ids:
        return ("", "", cdr_id)
    return (str(cdr.get("country_code", "")), str(cdr.get("party_id", "")), cdr_id)
