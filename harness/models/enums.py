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
