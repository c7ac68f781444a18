"""Pydantic models of the OCPI CDR and Tariff objects, one module per version.

Every version module exposes the same names for the same objects (``Cdr``, ``Tariff``,
``ChargingPeriod``, ...); ``models_for(version)`` returns the module of a version.
"""

from __future__ import annotations

from types import ModuleType
from typing import Literal

from harness.models import v2_1_1, v2_2_1, v2_3_0
from harness.models.base import OcpiModel
from harness.versions import PROFILES, SUPPORTED_VERSIONS, parse_version

__all__ = ["KINDS", "SUPPORTED_VERSIONS", "Kind", "model_for", "models_for"]

Kind = Literal["cdr", "tariff"]
KINDS: tuple[Kind, ...] = ("cdr", "tariff")

# Each version's module, by the name its profile gives.
_BY_NAME = {m.__name__.rpartition(".")[2]: m for m in (v2_1_1, v2_2_1, v2_3_0)}
_MODULES: dict[str, ModuleType] = {v: _BY_NAME[p.models] for v, p in PROFILES.items()}


def models_for(version: str) -> ModuleType:
    """The model module of an OCPI version; a ValueError lists the supported ones."""
    return _MODULES[parse_version(version)]


def model_for(version: str, kind: Kind) -> type[OcpiModel]:
    """The top-level model class (``Cdr`` or ``Tariff``) of ``kind`` in ``version``."""
    module = models_for(version)
    cls: type[OcpiModel] = module.Cdr if kind == "cdr" else module.Tariff
    return cls
