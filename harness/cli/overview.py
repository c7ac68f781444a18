"""``ocpi-harness overview``: many runs' JSON summaries (one per partner, version and role, as
a CI job matrix makes them) merged into one self-contained HTML page and a JSON file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.cli.inputs import usage_failure
from harness.report.overview import (
    NAME_SOURCES,
    SummaryError,
    build_overview,
    write_overview,
)

EXIT_WRITTEN = 0


def add_parser(commands: Any) -> None:
    """Register the ``overview`` subcommand."""
    parser = commands.add_parser(
        "overview",
        help="merge many runs' summary.json into one HTML page and a JSON file",
        description="Merge the JSON summaries of many runs (pytest scenarios --ocpi-report DIR "
        "writes DIR/summary.json) into one self-contained HTML page and a JSON file: one row "
        "per partner, OCPI version and role, the newest run of each. Exit 0 when written, 2 "
        "when a file is missing or is not a run summary.",
    )
    parser.add_argument(
        "summaries",
        nargs="+",
        type=Path,
        metavar="SUMMARY",
        help="summary.json files (or the report folders holding them), e.g. reports/*/summary.json",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("overview.html"),
        metavar="HTML",
        help="the HTML page to write (default overview.html); links to each run's "
        "conformance.html are relative to its folder",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="FILE",
        help="the JSON file to write (default: beside the page, its name ending in .json)",
    )
    parser.add_argument(
        "--name-from",
        choices=NAME_SOURCES,
        default="target",
        help="how a partner is named: target (default): the host of its target URL (with "
        "the URL's path where one host serves several targets), 'embedded mock' with its "
        "faults; path: the name of the folder its summary.json is in (what a CI matrix "
        "names)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read every summary, write the page and the JSON file; return the exit code."""
    html_path: Path = args.output
    json_path: Path = args.json or html_path.with_suffix(".json")
    if json_path.resolve() == html_path.resolve():
        return usage_failure(
            "overview", f"--json {json_path} is the HTML page itself: name another file"
        )
    try:
        overview = build_overview(args.summaries, html_path.parent, args.name_from)
    except SummaryError as exc:
        return usage_failure("overview", str(exc))
    for note in overview.notes:
        print(f"ocpi-harness overview: {note}", file=sys.stderr)
    try:
        write_overview(overview.data, html_path, json_path)
    except OSError as exc:
        return usage_failure("overview", f"cannot write {exc.filename}: {exc.strerror or exc}")
    counts = overview.data["counts"]
    verdicts = ", ".join(f"{n} {verdict}" for verdict, n in counts["verdicts"].items())
    sys.stdout.write(
        f"{html_path}, {json_path}: {_many(counts['runs'], 'run')} of "
        f"{_many(counts['partners'], 'partner')} "
        f"({verdicts})\n"
    )
    return EXIT_WRITTEN


def _many(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
