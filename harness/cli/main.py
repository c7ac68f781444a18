"""``ocpi-harness``: validate, price and generate OCPI objects; run the conformance suites.

Exit codes: 0 valid (consistent), 1 findings at error level (or, for ``price --check``, a cost
that differs), 2 usage or unreadable input.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from harness.cli import run


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    # Imported here, not at the top: `run` hands over to pytest, which must import the
    # generator's Faker itself (Faker's pytest plugin is rewritten on import).
    from harness.cli import generate, price, validate

    parser = argparse.ArgumentParser(
        prog="ocpi-harness",
        description="OCPI conformance harness: validate, price and generate CDRs and tariffs "
        "(2.1.1, 2.2.1, 2.3.0), and run the conformance suites.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    validate.add_parser(commands)
    price.add_parser(commands)
    generate.add_parser(commands)
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
        code: int = args.run(args)
    except BrokenPipeError:
        # `ocpi-harness validate ... | head` closes our stdout early: not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("ocpi-harness: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        # Reading input has its own messages; what is left is writing the output (a full disk,
        # `> /dev/full`): one line, and no second traceback when Python flushes at exit.
        _discard_stdout()
        print(f"ocpi-harness: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        sys.stdout.flush()
    except OSError as exc:
        _discard_stdout()
        print(f"ocpi-harness: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return code


def _discard_stdout() -> None:
    """Drop what stdout still buffers, so that the flush at exit cannot fail again."""
    with contextlib.suppress(OSError):
        sys.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
