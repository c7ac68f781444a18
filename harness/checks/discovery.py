"""Pure checks of discovery: the versions list and the version details (T-VER-01/02), and a
versions endpoint that refuses the token (T-AUTH-02/03); with the readers that take the
details URL and the endpoints out of those answers, which the target's discovery uses too."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from harness.checks.exchange_finding import answer_fact, blocked, not_judgeable
from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.exchange import Exchange, origin
from harness.findings import Finding
from harness.versions import PROFILES, VersionProfile

Endpoints = dict[tuple[str, str | None], str]


def _unreadable(answer: Exchange, profile_token_rule: str) -> tuple[str, str] | None:
    """The root cause when a discovery answer holds nothing to read, that another check
    reports: the token refused (T-AUTH-02/03, check_versions_token), a server error
    (T-HTTP-02) or a body that is no envelope (T-ENV-01, the response check)."""
    fact = answer_fact(answer)
    if answer.status in (401, 403):
        return profile_token_rule, fact
    if answer.status is not None and answer.status >= 500:
        return "T-HTTP-02", fact
    if answer.envelope is None:
        return "T-ENV-01", f"{fact}: not the OCPI envelope"
    return None


def _data(exchange: Exchange) -> Any:
    return (exchange.envelope or {}).get("data")


def slash_redirect(answer: Exchange) -> str | None:
    """Where an endpoint URL redirects to, when only a trailing slash differs (a web
    framework's ``redirect_slashes``): the URL the module answers at, after the finding."""
    onward = redirect_on_origin(answer)
    if onward is None:
        return None
    asked, told = urlsplit(answer.url), urlsplit(onward)
    same = asked.path.rstrip("/") == told.path.rstrip("/") and asked.query == told.query
    return urlunsplit(told._replace(query="")) if same else None


def redirect_on_origin(answer: Exchange) -> str | None:
    """Where a discovery answer that is a redirect points, when that is on the same origin
    (a slash added, say): discovery goes on there, after its finding (``check_redirect``)."""
    location = answer.header("Location")
    if answer.status not in (301, 302, 303, 307, 308) or not location:
        return None
    where = urljoin(answer.url, location)
    return where if origin(where) == origin(answer.url) and where != answer.url else None


@check(requirements=("H-HTTP-04",), needs=("response",))
def check_redirect(answer: Exchange, followed: Exchange) -> list[Finding]:
    """A discovery URL answered with a redirect on the target's own origin, which discovery
    followed to go on (``followed``): the redirect is a finding all the same (H-HTTP-04), a
    partner's client may follow none."""
    if answer.status is None or not 300 <= answer.status < 400:
        return []
    message = (
        f"{answer_fact(answer)}: a redirect instead of the answer; followed, on the target's "
        f"origin, only to go on with discovery ({followed.label}: {answer_fact(followed)})"
    )
    return [_f(answer, "H-HTTP-04", message, "Location", seen=answer.header("Location"))]


def details_url(versions: Exchange, version: str) -> str | None:
    """The details URL of ``version`` in a versions answer, if it lists one (a lone object
    where the list belongs is read too: check_versions reports the shape)."""
    data = _data(versions)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return None
    match = [v for v in data if isinstance(v, dict) and v.get("version") == version]
    url = match[0].get("url") if match else None
    return url if isinstance(url, str) else None


def endpoints_of(details: Exchange, profile: VersionProfile) -> Endpoints:
    """The endpoints of a version details answer, by (module, role); the role is None in a
    version without roles. The first of two with the same key wins."""
    body = _data(details)
    listed = body.get("endpoints") if isinstance(body, dict) else None
    found: Endpoints = {}
    for endpoint in listed if isinstance(listed, list) else []:
        if isinstance(endpoint, dict) and isinstance(endpoint.get("url"), str):
            role = endpoint.get("role") if profile.roles else None
            found.setdefault((str(endpoint.get("identifier")), role), endpoint["url"])
    return found


@check(requirements=("T-AUTH-02", "T-AUTH-03"), needs=("response",))
def check_versions_token(versions: Exchange, profile: VersionProfile) -> list[Finding]:
    """The versions endpoint takes the token in the version's encoding (T-AUTH-02/03)."""
    rule = "T-AUTH-03" if profile.token_base64 else "T-AUTH-02"
    unjudged = not_judgeable(versions, (rule,), "whether the versions endpoint takes the token")
    if unjudged is not None:  # the redirect itself is check_versions' finding
        return [f for f in unjudged if f.outcome is not None]
    if versions.status not in (401, 403):
        return []
    encoding = "Base64-encoded" if profile.token_base64 else "raw"
    message = (
        f"the versions endpoint refused the token ({encoding}, as OCPI {profile.version} sends "
        f"it): {answer_fact(versions)}"
    )
    return [_f(versions, rule, message, "Authorization")]


@check(requirements=("T-VER-01", "H-HTTP-04"), needs=("response",))
def check_versions(versions: Exchange, version: str) -> list[Finding]:
    """The versions answer lists the version under test with its details URL (T-VER-01)."""
    question = "which versions the target offers"
    unjudged = not_judgeable(versions, ("T-VER-01",), question)
    if unjudged is not None:
        return unjudged
    # The token rule of the version asked for (a refusal is check_versions_token's finding)
    asked = PROFILES.get(version)  # type: ignore[call-overload]
    cause = _unreadable(versions, "T-AUTH-03" if asked and asked.token_base64 else "T-AUTH-02")
    if cause is not None:
        return blocked(versions, ("T-VER-01",), question, cause)
    data = _data(versions)
    if not isinstance(data, list) or not data:
        message = (
            "versions: data must be a non-empty list of {version, url}; got "
            f"{answer_fact(versions)}"
        )
        return [_f(versions, "T-VER-01", message, "$.data")]
    if details_url(versions, version) is None:
        offered = [v.get("version") for v in data if isinstance(v, dict)]
        message = f"versions does not list OCPI {version} with a url (offered: {offered})"
        return [_f(versions, "T-VER-01", message, "$.data")]
    return []


@check(requirements=("T-VER-02", "H-HTTP-04"), needs=("response",))
def check_version_details(details: Exchange, profile: VersionProfile) -> list[Finding]:
    """The version details list endpoints, each with a url and (2.2+) a role, credentials among
    them (T-VER-02)."""
    question = "which endpoints the version offers"
    unjudged = not_judgeable(details, ("T-VER-02",), question)
    if unjudged is not None:
        return unjudged
    cause = _unreadable(details, "T-AUTH-03" if profile.token_base64 else "T-AUTH-02")
    if cause is not None:
        return blocked(details, ("T-VER-02",), question, cause)
    body = _data(details)
    endpoints = body.get("endpoints") if isinstance(body, dict) else None
    if not isinstance(endpoints, list):
        message = f"version details: data.endpoints must be a list; got {answer_fact(details)}"
        return [_f(details, "T-VER-02", message, "$.data.endpoints")]
    findings = []
    for i, endpoint in enumerate(endpoints):
        where = f"$.data.endpoints[{i}]"
        if not isinstance(endpoint, dict) or not isinstance(endpoint.get("url"), str):
            findings.append(_f(details, "T-VER-02", f"endpoint {i} has no url", where))
            continue
        role = endpoint.get("role")
        if profile.roles and role not in ("SENDER", "RECEIVER"):
            message = (
                f"endpoint {endpoint.get('identifier')} has role {role!r}, not SENDER or RECEIVER"
            )
            findings.append(_f(details, "T-VER-02", message, f"{where}.role"))
    if not any(module == "credentials" for module, _ in endpoints_of(details, profile)):
        message = "version details list no credentials endpoint (the one mandatory module)"
        findings.append(_f(details, "T-VER-02", message))
    return findings
