"""The code-list checks (harness/checks/codes.py) beyond the fixtures: what they accept that a
naive list would refuse, and what their messages say."""

from __future__ import annotations

import json
from typing import Any

from harness.checks import check_object
from harness.findings import Finding, Level
from harness.generate import generate
from tests.object_cases import valid_fixture

_CODE_CHECKS = {
    "check_currency_code",
    "check_party_country_codes",
    "check_languages",
    "check_cdr_location_codes",
    "check_location_codes_211",
    "check_na_location_ids",
}


def _codes(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.check in _CODE_CHECKS]


def test_a_lower_case_country_code_is_the_same_cistring() -> None:
    # Given a 2.2.1 CDR whose country codes are written in lower case (CiString)
    cdr = valid_fixture("2.2.1", "cdr")
    cdr["country_code"] = "nl"
    cdr["cdr_token"]["country_code"] = "de"
    # Then no code finding: the codes are case-insensitive
    assert _codes(check_object(cdr, "2.2.1", "cdr")) == []


def test_kosovo_is_accepted_though_user_assigned() -> None:
    cdr = valid_fixture("2.2.1", "cdr")
    cdr["cdr_token"]["country_code"] = "XK"
    cdr["cdr_location"]["country"] = "XKX"
    assert _codes(check_object(cdr, "2.2.1", "cdr")) == []


def test_a_withdrawn_code_is_named_withdrawn_and_an_unknown_one_unknown() -> None:
    cdr = valid_fixture("2.2.1", "cdr")
    cdr["cdr_token"]["country_code"] = "YU"
    cdr["country_code"] = "QQ"
    messages = {f.path: f.message for f in _codes(check_object(cdr, "2.2.1", "cdr"))}
    assert "withdrawn ISO 3166-1 alpha-2 code" in messages["$.cdr_token.country_code"]
    assert "'QQ' is not an ISO 3166-1 alpha-2 country code" in messages["$.country_code"]


def test_coordinates_on_the_edge_of_the_globe_are_accepted() -> None:
    cdr = valid_fixture("2.2.1", "cdr")
    cdr["cdr_location"]["coordinates"] = {"latitude": "-90.00000", "longitude": "180.00000"}
    assert _codes(check_object(cdr, "2.2.1", "cdr")) == []
    cdr["cdr_location"]["coordinates"]["latitude"] = "-90.00001"
    (finding,) = _codes(check_object(cdr, "2.2.1", "cdr"))
    assert finding.requirement == "C-023"
    assert "lies off the globe" in finding.message
    assert "-90.00001" in finding.message


def _reservation_cdr(version: str) -> dict[str, Any]:
    """The full fixture as the CDR of a reservation that never became a session: one period
    of reservation time only."""
    cdr = valid_fixture(version, "cdr")
    cdr["charging_periods"] = [
        {
            "start_date_time": cdr["start_date_time"],
            "dimensions": [{"type": "RESERVATION_TIME", "volume": cdr["total_time"]}],
        }
    ]
    return cdr


def test_na_ids_are_accepted_in_a_reservation_only_cdr_and_warned_in_a_charging_one() -> None:
    for version in ("2.2.1", "2.3.0"):
        # Given a reservation-only CDR whose EVSE and connector are #NA
        cdr = _reservation_cdr(version)
        for name in ("evse_uid", "evse_id", "connector_id"):
            cdr["cdr_location"][name] = "#NA"
        # Then the CDR is accepted without a C-022 finding
        assert [f for f in check_object(cdr, version, "cdr") if f.requirement == "C-022"] == []
        # And once it also carries a charging period, #NA is a warning naming the periods
        cdr["charging_periods"].append(
            {
                "start_date_time": cdr["charging_periods"][-1]["start_date_time"],
                "dimensions": [{"type": "ENERGY", "volume": 1.0}],
            }
        )
        found = [f for f in check_object(cdr, version, "cdr") if f.requirement == "C-022"]
        assert [f.level for f in found] == [Level.WARNING]
        assert "evse_uid, evse_id, connector_id are '#NA'" in found[0].message
        assert "ENERGY" in found[0].message


def test_every_generated_and_fixture_value_is_from_its_list() -> None:
    # The generator draws countries, currencies and zones that the checks accept
    for version in ("2.1.1", "2.2.1", "2.3.0"):
        for profile in ("default", "non-euro", "every-optional-field", "max-length-strings"):
            for cdr in generate("cdr", version, 30, seed=11, profile=profile):
                found = _codes(check_object(json.loads(json.dumps(cdr)), version, "cdr"))
                assert found == [], (version, profile, found)


def test_a_withdrawn_currency_is_right_before_its_withdrawal_and_wrong_after() -> None:
    # Given a 2.2.1 CDR (sessions of 2024) in Bulgarian leva, which ISO 4217 lists no more
    # (Bulgaria took the euro in 2026)
    cdr = valid_fixture("2.2.1", "cdr")
    cdr["currency"] = "BGN"
    for tariff in cdr["tariffs"]:
        tariff["currency"] = "BGN"
    # Then it is accepted: BGN was legal tender when the session took place
    assert _codes(check_object(cdr, "2.2.1", "cdr")) == []
    # And a CDR of a session after the withdrawal gets the error, with the day it ended
    cdr["start_date_time"] = "2026-03-01T10:00:00Z"
    (finding,) = [f for f in _codes(check_object(cdr, "2.2.1", "cdr")) if f.path == "$.currency"]
    assert finding.requirement == "C-017"
    assert "'BGN' was withdrawn from ISO 4217" in finding.message
    assert "after 2026-01-31 (CLDR), and this object is of 2026-03-01" in finding.message


def test_a_renamed_language_code_is_a_warning_naming_the_new_one() -> None:
    tariff = valid_fixture("2.2.1", "tariff")
    tariff["tariff_alt_text"] = [{"language": "iw", "text": "2 EUR/h"}]
    (finding,) = _codes(check_object(tariff, "2.2.1", "tariff"))
    assert finding.level == Level.WARNING
    assert "withdrawn ISO 639-1 code of 'he'" in finding.message
    tariff["tariff_alt_text"] = [{"language": "he", "text": "2 EUR/h"}]
    assert _codes(check_object(tariff, "2.2.1", "tariff")) == []
