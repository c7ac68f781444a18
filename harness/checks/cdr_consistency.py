"""Single-CDR consistency checks that need no tariff engine.

Each check takes a validated CDR model (any version) and a CheckContext and yields findings. The
spec defines the totals but rarely states their arithmetic; where a rule is only implied, the
level follows the named option (AMB-C-11 for totals, AMB-C-10 for credit amounts, ...).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from harness.checks.codes import CDR_CODE_CHECKS
from harness.checks.context import CheckContext
from harness.checks.cost_consistency import check_cost, cost_signs
from harness.checks.registry import check
from harness.findings import Finding, Level
from harness.models import models_for
from harness.models.amounts import to_decimal
from harness.models.base import declared
from harness.models.datetimes import parse_datetime
from harness.models.types import EPOCH_PLACEHOLDER
from harness.models.v2_2_1 import SESSION_ONLY_DIMENSIONS

# A registered check: its findings come back as a list (harness.checks.registry).
CdrCheck = Callable[[Any, CheckContext], list[Finding]]

_HOUR = Decimal(3600)
_SUBTOTALS = (
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)
_TIME_DIMENSIONS = ("TIME", "PARKING_TIME", "RESERVATION_TIME")


def _times(cdr: Any, ctx: CheckContext) -> tuple[datetime, datetime] | None:
    try:
        return (
            parse_datetime(cdr.start_date_time),
            parse_datetime(getattr(cdr, ctx.profile.end_field)),
        )
    except ValueError:
        return None  # reported by check_real_datetimes


@check(requirements=("T-TYPE-02",), needs=("well-formed fields",))
def check_real_datetimes(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Every DateTime names a real instant; the epoch placeholder follows AMB-C-14 (T-TYPE-02)."""
    end = ctx.profile.end_field
    fields: list[tuple[tuple[str | int, ...], str]] = [
        (("start_date_time",), cdr.start_date_time),
        ((end,), getattr(cdr, end)),
        (("last_updated",), cdr.last_updated),
    ]
    fields += [
        (("charging_periods", i, "start_date_time"), p.start_date_time)
        for i, p in enumerate(cdr.charging_periods)
    ]
    reject_placeholder = ctx.options.is_("AMB-C-14", "REJECT")
    for loc, value in fields:
        if value == EPOCH_PLACEHOLDER:
            if reject_placeholder:
                yield ctx.finding(
                    "T-TYPE-02",
                    Level.ERROR,
                    f"'{loc[-1]}' is the placeholder {value}, which is not a valid "
                    "DateTime (refused under option AMB-C-14=REJECT)",
                    loc,
                )
            continue
        try:
            parse_datetime(value)
        except ValueError:
            yield ctx.finding(
                "T-TYPE-02",
                Level.ERROR,
                f"'{loc[-1]}' has the DateTime form but names no real instant: {value}",
                loc,
                seen=value,
            )


@check(requirements=("C-008",), needs=("well-formed fields",))
def check_session_order(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """The session does not end before it starts (C-008)."""
    times = _times(cdr, ctx)
    if times and times[1] < times[0]:
        field = ctx.profile.end_field
        yield ctx.finding(
            "C-008",
            Level.ERROR,
            f"the session ends before it starts: {field} {getattr(cdr, field)} is "
            f"earlier than start_date_time {cdr.start_date_time}",
            (field,),
            expected=f">= {cdr.start_date_time}",
            seen=getattr(cdr, field),
        )


@check(requirements=("C-009",), needs=("well-formed fields",))
def check_periods_in_order(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Charging periods start in strictly increasing order inside [start, end) (C-009)."""
    times = _times(cdr, ctx)
    previous: datetime | None = None
    for i, period in enumerate(cdr.charging_periods):
        try:
            start = parse_datetime(period.start_date_time)
        except ValueError:
            continue
        loc = ("charging_periods", i, "start_date_time")
        if previous is not None and start <= previous:
            yield ctx.finding(
                "C-009",
                Level.ERROR,
                f"charging period {i} starts at {period.start_date_time}, not after "
                f"period {i - 1}: periods must be in time order",
                loc,
            )
        previous = start
        if times is None:
            continue
        session_start, session_end = times
        if start < session_start:
            yield ctx.finding(
                "C-009",
                Level.ERROR,
                f"charging period {i} starts at {period.start_date_time}, before the "
                f"session starts ({cdr.start_date_time})",
                loc,
                expected=f">= {cdr.start_date_time}",
                seen=period.start_date_time,
            )
        elif start >= session_end and start != session_start:
            end = getattr(cdr, ctx.profile.end_field)
            yield ctx.finding(
                "C-009",
                Level.ERROR,
                f"charging period {i} starts at {period.start_date_time}, at or after "
                f"the session's end ({end})",
                loc,
                expected=f"< {end}",
                seen=period.start_date_time,
            )


@check(requirements=("C-013",), needs=("well-formed fields",), versions=("2.2.1", "2.3.0"))
def check_dimension_types(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Session-only dimension types are not used in a CDR (C-013, 2.2+; 2.1.1's CdrDimensionType
    has none of them)."""
    for i, period in enumerate(cdr.charging_periods):
        for j, dim in enumerate(period.dimensions):
            if dim.type._value_ in SESSION_ONLY_DIMENSIONS:
                yield ctx.finding(
                    "C-013",
                    Level.ERROR,
                    f"dimension type {dim.type.value} is for sessions only and must "
                    "not appear in a CDR",
                    ("charging_periods", i, "dimensions", j, "type"),
                    seen=dim.type.value,
                )


def _negated_credit(cdr: Any, ctx: CheckContext) -> bool:
    """A credit CDR whose volumes are negated as AMB-C-10=NEGATE_COSTS_AND_VOLUMES says."""
    return (
        bool(declared(cdr, "credit"))
        and ctx.options.is_("AMB-C-10", "NEGATE_COSTS_AND_VOLUMES")
        and cdr.total_time < 0
    )


@check(requirements=("C-010", "C-011"), needs=("well-formed fields",))
def check_time_units(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """total_time and total_parking_time are non-negative hours, parking within total (C-011);
    total_time matches the session's timestamps (C-010, level per AMB-C-11)."""
    # A credit CDR negates its volumes too under AMB-C-10=NEGATE_COSTS_AND_VOLUMES.
    flip = -1 if _negated_credit(cdr, ctx) else 1
    total_time = to_decimal(cdr.total_time) * flip
    tolerance = ctx.tolerance("hours")
    if total_time < 0:
        yield ctx.finding(
            "C-011",
            Level.ERROR,
            f"total_time is negative: {cdr.total_time}",
            ("total_time",),
            expected=">= 0",
            seen=cdr.total_time,
        )
    for i, period in enumerate(cdr.charging_periods):
        for j, dim in enumerate(period.dimensions):
            if dim.type._value_ in _TIME_DIMENSIONS and dim.volume * flip < 0:
                yield ctx.finding(
                    "C-011",
                    Level.ERROR,
                    f"{dim.type.value} volume is negative: {dim.volume} hours",
                    ("charging_periods", i, "dimensions", j, "volume"),
                    expected=">= 0",
                    seen=dim.volume,
                )
    parking = None if cdr.total_parking_time is None else cdr.total_parking_time * flip
    if parking is not None:
        if parking < 0:
            yield ctx.finding(
                "C-011",
                Level.ERROR,
                f"total_parking_time is negative: {parking}",
                ("total_parking_time",),
                expected=">= 0",
                seen=parking,
            )
        elif to_decimal(parking) > total_time + tolerance:
            yield ctx.finding(
                "C-011",
                Level.ERROR,
                f"total_parking_time ({parking} h) exceeds total_time "
                f"({cdr.total_time} h): parking is part of the session's duration",
                ("total_parking_time",),
                expected=f"<= {cdr.total_time}",
                seen=parking,
            )
    times = _times(cdr, ctx)
    if times is None or EPOCH_PLACEHOLDER in (
        cdr.start_date_time,
        getattr(cdr, ctx.profile.end_field),
    ):
        return
    seconds = Decimal((times[1] - times[0]).total_seconds())
    hours = seconds / _HOUR
    if abs(total_time - hours) <= tolerance or hours <= 0:
        return
    for unit, factor in (("seconds", _HOUR), ("minutes", Decimal(60))):
        if abs(total_time - hours * factor) <= max(tolerance * factor, Decimal(1)):
            yield ctx.finding(
                "C-011",
                Level.ERROR,
                f"total_time is {cdr.total_time}, which is the session's duration in "
                f"{unit}; OCPI wants hours ({hours:.4f})",
                ("total_time",),
                expected=f"{hours:.4f}",
                seen=cdr.total_time,
            )
            return
    level = ctx.totals_level()
    if level is not None:
        yield ctx.finding(
            "C-010",
            level,
            f"total_time is {cdr.total_time} h but the session lasts {hours:.4f} h "
            "(end minus start)",
            ("total_time",),
            expected=f"{hours:.4f}",
            seen=cdr.total_time,
        )


@check(requirements=("C-010",), needs=("well-formed fields",))
def check_totals_match_periods(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """total_energy, total_parking_time and total_time agree with the periods' dimensions
    (C-010; level per AMB-C-11, compared only when the periods carry that dimension)."""
    level = ctx.totals_level()
    if level is None:
        return
    sums = _volume_sums(cdr)
    comparisons = [
        ("total_energy", "kWh", ("ENERGY",), ctx.tolerance("kwh")),
        ("total_parking_time", "h", ("PARKING_TIME",), ctx.tolerance("hours")),
        ("total_time", "h", _TIME_DIMENSIONS, ctx.tolerance("hours")),
    ]
    for field, unit, kinds, tolerance in comparisons:
        present = [sums[k] for k in kinds if k in sums]
        if not present:
            continue
        summed = sum(present, Decimal(0))
        stated = getattr(cdr, field)
        if abs(summed - to_decimal(stated or 0)) > tolerance:
            yield ctx.finding(
                "C-010",
                level,
                f"{field} is {stated} {unit} but the {', '.join(kinds)} dimensions of the "
                f"charging periods add up to {summed} {unit}",
                (field,),
                expected=summed,
                seen=stated,
            )


def _volume_sums(cdr: Any) -> dict[str, Decimal]:
    """The sum of each dimension type's volumes over all periods (one pass)."""
    sums: dict[str, Decimal] = {}
    for period in cdr.charging_periods:
        for dim in period.dimensions:
            kind = dim.type._value_
            sums[kind] = sums.get(kind, Decimal(0)) + to_decimal(dim.volume)
    return sums


@check(requirements=("C-014", "C-017"), needs=("well-formed fields",))
def check_tariff_references(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Each ChargingPeriod.tariff_id names an embedded tariff (C-014, AMB-C-12) and embedded
    tariffs use the CDR's currency (C-017, AMB-C-13)."""
    tariffs = cdr.tariffs or []
    currency_level = Level.ERROR if ctx.options.is_("AMB-C-13", "REJECT") else Level.WARNING
    for i, tariff in enumerate(tariffs):
        if tariff.currency != cdr.currency:
            yield ctx.finding(
                "C-017",
                currency_level,
                f"tariff {tariff.id} is in {tariff.currency} but the CDR is in {cdr.currency}",
                ("tariffs", i, "currency"),
                expected=cdr.currency,
                seen=tariff.currency,
            )
    if not ctx.profile.period_tariff_ids:
        return
    known = {t.id.lower() for t in tariffs}
    unresolved_level = (
        Level.ERROR if ctx.options.is_("AMB-C-12", "FAIL_IF_UNRESOLVED") else Level.INFO
    )
    for i, period in enumerate(cdr.charging_periods):
        if period.tariff_id is None or period.tariff_id.lower() in known:
            continue
        loc = ("charging_periods", i, "tariff_id")
        if not tariffs:
            yield ctx.finding(
                "C-014",
                Level.INFO,
                f"charging period {i} names tariff {period.tariff_id} but the CDR "
                "embeds no tariffs; it cannot be resolved from the CDR alone",
                loc,
            )
        else:
            yield ctx.finding(
                "C-014",
                unresolved_level,
                f"charging period {i} names tariff {period.tariff_id}, which is not "
                f"among the CDR's tariffs ({', '.join(t.id for t in tariffs)})",
                loc,
                seen=period.tariff_id,
            )


@check(requirements=("C-004", "C-006", "C-007", "C-028"), needs=("well-formed fields",))
def check_credit(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Credit CDR rules (C-004, C-006, C-007; other amounts per AMB-C-10)."""
    if not ctx.profile.has_credit_cdrs:
        if to_decimal(cdr.total_cost) < 0:
            yield ctx.finding(
                "C-028",
                Level.WARNING,
                "total_cost is negative, but 2.1.1 has no credit CDRs",
                ("total_cost",),
                seen=cdr.total_cost,
            )
        return
    credit = bool(cdr.credit)
    if not credit and len(cdr.id) > 36:
        yield ctx.finding(
            "C-004",
            Level.ERROR,
            f"the id of a CDR that is not a credit CDR may hold at most 36 "
            f"characters; got {len(cdr.id)}",
            ("id",),
            expected="<= 36",
            seen=len(cdr.id),
        )
    if credit and not cdr.credit_reference_id:
        yield ctx.finding(
            "C-007",
            Level.ERROR,
            "credit is true but credit_reference_id (the id of the CDR being credited) is missing",
            ("credit_reference_id",),
        )
    if not credit and cdr.credit_reference_id:
        yield ctx.finding(
            "C-007",
            Level.WARNING,
            "credit_reference_id is set but credit is not true: only a credit CDR "
            "references another CDR",
            ("credit",),
            expected="true",
            seen=cdr.credit,
        )
    total = ctx.amount(cdr.total_cost)
    if not credit:
        if total.excl < 0:
            yield ctx.finding(
                "C-006",
                Level.WARNING,
                "total_cost is negative but the CDR is not a credit CDR (credit is not true)",
                ("total_cost",),
                seen=total.excl,
            )
        return
    if total.excl > 0 or (total.incl is not None and total.incl > 0):
        yield ctx.finding(
            "C-006",
            Level.ERROR,
            "a credit CDR negates total_cost, but it is positive",
            ("total_cost",),
            expected="<= 0",
            seen=total.excl,
        )
    policy = ctx.options.get("AMB-C-10")
    total_only = ctx.options.is_("AMB-C-10", "NEGATE_TOTAL_COST_ONLY")
    for name in _SUBTOTALS:
        value = getattr(cdr, name)
        if value is None:
            continue
        amount = ctx.amount(value)
        if total_only and amount.excl < 0:
            yield ctx.finding(
                "C-006",
                Level.WARNING,
                f"{name} is negative, but under AMB-C-10=NEGATE_TOTAL_COST_ONLY a "
                "credit CDR negates only total_cost",
                (name,),
                seen=amount.excl,
            )
        elif not total_only and amount.excl > 0:
            yield ctx.finding(
                "C-006",
                Level.WARNING,
                f"{name} is positive, but under AMB-C-10={policy} a credit CDR "
                "negates every cost amount",
                (name,),
                seen=amount.excl,
            )
    if ctx.options.is_("AMB-C-10", "NEGATE_COSTS_AND_VOLUMES") and cdr.total_energy > 0:
        yield ctx.finding(
            "C-006",
            Level.WARNING,
            "total_energy is positive, but under AMB-C-10=NEGATE_COSTS_AND_VOLUMES "
            "a credit CDR negates volumes too",
            ("total_energy",),
            seen=cdr.total_energy,
        )


@check(requirements=("C-018",), needs=("well-formed fields",), versions=("2.2.1", "2.3.0"))
def check_tax_amounts(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Amounts after tax are not below those before tax, reversed for the amounts a credit
    CDR negates (C-018; which ones per AMB-C-10)."""
    if ctx.profile.money_shape == "number":
        return
    total_sign, sub_sign = cost_signs(cdr, ctx)
    for name in ("total_cost", *_SUBTOTALS):
        value = getattr(cdr, name)
        if value is None:
            continue
        amount = ctx.amount(value)
        if amount.incl is None:
            continue
        negated = (total_sign if name == "total_cost" else sub_sign) < 0
        wrong = amount.incl > amount.excl if negated else amount.incl < amount.excl
        if wrong:
            relation = "above" if negated else "below"
            yield ctx.finding(
                "C-018",
                Level.WARNING,
                f"{name} after tax ({amount.incl}) is {relation} the amount before "
                f"tax ({amount.excl})",
                (name,),
                expected=f"{relation} not",
                seen=amount.incl,
            )


@check(requirements=("C-019",), needs=("well-formed fields",), versions=("2.2.1", "2.3.0"))
def check_subtotals(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """The cost sub-totals add up to total_cost (C-019; level per AMB-C-11). Equality is checked
    when all five are given and no embedded tariff has a min/max price (which adjusts only the
    total); present sub-totals may never exceed the total."""
    level = ctx.totals_level()
    if level is None or not ctx.profile.has_subtotals:
        return
    present = [ctx.amount(getattr(cdr, n)).excl for n in _SUBTOTALS if getattr(cdr, n) is not None]
    if not present:
        return
    total = ctx.amount(cdr.total_cost).excl
    summed = sum(present, Decimal(0))
    tolerance = ctx.tolerance("money")
    limited = any(t.min_price is not None or t.max_price is not None for t in cdr.tariffs or [])
    # A credit CDR's amounts compared as the session's they credit (AMB-C-10 says which are
    # negated): the sub-totals add up to the total either way.
    total_sign, sub_sign = cost_signs(cdr, ctx)
    expected = summed * sub_sign * total_sign
    if len(present) == len(_SUBTOTALS) and not limited:
        if abs(expected - total) > tolerance:
            yield ctx.finding(
                "C-019",
                level,
                f"the cost sub-totals add up to {summed} but total_cost is {total}"
                + _credit_reading(total_sign, sub_sign),
                ("total_cost",),
                expected=expected,
                seen=total,
            )
    elif not limited and summed * sub_sign > total * total_sign + tolerance:
        yield ctx.finding(
            "C-019",
            level,
            f"the cost sub-totals given already add up to {summed}, more than total_cost {total}"
            + _credit_reading(total_sign, sub_sign),
            ("total_cost",),
            expected=f"{'<=' if total_sign < 0 else '>='} {expected}",
            seen=total,
        )


def _credit_reading(total_sign: int, sub_sign: int) -> str:
    """How a credit CDR's sub-totals were read, for a C-019 message."""
    if total_sign > 0:
        return ""
    if sub_sign > 0:
        return (
            " (a credit CDR: its total negated, its sub-totals not, "
            "AMB-C-10=NEGATE_TOTAL_COST_ONLY)"
        )
    return " (a credit CDR: its total and sub-totals negated, AMB-C-10)"


@check(requirements=("C-027",), needs=("well-formed fields",), versions=("2.2.1", "2.3.0"))
def check_signed_data(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """signed_data material is Base64 and plain_data fits the length AMB-C-18 allows (C-027)."""
    signed = declared(cdr, "signed_data")
    if signed is None:
        return
    strict_512 = ctx.options.is_("AMB-C-18", "STRICT_TAG_512")
    if signed.public_key and not _is_base64(signed.public_key):
        yield ctx.finding(
            "C-027",
            Level.ERROR,
            "signed_data.public_key is not Base64",
            ("signed_data", "public_key"),
        )
    for i, value in enumerate(signed.signed_values):
        if not _is_base64(value.signed_data):
            yield ctx.finding(
                "C-027",
                Level.ERROR,
                f"signed_values[{i}].signed_data is not Base64",
                ("signed_data", "signed_values", i, "signed_data"),
            )
        if strict_512 and len(value.plain_data) > 512:
            yield ctx.finding(
                "C-027",
                Level.ERROR,
                f"plain_data holds {len(value.plain_data)} characters; the spec "
                "tags allow 512 (option AMB-C-18=STRICT_TAG_512)",
                ("signed_data", "signed_values", i, "plain_data"),
                expected="<= 512",
                seen=len(value.plain_data),
            )


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return False
    return True


@check(requirements=("H-LOC-01",), needs=("well-formed fields",), versions=("2.1.1",))
def check_location_211(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """A 2.1.1 CDR's location holds exactly the EVSE and connector used (H-LOC-01, AMB-C-15)."""
    if ctx.profile.location_field != "location" or not ctx.options.is_(
        "AMB-C-15", "REQUIRE_ONE_EVSE_ONE_CONNECTOR"
    ):
        return
    evses = cdr.location.evses or []
    if len(evses) != 1:
        yield ctx.finding(
            "H-LOC-01",
            Level.ERROR,
            f"location.evses holds {len(evses)} EVSEs; a CDR's location holds exactly the one used",
            ("location", "evses"),
            expected=1,
            seen=len(evses),
        )
    elif len(evses[0].connectors) != 1:
        yield ctx.finding(
            "H-LOC-01",
            Level.ERROR,
            f"the CDR's EVSE lists {len(evses[0].connectors)} connectors; it holds "
            "exactly the one used",
            ("location", "evses", 0, "connectors"),
            expected=1,
            seen=len(evses[0].connectors),
        )


@check(requirements=("C-001",), needs=("well-formed fields",), versions=("2.1.1",))
def check_opening_times_211(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """A 2.1.1 location's opening_times has regular_hours or twentyfourseven (C-001: the
    Hours table requires one of the two; the model accepts both, as the spec's example sends)."""
    if ctx.profile.location_field != "location":
        return
    hours = cdr.location.opening_times
    if hours is None or hours.regular_hours is not None or hours.twentyfourseven is not None:
        return
    yield ctx.finding(
        "C-001",
        Level.ERROR,
        "location.opening_times has neither regular_hours nor twentyfourseven: 2.1.1 Hours "
        "requires one of the two (give twentyfourseven true for a location always open)",
        ("location", "opening_times"),
        expected="regular_hours or twentyfourseven",
    )


# Per version: the token types and connector standards its OpenEnums list.
_KNOWN: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _known_values(ctx: CheckContext) -> tuple[frozenset[str], frozenset[str]]:
    known = _KNOWN.get(ctx.version)
    if known is None:
        token_types = frozenset(t.value for t in models_for(ctx.version).TokenType)
        known = _KNOWN[ctx.version] = (token_types, frozenset(ctx.profile.connectors))
    return known


@check(requirements=("T-TYPE-10",), needs=("well-formed fields",), versions=("2.3.0",))
def check_open_enums(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Values beyond an OpenEnum's listed ones are accepted and noted (T-TYPE-10, 2.3.0)."""
    if not ctx.profile.open_enums:
        return
    token_types, connectors = _known_values(ctx)
    for loc, value, known in (
        (("cdr_token", "type"), cdr.cdr_token.type, token_types),
        (
            ("cdr_location", "connector_standard"),
            cdr.cdr_location.connector_standard,
            connectors,
        ),
    ):
        if value not in known:
            yield ctx.finding(
                "T-TYPE-10",
                Level.INFO,
                f"{loc[-1]} {value!r} is not a value listed by {ctx.version}; accepted "
                "because the field is an OpenEnum",
                loc,
                seen=value,
            )


CDR_CHECKS: tuple[CdrCheck, ...] = (
    check_real_datetimes,
    check_session_order,
    check_periods_in_order,
    check_dimension_types,
    check_time_units,
    check_totals_match_periods,
    check_tariff_references,
    check_credit,
    check_tax_amounts,
    check_subtotals,
    check_signed_data,
    check_location_211,
    check_opening_times_211,
    check_open_enums,
    *CDR_CODE_CHECKS,
    check_cost,
)
