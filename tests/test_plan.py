"""The budget and the crawl plan (harness/plan.py): a list the budget reads whole is read whole;
a larger one in full inside a window of its most recent CDRs, sampled elsewhere, and every
check says what it covered, a partial outcome of the budget, never a failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.client import OcpiClient
from harness.crawl import crawl
from harness.exchange import CrawlBudget
from harness.findings import Level
from harness.plan import DEFAULT_BUDGET, Budget, BudgetError, plan_crawl
from harness.settings import SettingsError, parse_settings
from tests.hostile_servers import Behaviour, hostile_partner
from tests.test_blocked_outcomes import _cdrs, _judged, _outcomes

TOKEN = "receiver-token-0123"


def test_a_budget_is_read_from_requests_time_or_both() -> None:
    assert Budget.parse("4000") == Budget(4000, None)
    assert Budget.parse("10m") == Budget(None, 600.0)
    assert Budget.parse("4000, 90s") == Budget(4000, 90.0)
    assert Budget.parse("none") == Budget(None, None)
    assert Budget.parse(None) == DEFAULT_BUDGET
    for wrong in ("lots", "-5", "0", "10h"):
        with pytest.raises(BudgetError, match="give requests"):
            Budget.parse(wrong)


def test_a_wrong_budget_stops_the_run_naming_the_fix() -> None:
    with pytest.raises(SettingsError, match=r"--ocpi-budget 'ten': give requests \(4000\)"):
        parse_settings({"ocpi-budget": "ten"})
    assert parse_settings({"ocpi-budget": "500,2m"}).budget == Budget(500, 120.0)


def _plan(cdrs: int, budget: str, **behaviour: Any) -> Any:
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(cdrs), **behaviour)
    with hostile_partner(partner) as url:
        client = OcpiClient("2.2.1", TOKEN, timeout=5)
        plan = plan_crawl(client, url.replace("/ocpi/versions", "/ocpi/2.2.1/cdrs"),
                          Budget.parse(budget), "1")  # fmt: skip
        client.close()
    return plan


def test_a_list_the_budget_can_read_is_read_whole() -> None:
    plan = _plan(40, "100")
    assert plan.whole
    assert plan.total == 40
    assert plan.params(7) == {"limit": 7}


def test_a_larger_list_is_read_in_a_window_of_its_most_recent_cdrs() -> None:
    # Given 200 CDRs and a budget of 30 requests (a window of at most 7 x 12 = 84 CDRs)
    plan = _plan(200, "30")
    # Then the plan is a window whose count fits, not far below it, sampled elsewhere
    assert not plan.whole
    assert plan.window is not None
    assert plan.in_window is not None
    assert 0.7 * 84 <= plan.in_window <= 84
    assert plan.params(7) == {"date_from": plan.window, "limit": 7}
    assert plan.probes
    assert all(0 <= offset <= 193 for offset in plan.probes)
    said = plan.coverage(plan.in_window, 7 * len(plan.probes))
    assert said.startswith(f"validated {plan.in_window + 7 * len(plan.probes)} of 200 CDRs: ")
    assert f"the window date_from={plan.window}" in said


@pytest.mark.slow
def test_the_same_seed_probes_the_same_offsets() -> None:
    assert _plan(200, "30").probes == _plan(200, "30").probes


@pytest.mark.slow
@pytest.mark.usefixtures("own_secrets")
def test_a_large_partner_passes_within_its_budget_and_says_what_was_covered(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO right in all with 300 CDRs, judged under a budget of 40 requests
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(300))
    summary = _judged(pytester, tmp_path, partner, "cpo", "--ocpi-budget", "40")
    outcomes = _outcomes(summary)
    # Then nothing fails or warns because of the budget
    assert {r for r, o in outcomes.items() if o in ("fail", "error", "warning")} == set(), outcomes
    assert summary["verdict"] == "pass"
    # And the CDR checks and the crawl say they covered a part, naming the budget
    for rule in ("C-001", "C-026", "T-PAG-01"):
        assert outcomes[rule] == "partial", (rule, outcomes)
    said = [
        f["message"]
        for test in summary["tests"]
        for f in test["findings"]
        if f["requirement"] == "C-001" and f.get("outcome") == "partial"
    ]
    assert said
    assert "of 300 CDRs: the window date_from=" in said[0]
    assert "pages at random offsets elsewhere" in said[0]
    assert "(H-BUDGET-01)" in said[0]
    # And the date window is judged in full inside the window
    assert outcomes["T-PAG-02"] == "pass"


@pytest.mark.slow
@pytest.mark.usefixtures("own_secrets")
def test_a_partner_whose_count_ignores_date_from_is_read_from_its_start(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a CPO whose X-Total-Count and list ignore date_from, with 300 CDRs
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(300), ignores_dates=True)
    summary = _judged(pytester, tmp_path, partner, "cpo", "--ocpi-budget", "40")
    outcomes = _outcomes(summary)
    # Then its first pages are checked, partial by the budget, and the filter is the finding
    assert outcomes["C-001"] == "partial", outcomes
    assert outcomes["T-PAG-02"] == "fail", outcomes
    failing = {r for r, o in outcomes.items() if o in ("fail", "error")}
    assert failing <= {"T-PAG-02", "T-PAG-03"}, outcomes


def _cdrs_url(versions_url: str) -> str:
    return versions_url.replace("/ocpi/versions", "/ocpi/2.2.1/cdrs")


def test_a_page_throttled_to_the_end_is_no_broken_link() -> None:
    # Given a CPO that serves page 1, then throttles page 2 longer than the harness waits
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(20), throttle=((0, None), (429, "60")))
    with hostile_partner(partner) as url:
        client = OcpiClient("2.2.1", TOKEN, timeout=5)
        listing = crawl(client, _cdrs_url(url), {"limit": 7})
        client.close()
    # Then the crawl is cut by the throttling, and the Link is not blamed for it
    assert listing.incomplete is not None
    assert listing.incomplete[0] == "H-RATE-02"
    assert not [f for f in listing.findings if f.level is Level.ERROR]


def test_a_one_page_probe_stays_one_page_when_its_link_leaves_the_target() -> None:
    # Given a CPO whose Link points at an internal host (continued by offset, normally)
    partner = Behaviour(
        TOKEN, echo=False, cdrs=_cdrs(60), link="http://internal.example:8080/cdrs?offset={offset}"
    )
    with hostile_partner(partner) as url:
        client = OcpiClient("2.2.1", TOKEN, timeout=5)
        # When a probe of one page is made
        listing = crawl(client, _cdrs_url(url), {"offset": 0, "limit": 7}, budget=CrawlBudget(1))
        client.close()
    # Then it reads that page and no more, and says the budget ended it
    assert len(client.recorder.exchanges) == 1
    assert listing.incomplete is not None
    assert listing.incomplete[0] == "H-BUDGET-01"
    # And the Link's own defect is still the finding it is
    assert {f.requirement for f in listing.findings if f.level is Level.ERROR} == {"H-PAG-02"}


def test_a_planned_crawl_ends_on_its_budget_before_max_pages() -> None:
    # Given a crawl whose plan gives it as many pages as --ocpi-max-pages allows
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(100))
    with hostile_partner(partner) as url:
        client = OcpiClient("2.2.1", TOKEN, timeout=5, max_pages=5)
        listing = crawl(client, _cdrs_url(url), {"limit": 7}, budget=CrawlBudget(5))
        client.close()
    # Then the budget ends it (a part, H-BUDGET-01), not the page limit (an H-PAG-01 error)
    assert listing.incomplete is not None
    assert listing.incomplete[0] == "H-BUDGET-01"
    assert not [f for f in listing.findings if f.requirement == "H-PAG-01"]


def test_a_count_that_ignores_date_from_sizes_no_window() -> None:
    plan = _plan(300, "40", ignores_dates=True)
    assert plan.window is None
    assert plan.pages is not None
    assert "the count does not follow date_from" in plan.how[0]
