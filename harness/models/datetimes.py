"""Parsing OCPI DateTime strings into aware UTC datetimes."""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timezone
from functools import lru_cache
from importlib import resources

from harness.models.types import EPOCH_PLACEHOLDER

_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?Z?"
)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# From 3.11 on, fromisoformat reads 'Z' and fractions of any length.
_FROMISOFORMAT_READS_OCPI = sys.version_info >= (3, 11)


@lru_cache(maxsize=4096)
def parse_datetime(value: str) -> datetime:
    """An OCPI DateTime (already pattern-checked) as an aware UTC datetime.

    Raises ValueError when the string names no real instant (month 13, February 30, hour 24).
    The 2.2+ placeholder ``1970-1-1T00:00:00Z`` maps to the epoch (AMB-C-14 decides whether it is
    acceptable). A leap second (second 60, which RFC 3339 allows at 23:59 UTC on the last day
    of a month) is a real instant on the days the IERS list names (``leap_second_days``), and
    refused on any other; ``datetime`` has no second 60, so it reads as the last microsecond
    before the next day (``2016-12-31T23:59:60Z`` is ``2016-12-31T23:59:59.999999Z``): still
    before midnight, so periods keep their order, and a duration across it is a second
    short. On Python 3.10, whose ``fromisoformat``
    refuses ``Z`` and fractions other than 3 or 6 digits, it is read by hand.
    """
    if value == EPOCH_PLACEHOLDER:
        return EPOCH
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not an OCPI DateTime")
    # Newer fromisoformat reads 24:00, and no version reads second 60: those go by hand.
    if _FROMISOFORMAT_READS_OCPI and match.group(4) < "24" and match.group(6) < "60":
        # The pattern matched, so this is a form fromisoformat reads the same way, in C (a
        # crawl parses every DateTime of every CDR); a test holds it to ``by_hand``.
        instant = datetime.fromisoformat(value)
        return instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)
    return by_hand(match)


def by_hand(match: re.Match[str]) -> datetime:
    """The instant a match of the DateTime pattern names (ValueError if none); a leap second
    is the last microsecond of its day (see ``parse_datetime``)."""
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    leap = second == "60"
    instant = datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        59 if leap else int(second),
        999_999 if leap else micro,
        tzinfo=timezone.utc,
    )
    if not leap:
        return instant
    if (hour, minute) != ("23", "59") or instant.date() not in leap_second_days():
        raise ValueError(
            f"second 60 is a leap second, which only the days of the IERS list have (at "
            f"23:59:60 UTC); {match.group(0)!r} is not one"
        )
    return instant


@lru_cache(maxsize=1)
def leap_second_days() -> frozenset[date]:
    """The days that ended with a leap second, from the ``leapseconds`` file of the tzdata
    package (the IANA time-zone database's copy of the IERS list)."""
    text = (resources.files("tzdata") / "zoneinfo" / "leapseconds").read_text(encoding="utf-8")
    days = set()
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0] == "Leap" and fields[4] == "23:59:60":
            days.add(datetime.strptime(" ".join(fields[1:4]), "%Y %b %d").date())
    return frozenset(days)
