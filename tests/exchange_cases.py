"""Hand-built exchanges for the exchange checks (discovery, auth, transport, pagination,
receiver, credentials): for each registered check, inputs that break each requirement it
declares and inputs that keep them. ``CASES`` is read by tests/test_checks_exchanges.py (each
case gives exactly the requirements it names) and tests/test_check_registry.py (every
declared requirement of every check has a failing case, every check a passing one)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from harness.checks.auth import check_refused, check_token_opens
from harness.checks.client_side import (
    check_client_content_type,
    check_client_request_ids,
    check_client_routing,
    check_client_token,
    check_incremental,
    check_pulls,
    check_pushes,
)
from harness.checks.credentials import (
    check_registered_again,
    check_registration,
    check_token_a_retired,
    check_token_c_opens,
)
from harness.checks.discovery import (
    check_redirect,
    check_version_details,
    check_versions,
    check_versions_token,
)
from harness.checks.pagination import (
    check_bad_paging_refused,
    check_crawl,
    check_crawl_stop,
    check_date_window,
    check_link_keeps,
    check_offset,
    check_page,
    check_something_listed,
    check_x_limit_steady,
)
from harness.checks.parallel import check_page_readable
from harness.checks.receiver import (
    check_invalid_refused,
    check_non_json_refused,
    check_push_accepted,
    check_read_at_derived_url,
    check_served_back,
    check_unchanged,
)
from harness.checks.transport import check_response, check_routing_swapped, check_timestamp_moves
from harness.exchange import Crawl, CrawlStop, Exchange, parse_body
from harness.findings import Finding
from harness.versions import version_profile

V22 = version_profile("2.2.1")
V211 = version_profile("2.1.1")
URL = "https://target.example/ocpi/2.2.1/cdrs"
STAMP = "2025-01-01T00:00:00Z"
_REQUEST_IDS = {"X-Request-ID": "req-1", "X-Correlation-ID": "cor-1"}
_ROUTING = {"ocpi-from-country-code": "NL", "ocpi-from-party-id": "ABC"}


def envelope(data: Any = None, code: int | str = 1000, **extra: Any) -> dict[str, Any]:
    """An OCPI response envelope."""
    return {"data": data, "status_code": code, "status_message": "OK", "timestamp": STAMP, **extra}


def exchange(
    body: Any = None,
    status: int | None = 200,
    headers: dict[str, str] | None = None,
    *,
    url: str = URL,
    method: str = "GET",
    request_headers: dict[str, str] | None = None,
    error: str | None = None,
    echo: bool = True,
) -> Exchange:
    """A recorded exchange as the client makes it: JSON content type, the request ids echoed
    and the routing headers present unless said otherwise; ``body`` a JSON value or raw text."""
    sent = dict(_REQUEST_IDS if request_headers is None else request_headers)
    got = {"content-type": "application/json", **_ROUTING}
    if echo:
        got.update({k.lower(): v for k, v in sent.items()})
    got.update({k.lower(): v for k, v in (headers or {}).items()})
    made = Exchange("case #1", method, url, sent, None, status=status, response_headers=got)
    if error is not None:
        made.error, made.response_headers, made.status = error, {}, None
        return made
    text = body if isinstance(body, str) else json.dumps(body)
    made.text = made.body = text
    made.parsed, made.json_error = parse_body(text)
    return made


def page(ids: list[str], total: int | None, limit: int | None, link: str | None = None) -> Exchange:
    """A page of a CDR list with these ids and headers."""
    headers = {}
    if total is not None:
        headers["X-Total-Count"] = str(total)
    if limit is not None:
        headers["X-Limit"] = str(limit)
    if link is not None:
        headers["Link"] = f'<{link}>; rel="next"'
    return exchange(envelope([{"id": i} for i in ids]), headers=headers)


def _off_origin() -> Exchange:
    made = exchange(error="not sent: https://elsewhere.example is not the target's origin")
    made.off_origin = True
    return made


@dataclass(frozen=True)
class Case:
    """``call()`` runs ``check`` on one input; ``emits`` the requirements it must give
    (empty: the input keeps every rule of the check); ``blocks`` those it must say it could not
    judge (``tests/outcome_cases.py``)."""

    name: str
    check: str
    emits: frozenset[str]
    call: Callable[[], list[Finding]]
    blocks: frozenset[str] = frozenset()
    partials: frozenset[str] = frozenset()


def case(name: str, check: Callable[..., list[Finding]], emits: str, *args: Any, **kw: Any) -> Case:
    """A case of ``check`` on ``args``; ``emits`` is a space-separated list of ids."""
    return Case(name, check.__name__, frozenset(emits.split()), lambda: check(*args, **kw))


GOOD = exchange(envelope([]))


def _stamped(first: str, later: str, apart: float = 3) -> tuple[Exchange, Exchange]:
    """Two answers with these timestamps (on 2025-01-01), asked ``apart`` seconds apart."""
    one = exchange(envelope([], timestamp=f"2025-01-01{first}"))
    two = exchange(envelope([], timestamp=f"2025-01-01{later}"))
    one.sent_at, two.sent_at = 100.0, 100.0 + apart
    return one, two


_US, _THEM = ("NL", "HAR"), ("DE", "MCK")
_ROUTED = {"OCPI-from-country-code": "NL", "OCPI-from-party-id": "HAR",
           "OCPI-to-country-code": "DE", "OCPI-to-party-id": "MCK"}  # fmt: skip
_SWAPPED = {"OCPI-from-country-code": "de", "OCPI-from-party-id": "mck",
            "OCPI-to-country-code": "NL", "OCPI-to-party-id": "HAR"}  # fmt: skip
_SENT = {"id": "CDR1", "total_energy": 10, "remark": "x"}
_STORED = exchange(envelope(_SENT))  # the CDR read back as sent, before an attempt to change it
_ACCEPTED = exchange(envelope(), 201, {"Location": URL + "/NL/ABC/VALID"}, method="POST")
_STAMPS = [
    ("a", "2025-01-01T00:00:00Z"),
    ("b", "2025-01-02T00:00:00Z"),
    ("c", "2025-01-03T00:00:00Z"),
]
_PIVOT = "2025-01-02T00:00:00Z"
_DETAILS_OK = envelope(
    {
        "version": "2.2.1",
        "endpoints": [
            {"identifier": "credentials", "role": "SENDER", "url": "https://t/cred"},
            {"identifier": "cdrs", "role": "SENDER", "url": "https://t/cdrs"},
        ],
    }
)
_REFUSED = exchange(envelope(None, 2001), 401)
_CREDENTIALS = envelope({"token": "token-c", "url": "https://t/versions", "roles": []})

CASES: list[Case] = [
    # check_response
    case("a proper answer", check_response, "", GOOD, V22, expect_list=True, functional=True),
    case(
        "no answer",
        check_response,
        "H-HTTP-01",
        exchange(error="no answer within the timeout"),
        V22,
    ),
    case(
        "a body over the cap",
        check_response,
        "H-HTTP-02",
        exchange(error="body over the 5,000,000-byte limit"),
        V22,
    ),
    case(
        "a URL off the target's origin, not requested",
        check_response,
        "H-HTTP-03",
        _off_origin(),
        V22,
    ),
    case(
        "a timestamp that moves",
        check_timestamp_moves,
        "",
        *_stamped("T10:00:00Z", "T10:00:02Z", 2),
    ),
    case(
        "a timestamp close in time",
        check_timestamp_moves,
        "",
        *_stamped("T10:00:00Z", "T10:00:00Z", 0.5),
    ),
    case(
        "a timestamp frozen",
        check_timestamp_moves,
        "T-ENV-01",
        *_stamped("T10:00:00Z", "T10:00:00Z", 3),
    ),
    case(
        "routing headers swapped",
        check_routing_swapped,
        "",
        exchange(envelope([]), headers=_SWAPPED, request_headers=_ROUTED),
        _US,
        _THEM,
    ),
    case(
        "routing headers sent back as they came",
        check_routing_swapped,
        "T-ROUTE-03",
        exchange(envelope([]), headers=_ROUTED, request_headers=_ROUTED),
        _US,
        _THEM,
    ),
    case(
        "routing headers with another party",
        check_routing_swapped,
        "T-ROUTE-03",
        exchange(envelope([]), headers={**_SWAPPED, "OCPI-to-party-id": "XYZ"}),
        _US,
        _THEM,
    ),
    case("a server error", check_response, "T-HTTP-02", exchange(envelope(), 500), V22),
    case(
        "a server error page",
        check_response,
        "T-HTTP-02",
        exchange("<html>Internal Server Error</html>", 500, {"Content-Type": "text/html"}),
        V22,
    ),
    case(
        "a redirect without a body",
        check_response,
        "H-HTTP-04",
        exchange("", 307, {"Content-Type": "", "Location": URL + "/"}),
        V22,
        expect_list=True,
        functional=True,
    ),
    case(
        "text/plain",
        check_response,
        "T-HDR-01",
        exchange(envelope(), headers={"content-type": "text/plain"}),
        V22,
    ),
    case("not JSON", check_response, "T-ENV-01", exchange("<html>oops</html>"), V22),
    case(
        "a list that is not",
        check_response,
        "T-ENV-01",
        exchange(envelope({})),
        V22,
        expect_list=True,
    ),
    case("an unknown status code", check_response, "T-ENV-04", exchange(envelope(code=1234)), V22),
    case(
        "a timestamp that is not a DateTime",
        check_response,
        "T-TYPE-02",
        exchange({**envelope(), "timestamp": "yesterday"}),
        V22,
    ),
    case(
        "X-Request-ID not echoed",
        check_response,
        "T-HDR-03",
        exchange(envelope(), headers={"x-request-id": "other"}),
        V22,
    ),
    case(
        "X-Correlation-ID not echoed",
        check_response,
        "T-HDR-04",
        exchange(envelope(), headers={"x-correlation-id": "other"}),
        V22,
    ),
    case(
        "no routing headers",
        check_response,
        "T-ROUTE-01",
        exchange(envelope(), headers={"ocpi-from-country-code": "", "ocpi-from-party-id": ""}),
        V22,
        functional=True,
    ),
    case(
        "2.1.1 has no request ids or routing headers",
        check_response,
        "",
        exchange(envelope([]), request_headers={}, echo=False),
        V211,
        functional=True,
    ),
    # discovery
    case("the token opens versions", check_versions_token, "", GOOD, V22),
    case(
        "versions redirected to a slash",
        check_redirect,
        "H-HTTP-04",
        exchange(None, 308, {"Location": URL + "/"}),
        exchange(envelope([])),
    ),
    case(
        "versions not redirected",
        check_redirect,
        "",
        exchange(envelope([])),
        exchange(envelope([])),
    ),
    case("versions refuses the token (2.2.1)", check_versions_token, "T-AUTH-03", _REFUSED, V22),
    case("versions refuses the token (2.1.1)", check_versions_token, "T-AUTH-02", _REFUSED, V211),
    case(
        "versions lists the version",
        check_versions,
        "",
        exchange(envelope([{"version": "2.2.1", "url": "https://t/2.2.1"}])),
        "2.2.1",
    ),
    case("versions data not a list", check_versions, "T-VER-01", exchange(envelope({})), "2.2.1"),
    case(
        "versions without the version",
        check_versions,
        "T-VER-01",
        exchange(envelope([{"version": "2.1.1", "url": "https://t/2.1.1"}])),
        "2.2.1",
    ),
    case("details with credentials", check_version_details, "", exchange(_DETAILS_OK), V22),
    case(
        "details without credentials",
        check_version_details,
        "T-VER-02",
        exchange(envelope({"endpoints": [{"identifier": "cdrs", "role": "SENDER", "url": "u"}]})),
        V22,
    ),
    case(
        "details with a wrong role",
        check_version_details,
        "T-VER-02",
        exchange(
            envelope({"endpoints": [{"identifier": "credentials", "role": "sender", "url": "u"}]})
        ),
        V22,
    ),
    case(
        "details endpoints not a list",
        check_version_details,
        "T-VER-02",
        exchange(envelope({})),
        V22,
    ),
    # auth
    case("the token opens the module", check_token_opens, "", GOOD, V22),
    case("the token is refused (2.2.1)", check_token_opens, "T-AUTH-03", _REFUSED, V22),
    case("the token is refused (2.1.1)", check_token_opens, "T-AUTH-02", _REFUSED, V211),
    case("no token is refused", check_refused, "", _REFUSED, "no token"),
    case("no token is let in", check_refused, "T-AUTH-04", GOOD, "no token"),
    case(
        "a refusal without envelope", check_refused, "T-ENV-05", exchange("denied", 401), "no token"
    ),
    case(
        "a refusal without envelope, not asked",
        check_refused,
        "",
        exchange("denied", 401),
        "no token",
        envelope=False,
    ),
    # pagination
    case("a middle page", check_page, "", page(["a", "b"], 4, 2, URL + "?offset=2"), V22, 0),
    case("the last page", check_page, "", page(["c", "d"], 4, 2), V22, 2),
    case("no X-Total-Count", check_page, "T-PAG-04", page(["a"], None, 10), V22, 0),
    case("no X-Limit", check_page, "T-PAG-04", page(["a"], 1, None), V22, 0),
    case("objects remain, no Link", check_page, "T-PAG-04", page(["a"], 2, 1), V22, 0),
    case(
        "a Link on the last page",
        check_page,
        "T-PAG-04",
        page(["a"], 1, 1, URL + "?offset=1"),
        V22,
        0,
    ),
    case("more objects than X-Limit", check_page, "T-PAG-05", page(["a", "b", "c"], 3, 2), V22, 0),
    case(
        "the Link keeps the filters",
        check_link_keeps,
        "",
        page(["a"], 2, 1, f"{URL}?date_from={STAMP}&limit=1&offset=1"),
        {"date_from": STAMP},
        1,
    ),
    case(
        "the Link drops date_from",
        check_link_keeps,
        "T-PAG-04",
        page(["a"], 2, 1, f"{URL}?limit=1&offset=1"),
        {"date_from": STAMP},
        1,
    ),
    case(
        "the Link asks above X-Limit",
        check_link_keeps,
        "T-PAG-05",
        page(["a"], 200, 10, f"{URL}?limit=100&offset=10"),
        {},
        100,
    ),
    case("crawls agree", check_crawl, "", "crawls", ["a", "b"], ["a", "b"], [2, 2]),
    case("the paged crawl misses one", check_crawl, "T-PAG-01", "crawls", ["a"], ["a", "b"], []),
    Case(
        "an object twice (the order moved: what else is missing is not known)",
        check_crawl.__name__,
        frozenset({"T-PAG-06"}),
        lambda: check_crawl("crawls", ["a", "a", "b"], ["a", "b"], [2]),
        frozenset({"T-PAG-01"}),
    ),
    case("X-Total-Count wrong", check_crawl, "T-PAG-04", "crawls", ["a", "b"], ["a", "b"], [3]),
    case(
        "X-Total-Count changing", check_crawl, "T-PAG-04", "crawls", ["a", "b"], ["a", "b"], [2, 3]
    ),
    case("another order", check_crawl, "T-PAG-06", "crawls", ["b", "a"], ["a", "b"], [2]),
    case(
        "the date window holds",
        check_date_window,
        "",
        "window",
        _PIVOT,
        _STAMPS,
        ["b", "c"],
        ["a"],
        V22,
    ),
    case(
        "date_to is inclusive",
        check_date_window,
        "T-PAG-02",
        "window",
        _PIVOT,
        _STAMPS,
        ["b", "c"],
        ["a", "b"],
        V22,
    ),
    case(
        "date_from is ignored",
        check_date_window,
        "T-PAG-02",
        "window",
        _PIVOT,
        _STAMPS,
        ["a", "b", "c"],
        ["a"],
        V22,
    ),
    case("X-Limit steady", check_x_limit_steady, "", "crawl", [7, 7, 7], V22),
    case("X-Limit the page size", check_x_limit_steady, "T-PAG-04", "crawl", [7, 7, 3], V22),
    case(
        "offset 1 starts at the second",
        check_offset,
        "",
        page(["a", "b"], 3, 2),
        page(["b", "c"], 3, 2),
    ),
    case(
        "offset 1 skips one",
        check_offset,
        "T-PAG-01",
        page(["a", "b"], 3, 2),
        page(["c"], 3, 2),
    ),
    case("a crawl to the end", check_crawl_stop, "", Crawl(3)),
    case("a Link loop", check_crawl_stop, "H-PAG-01", Crawl(1, CrawlStop("loop", 2, URL))),
    case("too many pages", check_crawl_stop, "H-PAG-01", Crawl(9, CrawlStop("max-pages", 9, URL))),
    case(
        "a Link elsewhere",
        check_crawl_stop,
        "H-PAG-02",
        Crawl(1, CrawlStop("other-origin", 1, "https://evil.example/next")),
    ),
    case("something listed", check_something_listed, "", 3),
    case("nothing listed", check_something_listed, "T-PAG-01", 0),
    case("every object read", check_page_readable, "", "cdr", 3, 3, "page #1"),
    case("a CDR page cut short", check_page_readable, "C-002", "cdr", 3, 2, "page #1"),
    case("a tariff page cut short", check_page_readable, "TF-001", "tariff", 3, 2, "page #1"),
    # receiver
    case(
        "a push accepted",
        check_push_accepted,
        "",
        exchange(envelope(), 201, {"Location": URL + "/NL/ABC/CDR1"}, method="POST"),
        V22,
        "a CDR",
    ),
    case(
        "a push refused",
        check_push_accepted,
        "T-CDR-01",
        exchange(envelope(code=2001), 400, method="POST"),
        V22,
        "a CDR",
    ),
    case(
        "a push answered 200",
        check_push_accepted,
        "T-HTTP-04",
        exchange(envelope(), 200, {"Location": URL + "/NL/ABC/CDR1"}, method="POST"),
        V22,
        "a CDR",
    ),
    case(
        "a push without Location",
        check_push_accepted,
        "T-CDR-02",
        exchange(envelope(), 201, method="POST"),
        V22,
        "a CDR",
    ),
    case("served back", check_served_back, "", exchange(envelope(_SENT)), _SENT, V22, "a CDR"),
    case(
        "served back changed",
        check_served_back,
        "T-CDR-03",
        exchange(envelope({**_SENT, "remark": "y"})),
        _SENT,
        V22,
        "a CDR",
    ),
    case(
        "not served back",
        check_served_back,
        "T-CDR-03",
        exchange(envelope(None, 2003), 404),
        _SENT,
        V22,
        "a CDR",
    ),
    case(
        "served at a derived URL as sent",
        check_read_at_derived_url,
        "",
        exchange(envelope(_SENT)),
        _SENT,
        V22,
        "a CDR",
    ),
    case(
        "served at a derived URL as a list of one",
        check_read_at_derived_url,
        "T-CDR-03",
        exchange(envelope([_SENT])),
        _SENT,
        V22,
        "a CDR",
    ),
    case(
        "served at a derived URL without a field",
        check_read_at_derived_url,
        "T-CDR-03",
        exchange(envelope({k: v for k, v in _SENT.items() if k != "remark"})),
        _SENT,
        V22,
        "a CDR",
    ),
    case(
        "unchanged after a second POST",
        check_unchanged,
        "",
        _STORED,
        exchange(envelope(_SENT)),
        _SENT,
        V22,
        "a CDR",
        "C-005",
        "replaced",
    ),
    case(
        "replaced by a second POST",
        check_unchanged,
        "C-005",
        _STORED,
        exchange(envelope({**_SENT, "remark": "again"})),
        _SENT,
        V22,
        "a CDR",
        "C-005",
        "replaced",
    ),
    case(
        "changed by PUT",
        check_unchanged,
        "T-CDR-04",
        _STORED,
        exchange(envelope({**_SENT, "remark": "changed"})),
        _SENT,
        V22,
        "a CDR",
        "T-CDR-04",
        "changed",
    ),
    case(
        "an invalid CDR refused",
        check_invalid_refused,
        "",
        exchange(envelope(None, 2001), 400, method="POST"),
        "missing id",
        _ACCEPTED,
    ),
    case(
        "an invalid CDR accepted",
        check_invalid_refused,
        "C-001",
        exchange(envelope(), 201, method="POST"),
        "missing id",
        _ACCEPTED,
    ),
    replace(
        case(
            "an invalid CDR refused in a framework's own JSON",
            check_invalid_refused,
            "T-ENV-01",
            exchange(
                {"detail": [{"loc": ["body", "id"], "msg": "field required"}]}, 422, method="POST"
            ),
            "missing id",
            _ACCEPTED,
        ),
        blocks=frozenset({"T-HTTP-02"}),
    ),
    replace(
        case(
            "an invalid CDR refused without a body",
            check_invalid_refused,
            "T-ENV-01",
            exchange("", 400, {"Content-Type": "text/plain"}, method="POST"),
            "missing id",
            _ACCEPTED,
        ),
        blocks=frozenset({"T-HTTP-02"}),
    ),
    case(
        "an invalid CDR answered 3000",
        check_invalid_refused,
        "T-HTTP-02",
        exchange(envelope(None, 3000), 400, method="POST"),
        "missing id",
        _ACCEPTED,
    ),
    # credentials
    case("a registration", check_registration, "", exchange(_CREDENTIALS, method="POST")),
    case(
        "a failed registration",
        check_registration,
        "T-CRED-02",
        exchange(envelope(None, 3000), 400, method="POST"),
    ),
    case(
        "a TOKEN_C with a space",
        check_registration,
        "T-AUTH-07",
        exchange(envelope({**_CREDENTIALS["data"], "token": "token c"}), method="POST"),
    ),
    case("TOKEN_C opens", check_token_c_opens, "", GOOD),
    case("TOKEN_C refused", check_token_c_opens, "T-AUTH-06", _REFUSED),
    case("TOKEN_A retired", check_token_a_retired, "", _REFUSED, V22),
    case("TOKEN_A kept", check_token_a_retired, "T-AUTH-05", GOOD, V22),
    case("TOKEN_A kept in 2.1.1 (no rule)", check_token_a_retired, "", GOOD, V211),
    case("a second registration refused", check_registered_again, "", exchange(envelope(), 405)),
    case("a second registration taken", check_registered_again, "T-CRED-02", GOOD),
]


# Issue 20, items 6 and 7: a request the run's deadline stopped, JSON nested too deeply, CDRs
# whose last_updated is no DateTime (the date window judges the others and says so).
def _past_the_run_deadline() -> Exchange:
    made = exchange(error="not sent: the run's deadline (1 s, --ocpi-run-deadline) had passed")
    made.run_deadline_passed = True
    return made


_UNDATED = [("x", "yesterday"), ("y", "None"), ("z", "2025-01-01T00:00:00+00:00")]
CASES += [
    Case(
        "not sent: the run's deadline had passed",
        check_response.__name__,
        frozenset(),
        lambda: check_response(_past_the_run_deadline(), V22),
        frozenset({"T-ENV-01"}),
    ),
    case(
        "JSON nested too deeply to read",
        check_response,
        "T-ENV-01",
        exchange('{"data": ' + "[" * 65 + "]" * 65 + "}"),
        V22,
    ),
    Case(
        "date_from ignored, some objects undated",
        check_date_window.__name__,
        frozenset({"T-PAG-02"}),
        lambda: check_date_window(
            "window", _PIVOT, _STAMPS + _UNDATED, ["a", "b", "c", "x", "y", "z"], ["a", "x"], V22
        ),
        partials=frozenset({"T-PAG-02"}),
    ),
    Case(
        "a pivot that is no DateTime",
        check_date_window.__name__,
        frozenset(),
        lambda: check_date_window("window", "2025-13-45T00:00:00Z", _STAMPS, [], [], V22),
        frozenset({"T-PAG-02"}),
    ),
]

# Verdicts issue, item 7: an empty Link header is not "no Link"; bad paging parameters are a
# client error; a body that is not JSON gets 400.
CASES += [
    case(
        "a body that is not JSON refused with 400",
        check_non_json_refused,
        "",
        exchange(envelope(None, 2000), 400, method="POST"),
        V22,
    ),
    case(
        "a body that is not JSON answered 200/2001",
        check_non_json_refused,
        "T-HTTP-01",
        exchange(envelope(None, 2001), 200, method="POST"),
        V22,
    ),
    case(
        "a negative limit refused with 2001",
        check_bad_paging_refused,
        "",
        exchange(envelope(None, 2001)),
        "limit=-5",
    ),
    case(
        "a negative limit crashes the server",
        check_bad_paging_refused,
        "T-HTTP-02",
        exchange(envelope(None, 3000), 500),
        "limit=-5",
    ),
    case(
        "a negative limit taken as it is",
        check_bad_paging_refused,
        "T-HTTP-02",
        exchange(envelope([])),
        "limit=-5",
    ),
    case(
        "an empty Link header on the last page",
        check_page,
        "T-PAG-04",
        exchange(
            envelope([{"id": "a"}]), headers={"X-Total-Count": "1", "X-Limit": "10", "Link": ""}
        ),
        V22,
        0,
    ),
    case(
        "no Link header on the last page",
        check_page,
        "",
        exchange(envelope([{"id": "a"}]), headers={"X-Total-Count": "1", "X-Limit": "10"}),
        V22,
        0,
    ),
]


# Issue 18, item 2: a partner that throttles. The answer after waits gets a note of them
# (H-RATE-02), a 429 that said no Retry-After a warning (H-RATE-01); one still throttled when
# the retries ended is not judged (blocked by H-RATE-02).
def _throttled(status: int, retry_after: str | None, *waits: str) -> Exchange:
    made = exchange(envelope(None, 2000), status)
    if retry_after is not None:
        made.response_headers["retry-after"] = retry_after
    made.throttled = waits
    return made


def _throttled_out() -> Exchange:
    made = _throttled(429, "1", "HTTP 429, Retry-After 1: waited 1 s")
    made.throttled_out = "HTTP 429, Retry-After 1 still, after 3 throttled retries"
    return made


def _answered_after(*waits: str) -> Exchange:
    made = exchange(envelope([]))
    made.throttled = waits
    return made


CASES += [
    case(
        "answered after a wait Retry-After asked for",
        check_response,
        "H-RATE-02",
        _answered_after("HTTP 429, Retry-After 2: waited 2 s"),
        V22,
        expect_list=True,
        functional=True,
    ),
    case(
        "answered after a 429 that said no Retry-After",
        check_response,
        "H-RATE-01 H-RATE-02",
        _answered_after("HTTP 429, no Retry-After: waited 1 s"),
        V22,
        expect_list=True,
        functional=True,
    ),
    Case(
        "still throttled when the retries ended",
        check_response.__name__,
        frozenset(),
        lambda: check_response(_throttled_out(), V22),
        frozenset({"T-ENV-01"}),
    ),
]


# Issue 17: a CPO's pushes to the harness's receiver (incoming exchanges), judged.
_RECEIVER = "http://127.0.0.1:9/ocpi/2.2.1/emsp/cdrs"
_PUSH_TOKEN = "push-token-1"
_PUSH_HEADERS = {
    "Authorization": "Token cHVzaC10b2tlbi0x",  # the Base64 of _PUSH_TOKEN
    "Content-Type": "application/json",
    "X-Request-ID": "r1",
    "X-Correlation-ID": "c1",
    "OCPI-from-country-code": "NL",
    "OCPI-from-party-id": "CPO",
    "OCPI-to-country-code": "NL",
    "OCPI-to-party-id": "MCK",
}
_PEER = ("NL", "MCK")


def _push(
    method: str = "POST", url: str = _RECEIVER, drop: tuple[str, ...] = (), **headers: str
) -> Exchange:
    sent = {k: v for k, v in _PUSH_HEADERS.items() if k not in drop}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    made = Exchange("incoming push", method, url, sent, '{"id": "CDR1"}', status=201)
    made.parsed = {"status_code": 1000}
    made.incoming = True
    return made


def _known(token: str) -> bool:
    return token == _PUSH_TOKEN


def _two(**headers: str) -> list[Exchange]:
    return [_push(), _push(**headers)]


CASES += [
    case("pushes as they should be", check_pushes, "", [_push()], _RECEIVER, "within 1 s"),
    case("no push arrived", check_pushes, "H-PUSH-01", [], _RECEIVER, "within 1 s"),
    case(
        "a push to an id URL",
        check_pushes,
        "C-024",
        [_push(url=_RECEIVER + "/NL/CPO/1")],
        _RECEIVER,
        "within 1 s",
    ),
    case(
        "a CDR PUT",
        check_pushes,
        "C-005",
        [_push("PUT", _RECEIVER + "/NL/CPO/1")],
        _RECEIVER,
        "within 1 s",
    ),
    case("the token in Base64", check_client_token, "", [_push()], V22, _known),
    case(
        "no Authorization",
        check_client_token,
        "T-AUTH-01",
        [_push(drop=("Authorization",))],
        V22,
        _known,
    ),
    case(
        "the token raw in 2.2.1",
        check_client_token,
        "T-AUTH-03",
        [_push(Authorization=f"Token {_PUSH_TOKEN}")],
        V22,
        _known,
    ),
    case(
        "the token raw in 2.1.1",
        check_client_token,
        "",
        [_push(Authorization=f"Token {_PUSH_TOKEN}")],
        V211,
        _known,
    ),
    case("the token in Base64 in 2.1.1", check_client_token, "T-AUTH-02", [_push()], V211, _known),
    case("the ids of a request", check_client_request_ids, "", _two(X_Request_ID="r2")),
    case("no X-Request-ID", check_client_request_ids, "T-HDR-03", [_push(drop=("X-Request-ID",))]),
    case("an X-Request-ID reused", check_client_request_ids, "T-HDR-03", _two()),
    case(
        "no X-Correlation-ID",
        check_client_request_ids,
        "T-HDR-04",
        [_push(drop=("X-Correlation-ID",))],
    ),
    case("the routing headers", check_client_routing, "", [_push()], _PEER),
    case(
        "addressed to another party",
        check_client_routing,
        "T-ROUTE-01",
        [_push(OCPI_to_party_id="HAR")],
        _PEER,
    ),
    case(
        "no routing headers",
        check_client_routing,
        "T-ROUTE-01",
        [_push(drop=("OCPI-to-party-id",))],
        _PEER,
    ),
    case("JSON declared", check_client_content_type, "", [_push()]),
    case(
        "text declared", check_client_content_type, "T-HDR-01", [_push(Content_Type="text/plain")]
    ),
]


# Issue 17: an eMSP's pulls of the harness's sender, judged.
_SENDER = "http://127.0.0.1:9/ocpi/2.2.1/cpo/cdrs"


def _pull(query: str = "", link: str | None = None, x_limit: str = "10") -> Exchange:
    url = _SENDER + (f"?{query}" if query else "")
    made = Exchange("incoming pull", "GET", url, dict(_PUSH_HEADERS), None, status=200)
    made.response_headers = {"x-limit": x_limit}
    if link is not None:
        made.response_headers["link"] = f'<{_SENDER}?{link}>; rel="next"'
    made.parsed = {"status_code": 1000, "data": [{"id": "CDR1"}]}
    made.incoming = True
    return made


_FOLLOWED = [_pull("", "offset=10&limit=10"), _pull("offset=10&limit=10")]
CASES += [
    case("a sync that follows the Link", check_pulls, "", _FOLLOWED, _SENDER, "within 1 s"),
    case("no pull arrived", check_pulls, "H-PULL-01", [], _SENDER, "within 1 s"),
    case(
        "a Link not followed",
        check_pulls,
        "H-PULL-01",
        [_pull("", "offset=10&limit=10")],
        _SENDER,
        "within 1 s",
    ),
    case(
        "a limit over X-Limit",
        check_pulls,
        "H-PULL-01",
        [_pull("", "offset=10&limit=10"), _pull("offset=10&limit=1000")],
        _SENDER,
        "within 1 s",
    ),
    case(
        "a second sync with date_from",
        check_incremental,
        "",
        [*_FOLLOWED, _pull("date_from=2025-01-01T00:00:00Z")],
        _SENDER,
    ),
    case(
        "a second sync reading all again",
        check_incremental,
        "H-PULL-02",
        [*_FOLLOWED, _pull()],
        _SENDER,
    ),
]
