"""The generator: every profile in every version it supports gives objects that validate and
price consistently; each profile does what it says; output is reproducible."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from faker import Faker

from harness.checks import check_object
from harness.findings import Level
from harness.generate import PROFILES, CdrGenerator, OcpiProvider, generate
from harness.generate.countries import COUNTRIES
from harness.models.datetimes import parse_datetime
from harness.options import OPTION_SPECS, Options
from harness.requirements import REGISTRY
from tests.conftest import FIXTURES

INFO = Level.INFO
PAIRS = [(name, version) for name, p in PROFILES.items() for version in p.versions]
SEEDS = ("7", "release-2.2.1")


def _serious(obj: dict[str, Any], version: str, kind: str) -> list[str]:
    findings = check_object(json.dumps(obj), version, kind)  # type: ignore[arg-type]
    return [f"{f.requirement} {f.path}: {f.message}" for f in findings if f.level is not Level.INFO]


def test_the_catalogue_has_at_least_20_profiles_each_naming_known_requirements() -> None:
    assert len(PROFILES) >= 20
    for profile in PROFILES.values():
        assert profile.requirements, profile.name
        for requirement in profile.requirements:
            assert requirement in REGISTRY or requirement in OPTION_SPECS, requirement
        assert set(profile.versions) <= {"2.1.1", "2.2.1", "2.3.0"}


@pytest.mark.parametrize(("profile", "version"), PAIRS, ids=[f"{p}-{v}" for p, v in PAIRS])
def test_every_generated_cdr_and_tariff_is_valid_and_consistent(profile: str, version: str) -> None:
    # Given a profile, a version and two seeds
    count = 2 if profile == "many-periods" else 6
    for seed in SEEDS:
        # When CDRs and tariffs are generated
        for cdr in generate("cdr", version, count, seed, profile):
            # Then each passes validation and the cost check with nothing above info level
            assert _serious(cdr, version, "cdr") == [], (seed, cdr["id"])
        for tariff in generate("tariff", version, 3, seed, profile):
            assert _serious(tariff, version, "tariff") == []


# The strictest step_size reading: no slack at all, every volume exactly as written; and
# amounts equal to the 4 decimals the generator writes.
_STRICTEST = Options(
    {
        "step-slack-seconds": "0",
        "step-slack-wh": "0",
        "tolerance-money": "0.00005",
        "drift-hints": "NONE",
    }
)


@pytest.mark.parametrize(("profile", "version"), PAIRS, ids=[f"{p}-{v}" for p, v in PAIRS])
def test_generated_totals_hold_under_the_strictest_step_size_reading(
    profile: str, version: str
) -> None:
    # Given a sample of generated CDRs (issue 16, item 12: the generator must not lean on
    # the oracle's slack, or a CPO reading its volumes as written bills other totals)
    count = 2 if profile == "many-periods" else 40
    for cdr in generate("cdr", version, count, "issue-16", profile):
        # When each is priced with no step slack at all
        findings = check_object(json.dumps(cdr), version, "cdr", _STRICTEST)
        # Then every total and sub-total is the one the generator wrote
        drift = [f.message for f in findings if f.requirement == "C-026" and f.level is not INFO]
        assert drift == [], cdr["id"]


def _local(cdr: dict[str, Any], field: str) -> datetime:
    country = next(c for c in COUNTRIES.values() if c.alpha3 == cdr["cdr_location"]["country"])
    return parse_datetime(cdr[field]).astimezone(ZoneInfo(country.time_zone))


def _dimensions(cdr: dict[str, Any]) -> set[str]:
    return {d["type"] for p in cdr["charging_periods"] for d in p["dimensions"]}


def _restrictions(cdr: dict[str, Any]) -> list[dict[str, Any]]:
    return [e.get("restrictions", {}) for t in cdr["tariffs"] for e in t["elements"]]


def _components(cdr: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for t in cdr["tariffs"] for e in t["elements"] for c in e["price_components"]]


# What each profile must show in a 2.2.1 CDR: proof that it stresses what it says.
PROOFS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "default": lambda c: {"FLAT", "ENERGY"} <= {x["type"] for x in _components(c)},
    "ac-slow": lambda c: c["total_time"] >= 4 and c["cdr_location"]["connector_power_type"] != "DC",
    "dc-fast": lambda c: (
        c["cdr_location"]["connector_power_type"] == "DC" and len(c["charging_periods"]) >= 3
    ),
    "long-parking": lambda c: c["total_parking_time"] >= 2,
    "time-of-day-boundary": lambda c: (
        any(r.get("start_time") for r in _restrictions(c)) and len(c["charging_periods"]) >= 2
    ),
    "midnight": lambda c: _local(c, "start_date_time").date() != _local(c, "end_date_time").date(),
    "dst-change": lambda c: (
        _local(c, "start_date_time").utcoffset() != _local(c, "end_date_time").utcoffset()
    ),
    "zero-energy": lambda c: c["total_energy"] == 0,
    "multi-day": lambda c: c["total_time"] >= 48,
    "many-periods": lambda c: len(c["charging_periods"]) >= 100,
    "credit": lambda c: (
        c["credit"] is True
        and c["credit_reference_id"] == c["id"][:-2]
        and c["total_cost"]["excl_vat"] < 0
    ),
    "step-size": lambda c: {x["step_size"] for x in _components(c)} == {900, 1800},
    "min-price": lambda c: c["total_cost"]["excl_vat"] == c["tariffs"][0]["min_price"]["excl_vat"],
    "max-price": lambda c: (
        "max_price" in c["tariffs"][0]
        and c["total_cost"]["excl_vat"] == c["tariffs"][0]["max_price"]["excl_vat"]
    ),
    "flat-only": lambda c: [x["type"] for x in _components(c)] == ["FLAT"],
    "free-of-charge": lambda c: c["total_cost"]["excl_vat"] == 0,
    "reservation": lambda c: (
        "RESERVATION_TIME" in _dimensions(c) and c["total_reservation_cost"]["excl_vat"] > 0
    ),
    "several-tariffs": lambda c: (
        len(c["tariffs"]) == 2
        and {p["tariff_id"] for p in c["charging_periods"]} == {t["id"] for t in c["tariffs"]}
    ),
    "power-levels": lambda c: any("max_power" in r for r in _restrictions(c)),
    "vat-zero": lambda c: {x.get("vat") for x in _components(c)} == {0.0},
    "no-vat": lambda c: (
        all("vat" not in x for x in _components(c)) and "incl_vat" not in c["total_cost"]
    ),
    "non-euro": lambda c: c["currency"] != "EUR",
    "max-length-strings": lambda c: (
        len(c["cdr_location"]["name"]) == 255
        and len(c["cdr_location"]["address"]) == 45
        and len(c["cdr_token"]["contract_id"]) == 36
        and any(ord(ch) > 127 for ch in c["cdr_location"]["name"])
    ),
    "signed-data": lambda c: len(c["signed_data"]["signed_values"]) == 2,
    "free-first-half-hour": lambda c: any(r.get("max_duration") == 1800 for r in _restrictions(c)),
    "every-optional-field": lambda c: (
        _optional_absent(c) == {"credit", "credit_reference_id"}
        and all(t["energy_mix"]["environ_impact"] for t in c["tariffs"])
        and "url" in c["signed_data"]
        and "state" in c["cdr_location"]
    ),
}


def _optional_absent(cdr: dict[str, Any]) -> set[str]:
    """The optional fields of the 2.2.1 CDR model that ``cdr`` leaves out."""
    from harness.models import model_for

    fields = model_for("2.2.1", "cdr").model_fields
    return {n for n, f in fields.items() if not f.is_required() and n not in cdr}


def test_every_profile_has_a_proof() -> None:
    assert set(PROOFS) == set(PROFILES)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_each_profile_does_what_it_says(profile: str) -> None:
    version = "2.2.1"
    cdrs = list(generate("cdr", version, 2 if profile == "many-periods" else 5, "7", profile))
    for cdr in cdrs:
        assert PROOFS[profile](cdr), (profile, cdr["id"])


def test_locations_and_tokens_are_consistent_with_their_country() -> None:
    for cdr in generate("cdr", "2.2.1", 40, "7", "default"):
        location = cdr["cdr_location"]
        country = next(c for c in COUNTRIES.values() if c.alpha3 == location["country"])
        assert cdr["country_code"] == country.alpha2
        assert cdr["currency"] == country.currency
        assert location["city"] in {city.name for city in country.cities}
        city = next(c for c in country.cities if c.name == location["city"])
        assert abs(float(location["coordinates"]["latitude"]) - city.latitude) < 0.05
        assert abs(float(location["coordinates"]["longitude"]) - city.longitude) < 0.05
        assert location["evse_id"].startswith(f"{country.alpha2}*{cdr['party_id']}*E")
        assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{3}-C[0-9A-F]{8}", cdr["cdr_token"]["contract_id"])
        pattern = next(c.postal for c in country.cities if c.name == location["city"])
        assert len(location["postal_code"]) == len(pattern)
        assert {t["vat"] for t in _components(cdr)} == {country.vat}


def test_2_1_1_locations_carry_the_time_zone_and_ascii_text() -> None:
    for cdr in generate("cdr", "2.1.1", 30, "7", "max-length-strings"):
        location = cdr["location"]
        country = next(c for c in COUNTRIES.values() if c.alpha3 == location["country"])
        assert location["time_zone"] == country.time_zone
        assert len(location["name"]) == 255
        assert location["name"].isascii()


def test_same_seed_same_objects_other_seed_other_objects_and_streams_resume() -> None:
    first = list(generate("cdr", "2.3.0", 8, 42, "dc-fast"))
    assert first == list(generate("cdr", "2.3.0", 8, 42, "dc-fast"))
    assert first != list(generate("cdr", "2.3.0", 8, 43, "dc-fast"))
    assert first[5:] == list(generate("cdr", "2.3.0", 3, 42, "dc-fast", start=5))


def test_a_profile_outside_its_versions_says_which_it_needs() -> None:
    with pytest.raises(ValueError, match=r"profile 'credit' needs OCPI 2\.2\.1 or 2\.3\.0"):
        CdrGenerator(1, "credit", "2.1.1")
    with pytest.raises(ValueError, match="unknown profile 'fast'; profiles: default"):
        CdrGenerator(1, "fast", "2.2.1")


def test_the_faker_provider_is_reproducible_and_valid() -> None:
    fake = Faker()
    fake.add_provider(OcpiProvider)
    fake.seed_instance(11)
    first = [fake.ocpi_cdr(version="2.3.0", profile="reservation") for _ in range(3)]
    tariff = fake.ocpi_tariff(version="2.1.1")
    fake.seed_instance(11)
    again = [fake.ocpi_cdr(version="2.3.0", profile="reservation") for _ in range(3)]
    assert first == again
    assert len({c["id"] for c in first}) == 3
    assert all(_serious(c, "2.3.0", "cdr") == [] for c in first)
    assert _serious(tariff, "2.1.1", "tariff") == []
    assert fake.ocpi_profile() in PROFILES
    assert fake.ocpi_profiles() == list(PROFILES)


def test_the_docs_list_every_profile() -> None:
    docs = (FIXTURES.parent / "docs" / "generate.md").read_text(encoding="utf-8")
    for name, profile in PROFILES.items():
        assert f"| `{name}` | {', '.join(profile.versions)} |" in docs, name
