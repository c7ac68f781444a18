"""Benchmark: CDRs generated per second (priced and serialised), and peak memory when streaming.

    python bench/bench_generate.py [--count N] [--version V] [--stream M]

(a) objects per second for the default profile and a few heavier ones, each generated, priced
by the cost oracle and serialised to a JSON line, on one core, best of 5; against (0) the
baseline of serialising an already generated CDR, in the same run. (b) Peak RSS of
`ocpi-harness generate --count M` (default 100,000) to /dev/null, minus that of a 1,000 run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from timing import rate  # bench/ is the script's folder, so on sys.path

from harness.generate import CdrGenerator


def peak_rss_kib(count: int, version: str) -> int:
    """Peak resident memory (VmHWM: ru_maxrss would carry this process's own peak over fork
    and exec) of a process that streams ``count`` CDRs to /dev/null."""
    code = (
        "import sys\n"
        "from harness.cli.main import main\n"
        f"main(['generate', '--version', {version!r}, '--count', '{count}', '--seed', '1'])\n"
        "lines = open('/proc/self/status').read().splitlines()\n"
        "sys.stderr.write(next(l.split()[1] for l in lines if l.startswith('VmHWM:')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True
    )
    return int(result.stderr.decode().strip().splitlines()[-1])


def main() -> None:
    """Run the measurements."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--version", default="2.2.1")
    parser.add_argument("--stream", type=int, default=100_000)
    args = parser.parse_args()
    print(f"OCPI {args.version}, {args.count} CDRs per profile, one core")
    sample = CdrGenerator(1, "default", args.version).cdr(0)
    rate("(0) baseline: json.dumps of a ready CDR", lambda _: json.dumps(sample), range(args.count))
    for profile in ("default", "dc-fast", "time-of-day-boundary", "multi-day", "credit"):
        try:
            generator = CdrGenerator(1, profile, args.version)
        except ValueError:
            continue
        for i in range(50):  # the tariff pool is built once per run: leave it out
            generator.cdr(i)
        rate(
            f"(a) generate + price + serialise: {profile}",
            lambda i, g=generator: json.dumps(g.cdr(i)),
            list(range(args.count)),
        )
    small = peak_rss_kib(1000, args.version)
    large = peak_rss_kib(args.stream, args.version)
    print(
        f"(b) peak RSS streaming {args.stream:,} CDRs: {large / 1024:.1f} MiB "
        f"({(large - small) / 1024:+.1f} MiB over a 1,000-CDR run)"
    )


if __name__ == "__main__":
    main()
