"""Parsing OCPI DateTime strings into aware UTC datetimes."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timezone
from functools import lru_cache

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
    acceptable). On Python 3.10, whose ``fromisoformat`` refuses ``Z`` and fractions other
    than 3 or 6 digits, it is read by hand.
    """
    if value == EPOCH_PLACEHOLDER:
        return EPOCH
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not an OCPI DateTime")
    if _FROMISOFORMAT_READS_OCPI and match.group(4) < "24":  # newer fromisoformat reads 24:00
        # The pattern matched, so this is a form fromisoformat reads the same way, in C (a
        # crawl parses every DateTime of every CDR); a test holds it to ``by_hand``.
        instant = datetime.fromisoformat(value)
        return instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)
    return by_hand(match)


def by_hand(match: re.Match[str]) -> datetime:
    """The instant a match of the DateTime pattern names (ValueError if none)."""
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second),
        micro,
        tzinfo=timezone.utc,
    )
