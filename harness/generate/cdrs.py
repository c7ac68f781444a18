"""From a profile and a seed to CDRs and tariffs of any version, priced by the cost oracle.

``CdrGenerator(seed, profile, version).cdr(i)`` is the i-th CDR of a stream: a function of the
seed, the profile and ``i`` alone (its own random source), so streams are reproducible, can be
cut anywhere and generated in parallel. Tariffs come from a small per-country pool, as a CPO
publishes a few tariffs for many sessions.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache
from random import Random
from typing import Any

from harness.generate.countries import COUNTRIES, Country
from harness.generate.profiles import Profile, get_profile
from harness.generate.render import ascii_text, cdr_230, tariff_211, tariff_230
from harness.generate.tariffs import make_tariffs
from harness.generate.timeline import REFERENCE, Segment, cut, segments, session_start
from harness.models import model_for, models_for
from harness.pricing import (
    GROUP_FIELDS,
    Cost,
    Period,
    PricedTariff,
    Pricing,
    Session,
    price_session,
    priced_tariff,
)
from harness.pricing.boundaries import boundary_instants
from harness.pricing.timezones import load_zone
from harness.versions import (
    DEFAULT_VERSION,
    SUPPORTED_VERSIONS,
    Version,
    VersionProfile,
    parse_version,
    version_profile,
)

_PLANS = 3  # tariffs a CPO publishes per country and profile
_FOUR = Decimal("0.0001")
_SIX = Decimal("0.000001")
_WH = Decimal("0.001")
_AC = (("AC_3_PHASE", 11.0, 16), ("AC_3_PHASE", 22.0, 32), ("AC_1_PHASE", 7.4, 32))
_DC = (("IEC_62196_T2_COMBO", 50.0), ("IEC_62196_T2_COMBO", 150.0), ("CHADEMO", 50.0),
       ("IEC_62196_T2_COMBO", 300.0))  # fmt: skip
_TOKENS = (("RFID", "WHITELIST"), ("RFID", "AUTH_REQUEST"), ("APP_USER", "COMMAND"),
           ("AD_HOC_USER", "AUTH_REQUEST"), ("OTHER", "AUTH_REQUEST"))  # fmt: skip
_LONG = "Ladestation Müller–Straße · Ærøskøbing Łódź Göteborg Señora "
#: Tariffs and CDRs are built in this version's shape, then rendered in the others.
_BUILT_AS: Version = "2.2.1"
#: The dimension types a CDR of each version may report (2.1.1 has no MAX_POWER).
_CDR_DIMENSIONS = {
    v: frozenset(d.value for d in models_for(v).CdrDimensionType) for v in SUPPORTED_VERSIONS
}


def _iso(instant: datetime) -> str:
    """An OCPI DateTime of a whole-second UTC instant (isoformat is faster than strftime)."""
    return instant.replace(tzinfo=None).isoformat() + "Z"


def _dec(value: float, quantum: Decimal) -> Decimal:
    return Decimal(repr(value)).quantize(quantum, ROUND_HALF_UP)


def _fill(text: str, length: int) -> str:
    """``text`` repeated and cut to exactly ``length`` characters."""
    return (text * (length // max(len(text), 1) + 1))[:length]


def _postal(rng: Random, pattern: str) -> str:
    return "".join(
        str(rng.randrange(10)) if c == "#" else chr(65 + rng.randrange(26)) if c == "?" else c
        for c in pattern
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    """A tariff of the pool: 2.2.1 JSON, and per version the rendered JSON and the engine's
    view of it."""

    tariffs: list[dict[str, Any]]
    rendered: dict[Version, list[dict[str, Any]]]
    priced: dict[Version, list[PricedTariff]]


def _render_tariff(tariff: dict[str, Any], version: str, vat: str) -> dict[str, Any]:
    profile = version_profile(version)
    if profile.money_shape == "number":
        return tariff_211(tariff)
    if profile.tax_shape == "taxes":
        return tariff_230(tariff, "N/A" if vat == "none" else "NO")
    return tariff


@lru_cache(maxsize=512)
def _plan(seed: str, profile_name: str, alpha2: str, plan: int) -> _Plan:
    """One tariff of the pool (cached: validated and converted once per run)."""
    profile = get_profile(profile_name)
    country = COUNTRIES[alpha2]
    rng = Random(f"{seed}/{profile_name}/tariff/{alpha2}/{plan}")
    party = country.parties[plan % len(country.parties)]
    tariff_id = f"{profile_name[:12].upper()}-{alpha2}-{plan + 1}"
    updated = _iso(REFERENCE - timedelta(days=30 + plan))
    tariffs = make_tariffs(
        rng, country, party, profile.tariff, profile.vat, profile.charger, tariff_id, updated
    )
    rendered = {v: [_render_tariff(t, v, profile.vat) for t in tariffs] for v in SUPPORTED_VERSIONS}
    priced = {
        v: [priced_tariff(model_for(v, "tariff").model_validate_json(json.dumps(t))) for t in ts]
        for v, ts in rendered.items()
    }
    return _Plan(tariffs, rendered, priced)


class CdrGenerator:
    """CDRs and tariffs of one profile in one version, from one seed."""

    def __init__(
        self, seed: int | str, profile: str | Profile = "default", version: str = DEFAULT_VERSION
    ):
        self.profile = profile if isinstance(profile, Profile) else get_profile(profile)
        version = parse_version(version)
        if version not in self.profile.versions:
            raise ValueError(
                f"profile {self.profile.name!r} needs OCPI {' or '.join(self.profile.versions)}: "
                f"{version} has no {self.profile.summary[:1].lower()}{self.profile.summary[1:]}"
            )
        self.seed = str(seed)
        self.version = version
        homes = sorted(COUNTRIES)
        if self.profile.currency == "non-eur":
            homes = [c for c in homes if COUNTRIES[c].currency != "EUR"]
        self.countries = homes

    def rng(self, kind: str, index: int) -> Random:
        """The random source of item ``index`` (independent of every other item)."""
        return Random(f"{self.seed}/{self.profile.name}/{kind}/{index}")

    def tariff(self, index: int) -> dict[str, Any]:
        """The ``index``-th tariff of the stream: one of the pool, in this version."""
        rng = self.rng("tariff", index)
        plan = _plan(
            self.seed, self.profile.name, rng.choice(self.countries), rng.randrange(_PLANS)
        )
        return plan.rendered[self.version][rng.randrange(len(plan.tariffs))]

    def cdr(self, index: int) -> dict[str, Any]:
        """The ``index``-th CDR of the stream, its totals priced by the cost oracle."""
        rng = self.rng("cdr", index)
        country = COUNTRIES[rng.choice(self.countries)]
        plan = _plan(self.seed, self.profile.name, country.alpha2, rng.randrange(_PLANS))
        builder = _CdrBuilder(rng, self.profile, self.version, country, plan)
        return builder.build()


class _CdrBuilder:
    """Builds one CDR: the random draws, the session, the pricing, the JSON."""

    def __init__(
        self, rng: Random, profile: Profile, version: Version, country: Country, plan: _Plan
    ) -> None:
        self.rng = rng
        self.profile = profile
        self.version = version
        self.rules: VersionProfile = version_profile(version)
        self.country = country
        self.plan = plan
        self.tariffs = plan.tariffs
        self.party = plan.tariffs[0]["party_id"]
        self.long = profile.strings == "max-length"
        zone = load_zone(country.time_zone)
        assert zone is not None
        self.zone = zone
        self.connector: dict[str, Any] = {}

    def text(self, value: str) -> str:
        """A string as the version allows it (ASCII in 2.1.1)."""
        return ascii_text(value) if self.rules.ascii_strings else value

    def fill(self, value: str, length: int) -> str:
        """A string of the maximum ``length`` the field allows, in the version's characters."""
        return _fill(self.text(value), length)

    # -- the session ----------------------------------------------------------------------------

    def charger(self) -> dict[str, Any]:
        rng = self.rng
        if self.profile.charger == "dc":
            standard, kw = rng.choice(_DC)
            return {"standard": standard, "format": "CABLE", "power_type": "DC", "kw": kw,
                    "voltage": 400, "amperage": int(kw * 1000 / 400)}  # fmt: skip
        power_type, kw, amperage = rng.choice(_AC)
        plug = rng.choice(("SOCKET", "CABLE"))
        return {"standard": "IEC_62196_T2", "format": plug, "power_type": power_type,
                "kw": kw, "voltage": 230, "amperage": amperage}  # fmt: skip

    def session_parts(self, kw: float) -> list[Segment]:
        car = self.rng.uniform(40.0, 250.0) if self.profile.charger == "dc" else 11.0
        power = round(min(kw, car) * self.rng.uniform(0.85, 0.97), 2)
        start = session_start(self.rng, self.profile, self.zone)
        parts = segments(self.rng, self.profile, start, power)
        charging = next((p.start for p in parts if p.kind != "reservation"), parts[0].start)
        instants = boundary_instants(
            self.plan.priced[_BUILT_AS], parts[0].start, parts[-1].end, self.zone, charging
        )
        return cut(parts, instants)

    def periods(self, parts: list[Segment], current_factor: float) -> list[Period]:
        """The periods of the session's parts. Volumes are written as a meter register reads:
        each is the difference of two running totals, so a dimension's volumes add up to its
        total as written. Time totals are whole seconds written in hours to 6 decimals rounded
        down, energy totals kWh to whole Wh: no total ever lies a rounding's width above a
        step boundary, and the totals priced are the same under any slack below 1 s / 1 Wh,
        exactly as written included (issue 16)."""
        out = []
        seconds: dict[str, int] = {}
        written: dict[str, Decimal] = {}
        energy_so_far = Decimal(0)
        energy_written = Decimal(0)

        def hours_of(kind: str, part: Segment) -> Decimal:
            seconds[kind] = seconds.get(kind, 0) + round((part.end - part.start).total_seconds())
            total = (Decimal(seconds[kind]) / 3600).quantize(_SIX, ROUND_FLOOR)
            hours = total - written.get(kind, Decimal(0))
            written[kind] = total
            return hours

        for part in parts:
            volumes: dict[str, Decimal]
            if part.kind == "charging":
                hours = hours_of("TIME", part)
                elapsed = Decimal(round((part.end - part.start).total_seconds()))
                energy_so_far += Decimal(repr(part.power)) * elapsed / 3600
                total = energy_so_far.quantize(_WH, ROUND_HALF_UP)
                energy, energy_written = total - energy_written, total
                volumes = {"ENERGY": energy, "TIME": hours}
                if part.power:
                    if "MAX_POWER" in _CDR_DIMENSIONS[self.version]:
                        volumes["MAX_POWER"] = _dec(part.power, Decimal("0.01"))
                    volumes["MAX_CURRENT"] = _dec(part.power * current_factor, Decimal("0.1"))
            elif part.kind == "parking":
                volumes = {"PARKING_TIME": hours_of("PARKING_TIME", part)}
            else:
                volumes = {"RESERVATION_TIME": hours_of("RESERVATION_TIME", part)}
            last = len(self.tariffs) > 1 and part.kind == "parking"
            tariff_id = self.tariffs[-1 if last else 0]["id"]
            out.append(Period(part.start, part.end, volumes, tariff_id))
        return out

    # -- the CDR --------------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        rng = self.rng
        charger = self.connector = self.charger()
        factor = 1000 / (charger["voltage"] * (3 if charger["power_type"] == "AC_3_PHASE" else 1))
        parts = self.session_parts(charger["kw"])
        periods = self.periods(parts, factor)
        token_type, auth_method = rng.choice(_TOKENS)
        start, end = parts[0].start, parts[-1].end
        session = Session(
            start,
            end,
            tuple(periods),
            token_type=token_type if self.rules.token_types else None,
            time_zone=self.country.time_zone if self.rules.location_time_zone else None,
            country=self.country.alpha3,
            names_tariffs=self.rules.period_tariff_ids,
        )
        pricing = price_session(self.plan.priced[self.version], session)
        cdr_id = f"CDR-{rng.getrandbits(48):012X}"
        if self.long:
            cdr_id = _fill(cdr_id + "-", 36)
        location = self.location(charger)
        token = self.token(token_type)
        if self.rules.location_field == "location":  # a full Location: the 2.1.1 shape
            cdr = self.cdr_211(cdr_id, start, end, periods, pricing, location, token, auth_method)
        else:
            cdr = self.cdr_22(cdr_id, start, end, periods, pricing, location, token, auth_method)
            if self.profile.credit:
                cdr = _credit_of(cdr)
            if self.rules.tax_shape == "taxes":
                cdr = cdr_230(cdr)
                cdr["tariffs"] = self.plan.rendered[self.version]
                if self.profile.vat == "none":
                    for key in [k for k in cdr if k.startswith("total_") and k.endswith("cost")]:
                        cdr[key].pop("taxes", None)
        if self.profile.every_optional:
            cdr = _every_optional(cdr, self.rules.location_field == "location")
        return cdr

    def location(self, charger: dict[str, Any]) -> dict[str, Any]:
        rng, country = self.rng, self.country
        city = rng.choice(country.cities)
        street = rng.choice(country.streets)
        address = f"{street} {rng.randrange(1, 200)}"
        name = f"{street} {city.name}"
        evse_number = rng.randrange(1, 99999)
        out = {
            "id": f"LOC-{country.alpha2}-{rng.randrange(1, 10**6):06d}",
            "name": self.fill(_LONG, 255) if self.long else self.text(name),
            "address": self.fill(address + " · ", 45) if self.long else self.text(address),
            "city": self.fill(city.name + " – Zentrum ", 45) if self.long else self.text(city.name),
            "postal_code": _postal(rng, city.postal),
            "latitude": f"{city.latitude + rng.uniform(-0.03, 0.03):.6f}",
            "longitude": f"{city.longitude + rng.uniform(-0.03, 0.03):.6f}",
            "evse_uid": f"EVSE-{evse_number}",
            "evse_id": f"{country.alpha2}*{self.party}*E{evse_number:05d}*1",
            "connector_id": str(rng.randrange(1, 3)),
        }
        if self.long:
            out["postal_code"] = _fill(out["postal_code"], 10)
            out["evse_uid"] = _fill(out["evse_uid"] + "-", 36)
            out["evse_id"] = _fill(out["evse_id"] + "0", 48)
            out["connector_id"] = _fill("C", 36)
        return out

    def token(self, token_type: str) -> dict[str, Any]:
        rng = self.rng
        emsp = rng.choice(sorted(COUNTRIES))
        party = rng.choice(COUNTRIES[emsp].parties)
        uid = f"{rng.getrandbits(56):014X}"
        contract = f"{emsp}-{party}-C{rng.getrandbits(32):08X}"
        if self.long:
            uid, contract = _fill(uid, 36), _fill(contract + "0", 36)
        return {"country_code": emsp, "party_id": party, "uid": uid, "type": token_type,
                "contract_id": contract}  # fmt: skip

    def money(self, cost: Cost, sign: int = 1) -> dict[str, float]:
        excl = cost.excl if cost.excl is not None else Decimal(0)
        out = {"excl_vat": float(sign * excl.quantize(_FOUR, ROUND_HALF_UP))}
        if cost.incl is not None and self.profile.vat != "none":
            out["incl_vat"] = float(sign * cost.incl.quantize(_FOUR, ROUND_HALF_UP))
        return out

    def period_json(self, period: Period, with_tariff: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"start_date_time": _iso(period.start)}
        if with_tariff:
            out["tariff_id"] = period.tariff_id
        out["dimensions"] = [
            {"type": kind, "volume": float(volume)} for kind, volume in period.volumes.items()
        ]
        return out

    def totals(self, periods: list[Period], start: datetime, end: datetime) -> dict[str, float]:
        energy = sum((p.volumes.get("ENERGY", Decimal(0)) for p in periods), Decimal(0))
        parking = sum((p.volumes.get("PARKING_TIME", Decimal(0)) for p in periods), Decimal(0))
        hours = Decimal((end - start).total_seconds()) / 3600
        return {
            "total_energy": float(energy),
            "total_time": float(hours.quantize(_SIX, ROUND_HALF_UP)),
            "total_parking_time": float(parking),
        }

    def cdr_22(
        self,
        cdr_id: str,
        start: datetime,
        end: datetime,
        periods: list[Period],
        pricing: Pricing,
        location: dict[str, Any],
        token: dict[str, Any],
        auth_method: str,
    ) -> dict[str, Any]:
        rng = self.rng
        charger_location = {
            "id": location["id"],
            "name": location["name"],
            "address": location["address"],
            "city": location["city"],
            "postal_code": location["postal_code"],
            "country": self.country.alpha3,
            "coordinates": {"latitude": location["latitude"], "longitude": location["longitude"]},
            "evse_uid": location["evse_uid"],
            "evse_id": location["evse_id"],
            "connector_id": location["connector_id"],
        }
        charger_location.update(
            {
                "connector_standard": self.connector["standard"],
                "connector_format": self.connector["format"],
                "connector_power_type": self.connector["power_type"],
            }
        )
        used = {line.group for line in pricing.lines if line.element is not None}
        totals = self.totals(periods, start, end)
        cdr: dict[str, Any] = {
            "country_code": self.country.alpha2,
            "party_id": self.party,
            "id": cdr_id,
            "start_date_time": _iso(start),
            "end_date_time": _iso(end),
            "session_id": _fill(f"SES-{cdr_id}-", 36) if self.long else f"SES-{cdr_id[4:]}",
            "cdr_token": token,
            "auth_method": auth_method,
            "cdr_location": charger_location,
            "currency": self.country.currency,
            "tariffs": self.plan.rendered[_BUILT_AS],  # 2.3.0: converted with the whole CDR
            "charging_periods": [self.period_json(p, True) for p in periods],
        }
        if self.long or rng.random() < 0.5:
            cdr["meter_id"] = _fill(_LONG, 255) if self.long else f"MTR-{rng.getrandbits(32):08X}"
        if self.profile.signed:
            cdr["signed_data"] = self.signed_data(totals["total_energy"])
        cdr["total_cost"] = self.money(pricing.total)
        for group, field in GROUP_FIELDS.items():
            if group in used:
                cdr[field] = self.money(pricing.subtotals[group])
        cdr["total_energy"] = totals["total_energy"]
        cdr["total_time"] = totals["total_time"]
        cdr["total_parking_time"] = totals["total_parking_time"]
        if self.long:
            cdr["remark"] = _fill(_LONG, 255)
            cdr["authorization_reference"] = _fill("AUTH-", 36)
            cdr["invoice_reference_id"] = _fill("INV-", 39)
        cdr["last_updated"] = _iso(end + timedelta(seconds=rng.randrange(30, 900)))
        return _ordered(cdr)

    def cdr_211(
        self,
        cdr_id: str,
        start: datetime,
        end: datetime,
        periods: list[Period],
        pricing: Pricing,
        location: dict[str, Any],
        token: dict[str, Any],
        auth_method: str,
    ) -> dict[str, Any]:
        rng = self.rng
        updated = _iso(REFERENCE - timedelta(days=60))
        connector = {
            "id": location["connector_id"],
            "standard": self.connector["standard"],
            "format": self.connector["format"],
            "power_type": self.connector["power_type"],
            "voltage": self.connector["voltage"],
            "amperage": self.connector["amperage"],
            "tariff_id": self.tariffs[0]["id"],
            "last_updated": updated,
        }
        evse = {
            "uid": location["evse_uid"],
            "evse_id": location["evse_id"].replace("*", "-"),
            "status": "AVAILABLE",
            "connectors": [connector],
            "last_updated": updated,
        }
        cdr: dict[str, Any] = {
            "id": cdr_id,
            "start_date_time": _iso(start),
            "stop_date_time": _iso(end),
            "auth_id": token["contract_id"],
            "auth_method": "WHITELIST" if auth_method == "WHITELIST" else "AUTH_REQUEST",
            "location": {
                "id": location["id"],
                "type": rng.choice(("ON_STREET", "PARKING_LOT", "PARKING_GARAGE")),
                "name": location["name"],
                "address": location["address"],
                "city": location["city"],
                "postal_code": location["postal_code"],
                "country": self.country.alpha3,
                "coordinates": {
                    "latitude": location["latitude"],
                    "longitude": location["longitude"],
                },
                "evses": [evse],
                "time_zone": self.country.time_zone,
                "last_updated": updated,
            },
            "currency": self.country.currency,
            "tariffs": self.plan.rendered[self.version],
            "charging_periods": [self.period_json(p, False) for p in periods],
            "total_cost": self.money(pricing.total)["excl_vat"],
            **self.totals(periods, start, end),
        }
        if self.long:
            cdr["meter_id"] = self.fill(_LONG, 255)
            cdr["remark"] = self.fill(_LONG, 255)
        cdr["last_updated"] = _iso(end + timedelta(seconds=rng.randrange(30, 900)))
        return cdr

    def signed_data(self, energy: float) -> dict[str, Any]:
        """OCMF-style signed meter values at the start and end of the session."""
        rng = self.rng
        start = round(rng.uniform(1000.0, 90000.0), 3)

        def blob(size: int) -> str:
            return base64.b64encode(rng.getrandbits(size * 8).to_bytes(size, "big")).decode()

        values = [
            ("Start", start),
            ("End", round(start + energy, 3)),
        ]
        return {
            "encoding_method": "OCMF",
            "encoding_method_version": 1,
            "public_key": blob(88),
            "signed_values": [
                {
                    "nature": nature,
                    "plain_data": f'OCMF|{{"RD":[{{"RV":{reading},"RU":"kWh"}}]}}',
                    "signed_data": blob(71),
                }
                for nature, reading in values
            ],
        }


# An energy mix with every optional part (its sources and environmental impact)
_ENERGY_MIX = {
    "is_green_energy": False,
    "energy_sources": [
        {"source": "GENERAL_GREEN", "percentage": 35.9},
        {"source": "GAS", "percentage": 64.1},
    ],
    "environ_impact": [
        {"category": "CARBON_DIOXIDE", "amount": 372.0},
        {"category": "NUCLEAR_WASTE", "amount": 0.0006},
    ],
    "supplier_name": "Example Energy",
    "energy_product_name": "Example Mix",
}
# 2.1.1 names an environmental impact's category "source"
_ENERGY_MIX_211 = {
    **_ENERGY_MIX,
    "environ_impact": [
        {"source": i["category"], "amount": i["amount"]}
        for i in _ENERGY_MIX["environ_impact"]  # type: ignore[attr-defined]
    ],
}
_SUBTOTALS = ("total_fixed_cost", "total_energy_cost", "total_time_cost", "total_parking_cost",
              "total_reservation_cost")  # fmt: skip


def _zeroed(value: Any) -> Any:
    """``value`` (a price in its version's shape) with every amount 0."""
    if isinstance(value, dict):
        return {k: _zeroed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_zeroed(v) for v in value]
    return 0.0 if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _every_optional(cdr: dict[str, Any], v211: bool) -> dict[str, Any]:
    """``cdr`` with every optional field of its own, and of its tariffs, that leaves its price
    as it is (profile every-optional-field): what a receiver must store and serve back whole.
    Left out: what prices (tariff restrictions, min/max price), what only a credit CDR has,
    and the optional parts of the 2.1.1 embedded Location and of 2.3.0 tax lines."""
    out = dict(cdr)
    out.setdefault("meter_id", "MTR-0000A1B2")
    out.setdefault("remark", "Every optional field, for the receiver's round trip")
    tariffs = []
    for tariff in out.get("tariffs") or []:
        tariff = dict(tariff)
        tariff.setdefault("tariff_alt_text", [{"language": "en", "text": "See the tariff page"}])
        tariff.setdefault("tariff_alt_url", f"https://example.com/tariffs/{tariff.get('id')}")
        tariff.setdefault("energy_mix", _ENERGY_MIX_211 if v211 else _ENERGY_MIX)
        if not v211:
            tariff.setdefault("type", "REGULAR")
            tariff.setdefault("start_date_time", "2000-01-01T00:00:00Z")
            tariff.setdefault("end_date_time", "2100-01-01T00:00:00Z")
        tariffs.append(tariff)
    if tariffs:
        out["tariffs"] = tariffs
    if v211:
        return out
    out.setdefault("authorization_reference", "AUTH-0001-EVERY-FIELD")
    out.setdefault("invoice_reference_id", "INV-0001-EVERY-FIELD")
    out.setdefault("home_charging_compensation", False)
    out["cdr_location"] = {"state": "Noord-Holland", **out["cdr_location"]}
    if "signed_data" in out:
        out["signed_data"] = {"url": f"https://example.com/ocmf/{out['id']}", **out["signed_data"]}
    for field in _SUBTOTALS:
        out.setdefault(field, _zeroed(out["total_cost"]))
    return _ordered(out)


def _credit_of(cdr: dict[str, Any]) -> dict[str, Any]:
    """The credit CDR of ``cdr`` (C-006): a new id, credit, the reference, costs negated
    (AMB-C-10 default: every cost amount)."""
    out = dict(cdr)
    out["id"] = f"{cdr['id']}-C"
    for key, value in cdr.items():
        if key.startswith("total_") and key.endswith("_cost"):
            out[key] = {k: -v if v else 0.0 for k, v in value.items()}
    out["credit"] = True
    out["credit_reference_id"] = cdr["id"]
    return _ordered(out)


# The order of the spec's field tables, so that generated CDRs read like the spec's examples.
_ORDER = (
    "country_code", "party_id", "id", "start_date_time", "end_date_time", "session_id",
    "cdr_token", "auth_method", "authorization_reference", "cdr_location", "meter_id",
    "currency", "tariffs", "charging_periods", "signed_data", "total_cost", "total_fixed_cost",
    "total_energy", "total_energy_cost", "total_time", "total_time_cost", "total_parking_time",
    "total_parking_cost", "total_reservation_cost", "remark", "invoice_reference_id", "credit",
    "credit_reference_id", "home_charging_compensation", "last_updated",
)  # fmt: skip


def _ordered(cdr: dict[str, Any]) -> dict[str, Any]:
    return {key: cdr[key] for key in _ORDER if key in cdr}
