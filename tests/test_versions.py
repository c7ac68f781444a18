"""Versions are data: one profile per version in harness/versions.py, checked against the models,
and no code outside it compares version strings."""

from __future__ import annotations

import ast
import re
from enum import Enum
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from harness import versions
from harness.checks.context import CheckContext
from harness.models import SUPPORTED_VERSIONS as MODELS_SUPPORTED_VERSIONS
from harness.models import models_for
from harness.requirements import get_requirement
from harness.versions import (
    PROFILES,
    SUPPORTED_VERSIONS,
    Version,
    VersionProfile,
    parse_version,
    version_profile,
)
from tests.conftest import ROOT

# A comparison of something with a version literal: ==, !=, in (...), startswith("2.").
_VERSION = r"""["']2\.\d\.\d["']"""
COMPARISON = re.compile(
    rf"(==|!=)\s*{_VERSION}|{_VERSION}\s*(==|!=)|\bin\s*[(\[{{]\s*(None\s*,\s*)?{_VERSION}"
    r"""|startswith\(\s*["']2\."""
)
# Lines in files another change owns that still compare versions: each must be fixed there,
# then removed from here (an entry that no longer matches fails the test below).
PENDING: set[tuple[str, str]] = set()


def _sources() -> list[Path]:
    files = sorted((ROOT / "harness").rglob("*.py")) + sorted((ROOT / "scenarios").rglob("*.py"))
    return [p for p in files if p != ROOT / "harness" / "versions.py"]


def _comparisons() -> set[tuple[str, str]]:
    found = set()
    for path in _sources():
        for line in path.read_text(encoding="utf-8").splitlines():
            if COMPARISON.search(line):
                found.add((path.relative_to(ROOT).as_posix(), line.strip()))
    return found


def test_the_pattern_finds_the_comparisons_it_is_meant_to_find() -> None:
    for line in (
        'if version == "2.1.1":',
        "if '2.3.0' != ctx.version:",
        'raw = version not in (None, "2.1.1")',
        'if version in ("2.2.1", "2.3.0"):',
        'if version.startswith("2."):',
    ):
        assert COMPARISON.search(line), line
    for line in ('PROFILES = {"2.1.1": 1}', 'version: str = "2.2.1"', "end = profile.end_field"):
        assert not COMPARISON.search(line), line


def test_no_code_outside_versions_py_compares_version_strings() -> None:
    # Given every module of harness/ (but versions.py) and scenarios/
    # When their source is scanned for comparisons with a version literal
    found = _comparisons()
    # Then none is left but the lines whose owners still have to fix them
    assert sorted(found - PENDING) == [], "read the version's profile instead"
    stale = sorted(PENDING - found)
    assert stale == [], "fixed: remove these lines from PENDING"


def test_versions_py_sits_at_the_bottom_of_the_import_graph() -> None:
    tree = ast.parse((ROOT / "harness" / "versions.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not [name for name in imported if name.split(".")[0] == "harness"]


def test_the_versions_are_written_once() -> None:
    assert SUPPORTED_VERSIONS == get_args(Version) == ("2.1.1", "2.2.1", "2.3.0")
    assert tuple(PROFILES) == SUPPORTED_VERSIONS
    assert MODELS_SUPPORTED_VERSIONS is SUPPORTED_VERSIONS  # harness.models re-exports it
    assert all(profile.version == version for version, profile in PROFILES.items())


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_parse_version_accepts_each_supported_version(version: str) -> None:
    assert parse_version(version) == version
    assert version_profile(version) is PROFILES[version]


@pytest.mark.parametrize("text", ["2.2", "2.1", "3.0", "", " 2.2.1", "v2.2.1"])
def test_parse_version_names_the_supported_versions(text: str) -> None:
    # The same words the CLIs, the mock and the generator have always used
    expected = f"unsupported OCPI version {text!r}; use one of 2.1.1, 2.2.1, 2.3.0"
    with pytest.raises(ValueError, match="unsupported OCPI version") as error:
        parse_version(text)
    assert str(error.value) == expected
    for other in (version_profile, models_for):
        with pytest.raises(ValueError, match=re.escape(expected)):
            other(text)


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_a_check_context_carries_its_versions_profile(version: str) -> None:
    ctx = CheckContext(version)
    assert ctx.profile is PROFILES[version]
    assert ctx.at("tariffs", 0).profile is PROFILES[version]
    with pytest.raises(ValueError, match="unsupported OCPI version"):
        CheckContext("2.2")


def test_profiles_are_values() -> None:
    # Frozen and hashable, though the renames table is a mapping
    assert len({*PROFILES.values()}) == len(PROFILES)
    with pytest.raises(AttributeError):
        PROFILES["2.2.1"].end_field = "x"  # type: ignore[misc]


# -- each profile against its version's models ----------------------------------------------------


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def _model_of(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The model class a field holds (through Optional and list)."""
    stack: list[Any] = [model.model_fields[name].annotation]
    while stack:
        annotation = stack.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        stack.extend(get_args(annotation))
    raise AssertionError(f"{model.__name__}.{name} holds no model")


def _all_field_names(module: Any) -> set[str]:
    models = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseModel)
    ]
    return {name for model in models for name in model.model_fields}


@pytest.fixture(params=SUPPORTED_VERSIONS)
def profile(request: pytest.FixtureRequest) -> VersionProfile:
    return PROFILES[request.param]


def test_the_profile_names_its_model_module(profile: VersionProfile) -> None:
    module = models_for(profile.version)
    assert module.__name__ == f"harness.models.{profile.models}"
    assert profile.version == module.VERSION


def test_the_cdr_field_names_are_the_models(profile: VersionProfile) -> None:
    cdr = models_for(profile.version).Cdr
    for name in (profile.end_field, profile.location_field, profile.token_field):
        assert name in cdr.model_fields, name
    others = {p.end_field for p in PROFILES.values()} - {profile.end_field}
    assert not others & _fields(cdr)


def test_the_connectors_are_the_models_connector_type(profile: VersionProfile) -> None:
    enum = models_for(profile.version).ConnectorType
    assert profile.connectors == tuple(c.value for c in enum)
    assert len(set(profile.connectors)) == len(profile.connectors)


def test_the_money_shape_is_the_models(profile: VersionProfile) -> None:
    module = models_for(profile.version)
    total_cost = module.Cdr.model_fields["total_cost"].annotation
    if profile.money_shape == "number":
        assert total_cost is float
        assert profile.price_fields is None
    else:
        assert total_cost is module.Price
        assert profile.price_fields == tuple(module.Price.model_fields)[:2]


def test_the_tax_shape_is_the_models(profile: VersionProfile) -> None:
    module = models_for(profile.version)
    components = _model_of(module.TariffElement, "price_components")
    has_vat = "vat" in components.model_fields
    has_tax_included = "tax_included" in module.Tariff.model_fields
    assert (has_vat, has_tax_included) == {
        "none": (False, False),
        "vat": (True, False),
        "taxes": (True, True),
    }[profile.tax_shape]


def test_the_cdr_features_are_the_models(profile: VersionProfile) -> None:
    module = models_for(profile.version)
    cdr = _fields(module.Cdr)
    assert profile.has_credit_cdrs == ("credit" in cdr)
    assert profile.has_subtotals == ("total_energy_cost" in cdr)
    assert profile.period_tariff_ids == ("tariff_id" in _fields(module.ChargingPeriod))
    assert profile.party_scoped_ids == ("country_code" in cdr)
    assert profile.party_scoped_ids == ("country_code" in _fields(module.Tariff))
    location = _model_of(module.Cdr, profile.location_field)
    assert profile.location_time_zone == ("time_zone" in location.model_fields)
    token = module.Cdr.model_fields[profile.token_field].annotation
    typed = (
        isinstance(token, type) and issubclass(token, BaseModel) and "type" in token.model_fields
    )
    assert profile.token_types == typed


def test_open_enums_are_the_models(profile: VersionProfile) -> None:
    module = models_for(profile.version)
    if not profile.token_types:
        assert not profile.open_enums
        return
    token_type = _model_of(module.Cdr, profile.token_field).model_fields["type"].annotation
    closed = isinstance(token_type, type) and issubclass(token_type, Enum)
    assert profile.open_enums == (not closed)


def test_ascii_strings_are_the_models(profile: VersionProfile) -> None:
    remark = models_for(profile.version).Cdr.model_fields["remark"]
    adapter: TypeAdapter[Any] = TypeAdapter(remark.rebuild_annotation())
    try:
        adapter.validate_python("Müller")
        ascii_only = False
    except ValidationError:
        ascii_only = True
    assert profile.ascii_strings == ascii_only


def test_the_version_only_rules_match_the_registry(profile: VersionProfile) -> None:
    version = profile.version
    assert profile.advises_step_size_one == (version in get_requirement("TF-017").versions)
    assert profile.retires_token_a == (version in get_requirement("T-AUTH-05").versions)
    assert profile.unknown_fields_rejectable == (
        version not in get_requirement("T-MISC-01").versions
    )
    assert profile.open_enums == (version in get_requirement("T-TYPE-10").versions)
    assert (profile.money_shape == "number") == (version in get_requirement("C-028").versions)
    assert profile.has_credit_cdrs == (version in get_requirement("C-007").versions)


def test_rename_hints_name_fields_the_right_way_round(profile: VersionProfile) -> None:
    # A 'missing' hint is for a field the version defines; a 'foreign' one for a field it
    # does not define anywhere in its models.
    defined = _all_field_names(models_for(profile.version))
    for name, hint in profile.renames.items():
        assert hint.missing or hint.foreign, name
        if hint.missing:
            assert name in defined, (profile.version, name)
        if hint.foreign:
            assert name not in defined, (profile.version, name)


def test_the_rename_table_is_written_once() -> None:
    # The checks read the profile's table: neither keeps one of its own.
    for module in ("schema", "unknown_fields"):
        source = (ROOT / "harness" / "checks" / f"{module}.py").read_text(encoding="utf-8")
        assert "'stop_date_time'" not in source, module
    assert versions.PROFILES["2.3.0"].renames["end_date_time"].missing
    assert versions.PROFILES["2.1.1"].renames["end_date_time"].foreign
