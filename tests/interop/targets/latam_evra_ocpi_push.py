"""Lab trigger for latam-evra-ocpi's client: the SDK pushes CDRs to the harness's receiver.

Run by the lab virtualenv's python as the push suite's ``--ocpi-trigger`` (never imported by
the harness's tests): ``python latam_evra_ocpi_push.py CDRS.jsonl [COUNT]``. The receiver comes
from the environment the harness sets: ``OCPI_RECEIVER_VERSIONS_URL``, ``OCPI_RECEIVER_TOKEN``,
``OCPI_VERSION`` (2.3.0, the one version the SDK is for).

The SDK (``latam_evra_ocpi.OcpiClient``, async, httpx and pydantic 2) is the client of one OCPI
2.3.0 hub: every call is a fixed path below one ``base_url`` (``{base_url}/cdrs/...``,
``{base_url}/details``); it does not follow the endpoint URLs a partner publishes. Its CDR push
is ``post_cdr(token_b, country_code, party_id, cdr_id, body: CdrInput)``: a POST to
``{base_url}/cdrs/{country_code}/{party_id}/{cdr_id}`` with ``model_dump(exclude_none=True,
mode="json")`` and ``Authorization: Token {token_b}``, ``token_b`` being the credentials token
as its README shows it (``token_b = credentials.token``). The wrapper gives it the
``base_url`` under which ``{base_url}/cdrs`` is the receiver's endpoint (read from the version
details), the receiver's token as ``token_b``, and each CDR as the SDK's ``CdrInput``. That
model's money (``CostAmount``) is ``{excl_vat, incl_vat}``, the 2.2.1 Price, where a 2.3.0 CDR
has ``{before_taxes, taxes}``: a user of the SDK converts, and so does the wrapper
(``excl_vat`` = ``before_taxes``, ``incl_vat`` = ``before_taxes`` plus the taxes).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import httpx
from latam_evra_ocpi import OcpiClient, OcpiError
from latam_evra_ocpi.models.cdrs import CdrInput

VERSION = os.environ["OCPI_VERSION"]
TOKEN = os.environ["OCPI_RECEIVER_TOKEN"]


def _cost(price: dict[str, Any]) -> dict[str, float]:
    """A 2.3.0 Price as the SDK's CostAmount (the only money it models)."""
    taxes = sum(float(tax["amount"]) for tax in price.get("taxes") or [])
    before = float(price["before_taxes"])
    return {"excl_vat": before, "incl_vat": round(before + taxes, 4)}


def _as_sdk_cdr(cdr: dict[str, Any]) -> CdrInput:
    """The SDK's CdrInput from a generated 2.3.0 CDR (fields it does not model are left out,
    by pydantic's default for unknown fields)."""
    money = {k: _cost(v) for k, v in cdr.items() if k.startswith("total_") and isinstance(v, dict)}
    return CdrInput.model_validate({**cdr, **money})


async def _cdrs_endpoint(http: httpx.AsyncClient) -> str:
    """The receiver's cdrs endpoint (the SDK reads only its own hub's fixed paths: the
    wrapper reads the versions and details as any client would, token in Base64)."""
    import base64

    auth = {"Authorization": "Token " + base64.b64encode(TOKEN.encode()).decode()}
    versions = (await http.get(os.environ["OCPI_RECEIVER_VERSIONS_URL"], headers=auth)).json()
    url = next(v["url"] for v in versions["data"] if v["version"] == VERSION)
    details = (await http.get(url, headers=auth)).json()
    return next(e["url"] for e in details["data"]["endpoints"] if e["identifier"] == "cdrs")


async def _push(cdrs: list[dict[str, Any]]) -> int:
    async with httpx.AsyncClient() as http:
        endpoint = (await _cdrs_endpoint(http)).rstrip("/")
    if not endpoint.endswith("/cdrs"):
        raise SystemExit(f"the SDK POSTs below {{base_url}}/cdrs: it cannot reach {endpoint}")
    failed = 0
    async with OcpiClient(base_url=endpoint[: -len("/cdrs")]) as client:
        for cdr in cdrs:
            body = _as_sdk_cdr(cdr)
            try:
                await client.post_cdr(TOKEN, cdr["country_code"], cdr["party_id"], cdr["id"], body)
                print(f"{cdr['id']}: accepted")
            except OcpiError as error:  # the SDK raises on any status but 1000
                print(f"{cdr['id']}: HTTP {error.http_status}, {error}")
                failed += 1
    return failed


def main() -> int:
    path, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path, encoding="utf-8") as lines:
        cdrs = [json.loads(line) for line in lines if line.strip()][:count]
    return 1 if asyncio.run(_push(cdrs)) else 0


if __name__ == "__main__":
    sys.exit(main())
