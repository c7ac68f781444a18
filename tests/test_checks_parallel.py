"""Checking on several cores gives the same findings, in the same order, as checking here."""

from __future__ import annotations

import copy
from typing import Any

from harness.checks import check_object
from harness.checks.parallel import MIN_PARALLEL, check_many
from harness.generate import CdrGenerator
from harness.options import Options


def _batch(count: int) -> list[dict[str, Any]]:
    generator = CdrGenerator("parallel", "default", "2.2.1")
    cdrs = [generator.cdr(i) for i in range(count)]
    # a few broken ones among them, at places that cross chunk boundaries
    for i in (0, 99, count - 1):  # schema errors
        cdrs[i] = copy.deepcopy(cdrs[i])
        del cdrs[i]["currency"]
    for i in (100, 1234):  # an unknown field: an error under AMB-C-17=STRICT_REJECT
        cdrs[i] = {**cdrs[i], "x_vendor_field": 1}
    return cdrs


def test_workers_find_what_one_process_finds_in_the_same_order() -> None:
    cdrs = _batch(1500)
    options = Options({"AMB-C-17": "STRICT_REJECT"})  # options reach the workers
    here = [check_object(c, "2.2.1", "cdr", options) for c in cdrs]
    there = list(check_many(iter(cdrs), "2.2.1", "cdr", options, workers=2))
    assert there == here
    broken = [i for i, found in enumerate(there) if any(f.level.value == "error" for f in found)]
    assert broken == [0, 99, 100, 1234, 1499]
    assert [f.requirement for f in there[1234] if f.level.value == "error"] == ["H-FIELD-01"]


def test_small_batches_and_one_worker_stay_in_this_process() -> None:
    cdrs = _batch(1500)[:50]
    expected = [check_object(c, "2.2.1", "cdr") for c in cdrs]
    assert list(check_many(cdrs, "2.2.1", "cdr", workers=1)) == expected
    assert list(check_many(cdrs, "2.2.1", "cdr", workers=2, expected=len(cdrs))) == expected
    assert len(cdrs) < MIN_PARALLEL
