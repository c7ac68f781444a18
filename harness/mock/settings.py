"""What a mock peer is: its roles, versions, token, party, seeded data, store and faults."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.mock.faults import FAULTS, FaultName, unknown_fault
from harness.versions import DEFAULT_VERSION, parse_version

ROLES = ("cpo", "emsp")


@dataclass(frozen=True)
class MockSettings:
    """Settings of one mock peer.

    ``token`` is the credentials token partners send (Base64-encoded in 2.2+ headers, raw in
    2.1.1); ``token_encoding`` "STRICT" insists on the version's encoding, "ACCEPT_BOTH" also
    takes the other one (many 2.1.1/2.2 implementations never encoded, AMB-01). ``cdrs``
    CDRs per version are generated from ``seed`` and ``profile`` for the CPO role.
    """

    roles: tuple[str, ...] = ROLES
    versions: tuple[str, ...] = (DEFAULT_VERSION,)
    token: str = "secret"
    country_code: str = "NL"
    party_id: str = "MCK"
    seed: str = "1"
    cdrs: int = 0
    profile: str = "default"
    db: str = ":memory:"
    faults: frozenset[FaultName] = field(default_factory=frozenset)
    page_limit: int = 100
    token_encoding: str = "STRICT"
    #: The largest body the mock reads: a request's, and a partner's answer when the mock calls
    #: it (credentials handshake).
    max_body_bytes: int = 1_000_000
    #: Seconds a client has to send a request's head, and then its body (ocpi-mock answers 408
    #: and disconnects a slower one).
    read_timeout: float = 10.0
    #: Seconds a pushed CDR may take to validate (the cost check re-prices it); past them it is
    #: answered 503 and not stored.
    validation_timeout: float = 30.0
    #: Register with this partner versions URL at start-up (the handshake as client), with
    #: ``register_token`` (the partner's TOKEN_A); ``public_url`` is where this peer is reached.
    register_url: str | None = None
    register_token: str | None = None
    public_url: str | None = None
    #: The URL the peer's own URLs (versions, details, Link, Location) start with, when it is
    #: reached through a tunnel or an ingress; None: the URL each request came to.
    advertised_url: str | None = None

    def __post_init__(self) -> None:
        for role in self.roles:
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r}; roles: cpo, emsp")
        for version in self.versions:
            parse_version(version)
        for fault in self.faults:
            if fault not in FAULTS:
                raise ValueError(unknown_fault(fault))
        if self.token_encoding not in ("STRICT", "ACCEPT_BOTH"):
            raise ValueError("token_encoding takes STRICT or ACCEPT_BOTH")
        if self.page_limit < 1:
            raise ValueError("page_limit takes a number >= 1")
        if not self.read_timeout > 0 or not self.validation_timeout > 0:
            raise ValueError("read_timeout and validation_timeout take seconds > 0")
        if self.register_url and not self.public_url:
            raise ValueError("registering with a partner needs the public URL of this peer")

    def has_fault(self, fault: FaultName) -> bool:
        """Whether a fault is active (a ValueError for a name that is no fault's)."""
        if fault not in FAULTS:
            raise ValueError(unknown_fault(fault))
        return fault in self.faults
