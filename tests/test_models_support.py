"""DateTime parsing, money amounts, JSON paths and version lookup."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from harness.findings import json_path
from harness.models import model_for, models_for, v2_2_1, v2_3_0
from harness.models.amounts import Amount, amount_of
from harness.models.datetimes import EPOCH, parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-06-29T20:39:09Z", datetime(2015, 6, 29, 20, 39, 9, tzinfo=timezone.utc)),
        ("2015-06-29T20:39:09", datetime(2015, 6, 29, 20, 39, 9, tzinfo=timezone.utc)),
        ("2016-12-29T17:45:09.2Z", datetime(2016, 12, 29, 17, 45, 9, 200000, tzinfo=timezone.utc)),
        ("2018-01-01T01:08:01.12345", datetime(2018, 1, 1, 1, 8, 1, 123450, tzinfo=timezone.utc)),
        ("1970-1-1T00:00:00Z", EPOCH),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z", "yesterday"])
def test_parse_datetime_refuses_what_is_no_instant(text: str) -> None:
    with pytest.raises(ValueError, match=r"DateTime|day|hour"):
        parse_datetime(text)


def test_amounts_of_every_money_shape() -> None:
    assert amount_of(4.0) == Amount(Decimal("4.0"), None)
    assert amount_of(v2_2_1.Price(excl_vat=4.0, incl_vat=4.4)) == Amount(
        Decimal("4.0"), Decimal("4.4")
    )
    price = v2_3_0.Price(
        before_taxes=4.0,
        taxes=[v2_3_0.TaxAmount(name="VAT", amount=0.4), v2_3_0.TaxAmount(name="QST", amount=0.1)],
    )
    assert amount_of(price) == Amount(Decimal("4.0"), Decimal("4.5"))
    assert amount_of(v2_3_0.PriceLimit(before_taxes=1.0)) == Amount(Decimal("1.0"), None)
    with pytest.raises(TypeError):
        amount_of("4.00")


def test_json_path() -> None:
    assert json_path(()) == "$"
    assert (
        json_path(("charging_periods", 0, "dimensions", 1, "volume"))
        == "$.charging_periods[0].dimensions[1].volume"
    )


def test_unknown_version_lists_the_supported_ones() -> None:
    with pytest.raises(ValueError, match=r"use one of 2\.1\.1, 2\.2\.1, 2\.3\.0"):
        models_for("2.2")


def test_same_names_in_every_version_module() -> None:
    for version in ("2.1.1", "2.2.1", "2.3.0"):
        module = models_for(version)
        for name in (
            "Cdr",
            "Tariff",
            "TariffElement",
            "PriceComponent",
            "TariffRestrictions",
            "ChargingPeriod",
            "CdrDimension",
            "EnergyMix",
            "DisplayText",
        ):
            assert hasattr(module, name), (version, name)
        assert model_for(version, "cdr") is module.Cdr
