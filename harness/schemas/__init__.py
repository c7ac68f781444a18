"""JSON Schemas generated from the models (committed under ``harness/schemas/<version>/``).

Regenerate with ``python -m harness.schemas``; a test fails when the committed files drift from
the models.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue

from harness.models import KINDS, Kind, model_for
from harness.versions import SUPPORTED_VERSIONS

SCHEMA_DIR = Path(__file__).parent
GENERATED_NOTE = (
    "Generated from harness/models by `python -m harness.schemas`; do not edit by hand."
)
# Python's re (used by the jsonschema package) lets `$` match before a trailing newline, while
# JSON Schema's ECMA-262 `$` and pydantic's Rust regex do not. `(?!\n)$` means the same in ECMA
# and closes that gap, so a value like "ABC\n" gets the same verdict everywhere.
_DOLLAR = re.compile(r"(?<!\\)\$")


class _OcpiSchemaGenerator(GenerateJsonSchema):
    def generate(self, schema: Any, mode: Any = "validation") -> JsonSchemaValue:
        result = super().generate(schema, mode=mode)
        result = _rewrite_patterns(result)
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$comment": GENERATED_NOTE,
            **result,
        }


def _rewrite_patterns(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _DOLLAR.sub(r"(?!\\n)$", value)
            if key == "pattern" and isinstance(value, str)
            else _rewrite_patterns(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_patterns(item) for item in node]
    return node


def build_schema(version: str, kind: Kind) -> dict[str, Any]:
    """The JSON Schema of ``kind`` in ``version``, generated from the model."""
    schema: dict[str, Any] = model_for(version, kind).model_json_schema(
        schema_generator=_OcpiSchemaGenerator
    )
    return schema


def schema_path(version: str, kind: Kind, root: Path = SCHEMA_DIR) -> Path:
    """Where the committed schema of ``kind`` in ``version`` lives."""
    return root / version / f"{kind}.json"


def render_schema(version: str, kind: Kind) -> str:
    """The schema file's exact text (stable formatting, so regeneration is byte-identical)."""
    return json.dumps(build_schema(version, kind), indent=2, ensure_ascii=False) + "\n"


@cache
def load_schema(version: str, kind: Kind) -> dict[str, Any]:
    """The committed JSON Schema of ``kind`` in ``version``."""
    loaded: dict[str, Any] = json.loads(schema_path(version, kind).read_text(encoding="utf-8"))
    return loaded


def write_schemas(root: Path = SCHEMA_DIR) -> list[Path]:
    """(Re)generate every schema file under ``root``; returns the paths written."""
    written = []
    for version in SUPPORTED_VERSIONS:
        for kind in KINDS:
            path = schema_path(version, kind, root)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_schema(version, kind), encoding="utf-8")
            written.append(path)
    return written
