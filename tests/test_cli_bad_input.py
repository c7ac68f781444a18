"""Users' bad input to the command line and the plugin: one line naming the fix, never a
traceback (hardening issue, item 16). Malformed data is a finding; an unusable option or output
is a usage line with exit 2 (pytest's own usage exit, 4, for the plugin)."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli.main import main
from tests.conftest import FIXTURES

CDR = FIXTURES / "2.2.1" / "cdr" / "valid" / "credit.json"
GENERATE = ["generate", "--version", "2.2.1", "--seed", "1"]


class _FullDisk(io.RawIOBase):
    """A disk with no space left: every write fails as `> /dev/full` does."""

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_an_integer_of_6000_digits_is_a_finding_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a CDR whose id is a 6,000-digit number (past int()'s digit limit), twice
    path = tmp_path / "big.json"
    line = '{"id": ' + "9" * 6000 + "}\n"
    path.write_text(line + line, encoding="utf-8")
    # When it is validated
    code = main(["validate", "--version", "2.2.1", "--kind", "cdr", str(path)])
    out = capsys.readouterr()
    # Then each object is an error finding that says the number is out of range; no traceback
    assert code == 1
    assert out.out.count("number out of range") == 2, out.out
    assert "Traceback" not in out.err


def test_a_top_level_number_of_6000_digits_is_one_usage_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an input that is one huge number, not an object
    path = tmp_path / "number.json"
    path.write_text("9" * 6000 + "\n", encoding="utf-8")
    # When it is validated
    code = main(["validate", "--version", "2.2.1", "--kind", "cdr", str(path)])
    err = capsys.readouterr().err
    # Then one line says what the input holds instead of an object
    assert code == 2
    assert err.strip().endswith("value 1 is number"), err


def test_price_check_of_amounts_near_1e308_reports_the_difference_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a CDR whose every volume is 1e308 (no cent can round it at decimal precision)
    cdr = json.loads(CDR.read_text(encoding="utf-8"))
    for period in cdr["charging_periods"]:
        for dimension in period["dimensions"]:
            dimension["volume"] = 1e308
    cdr["total_cost"] = {"excl_vat": 1e308, "incl_vat": 1e308}
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(cdr), encoding="utf-8")
    # When it is priced and checked
    code = main(["price", "--version", "2.2.1", "--check", str(path)])
    out = capsys.readouterr()
    # Then the differences are findings with amounts shown by magnitude, not 309 digits
    assert code == 1
    assert "Traceback" not in out.err
    assert "e+308" in out.out
    assert "0" * 100 not in out.out


def test_a_valid_cdr_still_prices_to_the_cent(capsys: pytest.CaptureFixture[str]) -> None:
    # Given the same CDR as it is (a valid input beside the refusals above)
    # When it is priced and checked
    code = main(["price", "--version", "2.2.1", "--check", str(CDR)])
    # Then it is consistent, its amounts in plain decimals
    assert code == 0
    assert "e+" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        [*GENERATE, "--count", "3"],
        ["validate", "--version", "2.2.1", "--kind", "cdr", str(CDR)],
        ["price", "--version", "2.2.1", str(CDR)],
    ],
    ids=["generate", "validate", "price"],
)
def test_output_to_a_full_disk_is_one_line_and_exit_2(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a stdout whose every write fails for lack of space
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(_FullDisk())))
    # When a command writes its output
    code = main(args)
    # Then it says so in one line and exits 2
    assert code == 2
    assert (
        capsys.readouterr().err
        == "ocpi-harness: cannot write the output: No space left on device\n"
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_generate_into_dev_full_as_its_own_process_prints_no_traceback() -> None:
    # Given generate's output redirected to /dev/full, as a user's shell would
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "harness.cli.main", *GENERATE, "--count", "2"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    # Then one line on stderr (none from Python's flush at exit) and exit 2
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "ocpi-harness: cannot write the output: No space left on device"
    ]


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("--ocpi-report=/dev/null", "/dev/null is not a folder"),
        ("--ocpi-json=.", "is a folder: name the file"),
        ("--ocpi-json=/dev/null/summary.json", "/dev/null is not a folder"),
    ],
)
def test_a_report_path_no_report_can_be_written_to_is_a_usage_line_at_start(
    pytester: pytest.Pytester, option: str, says: str
) -> None:
    # Given a run whose report goes where no file can be written
    pytester.makepyfile("def test_nothing():\n    pass\n")
    # When pytest starts with the harness plugin
    result = pytester.runpytest_inprocess(option)
    # Then it stops at once with a usage line naming the fix, not an INTERNALERROR at the end
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert says in result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_a_missing_report_folder_is_created(pytester: pytest.Pytester) -> None:
    # Given a JSON summary path in folders that do not exist yet (a valid input)
    pytester.makepyfile("def test_nothing():\n    pass\n")
    target = pytester.path / "out" / "deep" / "summary.json"
    # When the run ends
    result = pytester.runpytest_inprocess(f"--ocpi-json={target}")
    # Then the folders were made and the summary written
    assert result.ret == pytest.ExitCode.OK
    assert json.loads(target.read_text(encoding="utf-8"))["verdict"]


def test_the_mock_listing_its_faults_to_a_full_disk_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.mock.cli import main as mock_main

    # Given a stdout on a full disk, When ocpi-mock lists its faults
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(_FullDisk())))
    code = mock_main(["--list-faults"])
    # Then one line says so, exit 2
    assert code == 2
    assert (
        capsys.readouterr().err == "ocpi-mock: cannot write the output: No space left on device\n"
    )
