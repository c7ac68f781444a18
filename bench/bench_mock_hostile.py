"""Benchmark: the mock peer's GET latency under hostile load (uvicorn in its own process).

    python bench/bench_mock_hostile.py [--half-open N] [--rounds R]

(a) GET /ocpi/versions latency with N half-open connections (each sent half a request head and
waits; default 1,000) vs none, at the machine's file limit; (a') the same with 1,100 half-open
connections at a file limit of 1,024 (the usual default: this many once locked every client
out); (b) GET latency while a 600 KB CDR that takes seconds to validate is being POSTed vs with
no POST. Printed as medians, maxima and the ratio of medians (a GET that got no answer within
10 s counts as infinite); the issue's target is every GET within a second.
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
import threading
import time
from pathlib import Path

import httpx

from harness.mock.process import free_port, stop_mock, wait_for_port

# The costly CDR is the one the hardening test posts: one builder for both.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.mock_helpers import costly_cdr

TOKEN = "bench"
HEADERS = {"Authorization": "Token " + base64.b64encode(TOKEN.encode()).decode()}
FILE_LIMIT_1024 = "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))\n"


def start(args: list[str], prelude: str = "") -> tuple[subprocess.Popen[bytes], str]:
    """ocpi-mock with ``args`` on a free port, ``prelude`` run in its interpreter first."""
    port = free_port()
    code = f"{prelude}import sys\nfrom harness.mock.cli import main\nsys.exit(main(sys.argv[1:]))"
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args, "--port", str(port)],
        env={**os.environ, "OCPI_MOCK_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process, timeout=90)
    return process, f"http://127.0.0.1:{port}"


def latencies(
    client: httpx.Client, rounds: int, until: threading.Thread | None = None
) -> list[float]:
    """Seconds per GET /ocpi/versions: ``rounds`` of them, or as many as fit while ``until``
    runs (infinite for one that got no answer; three of those end the series)."""
    out = []
    while (len(out) < rounds) if until is None else until.is_alive():
        start_at = time.perf_counter()
        try:
            answered = client.get("/ocpi/versions", headers=HEADERS).status_code == 200
        except httpx.HTTPError:
            answered = False
        out.append(time.perf_counter() - start_at if answered else float("inf"))
        if out.count(float("inf")) == 3:
            break  # the server is locked: enough said
        time.sleep(0.02)
    return out


def report(label: str, base: list[float], loaded: list[float]) -> None:
    """One line: medians and maxima in ms, and the ratio of the medians."""
    b, m = statistics.median(base), statistics.median(loaded)
    print(
        f"{label:<44} median {b * 1000:6.1f} -> {m * 1000:6.1f} ms, max {max(base) * 1000:6.1f} "
        f"-> {max(loaded) * 1000:6.1f} ms, ratio {m / b:5.2f} ({len(loaded)} GETs)"
    )


def half_open(prelude: str, count: int, rounds: int, label: str) -> None:
    """(a): latency with ``count`` half-open connections vs none."""
    process, base = start(["--role", "both"], prelude)
    held: list[socket.socket] = []
    try:
        port = int(base.rsplit(":", 1)[1])
        with httpx.Client(base_url=base, timeout=10) as client:
            quiet = latencies(client, rounds)
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            held.append(sock)
            sock.sendall(b"GET /ocpi/versions HTTP/1.1\r\nHost: bench\r\n")
        # A new client, as the issue measured it: its connection has to get in.
        with httpx.Client(base_url=base, timeout=10) as client:
            loaded = latencies(client, rounds)
        report(f"{label}: {count:,} half-open", quiet, loaded)
    finally:
        for sock in held:
            sock.close()
        stop_mock(process)


def costly_post(rounds: int) -> None:
    """(b): latency while a 600 KB CDR is validated vs with no POST."""
    body = json.dumps(costly_cdr()).encode()
    process, base = start(["--role", "emsp"])
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            quiet = latencies(client, rounds)
            took: list[float] = []

            def post() -> None:
                start_at = time.perf_counter()
                answer = client.post(
                    "/ocpi/2.2.1/emsp/cdrs",
                    content=body,
                    headers={**HEADERS, "Content-Type": "application/json"},
                )
                took.append(time.perf_counter() - start_at)
                assert answer.status_code == 201, answer.text

            poster = threading.Thread(target=post)
            poster.start()
            time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=60) as other:
                loaded = latencies(other, rounds, until=poster)
            poster.join()
        report(f"(b) during a {len(body) // 1000} KB POST ({took[0]:.1f} s)", quiet, loaded)
    finally:
        stop_mock(process)


def main() -> None:
    """Run the measurements."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--half-open", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    half_open("", args.half_open, args.rounds, "(a) file limit as is")
    half_open(FILE_LIMIT_1024, 1100, args.rounds, "(a') file limit 1,024")
    costly_post(args.rounds)


if __name__ == "__main__":
    main()
