"""The objects the schema sources are run over, and our verdict on each.

Three sets per version: every fixture CDR and Tariff (``fixtures/<version>/manifest.json``),
the derived objects below, and objects of the harness's generator
(``harness.generate.generate``, what ``ocpi-harness generate`` writes): ``CDRS_PER_PROFILE``
CDRs and ``TARIFFS_PER_PROFILE`` tariffs of each profile that renders the version (200 to 300
CDRs a version), all from the fixed seed ``SEED``; a count per profile, so that a profile
added to the catalogue leaves the others' objects as they were. A generated object's id is
``gen/<kind>/<profile>/<index>``; a fixture's is its manifest ``file``.

Derived objects probe what every field may be: for each field of the version's
``<kind>/valid/full.json`` fixture (every optional field filled; in a list, its first item),
one copy without it (``drop/<kind>/<path>``) and one with it null (``null/<kind>/<path>``).
Absent and null mean the same (T-TYPE-01), so each is valid exactly when the field is optional.

Our verdict is the version's model (``harness.models.model_for``): accepted, or refused with
one class per pydantic error, its JSON path (indices as ``[]``) and error type. The manifest's
verdict and layer go along for the record (a schema-layer invalid fixture is one our model
refuses, every other one our model accepts; ``tests/test_fixtures.py`` holds that).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pydantic import ValidationError

from harness.generate import PROFILES, generate
from harness.models import Kind, model_for
from tests.conftest import FIXTURES, fixture_cases
from tests.interop.schema_sources.compare import Subject, Verdict

SEED = "schema-sources"
CDRS_PER_PROFILE = 10
TARIFFS_PER_PROFILE = 2


def _path(loc: tuple[str | int, ...]) -> str:
    return "$" + "".join("[]" if isinstance(part, int) else f".{part}" for part in loc)


def our_verdict(version: str, kind: Kind, obj: Any) -> Verdict:
    """Our model's verdict on one object given as parsed JSON."""
    try:
        model_for(version, kind).model_validate_json(json.dumps(obj))
    except ValidationError as error:
        return Verdict.of((_path(e["loc"]), e["type"]) for e in error.errors(include_url=False))
    return Verdict()


def present_paths(value: Any, at: str = "$") -> set[str]:
    """The JSON paths in ``value`` (indices as ``[]``) that hold something other than null."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if item is not None:
                out.add(f"{at}.{key}")
                out |= present_paths(item, f"{at}.{key}")
    elif isinstance(value, list):
        for item in value:
            out |= present_paths(item, f"{at}[]")
    return out


def _paths(obj: Any) -> frozenset[str]:
    return frozenset(present_paths(obj))


def profiles_of(version: str) -> list[str]:
    """The generator's profiles that render ``version``, in catalogue order."""
    return [p.name for p in PROFILES.values() if version in p.versions]


def _fields(value: Any, at: str = "$") -> list[tuple[str, list[str | int]]]:
    """Each field of ``value`` (through objects and the first item of each list): its path
    with indices as ``[]``, and the keys that reach it."""
    out: list[tuple[str, list[str | int]]] = []

    def walk(node: Any, path: str, keys: list[str | int]) -> None:
        if isinstance(node, dict):
            for key, item in node.items():
                out.append((f"{path}.{key}", [*keys, key]))
                walk(item, f"{path}.{key}", [*keys, key])
        elif isinstance(node, list) and node:
            walk(node[0], f"{path}[]", [*keys, 0])

    walk(value, at, [])
    return out


def derived(version: str, kind: Kind, base: Any) -> list[tuple[str, Any]]:
    """``(id, object)`` for each field of ``base`` dropped, then set to null."""
    out: list[tuple[str, Any]] = []
    for how in ("drop", "null"):
        for path, keys in _fields(base):
            obj = copy.deepcopy(base)
            parent = obj
            for key in keys[:-1]:
                parent = parent[key]
            if how == "drop":
                del parent[keys[-1]]
            else:
                parent[keys[-1]] = None
            out.append((f"{how}/{kind}/{path}", obj))
    return out


def subjects(version: str) -> list[tuple[Subject, Any]]:
    """Every object tried for ``version`` with our verdict: fixtures, derived, generated."""
    out: list[tuple[Subject, Any]] = []
    for case in fixture_cases():
        if case.version != version or case.kind not in ("cdr", "tariff"):
            continue
        obj = json.loads(case.path.read_text(encoding="utf-8"))
        kind: Kind = "cdr" if case.kind == "cdr" else "tariff"
        expected = f"{case.verdict} ({case.layer})" if case.verdict == "invalid" else case.verdict
        ours = our_verdict(version, kind, obj)
        out.append((Subject(case.file, kind, ours, expected, _paths(obj)), obj))
    for kind in ("cdr", "tariff"):
        full = json.loads((FIXTURES / version / kind / "valid" / "full.json").read_text("utf-8"))
        for object_id, obj in derived(version, kind, full):
            ours = our_verdict(version, kind, obj)
            out.append((Subject(object_id, kind, ours, None, _paths(obj)), obj))
    for name in profiles_of(version):
        for kind, count in (("cdr", CDRS_PER_PROFILE), ("tariff", TARIFFS_PER_PROFILE)):
            made = generate(kind, version, count=count, seed=SEED, profile=name)
            for index, obj in enumerate(made):
                ours = our_verdict(version, kind, obj)
                subject = Subject(f"gen/{kind}/{name}/{index}", kind, ours, None, _paths(obj))
                out.append((subject, obj))
    return out
