"""Benchmark: what the three reports add to a conformance run.

    python bench/bench_report.py [--rounds N]

Runs `pytest scenarios` (OCPI 2.2.1, embedded mock, one process) without reports and with
``--ocpi-report`` (HTML, JUnit XML and JSON summary), alternately, ``--rounds`` times each, on
a clean mock and on a faulty one (failures carry transcripts, the heavier case). Prints the
median wall times and the overhead in percent (target < 10 %). Alternating runs in the same
session keep the comparison fair on a noisy machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAULTY = ("--ocpi-mock-fault", "no-total-count", "--ocpi-mock-fault", "no-location-header")


def seconds(*extra: str) -> float:
    """Wall time of one `pytest scenarios` run in a new process."""
    start = time.perf_counter()
    pytest = [sys.executable, "-m", "pytest", "scenarios", "-q", "-p", "no:cacheprovider"]
    subprocess.run(
        [*pytest, "-p", "no:xdist", *extra],
        cwd=ROOT,
        capture_output=True,
        check=False,  # the faulty case fails, as it should
    )
    return time.perf_counter() - start


def main() -> None:
    """Run the measurements."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        for name, case in (("clean mock", ()), ("faulty mock", FAULTY)):
            bare: list[float] = []
            reported: list[float] = []
            for _ in range(args.rounds):
                bare.append(seconds(*case))
                reported.append(seconds(*case, "--ocpi-report", out))
            plain, full = statistics.median(bare), statistics.median(reported)
            size = sum(p.stat().st_size for p in Path(out).iterdir()) / 1024
            print(
                f"{name}: without reports {plain:.2f} s, with HTML+JUnit+JSON {full:.2f} s "
                f"(median of {args.rounds}): +{(full / plain - 1) * 100:.1f} % "
                f"(target < 10 %); artifacts {size:,.0f} KiB"
            )


if __name__ == "__main__":
    main()
