"""The target under test: a partner's URL, or the embedded mock, behind a recording client;
and discovery (versions, then version details, then the endpoints: T-VER-01/02)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.checks.discovery import (
    Endpoints,
    check_version_details,
    check_versions,
    check_versions_token,
    details_url,
    endpoints_of,
)
from harness.checks.transport import check_response
from harness.client import OcpiClient
from harness.exchange import Exchange
from harness.findings import Finding
from harness.recording import Recorder
from harness.roles import Role
from harness.settings import EMBEDDED_URL, TargetSettings

# The targets opened in this process (the reports read what each discovered).
OPENED: weakref.WeakSet[Target] = weakref.WeakSet()


@dataclass
class Discovery:
    """What the target says it offers, and what was wrong with how it said it."""

    versions: Exchange
    details: Exchange | None = None
    endpoints: Endpoints = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class Target:
    """A target and the client that talks to it, in the role it is tested in."""

    def __init__(
        self, settings: TargetSettings, client: OcpiClient, versions_url: str, role: Role
    ) -> None:
        self.settings = settings
        self.client = client
        self.versions_url = versions_url
        self.role = role
        self._discovery: Discovery | None = None
        OPENED.add(self)

    def fingerprint(self) -> dict[str, Any] | None:
        """What discovery found (for reports): the versions offered and the endpoints of the
        version under test; None before discovery."""
        found = self._discovery
        if found is None:
            return None
        data: Any = (found.versions.envelope or {}).get("data")
        versions = (
            [str(v.get("version")) for v in data if isinstance(v, dict)]
            if isinstance(data, list)
            else []
        )
        return {
            "versions_url": self.client.recorder.redact(self.versions_url),
            "versions": versions,
            "endpoints": [
                {
                    "identifier": module,
                    "role": None if role is None else str(role),
                    "url": self.client.recorder.redact(url),
                }
                for (module, role), url in sorted(found.endpoints.items(), key=str)
            ],
        }

    def close(self) -> None:
        """Close the client."""
        self.client.close()

    def discover(self) -> Discovery:
        """Versions → version details → endpoints, once per run."""
        if self._discovery is None:
            self._discovery = _discover(self.client, self.versions_url, self.settings.version)
        return self._discovery

    def endpoint(self, module: str, role: str) -> str | None:
        """The URL of ``module`` in ``role`` (SENDER/RECEIVER; 2.1.1 has no roles)."""
        endpoints = self.discover().endpoints
        return endpoints.get((module, role)) or endpoints.get((module, None))


def open_target(settings: TargetSettings, role: Role) -> Target:
    """The target of ``settings`` in ``role`` (cpo: CDR sender, emsp: CDR receiver): its URL,
    or an embedded mock playing that role (in 2.1.1 a party's endpoints carry no role, so each
    role needs its own peer). The run's deadline counts from here: the first test that calls
    the target."""
    recorder = Recorder()
    if settings.url is not None:
        client = OcpiClient(
            settings.version,
            settings.token,
            timeout=settings.timeout,
            recorder=recorder,
            max_pages=settings.max_pages,
            home=settings.url,
            allowed_origins=settings.allowed_origins,
            run_deadline=settings.run_deadline,
        )
        return Target(settings, client, settings.url, role)
    from harness.mock import MockSettings, create_app
    from harness.mock.transport import SyncASGITransport

    app = create_app(
        MockSettings(
            roles=(role,),
            versions=(settings.version,),
            token=settings.token,
            seed=settings.seed,
            cdrs=60 if role == "cpo" else 0,
            page_limit=25,
            faults=frozenset(settings.mock_faults),
        )
    )
    transport: httpx.BaseTransport = SyncASGITransport(app)
    client = OcpiClient(
        settings.version,
        settings.token,
        transport=transport,
        timeout=settings.timeout,
        recorder=recorder,
        max_pages=settings.max_pages,
        home=EMBEDDED_URL,
        run_deadline=settings.run_deadline,
    )
    return Target(settings, client, f"{EMBEDDED_URL}/ocpi/versions", role)


def _discover(client: OcpiClient, versions_url: str, version: str) -> Discovery:
    versions = client.get(versions_url, "GET versions")
    found = Discovery(versions)
    found.findings += check_versions_token(versions, client.profile)
    found.findings += check_response(versions, client.profile)
    found.findings += check_versions(versions, version)
    url = details_url(versions, version)
    if url is None:
        return found
    details = client.get(url, f"GET {version} details")
    found.details = details
    found.findings += check_response(details, client.profile)
    found.findings += check_version_details(details, client.profile)
    found.endpoints = endpoints_of(details, client.profile)
    return found
