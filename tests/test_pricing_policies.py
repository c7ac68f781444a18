"""Each pricing policy branch not covered by a vector, tariff choice, time zones, and the
explanation the oracle gives."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from harness.models import model_for
from harness.options import Options
from harness.pricing import Cost, PricingError, price_session, priced_tariff
from harness.pricing.explain import breakdown, describe_line
from harness.pricing.timezones import resolve_zone, zone_of_country
from tests.pricing_helpers import el, pc, session, tariff, tariff_json

D = Decimal


def test_step_size_zero_is_no_rounding_by_default_and_refused_under_reject_zero() -> None:
    # Given an energy component with step_size 0 and 1.2345 kWh
    tariffs = [tariff("T", el(pc("ENERGY", 1.0, 0)))]
    facts = session((0, {"ENERGY": 1.2345, "TIME": 0.5}), minutes=30)
    # When priced at the defaults, the volume is billed as it is
    assert price_session(tariffs, facts).total.excl == D("1.2345")
    # And under AMB-C-04=REJECT_ZERO the tariff is refused, naming the option
    with pytest.raises(PricingError, match="AMB-C-04=REJECT_ZERO"):
        price_session(tariffs, facts, Options({"AMB-C-04": "REJECT_ZERO"}))


def test_negative_price_signed_by_default_and_refused_under_reject() -> None:
    tariffs = [tariff("T", el(pc("ENERGY", -0.10)))]
    facts = session((0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60)
    assert price_session(tariffs, facts).total.excl == D("-1.00")
    assert price_session(tariffs, facts, Options({"AMB-C-19": "CLAMP_ZERO"})).total.excl == 0
    with pytest.raises(PricingError, match="negative ENERGY price"):
        price_session(tariffs, facts, Options({"AMB-C-19": "REJECT_NEGATIVE_PRICE"}))


def test_tariff_chosen_at_session_start_or_switched_at_boundary() -> None:
    # Given an old tariff valid until 10:30 UTC and a new one from then, and periods that
    # name no tariff, priced with missing-tariff-id=CHOSEN_TARIFF
    old = tariff("OLD", el(pc("ENERGY", 0.20)), end_date_time="2024-03-04T09:30:00Z")
    new = tariff("NEW", el(pc("ENERGY", 0.40)), start_date_time="2024-03-04T09:30:00Z")
    facts = session(
        (0, {"ENERGY": 5.0, "TIME": 0.5}), (30, {"ENERGY": 5.0, "TIME": 0.5}),
        minutes=60, tariff_id=None,
    )  # fmt: skip
    chosen = {"missing-tariff-id": "CHOSEN_TARIFF"}
    at_start = price_session([old, new], facts, Options(chosen))
    switched = price_session(
        [old, new], facts, Options({**chosen, "AMB-C-20": "SWITCH_AT_BOUNDARY"})
    )
    # Then the tariff valid at the start prices everything, or each period gets its own
    assert at_start.total.excl == D("2.00")
    assert switched.total.excl == D("3.00")
    assert [line.tariff_id for line in switched.lines if line.dimension == "ENERGY"] == [
        "OLD",
        "NEW",
    ]


def test_period_without_tariff_id_is_free_by_default() -> None:
    tariffs = [tariff("T", el(pc("ENERGY", 0.25)))]
    facts = session((0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60, tariff_id=None)
    free = price_session(tariffs, facts)
    assert free.total.excl == 0
    assert any("names no tariff" in note for note in free.notes)
    chosen = price_session(tariffs, facts, Options({"missing-tariff-id": "CHOSEN_TARIFF"}))
    assert chosen.total.excl == D("2.50")


def test_tariff_type_follows_the_token() -> None:
    # TF-007: an ad hoc user gets the AD_HOC_PAYMENT tariff, others the REGULAR one
    regular = tariff("REG", el(pc("ENERGY", 0.30)), type="REGULAR")
    ad_hoc = tariff("ADHOC", el(pc("ENERGY", 0.50)), type="AD_HOC_PAYMENT")
    chosen = Options({"missing-tariff-id": "CHOSEN_TARIFF"})
    periods = (0, {"ENERGY": 10.0, "TIME": 1.0})
    app = session(periods, minutes=60, tariff_id=None, token_type="APP_USER")
    adhoc = session(periods, minutes=60, tariff_id=None, token_type="AD_HOC_USER")
    assert price_session([ad_hoc, regular], app, chosen).total.excl == D("3.00")
    assert price_session([regular, ad_hoc], adhoc, chosen).total.excl == D("5.00")


def test_unknown_tariff_id_is_unpriced_not_free() -> None:
    facts = session((0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60, tariff_id="NOPE")
    result = price_session([tariff("T", el(pc("ENERGY", 0.25)))], facts)
    assert result.unpriced == ("period 0 names tariff NOPE, which was not given",)


def test_prorate_subtotals_scales_them_with_the_cap() -> None:
    # Given FLAT 2 + ENERGY 0.50 x 36 kWh = 20 capped at 10
    tariffs = [tariff("T", el(pc("FLAT", 2.0), pc("ENERGY", 0.5)), max_price={"excl_vat": 10.0})]
    facts = session((0, {"ENERGY": 36.0, "TIME": 2.0}), minutes=120)
    capped = price_session(tariffs, facts)
    prorated = price_session(tariffs, facts, Options({"AMB-C-21": "PRORATE_SUBTOTALS"}))
    # Then both cap the total; only PRORATE_SUBTOTALS scales the sub-totals to add up to it
    assert capped.total.excl == prorated.total.excl == D("10.0")
    assert capped.subtotals["energy"].excl == D("18.0")
    assert prorated.subtotals["energy"].excl == D("9.0")
    assert prorated.subtotals["fixed"].excl == D("1.0")
    assert capped.adjustments[0].limit == "max_price"


def test_min_dimension_reads_min_power() -> None:
    # Given a period whose average power is 10 kW, MAX_POWER 22 and MIN_POWER 5
    tariffs = [tariff("T", el(pc("ENERGY", 0.20), min_power=8.0), el(pc("ENERGY", 0.40)))]
    dims = {"ENERGY": 10.0, "TIME": 1.0, "MAX_POWER": 22.0, "MIN_POWER": 5.0}
    facts = session((0, dims), minutes=60)
    # Then the average (10) and the MAX (22) meet min_power 8; the MIN (5) does not
    assert price_session(tariffs, facts).total.excl == D("2.00")
    assert price_session(tariffs, facts, Options({"AMB-C-23": "MAX_DIMENSION"})).total.excl == 2
    minimum = price_session(tariffs, facts, Options({"AMB-C-23": "MIN_DIMENSION"}))
    assert minimum.total.excl == D("4.00")


def test_power_restriction_unknown_power_does_not_match() -> None:
    # A period with energy but no time and no power dimensions: the power is unknown
    tariffs = [tariff("T", el(pc("ENERGY", 0.20), max_power=50.0), el(pc("ENERGY", 0.40)))]
    facts = session((0, {"ENERGY": 10.0}), minutes=60)
    assert price_session(tariffs, facts).total.excl == D("4.00")


def test_vat_is_added_per_component_in_2_2_1() -> None:
    cost = price_session(
        [tariff("T", el(pc("FLAT", 1.0, 1, 20.0), pc("ENERGY", 0.25, 1, 10.0)))],
        session((0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60),
    ).total
    assert cost == Cost(D("3.50"), D("3.950"))


@pytest.mark.parametrize(
    ("tax_included", "vat", "expected"),
    [
        ("NO", 10.0, Cost(D("2.50"), D("2.750"))),
        ("NO", None, Cost(D("2.50"), None)),  # local law decides: after tax unknown
        ("YES", 25.0, Cost(D("2.00"), D("2.50"))),
        ("YES", None, Cost(None, D("2.50"))),  # before tax unknown
        ("N/A", 25.0, Cost(D("2.50"), D("2.50"))),
    ],
)
def test_2_3_0_tax_included_decides_what_the_price_is(
    tax_included: str, vat: float | None, expected: Cost
) -> None:
    raw = {**tariff_json("T", el(pc("ENERGY", 0.25, 1, vat))), "tax_included": tax_included}
    model = model_for("2.3.0", "tariff").model_validate_json(json.dumps(raw))
    facts = session((0, {"ENERGY": 10.0, "TIME": 1.0}), minutes=60)
    assert price_session([priced_tariff(model)], facts).total == expected


def test_time_zone_sources() -> None:
    defaults = Options()
    assert resolve_zone("Europe/Paris", "NLD", defaults).name == "Europe/Paris"
    assert resolve_zone(None, "NLD", defaults).name == "Europe/Amsterdam"
    assert resolve_zone(None, "DE", defaults).name == "Europe/Berlin"
    assert zone_of_country("USA") is None  # several zones: not guessed
    fallback = resolve_zone("Mars/Olympus", "USA", defaults)
    assert fallback.name == "UTC"
    assert "not an IANA zone" in fallback.source
    assert resolve_zone("Europe/Paris", "FRA", Options({"AMB-C-05": "UTC"})).name == "UTC"
    configured = Options({"AMB-C-05": "CONFIG_TZ", "time-zone": "Asia/Tokyo"})
    assert resolve_zone("Europe/Paris", "FRA", configured).name == "Asia/Tokyo"


def test_explanation_names_element_volume_billed_and_amount() -> None:
    # Given V-04-like parking after charging with 900 s steps
    tariffs = [tariff("T", el(pc("FLAT", 0.5, 1, 20.0), pc("PARKING_TIME", 2.0, 900, 20.0)))]
    facts = session(
        (0, {"ENERGY": 20.0, "TIME": 2.0}), (120, {"PARKING_TIME": 40 / 60}), minutes=160
    )
    result = price_session(tariffs, facts)
    parking = next(line for line in result.lines if line.dimension == "PARKING_TIME")
    # Then the line says which element and component priced it and how step_size rounded it
    assert (parking.element, parking.component, parking.step_size) == (0, 1, 900)
    assert parking.billed == D("0.75")
    assert parking.cost.excl == D("1.500")
    assert "billed 0.75 h" in describe_line(parking)
    table = breakdown(result)
    assert "total_parking_cost: 1.5 excl / 1.8 incl" in table
    assert "total_cost: 2 excl / 2.4 incl" in table
    # And the policies in force are recorded
    assert result.policies["AMB-C-02"] == "SESSION_TOTAL_LAST_PERIOD"


def test_reservation_only_cdr_start_is_the_session_start() -> None:
    facts = session((0, {"RESERVATION_TIME": 1.0}), minutes=60)
    assert facts.reservation_expired
    assert facts.charging_start == facts.start


def test_local_day_not_utc_day_decides_day_of_week() -> None:
    # Sunday 00:30 in Amsterdam is Saturday 23:30 UTC
    start = datetime(2024, 3, 9, 23, 30, tzinfo=timezone.utc)
    tariffs = [tariff("T", el(pc("TIME", 1.0, 1), day_of_week=["SUNDAY"]), el(pc("TIME", 9.0)))]
    facts = session((0, {"TIME": 1.0}), minutes=60, start=start)
    assert price_session(tariffs, facts).total.excl == D("1.0")


def test_a_fraction_of_a_second_past_a_step_is_billed_a_whole_step_p_011() -> None:
    # Given TIME per minute and 34,501 s of charging written as 9.583611 h (34,500.9996 s):
    # one second past minute 575 (issue 16; the fixed 1 s slack billed 575 minutes)
    per_minute = [tariff("T", el(pc("TIME", 1.78, 60)))]
    past = session((0, {"TIME": 9.583611}), minutes=575.02)
    # When it is priced at the defaults
    # Then consumed time rounds up (P-011): 576 minutes, 9.6 h x 1.78
    assert price_session(per_minute, past).total.excl == D("17.088")
    # And 0.1 Wh past a 1 kWh step, written to a tenth of a Wh, is billed a step too
    per_kwh = [tariff("T", el(pc("ENERGY", 1.0, 1000)))]
    assert price_session(per_kwh, session((0, {"ENERGY": 10.0001}), minutes=60)).total.excl == 11


def test_step_slack_is_the_noise_of_the_volumes_as_written() -> None:
    # Given 34,980 s (583 minutes) written as 9.716667 h: 34,980.0012 s, the nearest 6-decimal
    # hour, within half a millionth of an hour (1.8 ms) of the step boundary
    per_minute = [tariff("T", el(pc("TIME", 1.0, 60)))]
    noisy = session((0, {"TIME": 9.716667}), minutes=583)
    # When priced, Then it is on the boundary: 583 minutes, not a started 584th
    assert price_session(per_minute, noisy).total.excl == D("9.716666666666666666666666667")
    # And the noise of a sum is the noise of its terms: 1,000 s + 2,000 s written as
    # 0.277778 h + 0.555556 h are 3,000.0024 s, within 2 x 1.8 ms of 50 minutes
    summed = session((0, {"TIME": 0.277778}), (1000 / 60, {"TIME": 0.555556}), minutes=50)
    assert price_session(per_minute, summed).total.excl == D("0.8333333333333333333333333333")
    # And 10 kWh in thirds written to 5 decimals (10.00001 kWh) are on the 10 kWh step
    per_kwh = [tariff("T", el(pc("ENERGY", 1.0, 1000)))]
    thirds = session(
        (0, {"ENERGY": 3.33334}), (20, {"ENERGY": 3.33333}), (40, {"ENERGY": 3.33334}), minutes=60
    )
    assert price_session(per_kwh, thirds).total.excl == D("10.0")
    # And an explicit slack overrides: 0 reads the volumes exactly, 1 s is the old fixed slack
    exact = Options({"step-slack-seconds": "0", "step-slack-wh": "0"})
    assert price_session(per_minute, noisy, exact).total.excl == D("9.733333333333333333333333333")
    assert price_session(per_kwh, thirds, exact).total.excl == D("11.0")
    one_second = Options({"step-slack-seconds": "1"})
    past = session((0, {"TIME": 9.583611}), minutes=575.02)
    assert price_session(per_minute, past, one_second).total.excl == D(
        "9.583333333333333333333333333"
    )


def test_the_derived_slack_never_absorbs_a_real_overage() -> None:
    # Review of issue 16 item 1: the noise of many coarsely written volumes added up to more
    # than an overage. Given six TIME volumes written to 4 decimals of an hour (0.18 s of
    # noise each) that add up to 1.0003 h: 1.08 s past the 60th minute
    per_minute = [tariff("T", el(pc("TIME", 1.0, 60)))]
    volumes = (0.1667, 0.1667, 0.1667, 0.1667, 0.1666, 0.1669)
    six = session(*((10 * i, {"TIME": v}) for i, v in enumerate(volumes)), minutes=60.018)
    # When priced at the default slack, Then the 61st minute is billed (P-011)
    assert price_session(per_minute, six).total.excl == D("1.016666666666666666666666667")
    # And 20 energy volumes in whole Wh, 1 Wh past 10 kWh, bill the 11th kWh
    per_kwh = [tariff("T", el(pc("ENERGY", 1.0, 1000)))]
    twenty = session(*((3 * i, {"ENERGY": 0.5}) for i in range(19)), (57, {"ENERGY": 0.501}),
                     minutes=60)  # fmt: skip
    assert price_session(per_kwh, twenty).total.excl == D("11.0")


def test_taxes_excluded_without_vat_are_unknown_or_zero_as_missing_vat_says() -> None:
    # Given a 2.3.0 tariff with tax_included NO, no vat on its component, and a minimum of
    # 0.50 before and 0.60 after taxes; a session of 1 kWh at 0.25
    raw = {
        **tariff_json("T", el(pc("ENERGY", 0.25))),
        "min_price": {"before_taxes": 0.5, "after_taxes": 0.6},
        "tax_included": "NO",
    }
    tariffs = [priced_tariff(model_for("2.3.0", "tariff").model_validate_json(json.dumps(raw)))]
    facts = session((0, {"ENERGY": 1.0, "TIME": 0.1}), minutes=6)
    # When priced at the default, Then local law decides the tax: the amount after it is
    # unknown, and so is whether the minimum after tax applies (P-020)
    default = price_session(tariffs, facts)
    assert default.total == Cost(D("0.5"), None)
    assert default.policies["missing-vat"] == "UNKNOWN_TAX"
    # And under missing-vat=ZERO_TAX no tax is added, so the minimum after tax applies too
    zero = price_session(tariffs, facts, Options({"missing-vat": "ZERO_TAX"}))
    assert zero.total == Cost(D("0.5"), D("0.6"))
