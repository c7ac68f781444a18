"""The mock peer keeps the transport rules it serves: discovery, auth, envelope, headers,
pagination, date filters, the CDR receiver, its store; each fault breaks what it says."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest

from harness.mock import FAULTS, MockSettings, Store, create_app, parse_faults
from harness.mock.cli import main as mock_main
from harness.mock.faults import FaultName
from harness.mock.transport import SyncASGITransport
from harness.models.datetimes import parse_datetime
from tests.conftest import FIXTURES
from tests.mock_helpers import B64, TOKEN, auth, crawl, free_port, mock_client, wait_for_port

VERSIONS = ("2.1.1", "2.2.1", "2.3.0")


def _cdr(version: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / version / "cdr" / "valid" / "full.json").read_text(encoding="utf-8")
    )
    return data


def _envelope_ok(body: dict[str, Any], code: int = 1000) -> None:
    assert body["status_code"] == code
    parse_datetime(body["timestamp"])


# -- discovery ----------------------------------------------------------------------------------


def test_versions_and_details_list_exactly_what_is_served() -> None:
    with mock_client(versions=VERSIONS, roles=("cpo", "emsp")) as client:
        body = client.get("/ocpi/versions", headers=auth()).json()
        _envelope_ok(body)
        assert [v["version"] for v in body["data"]] == list(VERSIONS)
        details = client.get("/ocpi/2.2.1", headers=auth()).json()["data"]
        pairs = {(e["identifier"], e["role"]) for e in details["endpoints"]}
        assert pairs == {
            ("credentials", "SENDER"),
            ("cdrs", "SENDER"),
            ("tariffs", "SENDER"),
            ("cdrs", "RECEIVER"),
        }
        old = client.get("/ocpi/2.1.1", headers=auth("2.1.1")).json()["data"]
        assert all("role" not in e for e in old["endpoints"])
    with mock_client(roles=("emsp",)) as client:
        details = client.get("/ocpi/2.2.1", headers=auth()).json()["data"]
        assert {(e["identifier"], e["role"]) for e in details["endpoints"]} == {
            ("credentials", "SENDER"),
            ("cdrs", "RECEIVER"),
        }
        assert client.get("/ocpi/2.2.1/cpo/cdrs", headers=auth()).status_code == 404


def test_an_unsupported_version_gets_3002_in_the_envelope() -> None:
    with mock_client() as client:
        response = client.get("/ocpi/2.1.1", headers=auth("2.1.1"))
        assert response.status_code == 404
        _envelope_ok(response.json(), 3002)


# -- auth ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "good", "bad"),
    [("2.1.1", TOKEN, B64), ("2.2.1", B64, TOKEN), ("2.3.0", B64, TOKEN)],
)
def test_the_token_encoding_follows_the_version(version: str, good: str, bad: str) -> None:
    with mock_client(versions=VERSIONS, cdrs=3) as client:
        url = f"/ocpi/{version}/cpo/cdrs"
        assert client.get(url, headers={"Authorization": f"Token {good}"}).status_code == 200
        for headers in ({"Authorization": f"Token {bad}"}, {}, {"Authorization": "Bearer x"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 401
            _envelope_ok(response.json(), 2000)
    with mock_client(versions=VERSIONS, cdrs=3, token_encoding="ACCEPT_BOTH") as client:
        url = f"/ocpi/{version}/cpo/cdrs"
        assert client.get(url, headers={"Authorization": f"Token {bad}"}).status_code == 200


# -- envelope and headers -----------------------------------------------------------------------


def test_every_answer_is_enveloped_json_and_echoes_the_ids() -> None:
    ids = {"X-Request-ID": "req-1", "X-Correlation-ID": "cor-1"}
    with mock_client(cdrs=5) as client:
        for method, path, headers in (
            ("GET", "/ocpi/versions", auth()),
            ("GET", "/ocpi/2.2.1/cpo/cdrs", auth()),
            ("GET", "/ocpi/2.2.1/cpo/cdrs", {}),
            ("GET", "/nowhere", auth()),
            ("DELETE", "/ocpi/2.2.1/emsp/cdrs/NL/ABC/1", auth()),
            ("GET", "/ocpi/2.2.1/emsp/cdrs/NL/ABC/none", auth()),
        ):
            response = client.request(method, path, headers={**headers, **ids})
            assert response.headers["content-type"].startswith("application/json")
            body = response.json()
            assert isinstance(body["status_code"], int)
            parse_datetime(body["timestamp"])
            assert response.headers["x-request-id"] == "req-1"
            assert response.headers["x-correlation-id"] == "cor-1"


def test_routing_headers_are_swapped_on_functional_modules() -> None:
    with mock_client(cdrs=2) as client:
        headers = {**auth(), "OCPI-from-country-code": "DE", "OCPI-from-party-id": "EMS"}
        response = client.get("/ocpi/2.2.1/cpo/cdrs", headers=headers)
        assert response.headers["ocpi-to-country-code"] == "DE"
        assert response.headers["ocpi-to-party-id"] == "EMS"
        assert response.headers["ocpi-from-party-id"] == "MCK"
        assert "ocpi-from-party-id" not in client.get("/ocpi/versions", headers=auth()).headers


# -- pagination and date filters ----------------------------------------------------------------


def test_a_small_page_crawl_equals_one_big_page() -> None:
    with mock_client(cdrs=57, page_limit=20) as client:
        small = crawl(client, "/ocpi/2.2.1/cpo/cdrs?limit=7")
        big = crawl(client, "/ocpi/2.2.1/cpo/cdrs?limit=1000")
        assert [c["id"] for c in small] == [c["id"] for c in big]
        assert len({c["id"] for c in small}) == 57
        times = [c["last_updated"] for c in small]
        assert times == sorted(times)  # oldest first
        response = client.get("/ocpi/2.2.1/cpo/cdrs?limit=1000", headers=auth())
        assert response.headers["x-limit"] == "20"
        assert len(response.json()["data"]) == 20  # clamped to the server maximum
        assert "limit=20" in response.headers["link"]
        last = client.get("/ocpi/2.2.1/cpo/cdrs?offset=50&limit=7", headers=auth())
        assert "link" not in last.headers
        assert last.headers["x-total-count"] == "57"


def test_date_from_is_inclusive_and_date_to_exclusive_and_kept_in_links() -> None:
    with mock_client(cdrs=40, page_limit=100) as client:
        every = crawl(client, "/ocpi/2.2.1/cpo/cdrs")
        pivot = every[20]["last_updated"]
        after = crawl(client, f"/ocpi/2.2.1/cpo/cdrs?date_from={pivot}&limit=3")
        before = crawl(client, f"/ocpi/2.2.1/cpo/cdrs?date_to={pivot}&limit=3")
        assert after[0]["last_updated"] == pivot
        assert all(c["last_updated"] < pivot for c in before)
        assert len(after) + len(before) == 40
        first = client.get(f"/ocpi/2.2.1/cpo/cdrs?date_from={pivot}&limit=3", headers=auth())
        assert "date_from=" in first.headers["link"]
        assert first.headers["x-total-count"] == str(len(after))


@pytest.mark.parametrize(
    "query",
    ["offset=-1", "limit=0", "limit=abc", "date_from=yesterday", "date_to=2025-02-30T00:00:00Z"],
)
def test_bad_query_parameters_get_2001(query: str) -> None:
    with mock_client(cdrs=2) as client:
        response = client.get(f"/ocpi/2.2.1/cpo/cdrs?{query}", headers=auth())
        assert response.status_code == 200
        _envelope_ok(response.json(), 2001)


def test_tariffs_are_served_as_sender_too() -> None:
    with mock_client(cdrs=30) as client:
        tariffs = crawl(client, "/ocpi/2.2.1/cpo/tariffs?limit=2")
        cdr_tariffs = {t["id"] for c in crawl(client, "/ocpi/2.2.1/cpo/cdrs") for t in c["tariffs"]}
        assert {t["id"] for t in tariffs} == cdr_tariffs


# -- the receiver -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_a_posted_cdr_is_stored_and_served_back_unchanged(version: str) -> None:
    with mock_client(versions=VERSIONS, roles=("emsp",)) as client:
        body = json.dumps(_cdr(version), ensure_ascii=False, indent=1)
        headers = {**auth(version), "Content-Type": "application/json"}
        response = client.post(f"/ocpi/{version}/emsp/cdrs", headers=headers, content=body)
        assert response.status_code == 201
        _envelope_ok(response.json())
        location = response.headers["location"]
        fetched = client.get(location, headers=auth(version))
        assert fetched.status_code == 200
        served = fetched.text
        assert served[served.index(":") + 1 : served.index(',"status_code"')] == body
        again = client.post(f"/ocpi/{version}/emsp/cdrs", headers=headers, content=body)
        _envelope_ok(again.json(), 2000)  # a duplicate id is refused, the original kept
        for method in ("PUT", "PATCH", "DELETE"):
            assert (
                client.request(method, location, headers=headers, content=body).status_code == 405
            )
        assert client.get(location, headers=auth(version)).json()["data"] == fetched.json()["data"]


@pytest.mark.parametrize(
    ("content", "content_type", "http", "code"),
    [
        (b'{"broken', "application/json", 400, 2000),
        (b"[]", "application/json", 200, 2001),
        (b'{"id": "X"}', "application/json", 200, 2001),
        (b'{"id": "X"}', "text/plain", 415, 2000),
        (b'{"pad": "' + b"x" * 1_100_000 + b'"}', "application/json", 413, 2000),
    ],
)
def test_bad_posts_get_an_error_envelope_and_store_nothing(
    content: bytes, content_type: str, http: int, code: int
) -> None:
    with mock_client(roles=("emsp",)) as client:
        headers = {**auth(), "Content-Type": content_type}
        response = client.post("/ocpi/2.2.1/emsp/cdrs", headers=headers, content=content)
        assert response.status_code == http
        _envelope_ok(response.json(), code)
        assert "location" not in response.headers
        assert client.get("/ocpi/2.2.1/emsp/cdrs/X", headers=auth()).status_code == 404


def test_an_invalid_cdr_is_refused_naming_field_and_requirement() -> None:
    cdr = _cdr("2.2.1")
    del cdr["cdr_location"]
    with mock_client(roles=("emsp",)) as client:
        response = client.post("/ocpi/2.2.1/emsp/cdrs", headers=auth(), json=cdr)
        message = response.json()["status_message"]
        assert "C-001 $.cdr_location" in message
        assert (
            client.get("/ocpi/2.2.1/emsp/cdrs/NL/ABC/CDR-0001", headers=auth()).status_code == 404
        )


# -- the store ----------------------------------------------------------------------------------


def test_a_restart_on_the_same_file_keeps_every_cdr(tmp_path: Path) -> None:
    db = str(tmp_path / "mock.sqlite")
    with mock_client(roles=("cpo", "emsp"), cdrs=25, db=db) as client:
        first = crawl(client, "/ocpi/2.2.1/cpo/cdrs")
        client.post("/ocpi/2.2.1/emsp/cdrs", headers=auth(), json=_cdr("2.2.1"))
    with mock_client(roles=("cpo", "emsp"), cdrs=25, db=db) as client:
        assert crawl(client, "/ocpi/2.2.1/cpo/cdrs") == first
        assert (
            client.get("/ocpi/2.2.1/emsp/cdrs/NL/ABC/CDR-0001", headers=auth()).status_code == 200
        )
    with pytest.raises(ValueError, match="seeded"):
        create_app(MockSettings(cdrs=26, db=db))


def test_seeded_data_is_reproducible_and_spread_over_time() -> None:
    with mock_client(cdrs=30, seed="9") as one, mock_client(cdrs=30, seed="9") as two:
        assert crawl(one, "/ocpi/2.2.1/cpo/cdrs") == crawl(two, "/ocpi/2.2.1/cpo/cdrs")
    with mock_client(cdrs=30, seed="9") as client:
        times = {c["last_updated"][:7] for c in crawl(client, "/ocpi/2.2.1/cpo/cdrs")}
        assert len(times) >= 6  # months of 2025


# -- faults -------------------------------------------------------------------------------------


def _page(faults: set[str], query: str = "limit=5", version: str = "2.2.1") -> httpx.Response:
    with mock_client(versions=VERSIONS, cdrs=12, faults=faults, page_limit=10) as client:
        return client.get(
            f"/ocpi/{version}/cpo/cdrs?{query}",
            headers={**auth(version), "X-Request-ID": "r"},
        )


def _receiver(faults: set[str], cdr: dict[str, Any] | None = None) -> list[httpx.Response]:
    with mock_client(roles=("emsp",), faults=faults) as client:
        body = cdr or _cdr("2.2.1")
        first = client.post("/ocpi/2.2.1/emsp/cdrs", headers=auth(), json=body)
        second = client.post("/ocpi/2.2.1/emsp/cdrs", headers=auth(), json={**body, "remark": "2"})
        stored = client.get("/ocpi/2.2.1/emsp/cdrs/NL/ABC/CDR-0001", headers=auth())
        return [first, second, stored]


def _no_auth(faults: set[str]) -> httpx.Response:
    with mock_client(cdrs=2, faults=faults) as client:
        return client.get("/ocpi/2.2.1/cpo/cdrs", headers={"Authorization": "Token wrong"})


def _open_versions(faults: set[str]) -> int:
    with mock_client(cdrs=2, faults=faults) as client:
        return client.get("/ocpi/versions").status_code


def _routed(faults: set[str]) -> httpx.Headers:
    routed = {"OCPI-from-country-code": "NL", "OCPI-from-party-id": "HAR",
              "OCPI-to-country-code": "DE", "OCPI-to-party-id": "MCK"}  # fmt: skip
    with mock_client(cdrs=2, faults=faults) as client:
        return client.get("/ocpi/2.2.1/cpo/cdrs", headers={**auth(), **routed}).headers


def _broken_post(faults: set[str]) -> httpx.Response:
    with mock_client(roles=("emsp",), faults=faults) as client:
        headers = {**auth(), "Content-Type": "application/json"}
        return client.post("/ocpi/2.2.1/emsp/cdrs", headers=headers, content=b'{"id": "x')


def _bearer(faults: set[str]) -> httpx.Response:
    bearer = {"Authorization": auth()["Authorization"].replace("Token ", "Bearer ", 1)}
    with mock_client(cdrs=2, faults=faults) as client:
        return client.get("/ocpi/2.2.1/cpo/cdrs", headers=bearer)


def _data(response: httpx.Response) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = response.json()["data"]
    return data


_INVALID = {k: v for k, v in _cdr("2.2.1").items() if k != "cdr_location"}

# What each fault must visibly break, on the endpoint it affects.
FAULT_PROOFS: dict[str, Any] = {
    "auth-ignored": lambda: _no_auth({"auth-ignored"}).status_code == 200,
    "auth-wrong-status": lambda: _no_auth({"auth-wrong-status"}).status_code == 403,
    "auth-raw-token": lambda: _page({"auth-raw-token"}).status_code == 401,
    "auth-bearer-accepted": lambda: (
        _bearer({"auth-bearer-accepted"}).status_code == 200 and _bearer(set()).status_code == 401
    ),
    "versions-open": lambda: (
        _open_versions({"versions-open"}) == 200 and _open_versions(set()) == 401
    ),
    "routing-headers-not-swapped": lambda: (
        _routed({"routing-headers-not-swapped"})["ocpi-to-party-id"] == "MCK"
        and _routed(set())["ocpi-to-party-id"] == "HAR"
    ),
    "invalid-refused-without-envelope": lambda: (
        _receiver({"invalid-refused-without-envelope"}, _INVALID)[0].status_code == 422
        and "detail" in _receiver({"invalid-refused-without-envelope"}, _INVALID)[0].json()
        and _receiver(set(), _INVALID)[0].json()["status_code"] == 2001
    ),
    "no-envelope": lambda: isinstance(_page({"no-envelope"}).json(), list),
    "no-timestamp": lambda: "timestamp" not in _page({"no-timestamp"}).json(),
    "status-code-string": lambda: _page({"status-code-string"}).json()["status_code"] == "1000",
    "error-without-envelope": lambda: (
        _no_auth({"error-without-envelope"}).headers["content-type"].startswith("text/plain")
    ),
    "no-total-count": lambda: "x-total-count" not in _page({"no-total-count"}).headers,
    "no-x-limit": lambda: "x-limit" not in _page({"no-x-limit"}).headers,
    "link-on-last-page": lambda: "link" in _page({"link-on-last-page"}, "offset=10").headers,
    "non-json-accepted": lambda: (
        _broken_post({"non-json-accepted"}).status_code == 200
        and _broken_post(set()).status_code == 400
    ),
    "paging-params-crash": lambda: (
        _page({"paging-params-crash"}, "limit=-5").status_code == 500
        and _page(set(), "limit=-5").json()["status_code"] == 2001
    ),
    "empty-link-on-last-page": lambda: (
        _page({"empty-link-on-last-page"}, "offset=10").headers.get("link") == ""
        and "link" not in _page(set(), "offset=10").headers
    ),
    "no-link": lambda: "link" not in _page({"no-link"}).headers,
    "link-drops-filters": lambda: (
        "date_from"
        not in _page({"link-drops-filters"}, "limit=2&date_from=2025-01-01T00:00:00Z").headers[
            "link"
        ]
    ),
    "offset-off-by-one": lambda: (
        _data(_page({"offset-off-by-one"}, "offset=1&limit=2"))[0]["id"]
        == _data(_page(set(), "offset=2&limit=2"))[0]["id"]
    ),
    "limit-ignored": lambda: len(_data(_page({"limit-ignored"}, "limit=12"))) == 12,
    "x-limit-is-count": lambda: _page({"x-limit-is-count"}, "offset=10").headers["x-limit"] == "2",
    "date-to-inclusive": lambda: _date_boundary({"date-to-inclusive"}, "date_to") == 1,
    "date-from-exclusive": lambda: _date_boundary({"date-from-exclusive"}, "date_from") == 0,
    "date-filter-ignored": lambda: (
        _page({"date-filter-ignored"}, "date_from=2030-01-01T00:00:00Z").headers["x-total-count"]
        == "12"
    ),
    "unstable-order": lambda: _unstable(),
    "request-id-not-echoed": lambda: "x-request-id" not in _page({"request-id-not-echoed"}).headers,
    "wrong-content-type": lambda: (
        _page({"wrong-content-type"}).headers["content-type"] == "text/plain"
    ),
    "routing-headers-missing": lambda: (
        "ocpi-from-party-id" not in _page({"routing-headers-missing"}).headers
    ),
    "cdr-2.1.1-shape": lambda: "stop_date_time" in _data(_page({"cdr-2.1.1-shape"}))[0],
    "cost-off": lambda: (
        _data(_page({"cost-off"}))[0]["total_cost"] != _data(_page(set()))[0]["total_cost"]
    ),
    "energy-total-off": lambda: (
        _data(_page({"energy-total-off"}))[0]["total_energy"]
        != _data(_page(set()))[0]["total_energy"]
    ),
    "time-in-seconds": lambda: _data(_page({"time-in-seconds"}))[0]["total_time"] > 100,
    "no-location-header": lambda: "location" not in _receiver({"no-location-header"})[0].headers,
    "store-invalid": lambda: _receiver({"store-invalid"}, _INVALID)[0].status_code == 201,
    "duplicate-overwrites": lambda: (
        _receiver({"duplicate-overwrites"})[2].json()["data"]["remark"] == "2"
    ),
    "server-error": lambda: _page({"server-error"}).status_code == 500,
    "token-a-kept": lambda: _token_a_after_registration() == 200,
    "slow": lambda: _timed({"slow"}) >= 2,
    "stall": lambda: _stalls(),
    "garbage-json": lambda: _unparseable(_page({"garbage-json"})),
    "huge-body": lambda: len(_page({"huge-body"}).content) > 10_000_000,
    "link-loop": lambda: (
        _page({"link-loop"}).headers["link"].startswith("<http://mock/ocpi/2.2.1/cpo/cdrs?limit=5>")
    ),
    "link-other-host": lambda: "other.example" in _page({"link-other-host"}).headers["link"],
}


def _token_a_after_registration() -> int:
    from harness.mock.auth import RETIRED

    store = Store()
    store.set_meta(RETIRED, "1")  # as after a partner registered with TOKEN_A
    app = create_app(MockSettings(token=TOKEN, cdrs=2, faults=frozenset({"token-a-kept"})), store)
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://mock") as client:
        return client.get("/ocpi/2.2.1/cpo/cdrs", headers=auth()).status_code


def _date_boundary(faults: set[str], name: str) -> int:
    with mock_client(cdrs=12, faults=faults) as client:
        every = crawl(client, "/ocpi/2.2.1/cpo/cdrs")
        pivot = every[5]["last_updated"]
        page = client.get(f"/ocpi/2.2.1/cpo/cdrs?{name}={pivot}", headers=auth()).json()["data"]
        return sum(1 for c in page if c["last_updated"] == pivot)


def _unstable() -> bool:
    with mock_client(cdrs=12, faults={"unstable-order"}) as client:
        orders = {
            tuple(
                c["id"] for c in client.get("/ocpi/2.2.1/cpo/cdrs", headers=auth()).json()["data"]
            )
            for _ in range(4)
        }
        return len(orders) > 1


def _timed(faults: set[str]) -> float:
    start = time.monotonic()
    _page(faults)
    return time.monotonic() - start


def _stalls() -> bool:
    with mock_client(cdrs=2, faults={"stall"}) as client:
        try:
            client.get("/ocpi/versions", headers=auth(), timeout=0.5)
        except httpx.ReadTimeout:
            return True
        return False


def _unparseable(response: httpx.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return True
    return False


def test_every_fault_has_a_proof() -> None:
    assert set(FAULT_PROOFS) == set(FAULTS)
    assert len([f for f in FAULTS.values() if not f.transport]) >= 20


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_fault_breaks_what_it_says(fault: str) -> None:
    assert FAULT_PROOFS[fault]()


def test_fault_names_are_typed_and_a_misspelled_one_fails_at_run_time() -> None:
    # Given the Literal mypy checks fault names against: exactly the faults there are
    assert get_args(FaultName) == tuple(FAULTS)
    settings = MockSettings(faults=parse_faults(["no-link"]))
    assert settings.has_fault("no-link")
    assert not settings.has_fault("no-x-limit")
    # When a name is misspelled, Then asking for it fails instead of reading "not active"
    misspelled: Any = "no-lnk"
    with pytest.raises(ValueError, match="unknown fault 'no-lnk'; faults: auth-ignored"):
        settings.has_fault(misspelled)
    with pytest.raises(ValueError, match="unknown fault 'no-lnk'"):
        MockSettings(faults=frozenset({misspelled}))
    with pytest.raises(ValueError, match="unknown fault 'no-lnk'"):
        parse_faults([misspelled])


def test_a_stored_cdr_replaced_by_a_repost_breaks_immutability() -> None:
    # Regression (C-005, AMB-C-09): a receiver that replaces a stored CDR when the same id is
    # POSTed again breaks "CDRs are immutable once sent" (C-005), not id uniqueness (C-004).
    assert FAULTS["duplicate-overwrites"].requirement == "C-005"


def test_faults_compose() -> None:
    response = _page({"no-total-count", "no-x-limit", "no-timestamp"})
    assert "x-total-count" not in response.headers
    assert "x-limit" not in response.headers
    assert "timestamp" not in response.json()


# -- a real socket and the command line ---------------------------------------------------------


def test_ocpi_mock_serves_over_a_real_loopback_socket_and_stops_on_ctrl_c() -> None:
    # Given `ocpi-mock` started as its own process on a free port
    port = free_port()
    args = ["--role", "both", "--port", str(port), "--token", TOKEN, "--cdrs", "15", "--seed", "1"]
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.mock.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/ocpi/versions" in banner
        assert f"Token {B64}" in process.stdout.readline()
        wait_for_port(port)
        # When a client crawls it over HTTP, Then it gets every CDR with absolute Links
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            assert len(crawl(client, "/ocpi/2.2.1/cpo/cdrs?limit=4")) == 15
            link = client.get("/ocpi/2.2.1/cpo/cdrs?limit=4", headers=auth()).headers["link"]
            assert link.startswith(f"<http://127.0.0.1:{port}/")
    finally:
        # And Ctrl-C stops it cleanly
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)  # also closes the pipes
        assert process.returncode == 0


def test_the_command_line_lists_faults_and_refuses_bad_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert mock_main(["--list-faults"]) == 0
    listed = capsys.readouterr().out
    for fault in FAULTS.values():
        assert fault.name in listed
        assert fault.requirement in listed
    assert mock_main(["--fault", "nope"]) == 2
    assert "unknown fault 'nope'" in capsys.readouterr().err
    assert mock_main(["--cdrs", "-3"]) == 2
    assert (
        mock_main(["--role", "cpo", "--version", "2.1.1", "--profile", "credit", "--cdrs", "2"])
        == 2
    )
    assert "needs OCPI 2.2.1" in capsys.readouterr().err


# -- robustness (each case once answered 500, stored junk or gave an unusable URL) ---------------


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeply nested
        json.dumps(_cdr("2.2.1")).replace('"total_energy": 16.5', '"total_energy": NaN').encode(),
        json.dumps(_cdr("2.2.1")).replace('"total_energy": 16.5', '"total_energy": 1e999').encode(),
        json.dumps({**_cdr("2.2.1"), "x": float("inf")}).encode(),  # Infinity literal
    ],
    ids=["nested", "nan", "overflow", "infinity"],
)
def test_what_is_not_json_gets_400_and_is_not_stored(content: bytes) -> None:
    with mock_client(roles=("emsp",)) as client:
        headers = {**auth(), "Content-Type": "application/json"}
        response = client.post("/ocpi/2.2.1/emsp/cdrs", headers=headers, content=content)
        assert response.status_code == 400
        _envelope_ok(response.json(), 2000)
        stored = client.get("/ocpi/2.2.1/emsp/cdrs/NL/ABC/CDR-0001", headers=auth())
        assert stored.status_code == 404


@pytest.mark.parametrize("query", ["limit=²", "limit=١٢", "offset=99999999999999999999"])
def test_odd_numbers_in_the_query_get_2001(query: str) -> None:
    with mock_client(cdrs=2) as client:
        response = client.get(f"/ocpi/2.2.1/cpo/cdrs?{query}", headers=auth())
        assert response.status_code == 200
        _envelope_ok(response.json(), 2001)


@pytest.mark.parametrize("cdr_id", ["A/B", "q?x", "h#x", "p%41", "..", "A B", "Ünï"])
def test_the_location_of_any_printable_id_fetches_it(cdr_id: str) -> None:
    cdr = {**_cdr("2.2.1"), "id": cdr_id}
    with mock_client(roles=("emsp",)) as client:
        response = client.post("/ocpi/2.2.1/emsp/cdrs", headers=auth(), json=cdr)
        if cdr_id == "Ünï":  # not printable ASCII: refused as a CiString violation
            assert response.json()["status_code"] == 2001
            return
        location = response.headers["location"]
        assert " " not in location
        fetched = client.get(location, headers=auth())
        assert fetched.status_code == 200, location
        assert fetched.json()["data"]["id"] == cdr_id


def test_a_declared_huge_body_is_refused_before_it_is_read() -> None:
    with mock_client(roles=("emsp",)) as client:
        headers = {**auth(), "Content-Type": "application/json", "Content-Length": "5000000"}
        response = client.post("/ocpi/2.2.1/emsp/cdrs", headers=headers, content=b"{}")
        assert response.status_code == 413


def test_methods_not_offered_get_405_with_allow() -> None:
    with mock_client(roles=("emsp",)) as client:
        response = client.delete("/ocpi/2.2.1/emsp/cdrs/NL/ABC/CDR-0001")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET"
        _envelope_ok(response.json(), 2000)
        assert "C-005" in response.json()["status_message"]
        put = client.put("/ocpi/2.2.1/emsp/cdrs", headers=auth(), json={})
        assert put.headers["allow"] == "POST"


def test_the_post_answer_carries_the_routing_headers() -> None:
    headers = {**auth(), "OCPI-from-country-code": "DE", "OCPI-from-party-id": "CPO"}
    with mock_client(roles=("emsp",)) as client:
        response = client.post("/ocpi/2.2.1/emsp/cdrs", headers=headers, json=_cdr("2.2.1"))
        assert response.headers["ocpi-to-party-id"] == "CPO"
        assert response.headers["ocpi-from-party-id"] == "MCK"


def test_a_trailing_slash_names_the_same_resource() -> None:
    with mock_client(cdrs=3) as client:
        for path in ("/ocpi/versions/", "/ocpi/2.2.1/", "/ocpi/2.2.1/cpo/cdrs/?limit=2"):
            response = client.get(path, headers=auth())
            assert response.status_code == 200, path
            _envelope_ok(response.json())


def test_envelope_faults_strike_only_where_they_say() -> None:
    with mock_client(cdrs=3, faults={"no-envelope"}) as client:
        assert isinstance(client.get("/ocpi/2.2.1/cpo/cdrs", headers=auth()).json(), list)
        _envelope_ok(client.get("/ocpi/versions", headers=auth()).json())
    with mock_client(roles=("emsp",), faults={"error-without-envelope"}) as client:
        refused = client.post(
            "/ocpi/2.2.1/emsp/cdrs", headers={**auth(), "Content-Type": "text/plain"}, content=b"x"
        )
        _envelope_ok(refused.json(), 2000)  # a 415 keeps its envelope


def test_transport_faults_compose_with_the_others() -> None:
    for other in sorted(set(FAULTS) - {"slow", "stall"}):
        with mock_client(cdrs=3, faults={"garbage-json", other}) as client:
            response = client.get("/ocpi/2.2.1/cpo/cdrs", headers=auth())
            assert response.status_code in (200, 401, 403, 500), other


def test_the_docs_list_every_fault() -> None:
    docs = (FIXTURES.parent / "docs" / "mock.md").read_text(encoding="utf-8")
    for fault in FAULTS.values():
        assert f"| `{fault.name}` | {fault.requirement} |" in docs, fault.name
