"""The cost-consistency check (C-026): passes on CDRs the tariffs price exactly, fails on each
kind of drift, and says why it could not price when it cannot."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from harness.checks import check_cdr, check_model
from harness.findings import Finding, Level
from harness.models import model_for
from harness.options import Options
from harness.pricing import priced_tariff, session_from_cdr
from harness.pricing.relevance import relevant_options
from tests.conftest import FIXTURES, FixtureCase, fixture_cases

VALID_CDRS = [c for c in fixture_cases() if c.kind == "cdr" and c.verdict == "valid"]


def full(version: str = "2.2.1") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / version / "cdr" / "valid" / "full.json").read_text()
    )
    return data


def cost(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.requirement == "C-026"]


@pytest.mark.parametrize("case", VALID_CDRS, ids=[c.id for c in VALID_CDRS])
def test_every_valid_fixture_cdr_prices_consistently(case: FixtureCase) -> None:
    findings = check_cdr(case.path.read_bytes(), case.version, Options(case.options))
    assert not [f for f in cost(findings) if f.level is not Level.INFO], cost(findings)
    # and its periods start at every price change (C-012)
    assert not [f for f in findings if f.requirement == "C-012"]


def test_a_period_across_a_price_change_is_reported_where_it_changes() -> None:
    raw = (
        FIXTURES / "2.2.1" / "cdr" / "invalid" / "C-012--period-runs-across-a-price-change.json"
    ).read_bytes()
    [finding] = [f for f in check_cdr(raw, "2.2.1") if f.requirement == "C-012"]
    assert finding.path == "$.charging_periods[0]"
    assert "2024-03-04 17:00 Europe/Amsterdam" in finding.message
    assert "ENERGY moves from tariff 24 element 0 to tariff 24 element 1" in finding.message
    # Read in UTC, 17:00 local is 16:00: no longer inside the period (16:00-17:30 local)
    in_utc = check_cdr(raw, "2.2.1", Options({"AMB-C-05": "UTC"}))
    assert not [f for f in in_utc if f.requirement == "C-012"]


def test_duration_and_day_boundaries_are_found() -> None:
    # A 3-hour period under max_duration 3600 and a Sunday-only element, starting Saturday 23:00
    cdr = full()
    cdr["start_date_time"] = "2024-03-09T22:00:00Z"
    cdr["end_date_time"] = "2024-03-10T01:00:00Z"
    cdr["total_time"] = 3.0
    cdr["charging_periods"] = [
        {
            "start_date_time": "2024-03-09T22:00:00Z",
            "tariff_id": "T1",
            "dimensions": [{"type": "ENERGY", "volume": 16.5}, {"type": "TIME", "volume": 3.0}],
        }
    ]
    restrictions = [{"max_duration": 3600}, {"day_of_week": ["SUNDAY"]}]
    for restriction in restrictions:
        variant = copy.deepcopy(cdr)
        variant["tariffs"][0]["elements"].insert(
            0,
            {
                "price_components": [{"type": "TIME", "price": 9.0, "step_size": 1}],
                "restrictions": restriction,
            },
        )
        found = [f for f in check_cdr(json.dumps(variant), "2.2.1") if f.requirement == "C-012"]
        assert found, restriction
        assert "TIME moves" in found[0].message


@pytest.mark.parametrize("version", ["2.1.1", "2.2.1", "2.3.0"])
def test_total_off_by_a_few_percent_is_reported_with_both_amounts(version: str) -> None:
    cdr = full(version)
    if version == "2.1.1":
        cdr["total_cost"] = 7.90
    elif version == "2.2.1":
        cdr["total_cost"] = {"excl_vat": 7.90, "incl_vat": 8.5375}
    else:
        cdr["total_cost"]["before_taxes"] = 7.90
    findings = cost(check_cdr(json.dumps(cdr), version))
    # (2.3.0 states the amount after taxes as before_taxes + taxes: that one drifts too)
    [finding] = [
        f
        for f in findings
        if f.path in ("$.total_cost", "$.total_cost.excl_vat", "$.total_cost.before_taxes")
    ]
    # (no policy gives 7.90: an error by default, revised AMB-C-11)
    assert finding.level is Level.ERROR
    assert (finding.expected, finding.seen) == ("7.625", "7.9")
    assert "FLAT 0.5, ENERGY 4.125, TIME 2, PARKING_TIME 1" in finding.message


def test_strict_fail_makes_drift_an_error_and_ignore_silences_it() -> None:
    cdr = full()
    cdr["total_energy_cost"] = {"excl_vat": 5.0, "incl_vat": 5.5}
    strict = cost(check_cdr(json.dumps(cdr), "2.2.1", Options({"AMB-C-11": "FAIL_WITH_TOLERANCE"})))
    assert {f.path for f in strict} == {
        "$.total_energy_cost.excl_vat",
        "$.total_energy_cost.incl_vat",
    }
    assert all(f.level is Level.ERROR for f in strict)
    assert "ENERGY" in strict[0].message
    assert not cost(check_cdr(json.dumps(cdr), "2.2.1", Options({"AMB-C-11": "IGNORE"})))


def test_tolerance_money_decides_what_is_a_drift() -> None:
    cdr = full()
    cdr["total_cost"] = {"excl_vat": 7.63, "incl_vat": 8.54}
    assert not cost(check_cdr(json.dumps(cdr), "2.2.1"))
    strict = Options({"tolerance-money": "0.001"})
    assert len(cost(check_cdr(json.dumps(cdr), "2.2.1", strict))) == 2


def test_no_tariffs_is_an_info_not_an_error() -> None:
    cdr = full()
    del cdr["tariffs"]
    [finding] = cost(check_cdr(json.dumps(cdr), "2.2.1"))
    assert finding.level is Level.INFO
    assert "embeds no tariffs and none were supplied" in finding.message


def test_tariffs_from_the_tariffs_module_price_a_cdr_without_them() -> None:
    cdr = full()
    tariff = cdr.pop("tariffs")[0]
    model = model_for("2.2.1", "cdr").model_validate_json(json.dumps(cdr))
    tariff_model = model_for("2.2.1", "tariff").model_validate_json(json.dumps(tariff))
    assert not cost(list(check_model(model, "2.2.1", "cdr", tariffs=(tariff_model,))))
    cheaper = copy.deepcopy(tariff)
    cheaper["elements"][0]["price_components"][1]["price"] = 0.20
    other = model_for("2.2.1", "tariff").model_validate_json(json.dumps(cheaper))
    drift = cost(list(check_model(model, "2.2.1", "cdr", tariffs=(other,))))
    assert "$.total_energy_cost.excl_vat" in {f.path for f in drift}


def test_refused_tariff_is_a_tf_002_error() -> None:
    cdr = full()
    cdr["tariffs"][0]["elements"][0]["price_components"][0]["price"] = -1.0
    options = Options({"AMB-C-19": "REJECT_NEGATIVE_PRICE"})
    errors = [f for f in check_cdr(json.dumps(cdr), "2.2.1", options) if f.requirement == "TF-002"]
    assert errors
    assert errors[0].level is Level.ERROR
    assert "negative FLAT price" in errors[0].message


def test_credit_cdr_is_compared_with_the_negated_price() -> None:
    credit = json.loads((FIXTURES / "2.2.1" / "cdr" / "valid" / "credit.json").read_text())
    assert not cost(check_cdr(json.dumps(credit), "2.2.1"))
    # Under NEGATE_TOTAL_COST_ONLY, the sub-totals of a credit CDR stay positive
    only_total = Options({"AMB-C-10": "NEGATE_TOTAL_COST_ONLY"})
    paths = {f.path for f in cost(check_cdr(json.dumps(credit), "2.2.1", only_total))}
    assert "$.total_energy_cost.excl_vat" in paths
    assert "$.total_cost.excl_vat" not in paths


def test_time_zone_from_the_locations_module_changes_the_price() -> None:
    # H-01: 22:00-06:00 cheaper energy; read in New York time nothing falls in the window
    cdr = (FIXTURES / "2.2.1" / "cdr" / "valid" / "price-H-01-overnight-window.json").read_text()
    model = model_for("2.2.1", "cdr").model_validate_json(cdr)
    assert not cost(list(check_model(model, "2.2.1", "cdr")))
    moved = cost(list(check_model(model, "2.2.1", "cdr", time_zone="America/New_York")))
    assert {f.path for f in moved} == {"$.total_cost.excl_vat", "$.total_cost.incl_vat"}


def _drift_messages(name: str, options: Options) -> str:
    # (a drift a policy explains is a warning fixture, one none explains an invalid one)
    [path] = (FIXTURES / "2.2.1" / "cdr").glob(f"*/C-026--{name}-total-off.json")
    raw = path.read_bytes()
    return " ".join(f.message for f in cost(check_cdr(raw, "2.2.1", options)))


def test_drift_hints_name_a_policy_or_a_dimension_as_the_option_says() -> None:
    legacy, start_fee = "the price under option AMB-C-02=PER_PERIOD", "FLAT amount 0.5"
    assert legacy in _drift_messages("V-17", Options())
    assert legacy not in _drift_messages("V-17", Options({"drift-hints": "DIMENSIONS"}))
    assert start_fee in _drift_messages("V-02", Options({"drift-hints": "DIMENSIONS"}))
    assert start_fee not in _drift_messages("V-02", Options({"drift-hints": "NONE"}))


def test_only_policies_that_can_matter_are_tried() -> None:
    def relevant(name: str) -> tuple[str, ...]:
        raw = (FIXTURES / "2.2.1" / "cdr" / "valid" / f"{name}.json").read_text()
        cdr: Any = model_for("2.2.1", "cdr").model_validate_json(raw)
        tariffs = [priced_tariff(t) for t in cdr.tariffs]
        return relevant_options(tariffs, session_from_cdr(cdr, "2.2.1"))

    # A one-element energy tariff with step_size 1: only monetary rounding can matter
    assert relevant("price-V-01") == ("AMB-C-08",)
    # The complex tariff: element choice, steps, FLAT, time windows, current thresholds
    complex_ = relevant("price-V-10a")
    assert {"AMB-C-01", "AMB-C-02", "AMB-C-03", "AMB-C-05", "AMB-C-23"} <= set(complex_)
    assert "AMB-C-21" not in complex_
    assert "AMB-C-21" in relevant("price-V-05a")
    assert "AMB-C-25" not in relevant("price-V-12")  # a reservation, but no duration limits


def test_a_drift_a_named_policy_explains_warns_naming_it_and_one_none_explains_fails() -> None:
    # Given V-17 priced per period (AMB-C-02=PER_PERIOD gives its total) and V-02 without its
    # start fee (no policy gives that total)
    def levels(name: str) -> set[Level]:
        [path] = (FIXTURES / "2.2.1" / "cdr").glob(f"*/C-026--{name}-total-off.json")
        return {f.level for f in cost(check_cdr(path.read_bytes(), "2.2.1"))}

    # When each is checked under the default options
    # Then the explained drift is a warning that names the policy, the other an error
    assert levels("V-17") == {Level.WARNING}
    assert "AMB-C-02=PER_PERIOD" in _drift_messages("V-17", Options())
    assert levels("V-02") == {Level.ERROR}


def test_a_policy_hint_needs_the_amounts_before_and_after_tax() -> None:
    # Given V-17 stated as priced per period (AMB-C-02=PER_PERIOD gives 1.20 before tax) but
    # with 1.44 after tax, where that policy (the tariff has no vat) gives 1.20
    [path] = (FIXTURES / "2.2.1" / "cdr").glob("*/C-026--V-17-total-off.json")
    cdr = json.loads(path.read_text())
    cdr["total_cost"]["incl_vat"] = 1.44
    # When it is checked
    drift = [f for f in cost(check_cdr(cdr, "2.2.1")) if f.path.startswith("$.total_cost")]
    # Then no policy is named, since none gives both amounts, and the drift stays an error
    assert drift
    assert not [f for f in drift if "AMB-C-02=PER_PERIOD" in f.message]
    assert {f.level for f in drift} == {Level.ERROR}


def test_a_period_holding_reservation_and_charging_time_is_reported_c_012() -> None:
    # Given a CDR whose first period holds 0.5 h of reservation besides its charging, under a
    # tariff that prices reserved time on its own element
    cdr = full()
    reservation = {
        "price_components": [{"type": "TIME", "price": 4.0, "vat": 10.0, "step_size": 1}],
        "restrictions": {"reservation": "RESERVATION"},
    }
    cdr["tariffs"][0]["elements"].insert(0, reservation)
    cdr["start_date_time"] = "2024-03-05T16:30:00Z"
    cdr["charging_periods"][0]["start_date_time"] = "2024-03-05T16:30:00Z"
    cdr["charging_periods"][0]["dimensions"].append({"type": "RESERVATION_TIME", "volume": 0.5})
    cdr["total_time"] = 3.0
    # When it is checked
    [finding] = [f for f in check_cdr(cdr, "2.2.1") if f.requirement == "C-012"]
    # Then that period is named: the reservation ends inside it, where the price changes
    assert finding.path == "$.charging_periods[0]"
    assert finding.level is Level.WARNING
    assert "RESERVATION_TIME" in finding.message
    assert "tariff T1 element 0" in finding.message
