"""Enums whose values are the same in OCPI 2.1.1, 2.2.1 and 2.3.0 (closed in all three)."""

from __future__ import annotations

from enum import Enum


class DayOfWeek(str, Enum):
    """2.1.1/2.2.1/2.3.0 §11.4.1 DayOfWeek."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class TariffDimensionType(str, Enum):
    """TariffDimensionType (2.1.1 §11.4.4; 2.2.1 §11.4.5; 2.3.0 §11.4.6)."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class ConnectorFormat(str, Enum):
    """ConnectorFormat (2.2.1 §8.4.4; 2.3.0 §8.4.5)."""

    SOCKET = "SOCKET"
    CABLE = "CABLE"


class EnergySourceCategory(str, Enum):
    """EnergySourceCategory (Locations module)."""

    NUCLEAR = "NUCLEAR"
    GENERAL_FOSSIL = "GENERAL_FOSSIL"
    COAL = "COAL"
    GAS = "GAS"
    GENERAL_GREEN = "GENERAL_GREEN"
    SOLAR = "SOLAR"
    WIND = "WIND"
    WATER = "WATER"


class EnvironmentalImpactCategory(str, Enum):
    """EnvironmentalImpactCategory (Locations module; an OpenEnum in 2.3.0)."""

    NUCLEAR_WASTE = "NUCLEAR_WASTE"
    CARBON_DIOXIDE = "CARBON_DIOXIDE"


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
_CONNECTORS_ADDED_22 = (
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
_CONNECTORS_ADDED_23 = ("MCS", "SAE_J3400")

# Connector standards per version (2.1.1: 25 values; 2.2.1: 40; 2.3.0: 42, an OpenEnum there).
CONNECTOR_TYPES: dict[str, tuple[str, ...]] = {
    "2.1.1": _CONNECTORS_211,
    "2.2.1": _CONNECTORS_211 + _CONNECTORS_ADDED_22,
    "2.3.0": _CONNECTORS_211 + _CONNECTORS_ADDED_22 + _CONNECTORS_ADDED_23,
}
