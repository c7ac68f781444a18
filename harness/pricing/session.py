"""The facts of a charging session that pricing needs, taken from a CDR of any version.

A CDR reports volumes per charging period, and the CPO starts a new period at every event that
changes the price (C-012). The engine therefore reads each period as one stretch of constant
conditions: its restrictions are evaluated at the period's start.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from harness.models.amounts import to_decimal
from harness.models.base import declared
from harness.models.datetimes import parse_datetime
from harness.versions import version_profile

#: Dimensions a CDR reports whose volume is priced (FLAT is per session).
PRICED_DIMENSIONS = ("ENERGY", "TIME", "PARKING_TIME", "RESERVATION_TIME")
_CHARGING = ("ENERGY", "TIME", "PARKING_TIME")
_ZERO = Decimal(0)


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Period:
    """One charging period: when it starts and ends, its dimension volumes (kWh, hours, A, kW)
    and the tariff it names (2.2+)."""

    start: datetime
    end: datetime
    volumes: dict[str, Decimal]
    tariff_id: str | None = None
    #: A period of reservation: it carries reservation time and nothing of charging.
    is_reservation: bool = field(init=False, compare=False)
    #: A period that carries reservation time and charging (or parking) too: the reservation
    #: ended inside it, a change of price the CPO should have started a new period at (C-012).
    mixes_reservation: bool = field(init=False, compare=False)

    def __post_init__(self) -> None:
        volumes = self.volumes
        reserved = volumes.get("RESERVATION_TIME", _ZERO) > 0
        charging = any(volumes.get(d, _ZERO) for d in _CHARGING)
        object.__setattr__(self, "is_reservation", reserved and not charging)
        object.__setattr__(self, "mixes_reservation", reserved and charging)

    @property
    def charging_from(self) -> datetime:
        """When charging starts in this period: its start, or, in a period that also holds
        reservation time, that much later (the reservation taken to come first, P-009)."""
        if not self.mixes_reservation:
            return self.start
        # Within the period whatever its volume says (a hostile 1e308 h must not overflow)
        span = max((self.end - self.start).total_seconds(), 0.0)
        reserved = min(max(float(self.volumes["RESERVATION_TIME"]) * 3600, 0.0), span)
        return self.start + timedelta(seconds=round(reserved))


# A value: never changed once built (not frozen, for speed: see harness.pricing).
@dataclass(slots=True)
class Session:
    """A session to price: its start and end (UTC), its periods in time order, the token type
    (tariff selection by type), and the location's time zone and country where known."""

    start: datetime
    end: datetime
    periods: tuple[Period, ...]
    token_type: str | None = None
    time_zone: str | None = None
    country: str | None = None
    #: Tariffs named per period (2.2+); False for 2.1.1, which has no ChargingPeriod.tariff_id.
    names_tariffs: bool = True
    notes: tuple[str, ...] = field(default=())

    @property
    def reservation_expired(self) -> bool:
        """A reservation that ended without charging: reservation time and nothing else."""
        return any(p.is_reservation for p in self.periods) and all(
            p.is_reservation or not any(p.volumes.get(d, Decimal(0)) for d in _CHARGING)
            for p in self.periods
        )

    @property
    def charging_start(self) -> datetime:
        """When charging starts: in the first period that is not reservation alone, after
        the reservation time it may also hold (the session proper)."""
        for period in self.periods:
            if not period.is_reservation:
                return period.charging_from
        return self.start


def session_from_cdr(cdr: Any, version: str) -> Session:
    """The session a validated CDR model of ``version`` describes."""
    profile = version_profile(version)
    start = parse_datetime(cdr.start_date_time)
    end = parse_datetime(getattr(cdr, profile.end_field))
    starts = [parse_datetime(p.start_date_time) for p in cdr.charging_periods]
    periods = []
    for i, raw in enumerate(cdr.charging_periods):
        volumes: dict[str, Decimal] = {}
        for dim in raw.dimensions:
            kind = dim.type._value_  # (_value_: a plain attribute, unlike .value)
            volume = to_decimal(dim.volume)
            volumes[kind] = volume if kind not in volumes else volumes[kind] + volume
        period_end = starts[i + 1] if i + 1 < len(starts) else max(end, starts[i])
        periods.append(Period(starts[i], period_end, volumes, declared(raw, "tariff_id")))
    location = getattr(cdr, profile.location_field)
    token_type = None
    if profile.token_types:
        kind = getattr(cdr, profile.token_field).type
        token_type = str(getattr(kind, "value", kind))
    return Session(
        start,
        end,
        tuple(periods),
        token_type=token_type,
        time_zone=location.time_zone if profile.location_time_zone else None,
        country=location.country,
        names_tariffs=profile.period_tariff_ids,
    )


def with_time_zone(session: Session, time_zone: str | None) -> Session:
    """The session with the location's time zone known from elsewhere (the Locations module);
    unchanged when ``time_zone`` is None."""
    return session if time_zone is None else replace(session, time_zone=time_zone)


def negated_volumes(session: Session) -> Session:
    """The session with every priced volume's sign flipped (a credit CDR that negates its
    volumes, AMB-C-10=NEGATE_COSTS_AND_VOLUMES, credits the session with these)."""
    periods = tuple(
        Period(
            p.start,
            p.end,
            {k: -v if k in PRICED_DIMENSIONS else v for k, v in p.volumes.items()},
            p.tariff_id,
        )
        for p in session.periods
    )
    return replace(session, periods=periods)
