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


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in get_args(annotation))


# Per class met while walking: the names of its fields that can hold models, or None for a
# class that is not a model (a list item that is a string, say, or None itself). A property
# of the class, computed once and looked up by exact type: isinstance against pydantic's
# ABC-based metaclass is slow, and this walk runs on every object of a crawl.
_PLANS: dict[type, tuple[str, ...] | None] = {}


def _plan(cls: type) -> tuple[str, ...] | None:
    if cls not in _PLANS:
        plan = None
        if issubclass(cls, BaseModel):
            fields = cls.model_fields.items()
            plan = tuple(n for n, f in fields if _holds_model(f.annotation))
        _PLANS[cls] = plan
    return _PLANS[cls]


def _any_unknown(model: BaseModel) -> bool:
    """Whether ``model`` or a model inside it has an unknown field: the quick pass that nearly
    every object of a crawl ends with, building no locations (written for speed: it visits
    some twenty models per CDR)."""
    stack: list[Any] = [model]
    pop, extend, plans = stack.pop, stack.extend, _PLANS
    while stack:
        node = pop()
        cls = type(node)
        names = plans[cls] if cls in plans else _plan(cls)
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


def _unknown(
    node: object, loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(location, name) of every unknown field in ``node`` and the models inside it, in
    document order (only run once the quick pass has found one)."""
    names = _plan(type(node))
    if names is None:
        return
    for name in node.__pydantic_extra__ or {}:  # type: ignore[attr-defined]
        yield (*loc, name), name
    values = node.__dict__
    for name in names:
        value = values.get(name)
        if type(value) is list:
            for i, item in enumerate(value):
                yield from _unknown(item, (*loc, name, i))
        else:
            yield from _unknown(value, (*loc, name))


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
