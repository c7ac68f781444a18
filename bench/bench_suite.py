"""Benchmark: the conformance suites end to end.

    python bench/bench_suite.py [--store N] [--db PATH]
    python bench/bench_suite.py --large N [--large-db PATH]

(a) wall time of `pytest scenarios` (OCPI 2.2.1, embedded mock, both roles), as a user runs
it, with and without `-n 2`; (b) a crawl of N CDRs (default 100,000) from `ocpi-mock` over
loopback in pages of 100, each CDR validated and re-priced (the full check), in CDRs/s, and
the peak memory of that crawl minus a 1,000-CDR crawl (VmHWM of the crawling process); (c) the
same crawl with the checks spread over worker processes. Both crawl as the CDR sender suite
does (``harness.crawl``: every page checked, every CDR checked as the pages come).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CRAWL = """
import sys, time
from harness.client import OcpiClient
from harness.crawl import ObjectChecks, crawl
url, count, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
client = OcpiClient("2.2.1", "bench", max_pages=count // 100)
start = time.perf_counter()
listing = crawl(client, url, {"limit": 100}, checks=ObjectChecks("cdr", workers=workers))
elapsed = time.perf_counter() - start
errors = sum(f.level.value == "error" for f in listing.object_findings)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(listing.checked, errors, elapsed, peak)
"""


def suite_seconds(*extra: str) -> float:
    """Wall time of one `pytest scenarios` run."""
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios", "-q", "-p", "no:cacheprovider", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(f"the suites failed:\n{run.stdout[-4000:]}{run.stderr[-2000:]}")
    return time.perf_counter() - start


def crawl(url: str, count: int, workers: int) -> tuple[int, int, float, int]:
    """(CDRs seen, error findings, seconds, peak KiB of the crawling process) of a validating
    crawl in a new process, checking with ``workers`` processes."""
    out = subprocess.run(
        [sys.executable, "-c", CRAWL, url, str(count), str(workers)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), int(out[1]), float(out[2]), int(out[3])


def large_partner(count: int, db: str) -> None:
    """(d): the 2.2.1 suite against a mock holding ``count`` CDRs, default budget."""
    import json
    import resource
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_mock import start, stop

    seeding = time.perf_counter()
    server, base = start(["--role", "cpo", "--cdrs", str(count), "--db", db])
    ready = time.perf_counter() - seeding
    try:
        out = Path(tempfile.mkdtemp(prefix="ocpi-large-")) / "summary.json"
        began = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "scenarios", "-q", "-p", "no:cacheprovider",
             "--target-url", f"{base}/ocpi/versions", "--target-token", "bench",
             "--target-role", "cpo", "--ocpi-json", str(out)],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - began
    finally:
        stop(server)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if not out.exists():
        raise SystemExit(f"the suite wrote no summary:\n{run.stdout[-4000:]}{run.stderr[-2000:]}")
    summary = json.loads(out.read_text(encoding="utf-8"))
    findings = [f for test in summary["tests"] for f in test["findings"]]
    budget = [f for f in findings if f.get("cause") == "H-BUDGET-01"]
    failing = [f for f in findings if f["level"] == "error" and f.get("outcome") is None]
    covered = next((f["message"] for f in budget if f["requirement"] == "C-001"), "(none)")
    print(
        f"(d) the 2.2.1 suite against ocpi-mock --cdrs {count:,} (ready in {ready:.0f} s), "
        f"default budget: {seconds:.0f} s, verdict {summary['verdict']}, {len(failing)} error "
        f"findings, {len(budget)} partial by the budget; peak memory of a child "
        f"{peak:,.0f} MiB\n    C-001 says: {covered}"
    )


def main() -> None:
    """Run the measurements."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/ocpi-bench-store.sqlite")
    parser.add_argument("--large", type=int, default=0, help="(d) only, with N CDRs")
    parser.add_argument("--large-db", default="/tmp/ocpi-bench-large.sqlite")
    args = parser.parse_args()
    if args.large:
        large_partner(args.large, args.large_db)
        return
    print(
        f"(a) pytest scenarios, embedded mock: {suite_seconds():.1f} s; with -n 2: "
        f"{suite_seconds('-n', '2'):.1f} s (target < 20 s)"
    )
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_mock import start, stop

    from harness.checks.parallel import default_workers

    server, base = start(["--role", "cpo", "--cdrs", str(args.store), "--db", args.db])
    try:
        url = f"{base}/ocpi/2.2.1/cpo/cdrs"
        small = crawl(url, 1000, 1)
        large = crawl(url, args.store, 1)
        print(
            f"(b) crawl + full check of {large[0]:,} CDRs in one process: "
            f"{large[0] / large[2]:,.0f} CDRs/s ({large[1]} error findings); peak memory "
            f"{large[3] / 1024:.1f} MiB, {(large[3] - small[3]) / 1024:+.1f} MiB over a "
            f"{small[0]:,}-CDR crawl (target < 50)"
        )
        workers = default_workers()
        pooled = crawl(url, args.store, workers)
        print(
            f"(c) the same, checked by {workers} worker processes: "
            f"{pooled[0] / pooled[2]:,.0f} CDRs/s ({pooled[1]} error findings; "
            f"{large[2] / pooled[2]:.2f}x one process; target >= 5,000/s)"
        )
    finally:
        stop(server)


if __name__ == "__main__":
    main()
