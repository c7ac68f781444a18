"""Property-based run of schemathesis against the mock's own OpenAPI document: whatever the
generated request, the mock answers without a 500 and with the documented envelope."""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    unsupported_method,
)

from harness.mock import MockSettings, create_app
from harness.mock.transport import SyncASGITransport
from tests.mock_helpers import TOKEN, auth

APP = create_app(
    MockSettings(token=TOKEN, versions=("2.1.1", "2.2.1"), roles=("cpo", "emsp"), cdrs=20)
)
SCHEMA = schemathesis.openapi.from_dict(APP.openapi())
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    unsupported_method,
    allow_header_conformance,
]
CLIENT = httpx.Client(transport=SyncASGITransport(APP), base_url="http://mock", timeout=10)


def _send(case: Any, headers: dict[str, str]) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url="http://mock", headers=headers)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        body["content"] = kwargs["data"]
    return CLIENT.request(
        kwargs["method"],
        kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        **body,
    )


@SCHEMA.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_gets_a_500_or_breaks_the_envelope(case: Any) -> None:
    # With a valid token (most requests reach the handlers) and with none (the auth layer)
    for headers in (auth("2.1.1" if "2.1.1" in str(case.path_parameters) else "2.2.1"), {}):
        response = _send(case, headers)
        assert response.status_code < 500, response.text[:300]
        body = response.json()
        assert isinstance(body["status_code"], int)
        # The document says "any JSON object" for bodies: whether the mock accepts one is a
        # matter of the OCPI rules, not of the document, so the data-acceptance checks are out.
        case.validate_response(response, checks=CHECKS)
