"""The cost oracle against the published test vectors of independent OCPI tariff engines
(fixtures/pricing/independent/<source>.json, written by convert.py beside them): every priced
session of their tests, as a whole CDR, agrees with our price, or is a documented disagreement
(who is wrong and by which rule) or an ambiguity (the option value under which we agree)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from decimal import Decimal
from typing import Any

import pytest

from harness.cli.validate import judge
from harness.findings import Level
from harness.models import model_for
from harness.options import OPTION_SPECS, Options
from harness.pricing import GROUP_FIELDS, Cost, Pricing, price_cdr
from tests.conftest import FIXTURES

INDEPENDENT = FIXTURES / "pricing" / "independent"
SOURCES: dict[str, dict[str, Any]] = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted(INDEPENDENT.glob("*.json"))
}
CASES = [(slug, vector) for slug, source in SOURCES.items() for vector in source["vectors"]]
IDS = [f"{slug}:{vector['id']}" for slug, vector in CASES]
_GROUP_OF = {name: group for group, name in GROUP_FIELDS.items()}


def price(source: dict[str, Any], vector: dict[str, Any], options: Options) -> Pricing:
    """Our price of the vector's CDR (validated by its version's model), in the zone the source
    priced it in."""
    version = vector["version"]
    cdr = model_for(version, "cdr").model_validate_json(json.dumps(vector["cdr"]))
    return price_cdr(cdr, version, options, time_zone=vector.get("time_zone", source["time_zone"]))


def amount(pricing: Pricing, field: str) -> Cost:
    """Our amount for a CDR cost field: the total or a cost group's sub-total."""
    return pricing.total if field == "total_cost" else pricing.subtotals[_GROUP_OF[field]]


def differences(
    pricing: Pricing, stated: dict[str, dict[str, str]], tolerance: Decimal
) -> list[str]:
    """Each stated side of each cost field that our price misses by more than ``tolerance``
    (an amount we cannot know counts as missed)."""
    out = []
    for field, sides in stated.items():
        cost = amount(pricing, field)
        for side, text in sides.items():
            ours = getattr(cost, side)
            if ours is None or abs(ours - Decimal(text)) > tolerance:
                out.append(f"{field}.{side}: stated {text}, ours {ours}")
    return out


def _options(vector: dict[str, Any]) -> Options:
    return Options(vector.get("option", {}))


@pytest.mark.parametrize(("slug", "vector"), CASES, ids=IDS)
def test_independent_vector_meets_its_recorded_outcome(slug: str, vector: dict[str, Any]) -> None:
    # Given a source's priced session as a CDR, with the totals its engine states
    source = SOURCES[slug]
    tolerance = Decimal(source["tolerance"])
    # When our oracle prices it at the defaults (an ambiguity: under its option value too)
    default = price(source, vector, Options())
    assert not default.unpriced, default.unpriced
    missed = differences(default, vector["expected"], tolerance)
    breakdown = "\n".join(str(line) for line in default.lines)
    # Then the outcome recorded for it holds
    if vector["outcome"] == "agree":
        assert not missed, f"{missed}\n{breakdown}"
    elif vector["outcome"] == "disagree":
        # our number is the one the note gives, and it is not the source's
        assert missed, f"recorded as a disagreement, yet we agree\n{breakdown}"
        assert not differences(default, vector["ours"], tolerance), breakdown
    else:
        assert vector["outcome"] == "ambiguity"
        chosen = price(source, vector, _options(vector))
        assert not differences(chosen, vector["expected"], tolerance), vector["option"]
        assert missed, f"the default agrees too: {vector['default_differs']}"


@pytest.mark.parametrize(("slug", "vector"), CASES, ids=IDS)
def test_cost_check_judges_independent_cdr_by_its_outcome(
    slug: str, vector: dict[str, Any]
) -> None:
    # Given the CDR, whose totals are the source's, judged as `validate` and `price --check` do
    source = SOURCES[slug]
    zone = vector.get("time_zone", source["time_zone"])
    options = _options(vector) if vector["outcome"] == "ambiguity" else Options()
    text = json.dumps(vector["cdr"])
    model, findings = judge(text, vector["version"], "cdr", options, None, zone)
    # Then it passes its version's model (the source's own spec breaks are recorded, not fixed)
    assert model is not None, findings
    drift = [f for f in findings if f.requirement == "C-026" and f.level is not Level.INFO]
    # And the cost check (C-026) objects exactly where we disagree with the source
    if vector["outcome"] == "disagree":
        assert [f for f in drift if f.level is Level.ERROR], findings
    else:
        assert not drift, drift


HEADER_FIELDS = (
    "source",
    "repository",
    "licence",
    "spec_version",
    "how_the_source_tests",
    "conversion",
    "tolerance_why",
    "time_zone",
    "time_zone_why",
)
VECTOR_FIELDS = ("id", "source_files", "version", "cdr", "expected", "outcome")
EXPLANATIONS = {
    "agree": (),
    "disagree": ("ours", "who_is_wrong", "why", "spec"),
    "ambiguity": ("option", "default_differs", "why", "spec"),
}


def missing(record: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """The fields of ``fields`` that ``record`` lacks or leaves empty."""
    return [name for name in fields if not record.get(name)]


@pytest.mark.parametrize("slug", list(SOURCES))
def test_each_source_file_names_its_origin_and_holds_vectors(slug: str) -> None:
    # Given a source file
    source = SOURCES[slug]
    # Then its header says where the vectors come from, under which licence, from which
    # package's engine, and how they were converted and compared
    assert not missing(source, HEADER_FIELDS)
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])
    assert not missing(source["engine"], ("package", "version", "code"))
    assert Decimal(source["tolerance"]) < Decimal("0.01")
    assert not [entry for entry in source["skipped"] if missing(entry, ("id", "why"))]
    # And it holds vectors, each with its origin, its CDR and totals, and an explained outcome
    assert source["vectors"]
    for vector in source["vectors"]:
        assert not missing(vector, VECTOR_FIELDS), vector["id"]
        assert vector["outcome"] in EXPLANATIONS, vector["id"]
        assert not missing(vector, EXPLANATIONS[vector["outcome"]]), vector["id"]
        assert vector["version"] == source["spec_version"], vector["id"]
        assert vector["cdr"]["tariffs"], vector["id"]
        assert vector["expected"]["total_cost"], vector["id"]


def test_ambiguities_name_an_option_value_other_than_the_default() -> None:
    chosen = [v["option"] for _, v in CASES if v["outcome"] == "ambiguity"]
    for option_id, value in (item for option in chosen for item in option.items()):
        assert value in OPTION_SPECS[option_id].choices, (option_id, value)
        assert value != OPTION_SPECS[option_id].default, (option_id, value)


def test_vectors_come_from_at_least_two_independent_engines() -> None:
    repositories = {source["repository"] for source in SOURCES.values()}
    assert len(repositories) >= 2, repositories
    assert sum(len(source["vectors"]) for source in SOURCES.values()) >= 49


def test_transcribed_source_converts_to_its_checked_in_file() -> None:
    # ocpi-kit's vectors are transcribed into convert.py (they are Rust tests, not data files):
    # running the converter gives the checked-in file, so the two cannot drift apart.
    spec = importlib.util.spec_from_file_location(
        "independent_pricing_convert", INDEPENDENT / "convert.py"
    )
    assert spec is not None
    assert spec.loader is not None
    convert = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = convert  # its dataclasses look their module up there
    spec.loader.exec_module(convert)
    assert json.loads(json.dumps(convert.ocpi_kit())) == SOURCES["hupe1980-ocpi-kit"]
