"""Instants at which a tariff's time-based restrictions can switch an element on or off.

The CPO starts a new charging period at every event that changes the price (C-012); for time of
day, dates, days of the week and session duration those events are known in advance. The cost
check uses them to find periods that run across such an instant, and a generator uses them to
cut a session into periods.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from harness.pricing.tariffs import PricedTariff, Restrictions

_UTC = timezone.utc


def _local_dates(start: datetime, end: datetime, zone: tzinfo) -> Iterator[date]:
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


@lru_cache(maxsize=4096)
def _at(day: date, minute: int, zone: tzinfo) -> datetime:
    """The UTC instant of a local wall-clock minute (1440 is the next midnight)."""
    day += timedelta(days=minute // 1440)
    minute %= 1440
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    instant = wall.replace(tzinfo=zone).astimezone(_UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # The wall time does not exist (the clock jumps over it at a DST change): the restriction
    # starts to hold when the clock jumps, i.e. at the first instant showing a later time.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(_UTC)
    high = instant
    if low > high:
        low, high = high, low
    while (high - low).total_seconds() > 1:
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _restriction_instants(
    r: Restrictions, days: list[date], zone: tzinfo, duration_base: datetime
) -> Iterator[datetime]:
    for minute in (r.start_minute, r.end_minute):
        if minute is not None:
            yield from (_at(day, minute, zone) for day in days)
    if r.days is not None or r.start_date is not None or r.end_date is not None:
        yield from (_at(day, 0, zone) for day in days)  # local midnights
    for seconds in (r.min_duration, r.max_duration):
        if seconds is not None:
            yield duration_base + timedelta(seconds=seconds)


def boundary_instants(
    tariffs: Sequence[PricedTariff],
    start: datetime,
    end: datetime,
    zone: tzinfo,
    duration_base: datetime,
) -> list[datetime]:
    """Sorted instants strictly inside (start, end) where a time, date, day-of-week or
    duration restriction of any element of ``tariffs`` starts or stops holding.

    ``zone`` is the zone the restrictions are read in (AMB-C-05); ``duration_base`` is where
    min/max_duration count from (AMB-C-25). Energy and power thresholds depend on the charging
    curve and are not listed.
    """
    if end <= start:
        return []
    days = list(_local_dates(start, end, zone))
    found = {
        instant
        for tariff in tariffs
        for element in tariff.elements
        for instant in _restriction_instants(element.restrictions, days, zone, duration_base)
        if start < instant < end
    }
    return sorted(found)


def instants_between(
    instants: Sequence[datetime], start: datetime, end: datetime
) -> list[datetime]:
    """The sorted ``instants`` strictly inside (start, end)."""
    first = bisect_right(instants, start)
    last = bisect_left(instants, end, lo=first)
    return list(instants[first:last])
