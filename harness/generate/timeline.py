"""A session as it happens: when it starts, how the car charges and how long it stays, cut
into charging periods wherever the price can change.

All times derive from ``REFERENCE`` (an explicit UTC instant) and the random source, never
from the clock, so a seed gives the same session on any machine on any day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from random import Random

from harness.generate.profiles import Profile
from harness.generate.tariffs import SWITCH_TIMES

#: Every generated time is an offset from this Monday, 00:00 UTC.
REFERENCE = datetime(2025, 1, 6, tzinfo=timezone.utc)
#: The 2025 changes of summer time in Europe (01:00 UTC on the last Sunday of March, October).
DST_CHANGES = (
    datetime(2025, 3, 30, 1, 0, tzinfo=timezone.utc),
    datetime(2025, 10, 26, 1, 0, tzinfo=timezone.utc),
)
_DAY_HOURS = (7, 8, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 17, 18, 18, 19, 20, 21)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the session: "reservation", "charging" (at ``power`` kW) or "parking"."""

    start: datetime
    end: datetime
    kind: str
    power: float = 0.0

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def _local(day: int, hour: int, minute: int, second: int, zone: tzinfo) -> datetime:
    """UTC instant of a local wall-clock time ``day`` days after REFERENCE's date."""
    date = (REFERENCE + timedelta(days=day)).date()
    local = datetime(date.year, date.month, date.day, hour, minute, second, tzinfo=zone)
    return local.astimezone(timezone.utc)


def session_start(rng: Random, profile: Profile, zone: tzinfo) -> datetime:
    """When the session starts, per the profile's start window."""
    if profile.start == "dst":
        change = rng.choice(DST_CHANGES)
        return change - timedelta(seconds=rng.randrange(30 * 60, 120 * 60))
    if profile.start == "midnight":
        # A Friday or a Sunday night: the weekend price starts or ends at midnight.
        day = rng.randrange(0, 50) * 7 + rng.choice((4, 6))
        return _local(day, 23, rng.randrange(0, 50), rng.randrange(60), zone)
    day = rng.randrange(0, 358)
    if profile.start == "boundary":
        hour, minute = (int(x) for x in rng.choice(SWITCH_TIMES).split(":"))
        switch = _local(day, hour, minute, 0, zone)
        return switch - timedelta(seconds=rng.randrange(10 * 60, 80 * 60))
    return _local(day, rng.choice(_DAY_HOURS), rng.randrange(60), rng.randrange(60), zone)


def _minutes(rng: Random, bounds: tuple[int, int]) -> timedelta:
    low, high = bounds
    return timedelta(seconds=rng.randrange(low * 60, high * 60 + 1))


def segments(rng: Random, profile: Profile, start: datetime, power: float) -> list[Segment]:
    """Reservation (if any), charging at ``power`` kW (a falling curve for DC, many small steps
    for smart charging), then parking."""
    out: list[Segment] = []
    at = start
    if profile.reservation:
        end = at + _minutes(rng, (5, 25))
        out.append(Segment(at, end, "reservation"))
        at = end
    charging = _minutes(rng, profile.charge_minutes)
    if profile.zero_energy:
        power = 0.0
    if profile.periods == "many":
        steps = _smart_charging(rng, at, at + charging, power)
    elif profile.charger == "dc":
        steps = _dc_curve(at, at + charging, power)
    else:
        steps = [Segment(at, at + charging, "charging", power)]
    out.extend(s for s in steps if s.end > s.start)
    at += charging
    parking = _minutes(rng, profile.park_minutes)
    if parking:
        out.append(Segment(at, at + parking, "parking"))
    return out


def _dc_curve(start: datetime, end: datetime, power: float) -> list[Segment]:
    """Full power for 40 % of the time, then 70 %, then 40 %: the usual DC taper."""
    total = (end - start).total_seconds()
    first = start + timedelta(seconds=int(total * 0.4))
    second = start + timedelta(seconds=int(total * 0.75))
    return [
        Segment(start, first, "charging", power),
        Segment(first, second, "charging", round(power * 0.7, 2)),
        Segment(second, end, "charging", round(power * 0.4, 2)),
    ]


def _smart_charging(rng: Random, start: datetime, end: datetime, power: float) -> list[Segment]:
    """A new power level every one to three minutes, as a smart-charging CPO reports it."""
    out = []
    at = start
    while at < end:
        step = min(at + timedelta(seconds=rng.randrange(60, 181)), end)
        out.append(Segment(at, step, "charging", round(power * rng.uniform(0.5, 1.0), 2)))
        at = step
    return out


def cut(parts: list[Segment], instants: list[datetime]) -> list[Segment]:
    """The segments split at each of the sorted ``instants`` that falls inside one."""
    out = []
    queue = iter(instants)
    pending = next(queue, None)
    for part in parts:
        current = part
        while pending is not None and pending <= current.start:
            pending = next(queue, None)
        while pending is not None and current.start < pending < current.end:
            out.append(Segment(current.start, pending, current.kind, current.power))
            current = Segment(pending, current.end, current.kind, current.power)
            pending = next(queue, None)
        out.append(current)
    return out
