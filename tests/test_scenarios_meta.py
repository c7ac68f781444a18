"""The conformance suites prove themselves: against the clean embedded mock they pass in every
version; against the mock with a fault they report the requirement that fault breaks.

The suites run in this process (pytester's inline run), each run a pytest session of its own
with the checkout's ini and the ``ocpi`` plugin from its entry point; the tests marked
``subprocess`` also need a process of their own (a separately started ocpi-mock, or the exit
status of ``python -m pytest`` itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

import harness.plugin
from harness.mock import FAULTS
from scenarios.coverage import ALSO, PENDING, PROOFS, table
from tests.conftest import ROOT
from tests.mock_helpers import SUITES, SuiteRun, import_harness, run_suites, running_mock

import_harness()  # before any in-process run: see import_harness

# As a user runs the suites (one process, no xdist), output shown (-s) for the warning lines.
ARGS = ("-q", "-s", "-p", "no:cacheprovider", "-p", "no:xdist")


def _run_suites(pytester: pytest.Pytester, *args: str) -> tuple[SuiteRun, dict[str, Any]]:
    """The run, and its JSON summary."""
    summary = pytester.path / "summary.json"
    run = run_suites(pytester, *ARGS, "--ocpi-json", str(summary), *args)
    # The run was the plugin's (loaded from its entry point), with the checkout's ini
    assert run.plugin is harness.plugin, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.inipath == ROOT / "pyproject.toml"
    return run, json.loads(summary.read_text("utf-8"))


def _outcomes(summary: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in summary["requirements"]}


@pytest.mark.parametrize("version", ["2.1.1", "2.2.1", "2.3.0"])
def test_the_suites_pass_against_the_clean_embedded_mock(
    version: str, pytester: pytest.Pytester
) -> None:
    result, summary = _run_suites(pytester, "--ocpi-version", version)
    assert result.ret == 0, result.stdout[-3000:]
    assert "passed" in result.last_line
    assert summary["verdict"] == "pass"
    assert result.settings.embedded
    assert result.settings.version == version
    assert not result.settings.mock_faults


# Every fault runs in CI's slow job; the README's command runs every second one (sorted), so
# that it stays within its time and still proves faults of every kind.
@pytest.mark.parametrize(
    "fault",
    [
        f if i % 2 == 0 else pytest.param(f, marks=pytest.mark.slow)
        for i, f in enumerate(sorted(PROOFS))
    ],
)
def test_each_fault_makes_the_suites_report_its_requirement(
    fault: str, pytester: pytest.Pytester
) -> None:
    requirement, level, extra = PROOFS[fault]
    result, summary = _run_suites(pytester, "--ocpi-mock-fault", fault, *extra)
    assert result.settings.embedded
    assert tuple(result.settings.mock_faults) == (fault,)
    output = result.stdout
    if level == "error":
        assert result.ret == 1, output[-3000:]
        assert f"{requirement} " in output, f"{fault}: {requirement} not reported\n{output[-3000:]}"
    else:
        assert f"ocpi warning {requirement} " in output, output[-3000:]
    # And the summary puts it on that requirement
    outcomes = _outcomes(summary)
    assert outcomes.get(requirement) == ("fail" if level == "error" else "warning")
    # And on no other, but those the fault breaks too: a cascade is blocked, never failed
    failing = {rid for rid, outcome in outcomes.items() if outcome in ("fail", "error")}
    assert failing - {requirement} == set(ALSO.get(fault, ())), outcomes


def test_every_fault_is_proven_or_declared_pending() -> None:
    assert set(PROOFS) | set(PENDING) == set(FAULTS)
    assert not set(PROOFS) & set(PENDING)


def test_the_coverage_table_in_the_docs_is_current() -> None:
    docs = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert table() in docs


WRONG_OPTIONS = (
    (("--ocpi-version", "2.0"), "--ocpi-version '2.0': use one of 2.1.1, 2.2.1, 2.3.0"),
    (("--target-url", "http://x/versions"), "--target-url needs --target-token"),
    (("--ocpi-option", "AMB-C-11=LOUD"), "--ocpi-option: option AMB-C-11 takes one of"),
    (("--ocpi-mock-fault", "nope"), "--ocpi-mock-fault: unknown fault 'nope'"),
    (("--ocpi-workers", "0"), "--ocpi-workers 0: give 1 or more"),
    (("--ocpi-workers", "many"), "--ocpi-workers take numbers"),
)


def test_a_wrong_option_stops_the_run_with_one_line_naming_the_fix(
    pytester: pytest.Pytester,
) -> None:
    for args, says in WRONG_OPTIONS:
        result = run_suites(pytester, *ARGS, *args)
        assert result.ret == 4, (args, result.stderr)
        assert says in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


@pytest.mark.subprocess
def test_a_wrong_option_is_exit_status_4_of_the_pytest_process() -> None:
    # The in-process runs above see pytest.main's return value; this is what a CI script sees
    args, says = WRONG_OPTIONS[0]
    command = [sys.executable, "-m", "pytest", str(SUITES), *ARGS, *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 4, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.parametrize("role", ["cpo", "emsp"])
def test_the_suites_pass_against_a_separately_started_ocpi_mock(
    role: str, pytester: pytest.Pytester
) -> None:
    # Given `ocpi-mock` in the role, listening on a loopback port
    with running_mock(["--role", role, "--cdrs", "40"], "loopback-token") as port:
        # When the suites target it by URL, Then they pass
        url = f"http://127.0.0.1:{port}/ocpi/versions"
        result, summary = _run_suites(
            pytester,
            "--target-url",
            url,
            "--target-token",
            "loopback-token",
            "--target-role",
            role,
        )
    assert result.ret == 0, result.stdout[-3000:]
    assert "passed" in result.last_line
    assert summary["verdict"] == "pass"
    assert result.settings.url == url
    assert not result.settings.embedded
    # And the token is in no line of the output
    assert "loopback-token" not in result.stdout
