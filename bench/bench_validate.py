"""Benchmark: CDRs validated per second, model fast path vs jsonschema, in the same run.

    python bench/bench_validate.py [--count N] [--version V]

(a) the pydantic model from raw JSON bytes (the harness's fast path), (b) the full object check
(model + consistency + unknown fields), (c) the jsonschema package on the exported schema
(json.loads + Draft 2020-12 validation). Input: N distinct multi-period CDRs derived from the
'full' fixture. Ratios against (c) are what to compare across machines.
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import jsonschema
from timing import rate  # bench/ is the script's folder, so on sys.path

from harness.checks import check_object
from harness.models import model_for
from harness.schemas import load_schema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def make_inputs(version: str, count: int) -> list[bytes]:
    """``count`` distinct CDRs as JSON bytes (ids and volumes vary)."""
    base = json.loads((FIXTURES / version / "cdr" / "valid" / "full.json").read_text("utf-8"))
    out = []
    for i in range(count):
        cdr = copy.deepcopy(base)
        cdr["id"] = f"CDR-{i:08d}"
        # Vary what does not change the price, so that every CDR stays consistent.
        cdr["charging_periods"][0]["dimensions"][2]["volume"] = 11.0 + (i % 7) / 10
        out.append(json.dumps(cdr).encode())
    return out


def main() -> None:
    """Run the three measurements and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--version", default="2.2.1")
    args = parser.parse_args()
    inputs = make_inputs(args.version, args.count)
    model = model_for(args.version, "cdr")
    validator = jsonschema.Draft202012Validator(load_schema(args.version, "cdr"))
    assert all(validator.is_valid(json.loads(raw)) for raw in inputs[:10])
    print(f"OCPI {args.version}, {args.count} CDRs of {len(inputs[0])} bytes, one core")
    fast = rate("(a) model fast path (model_validate_json)", model.model_validate_json, inputs)
    full = rate(
        "(b) full object check (check_object)",
        lambda raw: check_object(raw, args.version, "cdr"),
        inputs,
    )
    slow = rate(
        "(c) jsonschema on the exported schema",
        lambda raw: validator.is_valid(json.loads(raw)),
        inputs[: max(args.count // 10, 200)],
        repeat=2,
    )
    print(
        f"ratio (a)/(c): {fast / slow:.1f}x   ratio (b)/(c): {full / slow:.1f}x   "
        f"(b)/(a): {full / fast:.2f}"
    )


if __name__ == "__main__":
    main()
