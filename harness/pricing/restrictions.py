"""Whether a tariff element's restrictions hold at the start of a charging period.

All fields of one element's restrictions must hold (P-003). Minimums are inclusive and maximums
exclusive (P-006..P-008); start_time is inclusive, end_time exclusive, an end before the start
wraps past midnight, and an absent start or end is the start or end of the day (P-004).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from harness.pricing.tariffs import NO_RESTRICTIONS, Restrictions

_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class PeriodState:
    """What restrictions are compared with, at the start of a period.

    ``local`` is the wall-clock time in the session's zone; ``second_pass`` is true inside the
    second pass of a local hour repeated at a DST change; ``elapsed`` counts seconds since the
    session started (AMB-C-25); ``energy`` is the kWh charged before the period; ``power`` (kW)
    and ``current`` (A) are None when the CDR does not tell them.
    """

    local: datetime
    second_pass: bool
    elapsed: float
    energy: Decimal
    power: Decimal | None
    current: Decimal | None
    reservation: bool
    expired: bool


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Policies:
    """The restriction-related options in force."""

    daily_window: bool = True  # AMB-C-07
    first_occurrence_only: bool = False  # AMB-C-06


def _in_window(second_of_day: int, start_minute: int | None, end_minute: int | None) -> bool:
    start = (start_minute or 0) % 1440 * 60
    end = (1440 if end_minute is None else end_minute) * 60
    if end > 86400:
        # 2.1.1 allows times past 24:00 ("26:00" is 02:00 the next day): a window that wraps.
        end = end % 86400 or 86400
        return second_of_day >= start or second_of_day < end
    if start < end:
        return start <= second_of_day < end
    if start > end:
        return second_of_day >= start or second_of_day < end
    return True  # equal bounds: the whole day


def _dates_and_times(r: Restrictions, st: PeriodState, policies: Policies) -> bool:
    local = st.local
    day = local.date().isoformat()
    second = local.hour * 3600 + local.minute * 60 + local.second
    if r.has_time_of_day and policies.first_occurrence_only and st.second_pass:
        return False
    if not policies.daily_window and r.has_time_of_day and (r.start_date or r.end_date):
        # One interval from start_date + start_time to end_date + end_time (AMB-C-07).
        begin = (r.start_date or "0000-00-00", (r.start_minute or 0) * 60)
        # Without end_time (or with 00:00) the interval ends as end_date begins: exclusive.
        end_minute = 0 if r.end_minute in (None, 1440) else r.end_minute
        finish = (r.end_date or "9999-99-99", end_minute * 60)
        return begin <= (day, second) < finish
    if r.start_date is not None and day < r.start_date:
        return False
    if r.end_date is not None and day >= r.end_date:
        return False
    return not r.has_time_of_day or _in_window(second, r.start_minute, r.end_minute)


def _within(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False  # the CDR does not tell: the restriction cannot be shown to hold
    if low is not None and value < low:
        return False
    return high is None or value < high


def matches(r: Restrictions, st: PeriodState, policies: Policies) -> bool:
    """Whether an element with restrictions ``r`` is active in a period with state ``st``."""
    if r is NO_RESTRICTIONS:
        return not st.reservation
    if r.reservation is not None:
        # Reservation elements price only reservation time; RESERVATION_EXPIRES only when the
        # reservation ended without charging (P-009).
        if not st.reservation or (r.reservation == "RESERVATION_EXPIRES" and not st.expired):
            return False
    elif st.reservation:
        return False  # elements without reservation do not price reservation time (AMB-C-07)
    if r.days is not None and _DAYS[st.local.weekday()] not in r.days:
        return False
    if (r.start_date or r.end_date or r.has_time_of_day) and not _dates_and_times(r, st, policies):
        return False
    if not _within(st.energy, r.min_kwh, r.max_kwh):
        return False
    if not _within(st.current, r.min_current, r.max_current):
        return False
    if not _within(st.power, r.min_power, r.max_power):
        return False
    if r.min_duration is not None and st.elapsed < r.min_duration:
        return False
    return r.max_duration is None or st.elapsed < r.max_duration
