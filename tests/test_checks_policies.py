"""Option-dependent behaviour of the object checks (each option changes the outcome)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.checks import check_cdr, check_tariff
from harness.findings import Level
from harness.options import Options
from tests.conftest import FIXTURES


def _load(version: str, kind: str, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (FIXTURES / version / kind / "valid" / f"{name}.json").read_text("utf-8")
    )
    return loaded


def _levels(findings: list[Any], requirement: str) -> list[Level]:
    return [f.level for f in findings if f.requirement == requirement]


def test_unknown_fields_follow_amb_c_17() -> None:
    # Given a 2.2.1 CDR with a 2.1.1 field name next to its own
    cdr = {**_load("2.2.1", "cdr", "full"), "stop_date_time": "2024-03-05T19:30:00Z"}
    # Then it is a warning by default, an error under STRICT_REJECT, silent under IGNORE
    assert _levels(check_cdr(cdr, "2.2.1"), "H-FIELD-01") == [Level.WARNING]
    strict = check_cdr(cdr, "2.2.1", Options({"AMB-C-17": "STRICT_REJECT"}))
    assert _levels(strict, "H-FIELD-01") == [Level.ERROR]
    assert "'end_date_time' since 2.2" in strict[0].message
    assert _levels(check_cdr(cdr, "2.2.1", Options({"AMB-C-17": "IGNORE"})), "H-FIELD-01") == []


def test_2_3_0_never_rejects_unknown_fields() -> None:
    cdr = {**_load("2.3.0", "cdr", "full"), "x_vendor_flag": True}
    findings = check_cdr(cdr, "2.3.0", Options({"AMB-C-17": "STRICT_REJECT"}))
    assert _levels(findings, "H-FIELD-01") == [Level.WARNING]


def test_totals_drift_follows_amb_c_11_and_tolerance() -> None:
    cdr = {**_load("2.2.1", "cdr", "full"), "total_energy": 16.505}
    # A CDR that contradicts itself fails by default (revised AMB-C-11), warns when asked
    assert _levels(check_cdr(cdr, "2.2.1"), "C-010") == [Level.ERROR]
    assert _levels(check_cdr(cdr, "2.2.1", Options({"tolerance-kwh": "0.01"})), "C-010") == []
    lenient = Options({"AMB-C-11": "WARN_WITH_TOLERANCE"})
    assert _levels(check_cdr(cdr, "2.2.1", lenient), "C-010") == [Level.WARNING]
    assert _levels(check_cdr(cdr, "2.2.1", Options({"AMB-C-11": "IGNORE"})), "C-010") == []


def test_unresolved_tariff_id_follows_amb_c_12() -> None:
    cdr = _load("2.2.1", "cdr", "full")
    cdr["charging_periods"][0]["tariff_id"] = "OTHER"
    assert _levels(check_cdr(cdr, "2.2.1"), "C-014") == [Level.ERROR]
    lookup = check_cdr(cdr, "2.2.1", Options({"AMB-C-12": "LOOKUP_TARIFF_MODULE"}))
    assert _levels(lookup, "C-014") == [Level.INFO]


def test_currency_mismatch_follows_amb_c_13() -> None:
    cdr = _load("2.2.1", "cdr", "full")
    cdr["tariffs"][0]["currency"] = "USD"
    # A tariff in another currency is refused by default (revised AMB-C-13), warns when asked
    assert _levels(check_cdr(cdr, "2.2.1"), "C-017") == [Level.ERROR]
    assert _levels(check_cdr(cdr, "2.2.1", Options({"AMB-C-13": "WARN"})), "C-017") == [
        Level.WARNING
    ]


def test_epoch_placeholder_follows_amb_c_14() -> None:
    cdr = {**_load("2.2.1", "cdr", "full"), "start_date_time": "1970-1-1T00:00:00Z"}
    accepted = check_cdr(cdr, "2.2.1")
    assert _levels(accepted, "T-TYPE-02") == []
    assert _levels(check_cdr(cdr, "2.2.1", Options({"AMB-C-14": "REJECT"})), "T-TYPE-02") == [
        Level.ERROR
    ]


def test_2_1_1_location_evses_follow_amb_c_15() -> None:
    cdr = _load("2.1.1", "cdr", "full")
    cdr["location"]["evses"] = []
    assert _levels(check_cdr(cdr, "2.1.1"), "H-LOC-01") == [Level.ERROR]
    assert _levels(check_cdr(cdr, "2.1.1", Options({"AMB-C-15": "ALLOW_EMPTY"})), "H-LOC-01") == []


def test_plain_data_length_follows_amb_c_18() -> None:
    cdr = _load("2.2.1", "cdr", "full")
    cdr["signed_data"]["signed_values"][0]["plain_data"] = "x" * 600
    assert _levels(check_cdr(cdr, "2.2.1"), "C-027") == []
    assert _levels(check_cdr(cdr, "2.2.1", Options({"AMB-C-18": "STRICT_TAG_512"})), "C-027") == [
        Level.ERROR
    ]


def test_credit_amounts_follow_amb_c_10() -> None:
    credit = _load("2.2.1", "cdr", "credit")
    # The fixture negates every cost field: fine by default, flagged under TOTAL_COST_ONLY
    assert _levels(check_cdr(credit, "2.2.1"), "C-006") == []
    only_total = check_cdr(credit, "2.2.1", Options({"AMB-C-10": "NEGATE_TOTAL_COST_ONLY"}))
    assert set(_levels(only_total, "C-006")) == {Level.WARNING}
    volumes = check_cdr(credit, "2.2.1", Options({"AMB-C-10": "NEGATE_COSTS_AND_VOLUMES"}))
    assert any("total_energy" in f.path for f in volumes if f.requirement == "C-006")


def test_schema_errors_never_raise_on_garbage() -> None:
    for raw in (b"", b"null", b"[]", b"{", b"\xff", "{}", 42, [1, 2], {"id": None}):
        findings = check_cdr(raw, "2.2.1")
        assert [f for f in findings if f.level is Level.ERROR]
        # (beside the errors: notes of the rules the schema's errors kept from being judged)
        assert all(f.level is Level.ERROR or f.outcome == "partial" for f in findings)
    assert check_tariff(b"{}", "2.3.0")


def _edited(version: str, name: str, **changes: Any) -> dict[str, Any]:
    cdr = _load(version, "cdr", name)
    cdr.update(changes)
    return cdr


@pytest.mark.parametrize(
    ("version", "cdr", "requirement", "path", "level"),
    [
        (
            "2.1.1",
            _edited("2.1.1", "full", total_cost=-1.0),
            "C-028",
            "$.total_cost",
            Level.WARNING,
        ),
        (
            "2.2.1",
            _edited("2.2.1", "full", total_cost={"excl_vat": -1.0}),
            "C-006",
            "$.total_cost",
            Level.WARNING,
        ),
        (
            "2.2.1",
            _edited("2.2.1", "full", total_parking_time=-0.5),
            "C-011",
            "$.total_parking_time",
            Level.ERROR,
        ),
        (
            "2.2.1",
            _edited(
                "2.2.1",
                "full",
                total_reservation_cost=None,
                total_cost={"excl_vat": 5.0, "incl_vat": 6.0},
            ),
            "C-019",
            "$.total_cost",
            Level.ERROR,
        ),
        (
            "2.2.1",
            _edited("2.2.1", "credit", total_cost={"excl_vat": -7.625, "incl_vat": -7.0}),
            "C-018",
            "$.total_cost",
            Level.WARNING,
        ),
        (
            "2.3.0",
            _edited(
                "2.3.0",
                "full",
                cdr_location={
                    **_load("2.3.0", "cdr", "full")["cdr_location"],
                    "connector_standard": "X_NEW_PLUG",
                },
            ),
            "T-TYPE-10",
            "$.cdr_location.connector_standard",
            Level.INFO,
        ),
    ],
)
def test_each_branch_fires_on_the_object_that_breaks_it(
    version: str, cdr: dict[str, Any], requirement: str, path: str, level: Level
) -> None:
    # Given a valid fixture edited to break one rule, when it is checked
    findings = check_cdr(cdr, version)
    # Then that rule's finding is there at its path and level
    assert (requirement, path, level) in {(f.requirement, f.path, f.level) for f in findings}


def test_a_credit_negating_only_total_cost_is_judged_by_the_same_reading_c_018_c_019() -> None:
    # Given a credit CDR that negates total_cost only, as AMB-C-10=NEGATE_TOTAL_COST_ONLY
    # reads the spec: its sub-totals keep the original, positive amounts
    credit = _load("2.2.1", "cdr", "credit")
    for name, value in credit.items():
        if name.startswith("total_") and name.endswith("_cost") and name != "total_cost":
            credit[name] = {side: abs(amount) for side, amount in value.items()}
    only_total = Options({"AMB-C-10": "NEGATE_TOTAL_COST_ONLY"})
    # When it is checked under that option, with totals strict (AMB-C-11) too
    strict = Options({**only_total.values, "AMB-C-11": "FAIL_WITH_TOLERANCE"})
    for options in (only_total, strict):
        findings = check_cdr(credit, "2.2.1", options)
        # Then the tax and sub-total checks read the sub-totals as that option does: positive
        # amounts with tax above them, adding up to the total the credit negates
        assert _levels(findings, "C-018") == []
        assert _levels(findings, "C-019") == []
    # And the same CDR under the default (every cost negated) is told its sub-totals are wrong
    assert _levels(check_cdr(credit, "2.2.1"), "C-006")


def test_a_credit_negating_only_total_cost_still_adds_up_c_019() -> None:
    # Given the same credit CDR whose sub-totals add up to more than the total it negates
    credit = _load("2.2.1", "cdr", "credit")
    for name, value in credit.items():
        if name.startswith("total_") and name.endswith("_cost") and name != "total_cost":
            credit[name] = {side: abs(amount) for side, amount in value.items()}
    credit["total_energy_cost"] = {"excl_vat": 5.125, "incl_vat": 5.6375}
    findings = check_cdr(credit, "2.2.1", Options({"AMB-C-10": "NEGATE_TOTAL_COST_ONLY"}))
    # Then C-019 says so, as for any CDR
    assert _levels(findings, "C-019") == [Level.ERROR]


def test_2_1_1_opening_times_need_regular_hours_or_twentyfourseven_c_001() -> None:
    # Given a 2.1.1 CDR whose location's opening_times has neither regular_hours nor
    # twentyfourseven (the 2.1.1 Hours table: one of the two)
    cdr = _load("2.1.1", "cdr", "full")
    cdr["location"]["opening_times"] = {"exceptional_closings": []}
    # When it is checked
    findings = [f for f in check_cdr(cdr, "2.1.1") if f.requirement == "C-001"]
    # Then that is an error at opening_times
    assert [(f.path, f.level) for f in findings] == [("$.location.opening_times", Level.ERROR)]
    # And either one alone is enough (the spec's example sends both, which passes too)
    regular = _load("2.1.1", "cdr", "full")["location"]["opening_times"]["regular_hours"]
    for hours in ({"twentyfourseven": True}, {"regular_hours": regular}):
        cdr["location"]["opening_times"] = hours
        assert not [f for f in check_cdr(cdr, "2.1.1") if f.requirement == "C-001"]
