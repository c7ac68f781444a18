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
        # When the receiver suite judges it
        summary = _summary(
            pytester, tmp_path, "--target-url", url, "--target-token", TOKEN,
            "--target-role", "emsp",
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
    assert set(outcomes.values()) <= {"fail", "blocked", "pass"}, outcomes
    assert {item["requirement"] for item in summary["to_fix"]} == failing
    assert all(item["blocks"] > 10 for item in summary["to_fix"])
    reasons = [t["reason"] for t in summary["tests"] if t["outcome"] == "skipped"]
    assert reasons
    assert all(r.startswith("blocked by T-HTTP-02: ") for r in reasons), reasons


def _cdrs(count: int) -> tuple[dict[str, Any], ...]:
    from harness.generate import CdrGenerator

    generator = CdrGenerator("7", "default", "2.2.1")
    made = [generator.cdr(i) for i in range(count)]
    return tuple(sorted(made, key=lambda cdr: str(cdr["last_updated"])))


@pytest.mark.usefixtures("own_secrets")
def test_an_unusable_link_is_the_one_finding_and_what_needs_every_cdr_is_partial(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO right in all but its next-page Link (a language's enum in the path and
    # date_to=None), with 150 CDRs: a crawl in pages of 7 stops after the first
    broken = "{base}/ocpi/VersionNumber.v_2_2_1/cdrs?offset={offset}&limit={limit}&date_to=None"
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(150), link=broken)
    with hostile_partner(partner) as url:
        # When the sender suite judges it
        summary = _summary(
            pytester, tmp_path, "--target-url", url, "--target-token", TOKEN,
            "--target-role", "cpo",
        )  # fmt: skip
    outcomes = _outcomes(summary)
    # Then the Link is the finding, and says what is wrong with it
    assert outcomes["T-PAG-04"] == "fail"
    link = next(i for i in summary["to_fix"] if i["requirement"] == "T-PAG-04")
    said = " ".join(m["message"] for m in link["messages"])
    assert "VersionNumber.v_2_2_1" in said
    assert "date_to=None" in said
    # And X-Total-Count, completeness and the date window are not blamed for it
    assert outcomes["T-PAG-01"] == "blocked"
    # (the date filters are judged on the CDRs the broken crawl dated: 7 of them)
    assert outcomes["T-PAG-02"] == "partial"
    # And the CDRs seen are judged, and said to be 7 of 150, not passed
    for rule in ("C-001", "C-002", "C-026"):
        assert outcomes[rule] == "partial", (rule, outcomes)
    findings = [f for test in summary["tests"] for f in test["findings"]]
    assert any("7 of 150 CDRs checked" in f["message"] for f in findings)
    # And nothing else fails: the Link is the one defect of this partner
    assert {r for r, o in outcomes.items() if o in ("fail", "error")} == {"T-PAG-04"}, outcomes


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
