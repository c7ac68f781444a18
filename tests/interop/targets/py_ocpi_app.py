"""Lab wrapper for py-ocpi 0.3.1: the few lines its quickstart asks of a user.

Run by the lab virtualenv's python (pydantic 1.10, FastAPI 0.68), never imported by the
harness's tests. The quickstart asks for a ``Crud`` (the store) and an ``Adapter`` (store rows
to the library's models) and hands both to ``get_application``; this version has no
authenticator class. Configuration comes from the environment so one file serves every
version and role:

- ``LAB_VERSION`` (2.2.1; 2.1.1 is passed on as asked, the library then mounts nothing),
  ``LAB_ROLE`` (cpo | emsp), ``LAB_TOKEN``;
- ``LAB_CDRS``: a JSON-lines file of CDRs to seed the store with (the CPO side);
- ``LAB_PORT``, ``LAB_CERT``, ``LAB_KEY``: where uvicorn serves TLS;
- ``OCPI_HOST``: read by the library's settings at import time (it builds every endpoint,
  Link and Location URL from it, always with ``https://``).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any

import uvicorn
from py_ocpi import get_application
from py_ocpi.core.adapter import Adapter
from py_ocpi.core.crud import Crud
from py_ocpi.core.enums import Action, ModuleID, RoleEnum
from py_ocpi.core.exceptions import AuthorizationOCPIError, NotFoundOCPIError
from py_ocpi.modules.cdrs.v_2_2_1.schemas import Cdr
from py_ocpi.modules.versions.enums import VersionNumber

VERSION = VersionNumber(os.environ["LAB_VERSION"])
ROLE = RoleEnum.cpo if os.environ["LAB_ROLE"] == "cpo" else RoleEnum.emsp
TOKEN = os.environ["LAB_TOKEN"]

# The store a user would put behind the library's Crud: one dict per module, keyed by id,
# kept in insertion order (the order in which CDRs were created).
STORE: dict[str, dict[str, dict[str, Any]]] = {"cdrs": {}}


def _seed() -> None:
    # The seed is spec-shaped 2.2.1 and the library's 2.2.1 Cdr model accepts it as it is
    # (it drops what it does not model, e.g. cdr_location.evse_uid, on the way out).
    path = os.environ.get("LAB_CDRS")
    if not path:
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                cdr = json.loads(line)
                STORE["cdrs"][str(cdr["id"]).lower()] = cdr


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _authorize(kwargs: dict[str, Any]) -> None:
    """The library checks no token on its module routes: it hands the (decoded) token to every
    Crud call, and offers ``AuthorizationOCPIError`` for refusing it, which a user raises."""
    if kwargs.get("auth_token") != TOKEN:
        raise AuthorizationOCPIError


class LabCrud(Crud):
    """In-memory CRUD; the list filter is the user's job in this library, so it is written
    the way the 2.2.1 text reads (date_from inclusive, date_to exclusive). Ids are kept
    lower-case: the library lower-cases every CiString, the path's cdr_id included."""

    @classmethod
    async def get(
        cls, module: ModuleID, role: RoleEnum, id: Any, *args: Any, **kwargs: Any
    ) -> dict[str, Any]:
        _authorize(kwargs)
        row = STORE.get(module.value, {}).get(str(id).lower())
        if row is None:
            raise NotFoundOCPIError
        return row

    @classmethod
    async def list(
        cls, module: ModuleID, role: RoleEnum, filters: dict[str, Any], *args: Any, **kwargs: Any
    ) -> tuple[list[dict[str, Any]], int, bool]:
        _authorize(kwargs)
        rows = list(STORE.get(module.value, {}).values())
        if filters.get("date_from") is not None:
            rows = [r for r in rows if _when(r["last_updated"]) >= _when(filters["date_from"])]
        if filters.get("date_to") is not None:
            rows = [r for r in rows if _when(r["last_updated"]) < _when(filters["date_to"])]
        offset, limit = int(filters["offset"]), int(filters["limit"])
        page = rows[offset : offset + limit]
        return page, len(rows), offset + limit >= len(rows)

    @classmethod
    async def create(
        cls, module: ModuleID, role: RoleEnum, data: dict[str, Any], *args: Any, **kwargs: Any
    ) -> dict[str, Any]:
        _authorize(kwargs)
        STORE.setdefault(module.value, {})[str(data["id"]).lower()] = data
        return data

    @classmethod
    async def update(
        cls,
        module: ModuleID,
        role: RoleEnum,
        data: dict[str, Any],
        id: Any,
        *args: Any,
        **kwargs: Any,
    ) -> dict[str, Any]:
        _authorize(kwargs)
        STORE.setdefault(module.value, {})[str(id).lower()] = data
        return data

    @classmethod
    async def delete(
        cls, module: ModuleID, role: RoleEnum, id: Any, *args: Any, **kwargs: Any
    ) -> None:
        _authorize(kwargs)
        STORE.get(module.value, {}).pop(str(id).lower(), None)

    @classmethod
    async def do(
        cls, module: ModuleID, role: Any, action: Action, *args: Any, **kwargs: Any
    ) -> dict[str, str] | None:
        # GetClientToken: the library asks it on the version details and credentials routes
        # and answers 401 (details) when it returns None
        if action is Action.get_client_token and kwargs.get("auth_token") == TOKEN:
            return {"token": TOKEN}
        return None


class LabAdapter(Adapter):
    """Store rows to the library's models, as its quickstart's ``Location(**data)``."""

    @classmethod
    def cdr_adapter(
        cls, data: dict[str, Any], version: VersionNumber = VersionNumber.latest
    ) -> Cdr:
        return Cdr(**data)


app = get_application(
    version_numbers=[VERSION],
    roles=[ROLE],
    crud=LabCrud,
    adapter=LabAdapter,
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
