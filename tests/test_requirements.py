"""The requirement registry: unique ids, every id used anywhere is registered, digests seeded."""

from __future__ import annotations

import json
import re

import pytest

from harness import requirements
from harness.mock.faults import FAULTS
from harness.requirements import REGISTRY, get_requirement
from tests.conftest import FIXTURES, ROOT, VERSIONS

ID = re.compile(r"\b(?:C|TF|P)-[0-9]{3}\b|\bT-[A-Z]+-[0-9]{2}\b|\bH-[A-Z]+-[0-9]{2}\b")


def test_ids_are_unique() -> None:
    ids = [r.id for r in requirements._ALL]
    assert len(ids) == len(set(ids))


def test_every_id_used_in_code_and_fixtures_is_registered() -> None:
    # Given every source file of the harness and every fixture manifest
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "harness").rglob("*.py")]
    texts += [(FIXTURES / v / "manifest.json").read_text(encoding="utf-8") for v in VERSIONS]
    texts += [(FIXTURES / "build.py").read_text(encoding="utf-8")]
    used = {m for text in texts for m in ID.findall(text)}
    # Then each id is in the registry
    assert used, "the scan found no ids at all"
    assert sorted(used - REGISTRY.keys()) == []


def test_registry_holds_every_digest_id() -> None:
    digests = ROOT.parent / "shared" / "ocpi"
    if not digests.is_dir():
        pytest.skip("shared/ocpi digests are not beside this checkout")
    ids = {
        m
        for p in digests.glob("*.md")
        for m in re.findall(
            r"\*\*((?:C|TF|P)-\d{3}|T-[A-Z]+-\d{2})\*\*", p.read_text(encoding="utf-8")
        )
    }
    assert ids
    assert sorted(ids - REGISTRY.keys()) == []


def test_requirements_name_versions_level_and_link() -> None:
    for req in REGISTRY.values():
        assert req.versions, req.id
        assert set(req.versions) <= set(VERSIONS), req.id
        assert req.title, req.id
        assert req.section, req.id
        for version in req.versions:
            assert req.spec_url(version).startswith("https://github.com/ocpi/ocpi/blob/")


def test_every_fault_and_option_names_a_registered_requirement() -> None:
    # Given the requirement each mock fault breaks and the ids harness/options.py cites
    cited = set(ID.findall((ROOT / "harness" / "options.py").read_text(encoding="utf-8")))
    assert cited, "the scan found no ids in options.py"
    # Then get_requirement knows each (it raises KeyError otherwise)
    for rid in sorted(cited | {fault.requirement for fault in FAULTS.values()}):
        assert get_requirement(rid).id == rid


def test_unknown_id_names_itself() -> None:
    with pytest.raises(KeyError, match="C-999"):
        get_requirement("C-999")


def test_every_id_a_check_emits_is_proven_by_a_fixture() -> None:
    # Given the ids the checks emit (a finding's first argument, or a mapped schema id)
    emitting = re.compile(r'(?:finding\(|Finding\(|return |\? )\s*"([A-Z]+-[A-Z0-9-]+)"')
    # (object checks; the exchange checks' ids are proven by hand-built exchanges instead:
    # tests/test_check_registry.py)
    exchange_checks = {"auth", "credentials", "discovery", "exchange_finding", "pagination"}
    exchange_checks |= {"parallel", "receiver", "transport"}
    emitted = {
        m
        for p in (ROOT / "harness" / "checks").glob("*.py")
        if p.stem not in exchange_checks
        for m in emitting.findall(p.read_text(encoding="utf-8"))
    }
    assert {"C-001", "C-008", "TF-011"} <= emitted, "the scan no longer sees the checks' ids"
    # And the ids the fixtures prove
    proven = {
        x["requirement"]
        for v in VERSIONS
        for entry in json.loads((FIXTURES / v / "manifest.json").read_text("utf-8"))
        for x in entry["expect"]
    }
    # Then no check emits an id that no fixture makes it emit
    assert sorted(emitted - proven) == []
