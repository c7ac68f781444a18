"""Every artifact of a run is free of the token in every form a reader could decode, and bounded
in size whatever the target floods it with (hardening issue: the artifact scan, items 2-5 and
8). The artifacts are the HTML report, JUnit XML, the JSON summary, pytest's output and a DEBUG
log file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.findings import MAX_KEPT
from tests.hostile_servers import Behaviour, echo_forms, hostile_partner
from tests.mock_helpers import SuiteRun, import_harness, run_suites

import_harness()

# Characters that each encoding spells differently: "/" and "+" and "=".
TOKEN = "p4rtner/s3cret+t0ken="
SHORT = "Q7x"


def _run_with_artifacts(pytester: pytest.Pytester, out: Path, *args: str) -> SuiteRun:
    return run_suites(
        pytester,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-p",
        "no:randomly",
        "--ocpi-report",
        str(out),
        "--log-file",
        str(out / "debug.log"),
        "--log-file-level",
        "DEBUG",
        *args,
    )


def _artifacts(out: Path, run: SuiteRun) -> dict[str, str]:
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}
    texts["stdout"] = run.stdout + run.stderr
    assert {"conformance.html", "junit.xml", "summary.json", "debug.log"} <= set(texts)
    return texts


def _leaks(texts: dict[str, str], token: str) -> list[str]:
    return [f"{name}: {form}" for name, text in texts.items() for form in echo_forms(token)
            if form in text]  # fmt: skip


@pytest.mark.usefixtures("own_secrets")
def test_a_partner_echoing_the_token_in_every_form_leaves_it_in_no_artifact(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given a partner that echoes the token raw, Base64, percent-encoded, JSON-escaped and cut
    # across body chunks, in headers and bodies, and floods its CDR page with 2,000 {}
    out = tmp_path / "reports"
    with hostile_partner(Behaviour(TOKEN, echo=True, flood=2000)) as url:
        # When the suites judge it, writing every report and a DEBUG log
        run = _run_with_artifacts(
            pytester, out, "--target-url", url, "--target-token", TOKEN, "--target-role", "cpo"
        )
    texts = _artifacts(out, run)
    # Then the run ends with findings (not an INTERNALERROR), the echoes are in the artifacts
    # as placeholders, and the token is in none of them in any form
    assert run.ret == 1, run.stdout[-3000:]
    assert "<token>" in texts["debug.log"]
    assert "<token>" in texts["stdout"]
    assert _leaks(texts, TOKEN) == []
    # And the flood is folded: each rule broken on every object is one finding with a count
    summary = json.loads(texts["summary.json"])
    findings = [f for test in summary["tests"] for f in test["findings"]]
    assert all(len(test["findings"]) <= MAX_KEPT for test in summary["tests"])
    missing_id = [f for f in findings if f["path"] == "$.id" and f["requirement"] == "C-001"]
    assert missing_id
    assert max(f["count"] for f in missing_id) == 2000
    # And every artifact stays small (unfolded, 2,000 objects wrote about 28 MB)
    sizes = {name: len(text.encode()) for name, text in texts.items()}
    assert sum(sizes.values()) < 2_000_000, sizes


@pytest.mark.usefixtures("own_secrets")
def test_a_three_character_token_against_the_clean_mock_passes_and_leaks_nowhere(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given the embedded mock and a token of three characters (it may be redacted inside
    # unrelated text, never in the reports' structure)
    out = tmp_path / "reports"
    # When the suites run with every artifact written
    run = _run_with_artifacts(pytester, out, "--target-token", SHORT)
    texts = _artifacts(out, run)
    # Then the run passes and the token is in no artifact in any form
    assert run.ret == 0, run.stdout[-3000:]
    assert json.loads(texts["summary.json"])["verdict"] == "pass"
    assert _leaks(texts, SHORT) == []
