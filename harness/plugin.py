"""The pytest plugin (registered through the ``pytest11`` entry point ``ocpi``).

For now it provides the run seed (``--ocpi-seed``, env ``OCPI_SEED``, ini ``ocpi_seed``) and the
``cdr_factory`` / ``tariff_factory`` fixtures: each test gets its own reproducible stream,
derived from the run seed and the test's node id, so a failing test can be replayed exactly by
rerunning it with the seed the report header shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from harness.generate import CdrGenerator

DEFAULT_SEED = "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    """--ocpi-seed and its ini twin."""
    group = parser.getgroup("ocpi", "OCPI conformance harness")
    group.addoption(
        "--ocpi-seed",
        dest="ocpi_seed",
        default=None,
        help="run seed for generated CDRs and tariffs (env OCPI_SEED, ini ocpi_seed; default 1)",
    )
    parser.addini("ocpi_seed", "run seed for generated CDRs and tariffs", default=None)


def run_seed(config: pytest.Config) -> str:
    """The run seed: command line, then environment, then ini, then the default."""
    value = (
        config.getoption("ocpi_seed") or os.environ.get("OCPI_SEED") or config.getini("ocpi_seed")
    )
    return str(value) if value else DEFAULT_SEED


def pytest_report_header(config: pytest.Config) -> str:
    """The seed in the header, so that every run can be replayed."""
    return f"ocpi: seed {run_seed(config)} (replay with --ocpi-seed {run_seed(config)})"


@dataclass
class Factory:
    """Makes the objects of one test: ``factory(version=..., profile=...)`` returns the next one
    of the test's stream (the n-th call of a test gives the same object on every run)."""

    seed: str
    kind: str
    calls: int = 0

    def __call__(self, version: str = "2.2.1", profile: str = "default") -> dict[str, Any]:
        generator = CdrGenerator(self.seed, profile, version)
        index = self.calls
        self.calls += 1
        return generator.cdr(index) if self.kind == "cdr" else generator.tariff(index)


@pytest.fixture(scope="session")
def ocpi_seed(request: pytest.FixtureRequest) -> str:
    """The run seed."""
    return run_seed(request.config)


@pytest.fixture
def cdr_factory(ocpi_seed: str, request: pytest.FixtureRequest) -> Callable[..., dict[str, Any]]:
    """``cdr_factory(version="2.2.1", profile="default")``: a priced CDR, seeded by the run
    seed and this test's node id."""
    return Factory(f"{ocpi_seed}/{request.node.nodeid}", "cdr")


@pytest.fixture
def tariff_factory(ocpi_seed: str, request: pytest.FixtureRequest) -> Callable[..., dict[str, Any]]:
    """``tariff_factory(version="2.2.1", profile="default")``: a tariff, seeded like
    ``cdr_factory``."""
    return Factory(f"{ocpi_seed}/{request.node.nodeid}", "tariff")
