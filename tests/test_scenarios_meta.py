"""The conformance suites prove themselves: against the clean embedded mock they pass in every
version; against the mock with a fault they report the requirement that fault breaks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.mock import FAULTS
from scenarios.coverage import PENDING, PROOFS, table
from tests.conftest import ROOT
from tests.mock_helpers import running_mock


def _run_suites(*args: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "scenarios"),
        "-q",
        "-s",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("version", ["2.1.1", "2.2.1", "2.3.0"])
def test_the_suites_pass_against_the_clean_embedded_mock(version: str) -> None:
    result = _run_suites("--ocpi-version", version)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("fault", sorted(PROOFS))
def test_each_fault_makes_the_suites_report_its_requirement(fault: str) -> None:
    requirement, level, extra = PROOFS[fault]
    result = _run_suites("--ocpi-mock-fault", fault, *extra)
    output = result.stdout
    if level == "error":
        assert result.returncode == 1, output[-3000:]
        assert f"{requirement} " in output, f"{fault}: {requirement} not reported\n{output[-3000:]}"
    else:
        assert f"ocpi warning {requirement} " in output, output[-3000:]


def test_every_fault_is_proven_or_declared_pending() -> None:
    assert set(PROOFS) | set(PENDING) == set(FAULTS)
    assert not set(PROOFS) & set(PENDING)


def test_the_coverage_table_in_the_docs_is_current() -> None:
    docs = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert table() in docs


def test_a_wrong_option_stops_the_run_with_one_line_naming_the_fix() -> None:
    for args, says in (
        (("--ocpi-version", "2.0"), "--ocpi-version '2.0': use one of 2.1.1, 2.2.1, 2.3.0"),
        (("--target-url", "http://x/versions"), "--target-url needs --target-token"),
        (("--ocpi-option", "AMB-C-11=LOUD"), "--ocpi-option: option AMB-C-11 takes one of"),
        (("--ocpi-mock-fault", "nope"), "--ocpi-mock-fault: unknown fault 'nope'"),
        (("--ocpi-workers", "0"), "--ocpi-workers 0: give 1 or more"),
        (("--ocpi-workers", "many"), "--ocpi-workers take numbers"),
    ):
        result = _run_suites(*args)
        assert result.returncode == 4, (args, result.stderr)
        assert says in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("role", ["cpo", "emsp"])
def test_the_suites_pass_against_a_separately_started_ocpi_mock(role: str) -> None:
    # Given `ocpi-mock` in the role, listening on a loopback port
    with running_mock(["--role", role, "--cdrs", "40"], "loopback-token") as port:
        # When the suites target it by URL, Then they pass
        result = _run_suites(
            "--target-url",
            f"http://127.0.0.1:{port}/ocpi/versions",
            "--target-token",
            "loopback-token",
            "--target-role",
            role,
        )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout.splitlines()[-1]
    # And the token is in no line of the output
    assert "loopback-token" not in result.stdout
