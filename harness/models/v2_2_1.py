"""OCPI 2.2.1 (spec edition 2.2.1-d2): the CDR and Tariff objects and everything they nest.

Money is a Price object (excl_vat, incl_vat). SignedValue.plain_data accepts 5000 characters as
the 2.2.1 errata say (AMB-C-18; the checks can hold it to the tag's 512).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field

from harness.models.base import OcpiModel
from harness.models.enums import (
    ConnectorFormat,
    DayOfWeek,
    EnergySourceCategory,
    EnvironmentalImpactCategory,
    TariffDimensionType,
)
from harness.models.types import (
    DATE,
    LATITUDE,
    LONGITUDE,
    TIME_OF_DAY,
    CdrDateTime,
    CiString,
    CountryAlpha3,
    CountryCode,
    Currency,
    DateTime,
    Language,
    PartyId,
    Pattern,
    Percentage,
    String,
    Url,
)

__all__ = [
    "AuthMethod",
    "Cdr",
    "CdrDimension",
    "CdrDimensionType",
    "CdrLocation",
    "CdrToken",
    "ChargingPeriod",
    "ConnectorFormat",
    "ConnectorType",
    "DayOfWeek",
    "DisplayText",
    "EnergyMix",
    "EnergySource",
    "EnergySourceCategory",
    "EnvironmentalImpact",
    "EnvironmentalImpactCategory",
    "GeoLocation",
    "PowerType",
    "Price",
    "PriceComponent",
    "ReservationRestrictionType",
    "SignedData",
    "SignedValue",
    "Tariff",
    "TariffDimensionType",
    "TariffElement",
    "TariffRestrictions",
    "TariffType",
    "TokenType",
]

VERSION = "2.2.1"


class AuthMethod(str, Enum):
    """§10.4.1 AuthMethod."""

    AUTH_REQUEST = "AUTH_REQUEST"
    COMMAND = "COMMAND"
    WHITELIST = "WHITELIST"


class CdrDimensionType(str, Enum):
    """§10.4.3 CdrDimensionType. CURRENT, ENERGY_EXPORT, ENERGY_IMPORT, POWER and STATE_OF_CHARGE
    are for sessions only (C-013): valid values of the enum, refused in a CDR by the checks."""

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"


SESSION_ONLY_DIMENSIONS = frozenset(
    {"CURRENT", "ENERGY_EXPORT", "ENERGY_IMPORT", "POWER", "STATE_OF_CHARGE"}
)


class TokenType(str, Enum):
    """§12.4.4 TokenType (2.2.1)."""

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    OTHER = "OTHER"
    RFID = "RFID"


class PowerType(str, Enum):
    """§8.4.19 PowerType."""

    AC_1_PHASE = "AC_1_PHASE"
    AC_2_PHASE = "AC_2_PHASE"
    AC_2_PHASE_SPLIT = "AC_2_PHASE_SPLIT"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


class ReservationRestrictionType(str, Enum):
    """§11.4.3 ReservationRestrictionType."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class TariffType(str, Enum):
    """§11.4.7 TariffType."""

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


class ConnectorType(str, Enum):
    """§8.4.5 ConnectorType (2.2.1: 40 values)."""

    CHADEMO = "CHADEMO"
    DOMESTIC_A = "DOMESTIC_A"
    DOMESTIC_B = "DOMESTIC_B"
    DOMESTIC_C = "DOMESTIC_C"
    DOMESTIC_D = "DOMESTIC_D"
    DOMESTIC_E = "DOMESTIC_E"
    DOMESTIC_F = "DOMESTIC_F"
    DOMESTIC_G = "DOMESTIC_G"
    DOMESTIC_H = "DOMESTIC_H"
    DOMESTIC_I = "DOMESTIC_I"
    DOMESTIC_J = "DOMESTIC_J"
    DOMESTIC_K = "DOMESTIC_K"
    DOMESTIC_L = "DOMESTIC_L"
    IEC_60309_2_single_16 = "IEC_60309_2_single_16"
    IEC_60309_2_three_16 = "IEC_60309_2_three_16"
    IEC_60309_2_three_32 = "IEC_60309_2_three_32"
    IEC_60309_2_three_64 = "IEC_60309_2_three_64"
    IEC_62196_T1 = "IEC_62196_T1"
    IEC_62196_T1_COMBO = "IEC_62196_T1_COMBO"
    IEC_62196_T2 = "IEC_62196_T2"
    IEC_62196_T2_COMBO = "IEC_62196_T2_COMBO"
    IEC_62196_T3A = "IEC_62196_T3A"
    IEC_62196_T3C = "IEC_62196_T3C"
    TESLA_R = "TESLA_R"
    TESLA_S = "TESLA_S"
    CHAOJI = "CHAOJI"
    DOMESTIC_M = "DOMESTIC_M"
    DOMESTIC_N = "DOMESTIC_N"
    DOMESTIC_O = "DOMESTIC_O"
    GBT_AC = "GBT_AC"
    GBT_DC = "GBT_DC"
    NEMA_5_20 = "NEMA_5_20"
    NEMA_6_30 = "NEMA_6_30"
    NEMA_6_50 = "NEMA_6_50"
    NEMA_10_30 = "NEMA_10_30"
    NEMA_10_50 = "NEMA_10_50"
    NEMA_14_30 = "NEMA_14_30"
    NEMA_14_50 = "NEMA_14_50"
    PANTOGRAPH_BOTTOM_UP = "PANTOGRAPH_BOTTOM_UP"
    PANTOGRAPH_TOP_DOWN = "PANTOGRAPH_TOP_DOWN"


class DisplayText(OcpiModel):
    """§16.3 DisplayText."""

    language: Language
    text: Annotated[str, String(512)]


class GeoLocation(OcpiModel):
    """§8.4.13 GeoLocation: strings with 5 to 7 decimals, within string(10)/string(11)."""

    latitude: Annotated[str, Pattern(LATITUDE, 10)]
    longitude: Annotated[str, Pattern(LONGITUDE, 11)]


class Price(OcpiModel):
    """§16.5 Price."""

    excl_vat: float
    incl_vat: float | None = None


class EnergySource(OcpiModel):
    """§8.4.7 EnergySource."""

    source: EnergySourceCategory
    percentage: Percentage


class EnvironmentalImpact(OcpiModel):
    """§8.4.9 EnvironmentalImpact."""

    category: EnvironmentalImpactCategory
    amount: float


class EnergyMix(OcpiModel):
    """§8.4.6 EnergyMix."""

    is_green_energy: bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: Annotated[str, String(64)] | None = None
    energy_product_name: Annotated[str, String(64)] | None = None


class PriceComponent(OcpiModel):
    """§11.4.2 PriceComponent: price per unit excl. VAT; vat a percentage (absent: no VAT)."""

    type: TariffDimensionType
    price: float
    vat: float | None = None
    step_size: int


class TariffRestrictions(OcpiModel):
    """§11.4.6 TariffRestrictions."""

    start_time: Annotated[str, Pattern(TIME_OF_DAY, 5)] | None = None
    end_time: Annotated[str, Pattern(TIME_OF_DAY, 5)] | None = None
    start_date: Annotated[str, Pattern(DATE, 10)] | None = None
    end_date: Annotated[str, Pattern(DATE, 10)] | None = None
    min_kwh: float | None = None
    max_kwh: float | None = None
    min_current: float | None = None
    max_current: float | None = None
    min_power: float | None = None
    max_power: float | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: list[DayOfWeek] | None = None
    reservation: ReservationRestrictionType | None = None


class TariffElement(OcpiModel):
    """§11.4.4 TariffElement."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class Tariff(OcpiModel):
    """§11.3.1 Tariff."""

    country_code: CountryCode
    party_id: PartyId
    id: Annotated[str, CiString(36)]
    currency: Currency
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: Url | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


class CdrToken(OcpiModel):
    """§10.4.5 CdrToken."""

    country_code: CountryCode
    party_id: PartyId
    uid: Annotated[str, CiString(36)]
    type: TokenType
    contract_id: Annotated[str, CiString(36)]


class CdrLocation(OcpiModel):
    """§10.4.4 CdrLocation."""

    id: Annotated[str, CiString(36)]
    name: Annotated[str, String(255)] | None = None
    address: Annotated[str, String(45)]
    city: Annotated[str, String(45)]
    postal_code: Annotated[str, String(10)] | None = None
    state: Annotated[str, String(20)] | None = None
    country: CountryAlpha3
    coordinates: GeoLocation
    evse_uid: Annotated[str, CiString(36)]
    evse_id: Annotated[str, CiString(48)]
    connector_id: Annotated[str, CiString(36)]
    connector_standard: ConnectorType
    connector_format: ConnectorFormat
    connector_power_type: PowerType


class CdrDimension(OcpiModel):
    """§10.4.2 CdrDimension."""

    type: CdrDimensionType
    volume: float


class ChargingPeriod(OcpiModel):
    """§10.4.6 ChargingPeriod."""

    start_date_time: DateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    tariff_id: Annotated[str, CiString(36)] | None = None


class SignedValue(OcpiModel):
    """§10.4.8 SignedValue."""

    nature: Annotated[str, CiString(32)]
    plain_data: Annotated[str, String(5000)]
    signed_data: Annotated[str, String(5000)]


class SignedData(OcpiModel):
    """§10.4.7 SignedData."""

    encoding_method: Annotated[str, CiString(36)]
    encoding_method_version: int | None = None
    public_key: Annotated[str, String(512)] | None = None
    signed_values: Annotated[list[SignedValue], Field(min_length=1)]
    url: Annotated[str, String(512)] | None = None


class Cdr(OcpiModel):
    """§10.3.1 CDR."""

    country_code: CountryCode
    party_id: PartyId
    id: Annotated[str, CiString(39)]
    start_date_time: CdrDateTime
    end_date_time: CdrDateTime
    session_id: Annotated[str, CiString(36)] | None = None
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: Annotated[str, CiString(36)] | None = None
    cdr_location: CdrLocation
    meter_id: Annotated[str, String(255)] | None = None
    currency: Currency
    tariffs: list[Tariff] | None = None
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    signed_data: SignedData | None = None
    total_cost: Price
    total_fixed_cost: Price | None = None
    total_energy: float
    total_energy_cost: Price | None = None
    total_time: float
    total_time_cost: Price | None = None
    total_parking_time: float | None = None
    total_parking_cost: Price | None = None
    total_reservation_cost: Price | None = None
    remark: Annotated[str, String(255)] | None = None
    invoice_reference_id: Annotated[str, CiString(39)] | None = None
    credit: bool | None = None
    credit_reference_id: Annotated[str, CiString(39)] | None = None
    home_charging_compensation: bool | None = None
    last_updated: DateTime
