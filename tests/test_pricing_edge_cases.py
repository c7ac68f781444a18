"""Edge cases found in review: each was priced wrongly or flagged wrongly before its fix."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from harness.checks import check_cdr
from harness.models import model_for
from harness.options import Options
from harness.pricing import PricingError, price_cdr, price_session, priced_tariff
from harness.pricing.engine import period_crossings
from tests.conftest import FIXTURES
from tests.pricing_helpers import el, pc, session, tariff, tariff_json

D = Decimal


def test_credit_negating_volumes_is_consistent_under_its_policy() -> None:
    # AMB-C-10=NEGATE_COSTS_AND_VOLUMES: a credit CDR with negated volumes is what it asks for
    cdr = json.loads((FIXTURES / "2.2.1" / "cdr" / "valid" / "credit.json").read_text())
    for period in cdr["charging_periods"]:
        for dim in period["dimensions"]:
            if dim["type"] in ("ENERGY", "TIME", "PARKING_TIME"):
                dim["volume"] = -dim["volume"]
    for key in ("total_energy", "total_time", "total_parking_time"):
        cdr[key] = -cdr[key]
    policy = Options({"AMB-C-10": "NEGATE_COSTS_AND_VOLUMES"})
    assert check_cdr(json.dumps(cdr), "2.2.1", policy) == []
    # and `ocpi-harness price` prices the same session the check compares with: the credited
    # one, whose price is the credit's total turned positive
    model = model_for("2.2.1", "cdr").model_validate_json(json.dumps(cdr))
    priced = price_cdr(model, "2.2.1", policy)
    assert priced.total.excl == -D(str(cdr["total_cost"]["excl_vat"]))


def test_a_period_of_no_time_at_the_end_bills_no_flat_fee() -> None:
    tariffs = [tariff("T", el(pc("FLAT", 5.0), start_time="11:00"), el(pc("TIME", 1.0)))]
    facts = session((0, {"TIME": 1.0}), (60, {"TIME": 0.0}), minutes=60)  # ends 11:00 local
    assert price_session(tariffs, facts).total.excl == D("1.0")


def test_a_flat_fee_of_parking_counts_as_parking_cost() -> None:
    tariffs = [
        tariff(
            "T",
            el(pc("ENERGY", 0.25)),
            el(pc("FLAT", 5.0), pc("PARKING_TIME", 2.0), max_power=1.0),
        )
    ]
    facts = session((0, {"ENERGY": 11.0, "TIME": 1.0}), (60, {"PARKING_TIME": 0.5}), minutes=90)
    result = price_session(tariffs, facts)
    assert result.subtotals["fixed"].excl == 0
    assert result.subtotals["parking"].excl == D("6.0")


def test_min_price_applies_to_taxes_included_at_an_unknown_rate() -> None:
    raw = {
        **tariff_json("T", el(pc("ENERGY", 0.25))),
        "min_price": {"before_taxes": 0.5},
        "tax_included": "YES",
    }
    model = model_for("2.3.0", "tariff").model_validate_json(json.dumps(raw))
    facts = session((0, {"ENERGY": 1.0, "TIME": 0.1}), minutes=6)
    result = price_session([priced_tariff(model)], facts)
    assert result.total.excl == D("0.5")
    assert result.adjustments[0].limit == "min_price"


def test_tariff_ids_match_exactly_before_ignoring_case() -> None:
    upper = tariff("T", el(pc("ENERGY", 1.0)))
    lower = tariff("t", el(pc("ENERGY", 2.0)), max_price={"excl_vat": 1.0})
    facts = session((0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60, tariff_id="T")
    assert price_session([upper, lower], facts).total.excl == D("10.0")


def test_min_max_of_the_tariff_that_priced_even_with_a_namesake() -> None:
    capped = tariff("T", el(pc("ENERGY", 1.0)), max_price={"excl_vat": 5.0})
    other = tariff("t", el(pc("ENERGY", 2.0)))
    facts = session((0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60, tariff_id=None)
    chosen = Options({"missing-tariff-id": "CHOSEN_TARIFF"})
    assert price_session([capped, other], facts, chosen).total.excl == D("5.0")


def test_two_versions_of_one_tariff_id_are_not_confused() -> None:
    old = tariff("T", el(pc("ENERGY", 1.0)), end_date_time="2024-03-04T09:30:00Z")
    new = tariff("T", el(pc("ENERGY", 2.0)), start_date_time="2024-03-04T09:30:00Z")
    facts = session(
        (0, {"ENERGY": 10.0, "TIME": 0.5}), (30, {"ENERGY": 10.0, "TIME": 0.5}),
        minutes=60, tariff_id=None,
    )  # fmt: skip
    options = Options({"missing-tariff-id": "CHOSEN_TARIFF", "AMB-C-20": "SWITCH_AT_BOUNDARY"})
    assert price_session([old, new], facts, options).total.excl == D("30.0")


@pytest.mark.parametrize("end_time", [None, "00:00"])
def test_continuous_interval_ends_as_end_date_begins(end_time: str | None) -> None:
    restrictions = {"start_date": "2024-03-01", "end_date": "2024-03-04", "start_time": "08:00"}
    if end_time:
        restrictions["end_time"] = end_time
    tariffs = [tariff("T", el(pc("ENERGY", 1.0), **restrictions), el(pc("ENERGY", 0.1)))]
    facts = session((0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60)  # on 2024-03-04
    continuous = Options({"AMB-C-07": "CONTINUOUS_INTERVAL"})
    assert price_session(tariffs, facts, continuous).total.excl == D("1.0")


def test_a_small_real_volume_is_billed_one_step_not_taken_for_noise() -> None:
    facts = session((0, {"TIME": 0.0002}), minutes=1)
    assert price_session([tariff("T", el(pc("TIME", 6.0, 300)))], facts).total.excl == D("0.5")
    energy = session((0, {"ENERGY": 0.00005, "TIME": 0.01}), minutes=1)
    assert price_session([tariff("T", el(pc("ENERGY", 1.0, 500)))], energy).total.excl == D("0.5")


def test_2_1_1_end_time_past_midnight_wraps() -> None:
    raw = {
        "id": "T",
        "currency": "EUR",
        "elements": [
            {"price_components": [pc("ENERGY", 1.0)],
             "restrictions": {"start_time": "22:00", "end_time": "26:00"}},
            {"price_components": [pc("ENERGY", 0.1)]},
        ],
        "last_updated": "2024-01-01T00:00:00Z",
    }  # fmt: skip
    model = model_for("2.1.1", "tariff").model_validate_json(json.dumps(raw))
    start = datetime(2024, 3, 5, 0, 0, tzinfo=timezone.utc)  # 01:00 in Amsterdam
    facts = session(
        (0, {"ENERGY": 10.0, "TIME": 0.5}),
        minutes=30,
        start=start,
        tariff_id=None,
        names_tariffs=False,
    )
    assert price_session([priced_tariff(model)], facts).total.excl == D("10.0")


def test_reject_zero_refuses_any_used_zero_step() -> None:
    tariffs = [tariff("T", el(pc("TIME", 1.0, 0), pc("PARKING_TIME", 1.0, 300)))]
    facts = session((0, {"TIME": 1.0}), (60, {"PARKING_TIME": 0.25}), minutes=75)
    with pytest.raises(PricingError, match="step_size 0 on TIME"):
        price_session(tariffs, facts, Options({"AMB-C-04": "REJECT_ZERO"}))


@pytest.mark.parametrize(
    ("token", "types", "expected"),
    [
        ("AD_HOC_USER", ("PROFILE_FAST", None), "2.0"),  # untyped: valid for all sessions
        ("RFID", ("AD_HOC_PAYMENT", "PROFILE_GREEN"), "2.0"),  # not the ad hoc one
        ("AD_HOC_USER", ("REGULAR", "AD_HOC_PAYMENT"), "2.0"),
    ],
)
def test_tariff_type_choice_ranks_the_types(
    token: str, types: tuple[str | None, str | None], expected: str
) -> None:
    first = tariff("A", el(pc("ENERGY", 0.1)), **({"type": types[0]} if types[0] else {}))
    second = tariff("B", el(pc("ENERGY", 0.2)), **({"type": types[1]} if types[1] else {}))
    facts = session(
        (0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60, tariff_id=None, token_type=token
    )
    chosen = Options({"missing-tariff-id": "CHOSEN_TARIFF"})
    assert price_session([first, second], facts, chosen).total.excl == D(expected)


def test_a_boundary_in_a_dst_gap_is_where_the_clock_jumps() -> None:
    # 02:30 does not exist on 2024-03-31 in Amsterdam: the element starts at 03:00 CEST
    tariffs = [tariff("T", el(pc("TIME", 1.0), start_time="02:30"), el(pc("TIME", 2.0)))]
    start = datetime(2024, 3, 31, 0, 0, tzinfo=timezone.utc)  # 01:00 CET
    facts = session((0, {"TIME": 80 / 60}), minutes=80, start=start)  # to 03:20 CEST
    [crossing] = period_crossings(tariffs, facts)
    assert crossing.local == "2024-03-31 03:00 Europe/Amsterdam"


def test_a_tariff_changed_without_a_new_last_updated_is_priced_as_sent() -> None:
    # priced_tariff remembers recent tariffs by (id, last_updated): the content must match too.
    model = model_for("2.2.1", "tariff")
    stamp = {"last_updated": "2025-01-01T00:00:00Z"}
    first = model.model_validate_json(json.dumps(tariff_json("T", el(pc("ENERGY", 1.0)), **stamp)))
    again = model.model_validate_json(json.dumps(tariff_json("T", el(pc("ENERGY", 1.0)), **stamp)))
    changed = model.model_validate_json(
        json.dumps(tariff_json("T", el(pc("ENERGY", 2.0)), **stamp))
    )
    assert priced_tariff(again) is priced_tariff(first)  # equal content: converted once
    assert priced_tariff(changed).elements[0].components[0].price == D("2.0")
    assert priced_tariff(first).elements[0].components[0].price == D("1.0")


def _reservation_then_charging() -> tuple[list[Any], Any]:
    """Issue 16: one period of 1 h charging and 0.5 h reservation; element 0 prices reserved
    time at 4.00/h, element 1 charging time at 1.00/h."""
    tariffs = [
        tariff(
            "T",
            el(pc("TIME", 4.00), reservation="RESERVATION"),
            el(pc("TIME", 1.00)),
        )
    ]
    return tariffs, session((0, {"TIME": 1.0, "RESERVATION_TIME": 0.5}), minutes=90)


def test_reservation_time_beside_charging_time_is_priced_by_the_reservation_element_p_009() -> None:
    # Given a period that holds reservation time and charging time
    tariffs, facts = _reservation_then_charging()
    # When it is priced
    pricing = price_session(tariffs, facts)
    # Then the reserved half hour is priced by the reservation element (P-009): 2.00 + 1.00
    assert pricing.total.excl == D("3.00")
    by_dimension = {line.dimension: line for line in pricing.lines}
    assert by_dimension["RESERVATION_TIME"].element == 0
    assert by_dimension["RESERVATION_TIME"].group == "reservation"
    assert by_dimension["TIME"].element == 1
    assert pricing.subtotals["reservation"].excl == D("2.00")
    assert pricing.subtotals["time"].excl == D("1.00")


def test_durations_count_from_the_charging_after_a_reservation_in_the_same_period_p_009() -> None:
    # Review of issue 16 item 2: given a tariff pricing reserved time at 4.00/h, energy free
    # for the first half hour of charging (max_duration 1800 s), then 0.25/kWh
    tariffs = [
        tariff(
            "T",
            el(pc("TIME", 4.00), reservation="RESERVATION"),
            el(pc("ENERGY", 0.0), max_duration=1800),
            el(pc("ENERGY", 0.25)),
        )
    ]
    # And 30 min of reservation, then 10 + 10 min of charging (2 kWh each), written split...
    split = session(
        (0, {"RESERVATION_TIME": 0.5}),
        (30, {"TIME": 1 / 6, "ENERGY": 2.0}),
        (40, {"TIME": 1 / 6, "ENERGY": 2.0}),
        minutes=50,
    )
    # ...and with the reservation and the first charging in one period
    joined = session(
        (0, {"RESERVATION_TIME": 0.5, "TIME": 1 / 6, "ENERGY": 2.0}),
        (40, {"TIME": 1 / 6, "ENERGY": 2.0}),
        minutes=50,
    )
    # When both are priced, Then charging starts after the reservation in both: 20 minutes
    # of charging are inside the free half hour, and only the reservation is billed
    assert price_session(tariffs, split).total.excl == D("2.00")
    assert price_session(tariffs, joined).total.excl == D("2.00")


def test_a_period_holding_reservation_and_charging_time_runs_across_a_price_change_c_012() -> None:
    # Given the same period: the reservation ends inside it and charging starts
    tariffs, facts = _reservation_then_charging()
    # When its periods are checked against the tariff's price changes
    [crossing] = period_crossings(tariffs, facts)
    # Then the period is named: TIME moves from the reservation element to the other one
    assert crossing.period == 0
    assert crossing.before == "tariff T element 0"
    assert crossing.after == "tariff T element 1"
    assert crossing.local.startswith("2024-03-04 10:30")
