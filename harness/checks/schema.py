"""Schema violations as findings: pydantic errors mapped to requirement ids and plain messages.

A finding says what the version's table expects and what was seen, and when the mistake looks like
another version's shape (a 2.1.1 ``location`` in a 2.2.1 CDR, a number where 2.2+ needs a Price)
it says so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from harness.checks.registry import check
from harness.findings import Finding, Level, json_path
from harness.models import Kind
from harness.models.types import (
    CDR_DATETIME_PATTERN,
    DATETIME_PATTERN,
    PRINTABLE_ASCII,
    PRINTABLE_UTF8,
)
from harness.versions import VersionProfile, version_profile

_PRICE_FIELDS = frozenset(
    {
        "total_cost",
        "total_fixed_cost",
        "total_energy_cost",
        "total_time_cost",
        "total_parking_cost",
        "total_reservation_cost",
    }
)
_RESTRICTION_FORMATS = frozenset({"start_time", "end_time", "start_date", "end_date"})
_PATTERN_NAMES = {
    DATETIME_PATTERN: "a UTC DateTime such as 2015-06-29T20:39:09Z (no offset, at most 25 "
    "characters)",
    CDR_DATETIME_PATTERN: "a UTC DateTime such as 2015-06-29T20:39:09Z (no offset, at most 25 "
    "characters)",
    PRINTABLE_ASCII: "printable ASCII characters only",
    PRINTABLE_UTF8: "printable characters only (no control characters such as CR, LF or TAB)",
    r"^[A-Z]{3}$": "three upper-case letters (ISO 4217 currency or ISO 3166-1 alpha-3 country)",
    r"^[A-Za-z]{2}$": "two letters (ISO 3166-1 alpha-2 country or ISO 639-1 language)",
    r"^[A-Za-z0-9]{3}$": "three letters or digits (ISO 15118 party id)",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _requirement(
    loc: Sequence[str | int],
    etype: str,
    family: str,
    profile: VersionProfile,
    ctx: dict[str, Any],
    value_is_null: bool,
) -> str:
    names = [part for part in loc if isinstance(part, str)]
    field = names[-1] if names else ""
    # An empty "+" list breaks the cardinality rule just as a missing field does.
    missing = etype in ("missing", "too_short")
    if value_is_null:
        missing = True  # a required field given as null is as absent as a missing one (C-001)
    if ctx.get("pattern") in (DATETIME_PATTERN, CDR_DATETIME_PATTERN):
        return "T-TYPE-02"
    if "signed_data" in names:
        return "C-027"
    if field == "currency" and not missing:
        return "C-017"
    if field in ("country_code", "party_id") and not missing:
        return "T-TYPE-08"
    if family == "tariff":
        if field in ("step_size", "price") and "price_components" in names and not missing:
            return "TF-002"
        if field in _RESTRICTION_FORMATS and "restrictions" in names:
            return "TF-010"
        if field == "vat":
            return "TF-013"
        if profile.tax_shape == "taxes" and {"tax_included", "min_price", "max_price"} & set(names):
            return "TF-012"
        return "TF-001"
    if profile.location_field == "cdr_location" and (
        field in ("latitude", "longitude") or (field == "country" and "cdr_location" in names)
    ):
        return "C-023"
    if names and names[0] == "total_cost" and profile.money_shape == "number":
        return "C-028"
    if names and names[0] in _PRICE_FIELDS:
        return "T-TYPE-09"
    if missing:
        return "C-001"
    return "C-002"


def _message(err: ErrorDetails, profile: VersionProfile) -> str:
    etype = err["type"]
    loc = err["loc"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    names = [part for part in loc if isinstance(part, str)]
    field = names[-1] if names else "the object"
    if etype == "json_invalid":
        return f"not valid JSON ({ctx.get('error', err['msg'])})"
    if etype == "missing":
        renamed = profile.renames.get(field)
        hint = renamed.missing if renamed else None
        text = f"required field '{field}' is missing"
        return f"{text}; {hint}" if hint else text
    if value is None and etype.endswith("_type"):
        return f"required field '{field}' is null"
    if etype == "too_short":
        return f"'{field}' must hold at least {ctx.get('min_length', 1)} item(s); got none"
    if etype == "model_type" or etype == "dict_type":
        expected = "a JSON object"
        price = profile.price_fields
        if names and names[0] in _PRICE_FIELDS and len(names) == 1 and price is not None:
            expected = f"a Price object {{{price[0]}, {price[1]}}}"
            if isinstance(value, (int, float)):
                return (
                    f"expected {expected}, got the number {_show(value)}: a plain number is "
                    f"the 2.1.1 shape"
                )
        return f"expected {expected} for '{field}', got {_json_type(value)} {_show(value)}"
    if etype == "string_pattern_mismatch":
        wanted = _PATTERN_NAMES.get(str(ctx.get("pattern")), f"the pattern {ctx.get('pattern')}")
        return f"'{field}' must be {wanted}; got {_show(value)}"
    if etype == "string_too_long":
        length = len(value) if isinstance(value, str) else "?"
        return (
            f"'{field}' may hold at most {ctx.get('max_length')} characters; got {length}: "
            f"{_show(value)}"
        )
    if etype in ("string_too_short",):
        return f"'{field}' must not be empty"
    if etype == "enum":
        return f"'{field}' must be one of {ctx.get('expected')}; got {_show(value)}"
    if etype in ("int_type", "int_from_float"):
        return f"'{field}' must be a JSON integer; got {_json_type(value)} {_show(value)}"
    if etype == "float_type":
        return f"'{field}' must be a JSON number; got {_json_type(value)} {_show(value)}"
    if etype in ("string_type",):
        return f"'{field}' must be a JSON string; got {_json_type(value)} {_show(value)}"
    if etype == "bool_type":
        return f"'{field}' must be true or false; got {_json_type(value)} {_show(value)}"
    if etype == "list_type":
        return f"'{field}' must be a JSON array; got {_json_type(value)} {_show(value)}"
    if etype in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"'{field}': {err['msg'].lower()}; got {_show(value)}"
    return f"'{field}': {err['msg']}; got {_show(value)}"


def findings_from_validation_error(
    error: ValidationError, kind: Kind, version: str
) -> list[Finding]:
    """One error-level finding per schema violation (C-001/C-002 for CDRs, TF-001 for tariffs,
    or the more specific requirement the field belongs to)."""
    profile = version_profile(version)
    findings = []
    for err in error.errors(include_url=False):
        loc = err["loc"]
        family = "tariff" if kind == "tariff" or (loc and loc[0] == "tariffs") else "cdr"
        ctx = dict(err.get("ctx") or {})
        requirement = _requirement(
            loc, err["type"], family, profile, ctx, err.get("input", ...) is None
        )
        findings.append(Finding(requirement, Level.ERROR, _message(err, profile), json_path(loc)))
    return findings


@check(
    requirements=(
        "C-001",
        "C-002",
        "C-017",
        "C-023",
        "C-027",
        "C-028",
        "T-TYPE-02",
        "T-TYPE-08",
        "T-TYPE-09",
        "TF-001",
        "TF-002",
        "TF-010",
        "TF-012",
        "TF-013",
    ),
    needs=("object",),
)
def check_schema(
    error: ValidationError | RecursionError, kind: Kind, version: str
) -> list[Finding]:
    """The object is JSON of the version's schema (C-001/C-002 for CDRs, TF-001 for tariffs,
    or the requirement of the field that breaks it).

    Called with what refused the object: the model's ValidationError, or a RecursionError for
    parsed JSON nested too deeply."""
    if isinstance(error, RecursionError):
        requirement = "C-002" if kind == "cdr" else "TF-001"
        return [Finding(requirement, Level.ERROR, "not valid JSON: nested too deeply", "$")]
    return findings_from_validation_error(error, kind, version)
