"""Named options for the spec's ambiguities and the harness's tolerances.

Where the spec is silent or contradicts itself, the harness does not guess: each choice is an
option with an id (the digest's ``AMB-C-##`` where it has one), a documented default and the
values it accepts. Users set them with ``--option ID=VALUE`` (CLI) or ``--ocpi-option`` (pytest).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Every option id (a misspelled one fails mypy, and OptionError at run time).
OptionId = Literal[
    "AMB-C-01",
    "AMB-C-02",
    "AMB-C-03",
    "AMB-C-04",
    "AMB-C-05",
    "AMB-C-06",
    "AMB-C-07",
    "AMB-C-08",
    "AMB-C-10",
    "AMB-C-11",
    "AMB-C-12",
    "AMB-C-13",
    "AMB-C-14",
    "AMB-C-15",
    "AMB-C-17",
    "AMB-C-18",
    "AMB-C-19",
    "AMB-C-20",
    "AMB-C-21",
    "AMB-C-23",
    "AMB-C-25",
    "missing-tariff-id",
    "missing-vat",
    "drift-hints",
    "time-zone",
    "step-slack-seconds",
    "step-slack-wh",
    "tolerance-hours",
    "tolerance-kwh",
    "tolerance-money",
]
#: Every value a choice option takes (``Options.is_`` also checks it is the option's own).
OptionValue = Literal[
    "PER_DIMENSION",
    "WHOLE_ELEMENT",
    "SESSION_TOTAL_LAST_PERIOD",
    "PER_PERIOD",
    "PER_DIMENSION_SEPARATE",
    "ONCE_PER_ELEMENT_ACTIVATION_PER_SESSION",
    "ONCE_PER_SESSION",
    "ZERO_AS_ONE",
    "REJECT_ZERO",
    "LOCATION_TZ",
    "UTC",
    "CONFIG_TZ",
    "WALL_CLOCK",
    "FIRST_OCCURRENCE_ONLY",
    "DAILY_WINDOW",
    "CONTINUOUS_INTERVAL",
    "EXACT_DECIMAL",
    "ROUND_HALF_UP_2DP_PER_COMPONENT",
    "ROUND_TOTAL_2DP",
    "NEGATE_ALL_COST_FIELDS",
    "NEGATE_TOTAL_COST_ONLY",
    "NEGATE_COSTS_AND_VOLUMES",
    "WARN_WITH_TOLERANCE",
    "FAIL_WITH_TOLERANCE",
    "IGNORE",
    "FAIL_IF_UNRESOLVED",
    "LOOKUP_TARIFF_MODULE",
    "WARN",
    "REJECT",
    "ACCEPT_NORMALIZED",
    "REQUIRE_ONE_EVSE_ONE_CONNECTOR",
    "ALLOW_EMPTY",
    "TOLERATE_AND_WARN",
    "STRICT_REJECT",
    "ACCEPT_5000",
    "STRICT_TAG_512",
    "PRICE_SIGNED",
    "CLAMP_ZERO",
    "REJECT_NEGATIVE_PRICE",
    "TARIFF_AT_START",
    "SWITCH_AT_BOUNDARY",
    "CAP_TOTALS_ONLY",
    "PRORATE_SUBTOTALS",
    "CAP_EXCL_DERIVE_INCL",
    "AVG_FROM_ENERGY",
    "MAX_DIMENSION",
    "MIN_DIMENSION",
    "FROM_SESSION_START",
    "FROM_CDR_START",
    "NO_TARIFF",
    "CHOSEN_TARIFF",
    "UNKNOWN_TAX",
    "ZERO_TAX",
    "POLICIES",
    "DIMENSIONS",
    "NONE",
]


#: The value of a numeric option that the harness works out itself unless the user sets a number.
AUTO = "auto"


class OptionError(ValueError):
    """A wrong option name or value; the message says which ones exist."""


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One named option: the values it takes (``choices``; without them a non-negative decimal,
    or an IANA time-zone name when ``zone`` is set; a decimal option with ``auto`` also takes
    the word ``auto``, its default, for a value the harness derives)."""

    id: OptionId
    default: str
    summary: str
    choices: tuple[OptionValue, ...] = ()
    zone: bool = False
    auto: bool = False


_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "AMB-C-01",
        "PER_DIMENSION",
        "Pricing: which element prices a dimension: the first element that has a component of "
        "that dimension and matches (2.2+ text), or the first matching element for all "
        "dimensions (2.1.1 literal)",
        ("PER_DIMENSION", "WHOLE_ELEMENT"),
    ),
    OptionSpec(
        "AMB-C-02",
        "SESSION_TOTAL_LAST_PERIOD",
        "Pricing: where step_size rounds: the session total of a dimension, surplus billed in "
        "its last paid period, only the last of TIME/PARKING_TIME (2.2+ text); every period on "
        "its own (legacy); or TIME and PARKING_TIME each on its own total",
        ("SESSION_TOTAL_LAST_PERIOD", "PER_PERIOD", "PER_DIMENSION_SEPARATE"),
    ),
    OptionSpec(
        "AMB-C-03",
        "ONCE_PER_ELEMENT_ACTIVATION_PER_SESSION",
        "Pricing: how often a FLAT component is billed: each distinct FLAT component once per "
        "session, only the first FLAT of the session, or once per charging period (legacy bug)",
        ("ONCE_PER_ELEMENT_ACTIVATION_PER_SESSION", "ONCE_PER_SESSION", "PER_PERIOD"),
    ),
    OptionSpec(
        "AMB-C-04",
        "ZERO_AS_ONE",
        "Pricing: step_size 0 on a non-FLAT component: no rounding, or refused (TF-002)",
        ("ZERO_AS_ONE", "REJECT_ZERO"),
    ),
    OptionSpec(
        "AMB-C-05",
        "LOCATION_TZ",
        "Pricing: time zone of time and date restrictions: the location's (its time_zone where "
        "the CDR carries one, else the zone of its country when the country has one zone, else "
        "option time-zone), UTC, or always option time-zone",
        ("LOCATION_TZ", "UTC", "CONFIG_TZ"),
    ),
    OptionSpec(
        "AMB-C-06",
        "WALL_CLOCK",
        "Pricing: a local hour repeated at a DST change: time-of-day restrictions match both "
        "passes (wall clock), or only the first (FIRST_OCCURRENCE_ONLY); durations are always "
        "elapsed seconds",
        ("WALL_CLOCK", "FIRST_OCCURRENCE_ONLY"),
    ),
    OptionSpec(
        "AMB-C-07",
        "DAILY_WINDOW",
        "Pricing: start/end_time together with start/end_date: a window repeated on each day of "
        "the date range, or one continuous interval from start date+time to end date+time",
        ("DAILY_WINDOW", "CONTINUOUS_INTERVAL"),
    ),
    OptionSpec(
        "AMB-C-08",
        "EXACT_DECIMAL",
        "Pricing: monetary rounding: exact decimals, each line rounded half-up to 2 decimals, "
        "or only the totals rounded to 2 decimals",
        ("EXACT_DECIMAL", "ROUND_HALF_UP_2DP_PER_COMPONENT", "ROUND_TOTAL_2DP"),
    ),
    OptionSpec(
        "AMB-C-10",
        "NEGATE_ALL_COST_FIELDS",
        "Which amounts a credit CDR negates besides total_cost (checked at warning level)",
        ("NEGATE_ALL_COST_FIELDS", "NEGATE_TOTAL_COST_ONLY", "NEGATE_COSTS_AND_VOLUMES"),
    ),
    OptionSpec(
        "AMB-C-11",
        "FAIL_WITH_TOLERANCE",
        "Totals that disagree with the charging periods or sub-totals (C-010, C-019), and a "
        "cost the tariffs do not give that no named policy explains (C-026): an error beyond "
        "the tolerance (a CDR that contradicts itself misbills; revised), a warning, or not "
        "reported",
        ("FAIL_WITH_TOLERANCE", "WARN_WITH_TOLERANCE", "IGNORE"),
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
        "REJECT",
        "An embedded tariff whose currency differs from the CDR's (C-017): an error (a cost "
        "in EUR cannot come from a tariff in USD; revised), or a warning",
        ("REJECT", "WARN"),
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
    OptionSpec(
        "AMB-C-19",
        "PRICE_SIGNED",
        "Pricing: negative prices or volumes (V2G): amounts may be negative, each amount is "
        "clamped at zero, or a negative price makes the tariff unpriceable",
        ("PRICE_SIGNED", "CLAMP_ZERO", "REJECT_NEGATIVE_PRICE"),
    ),
    OptionSpec(
        "AMB-C-20",
        "TARIFF_AT_START",
        "Pricing: for periods that name no tariff, choose among tariffs by their validity at "
        "the session's start, or at each period's start",
        ("TARIFF_AT_START", "SWITCH_AT_BOUNDARY"),
    ),
    OptionSpec(
        "AMB-C-21",
        "CAP_TOTALS_ONLY",
        "Pricing: min_price/max_price adjust the total only (excl and incl each on its own "
        "limit), also scale the sub-totals, or adjust excl and derive incl in proportion",
        ("CAP_TOTALS_ONLY", "PRORATE_SUBTOTALS", "CAP_EXCL_DERIVE_INCL"),
    ),
    OptionSpec(
        "AMB-C-23",
        "AVG_FROM_ENERGY",
        "Pricing: the power/current compared with min/max_power/current in a period: the "
        "average (energy over charging time; MAX_* dimensions where it cannot be computed), "
        "the MAX_* dimension, or the MIN_* dimension",
        ("AVG_FROM_ENERGY", "MAX_DIMENSION", "MIN_DIMENSION"),
    ),
    OptionSpec(
        "AMB-C-25",
        "FROM_SESSION_START",
        "Pricing: min/max_duration count from the start of charging (after any reservation), "
        "or from the CDR's start",
        ("FROM_SESSION_START", "FROM_CDR_START"),
    ),
    OptionSpec(
        "missing-tariff-id",
        "NO_TARIFF",
        "Pricing (2.2+): a charging period without tariff_id: no tariff applies (the spec's "
        "words), or the tariff chosen as for 2.1.1 (valid at the time, matching the token)",
        ("NO_TARIFF", "CHOSEN_TARIFF"),
    ),
    OptionSpec(
        "missing-vat",
        "UNKNOWN_TAX",
        "Pricing (2.3.0): a price component without vat in a tariff with tax_included NO: "
        "taxes by local law, so the amount after tax is unknown (and so is whether an "
        "after-tax min/max_price applies; P-020), or no tax at all (the amount after tax is "
        "the amount before it)",
        ("UNKNOWN_TAX", "ZERO_TAX"),
    ),
    OptionSpec(
        "drift-hints",
        "POLICIES",
        "Cost check: when a total differs, also re-price under each other value of the "
        "pricing options that can matter and name those that give the stated total (costly "
        "on a complex tariff); or only compare the difference with each dimension's amount; "
        "or give no hints",
        ("POLICIES", "DIMENSIONS", "NONE"),
    ),
    OptionSpec(
        "time-zone",
        "UTC",
        "Pricing: IANA time zone used when the location's is unknown (AMB-C-05=LOCATION_TZ) or "
        "always (AMB-C-05=CONFIG_TZ)",
        zone=True,
    ),
    OptionSpec(
        "step-slack-seconds",
        AUTO,
        "Pricing: a time total within this many seconds above a step boundary is taken as on "
        "it. auto: the rounding noise of its volumes as written (half a unit of the last "
        "decimal place of the hours each is written in, at least the 4th, added up) and at "
        "most 0.5 s, so an overage beyond half a second is always billed a step; a number "
        "overrides it, 0 reads every volume exactly as written",
        auto=True,
    ),
    OptionSpec(
        "step-slack-wh",
        AUTO,
        "Pricing: an energy total within this many Wh above a step boundary is taken as on it. "
        "auto: the rounding noise of its volumes as written (as for step-slack-seconds, in "
        "kWh) and at most 0.05 Wh; a number overrides it, 0 reads every volume exactly as "
        "written",
        auto=True,
    ),
    OptionSpec("tolerance-hours", "0.001", "Tolerance when comparing durations, in hours"),
    OptionSpec("tolerance-kwh", "0.001", "Tolerance when comparing energy, in kWh"),
    OptionSpec("tolerance-money", "0.01", "Tolerance when comparing amounts of money"),
)

OPTION_SPECS: dict[str, OptionSpec] = {spec.id: spec for spec in _SPECS}
assert tuple(OPTION_SPECS) == get_args(OptionId)
assert {c for spec in _SPECS for c in spec.choices} == set(get_args(OptionValue))
# Each (option, value) pair a comparison may name.
_CHOICES = frozenset((spec.id, value) for spec in _SPECS for value in spec.choices)


@dataclass(frozen=True)
class Options:
    """The option values in force: defaults overridden by what the user set."""

    values: Mapping[str, str] = field(default_factory=dict)
    # Every option's value in force, resolved once: checks and the pricing engine read options
    # per period of every CDR.
    _resolved: dict[str, str] = field(init=False, repr=False, compare=False)
    _decimals: dict[str, Decimal] = field(init=False, repr=False, compare=False)
    _subsets: dict[tuple[str, ...], dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key, value in self.values.items():
            _validate(key, value)
        resolved = {key: self.values.get(key, spec.default) for key, spec in OPTION_SPECS.items()}
        object.__setattr__(self, "_resolved", resolved)
        object.__setattr__(self, "_decimals", {})
        object.__setattr__(self, "_subsets", {})

    def get(self, option_id: OptionId) -> str:
        """The value of an option (an OptionError for an unknown id)."""
        try:
            return self._resolved[option_id]
        except KeyError:
            raise OptionError(_unknown(option_id)) from None

    def is_(self, option_id: OptionId, value: OptionValue) -> bool:
        """Whether choice option ``option_id`` is set to ``value``; an OptionError when
        ``value`` is not one of the option's choices (a misspelling never reads as "not set")."""
        if (option_id, value) not in _CHOICES:
            if option_id not in OPTION_SPECS:
                raise OptionError(_unknown(option_id))
            choices = OPTION_SPECS[option_id].choices
            raise OptionError(
                f"option {option_id} takes one of {', '.join(choices)}; got {value!r}"
                if choices
                else f"option {option_id} has no choices to compare with; got {value!r}"
            )
        return self._resolved[option_id] == value

    def decimal(self, option_id: OptionId) -> Decimal:
        """The value of a numeric option (an OptionError for one set to ``auto``: read those
        with ``decimal_or_auto``)."""
        value = self._decimals.get(option_id)
        if value is None:
            text = self.get(option_id)
            if text == AUTO:
                raise OptionError(f"option {option_id} is {AUTO}: it has no number to read")
            value = self._decimals[option_id] = Decimal(text)
        return value

    def decimal_or_auto(self, option_id: OptionId) -> Decimal | None:
        """The number a numeric option is set to, or None when it is ``auto`` (the harness
        derives the value itself)."""
        return None if self.get(option_id) == AUTO else self.decimal(option_id)

    @classmethod
    def parse(cls, pairs: Iterable[str]) -> Options:
        """Options from ``ID=VALUE`` strings (as typed on a command line)."""
        values: dict[str, str] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep:
                raise OptionError(
                    f"option {pair!r} is not ID=VALUE, e.g. AMB-C-11=FAIL_WITH_TOLERANCE"
                )
            values[key.strip()] = value.strip()
        return cls(values)

    def as_dict(self, keys: tuple[OptionId, ...] | None = None) -> dict[str, str]:
        """Every option (or those of ``keys``) with the value in force (for reports)."""
        if keys is None:
            return dict(self._resolved)
        subset = self._subsets.get(keys)
        if subset is None:
            subset = self._subsets[keys] = {key: self.get(key) for key in keys}
        return dict(subset)


DEFAULT_OPTIONS = Options()


def _unknown(option_id: str) -> str:
    return f"unknown option {option_id!r}; known options: {', '.join(OPTION_SPECS)}"


def _validate(option_id: str, value: str) -> None:
    spec = OPTION_SPECS.get(option_id)
    if spec is None:
        raise OptionError(_unknown(option_id))
    if spec.zone:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise OptionError(
                f"option {option_id} takes an IANA time zone such as Europe/Amsterdam; "
                f"got {value!r}"
            ) from None
        return
    if spec.auto and value == AUTO:
        return
    if spec.choices:
        if value not in spec.choices:
            raise OptionError(
                f"option {option_id} takes one of {', '.join(spec.choices)}; got {value!r}"
            )
        return
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise OptionError(
            f"option {option_id} takes {_number_words(spec)}; got {value!r}"
        ) from None
    if not number.is_finite() or number < 0:
        raise OptionError(
            f"option {option_id} takes {_number_words(spec, 'non-negative ')}; got {value!r}"
        )


def _number_words(spec: OptionSpec, kind: str = "") -> str:
    return f"a {kind}number or {AUTO}" if spec.auto else f"a {kind}number"
