"""What the benchmarks share: best-of-N throughput of a function over inputs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def rate(label: str, work: Callable[[Any], object], inputs: list[Any], repeat: int = 5) -> float:
    """Best-of-``repeat`` items per second for ``work`` over ``inputs``, printed and returned
    (the best run is the one least disturbed by the rest of a noisy machine)."""
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        for item in inputs:
            work(item)
        best = max(best, len(inputs) / (time.perf_counter() - start))
    print(f"{label:<52} {best:>10,.0f} CDRs/s")
    return best
