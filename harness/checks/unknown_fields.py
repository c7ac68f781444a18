"""Fields an object carries that its version does not define (H-FIELD-01, AMB-C-17)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from pydantic import BaseModel

from harness.checks.context import CheckContext
from harness.checks.registry import check
from harness.findings import Finding, Level


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


@check(requirements=("H-FIELD-01",), needs=("object",))
def check_unknown_fields(model: BaseModel, ctx: CheckContext) -> Iterator[Finding]:
    """A finding per field the version's table does not define: a warning by default, an error
    under AMB-C-17=STRICT_REJECT (except in 2.3.0, which forbids rejecting them, T-MISC-01)."""
    if ctx.options.is_("AMB-C-17", "IGNORE"):
        return
    strict = ctx.options.is_("AMB-C-17", "STRICT_REJECT") and ctx.profile.unknown_fields_rejectable
    level = Level.ERROR if strict else Level.WARNING
    if not _any_unknown(model):
        return
    renames = ctx.profile.renames
    for loc, name in _unknown(model):
        renamed = renames.get(name)
        hint = renamed.foreign if renamed else None
        message = f"'{name}' is not a field of this object in OCPI {ctx.version}"
        if hint:
            message += f"; the field is {hint}"
        yield ctx.finding("H-FIELD-01", level, message, loc)
