"""The three artifacts of one run (HTML, JUnit XML, JSON summary) agree with each other, the
JSON follows its schema, the HTML shows its sections in a real browser, gating follows
--ocpi-fail-on and known issues, and no secret reaches any artifact.

The suites run in this process (pytester's inline run); the tests marked ``subprocess`` need
processes of their own too (xdist's workers, a separately started ocpi-mock)."""

from __future__ import annotations

import base64
import html
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest

from harness.report.summary import CaseRecord, RunFacts, build_summary
from tests.browser import browser_binaries, chromium_page
from tests.conftest import ROOT
from tests.mock_helpers import SuiteRun, import_harness, run_suites, running_mock

import_harness()  # before any in-process run: see import_harness

SCHEMA = json.loads((ROOT / "harness" / "report" / "summary.schema.json").read_text("utf-8"))
# A faulty run: T-PAG-04 fails the sender tests and T-AUTH-04 the auth tests (their findings
# carry status codes); T-CDR-02 fails the receiver tests but is declared a known issue, so
# those xfail; missing routing headers only warn.
FAULTY = (
    "--ocpi-mock-fault",
    "no-total-count",
    "--ocpi-mock-fault",
    "auth-wrong-status",
    "--ocpi-mock-fault",
    "no-location-header",
    "--ocpi-mock-fault",
    "routing-headers-missing",
    "--ocpi-known-issue",
    "T-CDR-02=partner ticket 17",
)


def run_pytest(pytester: pytest.Pytester, *args: str) -> SuiteRun:
    """`pytest scenarios`, as a user runs it from the checkout (in this process)."""
    return run_suites(pytester, "-p", "no:cacheprovider", *args)


_FAULTY_RUNS: list[tuple[Path, int]] = []  # the one faulty run of this process


@pytest.fixture
def faulty_run(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, int]:
    """The report directory of one faulty run, and its exit status: made once, shared by the
    tests that only read it (as a module-scoped fixture would: pytester is per test)."""
    if not _FAULTY_RUNS:
        out = tmp_path_factory.mktemp("faulty")
        result = run_pytest(pytester, "-q", "-p", "no:xdist", "--ocpi-report", str(out), *FAULTY)
        assert (out / "summary.json").exists(), result.stdout[-3000:] + result.stderr[-3000:]
        _FAULTY_RUNS.append((out, result.ret))
    return _FAULTY_RUNS[0]


def _html_results(path: Path) -> Counter[str]:
    """Outcome counts from pytest-html's own data (what its page renders)."""
    page = path.read_text("utf-8")
    blob = re.search(r'data-jsonblob="([^"]*)"', page)
    assert blob is not None
    data = json.loads(html.unescape(blob.group(1)))
    return Counter(row["result"] for rows in data["tests"].values() for row in rows)


def test_a_faulty_run_writes_three_artifacts_that_agree(faulty_run: tuple[Path, int]) -> None:
    out, status = faulty_run
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    jsonschema.validate(summary, SCHEMA)
    tests = summary["counts"]["tests"]
    # The run fails (exit 1) and says so
    assert status == 1
    assert summary["verdict"] == "fail"
    assert summary["exit_status"] == 1
    assert tests["failed"] > 0
    assert tests["xfailed"] > 0
    assert tests["passed"] > 0
    assert summary["counts"]["findings"]["warning"] > 0
    outcomes = {r["id"]: r["outcome"] for r in summary["requirements"]}
    assert outcomes["T-PAG-04"] == "fail"
    assert outcomes["T-CDR-02"] == "xfail"
    assert outcomes["T-ROUTE-01"] == "warning"
    assert outcomes["T-AUTH-04"] == "fail"
    assert outcomes["T-AUTH-03"] == "pass"
    errors = [i["requirement"] for i in summary["to_fix"] if i["severity"] == "error"]
    assert {"T-AUTH-04", "T-PAG-04"} <= set(errors)
    assert "T-CDR-02" not in errors  # a known issue: not on the partner's list
    xfailed = [t for t in summary["tests"] if t["outcome"] == "xfailed"]
    assert all("partner ticket 17" in (t["reason"] or "") for t in xfailed)
    # JUnit counts the same tests the same way (xfail is a skip there, with its reason)
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", -1)) == tests["total"]
    assert int(suite.get("failures", -1)) == tests["failed"]
    assert int(suite.get("errors", -1)) == tests["error"]
    assert int(suite.get("skipped", -1)) == tests["skipped"] + tests["xfailed"]
    suite_props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert suite_props["ocpi_verdict"] == "fail"
    assert suite_props["ocpi_seed"] == summary["seed"]
    assert "T-PAG-04" in suite_props["ocpi_failing_requirements"].split()
    skipped = [s.get("message", "") for s in suite.iter("skipped")]
    assert any("partner ticket 17" in m for m in skipped)
    case_props = [
        {p.get("name"): p.get("value") for p in case.iter("property")}
        for case in suite.iter("testcase")
    ]
    assert all(props.get("ocpi_requirements") for props in case_props)
    # The HTML report counts the same outcomes and shows the same verdict
    results = _html_results(out / "conformance.html")
    assert results["Failed"] == tests["failed"]
    assert results["Passed"] == tests["passed"]
    assert results["XFailed"] == tests["xfailed"]
    page = (out / "conformance.html").read_text("utf-8")
    assert 'data-verdict="fail"' in page
    assert 'data-requirement="T-PAG-04"' in page


@pytest.mark.subprocess  # xdist's two workers
def test_the_json_summary_of_a_clean_run_says_pass(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    result = run_pytest(pytester, "-q", "-n", "2", "--ocpi-json", str(tmp_path / "s.json"))
    summary = json.loads((tmp_path / "s.json").read_text("utf-8"))
    jsonschema.validate(summary, SCHEMA)
    assert result.ret == 0
    assert summary["verdict"] == "pass"
    assert summary["counts"]["tests"]["failed"] == 0
    # Under xdist too, discovery's fingerprint reaches the summary for both roles
    assert set(summary["target"]["fingerprint"]) == {"cpo", "emsp"}
    cpo = summary["target"]["fingerprint"]["cpo"]
    assert {"identifier": "cdrs", "role": "SENDER"}.items() <= cpo["endpoints"][0].items()


def test_fail_on_warning_turns_warnings_into_failures(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # A fault that only warns (routing headers are SHOULD-level, AMB-08) passes by default...
    lenient = run_pytest(
        pytester, "-q", "-p", "no:xdist", "--ocpi-mock-fault", "routing-headers-missing"
    )
    assert lenient.ret == 0, lenient.stdout[-2000:]
    # ...and fails with --ocpi-fail-on warning, naming the requirement
    strict = run_pytest(
        pytester,
        "-q",
        "-p",
        "no:xdist",
        "--ocpi-mock-fault",
        "routing-headers-missing",
        "--ocpi-fail-on",
        "warning",
        "--ocpi-json",
        str(tmp_path / "s.json"),
    )
    assert strict.ret == 1
    assert "T-ROUTE-01" in strict.stdout
    summary = json.loads((tmp_path / "s.json").read_text("utf-8"))
    assert summary["verdict"] == "fail"
    assert summary["fail_on"] == "warning"
    assert {r["id"]: r["outcome"] for r in summary["requirements"]}["T-ROUTE-01"] == "fail"


def test_report_options_refuse_wrong_values_in_one_line(pytester: pytest.Pytester) -> None:
    for args, says in (
        (("--ocpi-fail-on", "info"), "--ocpi-fail-on 'info': use error or warning"),
        (("--ocpi-known-issue", "T-PAG-04"), "--ocpi-known-issue 'T-PAG-04': give ID=REASON"),
        (("--ocpi-known-issue", "X-1=y"), "--ocpi-known-issue 'X-1': not a requirement id"),
    ):
        result = run_pytest(pytester, *args)
        assert result.ret == 4, (args, result.stderr)
        assert says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(browser_binaries() is None, reason="Debian's chromium/chromedriver missing")
def test_the_html_report_shows_every_section_in_chromium(
    faulty_run: tuple[Path, int], tmp_path: Path
) -> None:
    out, _ = faulty_run
    with chromium_page() as page:
        page.open((out / "conformance.html").as_uri())
        # The summary at the top, with the verdict
        verdict = page.find_all("#ocpi-verdict")
        assert verdict
        assert page.displayed(verdict[0])
        assert "Verdict: FAIL" in page.text(verdict[0])
        # The failing requirement in the table and in the list of what to fix
        rows = page.find_all('table.ocpi-requirements tr[data-requirement="T-PAG-04"]')
        assert rows
        assert page.displayed(rows[0])
        assert "fail" in page.text(rows[0])
        fix = page.find_all('ol.ocpi-to-fix li[data-requirement="T-PAG-04"]')
        assert fix
        assert page.displayed(fix[0])
        # A failure's findings, transcript and curl line, shown without a click
        for css in (".ocpi-findings", ".ocpi-exchange .ocpi-response", ".ocpi-curl"):
            shown = [e for e in page.find_all(css) if page.displayed(e)]
            assert shown, f"{css} not visible"
        # (those of passed tests that warned are collapsed, as pytest-html shows passed rows)
        curls = [page.text(e) for e in page.find_all(".ocpi-curl") if page.displayed(e)]
        assert all(curl.startswith("curl ") for curl in curls)
        assert any("Authorization: Token <token>" in curl for curl in curls)
        page.screenshot(tmp_path / "report.png")
    assert (tmp_path / "report.png").stat().st_size > 10_000


def _encodings(secret: str) -> set[str]:
    b64 = base64.b64encode(secret.encode()).decode()
    return {secret, b64, quote(secret, safe=""), quote(b64, safe="")}


@pytest.mark.subprocess  # the target: ocpi-mock with its store in a file
def test_no_secret_reaches_any_artifact(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # Given a target with a recognisable token, some faults (so transcripts are kept), and the
    # credentials handshake (which learns more tokens)
    token = "Zq9-SECRET-marker-7731"
    db = tmp_path / "target.sqlite"
    run = tmp_path / "run"  # everything the run produces, and nothing else
    args = ("--role", "cpo", "--cdrs", "30", "--db", str(db))
    # (token-a-kept fails the credentials test, so the response that carried TOKEN_C, recorded
    # before the harness knew it was a secret, is among the transcripts shown)
    faults = (
        "--fault",
        "no-total-count",
        "--fault",
        "wrong-content-type",
        "--fault",
        "token-a-kept",
    )
    with running_mock([*args, *faults], token) as port:
        result = run_pytest(
            pytester,
            "-rA",
            "-p",
            "no:xdist",
            "--target-url",
            f"http://127.0.0.1:{port}/ocpi/versions",
            "--target-token",
            token,
            "--target-role",
            "cpo",
            "--ocpi-credentials",
            "--ocpi-report",
            str(run / "reports"),
            "--log-file",
            str(run / "run.log"),
            "--log-file-level",
            "DEBUG",
        )
    assert result.ret == 1, result.stdout[-3000:]
    (run / "stdout.txt").write_text(result.stdout + result.stderr, "utf-8")
    # The tokens the handshake created (C, issued by the target; B, ours) are secrets too
    with sqlite3.connect(db) as store:
        learned = [
            t for row in store.execute("SELECT token, partner_token FROM tokens") for t in row
        ]
    assert len([t for t in learned if t]) >= 2, "the credentials handshake did not run"
    secrets = set().union(*(_encodings(t) for t in [token, *learned] if t))
    # Then no produced file holds any of them, in any encoding
    files = [p for p in run.rglob("*") if p.is_file()]
    produced = {p.name for p in files}
    assert produced >= {"conformance.html", "junit.xml", "summary.json", "run.log", "stdout.txt"}
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{path.name} holds a secret"
    # (and the transcripts are there, with the placeholder: escaped once in the extra's HTML,
    # once more in pytest-html's data attribute)
    page = html.unescape((run / "reports" / "conformance.html").read_text("utf-8"))
    assert "Token &lt;token&gt;" in page
    summary = json.loads((run / "reports" / "summary.json").read_text("utf-8"))
    outcomes = {t["nodeid"].split("::")[-1]: t["outcome"] for t in summary["tests"]}
    assert outcomes["test_registration_gives_token_c_and_retires_token_a"] == "failed"


def _record(outcome: str, *findings: tuple[str, str], marks: tuple[str, ...] = ()) -> CaseRecord:
    return CaseRecord(
        f"t::{outcome}{len(findings)}{''.join(marks)}",
        outcome,
        list(marks),
        [{"requirement": r, "level": lvl, "message": "m", "path": "$"} for r, lvl in findings],
    )


FACTS = RunFacts("the embedded mock", True, "2.2.1", None, "1", "error", {}, {}, {})


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([_record("failed", ("C-001", "error"))], "fail"),
        ([_record("xfailed", ("C-001", "error"))], "xfail"),
        ([_record("passed", ("C-001", "warning"))], "warning"),
        ([_record("passed", ("C-001", "info"), marks=("C-001",))], "pass"),
        ([_record("failed", marks=("C-001",))], "error"),
        ([_record("failed", ("C-002", "error"), marks=("C-001",))], "pass"),
        ([_record("skipped", marks=("C-001",))], "skip"),
        ([_record("skipped", marks=("C-001",)), _record("failed", ("C-001", "error"))], "fail"),
    ],
)
def test_a_requirement_takes_the_worst_outcome_of_its_tests(
    records: list[CaseRecord], expected: str
) -> None:
    summary = build_summary(records, FACTS, exit_status=1)
    outcome = {r["id"]: r["outcome"] for r in summary["requirements"]}["C-001"]
    assert outcome == expected
    jsonschema.validate(summary, SCHEMA)


def test_a_requirement_the_version_does_not_have_is_na_unless_something_is_said_against_it() -> (
    None
):
    # Given a 2.1.1 run where a test that claims X-Request-ID echo (2.2+ only) was blocked,
    # and another test found an error against a 2.2+ rule anyway
    facts = RunFacts("the embedded mock", True, "2.1.1", None, "1", "error", {}, {}, {})
    blocked = _record("skipped", marks=("T-HDR-03",))
    blocked.reason = "blocked by T-VER-01: no endpoint"
    records = [blocked, _record("failed", ("T-HDR-04", "error"))]
    # When the summary is built
    summary = build_summary(records, facts, exit_status=1)
    outcome = {r["id"]: r["outcome"] for r in summary["requirements"]}
    # Then the rule 2.1.1 lacks is n/a, not blocked; the one with a finding still fails
    assert outcome["T-HDR-03"] == "n/a"
    assert outcome["T-HDR-04"] == "fail"
    assert summary["counts"]["requirements"]["n/a"] == 1
    jsonschema.validate(summary, SCHEMA)


def test_what_to_fix_says_a_message_seen_in_many_tests_once_with_its_count() -> None:
    # Given X-Request-ID not echoed in three tests: folded 5 times in one, once in another
    def echo(test: str, count: int) -> CaseRecord:
        message = "X-Request-ID not echoed" + (
            f" ({count} times, e.g. $, ...)" if count > 1 else ""
        )
        finding = {"requirement": "T-HDR-03", "level": "error", "message": message, "path": "$"}
        return CaseRecord(f"t::{test}", "failed", ["T-HDR-03"], [{**finding, "count": count}])

    records = [echo("a", 5), echo("b", 1), echo("c", 3)]
    # When "What to fix" is built
    [item] = build_summary(records, FACTS, exit_status=1)["to_fix"]
    # Then it is one line, counting every place across the tests
    assert item["messages"] == [
        {"message": "X-Request-ID not echoed (9 times in 3 tests)", "count": 9}
    ]


def test_the_verdict_is_pass_only_for_a_run_that_exited_0_and_passed_something() -> None:
    passed: list[Any] = [_record("passed", marks=("C-001",))]
    assert build_summary(passed, FACTS, exit_status=0)["verdict"] == "pass"
    assert build_summary(passed, FACTS, exit_status=2)["verdict"] == "fail"  # interrupted
    assert build_summary([], FACTS, exit_status=5)["verdict"] == "fail"  # nothing collected
    skipped: list[Any] = [_record("skipped", marks=("C-001",))]
    assert build_summary(skipped, FACTS, exit_status=0)["verdict"] == "inconclusive"


ODD_OUTCOMES = """
import pytest

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown broke")

@pytest.fixture
def broken_setup():
    raise RuntimeError("setup broke")

@pytest.mark.requirement("C-001")
def test_passes_then_teardown_fails(broken_teardown):
    pass

def test_fails_then_teardown_fails(broken_teardown, ocpi_settings):
    print("captured", ocpi_settings.token)
    pytest.fail("the target echoed " + ocpi_settings.token)

def test_setup_fails(broken_setup):
    pass

def test_skips():
    pytest.skip("not here")

@pytest.mark.xfail(reason="known")
def test_xfails():
    assert False

@pytest.mark.xfail(reason="known")
def test_xpasses():
    pass

def test_passes():
    pass
"""


@pytest.mark.parametrize(
    "workers", [(), pytest.param(("-n", "2"), marks=[pytest.mark.subprocess, pytest.mark.slow])]
)
def test_odd_outcomes_are_counted_as_pytest_counts_them(
    pytester: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    # Given tests that pass or fail and then break in teardown, break in setup, skip, xfail
    # and xpass, one of them printing and failing with the token in its message (in a folder
    # of their own: no ini applies)
    pytester.makepyfile(test_odd=ODD_OUTCOMES)
    token = "Odd-T0ken-4471"
    out = pytester.path / "out"
    args = ["test_odd.py", "-p", "no:cacheprovider", "-rA"]
    args += ["--target-url", "http://127.0.0.1:9/versions", "--target-role", "cpo"]
    args += ["--target-token", token, "--ocpi-report", str(out), *workers]
    result = pytester.runpytest_inprocess(*args)
    # Then the JSON counts what pytest's own summary line counts
    tests = json.loads((out / "summary.json").read_text("utf-8"))["counts"]["tests"]
    line = result.stdout.str().strip().splitlines()[-1]
    said = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", line)}
    assert said == {
        "failed": tests["failed"],
        "passed": tests["passed"],
        "skipped": tests["skipped"],
        "xfailed": tests["xfailed"],
        "xpassed": tests["xpassed"],
        "errors": tests["error"],
    }, line
    assert tests["error"] == 3  # setup, and two teardowns
    # And so do the HTML report and JUnit
    results = _html_results(out / "conformance.html")
    assert results["Failed"] == tests["failed"]
    assert results["Error"] == tests["error"]
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert int(suite.get("failures", -1)) == tests["failed"]
    assert int(suite.get("errors", -1)) == tests["error"]
    # And the token it printed and failed with is in no artifact and not on the terminal
    for path in out.iterdir():
        text = path.read_text("utf-8")
        assert not [s for s in _encodings(token) if s in text], path.name
    assert token not in result.stdout.str()


def test_report_dir_works_without_junit_or_html(pytester: pytest.Pytester, tmp_path: Path) -> None:
    result = run_pytest(
        pytester,
        "-q",
        "-p",
        "no:junitxml",
        "-p",
        "no:html",
        "-p",
        "no:xdist",
        "--ocpi-report",
        str(tmp_path),
        "-k",
        "discovery",
    )
    assert result.ret == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "summary.json").exists()
