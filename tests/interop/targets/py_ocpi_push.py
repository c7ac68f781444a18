"""Lab trigger for py-ocpi 0.3.1's client: the library pushes CDRs to the harness's receiver.

Run by the lab virtualenv's python as the push suite's ``--ocpi-trigger`` (never imported by
the harness's tests): ``python py_ocpi_push.py CDRS.jsonl [COUNT]``. The receiver comes from
the environment the harness sets: ``OCPI_RECEIVER_VERSIONS_URL``, ``OCPI_RECEIVER_TOKEN``,
``OCPI_VERSION`` (2.2.1: the library has models for no other version).

The library's push is ``py_ocpi.core.push.push_object`` (what its ``/push/{version}`` route,
``get_application(http_push=True)``, calls): for each receiver it GETs the receiver's version
details (``Receiver.endpoints_url``), picks the cdrs RECEIVER endpoint, reads the CDR through
the user's ``Crud``, builds it as the library's ``Cdr`` through the user's ``Adapter`` (as in
``py_ocpi_app.py``) and POSTs ``model.dict()`` with its own ``Authorization`` header. The one
step it leaves to its user is where ``endpoints_url`` comes from: the wrapper reads it from the
versions URL, with the token Base64-encoded as the library encodes it.

What the library does with a receiver that follows the spec is the verdict: it reads the
version details' ``data`` as a list (``data[0]['endpoints']``), so it raises before it POSTs
(tests/interop/NOTES.md, "Real clients"); the wrapper says so and exits 1.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import traceback
from typing import Any

import httpx
from py_ocpi.core.adapter import Adapter
from py_ocpi.core.crud import Crud
from py_ocpi.core.enums import ModuleID, RoleEnum
from py_ocpi.core.push import push_object
from py_ocpi.core.schemas import Push, Receiver
from py_ocpi.core.utils import encode_string_base64
from py_ocpi.modules.cdrs.v_2_2_1.schemas import Cdr
from py_ocpi.modules.versions.enums import VersionNumber

VERSION = VersionNumber(os.environ["OCPI_VERSION"])
TOKEN = os.environ["OCPI_RECEIVER_TOKEN"]
STORE: dict[str, dict[str, Any]] = {}


class LabCrud(Crud):
    """The store the CDRs are read from when the library pushes one (by id)."""

    @classmethod
    async def get(
        cls, module: ModuleID, role: RoleEnum, id: Any, *args: Any, **kwargs: Any
    ) -> dict[str, Any]:
        return STORE[str(id)]


class LabAdapter(Adapter):
    """Store rows to the library's models, as its quickstart's ``Location(**data)``."""

    @classmethod
    def cdr_adapter(
        cls, data: dict[str, Any], version: VersionNumber = VersionNumber.latest
    ) -> Cdr:
        return Cdr(**data)


def _details_url() -> str:
    """The receiver's version details URL, from its versions list (the token as the library
    sends it: always Base64, ``py_ocpi/core/push.py`` ``push_object``)."""
    answer = httpx.get(
        os.environ["OCPI_RECEIVER_VERSIONS_URL"],
        headers={"Authorization": f"Token {encode_string_base64(TOKEN)}"},
    )
    for entry in answer.json()["data"]:
        if entry["version"] == VERSION.value:
            return str(entry["url"])
    raise SystemExit(f"the receiver does not offer OCPI {VERSION.value}: {answer.text}")


async def _push(count: int) -> int:
    receiver = Receiver(endpoints_url=_details_url(), auth_token=TOKEN)
    failed = 0
    for cdr_id in list(STORE)[:count]:
        push = Push(module_id=ModuleID.cdrs, object_id=cdr_id, receivers=[receiver])
        try:
            result = await push_object(VERSION, push, LabCrud, LabAdapter)
        except Exception:  # the library's own failure is the finding: say it, go on
            print(f"{cdr_id}: the library's push_object raised:\n{traceback.format_exc()}")
            failed += 1
            continue
        for answer in result.receiver_responses:
            print(f"{cdr_id}: HTTP {answer.status_code}")
            failed += answer.status_code >= 300
    return failed


def main() -> int:
    path, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                cdr = json.loads(line)
                STORE[str(cdr["id"])] = cdr
    return 1 if asyncio.run(_push(count)) else 0


if __name__ == "__main__":
    sys.exit(main())
