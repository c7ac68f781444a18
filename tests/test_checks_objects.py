"""The object cases (tests/object_cases.py): each hand-built CDR or tariff makes the check it
names report the requirement it names, through ``check_object``."""

from __future__ import annotations

import pytest

from harness.checks.registry import all_checks
from tests.object_cases import OBJECT_CASES, ObjectCase


@pytest.mark.parametrize("case", OBJECT_CASES, ids=lambda case: f"{case.check}-{case.requirement}")
def test_object_case_makes_its_check_report_its_requirement(case: ObjectCase) -> None:
    # Given a valid fixture with one thing changed (case.title)
    # When check_object runs on it
    findings = case.run()
    # Then the named check reports the named requirement
    made = {(f.check, f.requirement) for f in findings}
    assert (case.check, case.requirement) in made, (case.title, sorted(made, key=str))


def test_object_cases_name_registered_checks_and_declared_requirements() -> None:
    checks = all_checks()
    for case in OBJECT_CASES:
        assert case.requirement in checks[case.check].requirements, case.title
