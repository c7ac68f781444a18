"""``ocpi-harness price``: breakdowns, ``--check`` exit codes on every fixture CDR, JSON output,
streaming and usage errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from harness.cli.main import main
from tests.conftest import FIXTURES, FixtureCase, fixture_cases

CDR_CASES = [c for c in fixture_cases() if c.kind == "cdr"]
DIMENSIONS = ("FLAT", "ENERGY", "TIME", "PARKING_TIME", "RESERVATION_TIME")


def _drift_expected(case: FixtureCase) -> bool:
    return any(e["requirement"] == "C-026" and e["level"] != "info" for e in case.expect)


@pytest.mark.parametrize("case", CDR_CASES, ids=[c.id for c in CDR_CASES])
def test_check_exit_code_on_every_fixture_cdr(
    case: FixtureCase, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a fixture CDR and the options its manifest names
    options = [f"--option={k}={v}" for k, v in case.options.items()]
    # When it is priced and checked, as JSON
    code = main(["price", "--version", case.version, "--check", "--format", "json", *options,
                 str(case.path)])  # fmt: skip
    record, summary = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # Then it exits 1 exactly when its totals are off or it is invalid, 0 when consistent
    drift = _drift_expected(case)
    assert code == (1 if drift or case.verdict == "invalid" else 0), record["findings"]
    # And every difference names the dimension whose amount it is about
    differences = [f for f in record["findings"] if f["requirement"] == "C-026"]
    if drift:
        assert differences
        assert all(any(d in f["message"] for d in DIMENSIONS) for f in differences)
        assert summary["summary"]["inconsistent"] == 1
    elif case.verdict != "invalid":
        assert record.get("consistent", True), differences


def _findings(out: str) -> set[tuple[str, str, str]]:
    lines = [json.loads(line) for line in out.splitlines()]
    found = [f for line in lines for f in line.get("findings", [line])]
    return {(f["requirement"], f["path"], f["level"]) for f in found if "requirement" in f}


@pytest.mark.parametrize("case", CDR_CASES, ids=[c.id for c in CDR_CASES])
def test_price_check_reports_what_validate_reports(
    case: FixtureCase, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a fixture CDR (the C-012 one among them: validate reported its period across a
    # price change, price --check did not)
    options = [f"--option={k}={v}" for k, v in case.options.items()]
    # When it is validated, and price-checked
    main(["validate", "--version", case.version, "--kind", "cdr", "--format", "json",
          *options, str(case.path)])  # fmt: skip
    validated = _findings(capsys.readouterr().out)
    main(["price", "--version", case.version, "--check", "--format", "json", *options,
          str(case.path)])  # fmt: skip
    checked = _findings(capsys.readouterr().out)
    # Then both report the same findings: one code path judges the CDR
    assert checked == validated


def test_text_output_is_a_breakdown_table(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "2.2.1" / "cdr" / "valid" / "full.json"
    assert main(["price", "--version", "2.2.1", str(path)]) == 0
    out = capsys.readouterr().out
    assert "period  dimension     tariff/el." in out
    assert "total_energy_cost: 4.125 excl / 4.5375 incl" in out
    assert "total_cost: 7.625 excl / 8.5375 incl" in out
    assert out.rstrip().endswith("1 CDR (OCPI 2.2.1): 1 priced")


def test_without_check_a_drifting_cdr_is_only_priced(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "2.2.1" / "cdr" / "invalid" / "C-026--V-02-total-off.json"
    assert main(["price", "--version", "2.2.1", str(path)]) == 0
    assert "C-026" not in capsys.readouterr().out


def test_drift_message_explains_the_likely_cause(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "2.2.1" / "cdr" / "invalid" / "C-026--V-02-total-off.json"
    assert main(["price", "--version", "2.2.1", "--check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "total_cost.excl_vat is 5 but the tariffs price the session at 5.5" in out
    assert "The difference equals the FLAT amount 0.5: was it left out?" in out
    legacy = FIXTURES / "2.2.1" / "cdr" / "warning" / "C-026--V-17-total-off.json"
    assert main(["price", "--version", "2.2.1", "--check", str(legacy)]) == 1
    assert "the price under option AMB-C-02=PER_PERIOD" in capsys.readouterr().out


def test_tariffs_given_separately(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a CDR without tariffs (3.00 for 10 kWh) and a tariffs file of 0.30/kWh
    cdr = FIXTURES / "2.2.1" / "cdr" / "valid" / "minimal.json"
    tariffs = tmp_path / "tariffs.jsonl"
    tariffs.write_text(
        json.dumps(
            {
                "country_code": "NL",
                "party_id": "ABC",
                "id": "T0",
                "currency": "EUR",
                "elements": [{"price_components": [{"type": "ENERGY", "price": 0.3,
                                                    "step_size": 1}]}],
                "last_updated": "2024-01-01T00:00:00Z",
            }
        )
        + "\n"
    )  # fmt: skip
    base = ["price", "--version", "2.2.1", "--check", "--tariffs", str(tariffs)]
    # When its periods name no tariff, the spec says none applies: 0 against 3.00
    assert main([*base, str(cdr)]) == 1
    # And choosing the tariff as for 2.1.1 makes it consistent
    assert main([*base, "--option", "missing-tariff-id=CHOSEN_TARIFF", str(cdr)]) == 0
    assert "consistent: every stated amount matches" in capsys.readouterr().out


def test_streams_json_lines_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full = json.loads((FIXTURES / "2.2.1" / "cdr" / "valid" / "full.json").read_text())
    lines = "".join(json.dumps({**full, "id": f"CDR-{i}"}) + "\n" for i in range(3))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    assert main(["price", "--version", "2.2.1", "--check", "--format", "json", "-"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out[:3]] == ["CDR-0", "CDR-1", "CDR-2"]
    assert out[0]["pricing"]["total"] == {"excl": "7.625", "incl": "8.5375"}
    assert out[3]["summary"] == {"version": "2.2.1", "cdrs": 3, "consistent": 3}


def test_unpriceable_tariff_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cdr = json.loads((FIXTURES / "2.2.1" / "cdr" / "valid" / "full.json").read_text())
    cdr["tariffs"][0]["elements"][0]["price_components"][1]["step_size"] = 0
    path = tmp_path / "cdr.json"
    path.write_text(json.dumps(cdr))
    args = ["price", "--version", "2.2.1", "--option", "AMB-C-04=REJECT_ZERO", str(path)]
    assert main(args) == 1
    assert "error TF-002 $.tariffs: tariff T1 element 0 has step_size 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--time-zone", "Mars/Base"], "--time-zone 'Mars/Base' is not an IANA time zone"),
        (["--option", "time-zone=Nowhere"], "takes an IANA time zone"),
        (["--option", "AMB-C-02=SOMETIMES"], "takes one of SESSION_TOTAL_LAST_PERIOD"),
        (["--tariffs", "/nonexistent.json"], "cannot read /nonexistent.json"),
        (["/nonexistent-cdr.json"], "cannot read /nonexistent-cdr.json"),
    ],
)
def test_usage_errors_exit_2_and_name_the_fix(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cdr = str(FIXTURES / "2.2.1" / "cdr" / "valid" / "full.json")
    files = [] if args[-1].startswith("/nonexistent-cdr") else [cdr]
    assert main(["price", "--version", "2.2.1", *args, *files]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ocpi-harness price: ")
    assert says in err


def test_invalid_tariffs_file_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "t.json"
    bad.write_text('{"id": "T"}')
    cdr = str(FIXTURES / "2.2.1" / "cdr" / "valid" / "full.json")
    assert main(["price", "--version", "2.2.1", "--tariffs", str(bad), cdr]) == 2
    assert "is not a valid 2.2.1 tariff" in capsys.readouterr().err


def test_list_options_includes_pricing_policies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["price", "--version", "2.2.1", "--list-options"]) == 0
    out = capsys.readouterr().out
    for option in ("AMB-C-01", "AMB-C-02", "AMB-C-21", "time-zone  (default UTC; an IANA"):
        assert option in out
