"""Checking pages on several cores gives the same findings, in the same order, as checking
each object here; a page with an invalid object is checked object by object."""

from __future__ import annotations

import copy
import json
from typing import Any

from harness.checks import check_object
from harness.checks.parallel import MIN_PARALLEL, check_objects_of_pages, check_page_objects
from harness.generate import CdrGenerator
from harness.options import Options


def _batch(count: int) -> list[dict[str, Any]]:
    generator = CdrGenerator("parallel", "default", "2.2.1")
    cdrs = [generator.cdr(i) for i in range(count)]
    # a few broken ones among them, at places that cross page and chunk boundaries
    for i in (0, 99, count - 1):  # schema errors
        cdrs[i] = copy.deepcopy(cdrs[i])
        del cdrs[i]["currency"]
    for i in (100, 1234):  # an unknown field: an error under AMB-C-17=STRICT_REJECT
        cdrs[i] = {**cdrs[i], "x_vendor_field": 1}
    return cdrs


def _pages(cdrs: list[Any], size: int) -> list[str]:
    return [
        json.dumps({"data": cdrs[i : i + size], "status_code": 1000})
        for i in range(0, len(cdrs), size)
    ]


def test_workers_find_what_one_process_finds_in_the_same_order() -> None:
    cdrs = _batch(1500)
    options = Options({"AMB-C-17": "STRICT_REJECT"})  # options reach the workers
    here = [check_object(c, "2.2.1", "cdr", options) for c in cdrs]
    pages = list(check_objects_of_pages(iter(_pages(cdrs, 70)), "2.2.1", "cdr", options, 2))
    there = [found for page in pages for found in page]
    assert there == here
    broken = [i for i, found in enumerate(there) if any(f.level.value == "error" for f in found)]
    assert broken == [0, 99, 100, 1234, 1499]
    assert [f.requirement for f in there[1234] if f.level.value == "error"] == ["H-FIELD-01"]


def test_small_batches_and_one_worker_stay_in_this_process() -> None:
    cdrs = _batch(1500)[:50]
    expected = [[check_object(c, "2.2.1", "cdr") for c in cdrs[i : i + 7]] for i in range(0, 50, 7)]
    pages = _pages(cdrs, 7)
    assert list(check_objects_of_pages(pages, "2.2.1", "cdr", workers=1)) == expected
    assert list(check_objects_of_pages(pages, "2.2.1", "cdr", workers=2, expected=50)) == expected
    assert len(cdrs) < MIN_PARALLEL


def test_a_page_is_checked_object_by_object_when_one_is_invalid() -> None:
    cdrs = _batch(1500)  # 0 lacks its currency, 1 is valid
    page = json.dumps({"data": [cdrs[1], "not an object", cdrs[0]], "status_code": 1000})
    found = check_page_objects(page, "2.2.1", "cdr")
    assert found[0] == check_object(cdrs[1], "2.2.1", "cdr")
    assert found[1]
    assert all(f.level.value == "error" for f in found[1])
    assert [f.path for f in found[2] if f.level.value == "error"] == ["$.currency"]


def test_a_page_without_a_data_list_has_no_objects() -> None:
    deep = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for text in ("not json", "[]", '{"data": null}', '{"status_code": 1000}', "", deep):
        assert check_page_objects(text, "2.2.1", "cdr") == []
    assert check_page_objects('{"data": []}', "2.2.1", "cdr") == []


def test_a_parsed_object_nested_past_the_interpreter_is_a_finding() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5_000):
        node["a"] = {}
        node = node["a"]
    for kind, requirement in (("cdr", "C-002"), ("tariff", "TF-001")):
        found = check_object(deep, "2.2.1", kind)  # type: ignore[arg-type]
        assert [(f.requirement, f.level.value, f.message) for f in found] == [
            (requirement, "error", "not valid JSON: nested too deeply")
        ]
