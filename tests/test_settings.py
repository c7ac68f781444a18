"""The run's settings: each wrong value stops the run with one line naming the option and the
fix; the right ones are taken."""

from __future__ import annotations

import pytest

from harness.settings import SettingsError, parse_settings


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "soon"])
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(value: str) -> None:
    # Issue 19, item 16: --ocpi-timeout -1 or nan made every test fail with a ValueError
    with pytest.raises(SettingsError, match="--ocpi-timeout"):
        parse_settings({"ocpi-timeout": value})


def test_a_fractional_timeout_is_taken() -> None:
    assert parse_settings({"ocpi-timeout": "0.5"}).timeout == 0.5


def test_allowed_origins_must_be_origins() -> None:
    with pytest.raises(SettingsError, match="--ocpi-allow-origin 'partner': give an origin"):
        parse_settings({"ocpi-allow-origin": ["partner"]})
    settings = parse_settings({"ocpi-allow-origin": ["https://cdrs.partner.example"]})
    assert settings.allowed_origins == ("https://cdrs.partner.example",)
