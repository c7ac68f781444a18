"""What differs between OCPI versions at the transport layer, as data (one profile each)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.models import SUPPORTED_VERSIONS

_CODES_211 = frozenset({1000, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003})
_CODES_22 = _CODES_211 | {2004, 4000, 4001, 4002, 4003}
_CUSTOM_22 = (range(1900, 2000), range(2900, 3000), range(3900, 4000), range(4900, 5000))


@dataclass(frozen=True)
class VersionProfile:
    """Transport rules of one version.

    ``token_base64``: the Authorization token is Base64-encoded (T-AUTH-02/03).
    ``request_ids``: X-Request-ID / X-Correlation-ID exist (T-HDR-03/04, 2.2+).
    ``routing_headers``: OCPI-from/to-* headers exist (T-ROUTE-01, 2.2+).
    ``roles``: endpoints in version details carry a role (T-VER-02, 2.2+).
    ``date_bounds_defined``: date_from inclusive / date_to exclusive is specified (T-PAG-02;
    2.1.1 leaves it open, T-PAG-03).
    ``x_limit_is_maximum``: X-Limit is the server's maximum, not the page size (T-PAG-04;
    2.1.1 is ambiguous, AMB-07).
    """

    version: str
    token_base64: bool
    request_ids: bool
    routing_headers: bool
    roles: bool
    date_bounds_defined: bool
    x_limit_is_maximum: bool
    status_codes: frozenset[int]
    custom_code_ranges: tuple[range, ...] = ()

    def known_status(self, code: int) -> bool:
        """Whether ``code`` is a status code this version defines (or reserves for custom use)."""
        return code in self.status_codes or any(code in r for r in self.custom_code_ranges)


PROFILES: dict[str, VersionProfile] = {
    "2.1.1": VersionProfile("2.1.1", False, False, False, False, False, False, _CODES_211),
    "2.2.1": VersionProfile("2.2.1", True, True, True, True, True, True, _CODES_22, _CUSTOM_22),
    "2.3.0": VersionProfile("2.3.0", True, True, True, True, True, True, _CODES_22, _CUSTOM_22),
}
assert set(PROFILES) == set(SUPPORTED_VERSIONS)


def version_profile(version: str) -> VersionProfile:
    """The profile of ``version``; a ValueError names the supported ones."""
    try:
        return PROFILES[version]
    except KeyError:
        raise ValueError(
            f"unsupported OCPI version {version!r}; use one of {', '.join(PROFILES)}"
        ) from None
