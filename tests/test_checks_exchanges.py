"""Each exchange check, on hand-built exchanges: it gives exactly the requirements its
breaking input breaks, and nothing on an input that keeps its rules (tests/exchange_cases.py)."""

from __future__ import annotations

import pytest

from harness.findings import Level
from tests.exchange_cases import CASES, Case
from tests.outcome_cases import OUTCOME_CASES

ALL = CASES + OUTCOME_CASES


@pytest.mark.parametrize("case", ALL, ids=[f"{c.check}: {c.name}" for c in ALL])
def test_each_check_fails_exactly_on_what_breaks_its_rule(case: Case) -> None:
    # Given an exchange (or crawl) that keeps or breaks the rule, or that lacks the evidence,
    # When the check runs
    found = case.call()
    # Then it names the requirements broken, and every finding names the check that made it
    judged = {f.requirement for f in found if f.check == case.check and f.outcome is None}
    assert judged == case.emits, found
    assert all(f.check is not None for f in found), found
    # And it says which rules it could not judge, at info level, naming the root cause
    blocked = [f for f in found if f.outcome == "blocked"]
    assert {f.requirement for f in blocked} == case.blocks, found
    assert all(f.level is Level.INFO and f.cause and f.seen for f in blocked), blocked
    assert {f.requirement for f in found if f.outcome == "partial"} == case.partials, found
    if not case.emits and not case.blocks and not case.partials:
        assert found == [], found
