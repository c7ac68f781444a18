"""Tariffs of every version in one priceable shape, with Decimal numbers.

The engine never looks at a version's model: 2.1.1 prices exclude VAT and say nothing of it,
2.2.1 prices exclude VAT with a per-component ``vat`` percentage, 2.3.0 prices are before or
after tax as ``tax_included`` says. ``TaxMode`` carries that difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from harness.models.amounts import Amount, amount_of, to_decimal
from harness.models.base import declared
from harness.models.datetimes import parse_datetime


class TaxMode(Enum):
    """How a tariff's prices relate to tax."""

    UNKNOWN = "unknown"  # 2.1.1: prices exclude VAT and the VAT is not known
    VAT = "vat"  # 2.2.1: prices exclude VAT; vat absent means no VAT applies
    EXCLUDED = "excluded"  # 2.3.0 NO: tax added per vat; without vat per option missing-vat
    INCLUDED = "included"  # 2.3.0 YES: prices already include tax
    NONE = "none"  # 2.3.0 N/A: no tax at all


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Restrictions:
    """TariffRestrictions with minutes for times, Decimals for numbers, sets for days."""

    start_minute: int | None = None
    end_minute: int | None = None
    start_date: str | None = None
    end_date: str | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    days: frozenset[str] | None = None
    reservation: str | None = None

    @property
    def has_time_of_day(self) -> bool:
        """Whether a start_time or end_time restricts the element."""
        return self.start_minute is not None or self.end_minute is not None


NO_RESTRICTIONS = Restrictions()


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Component:
    """One PriceComponent; ``index`` is its position in its element."""

    index: int
    type: str
    price: Decimal
    vat: Decimal | None
    step_size: int
    #: 1 + vat/100, the factor from the amount before tax to the amount after it.
    rate: Decimal | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        rate = None if self.vat is None else 1 + self.vat / 100
        object.__setattr__(self, "rate", rate)


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Element:
    """One TariffElement; ``index`` is its position in its tariff."""

    index: int
    components: tuple[Component, ...]
    restrictions: Restrictions
    by_type: dict[str, Component] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # The first component of each type wins; looked up for every dimension of every period.
        by_type: dict[str, Component] = {}
        for component in self.components:
            by_type.setdefault(component.type, component)
        object.__setattr__(self, "by_type", by_type)

    def component(self, dimension: str) -> Component | None:
        """The first component of a dimension type, if the element has one."""
        return self.by_type.get(dimension)


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class PricedTariff:
    """A tariff as the engine reads it."""

    id: str
    currency: str
    type: str | None
    tax_mode: TaxMode
    elements: tuple[Element, ...]
    min_price: Amount | None
    max_price: Amount | None
    valid_from: datetime | None
    valid_until: datetime | None
    #: Whether any element restricts on time of day, dates, days of the week or duration.
    time_restricted: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        timed = any(
            r.has_time_of_day
            or r.start_date is not None
            or r.end_date is not None
            or r.days is not None
            or r.min_duration is not None
            or r.max_duration is not None
            for r in (e.restrictions for e in self.elements)
        )
        object.__setattr__(self, "time_restricted", timed)

    def valid_at(self, instant: datetime) -> bool:
        """Whether start_date_time <= instant < end_date_time (absent bounds are open)."""
        if self.valid_from is not None and instant < self.valid_from:
            return False
        return self.valid_until is None or instant < self.valid_until


def _minute(value: str | None, end: bool) -> int | None:
    if value is None:
        return None
    hours, minutes = value.split(":")
    minute = int(hours) * 60 + int(minutes)
    # "00:00" as an end time is the end of the day (P-004); 2.1.1 also allows 24:00 and later.
    return 1440 if end and minute == 0 else minute


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _restrictions(raw: Any) -> Restrictions:
    if raw is None:
        return NO_RESTRICTIONS
    days = declared(raw, "day_of_week")
    reservation = declared(raw, "reservation")
    return Restrictions(
        start_minute=_minute(raw.start_time, end=False),
        end_minute=_minute(raw.end_time, end=True),
        start_date=raw.start_date,
        end_date=raw.end_date,
        min_kwh=_dec(raw.min_kwh),
        max_kwh=_dec(raw.max_kwh),
        min_current=_dec(declared(raw, "min_current")),
        max_current=_dec(declared(raw, "max_current")),
        min_power=_dec(raw.min_power),
        max_power=_dec(raw.max_power),
        min_duration=raw.min_duration,
        max_duration=raw.max_duration,
        days=None if not days else frozenset(d._value_ for d in days),
        reservation=None if reservation is None else reservation._value_,
    )


def _tax_mode(tariff: Any) -> TaxMode:
    tax_included = declared(tariff, "tax_included")
    if tax_included is not None:
        return {"YES": TaxMode.INCLUDED, "NO": TaxMode.EXCLUDED}.get(
            tax_included.value, TaxMode.NONE
        )
    # 2.2.1 tariffs have country_code and a vat field; 2.1.1 tariffs have neither.
    return TaxMode.VAT if declared(tariff, "country_code") is not None else TaxMode.UNKNOWN


def _instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None  # not a real instant: reported by the schema checks; treated as open


# The engine's view of recently priced tariffs, by (class, id, last_updated): the CDRs of a
# crawl embed the same few tariffs again and again, and comparing a tariff with the one
# cached costs a fraction of converting it. A hit needs an equal tariff, so a party that
# changes a tariff without touching last_updated is still priced from what it sent.
_PRICED: dict[tuple[type, str, str | None], tuple[Any, PricedTariff]] = {}
_PRICED_MAX = 256


def priced_tariff(tariff: Any) -> PricedTariff:
    """The engine's view of a Tariff model of any supported version."""
    key = (type(tariff), tariff.id, declared(tariff, "last_updated"))
    hit = _PRICED.get(key)
    if hit is not None and hit[0] == tariff:
        return hit[1]
    priced = _priced(tariff)
    if len(_PRICED) >= _PRICED_MAX:
        del _PRICED[next(iter(_PRICED))]
    _PRICED[key] = (tariff, priced)
    return priced


def _priced(tariff: Any) -> PricedTariff:
    elements = tuple(
        Element(
            i,
            tuple(
                Component(
                    j,
                    pc.type._value_,
                    to_decimal(pc.price),
                    _dec(declared(pc, "vat")),
                    pc.step_size,
                )
                for j, pc in enumerate(element.price_components)
            ),
            _restrictions(element.restrictions),
        )
        for i, element in enumerate(tariff.elements)
    )
    tariff_type = declared(tariff, "type")
    min_price = declared(tariff, "min_price")
    max_price = declared(tariff, "max_price")
    return PricedTariff(
        id=tariff.id,
        currency=tariff.currency,
        type=None if tariff_type is None else tariff_type.value,
        tax_mode=_tax_mode(tariff),
        elements=elements,
        min_price=None if min_price is None else amount_of(min_price),
        max_price=None if max_price is None else amount_of(max_price),
        valid_from=_instant(declared(tariff, "start_date_time")),
        valid_until=_instant(declared(tariff, "end_date_time")),
    )
