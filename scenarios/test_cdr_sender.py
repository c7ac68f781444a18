"""Conformance of a CDR sender (target role cpo), read-only: discovery, authorization, the
envelope and headers, every CDR validated and re-priced, pagination and date filters."""

from __future__ import annotations

import time

import pytest

from harness.checks.auth import check_refused, check_token_opens
from harness.checks.exchange_finding import BUDGET_CAUSE, blocked, not_judgeable, partial
from harness.checks.pagination import (
    check_bad_paging_refused,
    check_crawl,
    check_date_window,
    check_every_object_seen,
    check_link_keeps,
    check_offset,
    check_page,
    check_something_listed,
    check_x_limit_steady,
)
from harness.checks.transport import (
    STALE_AFTER,
    check_response,
    check_routing_swapped,
    check_timestamp_moves,
    routing_headers,
    routing_party,
)
from harness.crawl import Listing, ObjectChecks, crawl
from harness.exchange import CrawlBudget
from harness.findings import Finding, Level
from harness.plan import SMALL_PAGE, CrawlPlan, plan_crawl
from harness.target import Target
from harness.verdict import conforms

pytestmark = [pytest.mark.cdrs]

# Who the harness says it is in routing headers (as in its credentials: an eMSP, NL/HAR)
HARNESS_PARTY = ("NL", "HAR")


@pytest.fixture(scope="session")
def plan(sender: Target, cdr_sender: str) -> CrawlPlan:
    """How the CDR list is read under the run's budget: whole, or a window of its most recent
    CDRs in full and pages at random offsets besides (harness.plan)."""
    settings = sender.settings
    return plan_crawl(sender.client, cdr_sender, settings.budget, settings.seed)


@pytest.fixture(scope="session")
def full_listing(sender: Target, cdr_sender: str, plan: CrawlPlan) -> Listing:
    """One crawl of the planned part in pages of 7, every CDR checked as it comes (shared by
    the tests that read it)."""
    settings = sender.settings
    checks = ObjectChecks("cdr", settings.options, settings.workers)
    return crawl(
        sender.client, cdr_sender, plan.params(SMALL_PAGE), checks=checks,
        budget=plan.budget(SMALL_PAGE),
    )  # fmt: skip


@pytest.fixture(scope="session")
def probed(sender: Target, cdr_sender: str, plan: CrawlPlan, full_listing: Listing) -> Listing:
    """The pages at the plan's random offsets, every CDR on them checked once: those the
    window crawl saw, or an earlier probe, are not counted or reported again (a target that
    ignores offset serves the same page to every probe). Empty when the list is read whole."""
    settings = sender.settings
    checks = ObjectChecks("cdr", settings.options, 1)
    found = Listing()
    seen = set(full_listing.ids)
    told: set[tuple[str, str]] = set()
    for offset in plan.probes:
        page = crawl(
            sender.client, cdr_sender, {"offset": offset, "limit": SMALL_PAGE},
            checks=checks, budget=CrawlBudget(1, plan.until),
        )  # fmt: skip
        new = [i for i in page.ids if i not in seen]
        seen.update(page.ids)
        found.ids += new
        found.object_findings += [
            f
            for f in page.object_findings
            if f.subject is None or f.subject.split(" ", 1)[-1] in new
        ]
        for finding in page.findings:  # a defect of every page is told once
            if (finding.requirement, finding.message) not in told:
                told.add((finding.requirement, finding.message))
                found.findings.append(finding)
    found.checked = len(found.ids)
    return found


def _covered(
    plan: CrawlPlan, listing: Listing, probed: Listing, rules: tuple[str, ...]
) -> list[Finding]:
    """What a check of every CDR covered when the budget kept the list from being read whole:
    each rule judged on that part (H-BUDGET-01), never taken for the whole list."""
    if plan.whole or listing.incomplete is not None or plan.window is None:
        # Read whole (a first-pages plan whose crawl reached the end read it all too), or
        # the crawl's own stop says what was seen
        return []
    fact = "; ".join(plan.how)
    what = plan.coverage(listing.checked, probed.checked)
    return [partial(None, rule, what, (BUDGET_CAUSE, fact)) for rule in rules]


@pytest.mark.transport
@pytest.mark.requirement("T-VER-01", "T-VER-02", "T-ENV-01")
def test_discovery_finds_the_versions_and_endpoints(
    sender: Target, request: pytest.FixtureRequest
) -> None:
    conforms(request, sender.discover().findings)


@pytest.mark.auth
@pytest.mark.requirement("T-AUTH-04", "T-ENV-05")
def test_the_versions_endpoint_needs_the_token(
    sender: Target, request: pytest.FixtureRequest
) -> None:
    # T-AUTH-01: every module takes the token, versions and version details included
    client = sender.client
    valid = sender.discover().versions
    findings: list[Finding] = []
    for what, header in (
        ("no Authorization header", None),
        ("an unknown token", client.authorization("not-the-token-" + client.token[:4])),
    ):
        # At the URL the versions list answered at (past a redirect discovery followed)
        answer = client.get(valid.url, f"GET versions with {what}", authorization=header)
        findings += check_refused(answer, f"{what} on the versions endpoint", valid=valid)
    conforms(request, findings)


@pytest.mark.auth
@pytest.mark.requirement("T-AUTH-02", "T-AUTH-03", "T-AUTH-04", "T-ENV-05")
def test_only_the_right_token_in_the_right_encoding_opens_the_list(
    sender: Target, cdr_sender: str, request: pytest.FixtureRequest
) -> None:
    client = sender.client
    right = client.get(cdr_sender, "GET cdrs with the token", params={"limit": 1})
    findings: list[Finding] = check_token_opens(right, client.profile)
    other = "raw" if client.profile.token_base64 else "base64"
    cases = [
        ("no Authorization header", None, Level.ERROR),
        (
            "an unknown token",
            client.authorization("not-the-token-" + client.token[:4]),
            Level.ERROR,
        ),
        (f"the token {other}", client.authorization(encoding=other), Level.WARNING),
        # The scheme is Token (T-AUTH-04's reading of a malformed header): Bearer is refused
        (
            "the Bearer scheme",
            "Bearer " + client.authorization().removeprefix("Token "),
            Level.ERROR,
        ),
    ]
    for what, header, level in cases:
        answer = client.get(
            cdr_sender, f"GET cdrs with {what}", params={"limit": 1}, authorization=header
        )
        findings += check_refused(answer, what, level, valid=right)
    conforms(request, findings)


@pytest.mark.transport
@pytest.mark.requirement("T-ENV-01", "T-ENV-04", "T-HDR-01", "T-HDR-03", "T-HDR-04", "T-ROUTE-01")
def test_the_list_answers_in_the_envelope_with_the_headers(
    sender: Target, cdr_sender: str, request: pytest.FixtureRequest
) -> None:
    page = sender.client.get(cdr_sender, "GET cdrs first page", params={"limit": 5})
    findings = check_response(page, sender.client.profile, expect_list=True, functional=True)
    findings += check_page(page, sender.client.profile, 0)
    conforms(request, findings)


@pytest.mark.transport
@pytest.mark.requirement("T-ROUTE-03")
def test_the_answer_swaps_the_routing_headers(
    sender: Target, cdr_sender: str, request: pytest.FixtureRequest
) -> None:
    client = sender.client
    if not client.profile.routing_headers:
        pytest.skip(f"OCPI {client.profile.version} has no routing headers")
    # The target's party, as its answers say it: the request is then sent to that party
    plain = client.get(cdr_sender, "GET cdrs (the target's party)", params={"limit": 1})
    unjudged = not_judgeable(plain, ("T-ROUTE-03",), "how routing headers are answered")
    if unjudged is not None:
        conforms(request, unjudged)
    theirs = routing_party(plain)
    if theirs is None:
        why = ("T-ROUTE-01", "its answers carry no OCPI-from-* headers to address it by")
        conforms(request, blocked(plain, ("T-ROUTE-03",), "how routing headers are answered", why))
    assert theirs is not None
    headers = routing_headers(HARNESS_PARTY, theirs)
    answer = client.get(
        cdr_sender, "GET cdrs with routing headers", params={"limit": 1}, headers=headers
    )
    conforms(request, check_routing_swapped(answer, HARNESS_PARTY, theirs))


@pytest.mark.schema
@pytest.mark.cost
@pytest.mark.requirement("C-001", "C-002", "C-010", "C-012", "C-026")
def test_every_cdr_is_valid_and_prices_to_its_totals(
    sender: Target,
    plan: CrawlPlan,
    full_listing: Listing,
    probed: Listing,
    request: pytest.FixtureRequest,
) -> None:
    rules = ("C-001", "C-002", "C-010", "C-012", "C-026")
    findings = full_listing.findings + full_listing.object_findings
    findings += probed.findings + probed.object_findings
    findings += check_something_listed(full_listing.checked, full_listing.incomplete)
    findings += check_every_object_seen(
        full_listing.checked, full_listing.totals, full_listing.incomplete, rules
    )
    findings += _covered(plan, full_listing, probed, rules)
    conforms(request, findings)


@pytest.mark.pagination
@pytest.mark.requirement("T-PAG-01", "T-PAG-04", "T-PAG-06", "H-PAG-01", "H-PAG-02")
def test_paging_in_small_steps_gives_every_cdr_once(
    sender: Target,
    cdr_sender: str,
    plan: CrawlPlan,
    full_listing: Listing,
    request: pytest.FixtureRequest,
) -> None:
    client = sender.client
    big = crawl(client, cdr_sender, plan.params(plan.big_page), budget=plan.budget(plan.big_page))
    findings = full_listing.findings + big.findings
    findings += check_x_limit_steady("crawl limit=7", full_listing.x_limits, client.profile)
    crawls = check_crawl(
        "crawl limit=7 vs limit=1000",
        full_listing.ids,
        big.ids,
        full_listing.totals + big.totals,
        full_listing.incomplete,
        big.incomplete,
    )
    # An order that moves between requests (T-PAG-06) explains two offsets that disagree
    moved = [f for f in crawls if f.requirement == "T-PAG-06" and f.outcome is None]
    unstable = ("T-PAG-06", moved[0].message) if moved else None
    first = client.get(cdr_sender, "GET cdrs offset=0", params={"offset": 0, "limit": 2})
    shifted = client.get(cdr_sender, "GET cdrs offset=1", params={"offset": 1, "limit": 2})
    findings += check_offset(first, shifted, unstable)
    findings += _covered(plan, full_listing, Listing(), ("T-PAG-01",))
    conforms(request, findings + crawls)


@pytest.mark.pagination
@pytest.mark.requirement("T-HTTP-02")
def test_invalid_paging_parameters_are_refused_without_a_server_error(
    sender: Target, cdr_sender: str, request: pytest.FixtureRequest
) -> None:
    findings: list[Finding] = []
    for name, value in (("offset", "-1"), ("limit", "-5"), ("limit", "many")):
        what = f"{name}={value}"
        answer = sender.client.get(cdr_sender, f"GET cdrs {what}", params={name: value})
        findings += check_bad_paging_refused(answer, what)
    conforms(request, findings)


@pytest.mark.pagination
@pytest.mark.requirement("T-PAG-04", "T-PAG-05")
def test_a_limit_above_the_maximum_is_clamped_and_reported(
    sender: Target, cdr_sender: str, request: pytest.FixtureRequest
) -> None:
    page = sender.client.get(cdr_sender, "GET cdrs limit=100000", params={"limit": 100_000})
    findings = check_response(page, sender.client.profile, expect_list=True)
    findings += check_page(page, sender.client.profile, 0)
    findings += check_link_keeps(page, {}, 100_000)
    conforms(request, findings)


@pytest.mark.pagination
@pytest.mark.requirement("T-PAG-02", "T-PAG-03", "T-PAG-04")
def test_date_from_is_inclusive_date_to_exclusive_and_links_keep_them(
    sender: Target,
    cdr_sender: str,
    plan: CrawlPlan,
    full_listing: Listing,
    request: pytest.FixtureRequest,
) -> None:
    stamps = sorted(full_listing.stamps, key=lambda pair: pair[1])
    if len(stamps) < 3 and full_listing.incomplete is not None:
        # Too few seen to probe a window because the crawl ended early: blocked by that
        what = "the date window (too few CDRs seen to probe one)"
        conforms(request, blocked(None, ("T-PAG-02", "T-PAG-03"), what, full_listing.incomplete))
    if len(stamps) < 3:
        pytest.skip("fewer than 3 CDRs: no window to probe")
    pivot = stamps[len(stamps) // 2][1]
    client = sender.client
    # In pages as large as the target gives: the filters are judged, not the paging (the
    # paging test does; the Link's filters are checked below)
    # Inside the plan's window when there is one: the CDRs before it were not all seen
    since = {} if plan.window is None else {"date_from": plan.window}
    large, budget = plan.big_page, plan.budget(plan.big_page)
    after = crawl(client, cdr_sender, {"date_from": pivot, "limit": large}, budget=budget)
    before = crawl(client, cdr_sender, {**since, "date_to": pivot, "limit": large}, budget=budget)
    findings = after.findings + before.findings
    findings += check_date_window(
        f"date filters at {pivot}",
        pivot,
        stamps,
        after.ids,
        before.ids,
        client.profile,
        after.incomplete or before.incomplete,
        full_listing.incomplete,
    )
    first = client.get(
        cdr_sender, "GET cdrs date_from", params={"date_from": stamps[0][1], "limit": 2}
    )
    findings += check_link_keeps(first, {"date_from": stamps[0][1]}, 2)
    conforms(request, findings)


@pytest.mark.transport
@pytest.mark.requirement("T-ENV-01")
def test_the_envelope_timestamp_is_when_the_answer_was_made(
    sender: Target, cdr_sender: str, request: pytest.FixtureRequest
) -> None:
    # An answer now and the first answer of the run: a timestamp that has not moved was
    # computed once (at the server's start), not when the answer was made
    first = sender.discover().versions
    later = sender.client.get(cdr_sender, "GET cdrs (the timestamp now)", params={"limit": 1})
    stamps = [(e.envelope or {}).get("timestamp") for e in (first, later)]
    waited = later.sent_at - (first.sent_at + first.elapsed_ms / 1000)  # as the check counts
    if stamps[0] == stamps[1] and waited < STALE_AFTER:
        # The same so far, and too close in time to tell (a timestamp in whole seconds)
        if sender.settings.embedded:
            pytest.skip("the run against the embedded mock was too short to see its clock move")
        time.sleep(STALE_AFTER - waited)  # once per run, at most a second
        later = sender.client.get(cdr_sender, "GET cdrs (the timestamp later)", params={"limit": 1})
    conforms(request, check_timestamp_moves(first, later))
