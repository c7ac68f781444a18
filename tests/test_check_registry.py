"""The check registry is the truth about the checks: every declared requirement of every check
is proven by a failing case, every check by a passing one; the docs and --ocpi-list-checks
come from it; declarations are checked at import; a check can be switched off by name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from harness.checks import check_object
from harness.checks.registry import (
    CHECKS,
    UndeclaredRequirement,
    all_checks,
    check,
    checks_markdown,
)
from harness.findings import Finding, Level
from tests.conftest import ROOT, fixture_cases
from tests.exchange_cases import CASES
from tests.object_cases import OBJECT_CASES
from tests.outcome_cases import OUTCOME_CASES


@cache
def _object_proofs() -> frozenset[tuple[str, str]]:
    """(check, requirement) pairs that the invalid and warning fixtures make the object
    checks report (each fixture is an object that breaks one rule, tests/test_fixtures.py),
    and the hand-built object cases (tests/object_cases.py)."""
    from harness.options import Options

    pairs = set()
    for fixture in fixture_cases():
        if fixture.verdict == "valid":
            continue
        raw = fixture.path.read_bytes()
        options = Options.parse([f"{k}={v}" for k, v in fixture.options.items()])
        for finding in check_object(raw, fixture.version, fixture.kind, options):  # type: ignore[arg-type]
            if finding.check is not None:
                pairs.add((finding.check, finding.requirement))
    # ... and the hand-built objects for the pairs no fixture reaches (tests/object_cases.py)
    for case in OBJECT_CASES:
        for finding in case.run():
            if finding.check is not None:
                pairs.add((finding.check, finding.requirement))
    return frozenset(pairs)


def _case_proofs() -> Iterator[tuple[str, str]]:
    for case in CASES + OUTCOME_CASES:
        for requirement in case.emits | case.blocks | case.partials:
            yield case.check, requirement


def test_every_declared_requirement_of_every_check_has_a_failing_case() -> None:
    # Given every registered check, When the failing cases (hand-built exchanges, invalid
    # fixtures) run, Then each (check, requirement) declared is reported by one of them
    proven = set(_case_proofs()) | _object_proofs()
    declared = {(c.name, r) for c in all_checks().values() for r in c.requirements}
    assert sorted(declared - proven) == []


def test_every_exchange_check_has_a_case_it_passes() -> None:
    # (object checks run on every valid fixture, which tests/test_fixtures.py holds clean)
    passing = {c.check for c in CASES + OUTCOME_CASES if not (c.emits | c.blocks | c.partials)}
    object_modules = {"harness.checks.cdr_consistency", "harness.checks.tariff_consistency"}
    object_modules |= {"harness.checks.schema", "harness.checks.unknown_fields"}
    object_modules |= {"harness.checks.cost_consistency", "harness.checks.codes"}
    exchange_checks = {c.name for c in all_checks().values() if c.module not in object_modules}
    assert sorted(exchange_checks - passing) == []


def test_docs_checks_md_is_generated_from_the_registry() -> None:
    # Regenerate with: python -m harness.checks > docs/checks.md
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == checks_markdown()


def test_a_declaration_with_an_unknown_requirement_or_evidence_fails_at_import() -> None:
    with pytest.raises(KeyError):
        check(requirements=("T-NOPE-99",), needs=("response",))(list)
    with pytest.raises(ValueError, match="unknown"):
        check(requirements=("T-PAG-04",), needs=("a hunch",))(list)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="twice"):
        check(requirements=("T-PAG-04",), needs=("response",), name="check_page")(list)
    assert "check_page" in CHECKS


def test_a_check_returning_an_undeclared_requirement_fails_under_the_tests() -> None:
    # Given a check that declares T-PAG-04 but reports T-PAG-05 (strict in the harness's tests)
    def sloppy() -> list[Finding]:
        return [Finding("T-PAG-05", Level.ERROR, "x")]

    registered = check(requirements=("T-PAG-04",), needs=("response",), name="sloppy_check")(sloppy)
    try:
        # When it runs, Then the mismatch is an error, not a silently mislabelled finding
        with pytest.raises(UndeclaredRequirement, match="T-PAG-05"):
            registered()
    finally:
        del CHECKS["sloppy_check"]


def test_list_checks_prints_the_registry_and_runs_nothing(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(str(ROOT / "scenarios"), "--ocpi-list-checks")
    assert result.ret == 0
    text = result.stdout.str()
    assert "| `check_page` |" in text
    assert "passed" not in text


def test_skip_check_switches_a_check_off_and_the_reports_say_so(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given the mock with no X-Total-Count (check_page reports T-PAG-04 on every page)
    summary = tmp_path / "summary.json"
    args = [str(ROOT / "scenarios"), "-p", "no:cacheprovider", "-p", "no:xdist", "-k", "sender"]
    args += ["--ocpi-mock-fault", "no-total-count", "--ocpi-json", str(summary)]
    failing = pytester.runpytest_inprocess(*args)
    assert failing.ret == 1
    # When check_page is switched off, Then the run passes and the summary names the check
    passing = pytester.runpytest_inprocess(*args, "--ocpi-skip-check", "check_page")
    assert passing.ret == 0, passing.stdout.str()[-2000:]
    facts = json.loads(summary.read_text(encoding="utf-8"))
    assert facts["skipped_checks"] == ["check_page"]


def test_skip_check_refuses_a_name_that_is_not_a_check(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(str(ROOT / "scenarios"), "--ocpi-skip-check", "nope")
    assert result.ret == 4
    assert "--ocpi-skip-check 'nope': not a check" in result.stderr.str()


def test_a_module_imported_again_declares_its_checks_again() -> None:
    # Given the pagination checks, When their module is executed a second time (pytester's
    # in-process runs drop what they imported), Then its declarations replace the first ones
    import importlib.util

    import harness.checks.pagination as pagination

    before = CHECKS["check_page"]
    spec = importlib.util.spec_from_file_location("harness.checks.pagination", pagination.__file__)
    assert spec is not None
    assert spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert CHECKS["check_page"] == before
