"""What differs between OCPI versions, as data: one profile per version.

This is the one module that knows versions. The transport layer reads a profile for the token
encoding, the headers, pagination and status codes; the object layer (checks, pricing, the
generator, the mock) reads it for field names, the shape of money and taxes, the connectors and
the hints about other versions' names. Nothing outside this module compares version strings.

It imports nothing of the harness: it sits at the bottom of the import graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field, replace
from types import MappingProxyType
from typing import Literal, get_args

__all__ = [
    "DEFAULT_VERSION",
    "PROFILES",
    "SUPPORTED_VERSIONS",
    "FieldHint",
    "Version",
    "VersionProfile",
    "parse_version",
    "version_profile",
]

Version = Literal["2.1.1", "2.2.1", "2.3.0"]
SUPPORTED_VERSIONS: tuple[Version, ...] = get_args(Version)
#: The version a mock, a generator or a suite speaks when none is named.
DEFAULT_VERSION: Version = "2.2.1"


def parse_version(text: str) -> Version:
    """``text`` as a supported version; a ValueError names the supported ones."""
    for version in SUPPORTED_VERSIONS:
        if text == version:
            return version
    raise ValueError(
        f"unsupported OCPI version {text!r}; use one of {', '.join(SUPPORTED_VERSIONS)}"
    )


@dataclass(frozen=True, slots=True)
class FieldHint:
    """What other versions call a field. ``missing`` is said when the version requires the field
    and an object lacks it (a clause of its own); ``foreign`` when an object carries the field
    and the version does not define it (it completes "the field is ...")."""

    missing: str | None = None
    foreign: str | None = None


_CODES_211 = frozenset({1000, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003})
_CODES_22 = _CODES_211 | {2004, 4000, 4001, 4002, 4003}
_CUSTOM_22 = (range(1900, 2000), range(2900, 3000), range(3900, 4000), range(4900, 5000))

# Locations ConnectorType: 2.1.1 has 25 values, 2.2.1 adds 15, 2.3.0 adds 2 (an OpenEnum there).
_CONNECTORS_211 = (
    "CHADEMO",
    "DOMESTIC_A",
    "DOMESTIC_B",
    "DOMESTIC_C",
    "DOMESTIC_D",
    "DOMESTIC_E",
    "DOMESTIC_F",
    "DOMESTIC_G",
    "DOMESTIC_H",
    "DOMESTIC_I",
    "DOMESTIC_J",
    "DOMESTIC_K",
    "DOMESTIC_L",
    "IEC_60309_2_single_16",
    "IEC_60309_2_three_16",
    "IEC_60309_2_three_32",
    "IEC_60309_2_three_64",
    "IEC_62196_T1",
    "IEC_62196_T1_COMBO",
    "IEC_62196_T2",
    "IEC_62196_T2_COMBO",
    "IEC_62196_T3A",
    "IEC_62196_T3C",
    "TESLA_R",
    "TESLA_S",
)
_CONNECTORS_22 = (
    *_CONNECTORS_211,
    "CHAOJI",
    "DOMESTIC_M",
    "DOMESTIC_N",
    "DOMESTIC_O",
    "GBT_AC",
    "GBT_DC",
    "NEMA_5_20",
    "NEMA_6_30",
    "NEMA_6_50",
    "NEMA_10_30",
    "NEMA_10_50",
    "NEMA_14_30",
    "NEMA_14_50",
    "PANTOGRAPH_BOTTOM_UP",
    "PANTOGRAPH_TOP_DOWN",
)
_CONNECTORS_230 = (*_CONNECTORS_22, "MCS", "SAE_J3400")

# The one table of cross-version field names: per field, what the other versions call it.
_COUNTRY_PARTY_211 = FieldHint(foreign="absent in 2.1.1 CDRs and tariffs (added in 2.2)")
_COUNTRY_PARTY_22 = FieldHint(missing="country_code and party_id were added in 2.2")
_HINTS_211: dict[str, FieldHint] = {
    "stop_date_time": FieldHint(
        missing="'end_date_time' is the 2.2 name; 2.1.1 uses 'stop_date_time'"
    ),
    "location": FieldHint(
        missing="'cdr_location' is the 2.2 shape; 2.1.1 embeds a full Location as 'location'"
    ),
    "auth_id": FieldHint(missing="'cdr_token' is the 2.2 shape; 2.1.1 uses 'auth_id'"),
    "end_date_time": FieldHint(foreign="'stop_date_time' in 2.1.1"),
    "cdr_location": FieldHint(foreign="'location' (a Location object) in 2.1.1"),
    "cdr_token": FieldHint(foreign="'auth_id' in 2.1.1"),
    "country_code": _COUNTRY_PARTY_211,
    "party_id": _COUNTRY_PARTY_211,
    "incl_vat": FieldHint(foreign="absent: 2.1.1 money is a plain number excluding VAT"),
}
_HINTS_22: dict[str, FieldHint] = {
    "cdr_location": FieldHint(
        missing="2.1.1 CDRs carry 'location' (a Location object); 2.2 replaced it with "
        "'cdr_location' (a flat CdrLocation)"
    ),
    "end_date_time": FieldHint(missing="'stop_date_time' is the 2.1.1 name of this field"),
    "cdr_token": FieldHint(
        missing="2.1.1 CDRs carry 'auth_id'; 2.2 replaced it with 'cdr_token' (a CdrToken object)"
    ),
    "country_code": _COUNTRY_PARTY_22,
    "party_id": _COUNTRY_PARTY_22,
    "stop_date_time": FieldHint(foreign="'end_date_time' since 2.2"),
    "location": FieldHint(foreign="'cdr_location' (a CdrLocation) since 2.2"),
    "auth_id": FieldHint(foreign="'cdr_token' (a CdrToken) since 2.2"),
}
_HINTS_230: dict[str, FieldHint] = {
    **_HINTS_22,
    "tax_included": FieldHint(missing="tax_included is required from 2.3.0 on (YES, NO or N/A)"),
    "before_taxes": FieldHint(
        missing="excl_vat/incl_vat are the 2.2.1 names; 2.3.0 uses before_taxes (and taxes, or "
        "after_taxes in tariff limits)"
    ),
    "excl_vat": FieldHint(foreign="'before_taxes' in 2.3.0"),
    "incl_vat": FieldHint(
        foreign="'taxes' (a list of TaxAmount) in 2.3.0 Price, 'after_taxes' in PriceLimit"
    ),
}


@dataclass(frozen=True)
class VersionProfile:
    """The rules of one version, transport and objects.

    Transport:
    ``token_base64``: the Authorization token is Base64-encoded (T-AUTH-02/03).
    ``request_ids``: X-Request-ID / X-Correlation-ID exist (T-HDR-03/04, 2.2+).
    ``routing_headers``: OCPI-from/to-* headers exist (T-ROUTE-01, 2.2+).
    ``roles``: endpoints in version details carry a role (T-VER-02, 2.2+).
    ``date_bounds_defined``: date_from inclusive / date_to exclusive is specified (T-PAG-02;
    2.1.1 leaves it open, T-PAG-03).
    ``x_limit_is_maximum``: X-Limit is the server's maximum, not the page size (T-PAG-04;
    2.1.1 is ambiguous, AMB-07).

    Keyword fields:
    ``spec_tag``, ``spec_extension``: the git tag of github.com/ocpi/ocpi of the spec edition
    the version follows, and the extension of its documents there.
    ``models``: the module of ``harness.models`` holding the version's models.
    ``end_field``, ``location_field``, ``token_field``: the CDR's names of the session end, the
    location and the token (C-003).
    ``location_time_zone``: the CDR's location carries a time_zone (a full Location, 2.1.1).
    ``token_types``: the CDR's token has a type (tariff choice by token, TF-007).
    ``period_tariff_ids``: a ChargingPeriod names its tariff (C-014, 2.2+).
    ``party_scoped_ids``: objects are identified by country_code, party_id and id (C-004).
    ``credentials_roles``: the credentials object lists roles (T-CRED-06, 2.2+).
    ``money_shape``: money is a plain number excluding VAT, or a Price object (C-028).
    ``price_fields``: a Price's amount before and after tax (None for plain numbers).
    ``tax_shape``: no taxes at all, a VAT percentage and incl_vat, or 2.3.0's tax_included
    and list of taxes (TF-012).
    ``has_credit_cdrs``: credit CDRs exist (C-006/C-007, 2.2+).
    ``has_subtotals``: the CDR carries total_*_cost sub-totals (C-019, 2.2+).
    ``ascii_strings``: strings are printable ASCII only (2.1.1).
    ``connectors``: the ConnectorType values.
    ``open_enums``: token type and connector standard are OpenEnums (T-TYPE-10, 2.3.0).
    ``unknown_fields_rejectable``: fields the version does not define may be refused
    (AMB-C-17; 2.3.0 forbids it, T-MISC-01).
    ``advises_step_size_one``: step_size should be 1 (TF-017, 2.3.0).
    ``retires_token_a``: a registration retires TOKEN_A on the functional modules (T-AUTH-05,
    2.2+).
    ``renames``: what other versions call a field, by field name (H-FIELD-01, C-001).
    """

    version: Version
    token_base64: bool
    request_ids: bool
    routing_headers: bool
    roles: bool
    date_bounds_defined: bool
    x_limit_is_maximum: bool
    status_codes: frozenset[int]
    custom_code_ranges: tuple[range, ...] = ()
    _: KW_ONLY
    spec_tag: str
    spec_extension: str
    models: str
    end_field: str
    location_field: str
    token_field: str
    location_time_zone: bool
    token_types: bool
    period_tariff_ids: bool
    party_scoped_ids: bool
    credentials_roles: bool
    money_shape: Literal["number", "price"]
    price_fields: tuple[str, str] | None
    tax_shape: Literal["none", "vat", "taxes"]
    has_credit_cdrs: bool
    has_subtotals: bool
    ascii_strings: bool
    connectors: tuple[str, ...]
    open_enums: bool
    unknown_fields_rejectable: bool
    advises_step_size_one: bool
    retires_token_a: bool
    renames: Mapping[str, FieldHint] = field(default_factory=dict, compare=False)

    def known_status(self, code: int) -> bool:
        """Whether ``code`` is a status code this version defines (or reserves for custom use)."""
        return code in self.status_codes or any(code in r for r in self.custom_code_ranges)


_V211 = VersionProfile(
    "2.1.1",
    token_base64=False,
    request_ids=False,
    routing_headers=False,
    roles=False,
    date_bounds_defined=False,
    x_limit_is_maximum=False,
    status_codes=_CODES_211,
    spec_tag="2.1.1-d2",
    spec_extension="md",
    models="v2_1_1",
    end_field="stop_date_time",
    location_field="location",
    token_field="auth_id",
    location_time_zone=True,
    token_types=False,
    period_tariff_ids=False,
    party_scoped_ids=False,
    credentials_roles=False,
    money_shape="number",
    price_fields=None,
    tax_shape="none",
    has_credit_cdrs=False,
    has_subtotals=False,
    ascii_strings=True,
    connectors=_CONNECTORS_211,
    open_enums=False,
    unknown_fields_rejectable=True,
    advises_step_size_one=False,
    retires_token_a=False,
    renames=MappingProxyType(_HINTS_211),
)
_V221 = VersionProfile(
    "2.2.1",
    token_base64=True,
    request_ids=True,
    routing_headers=True,
    roles=True,
    date_bounds_defined=True,
    x_limit_is_maximum=True,
    status_codes=_CODES_22,
    custom_code_ranges=_CUSTOM_22,
    spec_tag="v2.2.1-d2",
    spec_extension="asciidoc",
    models="v2_2_1",
    end_field="end_date_time",
    location_field="cdr_location",
    token_field="cdr_token",
    location_time_zone=False,
    token_types=True,
    period_tariff_ids=True,
    party_scoped_ids=True,
    credentials_roles=True,
    money_shape="price",
    price_fields=("excl_vat", "incl_vat"),
    tax_shape="vat",
    has_credit_cdrs=True,
    has_subtotals=True,
    ascii_strings=False,
    connectors=_CONNECTORS_22,
    open_enums=False,
    unknown_fields_rejectable=True,
    advises_step_size_one=False,
    retires_token_a=True,
    renames=MappingProxyType(_HINTS_22),
)
# 2.3.0 is 2.2.1 but for what is named here.
_V230 = replace(
    _V221,
    version="2.3.0",
    spec_tag="v2.3.0",
    models="v2_3_0",
    price_fields=("before_taxes", "taxes"),
    tax_shape="taxes",
    connectors=_CONNECTORS_230,
    open_enums=True,
    unknown_fields_rejectable=False,
    advises_step_size_one=True,
    renames=MappingProxyType(_HINTS_230),
)
PROFILES: dict[Version, VersionProfile] = {"2.1.1": _V211, "2.2.1": _V221, "2.3.0": _V230}
assert tuple(PROFILES) == SUPPORTED_VERSIONS


def version_profile(version: str) -> VersionProfile:
    """The profile of ``version``; a ValueError names the supported ones."""
    return PROFILES[parse_version(version)]
