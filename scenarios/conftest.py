"""Shared fixtures of the conformance suites: the target in each role and its endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.findings import Level
from harness.roles import Role
from harness.target import Target
from harness.verdict import blocked_by


@pytest.fixture(scope="session")
def sender(ocpi_target: Callable[[Role], Target]) -> Target:
    """The target as CDR sender (cpo)."""
    return ocpi_target("cpo")


@pytest.fixture(scope="session")
def receiver(ocpi_target: Callable[[Role], Target]) -> Target:
    """The target as CDR receiver (emsp)."""
    return ocpi_target("emsp")


# What can keep discovery from naming an endpoint: the versions list or the details failed
# (or could not be judged: their cause is then the root). A finding of another rule on the
# same answers (a timestamp's format, a missing header) takes no endpoint away.
_DISCOVERY_RULES = ("T-VER-01", "T-VER-02")


def _endpoint(target: Target, role: str) -> str:
    url = target.endpoint("cdrs", role)
    if url is None:
        found = [
            f
            for f in target.discover().findings
            if f.requirement in _DISCOVERY_RULES
            and (f.outcome == "blocked" or (f.outcome is None and f.level is Level.ERROR))
        ]
        if found:  # discovery failed: what depends on it is blocked, not failed
            blocked_by(found, f"no cdrs {role} endpoint could be read from discovery")
        pytest.skip(f"the version details list no cdrs {role} endpoint: nothing to test")
    return url


@pytest.fixture(scope="session")
def cdr_sender(sender: Target) -> str:
    """The CDRs endpoint of a CPO target (SENDER); the CPO suite is skipped for an eMSP."""
    if sender.settings.role == "emsp":
        pytest.skip("the target plays the eMSP: no CDR sender interface to test")
    return _endpoint(sender, "SENDER")


@pytest.fixture(scope="session")
def cdr_receiver(receiver: Target) -> str:
    """The CDRs endpoint of an eMSP target (RECEIVER); skipped for a CPO, or read-only."""
    if receiver.settings.role == "cpo":
        pytest.skip("the target plays the CPO: no CDR receiver interface to test")
    if receiver.settings.read_only:
        pytest.skip("--ocpi-read-only: the receiver tests POST CDRs")
    return _endpoint(receiver, "RECEIVER")
