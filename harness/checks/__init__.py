"""Pure checks: an object (raw JSON or parsed) and a version in, findings out.

``check_object`` validates against the version's model, turns schema violations into findings,
and on a valid object runs the consistency checks of its kind. No I/O happens here, so the same
checks serve the suites, the CLI, the mock peer and bulk validation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.checks.cdr_consistency import CDR_CHECKS
from harness.checks.context import CheckContext
from harness.checks.schema import check_schema
from harness.checks.tariff_consistency import TARIFF_CHECKS
from harness.checks.unknown_fields import check_unknown_fields
from harness.checks.well_formed import partial_findings, well_formed_part
from harness.findings import Finding, Level
from harness.models import Kind, model_for
from harness.models.base import declared
from harness.options import DEFAULT_OPTIONS, Options

__all__ = ["CheckContext", "check_cdr", "check_model", "check_object", "check_tariff"]


def _as_json(raw: bytes | str | Any) -> bytes | str:
    if isinstance(raw, (bytes, str)):
        return raw
    # Parsed objects go back to JSON so that strict validation sees JSON types (strict mode on
    # Python objects would refuse strings for enums).
    return json.dumps(raw)


def check_object(
    raw: bytes | str | Any, version: str, kind: Kind, options: Options = DEFAULT_OPTIONS
) -> list[Finding]:
    """All findings for one CDR or tariff given as JSON bytes/text or as parsed JSON. One that
    fails its schema still gets the consistency checks its well-formed fields allow."""
    try:
        text = _as_json(raw)
        model = model_for(version, kind).model_validate_json(text)
    # RecursionError: json.dumps of parsed JSON nested past the interpreter's limit
    except RecursionError as error:
        return check_schema(error, kind, version)
    except ValidationError as error:
        findings = check_schema(error, kind, version)
        part = well_formed_part(text, version, kind)
        if part is not None:
            checks = TARIFF_CHECKS if kind == "tariff" else CDR_CHECKS
            cause = next((f for f in findings if f.level is Level.ERROR), None)
            findings += partial_findings(part, CheckContext(version, options), checks, cause)
        return findings
    return list(check_model(model, version, kind, options))


def check_model(
    model: BaseModel,
    version: str,
    kind: Kind,
    options: Options = DEFAULT_OPTIONS,
    tariffs: tuple[Any, ...] | None = None,
    time_zone: str | None = None,
) -> Iterator[Finding]:
    """Consistency and unknown-field findings for an already validated model. ``tariffs``
    (from the Tariffs module) and ``time_zone`` (from the Locations module) let the cost check
    price a CDR that embeds no tariffs, or with the zone of its location."""
    ctx = CheckContext(version, options, tariffs=tariffs, time_zone=time_zone)
    yield from check_unknown_fields(model, ctx)
    if kind == "tariff":
        for tariff_check in TARIFF_CHECKS:
            yield from tariff_check(model, ctx)
        return
    for cdr_check in CDR_CHECKS:
        yield from cdr_check(model, ctx)
    for i, tariff in enumerate(declared(model, "tariffs") or []):
        tariff_ctx = ctx.at("tariffs", i)
        for tariff_check in TARIFF_CHECKS:
            yield from tariff_check(tariff, tariff_ctx)


def check_cdr(
    raw: bytes | str | Any, version: str, options: Options = DEFAULT_OPTIONS
) -> list[Finding]:
    """All findings for one CDR."""
    return check_object(raw, version, "cdr", options)


def check_tariff(
    raw: bytes | str | Any, version: str, options: Options = DEFAULT_OPTIONS
) -> list[Finding]:
    """All findings for one tariff."""
    return check_object(raw, version, "tariff", options)
