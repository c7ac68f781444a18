"""``ocpi-harness run [PYTEST ARGS]``: the conformance suites shipped in the package
(``harness.scenarios``), run by pytest from wherever the harness is installed; every pytest
and ``--ocpi-*``/``--target-*`` option passes through. Equivalent to ``pytest --pyargs
harness.scenarios`` from a checkout's settings-free folder: the run ignores ini files around
the installed package (``-c`` of your own replaces that) and keeps pytest's cache in the
current folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

HELP = "run the conformance suites (pytest options and --target-url/--ocpi-* pass through)"


def add_parser(commands: Any) -> None:
    """The ``run`` subcommand (listed in --help; its arguments go to pytest unparsed)."""
    commands.add_parser("run", help=HELP, add_help=False, usage="ocpi-harness run [PYTEST ARGS]")


def pytest_arguments(args: Sequence[str]) -> list[str]:
    """The pytest command line for ``ocpi-harness run ARGS``."""
    own: list[str] = []
    if "-c" not in args and not any(a.startswith("--config-file") for a in args):
        own += ["-c", os.devnull]
    if not any(a.startswith("--rootdir") for a in args):
        own += ["--rootdir", os.getcwd()]
    return [*own, "--pyargs", "harness.scenarios", *args]


def main(args: Sequence[str]) -> int:
    """Run the suites; pytest's exit code."""
    import pytest

    return int(pytest.main(pytest_arguments(args)))
