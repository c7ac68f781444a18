"""OCPI 2.1.1 (spec edition 2.1.1-d2): the CDR and Tariff objects and everything they nest.

A 2.1.1 CDR embeds a whole Location (§8.3.1) restricted to the EVSE and connector used, so the
Location, EVSE and Connector objects are modelled here too. Strings are printable ASCII in 2.1.1.
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
    DATE_211,
    LATITUDE_211,
    LONGITUDE_211,
    TIME_OF_DAY_211,
    AsciiString,
    CiString,
    CountryAlpha3,
    Currency,
    DateTime,
    Language,
    Pattern,
    Percentage,
    Url,
)

__all__ = [
    "AdditionalGeoLocation",
    "AuthMethod",
    "BusinessDetails",
    "Capability",
    "Cdr",
    "CdrDimension",
    "CdrDimensionType",
    "ChargingPeriod",
    "Connector",
    "ConnectorFormat",
    "ConnectorType",
    "DayOfWeek",
    "DisplayText",
    "EnergyMix",
    "EnergySource",
    "EnergySourceCategory",
    "EnvironmentalImpact",
    "EnvironmentalImpactCategory",
    "Evse",
    "ExceptionalPeriod",
    "Facility",
    "GeoLocation",
    "Hours",
    "Image",
    "ImageCategory",
    "Location",
    "LocationType",
    "ParkingRestriction",
    "PowerType",
    "PriceComponent",
    "RegularHours",
    "Status",
    "StatusSchedule",
    "Tariff",
    "TariffDimensionType",
    "TariffElement",
    "TariffRestrictions",
]

VERSION = "2.1.1"


class AuthMethod(str, Enum):
    """§10.4.1 AuthMethod."""

    AUTH_REQUEST = "AUTH_REQUEST"
    WHITELIST = "WHITELIST"


class CdrDimensionType(str, Enum):
    """§10.4.3 CdrDimensionType (FLAT is a CDR dimension only in 2.1.1)."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class PowerType(str, Enum):
    """Locations PowerType (2.1.1)."""

    AC_1_PHASE = "AC_1_PHASE"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


class ConnectorType(str, Enum):
    """Locations ConnectorType (2.1.1: 25 values)."""

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


class LocationType(str, Enum):
    """Locations LocationType (2.1.1 only)."""

    ON_STREET = "ON_STREET"
    PARKING_GARAGE = "PARKING_GARAGE"
    UNDERGROUND_GARAGE = "UNDERGROUND_GARAGE"
    PARKING_LOT = "PARKING_LOT"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class Facility(str, Enum):
    """Locations Facility (2.1.1)."""

    HOTEL = "HOTEL"
    RESTAURANT = "RESTAURANT"
    CAFE = "CAFE"
    MALL = "MALL"
    SUPERMARKET = "SUPERMARKET"
    SPORT = "SPORT"
    RECREATION_AREA = "RECREATION_AREA"
    NATURE = "NATURE"
    MUSEUM = "MUSEUM"
    BUS_STOP = "BUS_STOP"
    TAXI_STAND = "TAXI_STAND"
    TRAIN_STATION = "TRAIN_STATION"
    AIRPORT = "AIRPORT"
    CARPOOL_PARKING = "CARPOOL_PARKING"
    FUEL_STATION = "FUEL_STATION"
    WIFI = "WIFI"


class Capability(str, Enum):
    """Locations Capability (2.1.1)."""

    CHARGING_PROFILE_CAPABLE = "CHARGING_PROFILE_CAPABLE"
    CREDIT_CARD_PAYABLE = "CREDIT_CARD_PAYABLE"
    REMOTE_START_STOP_CAPABLE = "REMOTE_START_STOP_CAPABLE"
    RESERVABLE = "RESERVABLE"
    RFID_READER = "RFID_READER"
    UNLOCK_CAPABLE = "UNLOCK_CAPABLE"


class ParkingRestriction(str, Enum):
    """Locations ParkingRestriction (2.1.1)."""

    EV_ONLY = "EV_ONLY"
    PLUGGED = "PLUGGED"
    DISABLED = "DISABLED"
    CUSTOMERS = "CUSTOMERS"
    MOTORCYCLES = "MOTORCYCLES"


class ImageCategory(str, Enum):
    """Locations ImageCategory (2.1.1)."""

    CHARGER = "CHARGER"
    ENTRANCE = "ENTRANCE"
    LOCATION = "LOCATION"
    NETWORK = "NETWORK"
    OPERATOR = "OPERATOR"
    OTHER = "OTHER"
    OWNER = "OWNER"


class Status(str, Enum):
    """Locations Status (2.1.1)."""

    AVAILABLE = "AVAILABLE"
    BLOCKED = "BLOCKED"
    CHARGING = "CHARGING"
    INOPERATIVE = "INOPERATIVE"
    OUTOFORDER = "OUTOFORDER"
    PLANNED = "PLANNED"
    REMOVED = "REMOVED"
    RESERVED = "RESERVED"
    UNKNOWN = "UNKNOWN"


class DisplayText(OcpiModel):
    """§14.3 DisplayText."""

    language: Language
    text: Annotated[str, AsciiString(512)]


class GeoLocation(OcpiModel):
    """Locations GeoLocation: strings with exactly six decimals in 2.1.1."""

    latitude: Annotated[str, Pattern(LATITUDE_211, 10)]
    longitude: Annotated[str, Pattern(LONGITUDE_211, 11)]


class AdditionalGeoLocation(OcpiModel):
    """Locations AdditionalGeoLocation."""

    latitude: Annotated[str, Pattern(LATITUDE_211, 10)]
    longitude: Annotated[str, Pattern(LONGITUDE_211, 11)]
    name: DisplayText | None = None


class Image(OcpiModel):
    """Locations Image (width and height are int(5): at most five digits)."""

    url: Url
    thumbnail: Url | None = None
    category: ImageCategory
    type: Annotated[str, AsciiString(4)]
    width: Annotated[int, Field(ge=0, le=99999)] | None = None
    height: Annotated[int, Field(ge=0, le=99999)] | None = None


class BusinessDetails(OcpiModel):
    """Locations BusinessDetails."""

    name: Annotated[str, AsciiString(100)]
    website: Url | None = None
    logo: Image | None = None


class RegularHours(OcpiModel):
    """Locations RegularHours (weekday 1 = Monday … 7 = Sunday)."""

    weekday: Annotated[int, Field(ge=1, le=7)]
    period_begin: Annotated[str, Pattern(TIME_OF_DAY_211, 5)]
    period_end: Annotated[str, Pattern(TIME_OF_DAY_211, 5)]


class ExceptionalPeriod(OcpiModel):
    """Locations ExceptionalPeriod."""

    period_begin: DateTime
    period_end: DateTime


class Hours(OcpiModel):
    """Locations Hours: regular_hours or twentyfourseven, one of the two required (the spec's
    own example sends both, so the model requires neither; a CDR's location with neither is
    reported by the C-001 check ``check_opening_times_211``)."""

    regular_hours: list[RegularHours] | None = None
    twentyfourseven: bool | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None


class StatusSchedule(OcpiModel):
    """Locations StatusSchedule."""

    period_begin: DateTime
    period_end: DateTime | None = None
    status: Status


class EnergySource(OcpiModel):
    """Locations EnergySource."""

    source: EnergySourceCategory
    percentage: Percentage


class EnvironmentalImpact(OcpiModel):
    """Locations EnvironmentalImpact: the category field is named ``source`` in 2.1.1 (renamed to
    ``category`` in 2.2)."""

    source: EnvironmentalImpactCategory
    amount: float


class EnergyMix(OcpiModel):
    """Locations EnergyMix."""

    is_green_energy: bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: Annotated[str, AsciiString(64)] | None = None
    energy_product_name: Annotated[str, AsciiString(64)] | None = None


class Connector(OcpiModel):
    """Locations §8.3.3 Connector."""

    id: Annotated[str, AsciiString(36)]
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    voltage: int
    amperage: int
    tariff_id: Annotated[str, AsciiString(36)] | None = None
    terms_and_conditions: Url | None = None
    last_updated: DateTime


class Evse(OcpiModel):
    """Locations §8.3.2 EVSE."""

    uid: Annotated[str, AsciiString(39)]
    evse_id: Annotated[str, AsciiString(48)] | None = None
    status: Status
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: Annotated[list[Connector], Field(min_length=1)]
    floor_level: Annotated[str, AsciiString(4)] | None = None
    coordinates: GeoLocation | None = None
    physical_reference: Annotated[str, AsciiString(16)] | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[ParkingRestriction] | None = None
    images: list[Image] | None = None
    last_updated: DateTime


class Location(OcpiModel):
    """Locations §8.3.1 Location, as embedded in a 2.1.1 CDR."""

    id: Annotated[str, AsciiString(39)]
    type: LocationType
    name: Annotated[str, AsciiString(255)] | None = None
    address: Annotated[str, AsciiString(45)]
    city: Annotated[str, AsciiString(45)]
    postal_code: Annotated[str, AsciiString(10)]
    country: CountryAlpha3
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    evses: list[Evse] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[Facility] | None = None
    time_zone: Annotated[str, AsciiString(255)] | None = None
    opening_times: Hours | None = None
    charging_when_closed: bool | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


class PriceComponent(OcpiModel):
    """§11.4.2 PriceComponent: price per unit excluding VAT."""

    type: TariffDimensionType
    price: float
    step_size: int


class TariffRestrictions(OcpiModel):
    """§11.4.5 TariffRestrictions (2.1.1 has no current or reservation restrictions)."""

    start_time: Annotated[str, Pattern(TIME_OF_DAY_211, 5)] | None = None
    end_time: Annotated[str, Pattern(TIME_OF_DAY_211, 5)] | None = None
    start_date: Annotated[str, Pattern(DATE_211, 10)] | None = None
    end_date: Annotated[str, Pattern(DATE_211, 10)] | None = None
    min_kwh: float | None = None
    max_kwh: float | None = None
    min_power: float | None = None
    max_power: float | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: list[DayOfWeek] | None = None


class TariffElement(OcpiModel):
    """§11.4.3 TariffElement."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class Tariff(OcpiModel):
    """§11.3.1 Tariff."""

    id: Annotated[str, AsciiString(36)]
    currency: Currency
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: Url | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


class CdrDimension(OcpiModel):
    """§10.4.2 CdrDimension."""

    type: CdrDimensionType
    volume: float


class ChargingPeriod(OcpiModel):
    """§10.4.4 ChargingPeriod."""

    start_date_time: DateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]


class Cdr(OcpiModel):
    """§10.3.1 CDR: total_cost is a plain number excluding VAT (C-028)."""

    id: Annotated[str, CiString(36)]
    start_date_time: DateTime
    stop_date_time: DateTime
    auth_id: Annotated[str, AsciiString(36)]
    auth_method: AuthMethod
    location: Location
    meter_id: Annotated[str, AsciiString(255)] | None = None
    currency: Currency
    tariffs: list[Tariff] | None = None
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    total_cost: float
    total_energy: float
    total_time: float
    total_parking_time: float | None = None
    remark: Annotated[str, AsciiString(255)] | None = None
    last_updated: DateTime
