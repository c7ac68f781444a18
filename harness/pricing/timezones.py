"""The time zone in which a tariff's time and date restrictions are read (AMB-C-05).

2.2+ restrictions are in the location's local time, but a 2.2+ CDR's location carries no time
zone; 2.1.1 says nothing. Under the default LOCATION_TZ the zone comes from the location when the
CDR has it (2.1.1 Location.time_zone, or given by the caller from the Locations module), else from
the country when the whole country keeps one zone, else from option ``time-zone``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

from harness.options import Options

# Countries that keep a single civil time zone, by ISO 3166 alpha-3 (zone_of_country turns an
# alpha-2 code into its alpha-3 one with pycountry). Countries with several zones (US, CA, AU,
# BR, MX, RU, ES with the Canaries, PT with the Azores, ...) are deliberately absent: their zone
# must come from the location or the option.
_SINGLE_ZONE: dict[str, str] = {
    "AUT": "Europe/Vienna",
    "BEL": "Europe/Brussels",
    "BGR": "Europe/Sofia",
    "CHE": "Europe/Zurich",
    "CYP": "Asia/Nicosia",
    "CZE": "Europe/Prague",
    "DEU": "Europe/Berlin",
    "DNK": "Europe/Copenhagen",
    "EST": "Europe/Tallinn",
    "FIN": "Europe/Helsinki",
    "FRA": "Europe/Paris",
    "GBR": "Europe/London",
    "GRC": "Europe/Athens",
    "HRV": "Europe/Zagreb",
    "HUN": "Europe/Budapest",
    "IRL": "Europe/Dublin",
    "ISL": "Atlantic/Reykjavik",
    "ITA": "Europe/Rome",
    "LIE": "Europe/Vaduz",
    "LTU": "Europe/Vilnius",
    "LUX": "Europe/Luxembourg",
    "LVA": "Europe/Riga",
    "MLT": "Europe/Malta",
    "NLD": "Europe/Amsterdam",
    "NOR": "Europe/Oslo",
    "POL": "Europe/Warsaw",
    "ROU": "Europe/Bucharest",
    "SVK": "Europe/Bratislava",
    "SVN": "Europe/Ljubljana",
    "SWE": "Europe/Stockholm",
    "JPN": "Asia/Tokyo",
    "KOR": "Asia/Seoul",
    "SGP": "Asia/Singapore",
    "IND": "Asia/Kolkata",
    "CHN": "Asia/Shanghai",
    "ISR": "Asia/Jerusalem",
    "ZAF": "Africa/Johannesburg",
}


@dataclass(frozen=True, slots=True)
class ResolvedZone:
    """The zone in force and a sentence saying where it came from."""

    zone: tzinfo
    name: str
    source: str


@lru_cache(maxsize=512)
def zone_of_country(country: str | None) -> str | None:
    """The IANA zone of a single-zone country given by alpha-3 or alpha-2 code."""
    if country is None:
        return None
    code = country.upper()
    if len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
        code = found.alpha_3 if found is not None else code
    return _SINGLE_ZONE.get(code)


@lru_cache(maxsize=256)
def load_zone(name: str) -> tzinfo | None:
    """A ZoneInfo by IANA name, or None when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def resolve_zone(time_zone: str | None, country: str | None, options: Options) -> ResolvedZone:
    """The zone of a session per AMB-C-05, from the location's zone and country."""
    return _resolve(
        time_zone,
        country,
        options.is_("AMB-C-05", "UTC"),
        options.is_("AMB-C-05", "CONFIG_TZ"),
        options.get("time-zone"),
    )


@lru_cache(maxsize=1024)
def _resolve(
    time_zone: str | None, country: str | None, utc: bool, config_tz: bool, configured: str
) -> ResolvedZone:
    if utc:
        return ResolvedZone(ZoneInfo("UTC"), "UTC", "UTC (AMB-C-05=UTC)")
    if config_tz:
        return ResolvedZone(
            ZoneInfo(configured), configured, "option time-zone (AMB-C-05=CONFIG_TZ)"
        )
    if time_zone is not None:
        zone = load_zone(time_zone)
        if zone is not None:
            return ResolvedZone(zone, time_zone, "the location's time_zone")
    by_country = zone_of_country(country)
    if by_country is not None:
        return ResolvedZone(ZoneInfo(by_country), by_country, f"the country {country}")
    unknown = f" (its time_zone {time_zone!r} is not an IANA zone)" if time_zone else ""
    return ResolvedZone(
        ZoneInfo(configured),
        configured,
        f"option time-zone: the location's zone is unknown{unknown}",
    )
