"""Shared fixtures of the conformance suites: the target's endpoints, and the one way a
scenario turns findings into a verdict."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from harness.findings import Finding, Level, failing_levels
from harness.plugin import target_settings
from harness.target import Target


def conforms(request: pytest.FixtureRequest, findings: Iterable[Finding]) -> None:
    """Attach every finding to the test's report; fail on those at error level (and warning
    level with ``--ocpi-fail-on warning``), one line each with the requirement id, where and
    what. When every failing finding is a ``--ocpi-known-issue``, the test xfails instead."""
    findings = list(findings)
    request.node.user_properties.append(
        ("ocpi_findings", json.dumps([f.to_dict() for f in findings]))
    )
    settings = target_settings(request.config)
    failing = failing_levels(settings.fail_on)
    for finding in findings:
        if finding.level is Level.WARNING:  # shown with -s or -rP; reports read them all
            print(f"ocpi warning {finding.requirement} {finding.path}: {finding.message}")
    failed = [f for f in findings if f.level in failing]
    if not failed:
        return
    known = settings.known_issues
    if all(f.requirement in known for f in failed):
        reasons = sorted({f"{f.requirement}: {known[f.requirement]}" for f in failed})
        pytest.xfail("known issue " + "; ".join(reasons))
    lines = [f"{f.requirement} {f.path} ({f.exchange or '-'}): {f.message}" for f in failed]
    levels = " or ".join(sorted(level.value for level in failing))
    pytest.fail(f"{len(failed)} finding(s) at {levels} level:\n" + "\n".join(lines), False)


@pytest.fixture(scope="session")
def sender(ocpi_target: Any) -> Target:
    """The target as CDR sender (cpo)."""
    target = ocpi_target("cpo")
    assert isinstance(target, Target)
    return target


@pytest.fixture(scope="session")
def receiver(ocpi_target: Any) -> Target:
    """The target as CDR receiver (emsp)."""
    target = ocpi_target("emsp")
    assert isinstance(target, Target)
    return target


@pytest.fixture(scope="session")
def cdr_sender(sender: Target) -> str:
    """The CDRs endpoint of a CPO target (SENDER); the CPO suite is skipped for an eMSP."""
    if sender.settings.role == "emsp":
        pytest.skip("the target plays the eMSP: no CDR sender interface to test")
    url = sender.endpoint("cdrs", "SENDER")
    if url is None:
        discovery = sender.discover()
        problems = "; ".join(f"{f.requirement}: {f.message}" for f in discovery.findings)
        pytest.fail(f"no cdrs SENDER endpoint found in version details. {problems}", False)
    return url
