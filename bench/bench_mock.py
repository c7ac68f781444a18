"""Benchmark: the mock peer over loopback (uvicorn in its own process).

    python bench/bench_mock.py [--store N] [--db PATH]

(0) baseline: GET /ocpi/versions per second; (a) CDRs served per second crawling pages of
100; (b) median latency of a page at offset N-100 vs offset 0 in an N-CDR store (default
100,000; built once by the generator into --db, reused on later runs); (c) POSTs per second,
one client; (d) 200 concurrent POSTs: all stored exactly once, errors counted.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from harness.mock.process import MockStartError, start_mock, stop_mock

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TOKEN = "bench"
HEADERS = {"Authorization": "Token " + base64.b64encode(TOKEN.encode()).decode()}


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


def median_ms(client: httpx.Client, url: str, rounds: int = 50) -> float:
    """Median wall time of GET ``url`` in milliseconds."""
    times = []
    for _ in range(rounds):
        start_at = time.perf_counter()
        response = client.get(url, headers=HEADERS)
        times.append(time.perf_counter() - start_at)
        assert response.status_code == 200
    return statistics.median(times) * 1000


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
    args = parser.parse_args()
    sender, base = start(["--role", "cpo", "--cdrs", str(args.store), "--db", args.db])
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
            first = median_ms(client, "/ocpi/2.2.1/cpo/cdrs?offset=0&limit=100")
            deep = median_ms(client, f"/ocpi/2.2.1/cpo/cdrs?offset={args.store - 100}&limit=100")
            print(
                f"(b) page at offset 0: {first:.1f} ms; at offset {args.store - 100:,}: "
                f"{deep:.1f} ms; ratio {deep / first:.2f} (target <= 2)"
            )
    finally:
        stop(sender)
    receiver, base = start(["--role", "emsp", "--db", f"{args.db}.receiver-{time.time_ns()}"])
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
