"""Shared helpers for the harness's own tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.checks.registry import strict_declarations
from harness.redaction import RUN_SECRETS

pytest_plugins = ["pytester"]

# A check that reports a requirement it does not declare fails the test that runs it.
strict_declarations()

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
VERSIONS = ("2.1.1", "2.2.1", "2.3.0")


@pytest.fixture
def own_secrets() -> Iterator[None]:
    """The process-wide secrets as they were before the test: an in-process run adds its
    token, and "t" would be redacted out of every later test's output in this worker."""
    values, ordered = set(RUN_SECRETS._values), list(RUN_SECRETS._longest_first)
    try:
        yield
    finally:
        RUN_SECRETS._values, RUN_SECRETS._longest_first = values, ordered


@dataclass(frozen=True)
class FixtureCase:
    """One manifest entry of ``fixtures/<version>/manifest.json``."""

    version: str
    file: str
    kind: str
    verdict: str
    layer: str
    expect: tuple[dict[str, str], ...]
    options: dict[str, str]

    @property
    def path(self) -> Path:
        return FIXTURES / self.version / self.file

    @property
    def id(self) -> str:
        return f"{self.version}/{self.file}"


def fixture_cases() -> list[FixtureCase]:
    """Every manifest entry of every version."""
    cases = []
    for version in VERSIONS:
        manifest: list[dict[str, Any]] = json.loads(
            (FIXTURES / version / "manifest.json").read_text(encoding="utf-8")
        )
        for entry in manifest:
            cases.append(
                FixtureCase(
                    version,
                    entry["file"],
                    entry["kind"],
                    entry["verdict"],
                    entry["layer"],
                    tuple(entry["expect"]),
                    entry.get("options", {}),
                )
            )
    return cases


# Python code that prints the process's peak resident memory in KiB on stderr. It reads VmHWM:
# ru_maxrss keeps the parent's peak across fork and exec, so a child started by a big pytest
# worker would report the worker's memory, not its own.
PEAK_RSS_KIB = (
    "import resource, sys\n"
    "try:\n"
    "    lines = open('/proc/self/status').read().splitlines()\n"
    "    peak = next(int(l.split()[1]) for l in lines if l.startswith('VmHWM:'))\n"
    "except (OSError, StopIteration):\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "sys.stderr.write(str(peak))\n"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (a browser, a wheel build, kill -9, memory growth, mypy: seconds
    each, of the machine rather than of the harness's logic) run when asked for with
    ``-m slow``, as CI does in a step of its own; the README's command skips them, saying so,
    to stay within its time."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a slow test: CI runs these with -m slow")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)
