"""Rules whose evidence another failure took away are blocked, naming that root cause, never
failed (the verdicts issue, items 1 and 2): runs of the suites against partners with one defect
each, read through the JSON summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hostile_servers import Behaviour, hostile_partner
from tests.mock_helpers import import_harness, run_suites

import_harness()

TOKEN = "receiver-token-0123"


def _summary(pytester: pytest.Pytester, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "summary.json"
    run = run_suites(
        pytester, "-p", "no:cacheprovider", "-p", "no:xdist", "--ocpi-json", str(out), *args
    )
    assert out.exists(), run.stdout[-3000:]
    summary: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return summary


def _judged(
    pytester: pytest.Pytester, tmp_path: Path, partner: Behaviour, role: str, *args: str
) -> dict[str, Any]:
    """The summary of the suites run against ``partner`` (a hostile server) in ``role``."""
    with hostile_partner(partner) as url:
        return _summary(
            pytester, tmp_path, "--target-url", url, "--target-token", TOKEN,
            "--target-role", role, *args,
        )  # fmt: skip


def _outcomes(summary: dict[str, Any]) -> dict[str, str]:
    return {row["id"]: row["outcome"] for row in summary["requirements"]}


@pytest.mark.usefixtures("own_secrets")
def test_a_location_off_the_origin_blocks_the_read_back_and_leads_what_to_fix(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a receiver that accepts every CDR with a Location on another port (the token must
    # not go there, so no CDR can be read back)
    elsewhere = "http://127.0.0.1:9/ocpi/2.2.1/cdrs/NL/ABC/{id}"
    with hostile_partner(Behaviour(TOKEN, echo=False, location=elsewhere)) as url:
        # When the receiver suite judges it (one profile of the round trip is enough)
        summary = _summary(
            pytester, tmp_path, "--target-url", url, "--target-token", TOKEN,
            "--target-role", "emsp", "-k", "not each_profile or default",
        )  # fmt: skip
    outcomes = _outcomes(summary)
    # Then the Location is the finding, and what needs the CDR read back is blocked by it,
    # not failed: neither "changed by PUT/PATCH" nor "replaced by a second POST" is claimed
    assert outcomes["H-HTTP-03"] == "fail"
    for rule in ("T-CDR-03", "T-CDR-04", "C-005"):
        assert outcomes[rule] == "blocked", (rule, outcomes)
    # And "What to fix" leads with the root cause, counting what it blocked
    first = summary["to_fix"][0]
    assert first["requirement"] == "H-HTTP-03"
    assert first["blocks"] >= 3
    listed = {item["requirement"] for item in summary["to_fix"]}
    assert not listed & {"T-CDR-03", "T-CDR-04", "C-005"}
    # And the rules with evidence are still judged: every CDR is accepted, even an invalid one
    assert outcomes["C-001"] == "fail"
    assert outcomes["T-CDR-01"] == "pass"


@pytest.mark.usefixtures("own_secrets")
def test_a_location_nothing_serves_still_gets_the_cdr_read_at_a_derived_url(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a receiver whose Location holds a language's enum (nothing serves it), that
    # keeps each pushed CDR lower-cased and serves it at <endpoint>/<id> as a list of one
    broken = "{base}/ocpi/VersionNumber.v_2_2_1/cdrs/{id}"
    with hostile_partner(Behaviour(TOKEN, echo=False, location=broken, serves_pushed=True)) as url:
        # When the receiver's read-back tests judge it (two profiles are enough)
        summary = _summary(
            pytester, tmp_path, "--target-url", url, "--target-token", TOKEN,
            "--target-role", "emsp",
            "-k", "each_profile and (default or signed) or known_id or posting_needs",
        )  # fmt: skip
    outcomes = _outcomes(summary)
    findings = [f for t in summary["tests"] for f in t["findings"]]
    served = [f for f in findings if f["requirement"] == "T-CDR-03"]
    # Then the Location is what fails T-CDR-03, with the deciding fact
    errors = [f["message"] for f in served if f["level"] == "error"]
    assert outcomes["T-CDR-03"] == "fail"
    assert errors
    assert all("GET of the Location of" in m and "HTTP 404" in m for m in errors)
    # And the CDR read at the derived URL tells its shape and its round trip, as warnings
    diagnostic = [f for f in served if f["message"].startswith("diagnostic (the Location")]
    assert diagnostic
    assert {f["level"] for f in diagnostic} == {"warning"}
    said = " ".join(f["message"] for f in diagnostic)
    assert "is served as a list of one, not as one CDR" in said
    assert "came back with a field in other letter case: $.id" in said
    # And PUT/PATCH and a second POST are not judged on the unreadable Location
    for rule in ("T-CDR-04", "C-005"):
        assert outcomes[rule] == "blocked", (rule, outcomes)


def test_a_discovery_that_fails_blocks_the_suites_instead_of_erroring_them(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given the embedded mock answering every request with HTTP 500
    summary = _summary(pytester, tmp_path, "--ocpi-mock-fault", "server-error")
    outcomes = _outcomes(summary)
    # Then the server error is the finding, every other requirement (the versions list
    # included) is blocked by it, and no test errors (a requirement never checked is not in
    # "What to fix")
    assert summary["counts"]["tests"]["error"] == 0
    failing = {rule for rule, outcome in outcomes.items() if outcome == "fail"}
    assert failing == {"T-HTTP-02"}
    assert outcomes["T-VER-01"] == "blocked"
    # (the partner's client is judged only with --ocpi-direction: its rules are not run)
    client_side = {
        row["id"]
        for row in summary["requirements"]
        if all("test_cdr_pu" in test for test in row["tests"])
    }
    assert {"H-PUSH-01", "H-PULL-01", "H-PULL-02"} <= client_side
    assert {outcomes[r] for r in client_side} == {"skip"}
    judged = {r: o for r, o in outcomes.items() if r not in client_side}
    assert set(judged.values()) <= {"fail", "blocked", "pass", "n/a"}, outcomes
    assert {item["requirement"] for item in summary["to_fix"]} == failing
    assert all(item["blocks"] > 10 for item in summary["to_fix"])
    reasons = [
        t["reason"]
        for t in summary["tests"]
        if t["outcome"] == "skipped" and "test_cdr_pu" not in t["nodeid"]
    ]
    assert reasons
    assert all(r.startswith("blocked by T-HTTP-02: ") for r in reasons), reasons


def _cdrs(count: int) -> tuple[dict[str, Any], ...]:
    from harness.generate import CdrGenerator

    generator = CdrGenerator("7", "default", "2.2.1")
    made = [generator.cdr(i) for i in range(count)]
    return tuple(sorted(made, key=lambda cdr: str(cdr["last_updated"])))


BROKEN_LINK = "{base}/ocpi/VersionNumber.v_2_2_1/cdrs?offset={offset}&limit={limit}&date_to=None"


@pytest.mark.usefixtures("own_secrets")
def test_an_unusable_link_is_the_one_finding_and_the_crawl_goes_on_by_offset(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO right in all but its next-page Link (a language's enum in the path and
    # date_to=None), with 150 CDRs, that honours offset and limit on its endpoint URL
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(150), link=BROKEN_LINK)
    # When the sender suite judges it
    summary = _judged(pytester, tmp_path, partner, "cpo")
    outcomes = _outcomes(summary)
    # Then the Link is the finding, says what is wrong with it and how the crawl went on
    assert outcomes["T-PAG-04"] == "fail"
    link = next(i for i in summary["to_fix"] if i["requirement"] == "T-PAG-04")
    said = " ".join(m["message"] for m in link["messages"])
    assert "VersionNumber.v_2_2_1" in said
    assert "date_to=None" in said
    assert "continued by offset after the Link failed: reached the end of the list" in said
    # And X-Total-Count, the date window and every CDR are still judged, on all 150
    for rule in ("T-PAG-01", "T-PAG-02", "C-001", "C-002", "C-026"):
        assert outcomes[rule] == "pass", (rule, outcomes)
    # And nothing else fails: the Link is the one defect of this partner
    assert {r for r, o in outcomes.items() if o in ("fail", "error")} == {"T-PAG-04"}, outcomes


@pytest.mark.usefixtures("own_secrets")
def test_a_link_and_offset_both_unusable_leave_what_needs_every_cdr_partial(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given the same broken Link on a CPO that also ignores the offset asked for
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(150), link=BROKEN_LINK,
                        honours_offset=False)  # fmt: skip
    # When the sender suite judges it
    summary = _judged(pytester, tmp_path, partner, "cpo")
    outcomes = _outcomes(summary)
    # Then the Link is a finding that says continuing by offset failed too, and why
    assert outcomes["T-PAG-04"] == "fail"
    link = next(i for i in summary["to_fix"] if i["requirement"] == "T-PAG-04")
    said = " ".join(m["message"] for m in link["messages"])
    assert "lists objects already seen (the offset is not honoured either)" in said
    # And the CDRs seen are judged, and said to be 7 of 150, not passed
    for rule in ("C-001", "C-002", "C-026"):
        assert outcomes[rule] == "partial", (rule, outcomes)
    findings = [f for test in summary["tests"] for f in test["findings"]]
    assert any("7 of 150 CDRs checked" in f["message"] for f in findings)
    # And the ignored offset is its own finding (T-PAG-01), X-Total-Count is not blamed
    offsets = [f["message"] for f in findings if f["requirement"] == "T-PAG-01"]
    assert offsets
    assert all("X-Total-Count" not in m for m in offsets), offsets
    assert {r for r, o in outcomes.items() if o in ("fail", "error")} == {"T-PAG-01", "T-PAG-04"}


def test_a_location_nothing_serves_is_the_read_back_finding_alone() -> None:
    from harness.checks.receiver import check_served_back
    from harness.versions import version_profile
    from tests.exchange_cases import exchange

    # Given the read-back of a Location answered by the web framework, not by OCPI
    fetched = exchange('{"detail":"Not Found"}', 404)
    # When the read-back is judged
    found = check_served_back(fetched, {"id": "CDR1"}, version_profile("2.2.1"), "a CDR")
    # Then T-CDR-03 says what came back, and the envelope of that page is not judged too
    assert [f.requirement for f in found] == ["T-CDR-03"]
    assert "HTTP 404" in found[0].message


@pytest.mark.usefixtures("own_secrets")
def test_a_versions_url_redirected_to_a_slash_is_one_finding_and_discovery_goes_on(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO right in all but its versions URL, which answers 308 to itself plus a slash
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(30), discovery="redirect-slash")
    # When the suites judge it
    summary = _judged(pytester, tmp_path, partner, "cpo")
    outcomes = _outcomes(summary)
    # Then the redirect is the one finding, and says it was followed to go on
    assert {r for r, o in outcomes.items() if o in ("fail", "error")} == {"H-HTTP-04"}, outcomes
    said = next(i for i in summary["to_fix"] if i["requirement"] == "H-HTTP-04")["messages"]
    assert any("followed, on the target's origin, only to go on" in m["message"] for m in said)
    # And the versions list, the token, the CDR suites and (the partner swaps them) the
    # routing headers are judged past it
    for rule in ("T-VER-01", "T-VER-02", "T-AUTH-03", "T-PAG-01", "C-001", "T-ROUTE-03"):
        assert outcomes[rule] == "pass", (rule, outcomes)


@pytest.mark.usefixtures("own_secrets")
def test_an_endpoint_given_by_hand_runs_the_cdr_suites_past_a_broken_discovery(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO whose versions URL answers HTTP 500 while its cdrs module works
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(30), discovery="broken")
    with hostile_partner(partner) as url:
        cdrs = url.replace("/ocpi/versions", "/ocpi/2.2.1/cdrs")
        # When the suites judge it with the cdrs endpoint given by hand
        summary = _summary(
            pytester, tmp_path, "--target-url", url, "--target-token", TOKEN,
            "--target-role", "cpo", "--ocpi-endpoint", f"cdrs:SENDER={cdrs}",
        )  # fmt: skip
    outcomes = _outcomes(summary)
    # Then discovery's failure is reported, and what rests on it alone is blocked
    assert outcomes["T-HTTP-02"] == "fail"
    assert outcomes["T-VER-01"] == "blocked"
    # And the CDR sender suite is judged in full on the endpoint given
    for rule in ("T-PAG-01", "T-PAG-02", "T-PAG-04", "C-001", "C-026"):
        assert outcomes[rule] == "pass", (rule, outcomes)


@pytest.mark.usefixtures("own_secrets")
def test_an_endpoint_that_redirects_to_its_slash_is_one_finding_and_judged_behind_it(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO whose details list .../cdrs, which answers 307 to .../cdrs/ (a web
    # framework's trailing-slash redirect), right in all else
    slashed = "{base}/ocpi/2.2.1/cdrs/?offset={offset}&limit={limit}{filters}"
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(30), discovery="endpoint-slash",
                        link=slashed)  # fmt: skip
    # When the suites judge it
    summary = _judged(pytester, tmp_path, partner, "cpo")
    outcomes = _outcomes(summary)
    # Then the redirect is the one finding
    assert {r for r, o in outcomes.items() if o in ("fail", "error")} == {"H-HTTP-04"}, outcomes
    said = next(i for i in summary["to_fix"] if i["requirement"] == "H-HTTP-04")["messages"]
    assert any("HTTP 307 to" in m["message"] and "/cdrs/" in m["message"] for m in said)
    # And the CDR suites are judged in full at the URL the module answers at
    for rule in ("T-PAG-01", "T-PAG-02", "T-PAG-04", "T-AUTH-04", "C-001", "C-026"):
        assert outcomes[rule] == "pass", (rule, outcomes)


@pytest.mark.usefixtures("own_secrets")
def test_a_timestamp_frozen_at_the_server_start_is_found(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO right in all but its envelope's timestamp, the same on every answer
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(10), frozen_timestamp=True)
    # When the suites judge it
    summary = _judged(pytester, tmp_path, partner, "cpo")
    outcomes = _outcomes(summary)
    # Then T-ENV-01 is the one requirement that fails, saying the timestamp does not move
    assert {r for r, o in outcomes.items() if o in ("fail", "error")} == {"T-ENV-01"}, outcomes
    said = next(i for i in summary["to_fix"] if i["requirement"] == "T-ENV-01")["messages"]
    assert any("it is not the time the answer was made" in m["message"] for m in said)


@pytest.mark.usefixtures("own_secrets")
def test_routing_headers_sent_back_unswapped_are_found_on_a_partner_we_did_not_mock(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO right in all but its answer to a routed request: the request's four
    # routing headers come back as they were sent
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(10), routing_echoed=True)
    # When the suites judge it
    summary = _judged(pytester, tmp_path, partner, "cpo")
    outcomes = _outcomes(summary)
    # Then T-ROUTE-03 is the one failing requirement, naming a header that was not swapped
    assert {r for r, o in outcomes.items() if o in ("fail", "error")} == {"T-ROUTE-03"}, outcomes
    said = next(i for i in summary["to_fix"] if i["requirement"] == "T-ROUTE-03")["messages"]
    assert any("the request's own value, not swapped" in m["message"] for m in said)
