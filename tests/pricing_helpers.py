"""Small builders for pricing tests: 2.2.1 tariffs from compact arguments, sessions from
minute offsets."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from harness.generate.tariffs import price_component, tariff_element
from harness.models import model_for
from harness.pricing import Period, PricedTariff, Session, priced_tariff

START = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)  # Monday 10:00 in Amsterdam


pc = price_component
el = tariff_element


def tariff_json(tid: str, *elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A 2.2.1 tariff as JSON."""
    return {
        "country_code": "NL",
        "party_id": "ABC",
        "id": tid,
        "currency": "EUR",
        **extra,
        "elements": list(elements),
        "last_updated": "2024-01-01T00:00:00Z",
    }


def tariff(tid: str, *elements: dict[str, Any], **extra: Any) -> PricedTariff:
    """A 2.2.1 tariff, validated by the model, as the engine reads it."""
    raw = json.dumps(tariff_json(tid, *elements, **extra))
    return priced_tariff(model_for("2.2.1", "tariff").model_validate_json(raw))


def session(
    *periods: tuple[float, dict[str, float]],
    minutes: float,
    tariff_id: str | None = "T",
    start: datetime = START,
    **extra: Any,
) -> Session:
    """A session of periods given as (minute offset, dimension volumes)."""
    starts = [start + timedelta(minutes=offset) for offset, _ in periods]
    end = start + timedelta(minutes=minutes)
    built = tuple(
        Period(
            s,
            starts[i + 1] if i + 1 < len(starts) else end,
            {k: Decimal(repr(v)) for k, v in dims.items()},
            tariff_id,
        )
        for i, (s, (_, dims)) in enumerate(zip(starts, periods, strict=True))
    )
    return Session(start, end, built, **{"time_zone": "Europe/Amsterdam", **extra})
