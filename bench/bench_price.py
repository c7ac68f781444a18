"""Benchmark: CDRs priced per second, and what the cost check adds to validation, same run.

    python bench/bench_price.py [--count N] [--version V] [--periods K] [--lines L]
                                [--repeat R] [--before REV]

Two inputs of N distinct CDRs each. "typical": the 'full' fixture (three periods: charging,
charging, parking; a two-element tariff with FLAT, ENERGY, TIME and PARKING_TIME, VAT, energy
mix, signed data). "complex": K periods (charging at changing currents, then parking) under the
spec's complex tariff (six elements with current, day-of-week and time-of-day restrictions and
step sizes). Totals are what the oracle prices. Measured on one core, best of 5, against
(0) the baseline of parsing the CDR with its model, in the same run:
(a) pricing alone (price_cdr on parsed models), (b) the cost check alone (price + compare),
(c) validation without the cost check (model + every other check), (d) the full check
(c + b). The cost check includes the C-012 period-boundary search. The ratio (d)/(c) is what
re-pricing adds to validation.

Then ``ocpi-harness price --check`` as its own process on L generated lines, as at revision REV,
with ``--jobs 1`` and with ``--jobs`` the usable cores (see bench_validate, which measures it).
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_validate import add_jobs_arguments, measure_jobs
from timing import rate  # bench/ is the script's folder, so on sys.path

from harness.checks import check_object
from harness.checks.cdr_consistency import CDR_CHECKS
from harness.checks.context import CheckContext
from harness.checks.cost_consistency import check_cost
from harness.checks.tariff_consistency import TARIFF_CHECKS
from harness.checks.unknown_fields import check_unknown_fields
from harness.findings import Finding
from harness.models import model_for
from harness.pricing import price_cdr

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _with_priced_total(cdr: dict[str, Any], version: str) -> bytes:
    """The CDR as JSON with total_cost set to what the oracle prices (before tax)."""
    model = model_for(version, "cdr").model_validate_json(json.dumps(cdr))
    excl = float(price_cdr(model, version).total.excl or 0)
    if version == "2.1.1":
        cdr["total_cost"] = excl
    else:
        cdr["total_cost"] = {"before_taxes" if version == "2.3.0" else "excl_vat": excl}
    return json.dumps(cdr).encode()


def make_inputs(version: str, count: int, periods: int) -> list[bytes]:
    """``count`` distinct CDRs of ``periods`` periods as JSON bytes, priced consistently."""
    base = json.loads((FIXTURES / version / "cdr" / "valid" / "price-V-10a.json").read_text())
    out = []
    for i in range(count):
        cdr = copy.deepcopy(base)
        cdr["id"] = f"CDR-{i:08d}"
        charging = max(periods - 2, 1)
        hour = 8 + i % 10  # local start 09:00 .. 18:00: parking windows differ
        cdr["start_date_time"] = f"2024-03-{4 + i % 6:02d}T{hour:02d}:00:00Z"
        rows = []
        for k in range(periods):
            start = f"2024-03-{4 + i % 6:02d}T{hour + (k * 20) // 60:02d}:{(k * 20) % 60:02d}:00Z"
            if k < charging:
                amps = 16.0 if k % 2 else 40.0 + i % 5
                dims = [
                    {"type": "ENERGY", "volume": 3.5 + (i % 7) / 10},
                    {"type": "TIME", "volume": 0.333333},
                    {"type": "MAX_CURRENT", "volume": amps},
                ]
            else:
                dims = [{"type": "PARKING_TIME", "volume": 0.333333}]
            rows.append({"start_date_time": start, "tariff_id": "14", "dimensions": dims})
        cdr["charging_periods"] = rows
        end_minutes = periods * 20
        end = f"2024-03-{4 + i % 6:02d}T{hour + end_minutes // 60:02d}:{end_minutes % 60:02d}:00Z"
        cdr["end_date_time"] = end
        cdr["last_updated"] = end
        cdr["total_energy"] = round(charging * (3.5 + (i % 7) / 10), 6)
        cdr["total_time"] = round(end_minutes / 60, 6)
        cdr["total_parking_time"] = round((periods - charging) * 0.333333, 6)
        out.append(_with_priced_total(cdr, version))
    return out


def make_typical(version: str, count: int) -> list[bytes]:
    """``count`` distinct copies of the 'full' fixture CDR (ids and energy vary)."""
    base = json.loads((FIXTURES / version / "cdr" / "valid" / "full.json").read_text())
    out = []
    for i in range(count):
        cdr = copy.deepcopy(base)
        cdr["id"] = f"CDR-{i:08d}"
        cdr["charging_periods"][1]["dimensions"][0]["volume"] = 5.0 + (i % 9) / 10
        cdr["total_energy"] = 16.0 + (i % 9) / 10
        for key in [k for k in cdr if k.startswith("total_") and k.endswith("_cost")]:
            del cdr[key]
        cdr["total_cost"] = base["total_cost"]
        out.append(_with_priced_total(cdr, version))
    return out


def measure(version: str, label: str, inputs: list[bytes]) -> None:
    """The four rates for one input set."""
    model = model_for(version, "cdr")
    models = [model.model_validate_json(raw) for raw in inputs]
    ctx = CheckContext(version)
    drift = [f for m in models[:50] for f in check_cost(m, ctx) if f.level.value != "info"]
    assert not drift, drift[0]
    others = [c for c in CDR_CHECKS if c is not check_cost]

    def validate_without_cost(raw: bytes) -> list[Finding]:
        cdr = model.model_validate_json(raw)
        findings = list(check_unknown_fields(cdr, ctx))
        for check in others:
            findings.extend(check(cdr, ctx))
        for i, tariff in enumerate(cdr.tariffs or []):
            for tariff_check in TARIFF_CHECKS:
                findings.extend(tariff_check(tariff, ctx.at("tariffs", i)))
        return findings

    print(f"-- {label}: {len(inputs)} CDRs of {len(inputs[0])} bytes, OCPI {version}, one core")
    parse = rate(
        "(0) baseline: parsing alone (model_validate_json)", model.model_validate_json, inputs
    )
    pricing = rate("(a) pricing alone (price_cdr on parsed models)", _pricer(version), models)
    cost = rate(
        "(b) cost check alone (price, compare, C-012)", lambda m: list(check_cost(m, ctx)), models
    )
    plain = rate("(c) validation without re-pricing", validate_without_cost, inputs)
    full = rate("(d) full check (check_object)", lambda r: check_object(r, version, "cdr"), inputs)
    print(
        f"   pricing {pricing:,.0f}/s = {parse / pricing:.1f}x the time of parsing; cost check "
        f"{cost:,.0f}/s; the full check takes {plain / full:.2f}x the time of validation "
        "without re-pricing"
    )


def main() -> None:
    """Run the measurements for the typical and the complex input."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--version", default="2.2.1")
    parser.add_argument("--periods", type=int, default=8)
    add_jobs_arguments(parser)
    args = parser.parse_args()
    measure(args.version, "typical", make_typical(args.version, args.count))
    if args.version != "2.1.1":  # the complex example restricts on current, which 2.1.1 lacks
        complex_inputs = make_inputs(args.version, args.count, args.periods)
        measure(args.version, f"complex tariff, {args.periods} periods", complex_inputs)
    if args.lines:
        measure_jobs(
            ["price", "--version", "2.2.1", "--check"], args.lines, args.repeat, args.before
        )


def _pricer(version: str) -> Callable[[Any], object]:
    def work(cdr: Any) -> object:
        return price_cdr(cdr, version)

    return work


if __name__ == "__main__":
    main()
