"""Each exchange check, on hand-built exchanges: it gives exactly the requirements its
breaking input breaks, and nothing on an input that keeps its rules (tests/exchange_cases.py)."""

from __future__ import annotations

import pytest

from tests.exchange_cases import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=[f"{c.check}: {c.name}" for c in CASES])
def test_each_check_fails_exactly_on_what_breaks_its_rule(case: Case) -> None:
    # Given an exchange (or crawl) that keeps or breaks the rule, When the check runs
    found = case.call()
    # Then it names the requirements broken, and every finding names the check that made it
    assert {f.requirement for f in found if f.check == case.check} == case.emits, found
    assert all(f.check is not None for f in found), found
    if not case.emits:
        assert found == [], found
