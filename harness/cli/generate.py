"""``ocpi-harness generate``: realistic CDRs or tariffs as JSON lines, from a seed."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from harness.cli.inputs import usage_failure
from harness.generate import PROFILES, CdrGenerator
from harness.models import KINDS
from harness.versions import SUPPORTED_VERSIONS

EXIT_OK = 0
_FLUSH_EVERY = 256  # lines per write: one system call per batch, memory stays flat


def add_parser(commands: Any) -> None:
    """Register the ``generate`` subcommand."""
    parser = commands.add_parser(
        "generate",
        help="generate realistic CDRs or tariffs as JSON lines (reproducible from --seed)",
        description="Write --count CDRs (or tariffs) of a scenario profile as JSON lines on "
        "standard output. The same --seed, --profile and --version give the same bytes on any "
        "machine; every CDR is priced by the cost oracle, so its totals are consistent.",
    )
    parser.add_argument("--version", choices=SUPPORTED_VERSIONS, help="OCPI version to render")
    parser.add_argument("--count", type=int, default=1, help="how many objects (default 1)")
    parser.add_argument(
        "--seed", default="0", help="run seed (any text; default 0): same seed, same output"
    )
    parser.add_argument(
        "--profile", default="default", help="scenario profile (see --list-profiles)"
    )
    parser.add_argument("--kind", choices=KINDS, default="cdr", help="object type (default cdr)")
    parser.add_argument(
        "--start", type=int, default=0, help="index of the first object (to resume a stream)"
    )
    parser.add_argument(
        "--list-profiles",
        action="store_true",
        help="list the profiles with their versions and requirements, then exit",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="for --list-profiles: a table, or one JSON object per profile",
    )
    parser.set_defaults(run=run)


def _list_profiles(fmt: str) -> int:
    for profile in PROFILES.values():
        if fmt == "json":
            line = {
                "name": profile.name,
                "summary": profile.summary,
                "requirements": list(profile.requirements),
                "versions": list(profile.versions),
            }
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(
                f"{profile.name:<22} {' '.join(profile.versions):<18} "
                f"{', '.join(profile.requirements)}\n    {profile.summary}\n"
            )
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Write the objects; return the exit code."""
    if args.list_profiles:
        return _list_profiles(args.format)
    if args.version is None:
        return usage_failure("generate", "--version is required, e.g. --version 2.2.1")
    if args.count < 0 or args.start < 0:
        return usage_failure("generate", "--count and --start take a number >= 0")
    try:
        generator = CdrGenerator(args.seed, args.profile, args.version)
    except ValueError as exc:
        return usage_failure("generate", str(exc))
    make = generator.cdr if args.kind == "cdr" else generator.tariff
    out = sys.stdout.buffer
    batch: list[str] = []
    for index in range(args.start, args.start + args.count):
        # Compact, UTF-8, key order as built: the bytes depend on the seed alone.
        batch.append(json.dumps(make(index), ensure_ascii=False, separators=(",", ":")))
        if len(batch) == _FLUSH_EVERY:
            out.write(("\n".join(batch) + "\n").encode("utf-8"))
            batch.clear()
    if batch:
        out.write(("\n".join(batch) + "\n").encode("utf-8"))
    out.flush()
    return EXIT_OK
