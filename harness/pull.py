"""An eMSP's CDR pulls, made by the harness: it finds a CPO's CDR sender through the versions
URL and reads the list page by page, following Link, then syncs again with date_from for what
changed, as an eMSP's client does.

It is the client the harness's own pull scenario judges when no partner is given; its named
client faults (``PULL_FAULTS``) each break one rule an eMSP's client keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from harness.checks.transport import routing_headers
from harness.client import OcpiClient
from harness.exchange import Exchange, next_link
from harness.push import EMSP_PARTY, PEER_PARTY, PeerError, find_cdrs_endpoint

__all__ = ["PULL_FAULTS", "PullResult", "find_sender", "pull_cdrs"]

PULL_FAULTS: dict[str, str] = {
    "ignore-link": "reads the first page only, whatever its Link says (H-PULL-01)",
    "page-twice": "asks for every page twice (H-PULL-01)",
    "re-read-all": "syncs again without date_from, reading every CDR again (H-PULL-02)",
    "over-limit": "asks limit=1000 on every page after X-Limit said less (H-PULL-01)",
    "raw-token": "sends the token raw in 2.2+ (T-AUTH-03) or Base64 in 2.1.1 (T-AUTH-02)",
    "no-request-id": "sends no X-Request-ID (T-HDR-03)",
    "no-routing-headers": "sends no OCPI-from/to routing headers (T-ROUTE-01)",
}


@dataclass
class PullResult:
    """The ids read, in order, and each page's exchange."""

    ids: list[str] = field(default_factory=list)
    pages: list[Exchange] = field(default_factory=list)


def find_sender(client: OcpiClient, versions_url: str) -> str:
    """The cdrs SENDER endpoint (2.1.1: the cdrs endpoint) the versions URL leads to."""
    return find_cdrs_endpoint(client, versions_url, "SENDER")


def pull_cdrs(
    client: OcpiClient,
    sender: str,
    since: str | None = None,
    faults: frozenset[str] = frozenset(),
    label: str = "pull",
) -> PullResult:
    """One sync: every page of the list at ``sender`` (from ``since`` on, as date_from),
    following Link, as ``faults`` say."""
    unknown = sorted(faults - PULL_FAULTS.keys())
    if unknown:
        raise PeerError(f"unknown client fault {unknown[0]!r}: one of {', '.join(PULL_FAULTS)}")
    result = PullResult()
    url: str | None = sender
    params: dict[str, Any] | None = {} if since is None else {"date_from": since}
    number = 0
    while url is not None and number < 1000:
        number += 1
        if "over-limit" in faults and number > 1:
            params = {**(params or {}), "limit": 1000}
        page = _get(client, url, params, faults, f"{label} page {number}")
        if "page-twice" in faults:
            page = _get(client, url, params, faults, f"{label} page {number} again")
        result.pages.append(page)
        data = (page.envelope or {}).get("data")
        if not isinstance(data, list):
            break
        result.ids += [str(o.get("id")) for o in data if isinstance(o, dict)]
        if "ignore-link" in faults:
            break
        link = next_link(page, page.url)
        if link is None:
            break
        if "over-limit" in faults:
            url, params = sender, {**_query(link), "limit": 1000}
        else:
            url, params = link, None
    return result


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def _get(
    client: OcpiClient,
    url: str,
    params: dict[str, Any] | None,
    faults: frozenset[str],
    label: str,
) -> Exchange:
    headers: dict[str, str | None] = {}
    if client.profile.request_ids:
        if "no-request-id" in faults:
            headers["X-Request-ID"] = None
        if "no-routing-headers" not in faults:
            headers.update(routing_headers(EMSP_PARTY, PEER_PARTY))
    authorization = "default"
    if "raw-token" in faults:
        authorization = client.authorization(
            encoding="raw" if client.profile.token_base64 else "base64"
        )
    return client.request(
        "GET", url, label, params=params, headers=headers, authorization=authorization
    )


def latest_stamp(pages: list[Exchange]) -> str | None:
    """The latest last_updated of the CDRs on ``pages``: where the next sync starts."""
    stamps = [
        str(o["last_updated"])
        for page in pages
        for o in ((page.envelope or {}).get("data") or [])
        if isinstance(o, dict) and isinstance(o.get("last_updated"), str)
    ]
    return max(stamps) if stamps else None
