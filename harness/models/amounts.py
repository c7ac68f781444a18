"""Money amounts of every version in one shape: before and (when known) after tax."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Amount:
    """An amount before tax and, when the object says, after tax.

    2.1.1 money is a plain number excluding VAT; 2.2.1 is Price{excl_vat, incl_vat}; 2.3.0 is
    Price{before_taxes, taxes[]} (after tax = before + the tax amounts) and, for tariff limits,
    PriceLimit{before_taxes, after_taxes}.
    """

    excl: Decimal
    incl: Decimal | None


_DECIMALS: dict[float, Decimal] = {}


def to_decimal(value: float) -> Decimal:
    """A JSON number as the Decimal it was written as (shortest round-trip repr)."""
    # Volumes and prices repeat across CDRs; a bounded memo halves the cost of bulk pricing.
    cached = _DECIMALS.get(value)
    if cached is None:
        cached = Decimal(repr(value))
        if len(_DECIMALS) < 20_000:
            _DECIMALS[value] = cached
    return cached


_SHAPES: dict[type, str] = {}  # a money class's shape, read once from its fields


def _shape(cls: type) -> str:
    shape = _SHAPES.get(cls)
    if shape is None:
        fields = getattr(cls, "model_fields", {})
        if "excl_vat" in fields:
            shape = "excl_vat"
        elif "after_taxes" in fields:
            shape = "after_taxes"
        elif "before_taxes" in fields:
            shape = "taxes"
        else:
            shape = "none"
        _SHAPES[cls] = shape
    return shape


def amount_of(value: object) -> Amount:
    """The Amount of a number, Price (2.2.1 or 2.3.0) or PriceLimit."""
    if isinstance(value, (int, float)):
        return Amount(to_decimal(value), None)
    # Fields are read from the instance's __dict__: only declared ones (see ``declared``); a
    # CDR has ten money values, each read by several checks.
    shape = _shape(type(value))
    values: dict[str, object] = getattr(value, "__dict__", {})
    if shape == "excl_vat":
        excl_vat, incl_vat = values.get("excl_vat"), values.get("incl_vat")
        if isinstance(excl_vat, (int, float)):
            return Amount(
                to_decimal(excl_vat),
                to_decimal(incl_vat) if isinstance(incl_vat, (int, float)) else None,
            )
    before = values.get("before_taxes")
    if shape == "none" or not isinstance(before, (int, float)):
        raise TypeError(f"not a money value: {value!r}")
    if shape == "after_taxes":  # a PriceLimit: the amount after tax is given
        after = values.get("after_taxes")
        return Amount(
            to_decimal(before), to_decimal(after) if isinstance(after, (int, float)) else None
        )
    taxes = values.get("taxes")
    if taxes is None:
        return Amount(to_decimal(before), None)
    total = to_decimal(before) + sum((to_decimal(t.amount) for t in taxes), Decimal(0))  # type: ignore[attr-defined]
    return Amount(to_decimal(before), total)
