"""Hand-built objects for the object checks, for the (check, requirement) pairs that no invalid
or warning fixture of ``fixtures/<version>/manifest.json`` makes a check report: each case is a
valid fixture with one thing changed, run through ``check_object`` with the options it needs.
``OBJECT_CASES`` is read by tests/test_checks_objects.py (each case makes its check report its
requirement) and tests/test_check_registry.py (every declared requirement of every check has a
failing case)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.checks import check_object
from harness.findings import Finding
from harness.models import Kind
from harness.options import Options
from tests.conftest import FIXTURES


@dataclass(frozen=True)
class ObjectCase:
    """An object that breaks one requirement of one check: ``run`` checks it."""

    check: str
    requirement: str
    title: str
    run: Callable[[], list[Finding]]


def valid_fixture(version: str, kind: Kind, name: str = "full") -> Any:
    """A valid fixture of ``version`` as parsed JSON (a fresh copy each call)."""
    path = FIXTURES / version / kind / "valid" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _checked(
    version: str, kind: Kind, change: Callable[[Any], None], *options: str
) -> Callable[[], list[Finding]]:
    def run() -> list[Finding]:
        obj = valid_fixture(version, kind)
        change(obj)
        return check_object(obj, version, kind, Options.parse(list(options)))

    return run


def _negate_total_cost(cdr: Any) -> None:
    cdr["total_cost"] = -cdr["total_cost"]


def _unlisted_token_type(cdr: Any) -> None:
    cdr["cdr_token"]["type"] = "APP_TOKEN"  # not a TokenType of 2.3.0


def _energy_step_size_zero(cdr: Any) -> None:
    energy = cdr["tariffs"][0]["elements"][0]["price_components"][1]
    assert energy["type"] == "ENERGY"
    energy["step_size"] = 0


def _negative_energy_price(cdr: Any) -> None:
    energy = cdr["tariffs"][0]["elements"][0]["price_components"][1]
    assert energy["type"] == "ENERGY"
    energy["price"] = -0.25


OBJECT_CASES: tuple[ObjectCase, ...] = (
    ObjectCase(
        "check_credit",
        "C-028",
        "2.1.1 CDR with a negative total_cost (2.1.1 has no credit CDRs)",
        _checked("2.1.1", "cdr", _negate_total_cost),
    ),
    ObjectCase(
        "check_open_enums",
        "T-TYPE-10",
        "2.3.0 CDR whose cdr_token.type is not a listed TokenType",
        _checked("2.3.0", "cdr", _unlisted_token_type),
    ),
    ObjectCase(
        "check_cost",
        "TF-002",
        "embedded tariff with step_size 0 on ENERGY under AMB-C-04=REJECT_ZERO",
        _checked("2.2.1", "cdr", _energy_step_size_zero, "AMB-C-04=REJECT_ZERO"),
    ),
    ObjectCase(
        "check_cost",
        "TF-002",
        "embedded tariff with a negative ENERGY price under AMB-C-19=REJECT_NEGATIVE_PRICE",
        _checked("2.2.1", "cdr", _negative_energy_price, "AMB-C-19=REJECT_NEGATIVE_PRICE"),
    ),
)
