"""``ocpi-harness generate``: JSON lines that validate and price consistently, the same bytes
from the same seed in separate processes, flat memory, clear usage errors; and the pytest
fixtures built on the generator."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.generate import PROFILES
from tests.conftest import PEAK_RSS_KIB
from tests.mock_helpers import import_harness

import_harness()  # before any in-process run: see import_harness

PAIRS = [(name, version) for name, p in PROFILES.items() for version in p.versions]
CLI = [sys.executable, "-m", "harness.cli.main"]


def _generated(args: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> bytes:
    capsysbinary.readouterr()  # drop what earlier commands printed
    assert main(["generate", *args]) == 0
    return capsysbinary.readouterr().out


@pytest.mark.parametrize(("profile", "version"), PAIRS, ids=[f"{p}-{v}" for p, v in PAIRS])
def test_generate_then_validate_and_price_check_exit_0(
    profile: str, version: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # Given generated CDRs of a profile, written as JSON lines
    count = "3" if profile == "many-periods" else "25"
    lines = _generated(
        ["--version", version, "--count", count, "--seed", "7", "--profile", profile],
        capsysbinary,
    )
    path = tmp_path / "cdrs.jsonl"
    path.write_bytes(lines)
    assert len(lines.splitlines()) == int(count)
    # When they are validated and price-checked, Then both exit 0
    assert main(["validate", "--version", version, "--kind", "cdr", str(path)]) == 0
    assert main(["price", "--version", version, "--check", str(path)]) == 0
    # And the tariffs of the profile validate too
    tariffs = _generated(
        ["--version", version, "--count", "5", "--seed", "7", "--profile", profile, "--kind",
         "tariff"],
        capsysbinary,
    )  # fmt: skip
    path.write_bytes(tariffs)
    assert main(["validate", "--version", version, "--kind", "tariff", str(path)]) == 0


def test_the_issue_16_cdr_bills_the_second_past_a_step_p_011(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # Given the CDR of issue 16: 34,501 s of charging (9.583611 h) under TIME 1.78/h per minute
    line = _generated(
        ["--version", "2.2.1", "--count", "1", "--seed", "3", "--profile", "ac-slow",
         "--start", "6"],
        capsysbinary,
    )  # fmt: skip
    path = tmp_path / "cdr.json"
    path.write_bytes(line)
    # When it is priced
    assert main(["price", "--version", "2.2.1", "--format", "json", str(path)]) == 0
    record = json.loads(capsysbinary.readouterr().out.splitlines()[0])
    # Then the second past minute 575 is a 576th minute (P-011): 9.6 h x 1.78
    assert record["pricing"]["total"]["excl"] == "17.088"
    # And the generator wrote that total
    assert json.loads(line)["total_cost"]["excl_vat"] == 17.088


def _run_in_new_process(seed: str, hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    args = ["generate", "--version", "2.2.1", "--count", "200", "--seed", seed, "--profile"]
    result = subprocess.run(
        [*CLI, *args, "multi-day"], capture_output=True, check=True, timeout=120, env=env
    )
    return hashlib.sha256(result.stdout).hexdigest()


@pytest.mark.subprocess
def test_same_seed_same_bytes_in_separate_processes_other_seed_other_bytes() -> None:
    first = _run_in_new_process("7", "1")
    assert first == _run_in_new_process("7", "2")  # hash randomisation changes nothing
    assert first != _run_in_new_process("8", "1")


@pytest.mark.subprocess
def test_the_readme_pipeline_exits_0() -> None:
    # ocpi-harness generate ... | ocpi-harness validate ... -   (and price --check)
    generated = subprocess.run(
        [*CLI, "generate", "--version", "2.2.1", "--count", "1000", "--seed", "7"],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    for check in (
        ["validate", "--version", "2.2.1", "--kind", "cdr", "-"],
        ["price", "--version", "2.2.1", "--check", "-"],
    ):
        result = subprocess.run(
            [*CLI, *check], input=generated, capture_output=True, timeout=120, check=False
        )
        assert result.returncode == 0, result.stdout[-500:]


def _peak_rss_kib(count: int) -> int:
    code = (
        "import sys\n"
        "from harness.cli.main import main\n"
        f"main(['generate', '--version', '2.2.1', '--count', '{count}', '--seed', '3'])\n"
        + PEAK_RSS_KIB
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=300,
        check=True,
    )
    return int(result.stderr.decode().strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.subprocess  # the peak memory of a process that did nothing else
def test_memory_stays_flat_as_the_count_grows() -> None:
    small = _peak_rss_kib(500)
    large = _peak_rss_kib(10_000)
    assert large - small < 15 * 1024, (small, large)


def test_list_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--list-profiles"]) == 0
    text = capsys.readouterr().out
    for name in PROFILES:
        assert name in text
    assert main(["generate", "--list-profiles", "--format", "json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["name"] for row in rows] == list(PROFILES)
    assert rows[0]["requirements"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--count", "3"], "--version is required"),
        (["--version", "2.1.1", "--profile", "credit"], "profile 'credit' needs OCPI 2.2.1"),
        (["--version", "2.2.1", "--profile", "fast"], "unknown profile 'fast'"),
        (["--version", "2.2.1", "--count", "-1"], "--count and --start take a number >= 0"),
    ],
)
def test_usage_errors_exit_2_and_name_the_fix(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ocpi-harness generate: ")
    assert says in err


FACTORY_TEST = """
import json

def test_one(cdr_factory, tariff_factory):
    first, second = cdr_factory(), cdr_factory(version="2.3.0", profile="credit")
    tariff = tariff_factory(version="2.1.1")
    assert first["id"] != second["id"] and second["credit"] is True
    print("IDS", json.dumps([first["id"], second["id"], tariff["id"]]))

def test_two(cdr_factory):
    print("IDS", json.dumps([cdr_factory()["id"]]))
"""


def _factory_ids(pytester: pytest.Pytester, *args: str, new_process: bool = False) -> list[str]:
    run = pytester.runpytest_subprocess if new_process else pytester.runpytest_inprocess
    result = run("-s", "-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=2)
    ids = []
    for line in result.outlines:
        if "IDS " in line:  # with -s, a print may share its line with pytest's progress
            ids += json.loads(line[line.index("IDS ") + 4 :])
    return ids


def test_factories_are_seeded_by_the_run_seed_and_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_factories=FACTORY_TEST)
    first = _factory_ids(pytester, "--ocpi-seed", "5")
    # Same seed: the same objects, test by test
    assert first == _factory_ids(pytester, "--ocpi-seed", "5")
    # Each test has its own stream; another seed gives other objects
    assert first[0] != first[3]
    assert set(first).isdisjoint(_factory_ids(pytester, "--ocpi-seed", "6"))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--ocpi-seed", "5")
    assert any("ocpi: seed 5" in line for line in result.outlines)


@pytest.mark.subprocess
def test_factories_give_the_same_objects_in_a_new_process(pytester: pytest.Pytester) -> None:
    # The runs above share this process (and the generator's caches); a new process, with
    # its own hash seed, must make the same objects from the same seed
    pytester.makepyfile(test_factories=FACTORY_TEST)
    here = _factory_ids(pytester, "--ocpi-seed", "5")
    assert here == _factory_ids(pytester, "--ocpi-seed", "5", new_process=True)
