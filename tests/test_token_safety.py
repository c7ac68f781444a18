"""Issue 19, item 5: a short token is redacted in values, never in the keys of the reports'
structure, so the reports survive it; the run says at start that a short token may be
redacted inside unrelated text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.redaction import RUN_SECRETS, Secrets
from tests.mock_helpers import import_harness, run_suites

import_harness()


def test_keys_are_kept_and_values_redacted() -> None:
    secrets = Secrets()
    secrets.add("test")
    data = {"tests": [{"nodeid": "test_x", "message": "the test token"}]}
    assert secrets.redact_data(data) == {
        "tests": [{"nodeid": "<token>_x", "message": "the <token> token"}]
    }


@pytest.fixture
def own_secrets() -> Iterator[None]:
    """The process-wide secrets as they were before the test: an in-process run adds its
    token, and "t" would be redacted out of every later test's output in this worker."""
    values, ordered = set(RUN_SECRETS._values), list(RUN_SECRETS._longest_first)
    try:
        yield
    finally:
        RUN_SECRETS._values, RUN_SECRETS._longest_first = values, ordered


@pytest.mark.usefixtures("own_secrets")
@pytest.mark.parametrize("token", ["tes", "id", "t"])
def test_a_short_token_against_the_clean_mock_passes_and_writes_every_report(
    token: str, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    # Given the embedded mock called with a token of a few characters
    reports = tmp_path / "reports"
    run = run_suites(
        pytester,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--target-token",
        token,
        "--ocpi-report",
        str(reports),
    )
    # Then the run passes, warns about the token at start, and the reports keep their shape
    assert run.ret == 0, run.stdout[-3000:]
    assert f"the token has {len(token)} characters" in run.stdout
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "pass"
    assert summary["tests"]
    assert (reports / "conformance.html").stat().st_size > 0
    assert (reports / "junit.xml").stat().st_size > 0
