"""``ocpi-harness validate``: check CDRs or tariffs against a version's rules."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from contextlib import ExitStack
from typing import Any, BinaryIO, TextIO

from harness.checks import check_object
from harness.findings import Finding, Level
from harness.models import KINDS, SUPPORTED_VERSIONS
from harness.options import OPTION_SPECS, OptionError, Options
from harness.streaming import InputError, iter_records

EXIT_VALID, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def add_parser(commands: Any) -> None:
    """Register the ``validate`` subcommand."""
    parser = commands.add_parser(
        "validate",
        help="validate CDRs or tariffs (one object, a JSON array or JSON lines)",
        description="Validate OCPI objects. Exit 0 when valid, 1 when any finding is at error "
        "level, 2 on usage errors or unreadable input.",
    )
    parser.add_argument(
        "--version",
        required=True,
        choices=SUPPORTED_VERSIONS,
        help="OCPI version the objects claim to follow",
    )
    parser.add_argument("--kind", required=True, choices=KINDS, help="object type")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one line per finding; json: JSON lines, then a summary line",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="ID=VALUE",
        help="set an ambiguity or tolerance option (see --list-options)",
    )
    parser.add_argument(
        "--list-options",
        action="store_true",
        help="list the options with their values and defaults, then exit",
    )
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="files to read; '-' or none reads standard input"
    )
    parser.set_defaults(run=run)


def _list_options(out: TextIO) -> int:
    for spec in OPTION_SPECS.values():
        values = " | ".join(spec.choices) if spec.choices else "a number"
        out.write(f"{spec.id}  (default {spec.default}; {values})\n    {spec.summary}\n")
    return EXIT_VALID


def _fail(message: str) -> int:
    print(f"ocpi-harness validate: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    """Validate every object of every input; print findings; return the exit code."""
    if args.list_options:
        return _list_options(sys.stdout)
    try:
        options = Options.parse(args.option)
    except OptionError as exc:
        return _fail(f"{exc} (see --list-options)")
    names = args.files or ["-"]
    counts: Counter[str] = Counter()
    objects = 0
    with ExitStack() as stack:
        for name in names:
            try:
                stream: BinaryIO = (
                    sys.stdin.buffer if name == "-" else stack.enter_context(open(name, "rb"))
                )
            except OSError as exc:
                return _fail(f"cannot read {name}: {exc.strerror}")
            try:
                for record in iter_records(stream):
                    objects += 1
                    label = record.label if len(names) == 1 else f"{name}: {record.label}"
                    if record.error is not None or record.text is None:
                        findings = [
                            Finding(
                                "C-002" if args.kind == "cdr" else "TF-001",
                                Level.ERROR,
                                record.error or "unreadable",
                            )
                        ]
                    else:
                        findings = check_object(record.text, args.version, args.kind, options)
                    for finding in findings:
                        counts[finding.level.value] += 1
                        _emit(args.format, label, finding)
            except InputError as exc:
                return _fail(f"{name if name != '-' else 'standard input'}: {exc}")
            except OSError as exc:
                return _fail(f"cannot read {name}: {exc.strerror or exc}")
    if objects == 0:
        return _fail("no JSON object found in the input")
    _summary(args, objects, counts)
    return EXIT_FINDINGS if counts["error"] else EXIT_VALID


def _emit(fmt: str, label: str, finding: Finding) -> None:
    if fmt == "json":
        sys.stdout.write(
            json.dumps({"record": label, **finding.to_dict()}, ensure_ascii=False) + "\n"
        )
    else:
        sys.stdout.write(
            f"{label}: {finding.level.value} {finding.requirement} "
            f"{finding.path}: {finding.message}\n"
        )


def _summary(args: argparse.Namespace, objects: int, counts: Counter[str]) -> None:
    verdict = "invalid" if counts["error"] else "valid"
    if args.format == "json":
        sys.stdout.write(
            json.dumps(
                {
                    "summary": {
                        "version": args.version,
                        "kind": args.kind,
                        "objects": objects,
                        "errors": counts["error"],
                        "warnings": counts["warning"],
                        "info": counts["info"],
                        "verdict": verdict,
                    }
                }
            )
            + "\n"
        )
        return
    noun = "object" if objects == 1 else "objects"
    sys.stdout.write(
        f"{objects} {noun} ({args.kind}, OCPI {args.version}): "
        f"{counts['error']} errors, {counts['warning']} warnings, "
        f"{counts['info']} info: {verdict}\n"
    )
