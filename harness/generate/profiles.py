"""The scenario catalogue: named session profiles, each a case real implementations get wrong,
with the requirement ids it stresses.

A profile is data: the charger, how long the car charges and then stays, when the session
starts, which kind of tariff applies, and what else the CDR carries. ``harness.generate``
turns a profile and a seed into a location, a token, tariffs and a priced CDR.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.versions import SUPPORTED_VERSIONS, Version

ALL_VERSIONS: tuple[Version, ...] = SUPPORTED_VERSIONS
V22: tuple[Version, ...] = SUPPORTED_VERSIONS[1:]  # 2.2.1 and later


@dataclass(frozen=True, slots=True)
class Profile:
    """One scenario of the catalogue.

    ``charger``: "ac" or "dc". ``charge_minutes``/``park_minutes``: ranges of the time spent
    charging and then parked. ``start``: "day" (a usual hour), "boundary" (shortly before a
    time-of-day price change), "midnight", "dst" (across a change of summer time). ``tariff``:
    the kind of tariff (see ``harness.generate.tariffs``). ``periods``: "few" or "many" (a new
    period every few minutes, as smart charging reports). ``vat``: "standard", "zero" or
    "none". ``currency``: "home" (the country's) or "non-eur" (a country without the euro).
    """

    name: str
    summary: str
    requirements: tuple[str, ...]
    charger: str = "ac"
    charge_minutes: tuple[int, int] = (60, 240)
    park_minutes: tuple[int, int] = (0, 20)
    start: str = "day"
    tariff: str = "energy+flat"
    periods: str = "few"
    vat: str = "standard"
    currency: str = "home"
    strings: str = "normal"
    credit: bool = False
    signed: bool = False
    reservation: bool = False
    zero_energy: bool = False
    every_optional: bool = False  # every optional field that leaves the price as it is
    versions: tuple[Version, ...] = ALL_VERSIONS


_CATALOGUE = (
    Profile(
        "default",
        "A typical AC session: a couple of hours of charging, a start fee and a price per kWh",
        ("C-001", "C-010", "C-026"),
    ),
    Profile(
        "ac-slow",
        "Slow AC charging for many hours at a low power, priced per hour",
        ("C-010", "C-011", "P-010", "P-022"),
        charge_minutes=(240, 600),
        tariff="time",
    ),
    Profile(
        "dc-fast",
        "DC fast charging in three steps of falling power (the charging curve)",
        ("C-010", "C-026", "P-007"),
        charger="dc",
        charge_minutes=(15, 45),
        park_minutes=(0, 5),
        tariff="energy+flat",
    ),
    Profile(
        "long-parking",
        "Charging, then hours of parking billed per started step after charging",
        ("C-011", "P-014", "P-023", "C-010"),
        charge_minutes=(60, 120),
        park_minutes=(120, 480),
        tariff="time+parking",
    ),
    Profile(
        "time-of-day-boundary",
        "Starts shortly before the tariff's peak/off-peak switch: a new period at the switch",
        ("C-012", "P-001", "P-004"),
        start="boundary",
        charge_minutes=(60, 150),
        tariff="time-of-day",
    ),
    Profile(
        "midnight",
        "Crosses midnight into a day with another price (day-of-week restriction)",
        ("C-012", "P-003", "P-004"),
        start="midnight",
        charge_minutes=(60, 180),
        tariff="weekend",
    ),
    Profile(
        "dst-change",
        "Runs across a change of summer time under a time-of-day tariff",
        ("P-004", "AMB-C-06", "T-TYPE-02"),
        start="dst",
        charge_minutes=(90, 240),
        tariff="time-of-day",
    ),
    Profile(
        "zero-energy",
        "Plugged in but no energy flowed: only the start fee and parking are billed",
        ("C-010", "C-026", "P-010"),
        charge_minutes=(5, 20),
        park_minutes=(10, 60),
        tariff="energy+parking",
        zero_energy=True,
    ),
    Profile(
        "multi-day",
        "A session of several days under a time-of-day tariff: a period at every switch",
        ("C-011", "C-012", "P-004"),
        charge_minutes=(300, 600),
        park_minutes=(2 * 1440, 5 * 1440),
        tariff="time-of-day",
    ),
    Profile(
        "many-periods",
        "Hundreds of charging periods, as smart charging reports a power change every minutes",
        ("C-009", "C-010", "P-012"),
        charge_minutes=(300, 600),
        periods="many",
        tariff="energy+flat",
    ),
    Profile(
        "credit",
        "A credit CDR: new id, credit=true, credit_reference_id, every cost amount negated",
        ("C-004", "C-006", "C-007", "AMB-C-10"),
        credit=True,
        versions=V22,
    ),
    Profile(
        "step-size",
        "Time billed per 15 minutes and parking per started half hour (step_size)",
        ("P-011", "P-012", "P-013", "P-014"),
        charge_minutes=(20, 100),
        park_minutes=(5, 50),
        tariff="step-size",
    ),
    Profile(
        "min-price",
        "A short session under a tariff whose min_price applies",
        ("P-017", "C-019", "AMB-C-21"),
        charge_minutes=(3, 10),
        park_minutes=(0, 2),
        tariff="min-price",
        versions=V22,
    ),
    Profile(
        "max-price",
        "A long DC session capped by the tariff's max_price",
        ("P-018", "C-019", "AMB-C-21"),
        charger="dc",
        charge_minutes=(40, 60),
        tariff="max-price",
        versions=V22,
    ),
    Profile(
        "flat-only",
        "One flat fee per session whatever the energy and time",
        ("P-010", "AMB-C-03"),
        tariff="flat",
    ),
    Profile(
        "free-of-charge",
        "The free-of-charge tariff: one FLAT component of price 0 and step_size 0",
        ("TF-009", "AMB-C-04"),
        tariff="free",
    ),
    Profile(
        "reservation",
        "A reservation priced per hour and a reservation fee, then charging",
        ("P-009", "P-025", "C-021"),
        reservation=True,
        tariff="reservation",
        versions=V22,
    ),
    Profile(
        "several-tariffs",
        "Charging under one tariff and parking under another: periods name their tariff",
        ("C-014", "P-001", "TF-008"),
        park_minutes=(30, 90),
        tariff="two-tariffs",
        versions=V22,
    ),
    Profile(
        "power-levels",
        "DC power thresholds: the price per kWh depends on the power of each period",
        ("P-007", "AMB-C-23", "C-012"),
        charger="dc",
        charge_minutes=(20, 60),
        tariff="power",
    ),
    Profile(
        "vat-zero",
        "Tariffs with VAT 0 %: amounts after tax equal those before",
        ("P-019", "TF-013", "C-018"),
        vat="zero",
    ),
    Profile(
        "no-vat",
        "Tariffs without vat: 2.2.1 adds no VAT, 2.3.0 says tax_included N/A",
        ("P-019", "P-020", "TF-013"),
        vat="none",
    ),
    Profile(
        "non-euro",
        "A country without the euro (GBP, CHF, SEK, NOK, DKK, PLN, HUF)",
        ("C-017", "AMB-C-13", "P-021"),
        currency="non-eur",
    ),
    Profile(
        "max-length-strings",
        "Every string at its maximum length, non-ASCII where the version allows it",
        ("C-002", "T-TYPE-03", "T-TYPE-04"),
        strings="max-length",
    ),
    Profile(
        "signed-data",
        "Signed meter values (OCMF) with the CDR",
        ("C-027", "AMB-C-18"),
        signed=True,
        versions=V22,
    ),
    Profile(
        "every-optional-field",
        "Every optional field that leaves the price as it is: signed data, the references, a "
        "remark, zero sub-totals, the tariffs' energy mix with its environmental impact, alt "
        "texts and validity window",
        ("C-001", "T-CDR-03"),
        signed=True,
        every_optional=True,
    ),
    Profile(
        "free-first-half-hour",
        "Energy is free for the first 30 minutes (max_duration), then priced",
        ("P-008", "C-012", "AMB-C-25"),
        charge_minutes=(45, 120),
        tariff="duration",
    ),
)

PROFILES: dict[str, Profile] = {p.name: p for p in _CATALOGUE}


def get_profile(name: str) -> Profile:
    """A profile by name; a ValueError lists the names."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown profile {name!r}; profiles: {', '.join(PROFILES)} (see --list-profiles)"
        ) from None
