"""Lab wrapper for extrawest-ocpi: the few lines its quickstart asks of a user.

Run by the lab virtualenv's python (pydantic 1, FastAPI 0.101), never imported by the
harness's tests. Configuration comes from the environment so one file serves every
version and role:

- ``LAB_VERSION`` (2.1.1 | 2.2.1), ``LAB_ROLE`` (cpo | emsp), ``LAB_TOKEN``;
- ``LAB_CDRS``: a JSON-lines file of CDRs to seed the store with (the CPO side);
- ``LAB_PORT``, ``LAB_CERT``, ``LAB_KEY``: where uvicorn serves TLS;
- ``OCPI_HOST`` / ``PROTOCOL``: read by the library's own settings at import time (it builds
  every endpoint, Link and Location URL from them).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any

import uvicorn
from py_ocpi import get_application
from py_ocpi.core.authentication.authenticator import Authenticator
from py_ocpi.core.crud import Crud
from py_ocpi.core.enums import ModuleID, RoleEnum
from py_ocpi.modules.versions.enums import VersionNumber

VERSION = VersionNumber(os.environ["LAB_VERSION"])
ROLE = RoleEnum.cpo if os.environ["LAB_ROLE"] == "cpo" else RoleEnum.emsp
TOKEN = os.environ["LAB_TOKEN"]

# The store a user would put behind the library's Crud: one dict per module, keyed by id,
# kept in insertion order (the order in which CDRs were created).
STORE: dict[str, dict[str, dict[str, Any]]] = {"cdrs": {}}


def _as_library_cdr(cdr: dict[str, Any]) -> dict[str, Any]:
    """The library's 2.1.1 CDR model names the end time ``end_date_time`` where the spec says
    ``stop_date_time``; a user of the library stores what its model accepts, so the lab does
    too and lets the harness judge what comes out."""
    if VERSION is VersionNumber.v_2_1_1 and "stop_date_time" in cdr:
        cdr = {**cdr, "end_date_time": cdr["stop_date_time"]}
    return cdr


def _seed() -> None:
    path = os.environ.get("LAB_CDRS")
    if not path:
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                cdr = _as_library_cdr(json.loads(line))
                STORE["cdrs"][cdr["id"]] = cdr


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class LabCrud(Crud):
    """In-memory CRUD; the list filter is the user's job in this library, so it is written
    the way the 2.2.1 text reads (date_from inclusive, date_to exclusive)."""

    @classmethod
    async def get(cls, module: ModuleID, role: RoleEnum, id: Any, *args: Any, **kwargs: Any):
        return STORE.get(module.value, {}).get(str(id))

    @classmethod
    async def list(cls, module: ModuleID, role: RoleEnum, filters: dict, *args: Any, **kwargs: Any):
        rows = list(STORE.get(module.value, {}).values())
        if filters.get("date_from") is not None:
            rows = [r for r in rows if _when(r["last_updated"]) >= _when(filters["date_from"])]
        if filters.get("date_to") is not None:
            rows = [r for r in rows if _when(r["last_updated"]) < _when(filters["date_to"])]
        offset, limit = int(filters["offset"]), int(filters["limit"])
        page = rows[offset : offset + limit]
        return page, len(rows), offset + limit >= len(rows)

    @classmethod
    async def create(cls, module: ModuleID, role: RoleEnum, data: dict, *args: Any, **kwargs: Any):
        STORE.setdefault(module.value, {})[str(data["id"])] = data
        return data

    @classmethod
    async def update(
        cls, module: ModuleID, role: RoleEnum, data: dict, id: Any, *args: Any, **kwargs: Any
    ):
        STORE.setdefault(module.value, {})[str(id)] = data
        return data

    @classmethod
    async def delete(cls, module: ModuleID, role: RoleEnum, id: Any, *args: Any, **kwargs: Any):
        STORE.get(module.value, {}).pop(str(id), None)

    @classmethod
    async def do(cls, module: ModuleID, role: Any, action: Any, *args: Any, **kwargs: Any):
        return None


class LabAuthenticator(Authenticator):
    """Accepts the lab's one token (as the library's token C); no registration token A."""

    @classmethod
    async def get_valid_token_c(cls) -> list[str]:
        return [TOKEN]

    @classmethod
    async def get_valid_token_a(cls) -> list[str]:
        return []


app = get_application(
    version_numbers=[VERSION],
    roles=[ROLE],
    crud=LabCrud,
    modules=[ModuleID.credentials_and_registration, ModuleID.cdrs],
    authenticator=LabAuthenticator,
)


if __name__ == "__main__":
    _seed()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["LAB_PORT"]),
        ssl_certfile=os.environ["LAB_CERT"],
        ssl_keyfile=os.environ["LAB_KEY"],
        log_level="warning",
    )
