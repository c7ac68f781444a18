"""``--jobs N`` of ``validate`` and ``price``: worker processes print exactly what one process
prints (bytes and exit status), in the input's order; a small input starts no process; a wrong
``--jobs`` is one line naming the fix.

The commands run in this process (``main(argv)``) with the pool's thresholds lowered, so that an
input of hundreds of lines goes through the workers."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from harness.cli import jobs
from harness.cli.jobs import WorkerStopped, render_records
from harness.cli.main import main
from harness.generate import CdrGenerator
from harness.streaming import Record

LINES = 1_200


@pytest.fixture(scope="module")
def cdr_lines() -> list[bytes]:
    """Generated CDRs as JSON lines, with what a long input holds somewhere in its middle: a
    broken line, a CDR that fails its schema, one whose total drifts, an unknown field, a line
    past the length limit (see ``small_pool``) and a blank line."""
    generator = CdrGenerator("jobs", "default", "2.2.1")
    cdrs: list[Any] = [generator.cdr(i) for i in range(LINES)]
    del cdrs[250]["currency"]
    drifting = copy.deepcopy(cdrs[420])
    drifting["total_cost"] = {"excl_vat": 123456.0}
    cdrs[420] = drifting
    cdrs[777] = {**cdrs[777], "x_vendor_field": 1}
    lines = [json.dumps(cdr).encode() for cdr in cdrs]
    lines[333] = b'{"id": "broken", '
    lines[600] = json.dumps({**cdrs[600], "pad": "x" * 40_000}).encode()
    lines[901] = b"   "
    return lines


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers start after 200 records, take 64 at a time, and lines above 30,000 bytes are
    refused; the list holds the ``--jobs`` of each pool started."""
    monkeypatch.setattr(jobs, "START_LINES", 200)
    monkeypatch.setattr(jobs, "CHUNK_LINES", 64)
    monkeypatch.setattr("harness.streaming.MAX_RECORD_BYTES", 30_000)
    started: list[int] = []
    start = jobs.start_pool

    def counted(count: int, *args: Any) -> Any:
        started.append(count)
        return start(count, *args)

    monkeypatch.setattr(jobs, "start_pool", counted)
    return started


def _run(capsysbinary: pytest.CaptureFixture[bytes], argv: list[str]) -> tuple[int, bytes, bytes]:
    capsysbinary.readouterr()
    code = main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err


COMMANDS = [
    ["validate", "--version", "2.2.1", "--kind", "cdr"],
    ["validate", "--version", "2.2.1", "--kind", "cdr", "--format", "json"],
    ["price", "--version", "2.2.1"],
    ["price", "--version", "2.2.1", "--check", "--format", "json"],
    # the tariffs and zone given on the command line reach the workers
    ["price", "--version", "2.2.1", "--check", "--tariffs", "TARIFFS", "--time-zone", "Asia/Tokyo"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:1] + c[3:]) for c in COMMANDS])
def test_two_workers_print_the_bytes_and_exit_status_of_one_process(
    command: list[str],
    cdr_lines: list[bytes],
    small_pool: list[int],
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    # Given a JSON lines file with bad lines in its middle
    path = tmp_path / "cdrs.jsonl"
    path.write_bytes(b"\n".join(cdr_lines) + b"\n")
    tariffs = tmp_path / "tariffs.json"
    tariffs.write_text(json.dumps(json.loads(cdr_lines[0])["tariffs"]))
    command = [str(tariffs) if arg == "TARIFFS" else arg for arg in command]
    # When it is checked in this process, then by two workers
    alone = _run(capsysbinary, [*command, "--jobs", "1", str(path)])
    assert small_pool == []
    shared = _run(capsysbinary, [*command, "--jobs", "2", str(path)])
    # Then the workers were used, and the output and exit status are the same to the byte
    assert small_pool == [2]
    assert shared == alone
    assert alone[0] == 1  # the broken, invalid and drifting CDRs fail the run


def test_as_its_own_process_the_forked_workers_print_the_bytes_of_one_process(
    cdr_lines: list[bytes], tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # Given a command's own process (no other thread: its workers are forked, not served)
    path = tmp_path / "cdrs.jsonl"
    path.write_bytes(b"\n".join(cdr_lines) + b"\n")
    argv = ["validate", "--version", "2.2.1", "--kind", "cdr", "--format", "json", str(path)]
    code = (
        "import sys\n"
        "from harness.cli import jobs\n"
        "from harness.cli.main import main\n"
        "jobs.START_LINES, jobs.CHUNK_LINES = 200, 64\n"
        "start = jobs.start_pool\n"
        "def started(*args):\n"
        "    print(jobs._start_method(), file=sys.stderr)\n"
        "    return start(*args)\n"
        "jobs.start_pool = started\n"
        f"sys.exit(main({[*argv, '--jobs', '2']!r}))\n"
    )
    # When it checks the file with two workers
    shared = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    # Then they were forked, and it prints what one process prints, with its exit status
    alone = _run(capsysbinary, [*argv, "--jobs", "1"])
    assert shared.stderr == b"fork\n"
    assert (shared.returncode, shared.stdout) == alone[:2]


def test_records_come_out_in_input_order_with_each_bad_line_in_its_place(
    cdr_lines: list[bytes],
    small_pool: list[int],
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the lines on standard input (which has no size to decide by)
    payload = b"\n".join(cdr_lines) + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload)))
    # When two workers price them as JSON lines
    code, out, _ = _run(
        capsysbinary, ["price", "--version", "2.2.1", "--format", "json", "--jobs", "2"]
    )
    rows = [json.loads(line) for line in out.splitlines()]
    # Then there is a row per non-blank line, in the order of the lines, then the summary
    assert small_pool == [2]
    numbers = [i + 1 for i, line in enumerate(cdr_lines) if line.strip()]
    assert [row["record"] for row in rows[:-1]] == [f"line {n}" for n in numbers]
    assert rows[334 - 1]["findings"][0]["message"].startswith("not valid JSON")
    # Rule: the rest of a line past the length limit is no line of its own
    long = len(cdr_lines[600]) + 1
    assert rows[601 - 1]["findings"][0]["message"] == f"line holds {long} bytes, more than 30000"
    assert rows[602 - 1]["id"] == json.loads(cdr_lines[601])["id"]
    assert rows[-1]["summary"]["cdrs"] == LINES - 1
    assert code == 1


def test_an_array_cut_short_prints_what_came_before_then_the_error_like_one_process(
    cdr_lines: list[bytes],
    small_pool: list[int],
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    # Given a JSON array whose closing bracket is missing, after 400 objects
    path = tmp_path / "cut.json"
    path.write_bytes(b"[" + b",".join(cdr_lines[:200] + cdr_lines[700:900]))
    command = ["validate", "--version", "2.2.1", "--kind", "cdr"]
    # When it is checked in this process, then by two workers
    alone = _run(capsysbinary, [*command, "--jobs", "1", str(path)])
    shared = _run(capsysbinary, [*command, "--jobs", "2", str(path)])
    # Then both print the findings of the 400 objects, then the same one line, exit 2
    assert small_pool == [2]
    assert shared == alone
    assert alone[0] == 2
    assert b"item 278: warning H-FIELD-01" in alone[1]  # line 778 of the JSON lines
    assert alone[2].decode().splitlines() == [
        f"ocpi-harness validate: {path}: the JSON array is not closed (missing ']')"
    ]


def test_a_small_input_on_standard_input_starts_no_process(
    cdr_lines: list[bytes],
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    # Given five CDRs on standard input, and a pool that must not start
    def refused(*args: object) -> None:
        raise AssertionError("a pool was started for five lines")

    monkeypatch.setattr(jobs, "start_pool", refused)
    payload = b"\n".join(cdr_lines[:5]) + b"\n"
    for argv in (["--jobs", "2"], []):  # as asked, and by default (the usable cores)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload)))
        # When they are validated
        code, out, err = _run(
            capsysbinary, ["validate", "--version", "2.2.1", "--kind", "cdr", *argv]
        )
        # Then they are checked here
        assert (code, err) == (0, b"")
        assert out.startswith(b"5 objects")


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", ""])
@pytest.mark.parametrize("command", ["validate", "price"])
def test_a_wrong_jobs_value_is_one_line_naming_the_fix(
    command: str, value: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # Given a --jobs that is no number of processes
    argv = [command, "--version", "2.2.1", f"--jobs={value}", "missing.jsonl"]
    if command == "validate":
        argv[3:3] = ["--kind", "cdr"]
    # When the command starts
    code, out, err = _run(capsysbinary, argv)
    # Then it exits 2 before reading anything, with one line saying what to pass
    lines = err.decode().splitlines()
    assert (code, out, len(lines)) == (2, b"", 1)
    assert lines[0].startswith(f"ocpi-harness {command}: --jobs {value!r} is not a number")
    assert "pass a whole number, 1 or more" in lines[0]


def _render_or_die(settings: str, label: str, text: Any, error: Any, tally: Counter[str]) -> str:
    """Echo the label; a worker that meets ``settings`` dies as a killed process would."""
    if label == settings:
        os._exit(9)
    tally["seen"] += 1
    return label + "\n"


def test_a_worker_that_dies_ends_the_run_with_one_line_after_the_output_before_it(
    small_pool: list[int],
) -> None:
    # Given 1,000 records, and a worker that dies at record 700
    records = ((f"r{i}", Record(f"r{i}", b"{}")) for i in range(1_000))
    out = io.StringIO()
    # When two workers render them
    with pytest.raises(WorkerStopped) as stopped:
        render_records(records, _render_or_die, "r700", 2, out)
    # Then what came before the dead worker's chunk is written, in order, and the error says
    # where the output ends and how to check without workers
    written = out.getvalue().splitlines()
    assert written == [f"r{i}" for i in range(len(written))]
    assert len(written) <= 700
    message = str(stopped.value)
    assert f"the output ends before r{len(written)}" in message
    assert "--jobs 1" in message
