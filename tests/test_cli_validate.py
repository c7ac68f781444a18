"""``ocpi-harness validate``: exit codes, output and streaming, on every fixture and bad input.

The command runs in this process (``main(argv)``, stdin and output swapped); the tests marked
``subprocess`` run it as its own process: what a shell sees, and its memory."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli.main import main
from tests.conftest import FIXTURES, PEAK_RSS_KIB, FixtureCase, fixture_cases

CASES = fixture_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_exit_code_and_requirement_ids(
    case: FixtureCase, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a fixture and its options
    options = [f"--option={k}={v}" for k, v in case.options.items()]
    # When the CLI validates it as JSON output
    code = main(
        [
            "validate",
            "--version",
            case.version,
            "--kind",
            case.kind,
            "--format",
            "json",
            *options,
            str(case.path),
        ]
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # Then the exit code is the verdict and each expected requirement id is named
    assert code == (1 if case.verdict == "invalid" else 0)
    named = {(x.get("requirement"), x.get("path")) for x in lines}
    for expected in case.expect:
        assert (expected["requirement"], expected["path"]) in named
    assert lines[-1]["summary"]["verdict"] == ("invalid" if code else "valid")


def test_cross_version_cdr_names_cdr_location_and_total_cost(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a 2.1.1 CDR
    path = FIXTURES / "2.1.1" / "cdr" / "valid" / "spec-example.json"
    for version in ("2.2.1", "2.3.0"):
        # When it is validated as a later version
        code = main(["validate", "--version", version, "--kind", "cdr", str(path)])
        out = capsys.readouterr().out
        # Then it is rejected with findings on cdr_location and total_cost
        assert code == 1
        assert "$.cdr_location" in out
        assert "$.total_cost" in out


Run = Callable[..., subprocess.CompletedProcess[bytes]]


def _process(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """``ocpi-harness ARGS < stdin`` as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def cli(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Run:
    """``cli(*args, stdin=b"")``: ``ocpi-harness ARGS < stdin`` in this process, with the exit
    status the process would have, and what it would print."""

    def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsysbinary.readouterr()  # drop what ran before
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors end the process this way
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        out, err = capsysbinary.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


def _cdr(version: str = "2.2.1", name: str = "full") -> bytes:
    return (FIXTURES / version / "cdr" / "valid" / f"{name}.json").read_bytes()


def test_reads_an_array_json_lines_and_stdin(cli: Run) -> None:
    obj = json.loads(_cdr())
    array = json.dumps([obj, obj, obj]).encode()
    lines = b"\n".join(json.dumps(obj).encode() for _ in range(3)) + b"\n"
    for payload in (array, lines):
        result = cli("validate", "--version", "2.2.1", "--kind", "cdr", "-", stdin=payload)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().startswith("3 objects")


def test_broken_json_line_is_a_finding_not_the_end(cli: Run) -> None:
    good = json.dumps(json.loads(_cdr())).encode()
    payload = good + b"\n{not json\n" + good + b"\n"
    result = cli("validate", "--version", "2.2.1", "--kind", "cdr", stdin=payload)
    out = result.stdout.decode()
    assert result.returncode == 1
    assert "line 2: error C-002 $: not valid JSON" in out
    assert out.splitlines()[-1].startswith("3 objects")


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"hello", "not valid JSON"),
        (b"42", "value 1 is number"),
        (b'["a"]', "item 1 is string"),
        (b"[{}, {}", "not closed"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"   \n", "no JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(cli: Run, payload: bytes, says: str) -> None:
    # Given input that is not OCPI objects at all
    result = cli("validate", "--version", "2.2.1", "--kind", "cdr", stdin=payload)
    err = result.stderr.decode()
    # Then one clear line, exit 2, no traceback
    assert result.returncode == 2
    assert says in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--version", "2.2", "--kind", "cdr"], "invalid choice: '2.2'"),
        (["--version", "2.2.1", "--kind", "session"], "invalid choice: 'session'"),
        (["--version", "2.2.1", "--kind", "cdr", "missing.json"], "cannot read missing.json"),
        (["--version", "2.2.1", "--kind", "cdr", "--option", "AMB-C-99=X"], "unknown option"),
        (["--version", "2.2.1", "--kind", "cdr", "--option", "AMB-C-11=LOUD"], "takes one of"),
    ],
)
def test_usage_errors_exit_2_and_name_the_fix(cli: Run, args: list[str], says: str) -> None:
    result = cli("validate", *args, stdin=b"{}")
    assert result.returncode == 2
    assert says in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_list_options_names_every_option(cli: Run) -> None:
    result = cli("validate", "--version", "2.2.1", "--kind", "cdr", "--list-options")
    assert result.returncode == 0
    assert "AMB-C-11" in result.stdout.decode()
    assert "tolerance-money" in result.stdout.decode()


@pytest.mark.slow
@pytest.mark.subprocess
def test_as_its_own_process_it_reads_stdin_and_exits_with_the_verdict() -> None:
    # The tests above call main(); this is what a shell sees: the exit status and the output
    good = json.dumps(json.loads(_cdr())).encode()
    valid = _process("validate", "--version", "2.2.1", "--kind", "cdr", "-", stdin=good)
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.decode().startswith("1 object")
    broken = _process("validate", "--version", "2.2.1", "--kind", "cdr", stdin=good + b"\n{\n")
    assert broken.returncode == 1
    assert "line 2: error C-002 $: not valid JSON" in broken.stdout.decode()
    for args, says in ((["--kind", "cdr"], "not UTF-8"), (["--kind", "session"], "invalid choice")):
        refused = _process("validate", "--version", "2.2.1", *args, stdin=b"\xff\xfe{}")
        err = refused.stderr.decode()
        assert refused.returncode == 2
        assert says in err
        assert "Traceback" not in err


def _peak_rss_kib(count: int, tmp_path: Path) -> int:
    line = json.dumps(json.loads(_cdr())).encode() + b"\n"
    path = tmp_path / f"{count}.jsonl"
    path.write_bytes(line * count)
    code = (
        "import sys\n"
        "from harness.cli.main import main\n"
        "sys.stdout = open('/dev/null', 'w')\n"
        f"main(['validate', '--version', '2.2.1', '--kind', 'cdr', {str(path)!r}])\n" + PEAK_RSS_KIB
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=300, check=True
    )
    return int(result.stderr.decode().strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.subprocess  # the peak memory of a process that did nothing else
def test_memory_stays_flat_as_input_grows(tmp_path: Path) -> None:
    # Given 500 and 10,000 CDRs as JSON lines (about 20 MB for the larger)
    small = _peak_rss_kib(500, tmp_path)
    large = _peak_rss_kib(10_000, tmp_path)
    # Then the peak memory barely moves: records are validated and dropped one by one
    assert large - small < 15 * 1024, (small, large)
