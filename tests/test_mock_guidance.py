"""A mock that tells a lost user where to go (issue 17, item 6): the URL layout of the most used
Python OCPI server library's CDR tutorial works, and what does not exist in OCPI is answered
with the URL to use; the credentials endpoint says what is wrong with a token or a body."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from harness.generate import generate
from harness.mock.auth import encoded
from harness.mock.credentials import credentials_object
from harness.mock.settings import MockSettings
from tests.mock_helpers import TOKEN, auth, mock_client, running_mock

V = "2.3.0"


def _cdr() -> dict[str, Any]:
    return next(generate("cdr", V, 1, seed="guidance"))


def _message(answer: Any) -> str:
    return str(answer.json()["status_message"])


def test_the_tutorials_three_calls_are_answered_with_data_or_the_right_url() -> None:
    with mock_client(versions=(V,), roles=("cpo", "emsp"), cdrs=5) as client:
        # POST /ocpi/cpo/2.3.0/cdrs: CDRs are pushed to the eMSP's receiver, whose URL is named
        pushed = client.post(f"/ocpi/cpo/{V}/cdrs", headers=auth(V), json=_cdr())
        assert pushed.status_code == 405
        assert f"POST http://mock/ocpi/{V}/emsp/cdrs" in _message(pushed)
        # GET /ocpi/cpo/2.3.0/cdrs/DK/ABC/CDR001: no such URL in OCPI; the list URL is named
        one = client.get(f"/ocpi/cpo/{V}/cdrs/DK/ABC/CDR001", headers=auth(V))
        assert one.status_code == 404
        assert "OCPI has no URL for one CDR on a CPO's sender interface (C-025)" in _message(one)
        assert f"GET http://mock/ocpi/{V}/cpo/cdrs" in _message(one)
        # GET /ocpi/cpo/2.3.0/cdrs/?date_from=...: the list, filtered
        listed = client.get(
            f"/ocpi/cpo/{V}/cdrs/", headers=auth(V), params={"date_from": "2024-01-01T00:00:00Z"}
        )
        assert listed.status_code == 200
        assert len(listed.json()["data"]) == 5


def test_the_role_first_layout_serves_the_receiver_and_what_it_stored() -> None:
    with mock_client(versions=(V,), roles=("emsp",)) as client:
        cdr = _cdr()
        taken = client.post(f"/ocpi/emsp/{V}/cdrs", headers=auth(V), json=cdr)
        assert taken.status_code == 201, taken.json()
        where = taken.headers["Location"]
        stored = client.get(where.replace("http://mock", ""), headers=auth(V))
        assert stored.json()["data"]["id"] == cdr["id"]
        # And the same CDR read in the role-first layout
        role_first = where.replace(f"/ocpi/{V}/emsp/", f"/ocpi/emsp/{V}/")
        assert client.get(role_first.replace("http://mock", ""), headers=auth(V)).status_code == 200
        # A POST to an id URL names the endpoint URL
        again = client.post(where.replace("http://mock", ""), headers=auth(V), json=cdr)
        assert again.status_code == 405
        assert f"POSTed to the receiver's endpoint URL http://mock/ocpi/{V}/emsp/cdrs" in _message(
            again
        )


def test_an_unknown_path_names_the_versions_and_module_urls() -> None:
    with mock_client(versions=(V,), roles=("cpo", "emsp")) as client:
        lost = client.get("/cdrs", headers=auth(V))
    assert lost.status_code == 404
    said = _message(lost)
    assert "no such path: /cdrs" in said
    assert "versions http://mock/ocpi/versions" in said
    assert f"{V} CDR list (GET) http://mock/ocpi/{V}/cpo/cdrs" in said
    assert f"{V} CDR receiver (POST) http://mock/ocpi/{V}/emsp/cdrs" in said


def test_a_2_1_1_cdr_url_is_named_in_the_2_1_1_form() -> None:
    with mock_client(versions=("2.1.1",), roles=("emsp",)) as client:
        wrong = client.get("/ocpi/2.1.1/emsp/cdrs/NL/ABC/X1", headers=auth("2.1.1"))
    assert wrong.status_code == 404
    assert ".../cdrs/{id} (2.1.1 CDRs have no country_code or party_id)" in _message(wrong)


def test_a_token_refused_says_what_to_send() -> None:
    with mock_client(versions=("2.2.1",), roles=("cpo",)) as client:
        raw = client.get("/ocpi/2.2.1/credentials", headers={"Authorization": f"Token {TOKEN}"})
        assert raw.status_code == 401
        assert "sends the token Base64-encoded" in _message(raw)
        unknown = client.get(
            "/ocpi/2.2.1/credentials", headers={"Authorization": f"Token {encoded('nobody')}"}
        )
        assert "its Base64 decodes to no token this peer issued" in _message(unknown)
        assert "expects" not in _message(unknown)
        # And the right token opens it
        assert client.get("/ocpi/2.2.1/credentials", headers=auth("2.2.1")).status_code == 200
    with mock_client(versions=("2.1.1",), roles=("cpo",)) as client:
        b64 = client.get(
            "/ocpi/2.1.1/cpo/cdrs", headers={"Authorization": f"Token {encoded(TOKEN)}"}
        )
        assert "sends the token as it is, not Base64-encoded" in _message(b64)


@pytest.mark.parametrize(
    ("version", "body", "said"),
    [
        (
            "2.1.1",
            {"token": "t" * 10, "url": "http://p/ocpi/versions", "roles": []},
            "'roles' is the 2.2 form",
        ),
        ("2.2.1", {"token": "t" * 10, "url": "http://p/ocpi/versions"}, "roles: Field required"),
        (
            "2.2.1",
            {"token": "t", "url": "http://p/v", "party_id": "ABC", "country_code": "NL"},
            "party_id beside token and url is the 2.1.1 form",
        ),
        (
            "2.3.0",
            {
                "token": "t" * 10,
                "url": "http://p/ocpi/versions",
                "roles": [
                    {
                        "role": "HUB",
                        "party_id": "HUB",
                        "country_code": "NL",
                        "business_details": {"name": "Hub"},
                    }
                ],
            },
            "role HUB is the 2.2.1 form",
        ),
    ],
)
def test_a_credentials_body_of_the_wrong_shape_is_refused_naming_the_fields(
    version: str, body: dict[str, Any], said: str
) -> None:
    with mock_client(versions=(version,), roles=("cpo",)) as client:
        answer = client.post(f"/ocpi/{version}/credentials", headers=auth(version), json=body)
        assert answer.json()["status_code"] == 2001
        assert f"not a {version} Credentials object" in _message(answer)
        assert said in _message(answer)
        # And a body of the right shape gets past the shape (to the partner's API, down here)
        right = credentials_object(MockSettings(versions=(version,)), version, "t" * 10,
                                   "http://127.0.0.1:9/ocpi/versions")  # fmt: skip
        taken = client.post(f"/ocpi/{version}/credentials", headers=auth(version), json=right)
        assert taken.json()["status_code"] == 3001
        assert "unable to use the client's API" in _message(taken)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_tutorials_curl_calls_against_ocpi_mock() -> None:
    with running_mock(["--version", V, "--role", "both"], TOKEN) as port:
        base = f"http://127.0.0.1:{port}"
        header = f"Authorization: Token {encoded(TOKEN)}"

        def curl(*args: str) -> str:
            return subprocess.run(
                ["curl", "-s", "-H", header, *args], capture_output=True, text=True, check=True
            ).stdout

        listed = curl(f"{base}/ocpi/cpo/{V}/cdrs/?date_from=2024-01-01T00:00:00Z")
        assert '"status_code":1000' in listed.replace(" ", "")
        one = curl(f"{base}/ocpi/cpo/{V}/cdrs/DK/ABC/CDR001")
        assert f"{base}/ocpi/{V}/cpo/cdrs" in one
        import json

        pushed = curl("-X", "POST", "-H", "Content-Type: application/json", "--data",
                      json.dumps(_cdr()), f"{base}/ocpi/cpo/{V}/cdrs")  # fmt: skip
        assert f"{base}/ocpi/{V}/emsp/cdrs" in pushed


def test_a_failed_registration_names_the_partners_ocpi_status() -> None:
    import asyncio

    import httpx

    from harness.mock.credentials import PartnerError, partner_endpoints

    def answer(request: httpx.Request) -> httpx.Response:
        body = {"status_code": 3000, "status_message": "backend down", "timestamp": "x"}
        return httpx.Response(200, json=body)

    async def attempt() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            await partner_endpoints(client, "http://partner/versions", "t", "2.2.1")

    with pytest.raises(PartnerError) as caught:
        asyncio.run(attempt())
    assert "answered OCPI status 3000: backend down" in str(caught.value)
    assert "HTTP 200" not in str(caught.value)
