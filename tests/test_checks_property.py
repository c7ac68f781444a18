"""Nothing a target sends crashes a check, the crawl or the report: arbitrary JSON values,
headers and statuses wherever a target's data goes give findings, never an exception (the
verdicts issue, item 9; the hardening issue, item 7). Every registered check is fed from its
signature, so a check added later is covered without a line here."""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.checks import check_object
from harness.checks.registry import CheckSpec, all_checks
from harness.client import OcpiClient
from harness.crawl import ObjectChecks, crawl
from harness.exchange import Crawl, CrawlStop, Exchange, parse_body
from harness.findings import Finding, Level, fold_findings
from harness.report.evidence import evidence_html
from harness.versions import SUPPORTED_VERSIONS, version_profile
from tests.conftest import FIXTURES

PROFILES = [version_profile(v) for v in SUPPORTED_VERSIONS]
URL = "https://target.example/ocpi/2.2.1/cdrs"
# Few examples per check, many checks: the suite stays fast and every check is reached.
# PROPERTY_EXAMPLES=1000 searches harder, by hand.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "60"))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # own_secrets restores the process's secrets once per test, not per example: enough.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

# JSON of any shape, with the values that break naive readers: huge and tiny numbers, unicode
# digits, empty and odd strings.
_TEXT = st.text(max_size=30) | st.sampled_from(["", "²", "1e308", "-1", "NaN", "2025-13-45T99"])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_HEADER_NAMES = (
    "content-type",
    "x-total-count",
    "x-limit",
    "link",
    "location",
    "x-request-id",
    "x-correlation-id",
    "ocpi-from-country-code",
    "ocpi-to-party-id",
    "www-authenticate",
)
_HEADER_VALUES = st.sampled_from(
    ['<https://target.example/ocpi/2.2.1/cdrs?offset=²>; rel="next"', "²", "-5", "7", ""]
) | st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"), max_size=40
)
# Each header present or not: the names the checks read, with values of any kind.
HEADERS = st.fixed_dictionaries({}, optional=dict.fromkeys(_HEADER_NAMES, _HEADER_VALUES))


def _envelope(data: Any, code: Any, stamp: Any) -> dict[str, Any]:
    return {"data": data, "status_code": code, "timestamp": stamp}


# A list page: objects of any fields (an id, a last_updated of any kind), mostly in envelopes.
_OBJECTS = st.lists(
    st.fixed_dictionaries({}, optional={"id": JSON, "last_updated": JSON, "total_cost": JSON}),
    max_size=4,
)
PAGES = st.builds(_envelope, _OBJECTS, st.just(1000), st.just("2025-01-01T00:00:00Z")).map(
    json.dumps
)

BODIES = (
    PAGES
    | st.builds(_envelope, JSON, JSON | st.integers(1000, 4004), JSON).map(json.dumps)
    | JSON.map(json.dumps)
    | st.text(max_size=60)
)


STATUSES = st.just(200) | st.integers(100, 599)


@st.composite
def exchanges(draw: st.DrawFn) -> Exchange:
    """An exchange as the client records it, with whatever a target might answer."""
    made = Exchange("GET cdrs #1", "GET", URL, {"Authorization": "Token x"}, None)
    if draw(st.integers(0, 9)) == 0:
        made.error = draw(st.sampled_from(["no answer within the timeout", "ConnectError: x"]))
        made.off_origin = draw(st.booleans())
        return made
    made.status = draw(STATUSES)
    made.response_headers = draw(HEADERS)
    text = draw(BODIES)
    made.text = made.body = text
    made.parsed, made.json_error = parse_body(text)
    return made


def _strategy(spec: CheckSpec, parameter: inspect.Parameter) -> st.SearchStrategy[Any]:
    """What a check's parameter can be fed: the target's data arbitrary, ours well-formed."""
    name, annotation = parameter.name, str(parameter.annotation)
    if annotation == "Exchange":
        return exchanges()
    if annotation == "Exchange | None":
        return st.none() | exchanges()
    if annotation == "VersionProfile":
        return st.sampled_from(PROFILES)
    if annotation == "Crawl":
        stops = st.builds(CrawlStop, st.sampled_from(["loop", "other-origin", "max-pages"]),
                          st.integers(1, 1000), _TEXT)  # fmt: skip
        return st.builds(Crawl, st.integers(0, 1000), st.none() | stops)
    if annotation == "Kind":
        return st.sampled_from(["cdr", "tariff"])
    if annotation == "Level":
        return st.sampled_from(list(Level))
    if annotation == "bool":
        return st.booleans()
    if name == "requirement":
        return st.sampled_from(spec.requirements)
    if name == "version":
        return st.sampled_from(SUPPORTED_VERSIONS) | _TEXT
    if annotation in ("int", "int | None"):
        return st.integers(-5, 10**6) | (st.none() if "None" in annotation else st.nothing())
    if annotation == "str":
        return _TEXT
    if annotation == "dict[str, Any]":
        return st.dictionaries(_TEXT, JSON, max_size=5)
    if annotation == "dict[str, str]":
        return st.dictionaries(_TEXT, _TEXT, max_size=3)
    if annotation == "Sequence[str]":
        return st.lists(_TEXT, max_size=6)
    if annotation == "Sequence[tuple[str, str]]":
        return st.lists(st.tuples(_TEXT, _TEXT), max_size=6)
    if annotation == "tuple[str, str]":  # a party: country code and party id
        return st.tuples(_TEXT, _TEXT)
    if annotation == "tuple[str, str] | None":  # a root cause, as the harness names one
        return st.none() | st.tuples(st.sampled_from(["H-HTTP-01", "T-ENV-01"]), _TEXT)
    if annotation == "tuple[str, ...]":  # requirements to report on: the check's own
        return st.lists(st.sampled_from(spec.requirements), max_size=3).map(tuple)
    if annotation == "Sequence[int | None]":
        return st.lists(st.none() | st.integers(-5, 10**6), max_size=6)
    if annotation == "Sequence[Exchange]":  # a partner's requests to the harness
        return st.lists(exchanges(), max_size=4)
    if annotation == "Callable[[str], bool]":  # which tokens the harness gave
        return st.sampled_from([lambda token: token == "t0k3n-given", lambda token: True])
    raise LookupError(f"{spec.name}: no strategy for {name}: {annotation}")


def _fed_checks() -> list[tuple[CheckSpec, Callable[..., Any]]]:
    """The registered checks that take a target's data directly (the object checks take a
    validated model: they are fed through ``check_object`` below)."""
    out = []
    for spec in all_checks().values():
        function = getattr(importlib.import_module(spec.module), spec.name)
        parameters = inspect.signature(function).parameters
        if "ctx" in parameters or spec.name == "check_schema":
            continue
        out.append((spec, function))
    return out


FED = _fed_checks()


@pytest.mark.parametrize(("spec", "function"), FED, ids=[s.name for s, _ in FED])
def test_a_check_given_anything_a_target_sends_returns_findings(
    spec: CheckSpec, function: Callable[..., Any]
) -> None:
    # Given every parameter of the check fed with what a target could send
    parameters = [
        p for p in inspect.signature(function).parameters.values() if p.default is p.empty
    ]
    arguments = st.tuples(*(_strategy(spec, p) for p in parameters))

    @FAST
    @given(arguments)
    def run(values: tuple[Any, ...]) -> None:
        # When the check runs, Then it returns findings (of its declared requirements: the
        # registry's strict mode raises otherwise), never an exception
        found = function(*values)
        assert all(isinstance(f, Finding) for f in found)

    run()


def _cdr(version: str) -> dict[str, Any]:
    folder = FIXTURES / version / "cdr" / "valid"
    return json.loads((folder / "full.json").read_text(encoding="utf-8"))


CDRS = {version: _cdr(version) for version in SUPPORTED_VERSIONS}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:2]):
            found += _paths(inner, (*prefix, index))
    return found


PATHS = {version: _paths(cdr) for version, cdr in CDRS.items()}


@FAST
@given(st.sampled_from(SUPPORTED_VERSIONS), st.data())
def test_a_cdr_with_any_field_replaced_by_any_json_gives_findings(version: str, data: Any) -> None:
    # Given a full CDR with one field, anywhere in it, replaced by an arbitrary JSON value
    cdr = copy.deepcopy(CDRS[version])
    path = data.draw(st.sampled_from(PATHS[version]))
    holder = cdr
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = data.draw(JSON)
    # When every object check runs on it
    found = check_object(cdr, version, "cdr")
    # Then the outcome is findings, which fold without error
    assert all(isinstance(f, Finding) for f in fold_findings(found))


@pytest.mark.usefixtures("own_secrets")
@FAST
@given(st.lists(st.tuples(STATUSES, HEADERS, BODIES), min_size=1, max_size=3))
def test_a_crawl_of_pages_of_anything_gives_findings(pages: list[tuple[int, Any, str]]) -> None:
    # Given a target answering each page with any status, headers and body (a Link, when it
    # has one, to the next page)
    answers = iter(pages)

    def answer(request: httpx.Request) -> httpx.Response:
        status, headers, body = next(answers, (200, {}, "{}"))
        # As bytes, the way a server's headers arrive (any byte, not only ASCII)
        raw = [(k.encode(), v.encode("utf-8")) for k, v in headers.items()]
        return httpx.Response(status, headers=raw, text=body)

    # (the token joins the process's secrets: own_secrets takes it out again)
    client = OcpiClient(
        "2.2.1", "property-token-7f3a", transport=httpx.MockTransport(answer), max_pages=3
    )
    # When the crawl runs with every object checked
    listing = crawl(client, URL, {"offset": 0}, checks=ObjectChecks("cdr", workers=1))
    client.close()
    # Then what it saw is findings and ids, and the report renders its exchanges
    assert all(isinstance(f, Finding) for f in [*listing.findings, *listing.object_findings])
    shown = list(client.recorder.exchanges)
    html = evidence_html([f.to_dict() for f in listing.findings], shown, len(shown))
    assert html.startswith('<div class="ocpi-evidence">')
