"""The interop lab's marker, and its guard: the lab builds virtualenvs and starts servers, so
it runs only when asked for with ``-m interop``."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "interop: runs the harness against real OCPI libraries from PyPI (the lab)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "interop" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="the interop lab runs only with -m interop")
    for item in items:
        if item.get_closest_marker("interop"):
            item.add_marker(skip)
