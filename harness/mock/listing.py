"""Paginated GET of a sender list: offset, limit, date_from (inclusive) and date_to (exclusive)
on last_updated (T-PAG-01/02), X-Total-Count and X-Limit, and a Link to the next page that keeps
the filters, only when more remain (T-PAG-04/05); the pagination faults are applied here."""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from harness.mock.envelope import error, own_base, respond
from harness.mock.faults import FaultName
from harness.mock.settings import MockSettings
from harness.mock.store import Store
from harness.models.datetimes import parse_datetime
from harness.models.types import DATETIME_PATTERN
from harness.versions import version_profile

_PADDING = "x" * 10_000_000  # the huge-body fault's payload
_DATETIME = re.compile(DATETIME_PATTERN)


class BadQuery(ValueError):
    """A query parameter the mock cannot use (answered with OCPI status 2001)."""


def _whole_second(value: str, past: bool = False) -> str:
    """A DateTime query value as stored timestamps are written (whole seconds, Z), rounded up:
    stored times are whole seconds, so '>= 10:00:00.5' is '>= 10:00:01'. ``past``: the first
    whole second after the instant (to turn an inclusive bound exclusive or back, for the
    date faults)."""
    if not _DATETIME.fullmatch(value):
        raise BadQuery(f"{value!r} is not an OCPI DateTime")
    try:
        instant = parse_datetime(value)
    except ValueError:
        raise BadQuery(f"{value!r} names no real instant") from None
    if instant.microsecond or past:
        instant = instant.replace(microsecond=0) + timedelta(seconds=1)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


_MAXIMUM = 10**9


def _number(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= _MAXIMUM:
        raise BadQuery(f"{name} must be a whole number from {minimum} to {_MAXIMUM}; got {raw!r}")
    return int(raw)


def list_response(
    request: Request,
    settings: MockSettings,
    store: Store,
    table: str,
    version: str,
    headers: dict[str, str],
) -> Response:
    """One page of ``table`` for ``version`` as the query asks."""
    query = request.query_params
    try:
        offset = _number(request, "offset", 0, 0)
        asked = _number(request, "limit", settings.page_limit, 1)
        date_from = query.get("date_from")
        date_to = query.get("date_to")
        since = (
            None
            if date_from is None
            else _whole_second(date_from, past=settings.has_fault("date-from-exclusive"))
        )
        until = (
            None
            if date_to is None
            else _whole_second(date_to, past=settings.has_fault("date-to-inclusive"))
        )
    except BadQuery as exc:
        if settings.has_fault("paging-params-crash"):  # a server that int()s them unguarded
            return error(settings, 500, 3000, "internal error: ValueError")
        return error(settings, 200, 2001, f"invalid parameter: {exc}")
    if settings.has_fault("date-filter-ignored"):
        since = until = None
    limit = asked if settings.has_fault("limit-ignored") else min(asked, settings.page_limit)
    # The classic off-by-one: every page but the first starts one object late.
    served_offset = offset + 1 if settings.has_fault("offset-off-by-one") and offset else offset
    page = store.page(table, version, served_offset, limit, since, until)
    bodies = page.bodies
    if settings.has_fault("unstable-order"):
        bodies = list(bodies)
        random.Random(getattr(request.app.state, "requests", 0)).shuffle(bodies)
    bodies = (
        [_apply_content_faults(b, settings, version) for b in bodies]
        if table == "sent_cdrs"
        else bodies
    )
    out = dict(headers)
    if not settings.has_fault("no-total-count"):
        out["X-Total-Count"] = str(page.total)
    if not settings.has_fault("no-x-limit"):
        out["X-Limit"] = str(
            len(bodies) if settings.has_fault("x-limit-is-count") else settings.page_limit
        )
    more = served_offset + len(bodies) < page.total
    link = _next_link(request, settings, offset + limit, limit, more)
    if link is not None:
        out["Link"] = link
    elif settings.has_fault("empty-link-on-last-page"):
        out["Link"] = ""
    raw = "[" + ",".join(bodies) + "]"
    if settings.has_fault("huge-body"):
        raw = "[" + ",".join(bodies) + ("," if bodies else "") + json.dumps(_PADDING) + "]"
    return respond(settings, raw_data=raw, headers=out, is_list=True)


def _next_link(
    request: Request, settings: MockSettings, offset: int, limit: int, more: bool
) -> str | None:
    if settings.has_fault("link-loop"):
        return f'<{request.url}>; rel="next"'
    if settings.has_fault("no-link") or not (more or settings.has_fault("link-on-last-page")):
        return None
    params: dict[str, Any] = {}
    if not settings.has_fault("link-drops-filters"):
        params.update(
            {k: v for k, v in request.query_params.items() if k in ("date_from", "date_to")}
        )
    params.update({"offset": offset, "limit": limit})
    base = str(request.url.replace(query=""))
    if settings.advertised_url:  # reached through a tunnel or an ingress: its URL, not ours
        base = f"{own_base(request)}{request.url.path}"
    if settings.has_fault("link-other-host"):
        base = str(request.url.replace(query="", hostname="other.example"))
    return f'<{base}?{urlencode(params)}>; rel="next"'


def _apply_content_faults(body: str, settings: MockSettings, version: str) -> str:
    """Serve a stored CDR as the CDR faults spoil it (C-003, C-010, C-011, C-026)."""
    spoilers: tuple[FaultName, ...] = (
        "cdr-2.1.1-shape",
        "cost-off",
        "energy-total-off",
        "time-in-seconds",
    )
    if not any(settings.has_fault(f) for f in spoilers):
        return body
    cdr = json.loads(body)
    if settings.has_fault("cost-off"):
        cost = cdr["total_cost"]
        if isinstance(cost, dict):
            for key in ("excl_vat", "incl_vat", "before_taxes"):
                if key in cost:
                    cost[key] = round(cost[key] * 1.03, 4)
        else:
            cdr["total_cost"] = round(cost * 1.03, 4)
    if settings.has_fault("energy-total-off"):
        cdr["total_energy"] = round(cdr["total_energy"] + 1.5, 4)
    if settings.has_fault("time-in-seconds"):
        cdr["total_time"] = round(cdr["total_time"] * 3600)
    # A 2.2+ CDR takes the 2.1.1 names and shapes (a 2.1.1 CDR has them already).
    if settings.has_fault("cdr-2.1.1-shape") and version_profile(version).money_shape == "price":
        cdr["stop_date_time"] = cdr.pop("end_date_time")
        cdr["location"] = cdr.pop("cdr_location")
        cdr["auth_id"] = cdr.pop("cdr_token")["contract_id"]
        cost = cdr["total_cost"]
        cdr["total_cost"] = cost.get("excl_vat", cost.get("before_taxes"))
    return json.dumps(cdr, ensure_ascii=False)
