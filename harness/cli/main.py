"""``ocpi-harness``: validate, price and generate OCPI objects; run the conformance suites.

Exit codes: 0 valid (consistent), 1 findings at error level (or, for ``price --check``, a cost
that differs), 2 usage or unreadable input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from harness.cli import run
from harness.console import guarded_output


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    # Imported here, not at the top: `run` hands over to pytest, which must import the
    # generator's Faker itself (Faker's pytest plugin is rewritten on import).
    from harness.cli import generate, overview, price, push, validate

    parser = argparse.ArgumentParser(
        prog="ocpi-harness",
        description="OCPI conformance harness: validate, price and generate CDRs and tariffs "
        "(2.1.1, 2.2.1, 2.3.0), and run the conformance suites.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    validate.add_parser(commands)
    price.add_parser(commands)
    generate.add_parser(commands)
    overview.add_parser(commands)
    push.add_parser(commands)
    run.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:  # everything after it is pytest's
        return run.main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return guarded_output("ocpi-harness", lambda: int(args.run(args)))
    except KeyboardInterrupt:
        print("ocpi-harness: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
