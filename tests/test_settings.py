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


_PARTNER = {
    "target-url": "https://partner.example/ocpi/versions",
    "target-token": "t0k3n-of-the-partner",
    "target-role": "cpo",
}


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("cdrs", "give MODULE=URL or MODULE:ROLE=URL"),
        ("cdrs=partner.example/cdrs", "give MODULE=URL or MODULE:ROLE=URL"),
        ("=https://partner.example/cdrs", "give MODULE=URL or MODULE:ROLE=URL"),
        ("cdrs:BOTH=https://partner.example/cdrs", "the role is SENDER or RECEIVER"),
        ("cdrs=https://elsewhere.example/cdrs", "add --ocpi-allow-origin https://elsewhere"),
    ],
)
def test_an_endpoint_given_by_hand_is_refused_with_the_fix(given: str, said: str) -> None:
    # Given an --ocpi-endpoint that is malformed or off the target's origin
    # When the settings are read, Then the option and the fix are named
    with pytest.raises(SettingsError, match=said):
        parse_settings({**_PARTNER, "ocpi-endpoint": [given]})


def test_endpoints_given_by_hand_are_taken_by_module_and_role() -> None:
    # Given a module without a role, one with a role, and one on an allowed origin
    settings = parse_settings(
        {
            **_PARTNER,
            "ocpi-allow-origin": ["https://cdrs.partner.example"],
            "ocpi-endpoint": [
                "credentials=https://partner.example/ocpi/2.2.1/credentials",
                "cdrs:sender=https://cdrs.partner.example/2.2.1/cdrs",
            ],
        }
    )
    # Then each is kept under (module, role), the role upper-cased
    assert settings.endpoints == {
        ("credentials", None): "https://partner.example/ocpi/2.2.1/credentials",
        ("cdrs", "SENDER"): "https://cdrs.partner.example/2.2.1/cdrs",
    }
