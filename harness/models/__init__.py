"""Pydantic models of the OCPI CDR and Tariff objects, one module per version.

Every version module exposes the same names for the same objects (``Cdr``, ``Tariff``,
``ChargingPeriod``, ...); ``models_for(version)`` returns the module of a version.
"""

from __future__ import annotations

from types import ModuleType
from typing import Literal

from harness.models import v2_1_1, v2_2_1, v2_3_0
from harness.models.base import OcpiModel

__all__ = ["KINDS", "SUPPORTED_VERSIONS", "Kind", "model_for", "models_for"]

Kind = Literal["cdr", "tariff"]
KINDS: tuple[Kind, ...] = ("cdr", "tariff")
SUPPORTED_VERSIONS: tuple[str, ...] = ("2.1.1", "2.2.1", "2.3.0")

_MODULES: dict[str, ModuleType] = {"2.1.1": v2_1_1, "2.2.1": v2_2_1, "2.3.0": v2_3_0}


def models_for(version: str) -> ModuleType:
    """The model module of an OCPI version; a ValueError lists the supported ones."""
    try:
        return _MODULES[version]
    except KeyError:
        raise ValueError(
            f"unsupported OCPI version {version!r}; use one of {', '.join(SUPPORTED_VERSIONS)}"
        ) from None


def model_for(version: str, kind: Kind) -> type[OcpiModel]:
    """The top-level model class (``Cdr`` or ``Tariff``) of ``kind`` in ``version``."""
    module = models_for(version)
    cls: type[OcpiModel] = module.Cdr if kind == "cdr" else module.Tariff
    return cls
