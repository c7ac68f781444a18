"""The cost oracle against the spec's worked examples and our own vectors
(fixtures/pricing/vectors.json, written by fixtures/build.py), in every version they apply to."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from harness.models import model_for
from harness.models.amounts import to_decimal
from harness.models.datetimes import parse_datetime
from harness.options import OPTION_SPECS, Options
from harness.pricing import PRICING_OPTIONS, Period, Pricing, Session, price_session, priced_tariff
from tests.conftest import FIXTURES

VECTORS: list[dict[str, Any]] = json.loads(
    (FIXTURES / "pricing" / "vectors.json").read_text(encoding="utf-8")
)
CASES = [(v, version) for v in VECTORS for version in v["expect"]]
# Volumes in hours are written with 6 decimals (5 min = 0.083333 h), so a price may differ
# from the exact one by about a millionth of a currency unit.
PRECISION = Decimal("0.00001")


def session_of(raw: dict[str, Any], version: str) -> Session:
    """A Session from the vector's facts, as a CDR of ``version`` would give it."""
    starts = [parse_datetime(p["start"]) for p in raw["periods"]]
    end = parse_datetime(raw["end"])
    periods = tuple(
        Period(
            start,
            starts[i + 1] if i + 1 < len(starts) else end,
            {d["type"]: to_decimal(d["volume"]) for d in p["dimensions"]},
            p["tariff_id"] if version != "2.1.1" else None,
        )
        for i, (start, p) in enumerate(zip(starts, raw["periods"], strict=True))
    )
    return Session(
        parse_datetime(raw["start"]),
        end,
        periods,
        token_type=raw["token_type"],
        time_zone=raw["time_zone"],
        names_tariffs=version != "2.1.1",
    )


def price_vector(vector: dict[str, Any], version: str) -> Pricing:
    model = model_for(version, "tariff")
    tariffs = [
        priced_tariff(model.model_validate_json(json.dumps(t))) for t in vector["tariffs"][version]
    ]
    options = Options(vector.get("options", {}))
    return price_session(tariffs, session_of(vector["session"], version), options)


@pytest.mark.parametrize(
    ("vector", "version"), CASES, ids=[f"{v['id']}-{version}" for v, version in CASES]
)
def test_vector_prices_to_its_expected_total(vector: dict[str, Any], version: str) -> None:
    # Given a vector's tariffs and session in one version, under its options
    # When the oracle prices it
    pricing = price_vector(vector, version)
    # Then each expected side of the total is what the spec (or our arithmetic) says
    expect = vector["expect"][version]
    for side in ("excl", "incl"):
        if side not in expect:
            continue
        got = getattr(pricing.total, side)
        assert got is not None, f"{vector['id']} {version}: {side} unknown"
        assert abs(got - Decimal(expect[side])) < PRECISION, (
            f"{vector['id']} {version} {side}: expected {expect[side]}, got {got}\n"
            + "\n".join(str(line) for line in pricing.lines)
        )
    # And nothing was left unpriced
    assert not pricing.unpriced


def test_every_spec_worked_example_is_a_vector() -> None:
    spec_ids = {
        "V-01", "V-02", "V-03a", "V-03b", "V-04", "V-05a", "V-05b", "V-06", "V-07", "V-08",
        "V-09a", "V-10a", "V-10b", "V-11", "V-12", "V-13", "V-14a", "V-14b", "V-15a", "V-15b",
        "V-16", "V-17", "V-18", "V-19", "V-20", "V-21", "V-22", "V-23", "V-24", "V-25", "V-26",
    }  # fmt: skip
    ids = {v["id"] for v in VECTORS}
    assert spec_ids <= ids
    assert {f"V-27-step-{s}" for s in (1, 25, 500)} <= ids


@pytest.mark.parametrize("vector", [v for v in VECTORS if "default" in v], ids=lambda v: v["id"])
def test_policy_vector_differs_from_its_default(vector: dict[str, Any]) -> None:
    # Given a vector priced under a non-default policy and the same session at the defaults
    default = next(v for v in VECTORS if v["id"] == vector["default"])
    changed = [
        version
        for version, expect in vector["expect"].items()
        if expect != {k: default["expect"][version][k] for k in expect}
    ]
    # Then the policy changes the expected result in some version, and the oracle follows
    assert changed, vector["id"]
    for version in changed:
        assert price_vector(default, version).total != price_vector(vector, version).total


def test_vectors_cover_each_value_of_most_pricing_options() -> None:
    # Options whose other values are proven by unit tests in test_pricing_policies.py instead
    # (they raise, change only sub-totals, or need tariffs with validity windows).
    elsewhere = {
        ("AMB-C-04", "REJECT_ZERO"),
        ("AMB-C-19", "REJECT_NEGATIVE_PRICE"),
        ("AMB-C-20", "SWITCH_AT_BOUNDARY"),
        ("AMB-C-21", "PRORATE_SUBTOTALS"),
        ("AMB-C-23", "MIN_DIMENSION"),
        ("missing-tariff-id", "CHOSEN_TARIFF"),
        # Gives an amount after tax where the default knows none, which a vector (expecting
        # what the default gives) cannot set against it.
        ("missing-vat", "ZERO_TAX"),
    }
    covered = {(k, x) for v in VECTORS if "default" in v for k, x in v["options"].items()}
    for option_id in PRICING_OPTIONS:
        for value in OPTION_SPECS[option_id].choices:
            if value == OPTION_SPECS[option_id].default:
                continue
            assert (option_id, value) in covered | elsewhere, (option_id, value)


def test_spec_printed_errata_are_recorded_and_differ() -> None:
    # AMB-C-24: where the spec prints a different number, the vector keeps it for reference
    printed = [v for v in VECTORS if "spec_printed" in v]
    assert {v["id"] for v in printed} >= {"V-08", "V-09a", "V-10b", "V-18"}
    for vector in printed:
        expect = vector["expect"]["2.2.1"]
        assert any(
            Decimal(vector["spec_printed"][k]) != Decimal(expect[k])
            for k in expect
            if k in vector["spec_printed"]
        )
