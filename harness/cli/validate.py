"""``ocpi-harness validate``: check CDRs or tariffs against a version's rules."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
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
from harness.cli.jobs import WorkerStopped, add_jobs_argument, parse_jobs, render_records
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
    add_jobs_argument(parser)
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


@dataclass(frozen=True)
class _Validation:
    """What judging one record needs besides the record (what a worker process receives)."""

    version: str
    kind: Kind
    format: str
    options: Options


def run(args: argparse.Namespace) -> int:
    """Validate every object of every input; print findings; return the exit code."""
    if args.list_options:
        list_options(sys.stdout)
        return EXIT_VALID
    try:
        jobs = parse_jobs(args.jobs)
        settings = _Validation(args.version, args.kind, args.format, parse_options(args.option))
        objects, counts = render_records(
            read_records(args.files), _validate_one, settings, jobs, sys.stdout
        )
    except (UsageError, WorkerStopped) as exc:
        return usage_failure("validate", str(exc))
    if objects == 0:
        return usage_failure("validate", "no JSON object found in the input")
    _summary(args, objects, counts)
    return EXIT_FINDINGS if counts["error"] else EXIT_VALID


def _validate_one(
    settings: _Validation,
    label: str,
    text: str | bytes | None,
    error: str | None,
    counts: Counter[str],
) -> str:
    """The output lines of one record's findings, counted by level."""
    if error is not None or text is None:
        code = "C-002" if settings.kind == "cdr" else "TF-001"
        findings = [Finding(code, Level.ERROR, error or "unreadable")]
    else:
        _, findings = judge(text, settings.version, settings.kind, settings.options)
    lines = []
    for finding in findings:
        counts[finding.level.value] += 1
        lines.append(_line(settings.format, label, finding))
    return "".join(lines)


def _line(fmt: str, label: str, finding: Finding) -> str:
    if fmt == "json":
        return json.dumps({"record": label, **finding.to_dict()}, ensure_ascii=False) + "\n"
    return (
        f"{label}: {finding.level.value} {finding.requirement} {finding.path}: {finding.message}\n"
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
