"""The eMSP's client judged (--ocpi-direction pull): the pull suite passes the harness's own
clean puller and reports each client fault under the requirement it breaks, at its level."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.client import OcpiClient
from harness.inbox import PULL_CDRS, serve_inbox
from harness.pull import PULL_FAULTS, find_sender, latest_stamp, pull_cdrs
from tests.mock_helpers import import_harness, run_suites

import_harness()

# Each client fault: the requirement the pull suite reports it under, and the outcome
EXPECTED = {
    "ignore-link": ("H-PULL-01", "fail"),
    "page-twice": ("H-PULL-01", "warning"),
    "re-read-all": ("H-PULL-02", "warning"),
    "over-limit": ("H-PULL-01", "warning"),
    "raw-token": ("T-AUTH-03", "fail"),
    "no-request-id": ("T-HDR-03", "fail"),
    "no-routing-headers": ("T-ROUTE-01", "warning"),  # allowed peer to peer (AMB-08)
}


def _judged(pytester: pytest.Pytester, tmp_path: Path, *args: str) -> dict[str, str]:
    out = tmp_path / "summary.json"
    run = run_suites(
        pytester, "-p", "no:cacheprovider", "-p", "no:xdist", "-k", "pull",
        "--ocpi-direction", "pull", "--ocpi-json", str(out), *args,
    )  # fmt: skip
    assert out.exists(), run.stdout[-3000:]
    summary: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return {
        r["id"]: r["outcome"]
        for r in summary["requirements"]
        if r["outcome"] not in ("pass", "skip", "n/a")
    }


def test_every_pull_fault_has_its_expected_requirement() -> None:
    assert set(EXPECTED) == set(PULL_FAULTS)


@pytest.mark.usefixtures("own_secrets")
def test_the_clean_puller_passes_the_pull_suite(pytester: pytest.Pytester, tmp_path: Path) -> None:
    assert _judged(pytester, tmp_path) == {}


@pytest.mark.usefixtures("own_secrets")
@pytest.mark.parametrize(
    "fault",
    [
        # two in the README's command, every one in CI's slow run
        f if f in ("ignore-link", "re-read-all") else pytest.param(f, marks=pytest.mark.slow)
        for f in sorted(EXPECTED)
    ],
)
def test_each_pull_fault_is_reported_under_the_rule_it_breaks(
    pytester: pytest.Pytester, tmp_path: Path, fault: str
) -> None:
    rule, outcome = EXPECTED[fault]
    assert _judged(pytester, tmp_path, "--ocpi-client-fault", fault) == {rule: outcome}


def test_the_puller_reads_every_cdr_once_and_then_what_changed() -> None:
    with serve_inbox("2.2.1", role="cpo") as inbox:
        client = OcpiClient("2.2.1", inbox.token)
        sender = find_sender(client, inbox.versions_url)
        first = pull_cdrs(client, sender)
        since = latest_stamp(first.pages)
        second = pull_cdrs(client, sender, since)
        client.close()
    assert len(first.ids) == len(set(first.ids)) == PULL_CDRS
    assert len(first.pages) == 3  # pages of 10: the Links were followed to the end
    assert since is not None
    assert 1 <= len(second.ids) < PULL_CDRS  # from the latest last_updated on


def test_a_pull_fault_of_the_other_direction_is_named() -> None:
    from harness.settings import SettingsError, parse_settings

    with pytest.raises(SettingsError, match=r"'put-cdr' \(--ocpi-direction pull\): one of"):
        parse_settings({"ocpi-direction": "pull", "ocpi-client-fault": ["put-cdr"]})
    with pytest.raises(SettingsError, match=r"push .* or pull"):
        parse_settings({"ocpi-direction": "sideways"})


@pytest.mark.slow
def test_the_wait_goes_on_while_the_partner_is_still_reading_a_list() -> None:
    import threading
    import time

    # Given an eMSP that reads a page, then waits longer than the quiet period before the next
    with serve_inbox("2.2.1", role="cpo") as inbox:
        client = OcpiClient("2.2.1", inbox.token)
        sender = find_sender(client, inbox.versions_url)

        def slow_sync() -> None:
            url: str | None = sender
            while url is not None:
                page = client.get(url)
                link = page.header("Link")
                url = link.split(";")[0].strip("<> ") if link else None
                time.sleep(0.4)

        reader = threading.Thread(target=slow_sync)
        reader.start()
        # When the harness waits with a quiet period shorter than the partner's pauses
        inbox.wait(10, quiet=0.2)
        read = [p for p in inbox.pulls() if p.status == 200]  # when the wait ended
        reader.join()
        client.close()
    # Then it waited for the last page: the partner was still following Links
    assert len(read) == 3


@pytest.mark.slow
@pytest.mark.usefixtures("own_secrets")
def test_a_partner_that_never_pulls_blocks_the_pull_rules_by_h_pull_01(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    out = tmp_path / "summary.json"
    run_suites(pytester, "-p", "no:cacheprovider", "-p", "no:xdist", "-k", "pull",
               "--ocpi-direction", "pull", "--ocpi-trigger", "true", "--ocpi-wait", "0.3",
               "--ocpi-json", str(out))  # fmt: skip
    summary = json.loads(out.read_text(encoding="utf-8"))
    outcomes = {r["id"]: r["outcome"] for r in summary["requirements"]}
    assert outcomes["H-PULL-01"] == "fail"
    causes = {
        f.get("cause")
        for t in summary["tests"]
        for f in t["findings"]
        if f["requirement"] == "T-AUTH-03" and f.get("outcome") == "blocked"
    }
    assert causes == {"H-PULL-01"}
