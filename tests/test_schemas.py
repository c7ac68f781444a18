"""The committed JSON Schemas are exactly what the models generate."""

from __future__ import annotations

import pytest

from harness.models import KINDS, SUPPORTED_VERSIONS, Kind
from harness.schemas import GENERATED_NOTE, render_schema, schema_path


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_matches_models(version: str, kind: Kind) -> None:
    committed = schema_path(version, kind).read_text(encoding="utf-8")
    assert committed == render_schema(version, kind), "run `python -m harness.schemas`"
    assert GENERATED_NOTE in committed
