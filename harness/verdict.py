"""The one way a scenario turns findings into a verdict (``conforms``), for the harness's
suites and for scenarios users write themselves."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NoReturn

import pytest

from harness.findings import Finding, Level, blocked_reason, failing_levels, fold_findings
from harness.plugin import target_settings
from harness.redaction import RUN_SECRETS

__all__ = ["blocked_by", "conforms"]


def conforms(request: pytest.FixtureRequest, findings: Iterable[Finding]) -> None:
    """Attach every finding to the test's report; fail on those at error level (and warning
    level with ``--ocpi-fail-on warning``), one line each with the requirement id, where and
    what; the same rule broken the same way in many places is one finding with a count
    (``fold_findings``). Findings of a check switched off with ``--ocpi-skip-check`` are
    dropped (the report says which checks were off). When every failing finding is a
    ``--ocpi-known-issue``, the test xfails instead; when none fails and a rule could not be
    judged (a ``blocked`` finding), the test is skipped with the root cause as its reason."""
    settings = target_settings(request.config)
    skipped = set(settings.skipped_checks)
    findings = [f for f in findings if f.check not in skipped] if skipped else list(findings)
    # One finding per rule broken the same way, and a bounded number in all: a page of 50,000
    # empty objects must not write 700,000 findings into every report.
    findings = fold_findings(findings)
    request.node.user_properties.append(
        ("ocpi_findings", json.dumps([f.to_dict() for f in findings]))
    )
    failing = failing_levels(settings.fail_on)
    for finding in findings:
        if finding.level is Level.WARNING:  # shown with -s or -rP; reports read them all
            # Findings quote what the target sent, as sent: redacted where they are shown
            line = f"ocpi warning {finding.requirement} {finding.path}: {finding.message}"
            print(RUN_SECRETS.redact(line))
    failed = [f for f in findings if f.level in failing]
    if not failed:
        blocked = [f for f in findings if f.outcome == "blocked"]
        if blocked:
            # Nothing failed, and something could not be judged: not a pass. The report shows
            # the requirement as blocked, the root cause first in "What to fix".
            judged = "; ".join(sorted({f"{f.requirement} {f.message}" for f in blocked}))
            pytest.skip(blocked_reason((f.cause or "" for f in blocked), judged[:2000]))
        return
    known = settings.known_issues
    if all(f.requirement in known for f in failed):
        reasons = sorted({f"{f.requirement}: {known[f.requirement]}" for f in failed})
        pytest.xfail("known issue " + "; ".join(reasons))
    lines = [f"{f.requirement} {f.path} ({f.exchange or '-'}): {f.message}" for f in failed]
    levels = " or ".join(sorted(level.value for level in failing))
    pytest.fail(f"{len(failed)} finding(s) at {levels} level:\n" + "\n".join(lines), False)


def blocked_by(causes: Iterable[Finding], what: str) -> NoReturn:
    """Skip the test (or every test using the fixture that calls it): ``what`` cannot be
    judged because of the ``causes`` (findings of other checks, e.g. discovery's). The
    requirements the test claims are then blocked in the reports, not failed or errored, and
    the causes lead "What to fix"."""
    found = list(causes)
    facts = "; ".join(f"{f.requirement}: {f.message}" for f in found[:5])
    # A cause that was itself blocked names its own root cause
    roots = (f.cause if f.outcome == "blocked" else f.requirement for f in found)
    pytest.skip(blocked_reason((r for r in roots if r), f"{what} ({facts})"[:2000]))
