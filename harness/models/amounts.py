"""Money amounts of every version in one shape: before and (when known) after tax."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from harness.models.base import declared


@dataclass(frozen=True, slots=True)
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


def amount_of(value: object) -> Amount:
    """The Amount of a number, Price (2.2.1 or 2.3.0) or PriceLimit."""
    if isinstance(value, (int, float)):
        return Amount(to_decimal(value), None)
    excl_vat = declared(value, "excl_vat")
    if excl_vat is not None:
        incl_vat = declared(value, "incl_vat")
        return Amount(to_decimal(excl_vat), None if incl_vat is None else to_decimal(incl_vat))
    before = declared(value, "before_taxes")
    if before is None:
        raise TypeError(f"not a money value: {value!r}")
    if "after_taxes" in type(value).model_fields:  # type: ignore[attr-defined]
        after = declared(value, "after_taxes")  # a PriceLimit: the amount after tax is given
        return Amount(to_decimal(before), None if after is None else to_decimal(after))
    taxes = declared(value, "taxes")
    if taxes is None:
        return Amount(to_decimal(before), None)
    total = to_decimal(before) + sum((to_decimal(t.amount) for t in taxes), Decimal(0))
    return Amount(to_decimal(before), total)
