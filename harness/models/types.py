"""Constrained primitive types shared by every OCPI version's models.

Each type is a pydantic ``StringConstraints`` (or plain ``float``/``int`` under strict mode) used
as ``Annotated[str, CiString(36)]``, so that the same constraint validates in pydantic-core (Rust
regex) and exports to JSON Schema. Patterns use explicit character classes (``[0-9]``, not ``\\d``,
which is Unicode-aware in both regex engines) and are anchored.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

# Printable ASCII: CiString in every version (T-TYPE-03) and string in 2.1.1 (T-TYPE-04).
PRINTABLE_ASCII = r"^[\x20-\x7E]*$"
# Printable UTF-8: string in 2.2.1/2.3.0 (T-TYPE-04): no C0/C1 control characters (so no CR, LF,
# TAB) and no DEL.
PRINTABLE_UTF8 = r"^[^\x00-\x1F\x7F-\x9F]*$"

# DateTime (T-TYPE-02): UTC, optional Z, optional fractional seconds, at most 25 characters. The
# length limit is folded into the pattern (5 fraction digits fit without Z, 4 with it) so that one
# constraint gives one error.
_DATETIME_BODY = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:(?:\.[0-9]{1,4})?Z|(?:\.[0-9]{1,5})?)"
)
DATETIME_PATTERN = rf"^{_DATETIME_BODY}$"
# The 2.2+ CDR note allows this literal (not a valid DateTime) for unknown start/end times when
# both parties agree (AMB-C-14); only CDR start/end fields accept it, the checks then apply the
# option.
EPOCH_PLACEHOLDER = "1970-1-1T00:00:00Z"
CDR_DATETIME_PATTERN = rf"^(?:{_DATETIME_BODY}|1970-1-1T00:00:00Z)$"


def CiString(max_length: int) -> StringConstraints:
    """CiString(n): case-insensitive printable ASCII of at most n characters (T-TYPE-03)."""
    return StringConstraints(max_length=max_length, pattern=PRINTABLE_ASCII)


def String(max_length: int | None = None) -> StringConstraints:
    """string(n) of 2.2.1/2.3.0: printable UTF-8 of at most n characters (T-TYPE-04)."""
    return StringConstraints(max_length=max_length, pattern=PRINTABLE_UTF8)


def AsciiString(max_length: int) -> StringConstraints:
    """string(n) of 2.1.1: printable ASCII of at most n characters (T-TYPE-04)."""
    return StringConstraints(max_length=max_length, pattern=PRINTABLE_ASCII)


def Pattern(pattern: str, max_length: int | None = None) -> StringConstraints:
    """A string that must match ``pattern`` (anchored) and fit ``max_length``."""
    return StringConstraints(max_length=max_length, pattern=pattern)


DateTime = Annotated[str, StringConstraints(pattern=DATETIME_PATTERN)]
CdrDateTime = Annotated[str, StringConstraints(pattern=CDR_DATETIME_PATTERN)]

# ISO 4217 code: string(3) in every version (C-017).
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# ISO 3166-1 alpha-2 as CiString(2) (T-TYPE-08, C-023) and alpha-3 as string(3) (C-023).
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
CountryAlpha3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# ISO 15118 party id: three alphanumerics, CiString(3) (T-TYPE-08).
PartyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{3}$")]
# ISO 639-1 language code, string(2).
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
# URL: string(255) (T-TYPE-06); a URI has no spaces or control characters.
Url = Annotated[str, StringConstraints(max_length=255, pattern=r"^[\x21-\x7E]+$")]

# Restriction times and dates (TF-010). 2.1.1 tags allow 24:00..29:59; 2.2+ do not.
TIME_OF_DAY_211 = r"^[0-2][0-9]:[0-5][0-9]$"
TIME_OF_DAY = r"^(?:[0-1][0-9]|2[0-3]):[0-5][0-9]$"
DATE_211 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE = r"^[12][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"

# Geo coordinates are JSON strings (C-023): exactly 6 decimals in 2.1.1, 5 to 7 from 2.2 on, and
# the declared string(10)/string(11) length applies on top of the pattern.
LATITUDE_211 = r"^-?[0-9]{1,2}\.[0-9]{6}$"
LONGITUDE_211 = r"^-?[0-9]{1,3}\.[0-9]{6}$"
LATITUDE = r"^-?[0-9]{1,2}\.[0-9]{5,7}$"
LONGITUDE = r"^-?[0-9]{1,3}\.[0-9]{5,7}$"

# Percentages of an energy mix are 0..100 by definition.
Percentage = Annotated[float, Field(ge=0, le=100)]
