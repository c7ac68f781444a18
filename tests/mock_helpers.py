"""Building a mock peer and an httpx client that talks to it in process; running the
conformance suites in process (against the embedded mock, or a target URL)."""

from __future__ import annotations

import base64
import importlib
import json
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

import harness
from harness.mock import MockSettings, create_app
from harness.mock.process import free_port, running_mock, wait_for_port
from harness.mock.transport import SyncASGITransport
from tests.conftest import ROOT

__all__ = ["B64", "TOKEN", "auth", "crawl", "free_port", "mock_client", "running_mock"]
__all__ += ["SUITES", "SuiteRun", "import_harness", "run_suites", "wait_for_port"]

SUITES = ROOT / "scenarios"

TOKEN = "s3cret-token"
B64 = base64.b64encode(TOKEN.encode()).decode()


def auth(version: str = "2.2.1") -> dict[str, str]:
    """The Authorization header the mock expects for ``version``."""
    return {"Authorization": f"Token {TOKEN if version == '2.1.1' else B64}"}


@contextmanager
def mock_client(**settings: Any) -> Iterator[httpx.Client]:
    """A client bound to a fresh in-process mock built from ``settings``."""
    options: dict[str, Any] = {"token": TOKEN, **settings}
    if "faults" in options:
        options["faults"] = frozenset(options["faults"])
    transport = SyncASGITransport(create_app(MockSettings(**options)))
    client = httpx.Client(transport=transport, base_url="http://mock", timeout=5)
    try:
        yield client
    finally:
        client.close()


def crawl(client: httpx.Client, url: str, version: str = "2.2.1") -> list[dict[str, Any]]:
    """Every object of a list, following Link headers."""
    out: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url, headers=auth(version))
        assert response.status_code == 200, response.text
        out += response.json()["data"]
        link = response.headers.get("link")
        next_url = link[1 : link.index(">")] if link else None
    return out


def import_harness() -> None:
    """Every module of ``harness``, imported into this process once (call it at a test
    module's import, before any pytester fixture exists). pytester drops the modules an
    in-process run imported when the test ends: a harness module the suites import lazily
    would be imported anew by every run, and register its checks a second time."""
    for info in pkgutil.walk_packages(harness.__path__, "harness."):
        if info.name.endswith(".__main__"):  # a __main__ runs its command on import
            continue
        if info.name.startswith("harness.scenarios"):  # the suites: each run imports its own
            continue
        importlib.import_module(info.name)


@dataclass
class SuiteRun:
    """What one in-process run of the suites showed: pytest's exit code and output, and what
    the ``ocpi`` plugin inside that run was and made of its options."""

    ret: int
    stdout: str
    stderr: str
    plugin: ModuleType | None = None  # the plugin registered under the entry point's name
    settings: Any = None  # its TargetSettings (None when the run stopped at a usage error)
    inipath: Path | None = None  # the ini file the run read

    @property
    def last_line(self) -> str:
        """pytest's summary line ("37 passed in 1.30s")."""
        lines = self.stdout.strip().splitlines()
        return lines[-1] if lines else ""


class _Observer:
    """A plugin given to the in-process run: looks at the ``ocpi`` plugin from inside."""

    def __init__(self, run: SuiteRun) -> None:
        self.run = run

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from harness.plugin import target_settings

        plugin = session.config.pluginmanager.get_plugin("ocpi")
        self.run.plugin = plugin
        self.run.inipath = session.config.inipath
        if plugin is not None:
            self.run.settings = target_settings(session.config)


def run_suites(pytester: pytest.Pytester, *args: str, suites: Path = SUITES) -> SuiteRun:
    """``pytest scenarios ARGS`` in this process (pytester's inline run), as a user runs it
    from the checkout: the checkout's ini applies (rootdir is the checkout, wherever pytester
    put the working directory) and the plugin comes from its ``pytest11`` entry point."""
    from harness.target import OPENED

    # The targets of an earlier run in this process are closed, but may not be collected
    # yet: the reports must see only this run's (a new process starts with none).
    OPENED.clear()
    run = SuiteRun(0, "", "")
    result = pytester.runpytest_inprocess(
        str(suites),
        "--rootdir",
        str(ROOT),
        "--basetemp",
        str(pytester.path / "basetemp"),
        *args,
        plugins=[_Observer(run)],
    )
    run.ret, run.stdout, run.stderr = int(result.ret), result.stdout.str(), result.stderr.str()
    return run


def costly_cdr(elements: int = 3420, days: int = 4) -> dict[str, Any]:
    """A valid 2.2.1 CDR of about 600 KB that takes seconds to re-price: its tariff has
    ``elements`` time-of-day elements (for Sundays, which the session never sees) and the
    session parks for ``days`` days, so the cost check weighs every element at every time
    boundary of every day."""
    cdr: dict[str, Any] = json.loads(
        (ROOT / "fixtures" / "2.2.1" / "cdr" / "valid" / "full.json").read_text(encoding="utf-8")
    )
    never = [
        {
            "price_components": [{"type": "TIME", "price": 9.0, "vat": 10.0, "step_size": 60}],
            "restrictions": {
                "start_time": f"{(i * 7) % 1440 // 60:02d}:{(i * 7) % 60:02d}",
                "end_time": f"{(i * 7 + 1) % 1440 // 60:02d}:{(i * 7 + 1) % 60:02d}",
                "day_of_week": ["SUNDAY"],
            },
        }
        for i in range(elements)
    ]
    cdr["tariffs"][0]["elements"] = never + cdr["tariffs"][0]["elements"]
    cdr["end_date_time"] = f"2024-03-{5 + days:02d}T19:30:00Z"  # Tuesday 5 to Saturday 9
    parking = 0.5 + 24 * days
    cdr["charging_periods"][2]["dimensions"][0]["volume"] = parking
    # The totals the longer parking gives (2.00/h + 20 % VAT), so the CDR stays consistent
    cdr["total_time"] = 2.0 + parking
    cdr["total_parking_time"] = parking
    cdr["total_parking_cost"] = {"excl_vat": 2.0 * parking, "incl_vat": 2.4 * parking}
    cdr["total_cost"] = {"excl_vat": 6.625 + 2.0 * parking, "incl_vat": 7.3375 + 2.4 * parking}
    return cdr
