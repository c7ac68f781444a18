"""The roles a target is tested in: a CPO (it sends CDRs) or an eMSP (it receives them)."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["cpo", "emsp"]
ROLES: tuple[Role, ...] = get_args(Role)
