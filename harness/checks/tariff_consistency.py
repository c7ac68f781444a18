"""Single-tariff consistency checks (standalone tariffs and those embedded in CDRs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from harness.checks.codes import TARIFF_CODE_CHECKS
from harness.checks.context import CheckContext
from harness.checks.registry import check
from harness.findings import Finding, Level
from harness.models.base import declared
from harness.models.datetimes import parse_datetime

# A registered check: its findings come back as a list (harness.checks.registry).
TariffCheck = Callable[[Any, CheckContext], list[Finding]]

_RESERVATION_DIMENSIONS = frozenset({"FLAT", "TIME"})
_PAIRS = (
    ("min_kwh", "max_kwh"),
    ("min_current", "max_current"),
    ("min_power", "max_power"),
    ("min_duration", "max_duration"),
)


@check(requirements=("T-TYPE-02", "TF-008"), needs=("well-formed fields",))
def check_tariff_datetimes(tariff: Any, ctx: CheckContext) -> Iterator[Finding]:
    """DateTimes name real instants (T-TYPE-02) and the validity window is not empty (TF-008)."""
    parsed = {}
    for name in ("start_date_time", "end_date_time", "last_updated"):
        value = declared(tariff, name)
        if value is None:
            continue
        try:
            parsed[name] = parse_datetime(value)
        except ValueError:
            yield ctx.finding(
                "T-TYPE-02",
                Level.ERROR,
                f"'{name}' has the DateTime form but names no real instant: {value}",
                (name,),
                seen=value,
            )
    if (
        "start_date_time" in parsed
        and "end_date_time" in parsed
        and parsed["end_date_time"] <= parsed["start_date_time"]
    ):
        yield ctx.finding(
            "TF-008",
            Level.ERROR,
            f"the tariff is valid from {tariff.start_date_time} until "
            f"{tariff.end_date_time}: an empty period",
            ("end_date_time",),
            expected=f"> {tariff.start_date_time}",
            seen=tariff.end_date_time,
        )


@check(requirements=("TF-002", "TF-011", "TF-013", "TF-017"), needs=("well-formed fields",))
def check_price_components(tariff: Any, ctx: CheckContext) -> Iterator[Finding]:
    """step_size is not negative (TF-002); vat is a percentage (TF-013); reservation elements
    price only FLAT and TIME (TF-011); 2.3.0 advises step_size 1 (TF-017)."""
    for i, element in enumerate(tariff.elements):
        restrictions = element.restrictions
        reservation = declared(restrictions, "reservation") if restrictions else None
        for j, component in enumerate(element.price_components):
            loc = ("elements", i, "price_components", j)
            if component.step_size < 0:
                yield ctx.finding(
                    "TF-002",
                    Level.ERROR,
                    f"step_size is negative: {component.step_size}",
                    (*loc, "step_size"),
                    expected=">= 0",
                    seen=component.step_size,
                )
            vat = declared(component, "vat")
            if vat is not None and not 0 <= vat <= 100:
                yield ctx.finding(
                    "TF-013",
                    Level.ERROR,
                    f"vat is a percentage between 0 and 100; got {vat}",
                    (*loc, "vat"),
                    expected="0..100",
                    seen=vat,
                )
            if reservation is not None and component.type._value_ not in _RESERVATION_DIMENSIONS:
                yield ctx.finding(
                    "TF-011",
                    Level.ERROR,
                    f"element {i} prices a reservation ({reservation.value}) and may "
                    f"hold only FLAT and TIME components; got {component.type.value}",
                    (*loc, "type"),
                    expected="FLAT or TIME",
                    seen=component.type.value,
                )
            if ctx.profile.advises_step_size_one and component.step_size > 1:
                yield ctx.finding(
                    "TF-017",
                    Level.INFO,
                    f"step_size {component.step_size}: 2.3.0 advises 1 (step_size "
                    "disappears in OCPI 3.0)",
                    (*loc, "step_size"),
                )


@check(requirements=("P-003", "TF-010"), needs=("well-formed fields",))
def check_restrictions(tariff: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Restriction dates are real dates (TF-010) and min/max pairs leave a window (P-003)."""
    for i, element in enumerate(tariff.elements):
        restrictions = element.restrictions
        if restrictions is None:
            continue
        loc = ("elements", i, "restrictions")
        for name in ("start_date", "end_date"):
            value = getattr(restrictions, name)
            if value is None:
                continue
            try:
                date.fromisoformat(value)
            except ValueError:
                yield ctx.finding(
                    "TF-010",
                    Level.ERROR,
                    f"{name} {value} is not a real calendar date",
                    (*loc, name),
                    seen=value,
                )
        for low, high in _PAIRS:
            lo, hi = declared(restrictions, low), declared(restrictions, high)
            if lo is not None and hi is not None and lo >= hi:
                yield ctx.finding(
                    "P-003",
                    Level.WARNING,
                    f"element {i} can never apply: {low} {lo} is not below {high} {hi}",
                    (*loc, high),
                    expected=f"> {lo}",
                    seen=hi,
                )


@check(requirements=("P-018",), needs=("well-formed fields",), versions=("2.2.1", "2.3.0"))
def check_price_limits(tariff: Any, ctx: CheckContext) -> Iterator[Finding]:
    """min_price is not above max_price (P-018, 2.2+)."""
    low, high = declared(tariff, "min_price"), declared(tariff, "max_price")
    if low is None or high is None:
        return
    if ctx.amount(low).excl > ctx.amount(high).excl:
        yield ctx.finding(
            "P-018",
            Level.ERROR,
            f"min_price ({ctx.amount(low).excl}) is above max_price ({ctx.amount(high).excl})",
            ("min_price",),
            expected=f"<= {ctx.amount(high).excl}",
            seen=ctx.amount(low).excl,
        )


@check(requirements=("TF-015",), needs=("well-formed fields",))
def check_fallback_elements(tariff: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Each priced dimension has a restriction-free element (TF-015, advice: info level)."""
    restricted: set[str] = set()
    free: set[str] = set()
    for element in tariff.elements:
        has_rules = element.restrictions is not None and any(
            value not in (None, []) for value in element.restrictions.model_dump().values()
        )
        for component in element.price_components:
            (restricted if has_rules else free).add(component.type._value_)
    for dimension in sorted(restricted - free):
        yield ctx.finding(
            "TF-015",
            Level.INFO,
            f"{dimension} is priced only by restricted elements; outside them it "
            "is free (a restriction-free fallback element is advised)",
            ("elements",),
        )


TARIFF_CHECKS: tuple[TariffCheck, ...] = (
    check_tariff_datetimes,
    check_price_components,
    check_restrictions,
    check_price_limits,
    check_fallback_elements,
    *TARIFF_CODE_CHECKS,
)
