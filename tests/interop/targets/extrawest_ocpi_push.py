"""Lab trigger for extrawest-ocpi's client: the library pushes CDRs to the harness's receiver.

Run by the lab virtualenv's python as the push suite's ``--ocpi-trigger`` (never imported by
the harness's tests): ``python extrawest_ocpi_push.py CDRS.jsonl [COUNT]``. The receiver comes
from the environment the harness sets: ``OCPI_RECEIVER_VERSIONS_URL``,
``OCPI_RECEIVER_TOKEN``, ``OCPI_VERSION``.

The library's push is ``py_ocpi.core.push.push_object`` (what its ``/push/{version}`` route,
``get_application(http_push=True)``, calls): for each receiver it GETs the receiver's version
details (``Receiver.endpoints_url``), picks the cdrs endpoint, reads the CDR through the user's
``Crud``, builds it as the library's ``Cdr`` model through the ``Adapter`` (its own
``BaseAdapter``, the default of ``get_application``) and POSTs ``model.dict()`` with its own
``Authorization`` header, nothing else of ours. The one step the library leaves to its user is
where ``endpoints_url`` comes from (its credentials handler stores it at registration): the
wrapper reads it from the versions URL with the token encoded as the library encodes it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import httpx
from py_ocpi.core.adapter import BaseAdapter
from py_ocpi.core.crud import Crud
from py_ocpi.core.enums import ModuleID, RoleEnum
from py_ocpi.core.push import push_object
from py_ocpi.core.schemas import Push, Receiver
from py_ocpi.core.utils import encode_string_base64
from py_ocpi.modules.versions.enums import VersionNumber

VERSION = VersionNumber(os.environ["OCPI_VERSION"])
TOKEN = os.environ["OCPI_RECEIVER_TOKEN"]
STORE: dict[str, dict[str, Any]] = {}


def _as_library_cdr(cdr: dict[str, Any]) -> dict[str, Any]:
    """As in ``extrawest_ocpi_app.py``: the library's 2.1.1 model wants the end time as
    ``end_date_time`` (the spec's ``stop_date_time``), so a user stores it that way."""
    if VERSION is VersionNumber.v_2_1_1 and "stop_date_time" in cdr:
        cdr = {**cdr, "end_date_time": cdr["stop_date_time"]}
    return cdr


class LabCrud(Crud):
    """The store the CDRs are read from when the library pushes one (by id)."""

    @classmethod
    async def get(cls, module: ModuleID, role: RoleEnum, id: Any, *args: Any, **kwargs: Any):
        return STORE[str(id)]


def _details_url() -> str:
    """The receiver's version details URL, from its versions list (the library's own rule for
    the token: raw in 2.1.x, Base64 from 2.2, ``py_ocpi/core/push.py`` ``push_object``)."""
    raw = VERSION.value.startswith(("2.0", "2.1"))
    token = TOKEN if raw else encode_string_base64(TOKEN)
    answer = httpx.get(
        os.environ["OCPI_RECEIVER_VERSIONS_URL"], headers={"Authorization": f"Token {token}"}
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
        result = await push_object(VERSION, push, LabCrud, BaseAdapter)
        for answer in result.receiver_responses:
            print(f"{cdr_id}: HTTP {answer.status_code}")
            failed += answer.status_code >= 300
    return failed


def main() -> int:
    path, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                cdr = _as_library_cdr(json.loads(line))
                STORE[str(cdr["id"])] = cdr
    return 1 if asyncio.run(_push(count)) else 0


if __name__ == "__main__":
    sys.exit(main())
