"""Issue 20, item 7: what a hostile target sends ends in findings, never in a crash of the run.
JSON nested deeper than the harness reads (``MAX_DEPTH``) is refused where bodies are parsed,
and no reader of a transcript recurses into it (the HTML evidence crashed the run with
INTERNALERROR, exit 3); a CDR whose last_updated is missing or no DateTime is a schema finding,
left out of the date-window check (which raised a ValueError)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from harness.checks.pagination import check_date_window
from harness.checks.transport import check_response
from harness.client import OcpiClient
from harness.crawl import crawl
from harness.exchange import MAX_DEPTH, NESTED_TOO_DEEPLY, Exchange, parse_body
from harness.findings import Level
from harness.versions import version_profile
from tests.hostile_servers import deep_json, ocpi_cpo
from tests.mock_helpers import import_harness, run_suites

import_harness()

TOKEN = "hostile-target-token"
PROFILE = version_profile("2.2.1")
URL = "https://target.example/ocpi/2.2.1/cdrs"
UNDATED = {"A": "yesterday", "B": None, "C": 12, "D": "2025-13-45T00:00:00Z"}
UNDATED["E"] = "2025-01-01T00:00:00+00:00"  # an offset, even +00:00, is no OCPI DateTime
DATED = {f"V{n}": f"2025-01-0{n}T00:00:00Z" for n in range(1, 5)}


def _cdrs(stamps: dict[str, object]) -> list[dict[str, object]]:
    cdrs: list[dict[str, object]] = []
    for ident, stamp in stamps.items():
        cdr: dict[str, object] = {"id": ident}
        if stamp is not None:
            cdr["last_updated"] = stamp
        cdrs.append(cdr)
    return cdrs


def _page(data: object) -> str:
    return json.dumps({"data": data, "status_code": 1000, "timestamp": "2025-01-01T00:00:00Z"})


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_past_max_depth_is_refused_with_a_reason(opening: str) -> None:
    # Rule: parse_body reads no body nested more than MAX_DEPTH levels, however it is nested
    # and whichever parser reads it (pydantic-core to ~240 levels, json past that)
    closing = "]" if opening == "[" else "}"
    for depth, readable in ((MAX_DEPTH, True), (MAX_DEPTH + 1, False), (500, False)):
        text = opening * depth + "1" + closing * depth
        parsed, error = parse_body(text)
        assert (parsed is not None, error) == (readable, None if readable else NESTED_TOO_DEEPLY)


def test_a_deep_body_is_an_envelope_finding_that_says_how_deep() -> None:
    # Given a page whose data is nested 100 levels deep (pydantic-core would read it)
    with respx.mock:
        respx.get(URL).mock(
            return_value=httpx.Response(200, text=_page(json.loads(deep_json(100))))
        )
        exchange = OcpiClient("2.2.1", TOKEN).get(URL)
    # Then it is not read, and the transport check says why
    assert (exchange.parsed, exchange.json_error) == (None, NESTED_TOO_DEEPLY)
    (finding,) = [f for f in check_response(exchange, PROFILE) if f.requirement == "T-ENV-01"]
    assert f"nested more than {MAX_DEPTH} levels deep" in finding.message


@pytest.mark.parametrize("depth", [1_500, 5_000])  # shown whole, and cut to 4,000 characters
@pytest.mark.usefixtures("own_secrets")
def test_a_deep_body_renders_as_evidence_without_recursing(depth: int) -> None:
    from harness.report.evidence import evidence_html

    # Given an answer nested past what the interpreter's stack holds
    with respx.mock:
        respx.get(URL).mock(return_value=httpx.Response(200, text=deep_json(depth)))
        client = OcpiClient("2.2.1", TOKEN)
        client.get(URL)
    # When the HTML evidence renders it (it re-parses bodies to pretty-print them)
    html = evidence_html([], client.recorder.exchanges, 1)
    # Then the body is shown as text, led by why it was not read
    assert f"({NESTED_TOO_DEEPLY}; shown as text) [[[" in html


def test_a_deep_body_reaches_the_transcript_as_text_no_parser_recurses_into() -> None:
    exchange = Exchange("x", "GET", URL, {}, None, status=200)
    exchange.body = deep_json(1_500)
    exchange.parsed, exchange.json_error = parse_body(exchange.body)
    body = exchange.transcript(lambda text: text)["body"]
    with pytest.raises(json.JSONDecodeError):  # at once, at the first character
        json.loads(body)
    # And a body that was read is shown as it came
    exchange.body = "[[1]]"
    exchange.parsed, exchange.json_error = parse_body(exchange.body)
    assert exchange.transcript(lambda text: text)["body"] == "[[1]]"


@pytest.mark.usefixtures("own_secrets")
def test_a_run_against_a_target_listing_deep_json_reports_findings(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO whose CDR pages are nested 1,500 levels deep
    page = _page(None).replace("null", deep_json(1_500))
    with ocpi_cpo(page) as versions:
        # When the suites run against it, writing every report
        run = run_suites(
            pytester,
            *("-p", "no:xdist", "-p", "no:cacheprovider", "--ocpi-report", str(tmp_path)),
            *("--target-url", versions, "--target-token", TOKEN, "--target-role", "cpo"),
        )
    # Then the run ends with findings (exit 1), not an internal error (exit 3)
    assert "INTERNALERROR" not in run.stdout + run.stderr, run.stdout[-3000:]
    assert run.ret == 1, run.stdout[-3000:]
    assert f"JSON nested more than {MAX_DEPTH} levels deep" in run.stdout
    assert (tmp_path / "conformance.html").stat().st_size > 0


def test_the_date_window_check_leaves_out_objects_without_a_datetime() -> None:
    # Given an unfiltered crawl whose objects A..E have no last_updated that is a DateTime,
    # and filtered crawls that kept the window on the dated ones (and listed the others)
    every = [(i, str(t)) for i, t in {**UNDATED, **DATED}.items()]
    after, before = ["V2", "V3", "V4", *UNDATED], ["V1", *UNDATED]
    # When the check judges the window at V2's stamp
    found = check_date_window("window", DATED["V2"], every, after, before, PROFILE)
    # Then it judges the dated objects (nothing wrong) and says it left five out
    (finding,) = found
    assert (finding.requirement, finding.level, finding.outcome) == (
        "T-PAG-02",
        Level.INFO,
        "partial",
    )
    assert "4 objects dated" in finding.message
    assert "5 have no last_updated that is an OCPI DateTime" in finding.message
    # And a filter that lets an undated object's neighbour through is still caught
    wrong = check_date_window("window", DATED["V2"], every, ["V1", *after], before, PROFILE)
    assert any(f.level is Level.ERROR and f.requirement == "T-PAG-02" for f in wrong)


@pytest.mark.parametrize("pivot", ["yesterday", "None", "12", "2025-13-45T00:00:00Z"])
def test_a_pivot_that_is_no_datetime_blocks_the_date_window_check(pivot: str) -> None:
    found = check_date_window("window", pivot, list(DATED.items()), [], [], PROFILE)
    assert [(f.requirement, f.level, f.outcome) for f in found] == [
        ("T-PAG-02", Level.INFO, "blocked")
    ]


@respx.mock
def test_a_crawl_notes_the_objects_it_cannot_date() -> None:
    # Given a list whose CDRs have last_updated missing, in words, a number, month 13, +00:00
    headers = {"X-Total-Count": "9", "X-Limit": "100"}
    page = _page(_cdrs({**UNDATED, **DATED}))
    respx.get(url__startswith=URL).mock(
        return_value=httpx.Response(200, text=page, headers=headers)
    )
    # When it is crawled
    listing = crawl(OcpiClient("2.2.1", TOKEN), URL, {"limit": 100})
    # Then every id is listed, the dated ones with their stamps, the one with an offset by
    # the instant it names (its form is the schema check's T-TYPE-02), the others as undated
    assert listing.ids == [*UNDATED, *DATED]
    assert listing.stamps == [("E", "2025-01-01T00:00:00Z"), *DATED.items()]
    assert listing.undated == [i for i in UNDATED if i != "E"]


@pytest.mark.usefixtures("own_secrets")
def test_a_run_against_a_target_with_undatable_cdrs_reports_findings(
    pytester: pytest.Pytester,
) -> None:
    # Given a CPO listing CDRs whose last_updated is missing or no DateTime, besides dated
    # ones, and applying no date filter at all
    page = _page(_cdrs({**UNDATED, **DATED}))
    with ocpi_cpo(page, total=len(UNDATED) + len(DATED)) as versions:
        run = run_suites(
            pytester,
            *("-p", "no:xdist", "-p", "no:cacheprovider", "-k", "date_from or every_cdr"),
            *("--target-url", versions, "--target-token", TOKEN, "--target-role", "cpo"),
        )
    # Then the date test fails on its findings (the filter is not applied), not on an
    # exception, and the schema findings name the stamps
    assert run.ret == 1, run.stdout[-3000:]
    assert "ValueError" not in run.stdout, run.stdout[-3000:]
    assert "T-PAG-02" in run.stdout
    assert "'last_updated'" in run.stdout


@respx.mock
def test_counts_in_digits_int_refuses_are_findings_not_exceptions() -> None:
    # Rule: a header or query value is a count only in ASCII digits ("²" passes isdigit, and
    # int() raised a ValueError out of the crawl and the client)
    headers = {"X-Total-Count": "²", "X-Limit": "³", "Content-Length": "¹"}
    headers["Link"] = f'<{URL}?offset=1&limit=²>; rel="next"'
    sent = [(name.encode(), value.encode()) for name, value in headers.items()]  # UTF-8
    page = httpx.Response(200, content=_page(_cdrs(DATED)).encode(), headers=sent)
    respx.get(url__startswith=URL).mock(return_value=page)
    client = OcpiClient("2.2.1", TOKEN, max_pages=1)
    listing = crawl(client, URL, {"limit": 100})
    assert (listing.totals, listing.x_limits) == ([None], [None])
    assert {f.requirement for f in listing.findings} >= {"T-PAG-04"}
    from harness.checks.pagination import check_link_keeps

    assert check_link_keeps(client.get(URL), {}, 100) == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "https://t.example/ocpi/VersionNumber.v_2_2_1/cdrs?offset=7",
            "the path holds 'VersionNumber.v_2_2_1', a program's enum name",
        ),
        ("https://t.example/ocpi/2.2.1/cdrs?offset=7&date_to=None", "date_to=None"),
        ("/ocpi/2.2.1/cdrs?offset=7", "not an absolute URL"),
    ],
)
def test_a_link_handed_back_is_diagnosed_in_the_partners_words(url: str, says: str) -> None:
    from harness.checks.pagination import link_diagnosis

    # Given a URL a target handed back, When it is diagnosed, Then the fault is named
    assert says in link_diagnosis(url)


def test_a_well_formed_link_gets_no_diagnosis() -> None:
    from harness.checks.pagination import link_diagnosis

    # Given a next-page Link as the spec has it (a valid input beside the ones above)
    url = "https://t.example/ocpi/2.2.1/cdrs?offset=7&limit=7&date_from=2025-01-01T00:00:00Z"
    # Then nothing is said against it
    assert link_diagnosis(url) == ""
