"""Benchmark: CDRs validated per second, model fast path vs jsonschema, in the same run; and
what ``--jobs`` gains on a large file.

    python bench/bench_validate.py [--count N] [--version V] [--lines L] [--repeat R]
                                   [--before REV]

(a) the pydantic model from raw JSON bytes (the harness's fast path), (b) the full object check
(model + consistency + unknown fields), (c) the jsonschema package on the exported schema
(json.loads + Draft 2020-12 validation). Input: N distinct multi-period CDRs derived from the
'full' fixture. Ratios against (c) are what to compare across machines.

Then ``ocpi-harness validate`` as its own process on L lines (default 100,000; 0 skips) made by
``ocpi-harness generate --version 2.2.1 --count L --seed 1`` (kept in the temporary folder),
output to /dev/null: (0) the command as it was at git revision REV (default HEAD: what this
change is measured against), (1) ``--jobs 1``, (2) ``--jobs`` the usable cores, interleaved,
best of R, with the peak memory of each run (PSS of the process and its workers, sampled). The
ratios (2)/(1) and (1)/(0) are what to compare across machines.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import jsonschema
from timing import rate  # bench/ is the script's folder, so on sys.path

from harness.checks import check_object
from harness.models import model_for
from harness.schemas import load_schema

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CACHE = Path(tempfile.gettempdir()) / "ocpi-harness-bench"


def make_inputs(version: str, count: int) -> list[bytes]:
    """``count`` distinct CDRs as JSON bytes (ids and volumes vary)."""
    base = json.loads((FIXTURES / version / "cdr" / "valid" / "full.json").read_text("utf-8"))
    out = []
    for i in range(count):
        cdr = copy.deepcopy(base)
        cdr["id"] = f"CDR-{i:08d}"
        # Vary what does not change the price, so that every CDR stays consistent.
        cdr["charging_periods"][0]["dimensions"][2]["volume"] = 11.0 + (i % 7) / 10
        out.append(json.dumps(cdr).encode())
    return out


def main() -> None:
    """Run the three measurements and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--version", default="2.2.1")
    add_jobs_arguments(parser)
    args = parser.parse_args()
    inputs = make_inputs(args.version, args.count)
    model = model_for(args.version, "cdr")
    validator = jsonschema.Draft202012Validator(load_schema(args.version, "cdr"))
    assert all(validator.is_valid(json.loads(raw)) for raw in inputs[:10])
    print(f"OCPI {args.version}, {args.count} CDRs of {len(inputs[0])} bytes, one core")
    fast = rate("(a) model fast path (model_validate_json)", model.model_validate_json, inputs)
    full = rate(
        "(b) full object check (check_object)",
        lambda raw: check_object(raw, args.version, "cdr"),
        inputs,
    )
    slow = rate(
        "(c) jsonschema on the exported schema",
        lambda raw: validator.is_valid(json.loads(raw)),
        inputs[: max(args.count // 10, 200)],
        repeat=2,
    )
    print(
        f"ratio (a)/(c): {fast / slow:.1f}x   ratio (b)/(c): {full / slow:.1f}x   "
        f"(b)/(a): {full / fast:.2f}"
    )
    if args.lines:
        command = ["validate", "--version", "2.2.1", "--kind", "cdr"]
        measure_jobs(command, args.lines, args.repeat, args.before)


def add_jobs_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the ``--jobs`` measurement (shared with bench_price)."""
    parser.add_argument("--lines", type=int, default=100_000, help="0 skips --jobs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default="HEAD", metavar="REV", help="'' skips (0)")


def generated_lines(lines: int) -> Path:
    """The JSON lines of ``generate --version 2.2.1 --count LINES --seed 1``, made once."""
    path = CACHE / f"cdrs-2.2.1-{lines}-seed1.jsonl"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        argv = ["generate", "--version", "2.2.1", "--count", str(lines), "--seed", "1"]
        with partial.open("wb") as out:
            subprocess.run(
                [sys.executable, "-m", "harness.cli.main", *argv], stdout=out, check=True
            )
        partial.replace(path)
    return path


def tree_at(rev: str) -> Path | None:
    """The ``harness`` package as it was at git revision ``rev``, in a new temporary folder;
    None (said on stderr) when git cannot give it."""
    folder = Path(tempfile.mkdtemp(prefix="ocpi-harness-before-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "harness"], capture_output=True
    )
    if archive.returncode == 0:
        unpacked = subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout)
        if unpacked.returncode == 0:
            return folder
    print(f"(0) skipped: no harness at {rev!r}: {archive.stderr.decode().strip()}", file=sys.stderr)
    return None


def _tree(root: int) -> list[int]:
    """Process ``root`` and its descendants, from /proc."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            continue
    return found


def _pss_and_ticks(pid: int) -> tuple[int, int]:
    """Proportional memory (KiB: shared pages of forked workers counted once across them) and
    CPU time (clock ticks) of one process so far; zeros once it is gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0, 0
    pss = sum(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    return pss, int(stat[11]) + int(stat[12])


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (0 where there is no /proc)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return 0.0
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


def timed_run(argv: Sequence[str], tree: Path) -> tuple[float, float, int, float]:
    """Seconds of ``python -m harness.cli.main ARGV > /dev/null`` with the harness of ``tree``,
    its CPU seconds and its peak memory (KiB), both of the process and its workers, sampled
    every 0.25 s from /proc (0 where there is no /proc); and the share of the machine that other
    work took meanwhile (a run that shared the cores says less)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    busy = _busy_seconds()
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", *argv],
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=tree,  # python -m puts the folder it runs in first on the path
    )
    peak = 0
    ticks: dict[int, int] = {}

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            total = 0
            for pid in _tree(process.pid):
                pss, used = _pss_and_ticks(pid)
                total += pss
                ticks[pid] = max(ticks.get(pid, 0), used)
            peak = max(peak, total)
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc/self/smaps_rollup").exists():
        sampler.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = process.wait()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if sampler.is_alive():
        sampler.join()
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {code}")
    # Exact for the process and the workers it waited for (forked ones); workers it did not
    # (a forkserver's) are counted as last sampled.
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    cpu = max(cpu, sum(ticks.values()) / os.sysconf("SC_CLK_TCK"))
    others = max(_busy_seconds() - busy - cpu, 0.0) / (seconds * (os.cpu_count() or 1))
    return seconds, cpu, peak, others


def measure_jobs(command: list[str], lines: int, repeat: int, before: str) -> None:
    """``command FILE`` on ``lines`` generated lines: as at revision ``before``, with --jobs 1
    and with --jobs the usable cores, interleaved, best of ``repeat``; ratios printed."""
    from harness.checks.parallel import default_workers

    path = generated_lines(lines)
    cores = default_workers()
    runs: dict[str, tuple[list[str], Path]] = {}
    old = tree_at(before) if before else None
    if old is not None:
        knows_jobs = any("--jobs" in p.read_text() for p in (old / "harness" / "cli").glob("*.py"))
        argv = [*command, *(["--jobs", "1"] if knows_jobs else []), str(path)]
        runs[f"(0) as at {before}"] = argv, old
    runs["(1) --jobs 1"] = [*command, "--jobs", "1", str(path)], ROOT
    runs[f"(2) --jobs {cores}"] = [*command, "--jobs", str(cores), str(path)], ROOT
    best: dict[str, tuple[float, float, int, float]] = {}
    for _ in range(repeat):
        for label, (argv, tree) in runs.items():
            run = timed_run(argv, tree)
            best[label] = min(best.get(label, run), run)
    size = path.stat().st_size / 1e6
    print(
        f"-- ocpi-harness {' '.join(command)}: {lines:,} lines ({size:,.0f} MB), "
        f"{cores} usable cores, best of {repeat}, same run"
    )
    for label, (seconds, cpu, peak, others) in best.items():
        memory = f", peak {peak / 1024:,.0f} MiB" if peak else ""
        print(
            f"{label:<22} {seconds:>7.2f} s {lines / seconds:>8,.0f} lines/s "
            f"(CPU {cpu:.1f} s{memory}; other work took {others:.0%} of the machine)"
        )
    seconds = [value[0] for value in best.values()]
    ratios = f"   --jobs {cores} / --jobs 1: {seconds[-2] / seconds[-1]:.2f}x"
    if old is not None:
        ratios += f"   --jobs 1 / as at {before}: {seconds[0] / seconds[1]:.2f}x (1.00 = as fast)"
    print(ratios)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    main()
