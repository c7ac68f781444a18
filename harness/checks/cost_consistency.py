"""Re-pricing a CDR with the cost oracle and comparing with the totals it states (C-026),
and finding periods that run across a price change (C-012).

The CDR should carry what the receiver needs to recompute its cost (C-026). The check prices
the CDR from its embedded tariffs (or the tariffs in the context) and reports every amount that
differs by more than option tolerance-money, naming the dimension and showing how the oracle
reached its amount. The level follows AMB-C-11, since the spec states no such equality.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from harness.checks.context import CheckContext
from harness.checks.registry import check
from harness.findings import Finding, Level
from harness.models.amounts import Amount
from harness.models.base import declared
from harness.options import OPTION_SPECS, Options
from harness.pricing import (
    GROUP_FIELDS,
    Cost,
    PricedTariff,
    Pricing,
    PricingError,
    Session,
    cdr_session,
    price_session,
    priced_tariff,
)
from harness.pricing.engine import period_crossings
from harness.pricing.explain import GROUP_DIMENSIONS, describe_group, describe_total, number
from harness.pricing.relevance import relevant_options
from harness.versions import PROFILES, VersionProfile

_Side = tuple[str, str | None]


def _sides(profile: VersionProfile) -> tuple[_Side, _Side]:
    """Where the version states the amount before and after tax, as (label suffix, JSON key):
    a plain number has no key; a list of taxes is named by what it adds up to."""
    if profile.price_fields is None:
        return ("", None), (" after tax", None)
    before, after = profile.price_fields
    after_label = " after taxes" if profile.tax_shape == "taxes" else f".{after}"
    return (f".{before}", before), (after_label, after)


_SIDES = {version: _sides(profile) for version, profile in PROFILES.items()}


@dataclass(frozen=True, slots=True)
class _Inputs:
    """A CDR's tariffs and session as the engine reads them, built once per CDR."""

    tariffs: list[PricedTariff]
    session: Session


@check(requirements=("C-012", "C-026", "TF-002"), needs=("well-formed fields",))
def check_cost(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Re-price the CDR: its periods start at every time-based price change and where a
    reservation ends (C-012), and its
    total_cost and total_*_cost agree with the oracle's price (C-026, level per AMB-C-11; a
    total that a named policy explains is a warning naming it)."""
    source = ctx.tariffs if ctx.tariffs is not None else cdr.tariffs
    level = ctx.totals_level()
    if not source:
        if level is not None:
            yield ctx.finding(
                "C-026",
                Level.INFO,
                "could not re-price the CDR: it embeds no tariffs and none were supplied",
                ("tariffs",),
            )
        return
    try:
        session = cdr_session(cdr, ctx.version, ctx.options, ctx.time_zone)
        inputs = _Inputs([priced_tariff(t) for t in source], session)
    except ValueError:
        return  # a DateTime that names no real instant: reported by check_real_datetimes
    yield from _boundary_findings(inputs, ctx)
    if level is None:
        return
    try:
        pricing = price_session(inputs.tariffs, inputs.session, ctx.options)
    except PricingError as error:
        yield ctx.finding(
            "TF-002", Level.ERROR, f"could not re-price the CDR: {error}", ("tariffs",)
        )
        return
    if pricing.unpriced:
        yield ctx.finding(
            "C-026",
            Level.INFO,
            f"could not re-price the CDR: {'; '.join(pricing.unpriced)}",
            ("charging_periods",),
        )
        return
    yield from cost_drift(cdr, pricing, ctx, level, inputs)


def _boundary_findings(inputs: _Inputs, ctx: CheckContext) -> Iterator[Finding]:
    """C-012 for each period that runs across a time, date, day-of-week or duration boundary
    where the element pricing one of its dimensions changes (read in the zone AMB-C-05 gives;
    energy and power thresholds depend on the charging curve and are not checked), and for
    each period that holds reservation time besides charging under another element."""
    timed = any(t.time_restricted for t in inputs.tariffs)
    if not timed and not any(p.mixes_reservation for p in inputs.session.periods):
        return
    for crossing in period_crossings(inputs.tariffs, inputs.session, ctx.options):
        if crossing.reservation:
            yield ctx.finding(
                "C-012",
                Level.WARNING,
                f"charging period {crossing.period} holds RESERVATION_TIME besides charging: "
                f"the reservation ends inside it (at {crossing.local} if it comes first), "
                f"where {crossing.dimension} moves from {crossing.before} to {crossing.after}; "
                "a new period must start where charging starts",
                ("charging_periods", crossing.period),
                expected=f"a period starting at {crossing.local}",
            )
            continue
        yield ctx.finding(
            "C-012",
            Level.WARNING,
            f"charging period {crossing.period} runs across {crossing.local}, where "
            f"{crossing.dimension} moves from {crossing.before} to {crossing.after}; a new "
            "period must start at every change of price, so the whole period is priced as "
            "at its start",
            ("charging_periods", crossing.period),
            expected=f"a period starting at {crossing.local}",
        )


def cost_signs(cdr: Any, ctx: CheckContext) -> tuple[int, int]:
    """The signs a CDR's total_cost and its total_*_cost carry: -1 for a credit CDR's
    total_cost (C-006), and for its sub-totals unless AMB-C-10=NEGATE_TOTAL_COST_ONLY (a
    credit that negates the total only keeps the original sub-totals). The cost, tax (C-018)
    and sub-total (C-019) checks all read the sub-totals this way."""
    if not declared(cdr, "credit"):
        return 1, 1
    return -1, 1 if ctx.options.is_("AMB-C-10", "NEGATE_TOTAL_COST_ONLY") else -1


def cost_drift(
    cdr: Any, pricing: Pricing, ctx: CheckContext, level: Level, inputs: _Inputs
) -> Iterator[Finding]:
    """A finding per stated amount that differs from the priced one beyond tolerance-money.
    Credit CDRs are compared with the negated price (C-006; sub-totals per AMB-C-10)."""
    sign, sub_sign = cost_signs(cdr, ctx)
    stated = ctx.amount(cdr.total_cost)
    total_findings = list(
        _compare(
            ctx,
            level,
            "total_cost",
            stated,
            pricing.total,
            sign,
            lambda: (
                "the tariffs price the session at {expected} (difference {difference}): "
                + describe_total(pricing)
            ),
        )
    )
    if total_findings:
        # The stated total as the credited session's (both sides, before and after tax).
        as_priced = Cost(stated.excl * sign, None if stated.incl is None else stated.incl * sign)
        policies = policy_hints(ctx, as_priced, inputs)
        hints = _dimension_hints(pricing, ctx, stated.excl * sign) + policies
        suffix = ""
        for note in (*hints, *pricing.notes):
            # Sentences: a hint may end in a question mark; the others get a full stop.
            suffix += ("" if suffix.endswith("?") else ".") + " " + note[:1].upper() + note[1:]
        # A drift that a named policy explains is a reading of the spec, not a wrong bill: a
        # warning naming the policy; one that none explains keeps its level (by default, an
        # error: AMB-C-11).
        explained = Level.WARNING if policies and level is Level.ERROR else level
        for finding in total_findings:
            yield replace(finding, message=finding.message + suffix, level=explained)
    if not ctx.profile.has_subtotals:
        return
    for group, field in GROUP_FIELDS.items():
        stated = getattr(cdr, field)
        if stated is None:
            continue
        yield from _compare(
            ctx,
            level,
            field,
            ctx.amount(stated),
            pricing.subtotals[group],
            sub_sign,
            _group_reason(pricing, group),
        )


def _compare(
    ctx: CheckContext,
    level: Level,
    field: str,
    stated: Amount,
    priced: Cost,
    sign: int,
    because: Callable[[], str],
) -> Iterator[Finding]:
    """A finding per side (before/after tax) that differs; ``because`` builds the explanation
    (only when needed: describing every line costs more than the comparison)."""
    tolerance = ctx.tolerance("money")
    before, after = _SIDES[ctx.profile.version]
    sides: list[tuple[tuple[str, str | None], Decimal | None, Decimal | None]] = [
        (before, stated.excl, priced.excl),
        (after, stated.incl, priced.incl),
    ]
    for (suffix, key), seen, expected in sides:
        if seen is None or expected is None:
            continue
        expected = expected * sign
        if abs(seen - expected) <= tolerance:
            continue
        loc: tuple[str, ...] = (field,) if key is None else (field, key)
        shown = number(expected)
        yield ctx.finding(
            "C-026",
            level,
            f"{field}{suffix} is {number(seen)} but "
            + because().format(expected=shown, difference=number(seen - expected)),
            loc,
            expected=shown,
            seen=number(seen),
        )


def _dimension_hints(pricing: Pricing, ctx: CheckContext, stated: Decimal) -> list[str]:
    tolerance = ctx.tolerance("money")
    priced = pricing.total.excl
    if priced is None or ctx.options.is_("drift-hints", "NONE"):
        return []
    difference = stated - priced
    hints = []
    for group, cost in pricing.subtotals.items():
        amount = cost.excl
        if amount and abs(abs(difference) - abs(amount)) <= tolerance:
            verb = "left out" if difference * amount < 0 else "counted twice"
            hints.append(
                f"the difference equals the {GROUP_DIMENSIONS[group]} amount {number(amount)}: "
                f"was it {verb}?"
            )
    return hints


def policy_hints(ctx: CheckContext, stated: Cost, inputs: _Inputs) -> list[str]:
    """The named policies (another value of a pricing option) under which the tariffs give
    the stated total, before and after tax alike, within tolerance-money: a reading of the
    spec, not a wrong bill. A policy that gives one amount but not the other explains
    nothing."""
    if not ctx.options.is_("drift-hints", "POLICIES"):
        return []
    tolerance = ctx.tolerance("money")
    tariffs, session = inputs.tariffs, inputs.session
    hints = []
    for option_id in relevant_options(tariffs, session):
        for value in OPTION_SPECS[option_id].choices:
            if ctx.options.is_(option_id, value):
                continue
            alternative = Options({**ctx.options.values, option_id: value})
            try:
                other = price_session(tariffs, session, alternative)
            except PricingError:
                continue
            if _gives(other.total, stated, tolerance):
                hints.append(f"the stated total is the price under option {option_id}={value}")
    return hints


def _gives(priced: Cost, stated: Cost, tolerance: Decimal) -> bool:
    """Whether a price gives the stated amounts: each side both know agrees within
    ``tolerance``, and one side at least is known to both."""
    compared = False
    for seen, expected in ((stated.excl, priced.excl), (stated.incl, priced.incl)):
        if seen is None or expected is None:
            continue
        if abs(seen - expected) > tolerance:
            return False
        compared = True
    return compared


def _group_reason(pricing: Pricing, group: str) -> Callable[[], str]:
    def reason() -> str:
        return (
            f"the tariffs price {GROUP_DIMENSIONS[group]} at {{expected}} (difference "
            f"{{difference}}): {describe_group(pricing, group)}"
        )

    return reason
