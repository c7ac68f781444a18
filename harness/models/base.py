"""The base class of every OCPI model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class OcpiModel(BaseModel):
    """Strict on types (no string-to-number coercion, no float for int), tolerant of unknown
    fields: they are kept in ``model_extra`` so the checks can report them under the version's
    rule (AMB-C-17; 2.3.0 T-MISC-01 forbids rejecting them).

    Validate JSON with ``model_validate_json``: strict mode on Python objects refuses strings for
    enums.
    """

    model_config = ConfigDict(strict=True, extra="allow", populate_by_name=False)
