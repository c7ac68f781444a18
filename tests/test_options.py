"""Named options: parsing, validation and the messages that name the fix."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pytest

from harness.options import (
    DEFAULT_OPTIONS,
    OPTION_SPECS,
    OptionError,
    OptionId,
    Options,
    OptionValue,
)
from tests.conftest import ROOT


def test_defaults_are_among_the_choices() -> None:
    for spec in OPTION_SPECS.values():
        assert not spec.choices or spec.default in spec.choices


def test_parse_overrides_one_option() -> None:
    options = Options.parse(["AMB-C-11=FAIL_WITH_TOLERANCE", "tolerance-kwh=0.01"])
    assert options.get("AMB-C-11") == "FAIL_WITH_TOLERANCE"
    assert options.decimal("tolerance-kwh") == Decimal("0.01")
    assert options.get("AMB-C-17") == DEFAULT_OPTIONS.get("AMB-C-17")


@pytest.mark.parametrize(
    ("pair", "says"),
    [
        ("AMB-C-11", "is not ID=VALUE"),
        ("AMB-C-77=X", "unknown option 'AMB-C-77'; known options: AMB-C-01"),
        ("AMB-C-11=LOUD", "takes one of FAIL_WITH_TOLERANCE"),
        ("tolerance-money=abc", "takes a number"),
        ("tolerance-money=-1", "non-negative"),
        ("step-slack-seconds=abc", "takes a number or auto"),
        ("step-slack-wh=-0.1", "takes a non-negative number or auto"),
    ],
)
def test_wrong_options_say_what_is_accepted(pair: str, says: str) -> None:
    with pytest.raises(OptionError, match=says):
        Options.parse([pair])


def test_step_slack_is_derived_unless_a_number_overrides_it() -> None:
    # Given the step slack options at their default and set to a number
    # Then the default is auto (derived from the volumes as written) and a number is read
    assert DEFAULT_OPTIONS.decimal_or_auto("step-slack-seconds") is None
    assert DEFAULT_OPTIONS.decimal_or_auto("step-slack-wh") is None
    set_ = Options.parse(["step-slack-seconds=0.5", "step-slack-wh=auto"])
    assert set_.decimal_or_auto("step-slack-seconds") == Decimal("0.5")
    assert set_.decimal_or_auto("step-slack-wh") is None
    with pytest.raises(OptionError, match="is auto"):
        DEFAULT_OPTIONS.decimal("step-slack-seconds")


def test_every_option_id_and_value_is_a_typed_name() -> None:
    # Given the Literal types mypy checks option ids and values against
    # Then they name exactly the options and the choices there are
    assert get_args(OptionId) == tuple(OPTION_SPECS)
    values = {value for spec in OPTION_SPECS.values() for value in spec.choices}
    assert set(get_args(OptionValue)) == values


def test_is_compares_with_a_declared_choice() -> None:
    options = Options.parse(["AMB-C-11=FAIL_WITH_TOLERANCE"])
    assert options.is_("AMB-C-11", "FAIL_WITH_TOLERANCE")
    assert not options.is_("AMB-C-11", "IGNORE")
    assert DEFAULT_OPTIONS.is_("AMB-C-11", "FAIL_WITH_TOLERANCE")


def test_a_misspelled_option_id_fails() -> None:
    # A typo in an option id never reads as "the option is not set"
    misspelled: Any = "AMB-C-111"
    with pytest.raises(OptionError, match="unknown option 'AMB-C-111'; known options: AMB-C-01"):
        DEFAULT_OPTIONS.get(misspelled)
    with pytest.raises(OptionError, match="unknown option 'AMB-C-111'"):
        DEFAULT_OPTIONS.is_(misspelled, "FAIL_WITH_TOLERANCE")


@pytest.mark.parametrize(
    ("option_id", "value", "says"),
    [
        ("AMB-C-11", "FAIL_WITH_TOLERANCES", "option AMB-C-11 takes one of FAIL_WITH_TOLERANCE"),
        # a value of another option is as wrong as a typo
        ("AMB-C-11", "REJECT", "option AMB-C-11 takes one of FAIL_WITH_TOLERANCE"),
        ("tolerance-money", "0.01", "option tolerance-money has no choices"),
    ],
)
def test_a_misspelled_option_value_fails(option_id: str, value: str, says: str) -> None:
    # A typo in a value never reads as "the option has another value"
    with pytest.raises(OptionError, match=says):
        DEFAULT_OPTIONS.is_(option_id, value)  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.subprocess
def test_a_misspelled_option_id_value_or_fault_fails_mypy(tmp_path: Path) -> None:
    # Given code that names an option id, an option value and a fault with one typo each
    code = (
        "from harness.options import DEFAULT_OPTIONS\n"
        "from harness.mock.settings import MockSettings\n"
        'DEFAULT_OPTIONS.is_("AMB-C-11", "FAIL_WITH_TOLERANCE")\n'
        'MockSettings().has_fault("no-link")\n'
        'DEFAULT_OPTIONS.get("AMB-C-111")\n'
        'DEFAULT_OPTIONS.is_("AMB-C-11", "FAIL_WITH_TOLERANCES")\n'
        'MockSettings().has_fault("no-lnk")\n'
    )
    # When mypy checks it (harness's own modules silently: only the snippet is judged)
    args = ["--config-file=", "--strict", "--follow-imports=silent", "--no-incremental"]
    args += ["--cache-dir", str(tmp_path), "-c", code]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *args], cwd=ROOT, capture_output=True, text=True
    )
    # Then it flags the three typos, and only those
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["5", "6", "7"], done.stdout
    assert done.returncode == 1
