"""Realistic, reproducible OCPI CDRs and tariffs: a scenario catalogue, a seeded generator and a
Faker provider.

``generate("cdr", "2.2.1", count=1000, seed=7, profile="dc-fast")`` yields CDRs as JSON-ready
dicts; the same arguments give the same objects on any machine. Every CDR is priced by the cost
oracle (``harness.pricing``), so its totals agree with its tariffs and periods.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from harness.generate.cdrs import CdrGenerator
from harness.generate.profiles import PROFILES, Profile, get_profile
from harness.generate.provider import OcpiProvider

__all__ = ["PROFILES", "CdrGenerator", "OcpiProvider", "Profile", "generate", "get_profile"]


def generate(
    kind: Literal["cdr", "tariff"],
    version: str,
    count: int,
    seed: int | str,
    profile: str = "default",
    start: int = 0,
) -> Iterator[dict[str, Any]]:
    """Objects ``start`` .. ``start + count - 1`` of the stream of ``seed`` and ``profile``,
    one at a time (any slice of a stream equals the same slice of a longer run)."""
    generator = CdrGenerator(seed, profile, version)
    make = generator.cdr if kind == "cdr" else generator.tariff
    for index in range(start, start + count):
        yield make(index)
