"""The target under test: a partner's URL, or the embedded mock, behind a recording client;
and discovery (versions, then version details, then the endpoints: T-VER-01/02)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.checks.transport import check_response
from harness.client import Exchange, OcpiClient, Recorder
from harness.findings import Finding, Level
from harness.plugin import EMBEDDED_URL, TargetSettings

# The targets opened in this process (the reports read what each discovered).
OPENED: weakref.WeakSet[Target] = weakref.WeakSet()


@dataclass
class Discovery:
    """What the target says it offers, and what was wrong with how it said it."""

    versions: Exchange
    details: Exchange | None = None
    endpoints: dict[tuple[str, str | None], str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class Target:
    """A target and the client that talks to it, in the role it is tested in."""

    def __init__(
        self, settings: TargetSettings, client: OcpiClient, versions_url: str, role: str
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


def open_target(settings: TargetSettings, role: str) -> Target:
    """The target of ``settings`` in ``role`` (cpo: CDR sender, emsp: CDR receiver): its URL,
    or an embedded mock playing that role (in 2.1.1 a party's endpoints carry no role, so each
    role needs its own peer)."""
    recorder = Recorder()
    if settings.url is not None:
        client = OcpiClient(
            settings.version,
            settings.token,
            timeout=settings.timeout,
            recorder=recorder,
            max_pages=settings.max_pages,
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
    )
    return Target(settings, client, f"{EMBEDDED_URL}/ocpi/versions", role)


def _finding(requirement: str, message: str, exchange: Exchange, where: str = "$") -> Finding:
    return Finding(requirement, Level.ERROR, message, where, exchange=exchange.label)


def _discover(client: OcpiClient, versions_url: str, version: str) -> Discovery:
    versions = client.get(versions_url, "GET versions")
    found = Discovery(versions)
    if versions.status in (401, 403):
        rule = "T-AUTH-03" if client.profile.token_base64 else "T-AUTH-02"
        encoding = "Base64-encoded" if client.profile.token_base64 else "raw"
        found.findings.append(
            _finding(
                rule,
                f"the versions endpoint refused the token "
                f"({encoding}, as OCPI {version} sends it) with HTTP "
                f"{versions.status}",
                versions,
                "Authorization",
            )
        )
    found.findings += check_response(versions, client.profile)
    data: Any = (versions.envelope or {}).get("data")
    if not isinstance(data, list) or not data:
        found.findings.append(
            _finding(
                "T-VER-01",
                "versions: data must be a non-empty list of {version, url}",
                versions,
                "$.data",
            )
        )
        return found
    match = [v for v in data if isinstance(v, dict) and v.get("version") == version]
    if not match or not isinstance(match[0].get("url"), str):
        offered = [v.get("version") for v in data if isinstance(v, dict)]
        found.findings.append(
            _finding(
                "T-VER-01",
                f"versions does not list OCPI {version} with a url (offered: {offered})",
                versions,
                "$.data",
            )
        )
        return found
    details = client.get(match[0]["url"], f"GET {version} details")
    found.details = details
    found.findings += check_response(details, client.profile)
    body: Any = (details.envelope or {}).get("data")
    endpoints = body.get("endpoints") if isinstance(body, dict) else None
    if not isinstance(endpoints, list):
        found.findings.append(
            _finding(
                "T-VER-02",
                "version details: data.endpoints must be a list",
                details,
                "$.data.endpoints",
            )
        )
        return found
    for i, endpoint in enumerate(endpoints):
        if not isinstance(endpoint, dict) or not isinstance(endpoint.get("url"), str):
            found.findings.append(
                _finding("T-VER-02", f"endpoint {i} has no url", details, f"$.data.endpoints[{i}]")
            )
            continue
        role = endpoint.get("role")
        if client.profile.roles and role not in ("SENDER", "RECEIVER"):
            found.findings.append(
                _finding(
                    "T-VER-02",
                    f"endpoint {endpoint.get('identifier')} "
                    f"has role {role!r}, not SENDER or RECEIVER",
                    details,
                    f"$.data.endpoints[{i}].role",
                )
            )
        key = (str(endpoint.get("identifier")), role if client.profile.roles else None)
        found.endpoints.setdefault(key, endpoint["url"])
    if not any(m == "credentials" for m, _ in found.endpoints):
        found.findings.append(
            _finding(
                "T-VER-02",
                "version details list no credentials endpoint (the one mandatory module)",
                details,
            )
        )
    return found
