"""Progress of long work on the terminal (harness/progress.py): nothing for short work, a line
every so often in a log, a bar in place on a terminal, through pytest's capture."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import harness.progress as progress
from harness.progress import LOG_EVERY, SHOW_AFTER, TerminalMeters, Uncaptured
from tests.hostile_servers import Behaviour, hostile_partner
from tests.mock_helpers import run_suites
from tests.test_blocked_outcomes import _cdrs

TOKEN = "receiver-token-0123"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_short_work_shows_nothing_and_long_work_a_line_every_so_often() -> None:
    # Given meters on a stream that is no terminal (a CI log)
    out, clock = io.StringIO(), _Clock()
    meter = TerminalMeters(out, clock).start("GET cdrs limit=7", 70, "CDRS")
    # When pages come within the first seconds, Then nothing is written
    meter.advance(1, 7)
    clock.now += SHOW_AFTER - 0.1
    meter.advance(1, 7)
    assert out.getvalue() == ""
    # When the work goes on past them, Then a line with the counts, the rate and the ETA
    clock.now += 0.2
    meter.advance(1, 7)
    first = out.getvalue()
    assert first.startswith("\nocpi: GET cdrs limit=7: ")
    assert "21/70" in first
    assert first.rstrip().endswith("3 pages")
    # And no other line before LOG_EVERY seconds, one after, and one at the end
    clock.now += LOG_EVERY / 2
    meter.advance(1, 7)
    assert out.getvalue() == first
    clock.now += LOG_EVERY
    meter.advance(1, 7)
    meter.close()
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 3
    assert "35/70" in lines[-1]
    assert lines[-1].endswith("5 pages")


def test_short_work_that_ends_leaves_no_line() -> None:
    out = io.StringIO()
    meter = TerminalMeters(out, _Clock()).start("GET cdrs", None, "CDRS")
    meter.advance(1, 7)
    meter.close()
    assert out.getvalue() == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_meter_is_a_bar_below_the_line_of_the_test() -> None:
    out, clock = _Terminal(), _Clock()
    meter = TerminalMeters(out, clock).start("GET cdrs limit=7", 700, "CDRS")
    meter.advance(1, 7)
    assert out.getvalue() == ""
    clock.now += SHOW_AFTER + 1
    meter.advance(1, 7)
    meter.advance(1, 7)
    meter.close()
    shown = out.getvalue()
    assert shown.startswith("\n")
    assert "GET cdrs limit=7" in shown
    assert "/700" in shown
    assert "\r" in shown  # drawn in place


def test_uncaptured_output_suspends_the_capture_around_each_write() -> None:
    calls: list[str] = []

    @contextmanager
    def suspend() -> Iterator[None]:
        calls.append("off")
        yield
        calls.append("on")

    out = io.StringIO()
    stream = Uncaptured(out, suspend)
    stream.write("hello")
    assert out.getvalue() == "hello"
    assert calls == ["off", "on"]


@pytest.mark.slow
@pytest.mark.usefixtures("own_secrets")
def test_a_long_crawl_shows_progress_through_pytest_and_none_under_q(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given progress shown from the first page on (the test's crawl is short)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    partner = Behaviour(TOKEN, echo=False, cdrs=_cdrs(30))
    with hostile_partner(partner) as url:
        args = ("-p", "no:cacheprovider", "-p", "no:xdist", "--target-url", url,
                "--target-token", TOKEN, "--target-role", "cpo", "-k", "small_steps")  # fmt: skip
        # When the suites run in a log (no terminal), Then the crawl's lines reach the output
        shown = run_suites(pytester, *args)
        # And under -q they do not, unless asked
        quiet = run_suites(pytester, *args, "-q")
        forced = run_suites(pytester, *args, "-q", "--ocpi-progress", "on")
    assert "ocpi: GET cdrs limit=7: " in shown.stdout
    assert "30/30" in shown.stdout
    assert "ocpi: GET cdrs" not in quiet.stdout
    assert "ocpi: GET cdrs limit=7: " in forced.stdout
    # And the test's outcome is as without progress
    assert shown.ret == quiet.ret == 0
