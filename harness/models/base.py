"""The base class of every OCPI model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class OcpiModel(BaseModel):
    """Strict on types (no string-to-number coercion, no float for int), tolerant of unknown
    fields: they are kept in ``model_extra`` so the checks can report them under the version's
    rule (AMB-C-17; 2.3.0 T-MISC-01 forbids rejecting them).

    Validate JSON with ``model_validate_json``: strict mode on Python objects refuses strings for
    enums.
    """

    # allow_inf_nan=False: NaN and Infinity are not JSON numbers (and 1e999 overflows to one);
    # refusing them here keeps every later check's arithmetic finite.
    model_config = ConfigDict(
        strict=True, extra="allow", populate_by_name=False, allow_inf_nan=False
    )


def declared(model: object, name: str) -> Any:
    """The value of ``model``'s field ``name`` if its class declares one, else None.

    Use it instead of ``getattr(model, name, None)`` to read a field another version has:
    ``getattr`` also returns an unknown field of that name kept under ``extra="allow"`` (say a
    2.2-style ``signed_data`` dict in a 2.1.1 CDR), which a check would then misread.
    """
    values = getattr(model, "__dict__", None)
    return None if values is None else values.get(name)
