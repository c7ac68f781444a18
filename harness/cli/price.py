"""``ocpi-harness price``: price CDRs with the cost oracle and, with ``--check``, compare."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from pydantic import ValidationError

from harness.checks.context import CheckContext
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


def run(args: argparse.Namespace) -> int:
    """Price every CDR of every input; print breakdowns and differences; return the exit code."""
    if args.list_options:
        list_options(sys.stdout)
        return EXIT_OK
    if args.time_zone is not None and load_zone(args.time_zone) is None:
        zone = args.time_zone
        message = f"--time-zone {zone!r} is not an IANA time zone, e.g. Europe/Paris"
        return usage_failure("price", message)
    counts: Counter[str] = Counter()
    try:
        options = parse_options(args.option)
        tariffs = None if args.tariffs is None else _load_tariffs(args.tariffs, args.version)
        ctx = CheckContext(args.version, options, tariffs=tariffs, time_zone=args.time_zone)
        for label, record in read_records(args.files):
            outcome = _price_one(args, ctx, options, label, record.text, record.error)
            counts[outcome] += 1
    except UsageError as exc:
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
    args: argparse.Namespace,
    ctx: CheckContext,
    options: Options,
    label: str,
    text: str | bytes | None,
    error: str | None,
) -> str:
    """Price one CDR, print what was found; return its outcome for the summary. With
    ``--check`` the CDR is judged as ``validate`` judges it (``judge``), with the tariffs and
    time zone given."""
    if error is not None or text is None:
        _emit(args, label, None, [Finding("C-002", Level.ERROR, error or "unreadable")], None)
        return "invalid"
    cdr: Any
    findings: list[Finding] = []
    if args.check:
        cdr, findings = judge(text, args.version, "cdr", options, ctx.tariffs, ctx.time_zone)
        if cdr is None:
            _emit(args, label, None, findings, None)
            return "invalid"
    else:
        try:
            cdr = model_for(args.version, "cdr").model_validate_json(text)
        except ValidationError as exc:
            _emit(args, label, None, check_schema(exc, "cdr", args.version), None)
            return "invalid"
    try:
        pricing = price_cdr(cdr, args.version, options, ctx.tariffs, ctx.time_zone)
    except PricingError as exc:
        said = _unless_said(findings, Finding("TF-002", Level.ERROR, str(exc), "$.tariffs"))
        _emit(args, label, cdr, said, None)
        return "unpriceable"
    except ValueError as exc:
        said = _unless_said(findings, Finding("T-TYPE-02", Level.ERROR, str(exc)))
        _emit(args, label, cdr, said, None)
        return "invalid"
    outcome = _outcome(args, ctx, cdr, findings, pricing)
    _emit(args, label, cdr, findings, pricing, outcome)
    return outcome


def _unless_said(findings: list[Finding], finding: Finding) -> list[Finding]:
    """The findings, with ``finding`` added when none of its requirement says it already."""
    if any(f.requirement == finding.requirement and f.level is finding.level for f in findings):
        return findings
    return [*findings, finding]


def _outcome(
    args: argparse.Namespace, ctx: CheckContext, cdr: Any, findings: list[Finding], pricing: Pricing
) -> str:
    """invalid (an error of another rule), not priced, inconsistent (its amounts disagree),
    consistent (checked, they agree) or priced (not checked)."""
    if any(f.level is Level.ERROR and f.requirement not in _TOTALS for f in findings):
        return "invalid"
    if not (cdr.tariffs or ctx.tariffs) or pricing.unpriced:
        return "not priced"
    return (
        "inconsistent" if any(map(_drifts, findings)) else "consistent" if args.check else "priced"
    )


def _drifts(finding: Finding) -> bool:
    """Whether a finding makes the CDR inconsistent: its total against the price (C-026, also
    when a named policy explains it: a warning), or its amounts against each other (C-010,
    C-019) as errors (AMB-C-11=WARN_WITH_TOLERANCE makes those warnings, which it tolerates)."""
    if finding.requirement not in _TOTALS or finding.level is Level.INFO:
        return False
    return finding.requirement == "C-026" or finding.level is Level.ERROR


def _emit(
    args: argparse.Namespace,
    label: str,
    cdr: Any,
    findings: list[Finding],
    pricing: Pricing | None,
    outcome: str | None = None,
) -> None:
    cdr_id = getattr(cdr, "id", None)
    if args.format == "json":
        line: dict[str, Any] = {"record": label, "id": cdr_id}
        if pricing is not None:
            line["currency"] = cdr.currency
            line["pricing"] = pricing.to_dict()
        line["findings"] = [f.to_dict() for f in findings]
        if args.check and pricing is not None:
            line["consistent"] = outcome not in ("invalid", "inconsistent")
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    head = f"== {label}" + (f": CDR {cdr_id} ({cdr.currency})" if cdr is not None else "")
    sys.stdout.write(head + "\n")
    if pricing is not None:
        sys.stdout.write(breakdown(pricing) + "\n")
    for finding in findings:
        sys.stdout.write(
            f"{finding.level.value} {finding.requirement} {finding.path}: {finding.message}\n"
        )
    if outcome == "consistent":
        sys.stdout.write("consistent: every stated amount matches the priced one\n")


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
