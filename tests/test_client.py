"""The recording client against hostile targets (respx stands in for them): every case ends in
a finding, never an exception or a hang, and the token never leaves the target's origin nor
appears in a transcript."""

from __future__ import annotations

import base64

import httpx
import pytest
import respx

from harness.checks.pagination import check_crawl_stop
from harness.checks.transport import check_response
from harness.client import OcpiClient
from harness.exchange import Crawl, Exchange, next_link
from harness.redaction import REDACTED
from harness.versions import version_profile

TOKEN = "very-secret-token"
B64 = base64.b64encode(TOKEN.encode()).decode()
BASE = "https://target.example/ocpi/2.2.1/cdrs"
PROFILE = version_profile("2.2.1")


def _client(**kwargs: object) -> OcpiClient:
    return OcpiClient("2.2.1", TOKEN, **kwargs)  # type: ignore[arg-type]


def _requirements(exchange: object) -> set[str]:
    return {f.requirement for f in check_response(exchange, PROFILE, expect_list=True)}  # type: ignore[arg-type]


@respx.mock
def test_an_html_error_page_is_findings_not_an_exception() -> None:
    respx.get(BASE).mock(
        return_value=httpx.Response(
            500, text="<html>oops</html>", headers={"content-type": "text/html"}
        )
    )
    exchange = _client().get(BASE)
    assert exchange.status == 500
    # One finding: the server error, whose fact names the page it sent (its Content-Type
    # and missing envelope are that error, not two more defects)
    [found] = check_response(exchange, version_profile("2.2.1"))
    assert found.requirement == "T-HTTP-02"
    assert "HTTP 500 text/html" in found.message


@respx.mock
def test_non_utf8_and_garbage_json_are_findings() -> None:
    respx.get(BASE).mock(
        return_value=httpx.Response(
            200, content=b'{"data": [\xff\xfe', headers={"content-type": "application/json"}
        )
    )
    exchange = _client().get(BASE)
    assert exchange.json_error is not None
    assert "T-ENV-01" in _requirements(exchange)


@respx.mock
def test_json_nested_past_the_decoder_is_a_finding() -> None:
    body = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    headers = {"content-type": "application/json"}
    respx.get(BASE).mock(return_value=httpx.Response(200, content=body, headers=headers))
    exchange = _client().get(BASE)
    assert exchange.json_error == "nested too deeply to read"
    assert "T-ENV-01" in _requirements(exchange)


@respx.mock
@pytest.mark.parametrize("declared", [True, False])
def test_a_huge_body_is_cut_off_with_a_finding(declared: bool) -> None:
    body = b"x" * 3_000_000
    headers = {"content-type": "application/json"}
    if declared:
        respx.get(BASE).mock(return_value=httpx.Response(200, content=body, headers=headers))
    else:
        respx.get(BASE).mock(
            return_value=httpx.Response(200, stream=httpx.ByteStream(body), headers=headers)
        )
    exchange = _client(max_body=1_000_000).get(BASE)
    assert exchange.error is not None
    assert "limit" in exchange.error
    assert _requirements(exchange) == {"H-HTTP-02"}


@respx.mock
def test_a_timeout_is_a_finding() -> None:
    respx.get(BASE).mock(side_effect=httpx.ReadTimeout("slow"))
    exchange = _client().get(BASE)
    assert exchange.error == "no answer within the timeout"
    assert _requirements(exchange) == {"H-HTTP-01"}


@respx.mock
def test_a_refused_connection_is_a_finding() -> None:
    respx.get(BASE).mock(side_effect=httpx.ConnectError("refused"))
    assert _requirements(_client().get(BASE)) == {"H-HTTP-01"}


@respx.mock
def test_a_redirect_to_another_host_is_not_followed() -> None:
    respx.get(BASE).mock(
        return_value=httpx.Response(302, headers={"location": "https://evil.example/steal"})
    )
    elsewhere = respx.get("https://evil.example/steal").mock(return_value=httpx.Response(200))
    exchange = _client().get(BASE)
    assert exchange.status == 302
    assert not elsewhere.called
    # The redirect is the finding (H-HTTP-04), not its empty body
    assert _requirements(exchange) == {"H-HTTP-04"}


def _page(link: str | None, ids: list[str]) -> httpx.Response:
    headers = {"content-type": "application/json", "x-total-count": "100", "x-limit": "2"}
    if link:
        headers["link"] = f'<{link}>; rel="next"'
    body = {
        "data": [{"id": i} for i in ids],
        "status_code": 1000,
        "timestamp": "2025-01-01T00:00:00Z",
    }
    return httpx.Response(200, json=body, headers=headers)


@respx.mock
def test_a_link_loop_stops_with_h_pag_01() -> None:
    respx.get(BASE).mock(return_value=_page(BASE, ["a", "b"]))
    crawl = Crawl()
    pages = list(_client().paginate(BASE, crawl=crawl))
    assert len(pages) == 1
    assert [f.requirement for f in check_crawl_stop(crawl)] == ["H-PAG-01"]


@respx.mock
def test_a_link_to_another_origin_is_not_followed_and_gets_no_token() -> None:
    respx.get(BASE).mock(return_value=_page("https://evil.example/next", ["a"]))
    elsewhere = respx.get("https://evil.example/next").mock(return_value=_page(None, []))
    crawl = Crawl()
    list(_client().paginate(BASE, crawl=crawl))
    assert not elsewhere.called
    assert [f.requirement for f in check_crawl_stop(crawl)] == ["H-PAG-02"]


@respx.mock
def test_endless_pagination_stops_at_max_pages() -> None:
    route = respx.get(url__startswith=BASE)
    route.side_effect = lambda request: _page(
        f"{BASE}?offset={int(request.url.params.get('offset', 0)) + 2}", ["x"]
    )
    crawl = Crawl()
    pages = list(_client(max_pages=5).paginate(BASE, crawl=crawl))
    assert len(pages) == 5
    assert [f.requirement for f in check_crawl_stop(crawl)] == ["H-PAG-01"]


@respx.mock
def test_the_token_is_redacted_in_every_encoding_everywhere() -> None:
    echo = f"token {TOKEN} and {B64}"
    answer = httpx.Response(200, text=echo, headers={"x-echo": echo})
    respx.post(url__startswith=BASE).mock(return_value=answer)
    respx.get(BASE).mock(return_value=answer)
    client = _client()
    exchange = client.request("POST", BASE + f"?t={TOKEN}", body={"token": TOKEN})
    client.request("GET", BASE, authorization=client.authorization(encoding="raw"))
    for recorded in client.recorder.exchanges:
        text = str(recorded.transcript) + recorded.curl
        assert TOKEN not in text
        assert B64 not in text
    assert REDACTED in exchange.curl(client.recorder.redact)
    assert TOKEN in exchange.url  # kept as sent, for the checks; shown only redacted


def test_link_headers_are_parsed_as_rfc_8288_says() -> None:
    def link(value: str) -> str | None:
        exchange = Exchange("x", "GET", BASE, {}, None, response_headers={"link": value})
        return next_link(exchange, BASE + "?offset=0")

    assert link('</ocpi/2.2.1/cdrs?offset=2>; rel="next"') == (
        "https://target.example/ocpi/2.2.1/cdrs?offset=2"
    )
    assert link('<https://a/prev>; rel="prev", <https://a/next>; rel=next') == "https://a/next"
    assert link('<https://a/x>; rel="last"') is None
    assert link("garbage") is None


@respx.mock
def test_a_long_body_is_cut_in_the_transcript_with_no_piece_of_a_secret() -> None:
    # The token is swept across the point where the transcript cuts the body: redaction
    # happens before the cut, so not even the token's first characters are left.
    client = _client()
    for pad in range(3930, 4010, 4):
        page = {"data": [{"note": "x" * pad + TOKEN + "y" * 50}, {"id": 2}, {"id": 3}]}
        respx.get(BASE).mock(return_value=httpx.Response(200, json=page))
        exchange = client.get(BASE)
        body = exchange.transcript(client.recorder.redact)["body"]
        assert TOKEN[:6] not in body
        assert body.endswith("characters)")
        assert len(body) < 4100
        assert exchange.text is not None
        assert TOKEN in exchange.text  # the checks read the body as it came


def test_a_long_body_nested_past_the_interpreter_still_gets_a_transcript() -> None:
    deep: object = 1
    for _ in range(5_000):
        deep = [deep]
    exchange = Exchange("x", "GET", BASE, {}, None, status=200, body="[" * 5_000 + "]" * 5_000)
    exchange.parsed = deep
    body = exchange.transcript(lambda text: text)["body"]
    assert body.startswith("[[[")
    assert body.endswith("characters)")


# Issue 19, item 1: one origin guard for every URL a target hands back.
@respx.mock
def test_a_location_on_another_port_is_not_fetched_with_the_token() -> None:
    # Given a receiver whose POST answers with a Location on another port of the same host
    respx.post(BASE).mock(
        return_value=httpx.Response(
            201,
            json={"status_code": 1000, "timestamp": "2025-01-01T00:00:00Z"},
            headers={"Location": "https://target.example:8443/steal/NL/ABC/CDR1"},
        )
    )
    stolen = respx.get(url__startswith="https://target.example:8443/").mock(
        return_value=httpx.Response(200, json={})
    )
    client = _client()
    post = client.request("POST", BASE, body={"id": "CDR1"})
    # When the harness reads the CDR back at that Location
    from harness.checks.receiver import location_of

    location = location_of(post)
    assert location is not None
    fetched = client.get(location)
    # Then no request is made, and the exchange is an H-HTTP-03 finding naming both origins
    assert not stolen.called
    assert fetched.off_origin
    (finding,) = check_response(fetched, PROFILE)
    assert finding.requirement == "H-HTTP-03"
    assert "https://target.example:8443" in finding.message
    assert "https://target.example" in finding.message


@respx.mock
def test_version_details_elsewhere_are_not_fetched_unless_that_origin_is_allowed() -> None:
    details = respx.get("https://other.example/ocpi/2.2.1").mock(
        return_value=httpx.Response(200, json={})
    )
    # Given a client whose target is target.example (its first request went there)
    client = _client(home="https://target.example/ocpi/versions")
    assert client.get("https://other.example/ocpi/2.2.1").off_origin
    assert not details.called
    # And a request without the token is not the guard's business
    assert not client.get("https://other.example/ocpi/2.2.1", authorization=None).off_origin
    # When the partner's other host is allowed by name, Then the request is made
    trusting = _client(
        home="https://target.example/ocpi/versions", allowed_origins=("https://other.example",)
    )
    assert not trusting.get("https://other.example/ocpi/2.2.1").off_origin
    assert details.call_count == 2


# Issue 19, item 4: checks read what was received; only what is shown is redacted.
@respx.mock
def test_a_token_that_looks_like_a_header_value_changes_no_verdict() -> None:
    # Given the token "100", and a page whose X-Limit is 100 with a Link that contains "100"
    link = f"{BASE}?offset=100&limit=100"
    body = {"data": [], "status_code": 1000, "timestamp": "2025-01-01T00:00:00Z"}
    headers = {"X-Limit": "100", "X-Total-Count": "200", "Link": f'<{link}>; rel="next"'}
    respx.get(BASE).mock(return_value=httpx.Response(200, json=body, headers=headers))
    client = OcpiClient("2.2.1", "100")
    page = client.get(BASE, params={"offset": 100})
    # Then the checks see the headers as sent
    assert page.header("X-Limit") == "100"
    assert next_link(page, page.url) == link
    # And the transcript shows neither the token nor its Base64 form
    shown = client.recorder.exchanges[-1].transcript
    assert shown["response_headers"]["x-limit"] == REDACTED
    assert "MTAw" not in str(shown) + client.recorder.exchanges[-1].curl
    # And the repr of the exchange holds no header, URL or body (its label and timing aside:
    # the digits of the elapsed milliseconds may spell "100")
    assert "100" not in repr(page).replace(page.label, "").replace(repr(page.elapsed_ms), "")
