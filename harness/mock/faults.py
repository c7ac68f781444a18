"""Named faults: realistic violations the mock can commit on purpose, so that the harness's own
tests prove each conformance check fails on a target that breaks its rule.

Faults compose: any set of names can be active at once. Each names the requirement it breaks
(the check that must catch it) or, for transport faults, the robustness it exercises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast, get_args

#: Every fault's name: a misspelled one fails mypy, and ``MockSettings.has_fault`` at run time.
FaultName = Literal[
    "auth-ignored",
    "auth-wrong-status",
    "auth-raw-token",
    "auth-bearer-accepted",
    "versions-open",
    "no-envelope",
    "no-timestamp",
    "status-code-string",
    "error-without-envelope",
    "no-total-count",
    "no-x-limit",
    "link-on-last-page",
    "empty-link-on-last-page",
    "no-link",
    "link-drops-filters",
    "offset-off-by-one",
    "limit-ignored",
    "paging-params-crash",
    "x-limit-is-count",
    "date-to-inclusive",
    "date-from-exclusive",
    "date-filter-ignored",
    "unstable-order",
    "request-id-not-echoed",
    "wrong-content-type",
    "routing-headers-missing",
    "routing-headers-not-swapped",
    "cdr-2.1.1-shape",
    "cost-off",
    "energy-total-off",
    "time-in-seconds",
    "no-location-header",
    "non-json-accepted",
    "store-invalid",
    "invalid-refused-without-envelope",
    "duplicate-overwrites",
    "token-a-kept",
    "server-error",
    "slow",
    "stall",
    "garbage-json",
    "huge-body",
    "link-loop",
    "link-other-host",
]


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: what the mock does wrong, and which requirement that breaks."""

    name: FaultName
    requirement: str
    description: str
    transport: bool = False


_FAULTS = (
    Fault("auth-ignored", "T-AUTH-04", "answers requests without or with a wrong token"),
    Fault("auth-wrong-status", "T-AUTH-04", "refuses a bad token with HTTP 403, not 401"),
    Fault("auth-raw-token", "T-AUTH-03", "2.2+: expects the token raw, refuses Base64"),
    Fault("auth-bearer-accepted", "T-AUTH-04", "takes the token with the Bearer scheme too"),
    Fault("versions-open", "T-AUTH-04", "answers versions and version details without a token"),
    Fault("no-envelope", "T-ENV-01", "list responses are a bare JSON array, no envelope"),
    Fault("no-timestamp", "T-ENV-01", "the envelope has no timestamp"),
    Fault("status-code-string", "T-ENV-01", 'status_code is a string ("1000")'),
    Fault("error-without-envelope", "T-ENV-05", "401 and 404 answers have a plain-text body"),
    Fault("no-total-count", "T-PAG-04", "list responses lack X-Total-Count"),
    Fault("no-x-limit", "T-PAG-04", "list responses lack X-Limit"),
    Fault("link-on-last-page", "T-PAG-04", "the last page still has a Link rel=next"),
    Fault("empty-link-on-last-page", "T-PAG-04", "the last page has an empty Link header"),
    Fault("no-link", "T-PAG-04", "no Link header although more pages remain"),
    Fault("link-drops-filters", "T-PAG-04", "the next-page Link drops date_from/date_to"),
    Fault(
        "offset-off-by-one", "T-PAG-01", "pages after the first start one object after their offset"
    ),
    Fault(
        "limit-ignored",
        "T-PAG-05",
        "limit above the maximum is served in full, X-Limit says the maximum",
    ),
    Fault(
        "paging-params-crash",
        "T-HTTP-02",
        "a negative or non-numeric offset or limit gets HTTP 500",
    ),
    Fault("x-limit-is-count", "T-PAG-04", "X-Limit is the number of objects on the page"),
    Fault("date-to-inclusive", "T-PAG-02", "date_to includes objects at exactly date_to"),
    Fault("date-from-exclusive", "T-PAG-02", "date_from excludes objects at exactly date_from"),
    Fault("date-filter-ignored", "T-PAG-02", "date_from and date_to are ignored"),
    Fault("unstable-order", "T-PAG-06", "each request orders the objects differently"),
    Fault("request-id-not-echoed", "T-HDR-03", "X-Request-ID and X-Correlation-ID not echoed"),
    Fault("wrong-content-type", "T-HDR-01", "responses are labelled text/plain"),
    Fault("routing-headers-missing", "T-ROUTE-01", "2.2+: no OCPI-from-*/OCPI-to-* headers"),
    Fault(
        "routing-headers-not-swapped",
        "T-ROUTE-03",
        "2.2+: answers with the request's routing headers as they came, not swapped",
    ),
    Fault("cdr-2.1.1-shape", "C-001", "2.2+ CDRs are served in their 2.1.1 shape"),
    Fault("cost-off", "C-026", "total_cost is 3 % above what the tariffs give"),
    Fault("energy-total-off", "C-010", "total_energy is not the sum of the periods"),
    Fault("time-in-seconds", "C-011", "total_time is given in seconds"),
    Fault("no-location-header", "T-CDR-02", "a received CDR gets no Location header"),
    Fault("non-json-accepted", "T-HTTP-01", "a body that is not JSON gets HTTP 200, status 2001"),
    Fault("store-invalid", "C-001", "receives and stores CDRs that break the schema"),
    Fault(
        "invalid-refused-without-envelope",
        "T-ENV-01",
        "refuses an invalid CDR with HTTP 422 and a framework's JSON, no OCPI envelope",
    ),
    Fault("duplicate-overwrites", "C-005", "a CDR posted again with a known id replaces it"),
    Fault(
        "token-a-kept",
        "T-AUTH-05",
        "TOKEN_A keeps opening the functional modules after a registration",
    ),
    Fault("server-error", "T-HTTP-02", "every request gets HTTP 500"),
    Fault("slow", "H-HTTP-01", "every response is delayed by 2 s", transport=True),
    Fault("stall", "H-HTTP-01", "responses never come (the connection stalls)", transport=True),
    Fault("garbage-json", "T-ENV-01", "bodies are truncated, unparseable JSON", transport=True),
    Fault("huge-body", "H-HTTP-02", "list responses carry 10 MB of padding", transport=True),
    Fault(
        "link-loop", "H-PAG-01", "the Link of every page points at the same page", transport=True
    ),
    Fault(
        "link-other-host", "H-PAG-02", "the next-page Link points at another host", transport=True
    ),
)

FAULTS: dict[FaultName, Fault] = {f.name: f for f in _FAULTS}
assert tuple(FAULTS) == get_args(FaultName)


def unknown_fault(name: str) -> str:
    """The message for a name that is not a fault's."""
    return f"unknown fault {name!r}; faults: {', '.join(FAULTS)} (see --list-faults)"


def parse_faults(names: Iterable[str]) -> frozenset[FaultName]:
    """Validated fault names; a ValueError lists the known ones."""
    names = list(names)
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        raise ValueError(unknown_fault(unknown[0]))
    return frozenset(cast(FaultName, n) for n in names)
