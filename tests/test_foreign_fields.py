"""Fields of another version, kept as unknown fields, never change what a check reads: the
checks and the pricing engine read only the fields the version declares (no crash on a
2.2-style ``signed_data`` dict in a 2.1.1 CDR, no VAT taken from an unknown ``vat``)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from harness.checks import check_object
from harness.findings import Level
from harness.models import models_for
from tests.conftest import FIXTURES, VERSIONS


def _load(version: str, kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / version / kind / "valid" / "full.json").read_text(encoding="utf-8")
    )
    return data


def _graft(target: dict[str, Any], donor: dict[str, Any], version: str, kind: str) -> None:
    """Add the donor's fields that ``version`` does not declare, at the top and in the first
    tariff, element and component; and 2.2.1-style amounts into 2.3.0 money objects."""
    models = models_for(version)
    top = models.Cdr if kind == "cdr" else models.Tariff
    levels = [(target, donor, top)]
    t, d = target, donor
    chain = [("tariffs", models.Tariff), ("elements", models.TariffElement),
             ("price_components", models.PriceComponent)]  # fmt: skip
    for key, model in chain:
        if not (isinstance(t.get(key), list) and isinstance(d.get(key), list)):
            continue
        t, d = t[key][0], d[key][0]
        levels.append((t, d, model))
    for into, source, model in levels:
        for name, value in source.items():
            if name not in model.model_fields:
                into.setdefault(name, copy.deepcopy(value))
    if version == "2.3.0":
        money = [target.get("total_cost"), target.get("min_price"), target.get("max_price")]
        for value in money:
            if isinstance(value, dict):
                value.update({"excl_vat": 99.0, "incl_vat": 999.0, "after_taxes_x": 1})


@pytest.mark.parametrize("kind", ["cdr", "tariff"])
@pytest.mark.parametrize("version", VERSIONS)
def test_other_versions_fields_are_only_reported_as_unknown(version: str, kind: str) -> None:
    # Given a valid object with the other versions' fields grafted on as unknown fields
    original = _load(version, kind)
    grafted = copy.deepcopy(original)
    for other in VERSIONS:
        if other != version:
            _graft(grafted, _load(other, kind), version, kind)
    # When it is checked (this used to raise on a 2.1.1 CDR with a signed_data dict)
    before = check_object(json.dumps(original), version, kind)  # type: ignore[arg-type]
    after = check_object(json.dumps(grafted), version, kind)  # type: ignore[arg-type]
    # Then the only new findings are about unknown fields, and the cost is read the same
    new = {(f.requirement, f.path) for f in after} - {(f.requirement, f.path) for f in before}
    assert new, "the graft added nothing: the test would prove nothing"
    assert {requirement for requirement, _ in new} == {"H-FIELD-01"}, new
    assert not [f for f in after if f.level is Level.ERROR]
