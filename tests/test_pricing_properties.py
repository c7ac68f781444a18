"""Properties of the cost oracle over many generated sessions and tariffs."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.options import Options
from harness.pricing import price_session
from tests.pricing_helpers import el, pc, session, tariff

PRICES = st.decimals(min_value=0, max_value=5, places=2)
STEPS = st.sampled_from([1, 25, 60, 100, 300, 500, 900, 1000])
KWH = st.decimals(min_value=0, max_value=150, places=3)
settings.register_profile("harness", max_examples=150, deadline=None)
settings.load_profile("harness")


@given(price=PRICES, step=STEPS, low=KWH, extra=KWH)
def test_price_is_monotone_in_energy(
    price: Decimal, step: int, low: Decimal, extra: Decimal
) -> None:
    # Given an ENERGY-only tariff and two sessions, the second with more energy
    tariffs = [tariff("T", el(pc("ENERGY", float(price), step)))]
    less = session((0, {"ENERGY": float(low), "TIME": 1.0}), minutes=60)
    more = session((0, {"ENERGY": float(low + extra), "TIME": 1.0}), minutes=60)
    # Then more energy never costs less
    a, b = price_session(tariffs, less).total.excl, price_session(tariffs, more).total.excl
    assert a is not None
    assert b is not None
    assert a <= b


@given(
    energy_price=PRICES,
    time_price=PRICES,
    parking_price=PRICES,
    energy_step=STEPS,
    time_step=STEPS,
    parking_step=STEPS,
    energy=st.decimals(min_value=0, max_value=80, places=2),
    minutes=st.integers(min_value=2, max_value=600),
    cut=st.floats(min_value=0.05, max_value=0.95),
    parking=st.integers(min_value=0, max_value=120),
)
def test_splitting_a_period_where_nothing_changes_keeps_the_price(
    energy_price: Decimal,
    time_price: Decimal,
    parking_price: Decimal,
    energy_step: int,
    time_step: int,
    parking_step: int,
    energy: Decimal,
    minutes: int,
    cut: float,
    parking: int,
) -> None:
    # Given an unrestricted tariff (no boundary anywhere) and a charging period, maybe parking
    tariffs = [
        tariff(
            "T",
            el(
                pc("FLAT", 1.0, 1, 20.0),
                pc("ENERGY", float(energy_price), energy_step, 10.0),
                pc("TIME", float(time_price), time_step, 10.0),
                pc("PARKING_TIME", float(parking_price), parking_step, 20.0),
            ),
        )
    ]
    first = int(minutes * cut) or 1
    e1 = (energy * Decimal(first) / Decimal(minutes)).quantize(Decimal("0.001"))
    tail = [(minutes, {"PARKING_TIME": parking / 60})] if parking else []
    whole = session(
        (0, {"ENERGY": float(energy), "TIME": minutes / 60}), *tail, minutes=minutes + parking
    )
    split = session(
        (0, {"ENERGY": float(e1), "TIME": first / 60}),
        (first, {"ENERGY": float(energy - e1), "TIME": (minutes - first) / 60}),
        *tail,
        minutes=minutes + parking,
    )
    # Then step_size applied to session totals makes the split invisible
    a = price_session(tariffs, whole).total
    b = price_session(tariffs, split).total
    assert None not in (a.excl, b.excl, a.incl, b.incl)
    assert a.excl is not None
    assert b.excl is not None
    assert a.incl is not None
    assert b.incl is not None
    assert abs(a.excl - b.excl) < Decimal("0.000001")
    assert abs(a.incl - b.incl) < Decimal("0.000001")
    # And rounding every period on its own (AMB-C-02=PER_PERIOD) can only cost more
    per_period = Options({"AMB-C-02": "PER_PERIOD"})
    c = price_session(tariffs, split, per_period).total.excl
    assert c is not None
    assert c >= b.excl - Decimal("0.000001")


@given(
    price=PRICES,
    energy=KWH,
    low=st.decimals(min_value=0, max_value=10, places=2),
    span=st.decimals(min_value=0, max_value=50, places=2),
)
def test_total_stays_between_min_and_max_price(
    price: Decimal, energy: Decimal, low: Decimal, span: Decimal
) -> None:
    high = low + span
    tariffs = [
        tariff(
            "T",
            el(pc("FLAT", 0.5), pc("ENERGY", float(price))),
            min_price={"excl_vat": float(low)},
            max_price={"excl_vat": float(high)},
        )
    ]
    total = price_session(
        tariffs, session((0, {"ENERGY": float(energy), "TIME": 2.0}), minutes=120)
    ).total.excl
    assert total is not None
    assert low <= total <= high


@given(flat=PRICES, energy=KWH, minutes=st.integers(min_value=1, max_value=2000))
def test_flat_only_tariff_costs_the_flat_fee_whatever_the_volumes(
    flat: Decimal, energy: Decimal, minutes: int
) -> None:
    tariffs = [tariff("T", el(pc("FLAT", float(flat))))]
    facts = session(
        (0, {"ENERGY": float(energy), "TIME": minutes / 120}),
        (minutes // 2 or 1, {"PARKING_TIME": minutes / 120}),
        minutes=minutes + 1,
    )
    assert price_session(tariffs, facts).total.excl == Decimal(repr(float(flat)))


@given(
    prices=st.lists(PRICES, min_size=1, max_size=4),
    energy=st.lists(st.decimals(min_value=0, max_value=30, places=2), min_size=1, max_size=6),
)
def test_subtotals_add_up_to_the_total_without_limits(
    prices: list[Decimal], energy: list[Decimal]
) -> None:
    # Given elements switching on energy thresholds and periods of various energy
    elements = [
        el(pc("ENERGY", float(p)), max_kwh=float(10 * (i + 1))) for i, p in enumerate(prices)
    ]
    tariffs = [tariff("T", *elements, el(pc("ENERGY", 0.99), pc("FLAT", 0.1)))]
    periods = [(15 * i, {"ENERGY": float(e), "TIME": 0.25}) for i, e in enumerate(energy)]
    result = price_session(tariffs, session(*periods, minutes=15 * len(energy)))
    summed = sum((c.excl or Decimal(0) for c in result.subtotals.values()), Decimal(0))
    assert summed == result.total.excl
