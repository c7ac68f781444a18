"""Fields an object carries that its version does not define (H-FIELD-01, AMB-C-17)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from pydantic import BaseModel

from harness.checks.context import CheckContext
from harness.findings import Finding, Level

# A field of another version's shape, and what the version under test calls it.
_RENAMES = {
    "2.1.1": {
        "end_date_time": "'stop_date_time' in 2.1.1",
        "cdr_location": "'location' (a Location object) in 2.1.1",
        "cdr_token": "'auth_id' in 2.1.1",
        "country_code": "absent in 2.1.1 CDRs and tariffs (added in 2.2)",
        "party_id": "absent in 2.1.1 CDRs and tariffs (added in 2.2)",
        "incl_vat": "absent: 2.1.1 money is a plain number excluding VAT",
    },
    "2.2+": {
        "stop_date_time": "'end_date_time' since 2.2",
        "location": "'cdr_location' (a CdrLocation) since 2.2",
        "auth_id": "'cdr_token' (a CdrToken) since 2.2",
    },
    "2.3.0": {
        "excl_vat": "'before_taxes' in 2.3.0",
        "incl_vat": "'taxes' (a list of TaxAmount) in 2.3.0 Price, 'after_taxes' in PriceLimit",
    },
}


def _hint(version: str, name: str) -> str | None:
    group = "2.1.1" if version == "2.1.1" else "2.2+"
    return _RENAMES.get(version, {}).get(name) or _RENAMES[group].get(name)


_NESTED: dict[type[BaseModel], tuple[str, ...]] = {}


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in get_args(annotation))


def _nested_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    # Which fields can hold models is a property of the class: computed once, since walking
    # every field of every object is the hot path of bulk validation.
    names = _NESTED.get(cls)
    if names is None:
        names = tuple(n for n, f in cls.model_fields.items() if _holds_model(f.annotation))
        _NESTED[cls] = names
    return names


# Per class met while walking: the names of its fields that can hold models, or None for a
# class that is not a model (a list item that is a string, say, or None itself). Looked up by
# exact type, since isinstance against pydantic's ABC-based metaclass is slow.
_WALKED: dict[type, tuple[str, ...] | None] = {}


def _walk_plan(cls: type) -> tuple[str, ...] | None:
    plan = _nested_fields(cls) if issubclass(cls, BaseModel) else None
    _WALKED[cls] = plan
    return plan


def _any_unknown(model: BaseModel) -> bool:
    """Whether ``model`` or a model inside it has an unknown field: the quick pass that nearly
    every object of a crawl ends with, building no locations (written for speed: it visits
    some twenty models per CDR)."""
    stack: list[Any] = [model]
    pop, extend, walked = stack.pop, stack.extend, _WALKED
    while stack:
        node = pop()
        cls = type(node)
        names = walked[cls] if cls in walked else _walk_plan(cls)
        if names is None:
            continue
        if node.__pydantic_extra__:
            return True
        if names:
            values = node.__dict__
            for name in names:
                value = values.get(name)
                if type(value) is list:
                    extend(value)
                else:
                    stack.append(value)
    return False


def _unknown(model: BaseModel) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, name) of every unknown field in ``model`` and the models inside it, in
    document order. A loop over a stack, not recursive generators: a CDR holds some twenty
    models and this runs on every object of a crawl."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[BaseModel, tuple[str | int, ...]]] = [(model, ())]
    while stack:
        node, loc = stack.pop()
        extra = node.__pydantic_extra__
        if extra:
            found += [((*loc, name), name) for name in extra]
        values = node.__dict__
        inner: list[tuple[BaseModel, tuple[str | int, ...]]] = []
        for name in _nested_fields(type(node)):
            value = values.get(name)
            if isinstance(value, BaseModel):
                inner.append((value, (*loc, name)))
            elif isinstance(value, list):
                inner += [
                    (item, (*loc, name, i))
                    for i, item in enumerate(value)
                    if isinstance(item, BaseModel)
                ]
        stack += reversed(inner)
    return found


def check_unknown_fields(model: BaseModel, ctx: CheckContext) -> Iterator[Finding]:
    """A finding per field the version's table does not define: a warning by default, an error
    under AMB-C-17=STRICT_REJECT (except in 2.3.0, which forbids rejecting them, T-MISC-01)."""
    policy = ctx.options.get("AMB-C-17")
    if policy == "IGNORE":
        return
    level = Level.ERROR if policy == "STRICT_REJECT" and ctx.version != "2.3.0" else Level.WARNING
    if not _any_unknown(model):
        return
    for loc, name in _unknown(model):
        hint = _hint(ctx.version, name)
        message = f"'{name}' is not a field of this object in OCPI {ctx.version}"
        if hint:
            message += f"; the field is {hint}"
        yield ctx.finding("H-FIELD-01", level, message, loc)
