"""Tariffs a CPO of a given country would publish, by kind, at believable price levels.

Tariffs are built in 2.2.1 shape (``harness.generate.render`` gives the other versions). Each
kind names the restriction or price rule it is about; ``SWITCH_TIMES`` are the local times at
which the time-of-day kind changes price (the "boundary" start window aims at them).
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import Any

from harness.generate.countries import Country

_WEEKEND = ["SATURDAY", "SUNDAY"]
#: Local wall-clock times where the time-of-day tariff switches between peak and off-peak.
SWITCH_TIMES = ("07:00", "22:00")


def _price(rng: Random, bounds: tuple[float, float], decimals: int) -> float:
    low, high = bounds
    return round(rng.uniform(low, high), decimals)


def price_component(
    kind: str, price: float, step: int = 1, vat: float | None = None
) -> dict[str, Any]:
    """A PriceComponent as JSON, keys in the spec's order (no vat key when ``vat`` is None)."""
    out: dict[str, Any] = {"type": kind, "price": price}
    if vat is not None:
        out["vat"] = vat
    out["step_size"] = step
    return out


def tariff_element(*components: dict[str, Any], **restrictions: Any) -> dict[str, Any]:
    """A TariffElement as JSON, with restrictions when any are given."""
    out: dict[str, Any] = {"price_components": list(components)}
    if restrictions:
        out["restrictions"] = restrictions
    return out


class TariffMaker:
    """Builds the tariffs of one kind for a country, with the VAT policy of a profile."""

    def __init__(self, rng: Random, country: Country, vat: str, charger: str):
        self.rng = rng
        self.country = country
        self.prices = country.prices
        self.decimals = country.prices.decimals if country.prices.decimals else 0
        self.vat = {"standard": country.vat, "zero": 0.0}.get(vat)
        self.energy = self.prices.energy_dc if charger == "dc" else self.prices.energy_ac

    def price(self, bounds: tuple[float, float], factor: float = 1.0) -> float:
        low, high = bounds
        return _price(self.rng, (low * factor, high * factor), max(self.decimals, 2))

    def pc(self, kind: str, bounds: tuple[float, float], step: int = 1, f: float = 1.0) -> Any:
        """A price component of ``kind`` priced within ``bounds`` (times ``f``)."""
        return price_component(kind, self.price(bounds, f), step, self.vat)

    def kind(self, kind: str) -> list[list[dict[str, Any]]]:
        """The elements of each tariff of ``kind`` (one tariff, or two for "two-tariffs"),
        and min/max prices set as tariff-level fields by ``limits``."""
        e, p = self.energy, self.prices
        plans: dict[str, Callable[[], list[list[dict[str, Any]]]]] = {
            "energy": lambda: [[tariff_element(self.pc("ENERGY", e))]],
            "energy+flat": lambda: [
                [tariff_element(self.pc("FLAT", p.start_fee), self.pc("ENERGY", e))]
            ],
            "energy+parking": lambda: [
                [
                    tariff_element(
                        self.pc("FLAT", p.start_fee),
                        self.pc("ENERGY", e),
                        self.pc("PARKING_TIME", p.parking, 300),
                    )
                ]
            ],
            "time": lambda: [[tariff_element(self.pc("TIME", p.time, 60))]],
            "time+parking": lambda: [
                [
                    tariff_element(
                        self.pc("TIME", p.time, 60), self.pc("PARKING_TIME", p.parking, 900)
                    )
                ]
            ],
            "time-of-day": lambda: [
                [
                    tariff_element(
                        self.pc("ENERGY", e, f=0.7), start_time="22:00", end_time="07:00"
                    ),
                    tariff_element(self.pc("ENERGY", e), self.pc("PARKING_TIME", p.parking, 300)),
                ]
            ],
            "weekend": lambda: [
                [
                    tariff_element(
                        self.pc("TIME", p.time, 60, f=0.5), day_of_week=["SATURDAY", "SUNDAY"]
                    ),
                    tariff_element(self.pc("TIME", p.time, 60)),
                ]
            ],
            "step-size": lambda: [
                [
                    tariff_element(
                        self.pc("TIME", p.time, 900), self.pc("PARKING_TIME", p.parking, 1800)
                    )
                ]
            ],
            "min-price": lambda: [[tariff_element(self.pc("ENERGY", e))]],
            "max-price": lambda: [
                [tariff_element(self.pc("FLAT", p.start_fee), self.pc("ENERGY", e))]
            ],
            "flat": lambda: [[tariff_element(self.pc("FLAT", p.start_fee, f=4.0))]],
            "free": lambda: [[tariff_element(price_component("FLAT", 0.0, 0, None))]],
            "reservation": lambda: [
                [
                    tariff_element(
                        self.pc("FLAT", p.start_fee),
                        self.pc("TIME", p.time, 300),
                        reservation="RESERVATION",
                    ),
                    tariff_element(self.pc("FLAT", p.start_fee), self.pc("ENERGY", e)),
                ]
            ],
            "two-tariffs": lambda: [
                [tariff_element(self.pc("FLAT", p.start_fee), self.pc("ENERGY", e))],
                [tariff_element(self.pc("PARKING_TIME", p.parking, 300))],
            ],
            "power": lambda: [
                [
                    tariff_element(self.pc("ENERGY", e, f=0.8), max_power=50.0),
                    tariff_element(self.pc("ENERGY", e), max_power=150.0),
                    tariff_element(self.pc("ENERGY", e, f=1.2)),
                ]
            ],
            "duration": lambda: [
                [
                    tariff_element(price_component("ENERGY", 0.0, 1, self.vat), max_duration=1800),
                    tariff_element(self.pc("ENERGY", e)),
                ]
            ],
        }
        if kind not in plans:
            raise ValueError(f"unknown tariff kind {kind!r}")
        return plans[kind]()

    def limits(self, kind: str, elements: list[dict[str, Any]]) -> dict[str, Any]:
        """min_price / max_price of the kinds that have them, excl and incl of VAT: a minimum
        worth 5 kWh (above what the short sessions of that profile charge) or a maximum worth
        10 kWh (below what the long ones charge), so that the limit applies."""
        if kind not in ("min-price", "max-price"):
            return {}
        energy = next(c["price"] for e in elements for c in e["price_components"]
                  if c["type"] == "ENERGY")  # fmt: skip
        if kind == "min-price":
            return {"min_price": self.money(round(energy * 5, 2))}
        if kind == "max-price":
            return {"max_price": self.money(round(energy * 10, 2))}
        return {}

    def money(self, excl: float) -> dict[str, float]:
        """A 2.2.1 Price of ``excl`` with the VAT in force (none: no incl_vat)."""
        out = {"excl_vat": excl}
        if self.vat is not None:
            out["incl_vat"] = round(excl * (1 + self.vat / 100), 4)
        return out


def make_tariffs(
    rng: Random,
    country: Country,
    party_id: str,
    kind: str,
    vat: str,
    charger: str,
    tariff_id: str,
    updated: str,
) -> list[dict[str, Any]]:
    """The tariffs of ``kind`` a CPO ``party_id`` of ``country`` publishes (2.2.1 shape)."""
    maker = TariffMaker(rng, country, vat, charger)
    tariffs = []
    for i, elements in enumerate(maker.kind(kind)):
        tariffs.append(
            {
                "country_code": country.alpha2,
                "party_id": party_id,
                "id": tariff_id if i == 0 else f"{tariff_id}-P",
                "currency": country.currency,
                **(maker.limits(kind, elements) if i == 0 else {}),
                "elements": elements,
                "last_updated": updated,
            }
        )
    return tariffs
