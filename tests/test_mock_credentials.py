"""The mock's credentials module: the registration handshake as server (with its calls back
to the partner), token rotation and unregistration, and the handshake between two mocks."""

from __future__ import annotations

import base64
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from harness.mock import MockSettings, create_app
from harness.mock.credentials import credentials_object
from harness.mock.transport import SyncASGITransport
from tests.mock_helpers import free_port, wait_for_port

TOKEN_A = "token-a"
TOKEN_B = "token-b"


def _header(token: str, version: str = "2.2.1") -> dict[str, str]:
    value = token if version == "2.1.1" else base64.b64encode(token.encode()).decode()
    return {"Authorization": f"Token {value}"}


@contextmanager
def server_and_partner(
    version: str = "2.2.1", partner: dict[str, Any] | None = None
) -> Iterator[httpx.Client]:
    """A mock CPO whose calls back to the partner go to an in-process partner mock that
    accepts TOKEN_B."""
    partner_app = create_app(
        MockSettings(token=TOKEN_B, versions=(version,), roles=("emsp",), **(partner or {}))
    )
    app = create_app(
        MockSettings(token=TOKEN_A, versions=(version,), cdrs=3),
        outbound=httpx.ASGITransport(app=partner_app),
    )
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://cpo") as client:
        yield client


def _theirs(token: str = TOKEN_B, version: str = "2.2.1") -> dict[str, Any]:
    """A partner's Credentials object of ``version`` (T-CRED-06)."""
    return credentials_object(
        MockSettings(versions=(version,), roles=("emsp",)), version, token,
        "http://partner/ocpi/versions",
    )  # fmt: skip


def _register(client: httpx.Client, token: str, body_token: str = TOKEN_B) -> httpx.Response:
    return client.post("/ocpi/2.2.1/credentials", headers=_header(token), json=_theirs(body_token))


def test_registration_issues_token_c_and_retires_token_a() -> None:
    with server_and_partner() as client:
        # Before: TOKEN_A opens everything (partners may skip the handshake)
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(TOKEN_A)).status_code == 200
        # When the partner registers with TOKEN_A and its TOKEN_B
        response = _register(client, TOKEN_A)
        body = response.json()
        assert body["status_code"] == 1000, body
        token_c = body["data"]["token"]
        assert token_c not in (TOKEN_A, TOKEN_B)
        assert len(token_c) <= 64
        assert body["data"]["url"] == "http://cpo/ocpi/versions"
        assert body["data"]["roles"][0]["role"] == "CPO"
        # Then TOKEN_C works everywhere, TOKEN_A only on configuration modules (T-AUTH-05)
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(token_c)).status_code == 200
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(TOKEN_A)).status_code == 401
        assert client.get("/ocpi/versions", headers=_header(TOKEN_A)).status_code == 200
        # And a second POST with TOKEN_C is refused: already registered (T-CRED-02)
        assert _register(client, token_c).status_code == 405


def test_put_rotates_the_token_and_delete_unregisters() -> None:
    with server_and_partner() as client:
        token_c = _register(client, TOKEN_A).json()["data"]["token"]
        rotated = client.put(
            "/ocpi/2.2.1/credentials",
            headers=_header(token_c),
            json=_theirs(),
        )
        new_c = rotated.json()["data"]["token"]
        assert new_c != token_c
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(token_c)).status_code == 401
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(new_c)).status_code == 200
        fetched = client.get("/ocpi/2.2.1/credentials", headers=_header(new_c)).json()["data"]
        assert fetched["token"] == new_c
        assert client.delete("/ocpi/2.2.1/credentials", headers=_header(new_c)).status_code == 200
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(new_c)).status_code == 401
        # PUT or DELETE by a party that is not registered: 405 (T-CRED-03/04)
        assert (
            client.put(
                "/ocpi/2.2.1/credentials",
                headers=_header(TOKEN_A),
                json=_theirs(),
            ).status_code
            == 405
        )
        assert client.delete("/ocpi/2.2.1/credentials", headers=_header(TOKEN_A)).status_code == 405


@pytest.mark.parametrize(
    ("partner", "code"),
    [
        ({"faults": frozenset({"server-error"})}, 3001),  # its versions endpoint fails
        ({"token": "not-b"}, 3001),  # it refuses TOKEN_B
        ({"versions": ("2.3.0",)}, 3002),  # it does not speak 2.2.1
    ],
)
def test_a_partner_whose_api_cannot_be_used_gets_3001_or_3002(
    partner: dict[str, Any], code: int
) -> None:
    partner_app = create_app(MockSettings(roles=("emsp",), **{"token": TOKEN_B, **partner}))
    app = create_app(MockSettings(token=TOKEN_A), outbound=httpx.ASGITransport(app=partner_app))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://cpo") as client:
        body = _register(client, TOKEN_A).json()
        assert body["status_code"] == code, body
        # Nothing changed: TOKEN_A still opens the functional modules
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(TOKEN_A)).status_code == 200


@pytest.mark.parametrize(
    "body", [b"{broken", b"[]", b'{"token": "", "url": "http://x"}', b'{"token": "t"}']
)
def test_bad_credentials_bodies_get_an_error_envelope(body: bytes) -> None:
    with server_and_partner() as client:
        response = client.post(
            "/ocpi/2.2.1/credentials",
            headers={**_header(TOKEN_A), "Content-Type": "application/json"},
            content=body,
        )
        assert response.json()["status_code"] in (2000, 2001)
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(TOKEN_A)).status_code == 200


def test_2_1_1_credentials_have_the_2_1_1_shape() -> None:
    with server_and_partner("2.1.1") as client:
        body = _theirs(version="2.1.1")
        data = client.post(
            "/ocpi/2.1.1/credentials", headers=_header(TOKEN_A, "2.1.1"), json=body
        ).json()["data"]
        assert set(data) == {"token", "url", "business_details", "party_id", "country_code"}


@pytest.mark.slow
def test_two_mocks_register_over_loopback() -> None:
    # Given a CPO mock and an eMSP mock told to register with it, as two processes
    cpo_port, emsp_port = free_port(), free_port()
    cpo = _start(["--role", "cpo", "--port", str(cpo_port), "--token", TOKEN_A, "--cdrs", "3"])
    wait_for_port(cpo_port)
    versions_url = f"http://127.0.0.1:{cpo_port}/ocpi/versions"
    emsp = _start(
        ["--role", "emsp", "--port", str(emsp_port), "--token", "emsp-own",
         "--register", versions_url, "--register-token", TOKEN_A]
    )  # fmt: skip
    try:
        # When the eMSP has run the handshake (the CPO called its versions back with TOKEN_B)
        assert emsp.stdout is not None
        lines = [emsp.stdout.readline() for _ in range(3)]
        assert any("registered with" in line for line in lines), lines
        # Then the CPO has retired TOKEN_A from its functional modules
        with httpx.Client(base_url=f"http://127.0.0.1:{cpo_port}", timeout=5) as client:
            assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=_header(TOKEN_A)).status_code == 401
            assert client.get("/ocpi/versions", headers=_header(TOKEN_A)).status_code == 200
    finally:
        for process in (emsp, cpo):
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=15)


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-u", "-m", "harness.mock.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    "answer",
    [b"<html>not json</html>", b"[1, 2]", b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"],
)
def test_registering_with_a_partner_that_answers_garbage_is_a_partner_error(
    answer: bytes,
) -> None:
    import asyncio

    from harness.mock.credentials import PartnerError, register_with
    from harness.mock.store import Store

    versions = {"data": [{"version": "2.2.1", "url": "http://partner/2.2.1"}], "status_code": 1000}
    details = {
        "data": {
            "version": "2.2.1",
            "endpoints": [
                {"identifier": "credentials", "role": "RECEIVER", "url": "http://partner/creds"}
            ],
        },
        "status_code": 1000,
    }

    def partner(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/versions":
            return httpx.Response(200, json=versions)
        if request.url.path == "/2.2.1":
            return httpx.Response(200, json=details)
        return httpx.Response(200, content=answer, headers={"content-type": "application/json"})

    async def attempt() -> None:
        transport = httpx.MockTransport(partner)
        async with httpx.AsyncClient(transport=transport) as client:
            settings = MockSettings(token=TOKEN_A)
            await register_with(
                "http://partner/versions", TOKEN_A, "2.2.1", settings, Store(":memory:"),
                "http://me/ocpi/versions", client,
            )  # fmt: skip

    with pytest.raises(PartnerError, match="refused the registration"):
        asyncio.run(attempt())
