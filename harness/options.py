"""Named options for the spec's ambiguities and the harness's tolerances.

Where the spec is silent or contradicts itself, the harness does not guess: each choice is an
option with an id (the digest's ``AMB-C-##`` where it has one), a documented default and the
values it accepts. Users set them with ``--option ID=VALUE`` (CLI) or ``--ocpi-option`` (pytest).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation


class OptionError(ValueError):
    """A wrong option name or value; the message says which ones exist."""


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One named option: the values it takes (``choices``, or any decimal when empty)."""

    id: str
    default: str
    summary: str
    choices: tuple[str, ...] = ()


_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "AMB-C-10",
        "NEGATE_ALL_COST_FIELDS",
        "Which amounts a credit CDR negates besides total_cost (checked at warning level)",
        ("NEGATE_ALL_COST_FIELDS", "NEGATE_TOTAL_COST_ONLY", "NEGATE_COSTS_AND_VOLUMES"),
    ),
    OptionSpec(
        "AMB-C-11",
        "WARN_WITH_TOLERANCE",
        "Totals that disagree with the charging periods or sub-totals (C-010, C-019): "
        "a warning, an error, or not reported",
        ("WARN_WITH_TOLERANCE", "STRICT_FAIL", "IGNORE"),
    ),
    OptionSpec(
        "AMB-C-12",
        "FAIL_IF_UNRESOLVED",
        "A ChargingPeriod.tariff_id that names no tariff embedded in the CDR (C-014): an error, "
        "or a note that the Tariffs module must be asked",
        ("FAIL_IF_UNRESOLVED", "LOOKUP_TARIFF_MODULE"),
    ),
    OptionSpec(
        "AMB-C-13",
        "WARN",
        "An embedded tariff whose currency differs from the CDR's (C-017)",
        ("WARN", "REJECT"),
    ),
    OptionSpec(
        "AMB-C-14",
        "ACCEPT_NORMALIZED",
        "The 2.2+ placeholder start/end time 1970-1-1T00:00:00Z: accepted as the epoch, or refused",
        ("ACCEPT_NORMALIZED", "REJECT"),
    ),
    OptionSpec(
        "AMB-C-15",
        "REQUIRE_ONE_EVSE_ONE_CONNECTOR",
        "2.1.1 CDR location: exactly one EVSE with exactly one connector, or any number",
        ("REQUIRE_ONE_EVSE_ONE_CONNECTOR", "ALLOW_EMPTY"),
    ),
    OptionSpec(
        "AMB-C-17",
        "TOLERATE_AND_WARN",
        "Fields the version does not define: a warning, an error (not in 2.3.0, which forbids "
        "rejecting them), or not reported",
        ("TOLERATE_AND_WARN", "STRICT_REJECT", "IGNORE"),
    ),
    OptionSpec(
        "AMB-C-18",
        "ACCEPT_5000",
        "SignedValue.plain_data length: 5000 as the errata say, or the tags' 512",
        ("ACCEPT_5000", "STRICT_TAG_512"),
    ),
    OptionSpec("tolerance-hours", "0.001", "Tolerance when comparing durations, in hours"),
    OptionSpec("tolerance-kwh", "0.001", "Tolerance when comparing energy, in kWh"),
    OptionSpec("tolerance-money", "0.01", "Tolerance when comparing amounts of money"),
)

OPTION_SPECS: dict[str, OptionSpec] = {spec.id: spec for spec in _SPECS}


@dataclass(frozen=True)
class Options:
    """The option values in force: defaults overridden by what the user set."""

    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, value in self.values.items():
            _validate(key, value)

    def get(self, option_id: str) -> str:
        """The value of a choice option."""
        if option_id not in OPTION_SPECS:
            raise OptionError(_unknown(option_id))
        return self.values.get(option_id, OPTION_SPECS[option_id].default)

    def decimal(self, option_id: str) -> Decimal:
        """The value of a numeric option."""
        return Decimal(self.get(option_id))

    @classmethod
    def parse(cls, pairs: Iterable[str]) -> Options:
        """Options from ``ID=VALUE`` strings (as typed on a command line)."""
        values: dict[str, str] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep:
                raise OptionError(f"option {pair!r} is not ID=VALUE, e.g. AMB-C-11=STRICT_FAIL")
            values[key.strip()] = value.strip()
        return cls(values)

    def as_dict(self) -> dict[str, str]:
        """Every option with the value in force (for reports)."""
        return {key: self.get(key) for key in OPTION_SPECS}


DEFAULT_OPTIONS = Options()


def _unknown(option_id: str) -> str:
    return f"unknown option {option_id!r}; known options: {', '.join(OPTION_SPECS)}"


def _validate(option_id: str, value: str) -> None:
    spec = OPTION_SPECS.get(option_id)
    if spec is None:
        raise OptionError(_unknown(option_id))
    if spec.choices:
        if value not in spec.choices:
            raise OptionError(
                f"option {option_id} takes one of {', '.join(spec.choices)}; got {value!r}"
            )
        return
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise OptionError(f"option {option_id} takes a number; got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise OptionError(f"option {option_id} takes a non-negative number; got {value!r}")
