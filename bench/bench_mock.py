"""Benchmark: the mock peer over loopback (uvicorn in its own process).

    python bench/bench_mock.py [--store N] [--db PATH] [--fresh] [--sender-only]

(s) start-up: seconds from launch until ocpi-mock listens (seeding N CDRs into --db, or
reusing the store built there before; ``--db :memory:`` seeds every time, ``--fresh`` deletes
the file first), and the peak memory meanwhile: the largest sum of the resident sets of the
process and its children, sampled every 0.2 s, and the largest high-water mark (VmHWM) of any
one of them; (0) baseline: GET /ocpi/versions per second; (a) CDRs served per second
crawling pages of 100; (b) median latency of a page at offset N-100 vs offset 0 in an N-CDR
store (default 100,000), and of a date window (date_from/date_to over most of the year) at
its first page and at its last: the requests are interleaved, so the ratios are of the same
moments of a busy machine (target: each <= 1.5x offset 0); (c) POSTs per second, one client;
(d) 200 concurrent POSTs: all stored exactly once, errors counted.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from harness.mock.process import MockStartError, free_port, start_mock, stop_mock

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TOKEN = "bench"
HEADERS = {"Authorization": "Token " + base64.b64encode(TOKEN.encode()).decode()}
SAMPLE = 0.2  # seconds between samples of memory (a sample costs ~5 ms of CPU)
WINDOW = "date_from=2025-02-01T00:00:00Z&date_to=2025-12-01T00:00:00Z"


def start(args: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    """ocpi-mock with ``args`` on a free port, once it listens (building a large store takes a
    while the first time)."""
    try:
        process, port = start_mock(args, TOKEN, timeout=900, attempts=1)
    except MockStartError as exc:
        raise SystemExit(f"ocpi-mock did not start: {exc}") from None
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as a user would."""
    stop_mock(process)


@dataclass(frozen=True)
class Startup:
    """How long ocpi-mock took to listen, and the memory it took meanwhile (MiB)."""

    seconds: float
    tree_peak: float  # the largest sum of VmRSS over the process and its descendants
    process_peak: float  # the largest VmHWM of any one of them


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:  # it exited between listing and reading
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(parents.get(current, []))
    return out


def start_measured(args: list[str]) -> tuple[subprocess.Popen[bytes], str, Startup]:
    """``start``, timing the start-up and sampling the memory of the process tree."""
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.mock.cli", *args, "--port", str(port)],
        env={**os.environ, "OCPI_MOCK_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tree_peak = process_peak = 0
    while True:
        pids = _tree(process.pid)
        tree_peak = max(tree_peak, sum(_status_kib(p, "VmRSS") for p in pids))
        process_peak = max([process_peak] + [_status_kib(p, "VmHWM") for p in pids])
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None:
            raise SystemExit(f"ocpi-mock exited with {process.returncode}")
        if time.perf_counter() - began > 1800:
            stop(process)
            raise SystemExit("ocpi-mock did not listen within 30 minutes")
        time.sleep(SAMPLE)
    seconds = time.perf_counter() - began
    return (
        process,
        f"http://127.0.0.1:{port}",
        Startup(seconds, tree_peak / 1024, process_peak / 1024),
    )


def medians_ms(client: httpx.Client, urls: list[str], rounds: int = 60) -> list[float]:
    """Median wall time of GET of each of ``urls`` in milliseconds, the GETs interleaved
    (round after round, each URL once), so that a busy moment of the machine weighs on each
    alike."""
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(rounds):
        for i, url in enumerate(urls):
            start_at = time.perf_counter()
            response = client.get(url, headers=HEADERS)
            times[i].append(time.perf_counter() - start_at)
            assert response.status_code == 200
            assert response.json()["data"], url
    return [statistics.median(t) * 1000 for t in times]


def cdr(i: int) -> dict[str, Any]:
    """A valid CDR with a distinct id."""
    data: dict[str, Any] = json.loads((FIXTURES / "2.2.1/cdr/valid/full.json").read_text())
    data["id"] = f"B-{i:07d}"
    return data


def main() -> None:
    """Run the measurements."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/ocpi-bench-store.sqlite")
    parser.add_argument("--fresh", action="store_true", help="delete --db first: seed anew")
    parser.add_argument("--sender-only", action="store_true", help="skip (c) and (d)")
    args = parser.parse_args()
    if args.fresh and args.db != ":memory:":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(args.db + suffix).unlink(missing_ok=True)
    seeding = args.db == ":memory:" or not Path(args.db).exists()
    sender, base, startup = start_measured(
        ["--role", "cpo", "--cdrs", str(args.store), "--db", args.db]
    )
    what = f"seeded {args.store:,} CDRs into {args.db}" if seeding else f"reused {args.db}"
    print(
        f"(s) ready in {startup.seconds:.1f} s ({what}); peak RSS: process tree "
        f"{startup.tree_peak:,.0f} MiB, largest process {startup.process_peak:,.0f} MiB"
    )
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            t = time.perf_counter()
            for _ in range(500):
                client.get("/ocpi/versions", headers=HEADERS)
            rate = 500 / (time.perf_counter() - t)
            print(f"(0) baseline GET /ocpi/versions          {rate:8,.0f}/s")
            t = time.perf_counter()
            served = 0
            url: str | None = "/ocpi/2.2.1/cpo/cdrs?limit=100"
            while url and served < 20_000:
                response = client.get(url, headers=HEADERS)
                served += len(response.json()["data"])
                link = response.headers.get("link")
                url = link[1 : link.index(">")] if link else None
            rate = served / (time.perf_counter() - t)
            print(f"(a) CDRs served in pages of 100          {rate:8,.0f} CDRs/s ({served:,} CDRs)")
            cdrs = "/ocpi/2.2.1/cpo/cdrs"
            window = client.get(f"{cdrs}?{WINDOW}&limit=1", headers=HEADERS)
            in_window = int(window.headers["X-Total-Count"])
            deep = args.store - 100
            first, last, window_first, window_last = medians_ms(
                client,
                [
                    f"{cdrs}?offset=0&limit=100",
                    f"{cdrs}?offset={deep}&limit=100",
                    f"{cdrs}?{WINDOW}&offset=0&limit=100",
                    f"{cdrs}?{WINDOW}&offset={in_window - 100}&limit=100",
                ],
            )
            print(
                f"(b) page at offset 0: {first:.1f} ms; at offset {deep:,}: {last:.1f} ms "
                f"({last / first:.2f}x); date window of {in_window:,} CDRs, offset 0: "
                f"{window_first:.1f} ms ({window_first / first:.2f}x), offset "
                f"{in_window - 100:,}: {window_last:.1f} ms ({window_last / first:.2f}x) "
                "(target: each <= 1.5x offset 0)"
            )
    finally:
        stop(sender)
    if args.sender_only:
        return
    receiving = args.db if args.db == ":memory:" else f"{args.db}.receiver-{time.time_ns()}"
    receiver, base = start(["--role", "emsp", "--db", receiving])
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            bodies = [cdr(i) for i in range(1200)]
            t = time.perf_counter()
            for body in bodies[:1000]:
                answer = client.post("/ocpi/2.2.1/emsp/cdrs", headers=HEADERS, json=body)
                assert answer.status_code == 201
            rate = 1000 / (time.perf_counter() - t)
            print(f"(c) POSTs, one client (validated, fsync) {rate:8,.0f}/s")
        limits = httpx.Limits(max_connections=200)
        with httpx.Client(base_url=base, timeout=60, limits=limits) as client:

            def post(body: dict[str, Any]) -> int:
                try:
                    answer = client.post("/ocpi/2.2.1/emsp/cdrs", headers=HEADERS, json=body)
                except httpx.HTTPError:
                    return 0
                return answer.status_code

            t = time.perf_counter()
            with ThreadPoolExecutor(max_workers=200) as pool:
                codes = list(pool.map(post, bodies[1000:1200]))
            elapsed = time.perf_counter() - t
            stored = sum(
                client.get(f"/ocpi/2.2.1/emsp/cdrs/NL/ABC/{b['id']}", headers=HEADERS).status_code
                == 200
                for b in bodies[1000:1200]
            )
            print(
                f"(d) 200 concurrent POSTs in {elapsed:.2f} s: {codes.count(201)} created, "
                f"{200 - codes.count(201)} errors, {stored} stored"
            )
    finally:
        stop(receiver)


if __name__ == "__main__":
    main()
