"""What the engine returns: every amount with where it came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: Cost groups and the CDR field that reports each (2.2+; 2.1.1 has only total_cost).
GROUP_FIELDS: dict[str, str] = {
    "fixed": "total_fixed_cost",
    "energy": "total_energy_cost",
    "time": "total_time_cost",
    "parking": "total_parking_cost",
    "reservation": "total_reservation_cost",
}


class PricingError(ValueError):
    """A tariff the policies in force refuse to price (e.g. step_size 0 under REJECT_ZERO), or
    amounts too large to price to the cent."""


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Cost:
    """An amount excluding and including tax; None where the tariff does not tell."""

    excl: Decimal | None
    incl: Decimal | None

    def __add__(self, other: Cost) -> Cost:
        return Cost(_add(self.excl, other.excl), _add(self.incl, other.incl))

    def scaled(self, excl_factor: Decimal | None, incl_factor: Decimal | None) -> Cost:
        """This cost with each side multiplied by its factor (None leaves it unknown)."""
        return Cost(_mul(self.excl, excl_factor), _mul(self.incl, incl_factor))

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready, decimals as strings so that no digit is lost."""
        return {"excl": _str(self.excl), "incl": _str(self.incl)}


ZERO = Cost(Decimal(0), Decimal(0))


def total_of(costs: Iterable[Cost]) -> Cost:
    """The sum of costs (an unknown side makes that side of the sum unknown)."""
    excl: Decimal | None = Decimal(0)
    incl: Decimal | None = Decimal(0)
    for cost in costs:
        if excl is not None:
            excl = None if cost.excl is None else excl + cost.excl
        if incl is not None:
            incl = None if cost.incl is None else incl + cost.incl
    return Cost(excl, incl)


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a + b


def _mul(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a * b


def _str(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Line:
    """One priced quantity: a dimension of a period (or a session's FLAT fee), the tariff
    element and component that priced it, the volume before and after step_size, the cost.
    ``element`` is None when no element matched: the volume is free (P-002)."""

    period: int
    dimension: str
    group: str
    tariff_id: str | None
    element: int | None
    component: int | None
    price: Decimal
    vat: Decimal | None
    step_size: int
    volume: Decimal
    billed: Decimal
    cost: Cost

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "period": self.period,
            "dimension": self.dimension,
            "group": self.group,
            "tariff_id": self.tariff_id,
            "element": self.element,
            "component": self.component,
            "price": _str(self.price),
            "vat": _str(self.vat),
            "step_size": self.step_size,
            "volume": _str(self.volume),
            "billed": _str(self.billed),
            "cost": self.cost.to_dict(),
        }


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Adjustment:
    """A min_price or max_price that changed a tariff's total (P-017, P-018)."""

    tariff_id: str
    limit: str
    before: Cost
    after: Cost

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "tariff_id": self.tariff_id,
            "limit": self.limit,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


@dataclass(frozen=True)
class Pricing:
    """The priced session: lines, sub-totals per cost group, min/max adjustments, the total,
    the time zone and policies used, notes, and what could not be priced (``unpriced``: when
    not empty the total is incomplete and must not be compared)."""

    lines: tuple[Line, ...]
    subtotals: dict[str, Cost]
    adjustments: tuple[Adjustment, ...]
    total: Cost
    time_zone: str
    policies: dict[str, str]
    notes: tuple[str, ...] = ()
    unpriced: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready breakdown."""
        return {
            "total": self.total.to_dict(),
            "subtotals": {group: cost.to_dict() for group, cost in self.subtotals.items()},
            "adjustments": [a.to_dict() for a in self.adjustments],
            "lines": [line.to_dict() for line in self.lines],
            "time_zone": self.time_zone,
            "policies": self.policies,
            "notes": list(self.notes),
            "unpriced": list(self.unpriced),
        }
