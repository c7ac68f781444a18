"""What every object check receives besides the object: version (and its profile), options,
where it sits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from harness.findings import Finding, Level, json_path
from harness.models.amounts import Amount, amount_of
from harness.options import DEFAULT_OPTIONS, OptionId, Options
from harness.versions import VersionProfile, version_profile

_TOLERANCES: dict[str, OptionId] = {
    "hours": "tolerance-hours",
    "kwh": "tolerance-kwh",
    "money": "tolerance-money",
}


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class CheckContext:
    """The version under test, the options in force and the JSON location of the object (an
    embedded tariff sits at ``("tariffs", i)`` of its CDR). ``tariffs`` (Tariff models of the
    version) and ``time_zone`` are what the cost check prices with when the caller knows them
    from the Tariffs and Locations modules; None means: use what the CDR itself carries.
    ``profile`` is the version's profile (computed from ``version``; a ValueError names the
    supported versions): checks read what differs between versions there."""

    version: str
    options: Options = DEFAULT_OPTIONS
    prefix: tuple[str | int, ...] = ()
    tariffs: tuple[Any, ...] | None = None
    time_zone: str | None = None
    # Money values already read, by the identity of the (live) field object: several checks
    # read the same totals of the same CDR.
    amounts: dict[int, Amount] = field(default_factory=dict, repr=False, compare=False)
    profile: VersionProfile = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.profile = version_profile(self.version)

    def at(self, *loc: str | int) -> CheckContext:
        """The context of a nested object."""
        return CheckContext(
            self.version,
            self.options,
            self.prefix + loc,
            self.tariffs,
            self.time_zone,
            self.amounts,
        )

    def amount(self, value: object) -> Amount:
        """``amount_of(value)`` for a money field of the object under check, read once."""
        key = id(value)
        found = self.amounts.get(key)
        if found is None:
            found = self.amounts[key] = amount_of(value)
        return found

    def finding(
        self,
        requirement: str,
        level: Level,
        message: str,
        loc: Sequence[str | int] = (),
        expected: object = None,
        seen: object = None,
    ) -> Finding:
        """A finding located below this context's prefix."""
        return Finding(
            requirement,
            level,
            message,
            json_path(self.prefix + tuple(loc)),
            None if expected is None else str(expected),
            None if seen is None else str(seen),
        )

    def totals_level(self) -> Level | None:
        """Level of totals-vs-periods disagreements under AMB-C-11 (None: do not report)."""
        options = self.options
        if options.is_("AMB-C-11", "IGNORE"):
            return None
        return Level.WARNING if options.is_("AMB-C-11", "WARN_WITH_TOLERANCE") else Level.ERROR

    def tolerance(self, unit: Literal["hours", "kwh", "money"]) -> Decimal:
        """The comparison tolerance for ``hours``, ``kwh`` or ``money``."""
        return self.options.decimal(_TOLERANCES[unit])
