"""OCPI 2.3.0 (spec edition v2.3.0): the CDR and Tariff objects and everything they nest.

Differences from 2.2.1: money is Price{before_taxes, taxes[TaxAmount]}, tariff limits are
PriceLimit{before_taxes, after_taxes}, Tariff gains tax_included (required) and
preauthorize_amount, TokenType gains EMAID, and TokenType, ConnectorType and
EnvironmentalImpactCategory are OpenEnums (any value is accepted; the listed ones are known).
Classes that did not change are the 2.2.1 classes themselves.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field, StringConstraints

from harness.models.base import OcpiModel
from harness.models.enums import (
    ConnectorFormat,
    DayOfWeek,
    EnergySourceCategory,
    EnvironmentalImpactCategory,
    TariffDimensionType,
)
from harness.models.types import (
    PRINTABLE_ASCII,
    CdrDateTime,
    CiString,
    CountryAlpha3,
    CountryCode,
    Currency,
    DateTime,
    PartyId,
    String,
    Url,
)
from harness.models.v2_2_1 import (
    SESSION_ONLY_DIMENSIONS,
    AuthMethod,
    CdrDimension,
    CdrDimensionType,
    ChargingPeriod,
    DisplayText,
    EnergySource,
    GeoLocation,
    PowerType,
    PriceComponent,
    ReservationRestrictionType,
    SignedData,
    SignedValue,
    TariffElement,
    TariffRestrictions,
    TariffType,
)

__all__ = [
    "SESSION_ONLY_DIMENSIONS",
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
    "OpenEnum",
    "PowerType",
    "Price",
    "PriceComponent",
    "PriceLimit",
    "ReservationRestrictionType",
    "SignedData",
    "SignedValue",
    "Tariff",
    "TariffDimensionType",
    "TariffElement",
    "TariffRestrictions",
    "TariffType",
    "TaxAmount",
    "TaxIncluded",
    "TokenType",
]

VERSION = "2.3.0"

# §17.3 OpenEnum: a JSON string that may hold values beyond the listed ones (T-TYPE-10).
OpenEnum = Annotated[str, StringConstraints(min_length=1, pattern=PRINTABLE_ASCII)]


class TokenType(str, Enum):
    """§12.4.4 TokenType: the known values of this OpenEnum (2.3.0 adds EMAID)."""

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    EMAID = "EMAID"
    OTHER = "OTHER"
    RFID = "RFID"


class ConnectorType(str, Enum):
    """§8.4.6 ConnectorType: the known values of this OpenEnum (42)."""

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
    MCS = "MCS"
    SAE_J3400 = "SAE_J3400"


class TaxIncluded(str, Enum):
    """§11.4.9 TaxIncluded."""

    YES = "YES"
    NO = "NO"
    N_A = "N/A"


class TaxAmount(OcpiModel):
    """§17.9 TaxAmount."""

    name: Annotated[str, String()]
    account_number: Annotated[str, String()] | None = None
    percentage: float | None = None
    amount: float


class Price(OcpiModel):
    """§17.8 Price."""

    before_taxes: float
    taxes: list[TaxAmount] | None = None


class PriceLimit(OcpiModel):
    """§11.4.3 PriceLimit (Tariff.min_price / max_price)."""

    before_taxes: float
    after_taxes: float | None = None


class EnvironmentalImpact(OcpiModel):
    """§8.4.11 EnvironmentalImpact (category is an OpenEnum in 2.3.0)."""

    category: OpenEnum
    amount: float


class EnergyMix(OcpiModel):
    """§8.4.7 EnergyMix."""

    is_green_energy: bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: Annotated[str, String(64)] | None = None
    energy_product_name: Annotated[str, String(64)] | None = None


class Tariff(OcpiModel):
    """§11.3.1 Tariff."""

    country_code: CountryCode
    party_id: PartyId
    id: Annotated[str, CiString(36)]
    currency: Currency
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: Url | None = None
    min_price: PriceLimit | None = None
    max_price: PriceLimit | None = None
    preauthorize_amount: float | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    tax_included: TaxIncluded
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


class CdrToken(OcpiModel):
    """§10.4.5 CdrToken (type is an OpenEnum in 2.3.0)."""

    country_code: CountryCode
    party_id: PartyId
    uid: Annotated[str, CiString(36)]
    type: OpenEnum
    contract_id: Annotated[str, CiString(36)]


class CdrLocation(OcpiModel):
    """§10.4.4 CdrLocation (connector_standard is an OpenEnum in 2.3.0)."""

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
    connector_standard: OpenEnum
    connector_format: ConnectorFormat
    connector_power_type: PowerType


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
