"""An object that fails its schema, read as far as it is well formed: each top-level field
validated on its own, the malformed and missing ones left None, so that the consistency
checks whose evidence is only well-formed fields still judge it (a 2.1.1-shaped CDR validated
as 2.2.1 gets its shape errors and, in the same run, a total_time given in seconds)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Strict, TypeAdapter, ValidationError

from harness.checks.context import CheckContext
from harness.checks.registry import all_checks
from harness.findings import Finding, Level
from harness.models import Kind, model_for

# Partial objects are checked only by the checks that say they need nothing else.
_WELL_FORMED = ("well-formed fields",)


def well_formed_part(raw: bytes | str, version: str, kind: Kind) -> BaseModel | None:
    """The object as a model of its well-formed top-level fields (the others None), or None
    when it is no JSON object at all. Cross-field validators do not run: the checks judge
    those relations."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    model = model_for(version, kind)
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        # An optional field left out reads as absent (None). A malformed one, or a required
        # one left out, must not ("embeds no tariffs" of a CDR whose tariffs are malformed, "the
        # tariff's currency differs" of a CDR without one): any use of it fails, and the check
        # that needs it says nothing (the schema findings say what is wrong with the field).
        values[name] = None if key not in data and not field.is_required() else MALFORMED
        if key in data:
            with contextlib.suppress(ValidationError, ValueError, TypeError, RecursionError):
                values[name] = _adapter(model, name).validate_json(json.dumps(data[key]))
    return model.model_construct(**values)


class _Malformed:
    """The value of a field that is present but malformed: it is neither absent nor usable,
    so every use of it raises (TypeError), and a check that reads it is left out."""

    __slots__ = ()

    def __bool__(self) -> bool:
        raise TypeError("a malformed field")

    def __iter__(self) -> Iterator[Any]:
        raise TypeError("a malformed field")

    def __len__(self) -> int:
        raise TypeError("a malformed field")

    def __getattr__(self, name: str) -> Any:
        raise TypeError(f"a malformed field has no {name}")

    def __str__(self) -> str:
        raise TypeError("a malformed field")

    def __format__(self, spec: str) -> str:
        raise TypeError("a malformed field")

    def __repr__(self) -> str:  # for a debugger only
        return "<malformed>"


MALFORMED: Any = _Malformed()


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """The field's own validation, as strict as the model's (nested models bring their own
    config; the constraints of the field ride along as metadata)."""
    field = model.model_fields[name]
    parameters = (field.annotation, Strict(), *field.metadata)
    annotated: Any = Annotated  # subscripted with a tuple built at run time
    return TypeAdapter(annotated[parameters])


def partial_findings(
    part: BaseModel,
    ctx: CheckContext,
    checks: Iterable[Callable[[Any, CheckContext], Iterable[Finding]]],
    cause: Finding | None = None,
) -> Iterator[Finding]:
    """What the checks that need only well-formed fields find on ``part``. A check that
    needs a field the object lacks (it meets a None where the schema promises a value) says
    nothing wrong of it: the schema findings already say the field is missing or malformed.
    Only errors and warnings are kept, and, with ``cause`` (the object's first schema
    error), one ``partial`` note per requirement of each check that could not run, so that
    no rule reads as passed on an object it did not judge."""
    specs = all_checks()
    told: set[str] = set() if cause is None else {cause.requirement}
    for check in checks:
        spec = specs.get(check.__name__)
        if spec is None:
            continue
        found: list[Finding] | None = None
        if spec.needs == _WELL_FORMED:
            try:
                found = list(check(part, ctx))
            except (TypeError, AttributeError, ValueError, ArithmeticError):
                found = None
        if found is None:
            if cause is not None and spec.applies(ctx.version, None):
                yield from _not_run(spec.name, spec.title, spec.requirements, cause, told, ctx)
            continue
        # Notes of what could not be done ("could not re-price") add nothing to a schema
        # failure: only what is wrong is kept.
        yield from (f for f in found if f.level is not Level.INFO)


def _not_run(
    name: str,
    title: str,
    requirements: tuple[str, ...],
    cause: Finding,
    told: set[str],
    ctx: CheckContext,
) -> Iterator[Finding]:
    fact = f"{cause.path}: {cause.message}"[:300]
    for rid in requirements:
        if rid in told:
            continue
        told.add(rid)
        note = ctx.finding(
            rid,
            Level.INFO,
            f"judged on part of the evidence: {name} could not run on this object, because "
            f"of its schema finding ({cause.requirement}) {fact}",
        )
        yield replace(note, outcome="partial", cause=cause.requirement, check=name)
