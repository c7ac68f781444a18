"""What the subcommands share: reading objects from files or stdin, and the option flags."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from typing import BinaryIO, TextIO

from harness.options import OPTION_SPECS, OptionError, Options
from harness.streaming import InputError, Record, iter_records

EXIT_USAGE = 2


class UsageError(Exception):
    """A mistake of the user's (a wrong option, an unreadable file): exit 2 with the message."""


def usage_failure(command: str, message: str) -> int:
    """Print ``ocpi-harness COMMAND: message`` on stderr; the usage exit code."""
    print(f"ocpi-harness {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def add_option_arguments(parser: argparse.ArgumentParser) -> None:
    """``--option ID=VALUE`` (repeatable) and ``--list-options``."""
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="ID=VALUE",
        help="set an ambiguity, policy or tolerance option (see --list-options)",
    )
    parser.add_argument(
        "--list-options",
        action="store_true",
        help="list the options with their values and defaults, then exit",
    )


def add_file_arguments(parser: argparse.ArgumentParser) -> None:
    """The input files; none or '-' reads standard input."""
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="files to read; '-' or none reads standard input"
    )


def list_options(out: TextIO) -> None:
    """Every option with its default, accepted values and summary."""
    for spec in OPTION_SPECS.values():
        if spec.choices:
            values = " | ".join(spec.choices)
        else:
            values = "an IANA time zone" if spec.zone else "a number"
            values += " or auto" if spec.auto else ""
        out.write(f"{spec.id}  (default {spec.default}; {values})\n    {spec.summary}\n")


def parse_options(pairs: Sequence[str]) -> Options:
    """Options from the ``--option`` flags; a UsageError names the fix."""
    try:
        return Options.parse(pairs)
    except OptionError as exc:
        raise UsageError(f"{exc} (see --list-options)") from None


def read_records(names: Sequence[str]) -> Iterator[tuple[str, Record]]:
    """Each JSON object of each named input (``-`` is stdin) with a label saying where it came
    from. Streams: one object in memory at a time. Raises UsageError for unreadable input."""
    names = list(names) or ["-"]
    with ExitStack() as stack:
        for name in names:
            try:
                stream: BinaryIO = (
                    sys.stdin.buffer if name == "-" else stack.enter_context(open(name, "rb"))
                )
            except OSError as exc:
                raise UsageError(f"cannot read {name}: {exc.strerror}") from None
            try:
                for record in iter_records(stream):
                    yield (record.label if len(names) == 1 else f"{name}: {record.label}"), record
            except InputError as exc:
                raise UsageError(f"{name if name != '-' else 'standard input'}: {exc}") from None
            except OSError as exc:
                raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
