"""Named options: parsing, validation and the messages that name the fix."""

from __future__ import annotations

from decimal import Decimal

import pytest

from harness.options import DEFAULT_OPTIONS, OPTION_SPECS, OptionError, Options


def test_defaults_are_among_the_choices() -> None:
    for spec in OPTION_SPECS.values():
        assert not spec.choices or spec.default in spec.choices


def test_parse_overrides_one_option() -> None:
    options = Options.parse(["AMB-C-11=STRICT_FAIL", "tolerance-kwh=0.01"])
    assert options.get("AMB-C-11") == "STRICT_FAIL"
    assert options.decimal("tolerance-kwh") == Decimal("0.01")
    assert options.get("AMB-C-17") == DEFAULT_OPTIONS.get("AMB-C-17")


@pytest.mark.parametrize(
    ("pair", "says"),
    [
        ("AMB-C-11", "is not ID=VALUE"),
        ("AMB-C-77=X", "unknown option 'AMB-C-77'; known options: AMB-C-01"),
        ("AMB-C-11=LOUD", "takes one of WARN_WITH_TOLERANCE"),
        ("tolerance-money=abc", "takes a number"),
        ("tolerance-money=-1", "non-negative"),
    ],
)
def test_wrong_options_say_what_is_accepted(pair: str, says: str) -> None:
    with pytest.raises(OptionError, match=says):
        Options.parse([pair])
