"""The comparison behind tests/interop/test_schema_sources.py, without the sources' virtualenvs:
a difference missing from the record fails it, a record that no longer holds fails it, and the
runner reduces a source's errors to stable classes. Also: the committed record is well formed."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.interop.schema_sources import subjects as subject_list
from tests.interop.schema_sources.compare import (
    WHO,
    Entry,
    ErrorClass,
    Subject,
    Verdict,
    compare,
    compress,
    draft_entries,
    entries_of,
)
from tests.interop.schema_sources.runner import generated_judge, pydantic_error
from tests.interop.schema_sources.sources import SOURCES, load_differences

OPEN_ENUM = "cdr/valid/open-enum-token-type.json"
# what ocpi-types 0.3.0 says of that fixture in 2.3.0 (its TokenType is a closed enum)
CLOSED_TOKEN_TYPE = Verdict.of([("$.cdr_token.type", "enum")])


def _open_enum_fixture() -> Subject:
    obj = json.loads((FIXTURES / "2.3.0" / OPEN_ENUM).read_text(encoding="utf-8"))
    ours = subject_list.our_verdict("2.3.0", "cdr", obj)
    return Subject(OPEN_ENUM, "cdr", ours, "valid", frozenset(subject_list.present_paths(obj)))


def _entry(**fields: Any) -> Entry:
    data: dict[str, Any] = {
        "direction": "source refuses",
        "kind": "cdr",
        "title": "t",
        "classes": [{"path": "$.cdr_token.type", "kind": "enum"}],
        "objects": [OPEN_ENUM],
        "who_is_right": "harness",
        "why": "w",
    }
    return Entry.from_json({**data, **fields})


def test_a_difference_missing_from_the_record_fails() -> None:
    # Given a fixture we accept and a source refuses (ocpi-types on a 2.3.0 OpenEnum value)
    subject = _open_enum_fixture()
    assert subject.ours.accepted
    # When it is compared with the record emptied
    result = compare([subject], {OPEN_ENUM: CLOSED_TOKEN_TYPE}, [])
    # Then the comparison reports it, with its class
    assert not result.ok
    assert result.new == [
        f"{OPEN_ENUM} (manifest: valid): source refuses (cdr): $.cdr_token.type enum"
    ]


def test_the_committed_record_explains_that_difference() -> None:
    # Given the record's entries for ocpi-types on 2.3.0, narrowed to the one of that class
    recorded = entries_of(load_differences(), "ocpi-types-0.3.0", "2.3.0")
    entry = [e for e in recorded if ErrorClass("$.cdr_token.type", "enum") in e.classes]
    # When the same fixture is compared with it
    result = compare([_open_enum_fixture()], {OPEN_ENUM: CLOSED_TOKEN_TYPE}, entry)
    # Then it is a known difference, and the record says we are right
    assert result.ok, result.new + result.stale
    assert [e.who_is_right for e in entry] == ["harness"]


def test_a_new_field_path_on_an_object_of_a_known_class_fails() -> None:
    # Given the known class, and a source that refuses the object for one more reason
    theirs = Verdict.of([("$.cdr_token.type", "enum"), ("$.cdr_location.name", "missing")])
    # When compared
    result = compare([_open_enum_fixture()], {OPEN_ENUM: theirs}, [_entry()])
    # Then the new path is reported
    assert result.new == [
        f"{OPEN_ENUM} (manifest: valid): source refuses (cdr): $.cdr_location.name missing"
    ]


def test_a_recorded_difference_that_no_longer_occurs_is_stale() -> None:
    # Given a recorded difference, and a source that now agrees with us
    result = compare([_open_enum_fixture()], {OPEN_ENUM: Verdict()}, [_entry()])
    # Then the entry is reported stale
    assert result.same == 1
    assert not result.ok
    assert any("no object shows it any more" in line for line in result.stale)


def test_an_entry_lists_exactly_the_objects_that_show_it() -> None:
    # Given two accepted objects the source refuses for the same reason, one of them listed
    ours = Verdict()
    subjects = [Subject("cdr/valid/a.json", "cdr", ours), Subject("cdr/valid/b.json", "cdr", ours)]
    theirs = {s.id: Verdict.of([("$.x", "missing")]) for s in subjects}
    classes = [{"path": "$.x", "kind": "missing"}]
    # When compared with that entry, and with one listing an object that agrees
    one = compare(subjects, theirs, [_entry(classes=classes, objects=["cdr/valid/a.json"])])
    theirs["cdr/valid/b.json"] = Verdict()
    extra = compare(subjects, theirs, [_entry(classes=classes, objects=["cdr/valid/*"])])
    # Then both are stale: the list says which objects show it, no more and no fewer
    assert one.stale == ["'t', source refuses (cdr): also shown by ['cdr/valid/b.json']"]
    assert extra.stale == ["'t', source refuses (cdr): listed, not shown by ['cdr/valid/b.json']"]


def test_has_selects_the_objects_holding_a_path() -> None:
    # Given two objects, only one of which holds $.signed_data, refused for that
    a = Subject("gen/cdr/p/0", "cdr", Verdict(), paths=frozenset({"$.signed_data"}))
    b = Subject("gen/cdr/p/1", "cdr", Verdict())
    theirs = {a.id: Verdict.of([("$.signed_data.v", "missing")]), b.id: Verdict()}
    entry = _entry(classes=[{"path": "$.signed_data.v", "kind": "missing"}],
                   objects=["has:$.signed_data"])  # fmt: skip
    # When compared
    result = compare([a, b], theirs, [entry])
    # Then has: names exactly the object that shows it
    assert result.ok, result.stale


def test_recorded_refusals_are_set_aside_for_a_source_that_reports_every_error() -> None:
    # Given an object we refuse for its id, which the source refuses only for a recorded defect
    subject = Subject("cdr/invalid/id.json", "cdr", Verdict.of([("$.id", "string_too_long")]))
    theirs = {subject.id: Verdict.of([("$.end_date_time", "value_error.missing")])}
    defect = _entry(classes=[{"path": "$.end_date_time", "kind": "value_error.missing"}],
                    objects=["*"])  # fmt: skip
    # When compared as a source reporting every error, and as one stopping at the first
    every = compare([subject], theirs, [defect], every_error=True)
    first = compare([subject], theirs, [defect], every_error=False)
    # Then the first sees that the source does not mind the id; the second cannot know
    assert every.new == ["cdr/invalid/id.json: source accepts (cdr): $.id string_too_long"]
    assert first.same == 1
    assert first.new == []


def test_an_entry_names_who_is_right_and_why() -> None:
    with pytest.raises(ValueError, match="who_is_right"):
        _entry(who_is_right="nobody")
    with pytest.raises(ValueError, match="says why"):
        _entry(why=" ")


def test_drafts_of_new_classes_use_the_coarsest_exact_patterns() -> None:
    # Given ten generated objects of a profile that all show a class, and one fixture
    ids = [f"gen/cdr/no-vat/{i}" for i in range(10)] + [
        "cdr/valid/minimal.json",
        "cdr/valid/x.json",
    ]
    showing = {*ids[:10], "cdr/valid/minimal.json"}
    # When they are written as patterns
    # Then the profile is one pattern, the fixture its own id
    assert compress(showing, ids) == ["cdr/valid/minimal.json", "gen/cdr/*"]
    subjects = [Subject(i, "cdr", Verdict()) for i in ids]
    result = compare(subjects, {i: Verdict.of([("$.v", "k")]) for i in showing}, [])
    assert draft_entries(result, subjects)[0]["objects"] == compress(showing, ids)


def test_derived_objects_drop_each_field_then_null_it() -> None:
    # Given an object with a nested field and a list
    base = {"a": 1, "b": {"c": 2}, "d": [{"e": 3}, {"e": 4}]}
    # When its derived objects are made
    made = dict(subject_list.derived("2.2.1", "cdr", base))
    # Then each field, through objects and the first list item, is dropped once and nulled once
    assert made["drop/cdr/$.b.c"] == {"a": 1, "b": {}, "d": [{"e": 3}, {"e": 4}]}
    assert made["null/cdr/$.d[].e"] == {"a": 1, "b": {"c": 2}, "d": [{"e": None}, {"e": 4}]}
    assert len(made) == 2 * len(["$.a", "$.b", "$.b.c", "$.d", "$.d[].e"])
    assert base == {"a": 1, "b": {"c": 2}, "d": [{"e": 3}, {"e": 4}]}


def test_the_committed_record_is_well_formed() -> None:
    # Given the record of known differences
    recorded = load_differences()
    # Then it covers exactly the sources and versions the interop test runs
    assert {s.key: set(s.library.versions) for s in SOURCES} == {
        key: set(block["versions"]) for key, block in recorded["sources"].items()
    }
    # And it was made from the objects the test tries
    assert recorded["objects"] == {
        "seed": subject_list.SEED,
        "cdrs_per_profile": subject_list.CDRS_PER_PROFILE,
        "tariffs_per_profile": subject_list.TARIFFS_PER_PROFILE,
    }
    # And every entry parses, names who is right, and no class is recorded twice
    for source in SOURCES:
        for version in source.library.versions:
            entries = entries_of(recorded, source.key, version)
            assert entries, (source.key, version)
            assert all(e.who_is_right in WHO and e.classes and e.objects for e in entries)
            compare([], {}, entries)  # raises on a class recorded twice


# A module of the shape ocpi-types generates (classes read by a static from_dict, one field a
# line, small helpers that assert the JSON type), written for this test.
GENERATED = """
from enum import Enum


def from_str(x):
    assert isinstance(x, str)
    return x


def from_none(x):
    assert x is None
    return x


def from_list(f, x):
    assert isinstance(x, list)
    return [f(y) for y in x]


def from_union(fs, x):
    for f in fs:
        try:
            return f(x)
        except:
            pass
    assert False


class Colour(Enum):
    RED = "RED"


class Item:
    @staticmethod
    def from_dict(obj):
        assert isinstance(obj, dict)
        colour = Colour(obj.get("colour"))
        label = from_union([from_none, from_str], obj.get("label"))
        return Item()


class Cdr:
    @staticmethod
    def from_dict(obj):
        assert isinstance(obj, dict)
        name = from_str(obj.get("name"))
        items = from_list(Item.from_dict, obj.get("items"))
        return Cdr()


Tariff = Cdr
"""


@pytest.fixture
def generated_module(tmp_path: Path) -> Iterator[ModuleType]:
    path = tmp_path / "generated_like.py"
    path.write_text(GENERATED, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("generated_like", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generated_like"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["generated_like"]


@pytest.mark.parametrize(
    ("obj", "errors"),
    [
        ({"name": "n", "items": [{"colour": "RED"}]}, []),
        ({"items": []}, [{"path": "$.name", "kind": "missing"}]),
        ({"name": None, "items": []}, [{"path": "$.name", "kind": "null"}]),
        ({"name": 7, "items": []}, [{"path": "$.name", "kind": "not str"}]),
        ({"name": "n", "items": "x"}, [{"path": "$.items", "kind": "not list"}]),
        ({"name": "n", "items": [3]}, [{"path": "$.items[]", "kind": "not object"}]),
        (
            {"name": "n", "items": [{"colour": "BLUE"}]},
            [{"path": "$.items[].colour", "kind": "enum"}],
        ),
        ({"name": "n", "items": [{}]}, [{"path": "$.items[].colour", "kind": "missing"}]),
        # an optional field: the union's own "assert False" would hide which alternative failed
        (
            {"name": "n", "items": [{"colour": "RED", "label": 5}]},
            [{"path": "$.items[].label", "kind": "not str"}],
        ),
    ],
)
def test_runner_reads_the_field_path_of_a_generated_reader_from_its_traceback(
    generated_module: ModuleType, obj: Any, errors: list[dict[str, str]]
) -> None:
    # Given a judge over a module shaped like ocpi-types'
    judge = generated_judge(generated_module)
    # When it reads the object
    # Then the error is reduced to its field path and kind
    assert judge("cdr", obj) == errors


def test_runner_keeps_the_reason_of_a_generic_pydantic_error_without_the_value() -> None:
    # Given pydantic 1 errors of a library's own validators, which carry the value
    timestamp = {"loc": ("charging_periods", 0, "start_date_time"), "type": "value_error",
                 "msg": "Invalid RFC 3339 timestamp: 2025-13-01T00:00:00Z"}  # fmt: skip
    missing = {"loc": ("cdr_location", "evse_uid"), "type": "value_error.missing", "msg": "x"}
    # Then the class is the path and the reason, never the value
    assert pydantic_error(timestamp) == {
        "path": "$.charging_periods[].start_date_time",
        "kind": "value_error: Invalid RFC 3339 timestamp",
    }
    assert pydantic_error(missing) == {
        "path": "$.cdr_location.evse_uid",
        "kind": "value_error.missing",
    }
