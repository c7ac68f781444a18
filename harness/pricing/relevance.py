"""Which pricing policies can change the price of a given session under given tariffs.

Used to explain a drift (re-pricing under each alternative policy is costly, so only the
policies that can matter are tried) and to say in a report which ambiguities a CDR touches.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.options import OptionId
from harness.pricing.session import Session
from harness.pricing.tariffs import PricedTariff, Restrictions, TaxMode


def _restrictions(tariffs: Sequence[PricedTariff]) -> list[Restrictions]:
    return [e.restrictions for t in tariffs for e in t.elements]


def relevant_options(tariffs: Sequence[PricedTariff], session: Session) -> tuple[OptionId, ...]:
    """The pricing option ids whose value can change this session's price."""
    restrictions = _restrictions(tariffs)
    components = [c for t in tariffs for e in t.elements for c in e.components]
    untagged = any(p.tariff_id is None for p in session.periods)
    negative_volume = any(v < 0 for p in session.periods for v in p.volumes.values())
    reservation = any(p.is_reservation for p in session.periods)
    relevant: dict[OptionId, bool] = {
        "AMB-C-01": any(len(t.elements) > 1 for t in tariffs),
        "AMB-C-02": any(c.step_size > 1 and c.type != "FLAT" for c in components),
        "AMB-C-03": any(c.type == "FLAT" for c in components) and len(session.periods) > 1,
        "AMB-C-04": any(c.step_size <= 0 and c.type != "FLAT" for c in components),
        "AMB-C-05": any(r.has_time_of_day or r.start_date or r.days for r in restrictions),
        "AMB-C-06": any(r.has_time_of_day for r in restrictions),
        "AMB-C-07": any(r.has_time_of_day and (r.start_date or r.end_date) for r in restrictions),
        "AMB-C-08": True,
        "AMB-C-19": negative_volume or any(c.price < 0 for c in components),
        "AMB-C-20": untagged and any(t.valid_from or t.valid_until for t in tariffs),
        "AMB-C-21": any(t.min_price or t.max_price for t in tariffs),
        "AMB-C-23": any(
            r.min_power is not None
            or r.max_power is not None
            or r.min_current is not None
            or r.max_current is not None
            for r in restrictions
        ),
        "AMB-C-25": reservation
        and any(r.min_duration is not None or r.max_duration is not None for r in restrictions),
        "missing-tariff-id": untagged and session.names_tariffs,
        "missing-vat": any(
            t.tax_mode is TaxMode.EXCLUDED and c.vat is None
            for t in tariffs
            for e in t.elements
            for c in e.components
        ),
    }
    return tuple(option for option, matters in relevant.items() if matters)
