"""The run summary, built where the reports are written (the controller under pytest-xdist)
from each test's outcome, requirement ids and findings. One dict, in the shape of
``summary.schema.json``, feeds the JSON file, the HTML report's summary, requirement table and
"what to fix" list, so that the artifacts cannot disagree."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from harness.findings import blocking_rules, failing_levels
from harness.requirements import get_requirement

SCHEMA_ID = "ocpi-harness/summary/1"
TEST_OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
FINDING_LEVELS = ("error", "warning", "info")
# How bad a requirement's outcome is, worst first: the table sorts by it.
REQUIREMENT_OUTCOMES = (
    "fail",
    "error",
    "xfail",
    "warning",
    "blocked",
    "partial",
    "pass",
    "skip",
    "n/a",
)
# Outcomes a requirement of another version takes as n/a: nothing was said against it
_NOT_AGAINST = frozenset({"blocked", "partial", "pass", "skip"})
_MESSAGES_SHOWN = 5


@dataclass
class CaseRecord:
    """What one test did: its outcome as pytest counts it, the requirements it claims, its
    findings, and the reason of a skip, xfail or failure."""

    nodeid: str
    outcome: str = "passed"
    requirements: list[str] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)
    reason: str | None = None
    duration: float = 0.0
    teardown_errors: int = 0  # pytest counts each as an error besides the outcome


@dataclass
class RunFacts:
    """The run's settings and what was discovered about the target."""

    target: str
    embedded: bool
    version: str
    role: str | None
    seed: str
    fail_on: str
    options: Mapping[str, str]
    known_issues: Mapping[str, str]
    fingerprint: Mapping[str, Any]
    mock_faults: Sequence[str] = ()
    skipped_checks: Sequence[str] = ()
    judged: str = "the target's server side"  # what of the partner the run judged


def judged_side(direction: str | None, embedded: bool, own_client: bool) -> str:
    """What of the partner a run judges, in words for the verdict box."""
    if direction is None:
        return "the target's server side"
    flow, client = ("pushes", "CPO") if direction == "push" else ("pulls", "eMSP")
    if own_client:
        return f"the CDR {flow} of the harness's own {client} client, standing in for a partner"
    if embedded:
        return f"the partner's CDR {flow} (its {client} client)"
    return f"the target's server side, and its CDR {flow} (its {client} client)"


def build_summary(
    records: Iterable[CaseRecord], facts: RunFacts, exit_status: int
) -> dict[str, Any]:
    """The summary of a run (JSON-ready)."""
    tests = sorted(records, key=lambda r: r.nodeid)
    counts = Counter(r.outcome for r in tests)
    counts["error"] += sum(r.teardown_errors for r in tests)
    levels = Counter(f["level"] for r in tests for f in r.findings)
    requirements = _requirements(tests, facts)
    # Exit status 0 is pytest's "no test failed": an interrupted run fails; a run in which no
    # test passed (all skipped, deselected or known issues) proves nothing either way.
    if exit_status != 0 or counts["failed"] or counts["error"]:
        verdict = "fail"
    elif counts["passed"] + counts["xpassed"] == 0:
        verdict = "inconclusive"
    else:
        verdict = "pass"
    return {
        "schema": SCHEMA_ID,
        "verdict": verdict,
        "exit_status": exit_status,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "target": {
            "url": facts.target,
            "embedded": facts.embedded,
            "version": facts.version,
            "role": facts.role,
            "mock_faults": list(facts.mock_faults),
            "fingerprint": dict(facts.fingerprint),
            "judged": facts.judged,
        },
        "seed": facts.seed,
        "fail_on": facts.fail_on,
        "options": dict(facts.options),
        "known_issues": dict(facts.known_issues),
        "skipped_checks": list(facts.skipped_checks),
        "counts": {
            "tests": {**{o: counts[o] for o in TEST_OUTCOMES}, "total": len(tests)},
            "findings": {level: levels[level] for level in FINDING_LEVELS},
            "requirements": {
                o: sum(r["outcome"] == o for r in requirements) for o in REQUIREMENT_OUTCOMES
            },
        },
        "requirements": requirements,
        "to_fix": _to_fix(tests, requirements, facts.fail_on),
        "tests": [
            {
                "nodeid": r.nodeid,
                "outcome": r.outcome,
                "requirements": r.requirements,
                "reason": r.reason,
                "duration": round(r.duration, 3),
                "teardown_errors": r.teardown_errors,
                "findings": r.findings,
            }
            for r in tests
        ],
    }


def _requirements(tests: Sequence[CaseRecord], facts: RunFacts) -> list[dict[str, Any]]:
    covering: dict[str, list[CaseRecord]] = {}
    for record in tests:
        ids = set(record.requirements) | {f["requirement"] for f in record.findings}
        for rid in ids:
            covering.setdefault(rid, []).append(record)
    rows = []
    for rid, records in covering.items():
        found = [f for r in records for f in r.findings if f["requirement"] == rid]
        rows.append(
            {
                "id": rid,
                **_described(rid, facts.version),
                "outcome": _not_of_version(
                    rid,
                    facts.version,
                    _requirement_outcome(rid, records, facts.fail_on, rid in facts.known_issues),
                ),
                "tests": sorted(r.nodeid for r in records),
                "findings": {
                    level: sum(f["level"] == level for f in found) for level in FINDING_LEVELS
                },
            }
        )
    rank = {outcome: i for i, outcome in enumerate(REQUIREMENT_OUTCOMES)}
    return sorted(rows, key=lambda row: (rank[row["outcome"]], row["id"]))


def _not_of_version(rid: str, version: str, outcome: str) -> str:
    """n/a for a requirement the version under test does not have (2.1.1 has no X-Request-ID),
    whatever a test that claims it for every version did; a finding against it still shows."""
    try:
        versions = get_requirement(rid).versions
    except KeyError:
        return outcome
    return "n/a" if version not in versions and outcome in _NOT_AGAINST else outcome


def _described(rid: str, version: str) -> dict[str, str]:
    try:
        requirement = get_requirement(rid)
    except KeyError:  # a user's own marker id: reported, not described
        return {
            "title": "(not in the harness's registry)",
            "level": "",
            "section": "",
            "spec_url": "",
        }
    return {
        "title": requirement.title,
        "level": requirement.level,
        "section": requirement.section,
        "spec_url": requirement.spec_url(version),
    }


def _requirement_outcome(rid: str, records: Sequence[CaseRecord], fail_on: str, known: bool) -> str:
    """fail: a failing finding of this requirement; error: a test that claims it broke before
    it could be judged (failed with no failing finding at all); xfail: it is a declared known
    issue (or its test xfailed); warning: findings below the failing level; blocked / partial:
    a finding says it was judged on none / part of its evidence; skip: every test that claims
    it was skipped; otherwise pass."""
    outcomes: set[str] = set()
    for record in records:
        failing = {level.value for level in failing_levels(fail_on)}
        mine = [f for f in record.findings if f["requirement"] == rid]
        if any(f["level"] in failing for f in mine):
            outcomes.add("xfail" if known or record.outcome == "xfailed" else "fail")
        elif (record.outcome in ("failed", "error") or record.teardown_errors) and not any(
            f["level"] in failing for f in record.findings
        ):
            outcomes.add("error")
        elif any(f["level"] == "warning" for f in mine):
            outcomes.add("warning")
        elif any(f.get("outcome") == "blocked" for f in mine) or (
            record.outcome == "skipped" and blocking_rules(record.reason) and not mine
        ):
            outcomes.add("blocked")
        elif any(f.get("outcome") == "partial" for f in mine):
            outcomes.add("partial")
        elif record.outcome in ("skipped", "xfailed"):
            outcomes.add("skip")
        else:
            outcomes.add("pass")
    return next(o for o in REQUIREMENT_OUTCOMES if o in outcomes)


# The count a folded finding's message carries ("... (49 times, e.g. CDR A, ...)")
_FOLDED = re.compile(r" \(\d+ times, e\.g\. .*\)$")


def _across(message: str, count: int, tests: int) -> str:
    """A message of "What to fix" with how often, and in how many tests, it was seen."""
    if count <= 1:
        return message
    where = f" in {tests} tests" if tests > 1 else ""
    return f"{message} ({count} times{where})"


def _to_fix(
    tests: Sequence[CaseRecord], requirements: Sequence[dict[str, Any]], fail_on: str
) -> list[dict[str, Any]]:
    """For the partner: each requirement broken (then each only warned about), with the
    distinct messages of its findings and the tests that saw them; root causes first (those
    that blocked the most other requirements), each with that count."""
    # A root cause blocks the requirements its blocked findings name, and those a test skipped
    # for want of its evidence claims.
    blocked: dict[str, set[str]] = {}
    for record in tests:
        for f in record.findings:
            if f.get("outcome") == "blocked" and f.get("cause"):
                blocked.setdefault(f["cause"], set()).add(f["requirement"])
        if record.outcome == "skipped":
            for rule in blocking_rules(record.reason):
                blocked.setdefault(rule, set()).update(record.requirements)
    items = []
    for row in requirements:
        if row["outcome"] not in ("fail", "error", "warning"):
            continue
        # The same message in many tests is one line: its places counted across them
        messages: Counter[str] = Counter()
        seen_in: dict[str, set[str]] = {}
        for record in tests:
            for f in record.findings:
                if f["requirement"] == row["id"] and f["level"] in ("error", "warning"):
                    base = _FOLDED.sub("", f["message"])
                    messages[base] += int(f.get("count", 1))
                    seen_in.setdefault(base, set()).add(record.nodeid)
        if row["outcome"] == "error":
            for record in tests:
                if row["id"] in record.requirements and record.outcome in ("failed", "error"):
                    messages[record.reason or "the test broke before the check ran"] += 1
        shown = [
            (_across(m, n, len(seen_in.get(m, ()))), n)
            for m, n in messages.most_common(_MESSAGES_SHOWN)
        ]
        items.append(
            {
                "requirement": row["id"],
                "title": row["title"],
                "level": row["level"],
                "spec_url": row["spec_url"],
                "section": row["section"],
                "severity": "warning" if row["outcome"] == "warning" else "error",
                "messages": [{"message": m, "count": n} for m, n in shown],
                "more_messages": max(0, len(messages) - len(shown)),
                "blocks": len(blocked.get(row["id"], set()) - {row["id"]}),
                "tests": row["tests"],
            }
        )
    # Stable: among requirements that block nothing, the table's order (worst first) stays.
    return sorted(items, key=lambda item: -int(item["blocks"]))
