"""The fixture vectors: each gets its verdict and expected findings, from the model and from the
exported JSON Schema alike; the committed files are exactly what fixtures/build.py writes."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import jsonschema
import pytest

from harness.checks import check_object
from harness.findings import Level
from harness.options import Options
from harness.schemas import load_schema
from tests.conftest import FIXTURES, VERSIONS, FixtureCase, fixture_cases

CASES = fixture_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture_gets_its_verdict_and_findings(case: FixtureCase) -> None:
    # Given a fixture and the options its manifest entry names
    options = Options(case.options)
    # When it is checked
    findings = check_object(case.path.read_bytes(), case.version, case.kind, options)  # type: ignore[arg-type]
    # Then errors appear exactly for invalid fixtures
    errors = [f for f in findings if f.level is Level.ERROR]
    if case.verdict == "invalid":
        assert errors, f"{case.id}: expected errors, got {findings}"
    else:
        assert not errors, f"{case.id}: expected no errors, got {errors}"
    # And every expected finding is there, at its path and level
    seen = {(f.requirement, f.path, f.level.value) for f in findings}
    for expected in case.expect:
        key = (expected["requirement"], expected["path"], expected["level"])
        assert key in seen, f"{case.id}: missing {key}; got {sorted(seen)}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_json_schema_agrees_with_model(case: FixtureCase) -> None:
    # Given the exported JSON Schema of the fixture's version and kind
    schema = load_schema(case.version, case.kind)  # type: ignore[arg-type]
    instance = json.loads(case.path.read_text(encoding="utf-8"))
    # When the jsonschema package validates it
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    # Then it refuses exactly the fixtures that break the schema layer
    if case.layer == "schema" and case.verdict == "invalid":
        assert errors, f"{case.id}: the JSON Schema accepts a schema-layer violation"
    else:
        assert not errors, f"{case.id}: JSON Schema refuses it: {errors[0].message}"


def test_every_fixture_file_is_in_a_manifest() -> None:
    listed = {c.path for c in CASES}
    on_disk = {
        p for v in VERSIONS for p in (FIXTURES / v).rglob("*.json") if p.name != "manifest.json"
    }
    assert on_disk == listed


def test_each_version_has_at_least_40_invalid_variants() -> None:
    for version in VERSIONS:
        invalid = [c for c in CASES if c.version == version and c.verdict == "invalid"]
        assert len(invalid) >= 40, version


def test_fixture_files_match_their_builder() -> None:
    # Given the builder script
    spec = importlib.util.spec_from_file_location("fixtures_build", FIXTURES / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fixtures_build"] = module  # dataclasses resolve their module through sys.modules
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["fixtures_build"]
    # When it renders every file in memory
    files: dict[Path, str] = module.build(FIXTURES)
    # Then the committed files are byte-identical
    drifted = [
        str(p)
        for p, text in files.items()
        if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    assert not drifted, f"run `python fixtures/build.py`: {drifted[:5]}"
