"""The one way an exchange check words a finding: the exchange it judged (or the label of
what it compared), expected and seen as text."""

from __future__ import annotations

from harness.exchange import Exchange
from harness.findings import Finding, Level


def exchange_finding(
    about: Exchange | str | None,
    requirement: str,
    message: str,
    where: str = "$",
    level: Level = Level.ERROR,
    expected: object = None,
    seen: object = None,
) -> Finding:
    """A finding on ``about``: a recorded exchange, or the label of what a check compared (two
    crawls, a date window), or nothing."""
    return Finding(
        requirement,
        level,
        message,
        where,
        None if expected is None else str(expected),
        None if seen is None else str(seen),
        about.label if isinstance(about, Exchange) else about,
    )
