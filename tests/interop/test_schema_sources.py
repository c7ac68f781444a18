"""Our models' verdicts against independent OCPI schema sources (tests/interop/NOTES.md,
section "Independent schema sources").

Each case runs one source (ocpi-types, extrawest-ocpi, py-ocpi; each in its own lab
virtualenv) over every fixture CDR and Tariff of one OCPI version and the generator's objects
(``schema_sources/subjects.py``), and compares its verdict on each with our model's. Every
difference must be one recorded in ``schema_differences.json``, with who is right and why;
and every recorded difference must still occur, on exactly the objects listed. So a change of
ours that drifts from every independent source fails here, and so does a stale record.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from tests.interop.lab import LabUnavailable
from tests.interop.schema_sources.compare import Subject, compare, draft_entries, entries_of
from tests.interop.schema_sources.sources import SOURCES, Source, load_differences, verdicts
from tests.interop.schema_sources.subjects import subjects

pytestmark = pytest.mark.interop

CASES = [(source, version) for source in SOURCES for version in source.library.versions]


@cache
def _objects(version: str) -> list[tuple[Subject, Any]]:
    # built once per version for all the sources of the session
    return subjects(version)


@pytest.mark.parametrize(("source", "version"), CASES,
                         ids=[f"{s.key}-{v}" for s, v in CASES])  # fmt: skip
def test_verdicts_differ_from_ours_only_as_recorded(source: Source, version: str) -> None:
    # Given every fixture and generated object of the version, with our model's verdict
    objects = _objects(version)
    recorded = entries_of(load_differences(), source.key, version)
    # When the source judges each of them
    try:
        theirs = verdicts(source, version, objects)
    except LabUnavailable as why:
        pytest.skip(f"interop lab unavailable: {why}")
    comparison = compare([s for s, _ in objects], theirs, recorded, source.every_error)
    # Then every difference is recorded, and every recorded one still holds as written
    drafts = draft_entries(comparison, [s for s, _ in objects], recorded)
    assert comparison.ok, "\n".join(
        [
            f"{source.key} on OCPI {version}: {comparison.tried} objects, "
            f"{comparison.same} with our verdict",
            *(f"NEW: {line}" for line in comparison.new),
            *(f"STALE: {line}" for line in comparison.stale),
            "Judge each new class against the spec and record it in "
            f"tests/interop/schema_differences.json under {source.key} / {version} "
            "(or fix what drifted); drafts of the unrecorded classes:",
            json.dumps(drafts, indent=2),
        ]
    )
