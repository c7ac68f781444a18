"""The Credentials object of each version (T-CRED-06): what a partner POSTs or PUTs to a
credentials endpoint and gets back. 2.1.1 names one party (business_details, party_id,
country_code); 2.2.1 and 2.3.0 a list of ``roles`` (2.3.0 adds ``hub_party_id`` and drops the
HUB role)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field

from harness.models.base import OcpiModel
from harness.models.types import CiString, CountryCode, PartyId, String, Url
from harness.models.v2_1_1 import BusinessDetails as BusinessDetails211
from harness.models.v2_1_1 import Image
from harness.versions import parse_version

__all__ = ["credentials_model", "listed_roles"]


class BusinessDetails(OcpiModel):
    """2.2.1/2.3.0 BusinessDetails (UTF-8 strings)."""

    name: Annotated[str, String(100)]
    website: Url | None = None
    logo: Image | None = None


class Role221(str, Enum):
    """2.2.1 Role."""

    CPO = "CPO"
    EMSP = "EMSP"
    HUB = "HUB"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"


class Role230(str, Enum):
    """2.3.0 Role (no HUB: a hub lists the parties it reaches)."""

    CPO = "CPO"
    EMSP = "EMSP"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"


class Credentials211(OcpiModel):
    """2.1.1 Credentials: one party."""

    token: Annotated[str, String(64), Field(min_length=1)]
    url: Url
    business_details: BusinessDetails211
    party_id: PartyId
    country_code: CountryCode


class CredentialsRole221(OcpiModel):
    """2.2.1 CredentialsRole."""

    role: Role221
    business_details: BusinessDetails
    party_id: PartyId
    country_code: CountryCode


class CredentialsRole230(OcpiModel):
    """2.3.0 CredentialsRole."""

    role: Role230
    business_details: BusinessDetails
    party_id: PartyId
    country_code: CountryCode


class Credentials221(OcpiModel):
    """2.2.1 Credentials: the roles of the platform."""

    token: Annotated[str, String(64), Field(min_length=1)]
    url: Url
    roles: Annotated[list[CredentialsRole221], Field(min_length=1)]


class Credentials230(OcpiModel):
    """2.3.0 Credentials: as 2.2.1, with the hub's own party id."""

    token: Annotated[str, String(64), Field(min_length=1)]
    url: Url
    hub_party_id: Annotated[str, CiString(5)] | None = None
    roles: Annotated[list[CredentialsRole230], Field(min_length=1)]


_ROLES: dict[str, frozenset[str]] = {
    "2.1.1": frozenset(),
    "2.2.1": frozenset(r.value for r in Role221),
    "2.3.0": frozenset(r.value for r in Role230),
}
_MODELS: dict[str, type[OcpiModel]] = {
    "2.1.1": Credentials211,
    "2.2.1": Credentials221,
    "2.3.0": Credentials230,
}


def listed_roles(version: str) -> frozenset[str]:
    """The Role values a CredentialsRole of ``version`` may name (none in 2.1.1)."""
    return _ROLES[parse_version(version)]


def credentials_model(version: str) -> type[OcpiModel]:
    """The Credentials model of ``version`` (a ValueError names the supported versions)."""
    return _MODELS[parse_version(version)]
