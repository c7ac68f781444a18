"""The tariff engine: prices a session from its tariffs and explains every amount.

Order of work: choose each period's tariff; find, per dimension, the element whose restrictions
hold at the period's start (P-001..P-009); apply step_size (P-011..P-015, AMB-C-02); turn billed
volumes into amounts with tax (P-010, P-019, P-020); add each distinct FLAT fee (AMB-C-03); apply
each tariff's min_price/max_price (P-017, P-018, AMB-C-21). Amounts stay exact decimals unless
AMB-C-08 says to round.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from harness.options import DEFAULT_OPTIONS, OptionId, Options
from harness.pricing.boundaries import boundary_instants, instants_between
from harness.pricing.restrictions import PeriodState, Policies, matches
from harness.pricing.result import (
    GROUP_FIELDS,
    ZERO,
    Adjustment,
    Cost,
    Line,
    Pricing,
    PricingError,
    total_of,
)
from harness.pricing.session import PRICED_DIMENSIONS, Period, Session
from harness.pricing.tariffs import Component, Element, PricedTariff, TaxMode
from harness.pricing.timezones import resolve_zone

#: The options the engine reads; a Pricing records their values.
PRICING_OPTIONS: tuple[OptionId, ...] = (
    "AMB-C-01",
    "AMB-C-02",
    "AMB-C-03",
    "AMB-C-04",
    "AMB-C-05",
    "AMB-C-06",
    "AMB-C-07",
    "AMB-C-08",
    "AMB-C-19",
    "AMB-C-20",
    "AMB-C-21",
    "AMB-C-23",
    "AMB-C-25",
    "missing-tariff-id",
    "missing-vat",
    "time-zone",
    "step-slack-seconds",
    "step-slack-wh",
)

_COMPONENT_TYPE = {
    "ENERGY": "ENERGY",
    "TIME": "TIME",
    "PARKING_TIME": "PARKING_TIME",
    "RESERVATION_TIME": "TIME",  # reservation time is priced by TIME components (P-009)
}
_GROUP = {"ENERGY": "energy", "TIME": "time", "PARKING_TIME": "parking"}
# Step units per CDR unit: step_size counts Wh for energy and seconds for time (P-022).
_STEP_UNIT = {
    "ENERGY": Decimal(1000),
    "TIME": Decimal(3600),
    "PARKING_TIME": Decimal(3600),
    "RESERVATION_TIME": Decimal(3600),
}
# Which tariff type fits a session (TF-007): lower is better; an untyped tariff is valid for all.
_AD_HOC_RANKS: dict[str | None, int] = {"AD_HOC_PAYMENT": 0, None: 1, "REGULAR": 2}
_REGULAR_RANKS: dict[str | None, int] = {None: 0, "REGULAR": 0, "AD_HOC_PAYMENT": 3}
_COMPONENT_TYPES = ("ENERGY", "TIME", "PARKING_TIME", "FLAT")
_ONE = Decimal(1)
_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_HALF = Decimal("0.5")
# A volume is read as written to at least this many decimals (OCPI numbers carry 4): a JSON
# serialiser drops trailing zeros, so 1.5 was most likely written as 1.5000.
_MIN_PLACES = 4
# A volume read from JSON went through a binary float, and one written with all its digits
# (0.11666666666666667 h) through a writer's float arithmetic too: a few units in the last
# place of a double (2**-52 of the value each) are noise as well.
_FLOAT_NOISE = Decimal(2) ** -50
# The most rounding noise the derived slack absorbs: far more than a writer's rounding of a few
# volumes, less than any overage worth billing
_MAX_SLACK_SECONDS = Decimal("0.5")
_MAX_SLACK_WH = Decimal("0.05")


def _written_noise(volume: Decimal) -> Decimal:
    """Half a unit of the last decimal place ``volume`` is written to (no coarser than the 4th:
    a serialiser drops trailing zeros), or a double's last bits when written with all its
    digits."""
    places = max(_MIN_PLACES, -int(volume.as_tuple().exponent))
    return max(_HALF.scaleb(-places), abs(volume) * _FLOAT_NOISE)


@dataclass(slots=True)
class _Slot:
    """A dimension of one period on its way to a Line; ``billed`` changes with step_size."""

    period: int
    dimension: str
    group: str
    tariff: PricedTariff | None
    element: Element | None
    component: Component | None
    volume: Decimal
    billed: Decimal


def _group_of(dimension: str, period: Period) -> str:
    """The cost group of a dimension's amount in a period."""
    if dimension == "RESERVATION_TIME" or period.is_reservation:
        return "reservation"
    return _GROUP[dimension]


def _flat_group(period: Period) -> str:
    """The cost group of a FLAT fee first billed in ``period``: the fixed price components of
    parking and reservation belong to their own totals (§10.3.1 total_fixed_cost)."""
    if period.is_reservation:
        return "reservation"
    volumes = period.volumes
    charging = volumes.get("TIME", _ZERO) > 0 or volumes.get("ENERGY", _ZERO) > 0
    return "parking" if not charging and volumes.get("PARKING_TIME", _ZERO) > 0 else "fixed"


def _local(instant: datetime, zone: tzinfo) -> tuple[datetime, bool]:
    """Wall-clock time in ``zone`` and whether it is the second pass of a repeated hour."""
    local = instant.astimezone(zone)
    return local, bool(local.fold) and local.replace(fold=0).utcoffset() != local.utcoffset()


def _power_and_current(
    volumes: dict[str, Decimal], min_dimension: bool, average: bool
) -> tuple[Decimal | None, Decimal | None]:
    """The power (kW) and current (A) a period's restrictions are compared with (AMB-C-23:
    the MIN_* dimension, or the MAX_* one, or the average from energy where it can be had)."""
    charging = volumes.get("TIME", _ZERO)
    parking_only = charging <= 0 and volumes.get("PARKING_TIME", _ZERO) > 0
    if min_dimension:
        power = volumes.get("MIN_POWER", volumes.get("MAX_POWER"))
        current = volumes.get("MIN_CURRENT", volumes.get("MAX_CURRENT"))
    else:
        power = volumes.get("MAX_POWER", volumes.get("MIN_POWER"))
        current = volumes.get("MAX_CURRENT", volumes.get("MIN_CURRENT"))
    if average and charging > 0 and "ENERGY" in volumes:
        power = volumes["ENERGY"] / charging
    if parking_only:
        # Parking means not charging: no power flows whatever the MIN_/MAX_ dimensions say.
        power, current = _ZERO, _ZERO
    return power, current


class _Engine:
    """One pricing run; holds the options and collects notes."""

    def __init__(self, tariffs: Sequence[PricedTariff], session: Session, options: Options):
        self.tariffs = tariffs
        self.session = session
        self.options = options
        # CiString ids (2.2+) match whatever their case; an exact match goes first (2.1.1 ids
        # are case-sensitive, so 'T' and 't' may be two tariffs there).
        self.exact = {t.id: t for t in reversed(tariffs)}
        self.by_id = {t.id.lower(): t for t in reversed(tariffs)}
        self.notes: list[str] = list(session.notes)
        self.unpriced: list[str] = []
        self.policies = Policies(
            daily_window=options.is_("AMB-C-07", "DAILY_WINDOW"),
            first_occurrence_only=options.is_("AMB-C-06", "FIRST_OCCURRENCE_ONLY"),
        )
        self.whole_element = options.is_("AMB-C-01", "WHOLE_ELEMENT")
        self.clamp_zero = options.is_("AMB-C-19", "CLAMP_ZERO")
        self.min_dimension = options.is_("AMB-C-23", "MIN_DIMENSION")
        self.average_power = options.is_("AMB-C-23", "AVG_FROM_ENERGY")
        self.round_lines = options.is_("AMB-C-08", "ROUND_HALF_UP_2DP_PER_COMPONENT")
        from_cdr = options.is_("AMB-C-25", "FROM_CDR_START")
        self.duration_base = session.start if from_cdr else session.charging_start
        self.expired = session.reservation_expired
        self.policies_used = options.as_dict(PRICING_OPTIONS)
        self.reject_negative = options.is_("AMB-C-19", "REJECT_NEGATIVE_PRICE")
        self.noted_choice = False
        # A period that covers no time activates no FLAT fee, unless the whole session is one
        # instant (then its only period is where the fee is billed).
        self.single_instant = all(p.end <= p.start for p in session.periods)
        self.cache: dict[
            tuple[int, tuple[int, ...]], dict[str, tuple[Element | None, Component | None]]
        ] = {}
        # Explicit step slacks (None: derived from the volumes as written, see ``slack``).
        self.slack_wh = options.decimal_or_auto("step-slack-wh")
        self.slack_seconds = options.decimal_or_auto("step-slack-seconds")
        self.zero_missing_vat = options.is_("missing-vat", "ZERO_TAX")
        zone = resolve_zone(session.time_zone, session.country, options)
        self.zone = zone
        if session.time_zone is None or zone.source != "the location's time_zone":
            self.notes.append(f"time zone {zone.name}, from {zone.source} (AMB-C-05)")

    # -- which tariff, which element ------------------------------------------------------------

    def tariff_for(self, index: int, period: Period) -> PricedTariff | None:
        """The tariff of a period: the one it names (2.2+), else one chosen by validity and
        token type (2.1.1, or missing-tariff-id=CHOSEN_TARIFF)."""
        if self.session.names_tariffs:
            if period.tariff_id is not None:
                tariff = self.exact.get(period.tariff_id) or self.by_id.get(
                    period.tariff_id.lower()
                )
                if tariff is None:
                    self.unpriced.append(
                        f"period {index} names tariff {period.tariff_id}, which was not given"
                    )
                return tariff
            if self.options.is_("missing-tariff-id", "NO_TARIFF"):
                if self.tariffs and any(period.volumes.get(d) for d in PRICED_DIMENSIONS):
                    self.notes.append(
                        f"period {index} names no tariff, so none applies "
                        "(missing-tariff-id=NO_TARIFF)"
                    )
                return None
        return self.choose_tariff(period)

    def choose_tariff(self, period: Period) -> PricedTariff | None:
        """Among several tariffs: valid at the session's (or period's) start (AMB-C-20,
        TF-008), then matching the token's payment mode (TF-007), else the first."""
        if not self.tariffs:
            return None
        at_start = self.options.is_("AMB-C-20", "TARIFF_AT_START")
        instant = self.session.start if at_start else period.start
        valid = [t for t in self.tariffs if t.valid_at(instant)] or list(self.tariffs)
        ranks = _AD_HOC_RANKS if self.session.token_type == "AD_HOC_USER" else _REGULAR_RANKS
        chosen = min(valid, key=lambda t: ranks.get(t.type, 2))
        if len(self.tariffs) > 1 and not self.noted_choice:
            self.noted_choice = True
            self.notes.append(
                f"periods name no tariff: tariff {chosen.id} was chosen among "
                f"{len(self.tariffs)} (valid at the time, fitting the token; AMB-C-12, AMB-C-20)"
            )
        return chosen

    def state(self, period: Period, energy: Decimal, at: datetime | None = None) -> PeriodState:
        """The restriction inputs at a period's start (or at instant ``at`` inside it)."""
        instant = period.start if at is None else at
        local, second_pass = _local(instant, self.zone.zone)
        elapsed = max(0.0, (instant - self.duration_base).total_seconds())
        power, current = _power_and_current(period.volumes, self.min_dimension, self.average_power)
        return PeriodState(
            local=local,
            second_pass=second_pass,
            elapsed=elapsed,
            energy=energy,
            power=power,
            current=current,
            reservation=period.is_reservation,
            expired=self.expired,
        )

    def crossing(
        self,
        index: int,
        period: Period,
        tariff: PricedTariff,
        energy: Decimal,
        instants: list[datetime],
    ) -> Crossing | None:
        """The first of ``instants`` (boundaries inside the period) where a priced dimension
        changes element."""
        if not instants:
            return None
        zone = self.zone.zone
        before = self.choices(tariff, self.active_elements(tariff, self.state(period, energy)))
        priced = [d for d in PRICED_DIMENSIONS if period.volumes.get(d, _ZERO) > 0]
        for instant in instants:
            state = self.state(period, energy, at=instant)
            after = self.choices(tariff, self.active_elements(tariff, state))
            for dimension in priced:
                kind = _COMPONENT_TYPE[dimension]
                if before[kind][1] is not after[kind][1]:
                    local = instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                    return Crossing(
                        index,
                        instant,
                        f"{local} {self.zone.name}",
                        dimension,
                        _element_name(tariff, before[kind][0]),
                        _element_name(tariff, after[kind][0]),
                    )
        return None

    def reservation_end(
        self, index: int, period: Period, tariff: PricedTariff, energy: Decimal
    ) -> Crossing | None:
        """A period holding reservation time and charging, where the element pricing TIME in
        its reservation part is not the one pricing its charging (P-009): the reservation
        ends inside it, taken to come first and last as long as its RESERVATION_TIME."""
        instant = period.charging_from
        state = self.state(period, energy, instant)
        charging = self.choices(tariff, self.active_elements(tariff, state))["TIME"]
        at_start = self.reserved_state(self.state(period, energy))
        reserved = self.choices(tariff, self.active_elements(tariff, at_start))
        if reserved["TIME"][1] is charging[1]:
            return None
        local = instant.astimezone(self.zone.zone).strftime("%Y-%m-%d %H:%M")
        return Crossing(
            index,
            instant,
            f"{local} {self.zone.name}",
            "TIME",
            _element_name(tariff, reserved["TIME"][0]),
            _element_name(tariff, charging[0]),
            reservation=True,
        )

    def active_elements(self, tariff: PricedTariff, state: PeriodState) -> list[Element]:
        """Elements whose restrictions hold, in the order they are consulted."""
        active = [e for e in tariff.elements if matches(e.restrictions, state, self.policies)]
        if state.expired:
            # An expired reservation prices from RESERVATION_EXPIRES elements first (P-009).
            active.sort(key=lambda e: e.restrictions.reservation != "RESERVATION_EXPIRES")
        return active

    def select(self, active: list[Element], kind: str) -> tuple[Element | None, Component | None]:
        """The element and component pricing ``kind`` (AMB-C-01)."""
        if self.whole_element:
            if not active:
                return None, None
            return active[0], active[0].component(kind)
        for element in active:
            component = element.component(kind)
            if component is not None:
                return element, component
        return None, None

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> Pricing:
        slots: list[_Slot] = []
        flats: list[_Slot] = []
        energy = _ZERO
        for index, period in enumerate(self.session.periods):
            tariff = self.tariff_for(index, period)
            if tariff is not None:
                # Charging in a period that also holds reservation time starts after it
                state = self.state(period, energy, period.charging_from)
                active = self.active_elements(tariff, state)
                reserved = None
                if period.mixes_reservation:
                    at_start = self.reserved_state(self.state(period, energy))
                    reserved = self.active_elements(tariff, at_start)
                self.collect(index, period, tariff, active, slots, flats, reserved)
            else:
                slots.extend(
                    _Slot(index, d, _group_of(d, period), None, None, None, v, v)
                    for d in PRICED_DIMENSIONS
                    if (v := period.volumes.get(d)) is not None
                )
            energy += period.volumes.get("ENERGY", _ZERO)
        self.apply_steps(slots)
        billed = [(self.line(s), s.tariff) for s in (*slots, *self.flat_fees(flats))]
        billed.sort(key=lambda pair: pair[0].period)
        return self.totals(billed)

    def reserved_state(self, state: PeriodState) -> PeriodState:
        """The state of the reservation part of a period that also holds charging: reserved,
        and not expired since charging followed (P-009)."""
        return replace(state, reservation=True, expired=False)

    def collect(
        self,
        index: int,
        period: Period,
        tariff: PricedTariff,
        active: list[Element],
        slots: list[_Slot],
        flats: list[_Slot],
        reserved: list[Element] | None = None,
    ) -> None:
        """The slots of a period's dimensions and its FLAT fee; ``reserved``, for a period
        that holds reservation time besides charging, are the elements active for its
        reservation part: they price its reservation time and reservation fee (P-009)."""
        chosen = self.choices(tariff, active)
        reserving = chosen if reserved is None else self.choices(tariff, reserved)
        volumes = period.volumes
        for dimension in PRICED_DIMENSIONS:
            volume = volumes.get(dimension)
            if volume is None:
                continue
            of = reserving if dimension == "RESERVATION_TIME" else chosen
            element, component = of[_COMPONENT_TYPE[dimension]]
            group = _group_of(dimension, period)
            slots.append(_Slot(index, dimension, group, tariff, element, component, volume, volume))
        if period.end <= period.start and not self.single_instant:
            return
        if reserved is not None:
            element, component = reserving["FLAT"]
            if component is not None:
                flats.append(
                    _Slot(index, "FLAT", "reservation", tariff, element, component, _ONE, _ONE)
                )
        element, component = chosen["FLAT"]
        if component is not None:
            flats.append(
                _Slot(index, "FLAT", _flat_group(period), tariff, element, component, _ONE, _ONE)
            )

    def choices(
        self, tariff: PricedTariff, active: list[Element]
    ) -> dict[str, tuple[Element | None, Component | None]]:
        """Element and component per component type for a set of active elements; periods
        with the same active elements (most of them) share one lookup."""
        key = (id(tariff), tuple(e.index for e in active))
        chosen = self.cache.get(key)
        if chosen is None:
            chosen = {kind: self.select(active, kind) for kind in _COMPONENT_TYPES}
            if self.reject_negative:
                for _, component in chosen.values():
                    self.check_price(tariff, component)
            self.cache[key] = chosen
        return chosen

    def check_price(self, tariff: PricedTariff, component: Component | None) -> None:
        if component is not None and component.price < 0:
            raise PricingError(
                f"tariff {tariff.id} has a negative {component.type} price {component.price} "
                "(AMB-C-19=REJECT_NEGATIVE_PRICE)"
            )

    def flat_fees(self, flats: list[_Slot]) -> list[_Slot]:
        """The FLAT fees billed (AMB-C-03)."""
        if self.options.is_("AMB-C-03", "PER_PERIOD"):
            return flats
        if self.options.is_("AMB-C-03", "ONCE_PER_SESSION"):
            return flats[:1]
        seen: set[tuple[int, int, int]] = set()
        billed = []
        for slot in flats:
            # The same component of the same element of the same tariff is billed once
            # (identities: hashing the frozen dataclasses would walk all their fields).
            key = (id(slot.tariff), id(slot.element), id(slot.component))
            if key not in seen:
                seen.add(key)
                billed.append(slot)
        return billed

    # -- step_size ------------------------------------------------------------------------------

    def apply_steps(self, slots: list[_Slot]) -> None:
        """Round billed volumes up to step_size (AMB-C-02, P-011..P-015, P-025)."""
        paid = [s for s in slots if s.component is not None]
        if self.options.is_("AMB-C-04", "REJECT_ZERO"):
            for slot in paid:
                self.refuse_zero_step(slot)
        if self.options.is_("AMB-C-02", "PER_PERIOD"):
            for slot in paid:
                self.round_total([slot])
            return
        by_dimension: dict[str, list[_Slot]] = {}
        for slot in paid:
            by_dimension.setdefault(slot.dimension, []).append(slot)
        self.round_total(by_dimension.get("ENERGY", []))
        self.round_total(by_dimension.get("RESERVATION_TIME", []))
        if self.options.is_("AMB-C-02", "PER_DIMENSION_SEPARATE"):
            self.round_total(by_dimension.get("TIME", []))
            self.round_total(by_dimension.get("PARKING_TIME", []))
            return
        # Only the last paid time-based dimension is rounded, on its own total (P-014, P-015).
        timed = [s for s in paid if s.dimension in ("TIME", "PARKING_TIME") and s.volume > 0]
        if timed:
            self.round_total(by_dimension[timed[-1].dimension])

    def refuse_zero_step(self, slot: _Slot) -> None:
        """AMB-C-04=REJECT_ZERO: a used non-FLAT component with step_size 0 is refused."""
        component = slot.component
        if component is not None and component.step_size <= 0:
            tariff = slot.tariff.id if slot.tariff else "?"
            element = slot.element.index if slot.element else "?"
            raise PricingError(
                f"tariff {tariff} element {element} has step_size {component.step_size} on "
                f"{component.type} (AMB-C-04=REJECT_ZERO)"
            )

    def round_total(self, group: list[_Slot]) -> None:
        """Round a group's total up to the step_size of its last paid slot, billing the surplus
        in that slot (P-012, P-013)."""
        nonzero = [s for s in group if s.volume > 0]
        if not nonzero:
            return
        last = nonzero[-1]
        assert last.component is not None
        step = last.component.step_size
        if step <= 0:
            return  # ZERO_AS_ONE: no rounding (REJECT_ZERO refused it before)
        unit = _STEP_UNIT[last.dimension]
        total = sum((s.volume for s in group), _ZERO)
        units = total * unit
        if units <= 0:
            return
        steps = (units / step).to_integral_value(rounding=ROUND_CEILING)
        # A total barely above a step boundary may be a rounded decimal of one on it (34,980 s
        # written as 9.716667 h is 34,980.0012 s): within the slack, at most half a step, it
        # is not billed a whole extra step.
        over = units - (steps - 1) * step
        if steps > 1 and over <= Decimal(step) / 2 and over <= self.slack(last, nonzero, unit):
            steps -= 1
        last.billed += steps * step / unit - total

    def slack(self, last: _Slot, group: list[_Slot], unit: Decimal) -> Decimal:
        """How far (in step units: s or Wh) a group's total may lie above a step boundary and
        still be read as on it: the option when set, else the rounding noise of the group's
        own volumes as written (half a unit of each one's last decimal place, in hours or kWh,
        or a double's few last bits for a volume written with all its digits), added up, and
        never more than half a second or 0.05 Wh: an overage beyond that is billed a step
        (P-011) whatever the writing."""
        energy = last.dimension == "ENERGY"
        fixed = self.slack_wh if energy else self.slack_seconds
        if fixed is not None:
            return fixed
        noise = sum((_written_noise(s.volume) for s in group), _ZERO) * unit
        return min(noise, _MAX_SLACK_WH if energy else _MAX_SLACK_SECONDS)

    # -- amounts --------------------------------------------------------------------------------

    def line(self, slot: _Slot) -> Line:
        component = slot.component
        if component is None or slot.tariff is None or slot.element is None:
            return Line(
                slot.period,
                slot.dimension,
                slot.group,
                None if slot.tariff is None else slot.tariff.id,
                None,
                None,
                _ZERO,
                None,
                0,
                slot.volume,
                slot.volume,
                ZERO,
            )
        amount = slot.billed * component.price
        if self.clamp_zero and amount < 0:
            amount = _ZERO
        mode = slot.tariff.tax_mode
        if mode is TaxMode.EXCLUDED and component.rate is None and self.zero_missing_vat:
            mode = TaxMode.NONE  # missing-vat=ZERO_TAX: no vat under tax_included NO is 0 %
        cost = _with_tax(amount, component.rate, mode)
        if self.round_lines:
            cost = _rounded(cost)
        return Line(
            slot.period,
            slot.dimension,
            slot.group,
            slot.tariff.id,
            slot.element.index,
            component.index,
            component.price,
            component.vat,
            component.step_size,
            slot.volume,
            slot.billed,
            cost,
        )

    def totals(self, billed: list[tuple[Line, PricedTariff | None]]) -> Pricing:
        """Sub-totals per group, min/max per tariff (AMB-C-21), the total."""
        prorate = self.options.is_("AMB-C-21", "PRORATE_SUBTOTALS")
        derive_incl = self.options.is_("AMB-C-21", "CAP_EXCL_DERIVE_INCL")
        adjustments: list[Adjustment] = []
        by_tariff: dict[int, tuple[PricedTariff | None, list[Line]]] = {}
        for line, of in billed:
            by_tariff.setdefault(id(of), (of, []))[1].append(line)
        tariff_totals = []
        scaled: list[tuple[str, Cost]] = []
        for tariff, own in by_tariff.values():
            raw = total_of(line.cost for line in own)
            limited = raw
            if tariff is not None and (tariff.min_price or tariff.max_price):
                limited = self.limit(tariff, raw, adjustments, derive_incl)
            tariff_totals.append(limited)
            if prorate and limited != raw:
                factors = (_factor(raw.excl, limited.excl), _factor(raw.incl, limited.incl))
                scaled += [(line.group, line.cost.scaled(*factors)) for line in own]
            else:
                scaled += [(line.group, line.cost) for line in own]
        total = tariff_totals[0] if len(tariff_totals) == 1 else total_of(tariff_totals)
        excl: dict[str, Decimal | None] = dict.fromkeys(GROUP_FIELDS, _ZERO)
        incl: dict[str, Decimal | None] = dict.fromkeys(GROUP_FIELDS, _ZERO)
        for group, cost in scaled:
            so_far = excl[group]
            excl[group] = None if so_far is None or cost.excl is None else so_far + cost.excl
            so_far = incl[group]
            incl[group] = None if so_far is None or cost.incl is None else so_far + cost.incl
        subtotals = {group: Cost(excl[group], incl[group]) for group in GROUP_FIELDS}
        if self.options.is_("AMB-C-08", "ROUND_TOTAL_2DP"):
            total = _rounded(total)
            subtotals = {group: _rounded(cost) for group, cost in subtotals.items()}
        return Pricing(
            lines=tuple(line for line, _ in billed),
            subtotals=subtotals,
            adjustments=tuple(adjustments),
            total=total,
            time_zone=self.zone.name,
            policies=self.policies_used,
            notes=tuple(self.notes),
            unpriced=tuple(self.unpriced),
        )

    def limit(
        self, tariff: PricedTariff, raw: Cost, adjustments: list[Adjustment], derive_incl: bool
    ) -> Cost:
        """A tariff's cost raised to min_price and capped at max_price (P-017, P-018); with
        ``derive_incl`` (AMB-C-21=CAP_EXCL_DERIVE_INCL) the amount after tax follows the one
        before it instead of meeting its own limit."""
        cost = raw
        for name, limit, below in (
            ("min_price", tariff.min_price, True),
            ("max_price", tariff.max_price, False),
        ):
            if limit is None:
                continue
            excl, incl = cost.excl, cost.incl
            if excl is not None and (excl < limit.excl if below else excl > limit.excl):
                excl = limit.excl
            elif excl is None and below and incl is not None and incl < limit.excl:
                # Prices include tax at an unknown rate (2.3.0 YES without vat): the amount
                # before tax is at most the amount after it, so it is below min_price too.
                excl, incl = limit.excl, None
            if not derive_incl and limit.incl is not None:
                if incl is not None and (incl < limit.incl if below else incl > limit.incl):
                    incl = limit.incl
            elif excl != cost.excl:
                # No limit after tax (or derived by policy): tax follows the adjusted amount.
                incl = _mul(cost.incl, _factor(cost.excl, excl))
            adjusted = Cost(excl, incl)
            if adjusted != cost:
                adjustments.append(Adjustment(tariff.id, name, cost, adjusted))
                cost = adjusted
        return cost


def _mul(value: Decimal | None, factor: Decimal | None) -> Decimal | None:
    return None if value is None or factor is None else value * factor


def _factor(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    if before is None or after is None:
        return None
    if before == 0:
        return Decimal(1) if after == 0 else None
    return after / before


def _with_tax(amount: Decimal, rate: Decimal | None, mode: TaxMode) -> Cost:
    """An amount as excl/incl tax per the tariff's tax mode (P-019, P-020); ``rate`` is
    1 + vat/100, None when the component states no vat."""
    if mode is TaxMode.VAT:
        return Cost(amount, amount if rate is None else amount * rate)
    if mode is TaxMode.EXCLUDED:
        return Cost(amount, None if rate is None else amount * rate)
    if mode is TaxMode.INCLUDED:
        return Cost(None if rate is None else amount / rate, amount)
    if mode is TaxMode.NONE:
        return Cost(amount, amount)
    return Cost(amount, None)


def _rounded(cost: Cost) -> Cost:
    return Cost(
        None if cost.excl is None else cost.excl.quantize(_CENT, ROUND_HALF_UP),
        None if cost.incl is None else cost.incl.quantize(_CENT, ROUND_HALF_UP),
    )


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Crossing:
    """A period that runs across an instant where the element pricing a dimension changes:
    the CPO should have started a new period there (C-012)."""

    period: int
    instant: datetime
    local: str
    dimension: str
    before: str
    after: str
    #: The change is the end of a reservation inside a period that also holds charging: the
    #: element pricing TIME changes from the reservation's to the charging's (P-009).
    reservation: bool = False


def _element_name(tariff: PricedTariff, element: Element | None) -> str:
    if element is None:
        return f"no element of tariff {tariff.id}"
    return f"tariff {tariff.id} element {element.index}"


def period_crossings(
    tariffs: Sequence[PricedTariff], session: Session, options: Options = DEFAULT_OPTIONS
) -> list[Crossing]:
    """Periods that run across a time, date, day-of-week or duration boundary at which the
    element pricing one of their dimensions changes (evaluated with the period's volumes),
    and periods in which a reservation ends and charging starts under another element."""
    engine = _Engine(tariffs, session, options)
    crossings: list[Crossing] = []
    energy = _ZERO
    # Each tariff's boundaries over the whole session, computed once and shared by its periods.
    bounds: dict[int, list[datetime]] = {}
    for index, period in enumerate(session.periods):
        tariff = engine.tariff_for(index, period)
        if tariff is not None and tariff.time_restricted:
            if id(tariff) not in bounds:
                bounds[id(tariff)] = boundary_instants(
                    [tariff],
                    min(session.start, period.start),
                    max(session.end, period.end),
                    engine.zone.zone,
                    engine.duration_base,
                )
            inside = instants_between(bounds[id(tariff)], period.start, period.end)
            crossing = engine.crossing(index, period, tariff, energy, inside)
            if crossing is not None:
                crossings.append(crossing)
        if tariff is not None and period.mixes_reservation:
            crossing = engine.reservation_end(index, period, tariff, energy)
            if crossing is not None:
                crossings.append(crossing)
        energy += period.volumes.get("ENERGY", _ZERO)
    return crossings


def price_session(
    tariffs: Sequence[PricedTariff], session: Session, options: Options = DEFAULT_OPTIONS
) -> Pricing:
    """Price a session with the given tariffs under the options' policies.

    Raises PricingError when a policy refuses a tariff (AMB-C-04=REJECT_ZERO,
    AMB-C-19=REJECT_NEGATIVE_PRICE); parts that cannot be priced otherwise are listed in
    ``Pricing.unpriced``; PricingError too when an amount is beyond exact decimal arithmetic
    (a volume of 1e308 kWh rounds to no cent).
    """
    try:
        return _Engine(tariffs, session, options).run()
    except decimal.InvalidOperation:
        raise PricingError(
            "an amount is too large to price to the cent (a volume, duration or price of "
            f"more than {decimal.getcontext().prec} significant digits)"
        ) from None
