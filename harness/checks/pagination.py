"""Pure checks of pagination and date filters: each page of a list, crawls of the same list
compared, the next-page Link, offsets and the date window (T-PAG-01..06), and why a crawl
stopped before the list ended (H-PAG-01/02)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from harness.checks.exchange_finding import answer_fact, blocked, not_judgeable, partial
from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.exchange import Crawl, CrawlStop, Exchange, as_count, next_link, origin
from harness.findings import Finding, Level
from harness.models.datetimes import parse_datetime
from harness.versions import VersionProfile


def _int_header(exchange: Exchange, name: str) -> int | None:
    return as_count(exchange.header(name))


@check(requirements=("T-PAG-04", "T-PAG-05"), needs=("list page",))
def check_page(exchange: Exchange, profile: VersionProfile, offset: int) -> list[Finding]:
    """A page of a list: X-Total-Count and X-Limit present and sane, data within X-Limit, and
    a Link rel=next exactly when objects remain after this page (T-PAG-04; a missing one on a
    later page is judged by the crawl, which can see whether objects do remain)."""
    envelope = exchange.envelope
    if exchange.error or envelope is None or not isinstance(envelope.get("data"), list):
        return []
    data = envelope["data"]
    findings = []
    total = _int_header(exchange, "X-Total-Count")
    limit = _int_header(exchange, "X-Limit")
    if total is None:
        findings.append(
            _f(
                exchange,
                "T-PAG-04",
                "X-Total-Count missing or not a number",
                "X-Total-Count",
                seen=exchange.header("X-Total-Count"),
            )
        )
    if limit is None or limit < 1:
        findings.append(
            _f(
                exchange,
                "T-PAG-04",
                "X-Limit missing or not a positive number",
                "X-Limit",
                seen=exchange.header("X-Limit"),
            )
        )
    elif len(data) > limit:
        findings.append(
            _f(
                exchange,
                "T-PAG-05",
                f"{len(data)} objects on a page whose X-Limit is {limit}: the limit is not "
                "clamped to the server's maximum",
                "X-Limit",
                expected=f"<= {limit}",
                seen=len(data),
            )
        )
    if total is not None:
        link = next_link(exchange, exchange.url)
        remaining = offset + len(data) < total
        # Past the first page the count may be off because the offsets are (T-PAG-01): there
        # the crawl asks the next offset before blaming the Link (check_crawl_stop).
        if remaining and link is None and offset == 0:
            findings.append(
                _f(
                    exchange,
                    "T-PAG-04",
                    f"objects remain ({offset + len(data)} of "
                    f'{total} seen) but there is no Link rel="next"',
                    "Link",
                )
            )
        if link is None and "link" in exchange.response_headers:
            # An empty Link is not no Link: a reader that splits it finds a next page of ""
            findings.append(
                _f(
                    exchange,
                    "T-PAG-04",
                    "an empty Link header: a page without a next one carries no Link at all",
                    "Link",
                    seen=repr(exchange.header("Link")),
                )
            )
        if not remaining and link is not None:
            findings.append(
                _f(
                    exchange,
                    "T-PAG-04",
                    f'the last page ({offset + len(data)} of {total}) still has a Link rel="next"',
                    "Link",
                    seen=link,
                )
            )
    return findings


@check(requirements=("T-PAG-04", "T-PAG-05"), needs=("list page",))
def check_link_keeps(
    exchange: Exchange, params: dict[str, str], limit: int | None
) -> list[Finding]:
    """The next-page Link repeats the request's filters (T-PAG-04) and, when the client asked
    for more than the server gives, uses the server's limit (T-PAG-05)."""
    link = next_link(exchange, exchange.url)
    if link is None:
        return []
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    findings = []
    for name in dropped_filters(link, params):
        findings.append(
            _f(
                exchange,
                "T-PAG-04",
                f"the Link drops or changes {name}",
                "Link",
                expected=params[name],
                seen=query.get(name),
            )
        )
    x_limit = _int_header(exchange, "X-Limit")
    asked = as_count(query.get("limit"))
    if limit is not None and x_limit is not None and asked is not None and asked > x_limit:
        findings.append(
            _f(
                exchange,
                "T-PAG-05",
                f"the Link asks limit={query['limit']} above X-Limit {x_limit}",
                "Link",
            )
        )
    return findings


@check(requirements=("T-PAG-01", "T-PAG-04", "T-PAG-06"), needs=("two complete crawls",))
def check_crawl(
    label: str,
    small: Sequence[str],
    big: Sequence[str],
    totals: Sequence[int | None],
    incomplete: tuple[str, str] | None = None,
    big_incomplete: tuple[str, str] | None = None,
) -> list[Finding]:
    """A crawl with a small page size against one with a large one (the same objects, each
    once, in a stable order: T-PAG-01/06) and X-Total-Count constant and true (T-PAG-04).

    Each conclusion needs its evidence whole: an object missing from the paged crawl needs
    that crawl complete (else ``incomplete`` names why, and that is blocked), the order both
    crawls, X-Total-Count against the count one of them (``big_incomplete`` for the other).
    What the pages seen show (an object twice, X-Total-Count changing) is always judged; an
    object seen twice means the order moved under the crawl, which makes it incomplete."""
    findings = []
    where = label
    duplicates = sorted(i for i, times in Counter(small).items() if times > 1)
    if duplicates:
        findings.append(
            _f(
                where,
                "T-PAG-06",
                f"{len(duplicates)} objects came twice while paging, e.g. {duplicates[:3]}",
                seen=len(duplicates),
            )
        )
    if duplicates and incomplete is None:  # an order that moves under a crawl hides objects too
        fact = f"{len(duplicates)} objects came twice: the order changed between pages"
        incomplete = ("T-PAG-06", fact)
    known = {t for t in totals if t is not None}
    if len(known) > 1:
        message = f"X-Total-Count changed while paging: {sorted(known)}"
        findings.append(_f(where, "T-PAG-04", message, "X-Total-Count"))
    missing = sorted(set(big) - set(small))
    if incomplete is not None:
        findings += blocked(
            where, ("T-PAG-01",), "whether the paged crawl lists every object", incomplete
        )
    elif missing:
        findings.append(
            _f(
                where,
                "T-PAG-01",
                f"{len(missing)} objects of the one-page crawl are "
                f"missing from the paged crawl, e.g. {missing[:3]}",
                seen=len(missing),
            )
        )
    whole = incomplete is None and big_incomplete is None
    cut = incomplete or big_incomplete
    if cut is not None and not duplicates:  # the orders of two crawls compare only when whole
        findings += blocked(where, ("T-PAG-06",), "whether both crawls list one order", cut)
    if whole and not duplicates and not missing and list(dict.fromkeys(small)) != list(big):
        findings.append(
            _f(
                where,
                "T-PAG-06",
                "the paged crawl and the one-page crawl give the objects in different orders",
                level=Level.WARNING,
            )
        )
    if incomplete is not None and big_incomplete is not None:
        question = "whether X-Total-Count counts the objects listed"
        return findings + blocked(where, ("T-PAG-04",), question, incomplete)
    # Counted over both crawls: an object the paged crawl missed (T-PAG-01 above) still
    # counts, so that X-Total-Count is not blamed for the offsets.
    found = len(set(small) | set(big))
    if len(known) == 1 and (total := known.pop()) != found:
        findings.append(
            _f(
                where,
                "T-PAG-04",
                f"X-Total-Count says {total} but the crawls found {found} objects",
                "X-Total-Count",
                expected=found,
                seen=total,
            )
        )
    return findings


@check(requirements=("T-PAG-02",), needs=("complete crawl", "date-window crawls"))
def check_date_window(
    label: str,
    pivot: str,
    every: Sequence[tuple[str, str]],
    after: Sequence[str],
    before: Sequence[str],
    profile: VersionProfile,
    incomplete: tuple[str, str] | None = None,
    every_incomplete: tuple[str, str] | None = None,
) -> list[Finding]:
    """date_from is inclusive and date_to exclusive on last_updated (T-PAG-02), the filters
    are applied at all; ``every`` is (id, last_updated) of the unfiltered crawl, ``after`` the
    ids with date_from=pivot, ``before`` those with date_to=pivot (objects the unfiltered crawl
    did not see, when it is ``every_incomplete``, are not dated: partial). When a crawl is
    ``incomplete`` (its root cause), an object returned outside the window is still a finding,
    one missing from it is not known: that part is blocked.

    Only objects whose last_updated in ``every`` is an OCPI DateTime are judged: the others
    (and ids ``every`` does not date) are left out, and the check says it ran on part of the
    evidence; a pivot that is no DateTime blocks it (the schema check judges the format)."""
    where = label
    moment = datetime_instant(pivot)
    if moment is None:
        cause = ("T-TYPE-02", f"the pivot {pivot!r} is not an OCPI DateTime")
        return blocked(where, ("T-PAG-02",), "the date window", cause)
    stamps = {i: instant for i, t in every if (instant := datetime_instant(t)) is not None}
    seen = {i for i, _ in every}
    undated = sorted(seen - stamps.keys())
    unseen = sorted((set(after) | set(before)) - seen)
    after = [i for i in after if i in stamps]
    before = [i for i in before if i in stamps]
    at_or_after = {i for i, t in stamps.items() if t >= moment}
    strictly_before = {i for i, t in stamps.items() if t < moment}
    exactly = {i for i, t in stamps.items() if t == moment}
    level = Level.ERROR if profile.date_bounds_defined else Level.INFO
    findings = []
    if undated:
        fact = f"{len(undated)} have no last_updated that is an OCPI DateTime, e.g. {undated[:3]}"
        findings.append(
            partial(where, "T-PAG-02", f"{len(stamps)} objects dated", ("T-TYPE-02", fact))
        )
    if unseen:  # listed only with a filter: their last_updated is not known
        cause = every_incomplete or (
            "T-PAG-01",
            f"{len(unseen)} objects the filtered lists return are not in the unfiltered list, "
            f"e.g. {unseen[:3]}",
        )
        findings.append(partial(where, "T-PAG-02", f"{len(stamps)} objects dated", cause))
    if set(after) - at_or_after:
        findings.append(
            _f(
                where,
                "T-PAG-02",
                f"date_from={pivot} returned objects updated before it: the filter is not applied",
                "date_from",
            )
        )
    if set(before) & at_or_after - exactly:
        findings.append(
            _f(
                where,
                "T-PAG-02",
                f"date_to={pivot} returned objects updated after it: the filter is not applied",
                "date_to",
            )
        )
    if incomplete is not None:
        question = "whether every object inside the window is returned"
        return findings + blocked(where, ("T-PAG-02",), question, incomplete)
    if exactly - set(after):
        findings.append(
            _f(
                where,
                "T-PAG-02",
                f"date_from={pivot} left out the objects updated "
                "exactly then: date_from is inclusive",
                "date_from",
                level,
            )
        )
    if exactly & set(before):
        findings.append(
            _f(
                where,
                "T-PAG-02",
                f"date_to={pivot} included the objects updated exactly then: date_to is exclusive",
                "date_to",
                level,
            )
        )
    if strictly_before - set(before) or at_or_after - exactly - set(after):
        findings.append(
            _f(where, "T-PAG-02", "objects inside the date window are missing", "date_from", level)
        )
    return findings


def readable_instant(stamp: object) -> str | None:
    """A last_updated that is no OCPI DateTime but names an instant all the same (``2025-01-01
    10:00:00+00:00``: a space, an offset), rewritten as the OCPI DateTime of that instant; None
    when it names none. The crawl dates such objects by it, so that the date filters are
    still judged; the schema check reports the format (T-TYPE-02)."""
    if not isinstance(stamp, str) or len(stamp) > 64:
        return None
    try:
        moment = datetime.fromisoformat(stamp.strip())
        if moment.tzinfo is not None:  # a naive one is UTC, as OCPI reads a DateTime without Z
            moment = moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # no instant, or one past year 1 or 9999 in UTC
        return None
    fraction = f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else ""
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}{fraction}Z"


def datetime_instant(stamp: object) -> datetime | None:
    """The instant an OCPI DateTime names, or None for anything else (a last_updated missing,
    of another type, or naming no real instant: the schema check reports it, T-TYPE-02)."""
    if not isinstance(stamp, str):
        return None
    try:
        return parse_datetime(stamp)
    except ValueError:
        return None


@check(requirements=("T-PAG-04",), needs=("complete crawl",))
def check_x_limit_steady(
    label: str, x_limits: Sequence[int | None], profile: VersionProfile
) -> list[Finding]:
    """X-Limit is the server's maximum, the same on every page, not the size of the page
    (T-PAG-04; 2.1.1 words it both ways, AMB-07)."""
    known = sorted({x for x in x_limits if x is not None})
    if len(known) < 2:
        return []
    level = Level.ERROR if profile.x_limit_is_maximum else Level.INFO
    where = label
    return [
        _f(
            where,
            "T-PAG-04",
            f"X-Limit changed between pages of one crawl: {known}; it is "
            "the server's maximum, not the number of objects on the page",
            "X-Limit",
            level,
        )
    ]


@check(requirements=("T-PAG-01",), needs=("offset pages",))
def check_offset(
    first: Exchange, shifted: Exchange, unstable: tuple[str, str] | None = None
) -> list[Finding]:
    """offset=1 starts with the second object of offset=0 (T-PAG-01). When the order is
    ``unstable`` (the root cause: objects that moved between two crawls, T-PAG-06), two
    requests need not agree: a mismatch is then not judged (blocked)."""
    a = (first.envelope or {}).get("data")
    b = (shifted.envelope or {}).get("data")
    if not isinstance(a, list) or not isinstance(b, list) or len(a) < 2 or not b:
        return []
    if not (isinstance(a[1], dict) and isinstance(b[0], dict)) or a[1].get("id") == b[0].get("id"):
        return []
    if unstable is not None:
        return blocked(
            shifted, ("T-PAG-01",), "whether offset=1 starts at the second object", unstable
        )
    return [
        _f(
            shifted,
            "T-PAG-01",
            f"offset=1 starts with {b[0].get('id')}, not with the second "
            f"object of offset=0 ({a[1].get('id')})",
            "offset",
            expected=a[1].get("id"),
            seen=b[0].get("id"),
        )
    ]


def dropped_filters(link: str, params: dict[str, Any]) -> list[str]:
    """The date filters of ``params`` that the next-page ``link`` drops or changes: following
    it would list other objects than those asked for (T-PAG-04)."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    return [
        name
        for name, value in params.items()
        if name in ("date_from", "date_to") and query.get(name) != str(value)
    ]


@check(requirements=("H-PAG-01", "H-PAG-02", "T-PAG-04"), needs=("list page",))
def check_crawl_stop(crawl: Crawl) -> list[Finding]:
    """A crawl ended because the list ended, not because its Link looped, left the target,
    went on past the page limit (H-PAG-01/02) or led to no page (T-PAG-04: the Link is the
    URL of the next page)."""
    stop = crawl.stop
    if stop is None:
        return []
    found = _stop_finding(stop)
    if stop.continued:
        # The crawl went on by offset: say so where the Link's defect is told, so the reader
        # knows on what the completeness and date checks were judged.
        found = [
            dataclasses.replace(f, message=f"{f.message}; continued by offset after the Link "
                                f"failed: {stop.continued}")
            for f in found
        ]  # fmt: skip
    return found


def _stop_finding(stop: CrawlStop) -> list[Finding]:
    if stop.reason == "budget":  # the run's plan ended the crawl: what it saw is a part
        return []
    if stop.reason == "empty-page":
        message = (
            f"page {stop.page} lists no object and still links to another ({stop.url}): "
            "the Link goes on past the end of the list"
        )
        return [_f(None, "H-PAG-01", message, "Link", seen=stop.url)]
    if stop.reason == "link-missing":
        message = (
            f'page {stop.page} has no Link rel="next", yet objects remain: {stop.fact} ({stop.url})'
        )
        return [_f(None, "T-PAG-04", message, "Link", seen=stop.url)]
    if stop.reason == "drops-filters":
        message = (
            f"the Link of page {stop.page} drops or changes {stop.fact}: following it would "
            "list other objects than those asked for, so the crawl stops there"
        )
        return [_f(None, "T-PAG-04", message, "Link", seen=stop.url)]
    if stop.reason == "broken-link":
        message = (
            f"the Link of page {stop.page} leads to no page: {stop.url} answered {stop.fact}"
            f"{link_diagnosis(stop.url)}"
        )
        return [_f(None, "T-PAG-04", message, "Link", seen=stop.url)]
    if stop.reason == "loop":
        message = f"page {stop.page} repeats an earlier URL ({stop.url}): the Link loops"
        return [_f(None, "H-PAG-01", message, "Link")]
    if stop.reason == "other-origin":
        message = (
            f"the Link of page {stop.page} leaves the target for {origin(stop.url)}: not "
            "followed, the token is never sent there"
        )
        return [_f(None, "H-PAG-02", message, "Link")]
    message = f"still a Link after {stop.page} pages (--ocpi-max-pages)"
    return [_f(None, "H-PAG-01", message, "Link")]


@check(
    requirements=("C-001", "C-002", "C-010", "C-012", "C-026"),
    needs=("complete crawl",),
    roles=("cpo",),
)
def check_every_object_seen(
    checked: int,
    totals: Sequence[int | None],
    incomplete: tuple[str, str] | None,
    rules: tuple[str, ...],
    noun: str = "CDRs",
) -> list[Finding]:
    """The object ``rules`` were judged on every object of the list: after a crawl that did
    not reach the end (its root cause ``incomplete``), each is judged on part of the evidence
    only ("7 of 150 CDRs"), never taken for a pass."""
    if incomplete is None:
        return []
    if not checked:  # nothing seen: nothing judged, not a part
        return blocked(None, rules, f"the {noun} listed", incomplete)
    total = next((t for t in totals if t is not None), None)
    seen = f"{checked} of {total} {noun}" if total else f"{checked} {noun}, the rest unknown"
    return [partial(None, rule, f"{seen} checked", incomplete) for rule in rules]


@check(requirements=("T-PAG-01",), needs=("complete crawl",), roles=("cpo",))
def check_something_listed(
    checked: int, incomplete: tuple[str, str] | None = None, noun: str = "CDRs"
) -> list[Finding]:
    """The list holds something to validate (a warning: an empty list proves nothing). A
    crawl that ended early (its root cause ``incomplete``) says nothing of what is listed."""
    if checked:
        return []
    if incomplete is not None:
        return blocked(None, ("T-PAG-01",), f"whether the target lists {noun}", incomplete)
    message = f"the target lists no {noun}: nothing to validate"
    return [_f(None, "T-PAG-01", message, level=Level.WARNING)]


_LANGUAGE_ENUM = re.compile(r"\b[A-Z][A-Za-z]+\.[a-z_0-9]+\b")


def link_diagnosis(url: str) -> str:
    """What looks wrong in a URL a target handed back, as a clause to append ("; ..."), or
    nothing: an enum's name in the path (``VersionNumber.v_2_2_1``: a language's enum printed,
    not its value), ``None``/``null`` as a query value, a relative URL."""
    parts = urlsplit(url)
    said = []
    for match in _LANGUAGE_ENUM.findall(unquote(parts.path)):
        said.append(f"the path holds {match!r}, a program's enum name, not its value")
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if value in ("None", "null", "undefined"):
            said.append(f"the query sets {name}={value}")
    if not parts.scheme or not parts.netloc:
        said.append("it is not an absolute URL")
    return "".join(f"; {s}" for s in said)


@check(requirements=("T-HTTP-02", "H-HTTP-04"), needs=("response",), roles=("cpo",))
def check_bad_paging_refused(answer: Exchange, what: str) -> list[Finding]:
    """A list request with an invalid ``what`` (a negative or non-numeric offset or limit) is
    refused as a client error, status 2001, not with a server error (T-HTTP-02). What a server
    does with it is not specified (AMB-06): taking it, or another 2xxx, is only noted."""
    unjudged = not_judgeable(answer, ("T-HTTP-02",), f"how {what} is answered")
    if unjudged is not None:
        return unjudged
    code = (answer.envelope or {}).get("status_code")
    status = answer.status or 0
    if status >= 500:
        message = f"{what} got {answer_fact(answer)}: a bad parameter is a client error (2001)"
        return [_f(answer, "T-HTTP-02", message, "offset/limit", seen=status)]
    if answer.envelope is None:
        message = f"{what} got {answer_fact(answer)}, outside the OCPI envelope"
        return [_f(answer, "T-HTTP-02", message, "offset/limit", Level.WARNING)]
    if code != 2001:
        message = f"{what} got {answer_fact(answer)}; 2001 is the natural answer (AMB-06)"
        return [_f(answer, "T-HTTP-02", message, "offset/limit", Level.INFO, 2001, code)]
    return []
