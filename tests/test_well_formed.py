"""An object that fails its schema still gets every consistency check its well-formed fields
allow (the verdicts issue, item 3 and its validate line), and a malformed field never reads as
an absent one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.checks import check_cdr
from harness.cli.main import main
from tests.conftest import FIXTURES


def _cdr(version: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (FIXTURES / version / "cdr" / "valid" / "full.json").read_text(encoding="utf-8")
    )
    return data


def test_a_2_1_1_cdr_with_seconds_validated_as_2_2_1_gets_shape_and_unit_errors_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a 2.1.1-shaped CDR whose total_time is in seconds (2.5 h written as 9000)
    cdr = _cdr("2.1.1")
    cdr["total_time"] = 9000.0
    path = tmp_path / "cdr.json"
    path.write_text(json.dumps(cdr), encoding="utf-8")
    # When it is validated as 2.2.1
    code = main(["validate", "--version", "2.2.1", "--kind", "cdr", str(path)])
    out = capsys.readouterr().out
    # Then the run reports the shape errors and the unit error together
    assert code == 1
    assert "C-001 $.cdr_location" in out
    assert "'stop_date_time' is the 2.1.1 name" in out
    assert "C-010 $.total_time: total_time is 9000.0 h" in out


def test_a_malformed_field_is_not_taken_for_an_absent_one() -> None:
    # Given a CDR whose embedded tariffs are malformed (a price as text), nothing else wrong
    cdr = _cdr("2.2.1")
    tariffs = cdr["tariffs"]
    assert isinstance(tariffs, list)
    tariffs[0]["elements"][0]["price_components"][0]["price"] = "0.50"
    # When it is checked
    found = check_cdr(cdr, "2.2.1")
    # Then the schema says the price is malformed, and no check says the CDR embeds no
    # tariffs (C-026) or names a tariff it lacks (C-014): those rules are judged on part of
    # the evidence only, the schema finding named as the cause
    assert any(f.requirement == "TF-001" or f.path.startswith("$.tariffs") for f in found)
    told = [f for f in found if f.requirement in ("C-014", "C-026")]
    assert told
    assert all(f.outcome == "partial" and f.level.value == "info" for f in told), told
    assert all(f.cause in ("TF-001", "TF-002") for f in told), told


def test_a_valid_cdr_is_judged_as_before() -> None:
    # Given the valid full CDR (beside the refusals above), Then it has no finding at all
    assert check_cdr(_cdr("2.2.1"), "2.2.1") == []


def test_a_check_that_cannot_run_on_a_malformed_object_says_so() -> None:
    # Given a CDR whose location lacks evse_uid (the whole cdr_location is then unusable, and
    # the cost check needs its country)
    cdr = _cdr("2.2.1")
    del cdr["cdr_location"]["evse_uid"]
    found = check_cdr(cdr, "2.2.1")
    # Then the schema finding is the error, and the cost rules are partial because of it,
    # not passed as if the CDR had been priced
    assert [f.requirement for f in found if f.level.value == "error"] == ["C-001"]
    cost = [f for f in found if f.requirement == "C-026"]
    assert cost
    assert cost[0].outcome == "partial"
    assert cost[0].cause == "C-001"
    assert "check_cost could not run on this object" in cost[0].message
