"""Values that must come from a code list or a range: ISO 4217 currencies, ISO 3166-1
countries, ISO 639-1 languages, IANA time zones, coordinates on the globe, and ``#NA`` as an
EVSE or connector id only where the spec allows it.

The schemas check the form (three upper-case letters, six decimals); these checks check the
value. The lists come from maintained sources, never typed here: ``pycountry`` (the ISO
data of the Debian iso-codes project) for ISO 3166-1, ISO 4217 and ISO 639; Babel's copy of
Unicode CLDR for what the ISO lists of today do not say: until when a withdrawn currency was
legal tender (a 2024 CDR in BGN is right, Bulgaria took the euro in 2026) and which language
codes were renamed (``iw`` is ``he``); and the IANA time zone database that ``zoneinfo`` reads
(the OS's, or the ``tzdata`` package's).

The same checks serve CDRs and tariffs (a tariff embedded in a CDR is checked as a tariff).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import pycountry

from harness.checks.context import CheckContext
from harness.checks.registry import check
from harness.findings import Finding, Level
from harness.models.base import declared
from harness.models.datetimes import parse_datetime

# Kosovo's code is user-assigned in ISO 3166-1, so iso-codes lists it in neither table; the
# European Commission, Unicode CLDR and the EV roaming platforms use it all the same.
_USER_ASSIGNED_IN_USE = {"alpha_2": "XK", "alpha_3": "XKX"}
_NA = "#NA"
_LOCATION_IDS = ("evse_uid", "evse_id", "connector_id")


@cache
def _countries(alphabet: str) -> frozenset[str]:
    codes = {getattr(country, alphabet) for country in pycountry.countries}
    return frozenset(codes | {_USER_ASSIGNED_IN_USE[alphabet]})


@cache
def _withdrawn(alphabet: str) -> frozenset[str]:
    return frozenset(
        getattr(country, alphabet, "") for country in pycountry.historic_countries
    ) - _countries(alphabet)


@cache
def _currencies() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


@cache
def _tender_spans() -> dict[str, tuple[tuple[date | None, date | None], ...]]:
    """Per currency code, the spans in which it was legal tender somewhere (CLDR)."""
    from babel.core import get_global

    spans: dict[str, list[tuple[date | None, date | None]]] = {}
    for entries in get_global("territory_currencies").values():
        for code, start, end, tender in entries:
            if tender:
                spans.setdefault(code, []).append(
                    (None if start is None else date(*start), None if end is None else date(*end))
                )
    return {code: tuple(found) for code, found in spans.items()}


@cache
def _renamed_languages() -> dict[str, str]:
    """Withdrawn ISO 639-1 codes and the codes that replaced them (CLDR's aliases)."""
    from babel.core import get_global

    aliases: Mapping[str, str] = get_global("language_aliases")
    return {old: new for old, new in aliases.items() if len(old) == 2 and len(new) == 2}


@cache
def _languages() -> frozenset[str]:
    return frozenset(
        language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2")
    )


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _country_problem(code: str, alphabet: str) -> str | None:
    """Why ``code`` is no ISO 3166-1 code of ``alphabet`` (alpha_2 or alpha_3), or None."""
    upper = code.upper()
    if upper in _countries(alphabet):
        return None
    standard = f"ISO 3166-1 {alphabet.replace('_', '-')}"
    if upper in _withdrawn(alphabet):
        return f"{code!r} is a withdrawn {standard} code (ISO 3166-3): no country has it now"
    return f"{code!r} is not an {standard} country code"


@check(requirements=("C-017",), needs=("well-formed fields",))
def check_currency_code(obj: Any, ctx: CheckContext) -> Iterator[Finding]:
    """The currency of a CDR or tariff is an ISO 4217 code, not only three letters, in use
    when the object was made: a withdrawn one is right for a session before its withdrawal
    (C-017)."""
    currency = obj.currency
    if currency in _currencies():
        return
    spans = _tender_spans().get(currency)
    if spans is None:
        message = (
            f"currency {currency!r} is not an ISO 4217 currency code: no amount of this object "
            "can be billed in it"
        )
    else:
        on = _dated(obj)
        if any((a is None or a <= on) and (b is None or on < b) for a, b in spans):
            return
        until = max(b for _, b in spans if b is not None)
        message = (
            f"currency {currency!r} was withdrawn from ISO 4217: no country's legal tender "
            f"after {until} (CLDR), and this object is of {on}"
        )
    yield ctx.finding(
        "C-017",
        Level.ERROR,
        message,
        ("currency",),
        expected="an ISO 4217 code such as EUR",
        seen=currency,
    )


def _dated(obj: Any) -> date:
    """The day an object speaks of: its session's or validity's start, else its last update,
    else today (a form that names no instant is the schema's finding)."""
    for name in ("start_date_time", "last_updated"):
        value = declared(obj, name)
        if isinstance(value, str):
            try:
                return parse_datetime(value).date()
            except ValueError:
                continue
    return datetime.now(timezone.utc).date()


@check(requirements=("T-TYPE-08",), needs=("well-formed fields",))
def check_party_country_codes(obj: Any, ctx: CheckContext) -> Iterator[Finding]:
    """A party's country_code (of the CDR or tariff owner, and of the token's eMSP) is an
    ISO 3166-1 alpha-2 code (T-TYPE-08)."""
    places: list[tuple[tuple[str, ...], Any]] = [(("country_code",), declared(obj, "country_code"))]
    token = declared(obj, "cdr_token")
    if token is not None:
        places.append((("cdr_token", "country_code"), token.country_code))
    for loc, code in places:
        problem = None if code is None else _country_problem(code, "alpha_2")
        if problem is not None:
            yield ctx.finding(
                "T-TYPE-08",
                Level.ERROR,
                f"{'.'.join(loc)} {problem}",
                loc,
                expected="ISO 3166-1 alpha-2",
                seen=code,
            )


@check(requirements=("T-TYPE-07",), needs=("well-formed fields",))
def check_languages(obj: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Every DisplayText's language is an ISO 639-1 code (T-TYPE-07): a tariff's alternative
    text and, in 2.1.1, the directions and names of the CDR's location."""
    for loc, text in _display_texts(obj):
        language = text.language
        if language.lower() in _languages():
            continue
        renamed = _renamed_languages().get(language.lower())
        if renamed is not None:
            yield ctx.finding(
                "T-TYPE-07",
                Level.WARNING,
                f"language {language!r} of {'.'.join(str(p) for p in loc[:-1])} is the "
                f"withdrawn ISO 639-1 code of {renamed!r}: readers that know only today's "
                f"codes will not recognise it",
                loc,
                expected=renamed,
                seen=language,
            )
            continue
        yield ctx.finding(
            "T-TYPE-07",
            Level.ERROR,
            f"language {language!r} of {'.'.join(str(p) for p in loc[:-1])} is not an "
            "ISO 639-1 language code",
            loc,
            expected="ISO 639-1, such as en",
            seen=language,
        )


def _display_texts(obj: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    for i, text in enumerate(declared(obj, "tariff_alt_text") or ()):
        yield ("tariff_alt_text", i, "language"), text
    location = declared(obj, "location")  # 2.1.1 CDRs embed a whole Location
    if location is None:
        return
    for i, text in enumerate(location.directions or ()):
        yield ("location", "directions", i, "language"), text
    for i, evse in enumerate(location.evses or ()):
        for j, text in enumerate(evse.directions or ()):
            yield ("location", "evses", i, "directions", j, "language"), text
    for i, related in enumerate(location.related_locations or ()):
        if related.name is not None:
            yield ("location", "related_locations", i, "name", "language"), related.name


@check(requirements=("C-023",), needs=("well-formed fields",), versions=("2.2.1", "2.3.0"))
def check_cdr_location_codes(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """The CDR location's country is an ISO 3166-1 alpha-3 code and its coordinates lie on
    the globe: latitude within ±90, longitude within ±180 (C-023)."""
    location = declared(cdr, "cdr_location")
    if location is None:
        return
    yield from _location_findings(location, ("cdr_location",), "C-023", ctx)


@check(requirements=("H-LOC-02",), needs=("well-formed fields",), versions=("2.1.1",))
def check_location_codes_211(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """A 2.1.1 CDR's location names a real place: an ISO 3166-1 alpha-3 country, coordinates
    on the globe (its own, its EVSEs' and its related locations'), an IANA time zone
    (H-LOC-02)."""
    location = declared(cdr, "location")
    if location is None:
        return
    yield from _location_findings(location, ("location",), "H-LOC-02", ctx)
    for i, evse in enumerate(location.evses or ()):
        if evse.coordinates is not None:
            yield from _coordinate_findings(
                evse.coordinates, ("location", "evses", i, "coordinates"), "H-LOC-02", ctx
            )
    for i, related in enumerate(location.related_locations or ()):
        yield from _coordinate_findings(
            related, ("location", "related_locations", i), "H-LOC-02", ctx
        )
    zone = location.time_zone
    if zone is not None and zone not in _zones():
        yield ctx.finding(
            "H-LOC-02",
            Level.ERROR,
            f"location.time_zone {zone!r} is not a name of the IANA time zone database: "
            "the local time of tariff restrictions cannot be known from it",
            ("location", "time_zone"),
            expected="an IANA zone name such as Europe/Amsterdam",
            seen=zone,
        )


def _location_findings(
    location: Any, loc: tuple[str, ...], requirement: str, ctx: CheckContext
) -> Iterator[Finding]:
    problem = _country_problem(location.country, "alpha_3")
    if problem is not None:
        yield ctx.finding(
            requirement,
            Level.ERROR,
            f"{loc[0]}.country {problem}",
            (*loc, "country"),
            expected="ISO 3166-1 alpha-3",
            seen=location.country,
        )
    yield from _coordinate_findings(location.coordinates, (*loc, "coordinates"), requirement, ctx)


_LIMITS = (("latitude", Decimal(90)), ("longitude", Decimal(180)))


def _coordinate_findings(
    point: Any, loc: tuple[str | int, ...], requirement: str, ctx: CheckContext
) -> Iterator[Finding]:
    for name, limit in _LIMITS:
        text = getattr(point, name)
        try:
            value = Decimal(text)
        except InvalidOperation:
            continue  # the schema's pattern reports a malformed number
        if abs(value) > limit:
            yield ctx.finding(
                requirement,
                Level.ERROR,
                f"{'.'.join(str(p) for p in loc)}.{name} {text} lies off the globe: a "
                f"{name} is within ±{limit}",
                (*loc, name),
                expected=f"-{limit} to {limit}",
                seen=text,
            )


@check(requirements=("C-022",), needs=("well-formed fields",), versions=("2.2.1", "2.3.0"))
def check_na_location_ids(cdr: Any, ctx: CheckContext) -> Iterator[Finding]:
    """``#NA`` stands for the EVSE and connector ids only in a CDR of a reservation that
    never became a charging session (C-022): a CDR with charging names what was used."""
    location = declared(cdr, "cdr_location")
    if location is None:
        return
    unknown = [name for name in _LOCATION_IDS if getattr(location, name) == _NA]
    if not unknown or _reservation_only(cdr):
        return
    kinds = sorted({dim.type.value for period in cdr.charging_periods for dim in period.dimensions})
    yield ctx.finding(
        "C-022",
        Level.WARNING,
        f"cdr_location {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} '#NA', "
        "which the spec allows for a reservation that never became a session; this CDR "
        f"has {', '.join(kinds)} periods, so the EVSE and connector used are known",
        ("cdr_location", unknown[0]),
        expected="the EVSE and connector of the session",
        seen=_NA,
    )


def _reservation_only(cdr: Any) -> bool:
    return all(
        dim.type.value == "RESERVATION_TIME"
        for period in cdr.charging_periods
        for dim in period.dimensions
    )


# Every check above applies to CDRs; those reading fields a tariff has apply to tariffs too.
CDR_CODE_CHECKS = (
    check_currency_code,
    check_party_country_codes,
    check_languages,
    check_cdr_location_codes,
    check_location_codes_211,
    check_na_location_ids,
)
TARIFF_CODE_CHECKS = (check_currency_code, check_party_country_codes, check_languages)
