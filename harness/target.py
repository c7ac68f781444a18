"""The target under test: a partner's URL, or the embedded mock, behind a recording client;
and discovery (versions, then version details, then the endpoints: T-VER-01/02)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.checks.discovery import (
    Endpoints,
    check_redirect,
    check_version_details,
    check_versions,
    check_versions_token,
    details_url,
    endpoints_of,
    redirect_on_origin,
    slash_redirect,
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
        """The URL of ``module`` in ``role`` (SENDER/RECEIVER; 2.1.1 has no roles): the one
        given by hand (--ocpi-endpoint), else the one discovery found."""
        given = self.settings.endpoints
        by_hand = given.get((module, role)) or given.get((module, None))
        if by_hand is not None:
            return by_hand
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
            rate=settings.rate,
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
    versions, redirected = _get(client, versions_url, "GET versions")
    found = Discovery(versions, findings=redirected)
    found.findings += check_versions_token(versions, client.profile)
    found.findings += check_response(versions, client.profile)
    found.findings += check_versions(versions, version)
    url = details_url(versions, version)
    if url is None:
        found.findings = _once(found.findings)
        return found
    details, redirected = _get(client, url, f"GET {version} details")
    found.details = details
    found.findings += redirected
    found.findings += check_response(details, client.profile)
    found.findings += check_version_details(details, client.profile)
    found.endpoints = endpoints_of(details, client.profile)
    for key, endpoint in found.endpoints.items():
        if key[0] in _JUDGED_MODULES:
            found.endpoints[key] = _settled(client, endpoint, key, found.findings)
    found.findings = _once(found.findings)
    return found


def _once(findings: list[Finding]) -> list[Finding]:
    """Each finding once: a redirect is both the response check's finding and the discovery
    check's (one exchange, one message, two check names)."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for f in findings:
        key = (f.requirement, f.level, f.exchange, f.message, f.outcome)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


# The modules the suites call: where each answers is asked once at discovery
_JUDGED_MODULES = ("cdrs",)


def _settled(
    client: OcpiClient, url: str, key: tuple[str, str | None], findings: list[Finding]
) -> str:
    """Where a module answers: its URL, or the same with a slash added or dropped when it
    redirects there (a web framework's trailing-slash redirect). That redirect is one finding
    (H-HTTP-04), and the suites then judge the module at the URL it answers at, so the
    defects behind it are told in the same run."""
    module, role = key
    label = f"GET {module} {role or ''} endpoint (where it answers)".replace("  ", " ")
    answer = client.get(url, label, params={"limit": 1} if role != "RECEIVER" else None)
    onward = slash_redirect(answer)
    if onward is None:
        return url
    followed = client.get(onward, f"{label} at the redirect's Location")
    findings += check_redirect(answer, followed)
    return onward


def _get(client: OcpiClient, url: str, label: str) -> tuple[Exchange, list[Finding]]:
    """A discovery answer, past one redirect on the target's origin (a slash added): the
    answer to read on, and the redirect's finding. Elsewhere the token never goes."""
    answer = client.get(url, label)
    onward = redirect_on_origin(answer)
    if onward is None:
        return answer, []
    followed = client.get(onward, f"{label} at the redirect's Location")
    return followed, check_redirect(answer, followed)
