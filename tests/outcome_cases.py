"""Exchange checks fed incomplete evidence: no answer (a timeout), a URL off the target's origin,
a redirect, a server error, a baseline that was never read. Each must say it could not judge
its rule (``blocked``, naming the root cause) and never fail for lack of evidence; a redirect
is its own finding (H-HTTP-04). Also the answers that used to be misread: TOKEN_A refused with
403 is refused, not kept. Read with tests/exchange_cases.py by tests/test_checks_exchanges.py
and tests/test_check_registry.py."""

from __future__ import annotations

from typing import Any

from harness.checks.auth import check_refused, check_token_opens
from harness.checks.credentials import (
    check_registered_again,
    check_registration,
    check_token_a_retired,
    check_token_c_opens,
)
from harness.checks.discovery import check_version_details, check_versions, check_versions_token
from harness.checks.pagination import (
    check_bad_paging_refused,
    check_crawl,
    check_crawl_stop,
    check_date_window,
    check_every_object_seen,
    check_offset,
)
from harness.checks.receiver import (
    check_invalid_refused,
    check_non_json_refused,
    check_push_accepted,
    check_served_back,
    check_unchanged,
)
from harness.checks.transport import check_routing_swapped
from harness.exchange import Crawl, CrawlStop, Exchange
from tests.exchange_cases import (
    URL,
    V22,
    Case,
    envelope,
    exchange,
)

_SENT = {"id": "CDR1", "total_energy": 10}
_STORED = exchange(envelope(_SENT))
_ACCEPTED = exchange(envelope(), 201, {"Location": URL + "/NL/ABC/VALID"}, method="POST")


def _timeout() -> Exchange:
    return exchange(error="no answer within the timeout")


def _off_origin() -> Exchange:
    made = exchange(error="not sent: https://elsewhere.example is not the target's origin")
    made.off_origin = True
    return made


def _redirect() -> Exchange:
    return exchange("", 308, {"Location": URL + "/", "content-type": "text/plain"})


def _server_error() -> Exchange:
    return exchange("<html>oops</html>", 500, {"content-type": "text/html"})


def blocked_case(
    name: str, check: Any, emits: str, blocks: str, *args: Any, partials: str = "", **kw: Any
) -> Case:
    """A case of ``check`` on ``args`` that must report ``emits``, block ``blocks`` and judge
    ``partials`` on part of the evidence only."""
    return Case(
        name,
        check.__name__,
        frozenset(emits.split()),
        lambda: check(*args, **kw),
        frozenset(blocks.split()),
        frozenset(partials.split()),
    )


def _each_missing_answer(
    check: Any, blocks: str, *after: Any, first: tuple[Any, ...] = ()
) -> list[Case]:
    """The check with its exchange argument unanswered, off the origin, or redirected."""
    return [
        blocked_case(f"{what}", check, emits, blocks, *first, made(), *after)
        for what, made, emits in (
            ("no answer", _timeout, ""),
            ("off the origin", _off_origin, ""),
            ("a redirect", _redirect, "H-HTTP-04"),
        )
    ]


# A crawl that stopped at page 2 (its Link unusable): the root cause, as the crawl names it.
_CUT = ("T-ENV-01", "page 2 holds no list: HTTP 404 text/html")
_STAMPS = [("a", "2025-01-01T00:00:00Z"), ("b", "2025-01-02T00:00:00Z")]
_OBJECT_RULES = ("C-001", "C-002", "C-010", "C-012", "C-026")

_BROKEN_LINK = "https://target.example/ocpi/VersionNumber.v_2_2_1/cdrs?offset=7&date_to=None"

_ACCEPTED_AS_TEXT = exchange(
    envelope(code="1000"), 201, {"Location": URL + "/NL/ABC/CDR1"}, method="POST"
)
_ONE = {"id": "a"}

OUTCOME_CASES: list[Case] = [
    # a status_code that is not a number says nothing (the response check's T-ENV-01)
    blocked_case(
        "accepted with status_code '1000'",
        check_push_accepted,
        "",
        "T-CDR-01 T-CDR-02 T-HTTP-04",
        _ACCEPTED_AS_TEXT,
        V22,
        "a CDR",
    ),
    blocked_case(
        "registered with status_code '1000'",
        check_registration,
        "",
        "T-CRED-02",
        exchange(envelope({"token": "c"}, code="1000"), method="POST"),
    ),
    blocked_case(
        "an invalid CDR answered with status_code '2001'",
        check_invalid_refused,
        "",
        "C-001 T-HTTP-02",
        exchange(envelope(None, "2001"), 400, method="POST"),
        "missing id",
        _ACCEPTED,
    ),
    # two offsets that disagree on an order that moves: not an offset defect
    blocked_case(
        "offsets disagree on an unstable order",
        check_offset,
        "",
        "T-PAG-01",
        exchange(envelope([_ONE, {"id": "b"}])),
        exchange(envelope([{"id": "c"}])),
        ("T-PAG-06", "1 objects came twice while paging"),
    ),
    # the Link that leads to no page is the root cause of a crawl cut short
    blocked_case(
        "a Link that leads to no page",
        check_crawl_stop,
        "T-PAG-04",
        "",
        Crawl(2, CrawlStop("broken-link", 1, _BROKEN_LINK, "HTTP 404 text/html")),
    ),
    blocked_case(
        "no Link on a page where the next offset lists more",
        check_crawl_stop,
        "T-PAG-04",
        "",
        Crawl(3, CrawlStop("link-missing", 3, URL + "?offset=21&limit=1", "offset=21 lists 'X'")),
    ),
    blocked_case(
        "an empty page that links on",
        check_crawl_stop,
        "H-PAG-01",
        "",
        Crawl(9, CrawlStop("empty-page", 9, URL + "?offset=63&limit=7")),
    ),
    blocked_case(
        "a Link that drops date_from",
        check_crawl_stop,
        "T-PAG-04",
        "",
        Crawl(1, CrawlStop("drops-filters", 1, URL + "?offset=7", "date_from")),
    ),
    # pagination: what needs the whole list is blocked, what the pages seen show is judged
    blocked_case(
        "X-Total-Count against two crawls cut short",
        check_crawl,
        "",
        "T-PAG-01 T-PAG-04 T-PAG-06",
        "crawls",
        ["a", "b"],
        ["a", "b", "c"],
        [150, 150],
        _CUT,
        _CUT,
    ),
    blocked_case(
        "X-Total-Count true of the one-page crawl, the paged one cut short",
        check_crawl,
        "",
        "T-PAG-01 T-PAG-06",
        "crawls",
        ["a", "b"],
        ["a", "b", "c"],
        [3, 3],
        _CUT,
    ),
    blocked_case(
        "X-Total-Count false of the one-page crawl, the paged one cut short",
        check_crawl,
        "T-PAG-04",
        "T-PAG-01 T-PAG-06",
        "crawls",
        ["a", "b"],
        ["a", "b", "c"],
        [150, 150],
        _CUT,
    ),
    blocked_case(
        "an object twice in a crawl cut short",
        check_crawl,
        "T-PAG-06",
        "T-PAG-01",
        "crawls",
        ["a", "a"],
        ["a"],
        [1],
        _CUT,
    ),
    blocked_case(
        "a date window crawl cut short",
        check_date_window,
        "",
        "T-PAG-02",
        "window",
        "2025-01-02T00:00:00Z",
        _STAMPS,
        [],
        [],
        V22,
        _CUT,
    ),
    blocked_case(
        "an object before date_from in a crawl cut short",
        check_date_window,
        "T-PAG-02",
        "T-PAG-02",
        "window",
        "2025-01-02T00:00:00Z",
        _STAMPS,
        ["a"],
        [],
        V22,
        _CUT,
    ),
    blocked_case(
        "7 of 150 CDRs checked",
        check_every_object_seen,
        "",
        "",
        7,
        [150, None],
        _CUT,
        _OBJECT_RULES,
        partials=" ".join(_OBJECT_RULES),
    ),
    blocked_case(
        "objects the unfiltered crawl never saw",
        check_date_window,
        "",
        "",
        "window",
        "2025-01-02T00:00:00Z",
        _STAMPS,
        ["b", "zz"],
        ["a"],
        V22,
        None,
        _CUT,
        partials="T-PAG-02",
    ),
    blocked_case(
        "every CDR checked", check_every_object_seen, "", "", 150, [150], None, _OBJECT_RULES
    ),
    # auth
    *_each_missing_answer(check_bad_paging_refused, "T-HTTP-02", "limit=-5"),
    *_each_missing_answer(check_non_json_refused, "T-HTTP-01", V22),
    blocked_case(
        "a body that is not JSON, the token refused",
        check_non_json_refused,
        "",
        "T-HTTP-01",
        exchange(envelope(None, 2004), 401, method="POST"),
        V22,
    ),
    *_each_missing_answer(check_token_opens, "T-AUTH-03", V22),
    blocked_case("a server error", check_token_opens, "", "T-AUTH-03", _server_error(), V22),
    *_each_missing_answer(check_refused, "T-AUTH-04", "no token"),
    # discovery: the redirect is check_versions' finding, not the token check's
    *_each_missing_answer(check_versions, "T-VER-01", "2.2.1"),
    *_each_missing_answer(check_version_details, "T-VER-02", V22),
    blocked_case("no answer", check_versions_token, "", "T-AUTH-03", _timeout(), V22),
    blocked_case("a redirect", check_versions_token, "", "T-AUTH-03", _redirect(), V22),
    blocked_case(
        "routing headers answered by a redirect",
        check_routing_swapped,
        "H-HTTP-04",
        "T-ROUTE-03",
        _redirect(),
        ("NL", "HAR"),
        ("DE", "MCK"),
    ),
    blocked_case(
        "no token refused while valid requests get server errors too",
        check_refused,
        "",
        "T-AUTH-04",
        exchange(envelope(None, 3000), 500),
        "no token",
        valid=exchange(envelope(None, 3000), 503),
    ),
    # credentials
    *_each_missing_answer(check_registration, "T-CRED-02"),
    *_each_missing_answer(check_token_c_opens, "T-AUTH-06"),
    *_each_missing_answer(check_token_a_retired, "T-AUTH-05", V22),
    blocked_case("a server error", check_token_a_retired, "", "T-AUTH-05", _server_error(), V22),
    blocked_case(
        "TOKEN_A refused with 403, not 401",
        check_token_a_retired,
        "T-AUTH-05",
        "",
        exchange(envelope(None, 2001), 403),
        V22,
    ),
    *_each_missing_answer(check_registered_again, "T-CRED-02"),
    # receiver: the missing answer, or the redirect, is check_response's finding (H-HTTP-01/03/04,
    # with its own name)
    blocked_case(
        "no answer to the push",
        check_push_accepted,
        "",
        "T-CDR-01 T-CDR-02 T-HTTP-04",
        _timeout(),
        V22,
        "a CDR",
    ),
    blocked_case(
        "the push redirected",
        check_push_accepted,
        "",
        "T-CDR-01 T-CDR-02 T-HTTP-04",
        _redirect(),
        V22,
        "a CDR",
    ),
    blocked_case(
        "the Location off the origin",
        check_served_back,
        "",
        "T-CDR-03",
        _off_origin(),
        _SENT,
        V22,
        "a CDR",
    ),
    blocked_case(
        "no answer at the Location",
        check_served_back,
        "",
        "T-CDR-03",
        _timeout(),
        _SENT,
        V22,
        "a CDR",
    ),
    blocked_case(
        "the Location redirected",
        check_served_back,
        "",
        "T-CDR-03",
        _redirect(),
        _SENT,
        V22,
        "a CDR",
    ),
    blocked_case(
        "never read before the attempt",
        check_unchanged,
        "",
        "T-CDR-04",
        exchange(envelope(None, 2003), 404),
        _STORED,
        _SENT,
        V22,
        "a CDR",
        "T-CDR-04",
        "PUT/PATCH changed a stored CDR",
    ),
    blocked_case(
        "no answer after the attempt",
        check_unchanged,
        "",
        "C-005",
        _STORED,
        _timeout(),
        _SENT,
        V22,
        "a CDR",
        "C-005",
        "a CDR posted again replaced the stored one",
    ),
    blocked_case(
        "gone after the attempt",
        check_unchanged,
        "T-CDR-04",
        "",
        _STORED,
        exchange(envelope(None, 2003), 404),
        _SENT,
        V22,
        "a CDR",
        "T-CDR-04",
        "PUT/PATCH changed a stored CDR",
    ),
    *_each_missing_answer(check_invalid_refused, "C-001 T-HTTP-02", "missing id", _ACCEPTED),
    blocked_case(
        "a receiver that refuses every CDR",
        check_invalid_refused,
        "",
        "C-001 T-HTTP-02",
        exchange(envelope(None, 2001), 400, method="POST"),
        "missing id",
        exchange(envelope(None, 2001), 400, method="POST"),
    ),
]
