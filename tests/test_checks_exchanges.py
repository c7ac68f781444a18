"""Each exchange check, on hand-built exchanges: it gives exactly the requirements its
breaking input breaks, and nothing on an input that keeps its rules (tests/exchange_cases.py)."""

from __future__ import annotations

import pytest

from harness.findings import Level
from tests.exchange_cases import CASES, Case
from tests.outcome_cases import OUTCOME_CASES

ALL = CASES + OUTCOME_CASES


@pytest.mark.parametrize("case", ALL, ids=[f"{c.check}: {c.name}" for c in ALL])
def test_each_check_fails_exactly_on_what_breaks_its_rule(case: Case) -> None:
    # Given an exchange (or crawl) that keeps or breaks the rule, or that lacks the evidence,
    # When the check runs
    found = case.call()
    # Then it names the requirements broken, and every finding names the check that made it
    judged = {f.requirement for f in found if f.check == case.check and f.outcome is None}
    assert judged == case.emits, found
    assert all(f.check is not None for f in found), found
    # And it says which rules it could not judge, at info level, naming the root cause
    blocked = [f for f in found if f.outcome == "blocked"]
    assert {f.requirement for f in blocked} == case.blocks, found
    assert all(f.level is Level.INFO and f.cause and f.seen for f in blocked), blocked
    assert {f.requirement for f in found if f.outcome == "partial"} == case.partials, found
    if not case.emits and not case.blocks and not case.partials:
        assert found == [], found


def test_a_cdr_served_back_changed_names_each_field_and_both_values() -> None:
    from harness.checks.receiver import check_served_back
    from tests.exchange_cases import V22, envelope, exchange

    # Given a CDR sent with an optional field, fractional seconds and a mixed-case id
    sent = {"id": "CDR-Ab1", "start_date_time": "2025-01-01T10:00:00.250Z", "remark": "x"}
    # When it comes back with the field dropped, the time cut to seconds, the id lower-cased
    got = {"id": "cdr-ab1", "start_date_time": "2025-01-01T10:00:00Z"}
    found = check_served_back(exchange(envelope(got)), sent, V22, "CDR 1")
    said = {f.path: (f.level.value, f.message) for f in found}
    # Then each field is its own finding with what was sent and what came back
    assert said["$.remark"] == ("error", "CDR 1 came back without $.remark (sent 'x')")
    assert said["$.start_date_time"][0] == "error"
    assert (
        "cut to another precision: sent '2025-01-01T10:00:00.250Z'" in said["$.start_date_time"][1]
    )
    # And a case-only change of a CiString is a warning (CiStrings compare case-insensitively)
    assert said["$.id"] == ("warning", "CDR 1 came back with a field in other letter case: $.id")


def test_every_field_lower_cased_is_one_warning_and_an_empty_list_is_no_field() -> None:
    from harness.checks.receiver import check_served_back
    from tests.exchange_cases import V22, envelope, exchange

    # Given a CDR whose CiStrings a receiver lower-cases, and that adds [] for a list not sent
    sent = {"id": "CDR-A", "party_id": "ABC", "country_code": "NL", "session_id": "S-1"}
    got = {**{k: v.lower() for k, v in sent.items()}, "signed_data": None, "tariffs": []}
    # When the read-back is judged
    found = check_served_back(exchange(envelope(got)), sent, V22, "CDR 1")
    # Then one warning names the four fields, and the empty list is no difference
    assert [(f.level.value, f.message) for f in found] == [
        (
            "warning",
            "CDR 1 came back with 4 fields in other letter case: $.country_code, $.id, "
            "$.party_id, $.session_id",
        )
    ]


def test_the_same_instant_written_alike_is_no_difference() -> None:
    from harness.checks.receiver import check_served_back
    from tests.exchange_cases import V22, envelope, exchange

    # Given a DateTime sent with Z and served back with explicit zero milliseconds
    sent = {"id": "CDR1", "last_updated": "2025-01-01T10:00:00Z"}
    got = {"id": "CDR1", "last_updated": "2025-01-01T10:00:00.000Z"}
    # When the read-back is judged, Then nothing differs
    assert check_served_back(exchange(envelope(got)), sent, V22, "CDR 1") == []


def test_urls_derived_for_a_diagnostic_read_are_on_the_endpoint() -> None:
    from harness.checks.receiver import derived_cdr_urls

    # Given a 2.2.1 CDR and its receiver endpoint, When URLs are derived to read it at
    urls = derived_cdr_urls(
        "https://t.example/ocpi/emsp/2.2.1/cdrs/",
        {"id": "CDR 1", "country_code": "NL", "party_id": "ABC"},
    )
    # Then they are the endpoint with the id, then with country, party and id, encoded
    assert urls == [
        "https://t.example/ocpi/emsp/2.2.1/cdrs/CDR%201",
        "https://t.example/ocpi/emsp/2.2.1/cdrs/NL/ABC/CDR%201",
    ]


def test_a_derived_read_is_a_labelled_warning_never_an_error() -> None:
    from harness.checks.receiver import check_read_at_derived_url
    from tests.exchange_cases import V22, envelope, exchange

    # Given a receiver serving the CDR at a derived URL as a list of one, lower-cased
    sent = {"id": "CDR1", "remark": "x"}
    fetched = exchange(envelope([{"id": "cdr1"}]))
    # When the diagnostic read is judged
    found = check_read_at_derived_url(fetched, sent, V22, "CDR 1")
    # Then each fact is a warning that says where it was seen
    assert {f.level.value for f in found} == {"warning"}
    assert all(f.message.startswith("diagnostic (the Location was unusable) at ") for f in found)
    assert any("served as a list of one, not as one CDR" in f.message for f in found)
    assert any("came back without $.remark" in f.message for f in found)


def test_discovery_follows_a_redirect_only_on_the_target_origin() -> None:
    from harness.checks.discovery import redirect_on_origin
    from tests.exchange_cases import URL, exchange

    # Given redirects to a slash added, to another host, and to the same URL
    slash = exchange(None, 308, {"Location": "cdrs/"}, url=URL)
    away = exchange(None, 308, {"Location": "https://elsewhere.example/ocpi/2.2.1/cdrs/"})
    same = exchange(None, 307, {"Location": URL})
    # When discovery asks where to go on, Then only the one on the target's origin is taken
    assert redirect_on_origin(slash) == "https://target.example/ocpi/2.2.1/cdrs/"
    assert redirect_on_origin(away) is None
    assert redirect_on_origin(same) is None
    # And an answer that is no redirect leads nowhere
    assert redirect_on_origin(exchange(None, 200, {"Location": URL + "/"})) is None


def test_a_lone_version_object_where_the_list_belongs_is_still_read() -> None:
    from harness.checks.discovery import check_versions, details_url
    from tests.exchange_cases import envelope, exchange

    # Given a versions answer whose data is one {version, url} object, not a list of them
    versions = exchange(envelope({"version": "2.2.1", "url": "https://t.example/2.2.1"}))
    # When it is judged and read, Then the shape is a T-VER-01 finding and discovery goes on
    assert [f.requirement for f in check_versions(versions, "2.2.1")] == ["T-VER-01"]
    assert details_url(versions, "2.2.1") == "https://t.example/2.2.1"


def test_a_case_change_of_what_is_no_cistring_is_a_change() -> None:
    from harness.checks.receiver import check_served_back
    from tests.exchange_cases import V22, envelope, exchange

    # Given a CDR whose enum and location name a receiver served back lower-cased
    sent = {"id": "CDR-A", "auth_method": "WHITELIST", "cdr_location": {"name": "Gare Nord"}}
    got = {"id": "cdr-a", "auth_method": "whitelist", "cdr_location": {"name": "gare nord"}}
    # When the read-back is judged
    found = check_served_back(exchange(envelope(got)), sent, V22, "CDR 1")
    said = {(f.level.value, f.path) for f in found}
    # Then only the CiString id is the case warning; the enum and the name are changes
    assert said == {
        ("warning", "$.id"),
        ("error", "$.auth_method"),
        ("error", "$.cdr_location.name"),
    }
