"""A crawl of a sender's list checks every page and, when asked, every object as the pages
come, in this process or on a pool, naming the CDR and the page of each object finding."""

from __future__ import annotations

import httpx
import pytest
import respx

from harness.checks import parallel
from harness.client import OcpiClient
from harness.crawl import ObjectChecks, crawl
from harness.mock import MockSettings, create_app
from harness.mock.transport import SyncASGITransport
from harness.recording import JOURNAL
from tests.mock_helpers import TOKEN

URL = "http://mock/ocpi/2.2.1/cpo/cdrs"


def _client(**settings: object) -> OcpiClient:
    options = MockSettings(token=TOKEN, cdrs=23, **settings)  # type: ignore[arg-type]
    return OcpiClient("2.2.1", TOKEN, transport=SyncASGITransport(create_app(options)))


def test_a_clean_list_is_crawled_and_every_cdr_checked() -> None:
    listing = crawl(_client(), URL, {"limit": 5}, checks=ObjectChecks("cdr"))
    assert listing.checked == len(listing.ids) == 23
    assert len(set(listing.ids)) == 23
    assert listing.totals == [23] * 5
    assert listing.findings == []
    assert [f for f in listing.object_findings if f.level.value != "info"] == []


def test_without_checks_objects_are_noted_not_checked() -> None:
    listing = crawl(_client(faults=frozenset({"cost-off"})), URL, {"limit": 5})
    assert listing.checked == 0
    assert listing.object_findings == []
    assert len(listing.ids) == 23


def test_an_object_finding_names_the_cdr_and_the_page_it_came_on() -> None:
    client = _client(faults=frozenset({"cost-off"}))
    listing = crawl(client, URL, {"limit": 5}, checks=ObjectChecks("cdr"))
    costs = [f for f in listing.object_findings if f.requirement == "C-026"]
    named = {f.message.split(":")[0].removeprefix("CDR ") for f in costs}
    assert named == set(listing.ids)
    for finding in costs:
        recorded = JOURNAL.find(finding.exchange or "")
        assert recorded is not None
        assert recorded.label.startswith("GET cdrs limit=5")


def test_a_pool_checks_a_large_crawl_as_this_process_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = ObjectChecks("cdr")
    here = crawl(_client(faults=frozenset({"cost-off"})), URL, {"limit": 4}, checks=checks)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10)  # 23 CDRs count as a large crawl
    pooled = crawl(
        _client(faults=frozenset({"cost-off"})),
        URL,
        {"limit": 4},
        checks=ObjectChecks("cdr", workers=2),
    )
    assert pooled.checked == here.checked == 23
    strip = [(f.requirement, f.level, f.message, f.path) for f in here.object_findings]
    assert [(f.requirement, f.level, f.message, f.path) for f in pooled.object_findings] == strip
    assert strip


def test_a_page_the_checker_cannot_read_is_a_finding_and_shifts_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A page the crawl read but the checker could not (JSON nested past one parser's limit and
    # not the other's, say) must not pin later pages' findings on the wrong CDRs.
    real = parallel.check_page_objects
    calls = iter(range(100))

    def first_page_unreadable(text: str | bytes, *args: object) -> parallel.PageFindings:
        return [] if next(calls) == 0 else real(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "check_page_objects", first_page_unreadable)
    client = _client(faults=frozenset({"cost-off"}))
    listing = crawl(client, URL, {"limit": 5}, checks=ObjectChecks("cdr", workers=1))
    unread = [f for f in listing.object_findings if f.path == "$.data"]
    assert [f.level.value for f in unread] == ["error"]
    assert (unread[0].exchange or "").startswith("GET cdrs limit=5 1 ")
    assert listing.checked == 23 - 5
    costs = [f for f in listing.object_findings if f.requirement == "C-026"]
    assert {f.message.split(":")[0].removeprefix("CDR ") for f in costs} == set(listing.ids[5:])


@pytest.mark.parametrize(
    ("fault", "requirement"),
    [
        ("link-drops-filters", "T-PAG-04"),
        ("link-loop", "H-PAG-01"),
        ("link-other-host", "H-PAG-02"),
    ],
)
def test_a_link_that_cannot_be_followed_is_a_finding_and_the_crawl_goes_on_by_offset(
    fault: str, requirement: str
) -> None:
    # Given a list of 23 whose Link drops the filters, loops, or leaves the target
    client = _client(faults=frozenset({fault}))
    mark = JOURNAL.mark()
    # When it is crawled in pages of 5 with a date filter that every CDR matches
    listing = crawl(client, URL, {"date_from": "2000-01-01T00:00:00Z", "limit": 5})
    # Then the Link's defect is one finding, and it says how the crawl went on
    [stop] = [f for f in listing.findings if f.requirement == requirement and not f.exchange]
    assert "continued by offset after the Link failed: reached the end of the list" in stop.message
    # And every object was listed once, by offset on the endpoint URL with the filter kept
    assert len(listing.ids) == len(set(listing.ids)) == 23
    assert listing.incomplete is None
    continued = [e for e in JOURNAL.since(mark) if "continued by offset" in e.label]
    assert continued
    assert all("date_from=2000-01-01" in e.curl for e in continued)


def test_a_clean_list_is_never_continued_by_offset() -> None:
    # Given a list whose Link works, When it is crawled
    mark = JOURNAL.mark()
    listing = crawl(_client(), URL, {"limit": 5})
    # Then no page is asked by offset beyond what the Links led to
    assert JOURNAL.since(mark)
    assert not [e for e in JOURNAL.since(mark) if "continued by offset" in e.label]
    assert len(listing.ids) == 23


@pytest.mark.parametrize(
    ("written", "dated"),
    [
        ("2025-10-24T09:10:41Z", "2025-10-24T09:10:41Z"),
        ("2025-10-24 09:10:41+00:00", "2025-10-24T09:10:41Z"),
        ("2025-10-24T11:10:41.250+02:00", "2025-10-24T09:10:41.25Z"),
        ("2025-10-24 09:10:41", "2025-10-24T09:10:41Z"),
        ("yesterday", None),
        ("", None),
    ],
)
def test_a_last_updated_in_another_form_is_dated_by_the_instant_it_names(
    written: str, dated: str | None
) -> None:
    from harness.checks.pagination import readable_instant

    # Given a last_updated as a library writes it (a space, an offset), When it is read
    # Then it is the OCPI DateTime of the same instant, or nothing when it names none
    assert readable_instant(written) == dated


def _paged_by_number(request: httpx.Request) -> httpx.Response:
    """150 CDRs whose offset is read as a page number, with a Link nothing serves."""
    query = dict(request.url.params)
    offset, limit = int(query.get("offset", 0)), int(query.get("limit", 7))
    page = [{"id": f"CDR{i:04d}", "last_updated": "2025-01-01T00:00:00Z"}
            for i in range(150)][offset * limit : offset * limit + limit]  # fmt: skip
    headers = {"X-Total-Count": "150", "X-Limit": str(limit),
               "Link": '<https://t.example/ocpi/nowhere?offset=9>; rel="next"'}  # fmt: skip
    body = {"data": page, "status_code": 1000, "timestamp": "2025-01-01T00:00:00Z"}
    return httpx.Response(200, json=body, headers=headers)


@respx.mock
def test_a_continuation_that_runs_dry_before_the_count_leaves_the_crawl_incomplete() -> None:
    # Given 150 CDRs behind a broken Link, whose offset the target reads as a page number
    respx.get("https://t.example/ocpi/nowhere").mock(return_value=httpx.Response(404))
    respx.get("https://t.example/ocpi/2.2.1/cdrs").mock(side_effect=_paged_by_number)
    # When it is crawled in pages of 7 (continued by offset after the Link)
    listing = crawl(OcpiClient("2.2.1", TOKEN), "https://t.example/ocpi/2.2.1/cdrs", {"limit": 7})
    # Then the continuation does not claim the end: the count says more than it found
    [stop] = [f for f in listing.findings if f.requirement == "T-PAG-04" and not f.exchange]
    assert "lists nothing, X-Total-Count says 150" in stop.message
    assert listing.incomplete is not None
    assert len(listing.ids) < 150
