"""What the client-side suites share (scenarios/test_cdr_push.py, test_cdr_pull.py): the
partner's calls to the peer the harness served, how the partner is told where to go and made
to act, and the rules blocked when it made no call."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from harness.checks.client_side import check_client_token
from harness.checks.exchange_finding import blocked
from harness.exchange import Exchange
from harness.findings import Finding
from harness.redaction import RUN_SECRETS
from harness.settings import TargetSettings
from harness.versions import version_profile


@dataclass
class ClientCalls:
    """The partner's calls to the CDRs module of the peer the harness served, and what the
    checks need to judge them."""

    calls: list[Exchange]
    endpoint: str
    waited: str  # how long the harness waited, and after what
    known: Callable[[str], bool]  # whether a token opens the module
    version: str
    party: tuple[str, str]  # the party the harness's peer plays
    arrival: str = "H-PUSH-01"  # the rule that says no call came (H-PULL-01 for pulls)


def plays_itself(settings: TargetSettings) -> bool:
    """No partner given: the harness's own client plays the partner (the embedded default)."""
    return settings.own_client


def announce(request: pytest.FixtureRequest, text: str) -> None:
    """A line on the terminal, outside pytest's capture (never in a report)."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        sys.__stderr__.write(text + "\n") if sys.__stderr__ else None
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(text)


def trigger(settings: TargetSettings, versions_url: str, endpoint: str, token: str) -> str:
    """Run --ocpi-trigger with the peer's URLs and token; how it went, in words (its last
    line of error output, redacted, when it failed)."""
    if settings.trigger is None:
        return f"within {settings.wait:g} s (--ocpi-wait)"
    env = {
        **os.environ,
        "OCPI_RECEIVER_VERSIONS_URL": versions_url,
        "OCPI_RECEIVER_URL": endpoint,
        "OCPI_RECEIVER_TOKEN": token,
        "OCPI_VERSION": settings.version,
    }
    try:
        run = subprocess.run(
            settings.trigger, shell=True, env=env, timeout=settings.wait, capture_output=True
        )
    except subprocess.TimeoutExpired:
        return f"within {settings.wait:g} s of --ocpi-trigger, which did not end in that time"
    said = ""
    if run.returncode != 0:
        lines = run.stderr.decode("utf-8", "replace").strip().splitlines()
        said = f": {RUN_SECRETS.redact(lines[-1])[:200]}" if lines else ""
    return (
        f"within {settings.wait:g} s after --ocpi-trigger ended (exit status {run.returncode}"
        f"{said})"
    )


def judged(calls: ClientCalls, rules: tuple[str, ...], found: list[Finding]) -> list[Finding]:
    """``found``, or the rules blocked when the partner made no call to judge them by."""
    if calls.calls:
        return found
    cause = (calls.arrival, f"no request reached {calls.endpoint} {calls.waited}")
    return blocked(None, rules, "the partner's requests", cause)


def token_findings(calls: ClientCalls) -> list[Finding]:
    """The token check of every call, in the version's encoding (blocked when none came)."""
    profile = version_profile(calls.version)
    rule = "T-AUTH-03" if profile.token_base64 else "T-AUTH-02"
    return judged(calls, ("T-AUTH-01", rule), check_client_token(calls.calls, profile, calls.known))
