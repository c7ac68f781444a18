"""``ocpi-harness validate``: check CDRs or tariffs against a version's rules."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.checks import check_model, check_object
from harness.cli.inputs import (
    UsageError,
    add_file_arguments,
    add_option_arguments,
    list_options,
    parse_options,
    read_records,
    usage_failure,
)
from harness.findings import Finding, Level
from harness.models import KINDS, Kind, model_for
from harness.options import Options
from harness.versions import SUPPORTED_VERSIONS

EXIT_VALID, EXIT_FINDINGS = 0, 1


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
    add_option_arguments(parser)
    add_file_arguments(parser)
    parser.set_defaults(run=run)


def judge(
    text: str | bytes,
    version: str,
    kind: Kind,
    options: Options,
    tariffs: tuple[Any, ...] | None = None,
    time_zone: str | None = None,
) -> tuple[BaseModel | None, list[Finding]]:
    """The object's model (None when it fails its schema) and every finding on it: what
    ``validate`` reports, and what ``price --check`` reports with the tariffs and the time zone
    it was given (one code path, so the two commands never disagree on a CDR)."""
    try:
        model = model_for(version, kind).model_validate_json(text)
    except (ValidationError, RecursionError):
        return None, check_object(text, version, kind, options)
    return model, list(check_model(model, version, kind, options, tariffs, time_zone))


def run(args: argparse.Namespace) -> int:
    """Validate every object of every input; print findings; return the exit code."""
    if args.list_options:
        list_options(sys.stdout)
        return EXIT_VALID
    counts: Counter[str] = Counter()
    objects = 0
    try:
        options = parse_options(args.option)
        for label, record in read_records(args.files):
            objects += 1
            if record.error is not None or record.text is None:
                code = "C-002" if args.kind == "cdr" else "TF-001"
                findings = [Finding(code, Level.ERROR, record.error or "unreadable")]
            else:
                _, findings = judge(record.text, args.version, args.kind, options)
            for finding in findings:
                counts[finding.level.value] += 1
                _emit(args.format, label, finding)
    except UsageError as exc:
        return usage_failure("validate", str(exc))
    if objects == 0:
        return usage_failure("validate", "no JSON object found in the input")
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
