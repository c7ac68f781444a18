"""``ocpi-harness price``: price CDRs with the cost oracle and, with ``--check``, compare."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from harness.checks.schema import check_schema, findings_from_validation_error
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
from harness.cli.validate import judge
from harness.findings import Finding, Level
from harness.models import model_for
from harness.options import Options
from harness.pricing import Pricing, PricingError, price_cdr
from harness.pricing.explain import breakdown
from harness.pricing.timezones import load_zone
from harness.versions import SUPPORTED_VERSIONS

EXIT_OK, EXIT_INCONSISTENT = 0, 1


def add_parser(commands: Any) -> None:
    """Register the ``price`` subcommand."""
    parser = commands.add_parser(
        "price",
        help="price CDRs from their tariffs; --check compares with their totals",
        description="Price each CDR (one object, a JSON array or JSON lines) from the tariffs it "
        "embeds or from --tariffs, and print the breakdown. With --check, print the amounts "
        "that differ from the CDR's own totals. Exit 0 when every CDR is priced (and, with "
        "--check, consistent), 1 when a CDR is invalid, cannot be priced under the policies or "
        "(with --check) is inconsistent, 2 on usage errors or unreadable input.",
    )
    parser.add_argument(
        "--version", required=True, choices=SUPPORTED_VERSIONS, help="OCPI version of the CDRs"
    )
    parser.add_argument(
        "--tariffs",
        metavar="FILE",
        help="tariffs to price with instead of the embedded ones (object, array or JSON lines)",
    )
    parser.add_argument(
        "--time-zone",
        metavar="ZONE",
        help="IANA time zone of the location (as the Locations module gives it)",
    )
    parser.add_argument(
        "--check", action="store_true", help="compare with the CDR's totals; exit 1 on any drift"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a breakdown table per CDR; json: one JSON line per CDR, then a summary",
    )
    add_jobs_argument(parser)
    add_option_arguments(parser)
    add_file_arguments(parser)
    parser.set_defaults(run=run)


def _load_tariffs(path: str, version: str) -> tuple[Any, ...]:
    model = model_for(version, "tariff")
    tariffs = []
    for label, record in read_records([path]):
        if record.error is not None or record.text is None:
            raise UsageError(f"--tariffs {path}: {label}: {record.error}")
        try:
            tariffs.append(model.model_validate_json(record.text))
        except ValidationError as error:
            first = findings_from_validation_error(error, "tariff", version)[0]
            raise UsageError(
                f"--tariffs {path}: {label} is not a valid {version} tariff: "
                f"{first.path}: {first.message}"
            ) from None
    if not tariffs:
        raise UsageError(f"--tariffs {path}: no tariff found")
    return tuple(tariffs)


@dataclass(frozen=True)
class _Pricing:
    """What pricing one CDR needs besides the CDR (what a worker process receives): the
    tariffs and time zone given on the command line, None for the CDR's own."""

    version: str
    format: str
    check: bool
    options: Options
    tariffs: tuple[Any, ...] | None
    time_zone: str | None


def run(args: argparse.Namespace) -> int:
    """Price every CDR of every input; print breakdowns and differences; return the exit code."""
    if args.list_options:
        list_options(sys.stdout)
        return EXIT_OK
    if args.time_zone is not None and load_zone(args.time_zone) is None:
        zone = args.time_zone
        message = f"--time-zone {zone!r} is not an IANA time zone, e.g. Europe/Paris"
        return usage_failure("price", message)
    try:
        jobs = parse_jobs(args.jobs)
        options = parse_options(args.option)
        tariffs = None if args.tariffs is None else _load_tariffs(args.tariffs, args.version)
        settings = _Pricing(args.version, args.format, args.check, options, tariffs, args.time_zone)
        _, counts = render_records(read_records(args.files), _price_one, settings, jobs, sys.stdout)
    except (UsageError, WorkerStopped) as exc:
        return usage_failure("price", str(exc))
    if not counts:
        return usage_failure("price", "no JSON object found in the input")
    _summary(args, counts)
    failed = counts["invalid"] + counts["unpriceable"] + counts["inconsistent"]
    return EXIT_INCONSISTENT if failed else EXIT_OK


# The rules of a CDR's amounts agreeing (with its tariffs, its periods, each other): what
# breaks them makes a CDR "inconsistent", not "invalid".
_TOTALS = frozenset({"C-010", "C-019", "C-026"})


def _price_one(
    settings: _Pricing,
    label: str,
    text: str | bytes | None,
    error: str | None,
    outcomes: Counter[str],
) -> str:
    """Price one CDR and count its outcome; what to print about it. With ``--check`` the CDR
    is judged as ``validate`` judges it (``judge``), with the tariffs and time zone given."""
    outcome, printed = _outcome_of(settings, label, text, error)
    outcomes[outcome] += 1
    return printed


def _outcome_of(
    settings: _Pricing, label: str, text: str | bytes | None, error: str | None
) -> tuple[str, str]:
    if error is not None or text is None:
        unreadable = [Finding("C-002", Level.ERROR, error or "unreadable")]
        return "invalid", _emit(settings, label, None, unreadable, None)
    cdr: Any
    findings: list[Finding] = []
    version, options = settings.version, settings.options
    if settings.check:
        cdr, findings = judge(text, version, "cdr", options, settings.tariffs, settings.time_zone)
        if cdr is None:
            return "invalid", _emit(settings, label, None, findings, None)
    else:
        try:
            cdr = model_for(version, "cdr").model_validate_json(text)
        except ValidationError as exc:
            return "invalid", _emit(settings, label, None, check_schema(exc, "cdr", version), None)
    try:
        pricing = price_cdr(cdr, version, options, settings.tariffs, settings.time_zone)
    except PricingError as exc:
        said = _unless_said(findings, Finding("TF-002", Level.ERROR, str(exc), "$.tariffs"))
        return "unpriceable", _emit(settings, label, cdr, said, None)
    except ValueError as exc:
        said = _unless_said(findings, Finding("T-TYPE-02", Level.ERROR, str(exc)))
        return "invalid", _emit(settings, label, cdr, said, None)
    outcome = _outcome(settings, cdr, findings, pricing)
    return outcome, _emit(settings, label, cdr, findings, pricing, outcome)


def _unless_said(findings: list[Finding], finding: Finding) -> list[Finding]:
    """The findings, with ``finding`` added when none of its requirement says it already."""
    if any(f.requirement == finding.requirement and f.level is finding.level for f in findings):
        return findings
    return [*findings, finding]


def _outcome(settings: _Pricing, cdr: Any, findings: list[Finding], pricing: Pricing) -> str:
    """invalid (an error of another rule), not priced, inconsistent (its amounts disagree),
    consistent (checked, they agree) or priced (not checked)."""
    if any(f.level is Level.ERROR and f.requirement not in _TOTALS for f in findings):
        return "invalid"
    if not (cdr.tariffs or settings.tariffs) or pricing.unpriced:
        return "not priced"
    if any(map(_drifts, findings)):
        return "inconsistent"
    return "consistent" if settings.check else "priced"


def _drifts(finding: Finding) -> bool:
    """Whether a finding makes the CDR inconsistent: its total against the price (C-026, also
    when a named policy explains it: a warning), or its amounts against each other (C-010,
    C-019) as errors (AMB-C-11=WARN_WITH_TOLERANCE makes those warnings, which it tolerates)."""
    if finding.requirement not in _TOTALS or finding.level is Level.INFO:
        return False
    return finding.requirement == "C-026" or finding.level is Level.ERROR


def _emit(
    settings: _Pricing,
    label: str,
    cdr: Any,
    findings: list[Finding],
    pricing: Pricing | None,
    outcome: str | None = None,
) -> str:
    cdr_id = getattr(cdr, "id", None)
    if settings.format == "json":
        line: dict[str, Any] = {"record": label, "id": cdr_id}
        if pricing is not None:
            line["currency"] = cdr.currency
            line["pricing"] = pricing.to_dict()
        line["findings"] = [f.to_dict() for f in findings]
        if settings.check and pricing is not None:
            line["consistent"] = outcome not in ("invalid", "inconsistent")
        return json.dumps(line, ensure_ascii=False) + "\n"
    head = f"== {label}" + (f": CDR {cdr_id} ({cdr.currency})" if cdr is not None else "")
    lines = [head + "\n"]
    if pricing is not None:
        lines.append(breakdown(pricing) + "\n")
    for finding in findings:
        lines.append(
            f"{finding.level.value} {finding.requirement} {finding.path}: {finding.message}\n"
        )
    if outcome == "consistent":
        lines.append("consistent: every stated amount matches the priced one\n")
    return "".join(lines)


def _summary(args: argparse.Namespace, counts: Counter[str]) -> None:
    total = sum(counts.values())
    if args.format == "json":
        sys.stdout.write(
            json.dumps({"summary": {"version": args.version, "cdrs": total, **counts}}) + "\n"
        )
        return
    parts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    noun = "CDR" if total == 1 else "CDRs"
    sys.stdout.write(f"{total} {noun} (OCPI {args.version}): {parts}\n")
