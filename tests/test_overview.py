"""``ocpi-harness overview`` (issue 18 item 6, "Many partners"): the JSON summaries of many runs,
one per partner, version and role as a CI matrix makes them, merged into one self-contained
HTML page and one JSON file: a row per partner, version and role with its verdict and failing
requirements (linked to the spec), the newest run of duplicates, a link to each run's report;
every string of a summary shown as text; bad input named in one line, exit 2.

The runs are real: the suites against the embedded mock, in this process, made once."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.cli.main import main
from tests.browser import browser_binaries, chromium_page
from tests.conftest import ROOT
from tests.mock_helpers import import_harness, run_suites

import_harness()  # before any in-process run: see import_harness

# Three jobs of a CI matrix, each a folder named for its partner, version and role
MATRIX = {
    "clean-2.2.1-cpo": ("--target-role", "cpo"),
    "faulty-2.2.1-cpo": ("--target-role", "cpo", "--ocpi-mock-fault", "no-total-count"),
    "clean-2.3.0-emsp": ("--ocpi-version", "2.3.0", "--target-role", "emsp"),
}
_REPORTS: list[Path] = []  # the folder of this process's three runs


@pytest.fixture
def reports(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory, own_secrets: None
) -> Path:
    """A folder holding the three runs' report folders (conformance.html, summary.json):
    made once, shared by the tests that only read it (as a module-scoped fixture would:
    pytester is per test)."""
    if not _REPORTS:
        root = tmp_path_factory.mktemp("reports")
        for name, args in MATRIX.items():
            out = root / name
            run = run_suites(
                pytester, "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                "--ocpi-report", str(out), *args,
            )  # fmt: skip
            assert (out / "summary.json").exists(), run.stdout[-3000:] + run.stderr[-3000:]
        _REPORTS.append(root)
    return _REPORTS[0]


def _summaries(reports: Path) -> list[str]:
    return sorted(str(p) for p in reports.glob("*/summary.json"))


def _overview(*args: str) -> dict[str, Any]:
    """Run ``ocpi-harness overview ARGS`` (with ``-o``); the JSON it wrote beside the page."""
    assert main(["overview", *args]) == 0
    html = Path(args[args.index("-o") + 1])
    data: dict[str, Any] = json.loads(html.with_suffix(".json").read_text("utf-8"))
    return data


def _rows(data: dict[str, Any]) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    return {(r["partner"], r["version"], r["role"]): r for r in data["rows"]}


def _hrefs(page: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page)


def test_one_row_per_partner_version_and_role_with_verdict_failing_rules_and_report_link(
    reports: Path, tmp_path: Path
) -> None:
    # Given three runs: a clean CPO, the same CPO with a fault, an eMSP of another version
    # When the overview is written to another folder than the reports
    out = tmp_path / "site" / "overview.html"
    data = _overview(*_summaries(reports), "-o", str(out))
    # Then there is one row per run, named by the target (the mock's faults make another
    # partner), with the run's verdict, worst first
    rows = _rows(data)
    assert set(rows) == {
        ("embedded mock", "2.2.1", "cpo"),
        ("embedded mock (faults: no-total-count)", "2.2.1", "cpo"),
        ("embedded mock", "2.3.0", "emsp"),
    }
    assert [r["verdict"] for r in data["rows"]] == ["fail", "pass", "pass"]
    assert data["counts"] == {
        "runs": 3,
        "partners": 2,
        "verdicts": {"fail": 1, "inconclusive": 0, "pass": 2},
        "duplicates_dropped": 0,
    }
    # And the failing run names its failing requirement with the link to the spec section
    faulty = rows[("embedded mock (faults: no-total-count)", "2.2.1", "cpo")]
    failing = {r["id"]: r for r in faulty["failing"]}
    assert "T-PAG-04" in failing
    assert failing["T-PAG-04"]["spec_url"].startswith("https://github.com/ocpi/ocpi/blob/v2.2.1")
    assert faulty["requirements"]["fail"] == len(faulty["failing"])
    assert rows[("embedded mock", "2.2.1", "cpo")]["failing"] == []
    assert rows[("embedded mock", "2.3.0", "emsp")]["failing"] == []
    for row in data["rows"]:
        assert "blocked" in row["requirements"]
        assert row["generated"]
        # And each row's report link, relative to the overview, reaches that run's report
        folder = "faulty-2.2.1-cpo" if row is faulty else f"clean-{row['version']}-{row['role']}"
        assert row["report"].startswith("../")
        assert (out.parent / row["report"]).resolve() == reports / folder / "conformance.html"
    # And the page holds the same rows, links and spec links, with nothing from elsewhere
    page = out.read_text("utf-8")
    assert page.count("<tr data-verdict=") == 3
    hrefs = _hrefs(page)
    for row in data["rows"]:
        assert row["report"] in hrefs
    assert failing["T-PAG-04"]["spec_url"] in hrefs
    assert not re.search(r"""\s(src|srcset)=|<link\b|@import|url\(""", page)


def test_name_from_path_names_each_partner_by_its_report_folder(
    reports: Path, tmp_path: Path
) -> None:
    # When the overview names partners by the folders a CI matrix made
    data = _overview(*_summaries(reports), "-o", str(tmp_path / "o.html"), "--name-from", "path")
    # Then each row is named by its folder
    assert {r["partner"] for r in data["rows"]} == set(MATRIX)
    assert data["name_from"] == "path"
    assert data["counts"]["partners"] == 3


def test_a_partner_is_its_target_host_with_the_path_only_where_one_host_serves_several(
    reports: Path, tmp_path: Path
) -> None:
    # Given runs against two tenants of one hub (one URL with a user and password) and another
    summary = json.loads((reports / "clean-2.2.1-cpo" / "summary.json").read_text("utf-8"))
    urls = {
        "a": "https://user:pa55word@Hub.Example:8443/tenant-a/ocpi/versions",
        "b": "https://hub.example:8443/tenant-b/ocpi/versions/",
        "c": "https://other.example/ocpi/versions",
    }
    for folder, url in urls.items():
        summary["target"].update(url=url, embedded=False, mock_faults=[])
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "summary.json").write_text(json.dumps(summary), "utf-8")
    # When the overview names them by their targets
    out = tmp_path / "o.html"
    data = _overview(*(str(tmp_path / f) for f in urls), "-o", str(out))
    # Then the hub's tenants are told apart by their paths, the other is its host alone
    assert sorted(r["partner"] for r in data["rows"]) == [
        "hub.example:8443/tenant-a/ocpi/versions",
        "hub.example:8443/tenant-b/ocpi/versions",
        "other.example",
    ]
    # And the user and password a URL held are nowhere in the overview
    for written in (out, out.with_suffix(".json")):
        assert "pa55word" not in written.read_text("utf-8")
        assert "user:" not in written.read_text("utf-8")
    assert data["counts"]["partners"] == 3


def test_a_partner_run_twice_keeps_the_newest_run_and_says_so(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the clean CPO run and an older run of the same partner, version and role
    summary = json.loads((reports / "clean-2.2.1-cpo" / "summary.json").read_text("utf-8"))
    older = copy.deepcopy(summary)
    older["generated"] = "2020-01-01T00:00:00+00:00"
    older["verdict"] = "fail"
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "summary.json").write_text(json.dumps(older), "utf-8")
    newer = str(reports / "clean-2.2.1-cpo" / "summary.json")
    # When the overview gets both (the newer first, so order on the command line is not it)
    data = _overview(newer, str(tmp_path / "old"), "-o", str(tmp_path / "o.html"))
    # Then the newest run is the row, and the dropped one is said on stderr and in the JSON
    assert [(r["verdict"], r["generated"]) for r in data["rows"]] == [
        ("pass", summary["generated"])
    ]
    assert data["counts"]["duplicates_dropped"] == 1
    (dropped,) = data["duplicates"]
    assert dropped["dropped"] == "old/summary.json"
    assert dropped["dropped_generated"] == "2020-01-01T00:00:00+00:00"
    err = capsys.readouterr().err
    assert "embedded mock 2.2.1 cpo was run more than once" in err
    assert f"kept {newer}" in err
    assert f"dropped {tmp_path / 'old' / 'summary.json'}" in err
    assert 'id="ocpi-duplicates"' in (tmp_path / "o.html").read_text("utf-8")


def _hostile(reports: Path, root: Path) -> Path:
    """A run whose every string a partner controls is markup: a target URL with a script,
    a failing requirement whose id, title and section are tags and whose spec link is
    ``javascript:``, in a report folder named like a ``javascript:`` URL."""
    summary = json.loads((reports / "faulty-2.2.1-cpo" / "summary.json").read_text("utf-8"))
    summary["target"].update(url="<script>window.pwned=1</script>", embedded=False, mock_faults=[])
    summary["requirements"].insert(
        0,
        {
            "id": "<img src=x onerror=window.pwned=2>",
            "title": '"><script>window.pwned=3</script>',
            "level": "MUST",
            "section": "</td></tr></table><script>window.pwned=4</script>",
            "spec_url": "javascript:window.pwned=5",
            "outcome": "fail",
            "tests": [],
            "findings": {"error": 1, "warning": 0, "info": 0},
        },
    )
    folder = root / "javascript:window.pwned=6"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(summary), "utf-8")
    (folder / "conformance.html").write_text("<p>report</p>", "utf-8")
    return folder / "summary.json"


def test_every_string_of_a_summary_is_text_on_the_page(reports: Path, tmp_path: Path) -> None:
    # Given a run whose partner name, requirement and folder are markup and script URLs
    hostile = _hostile(reports, tmp_path / "reports")
    out = tmp_path / "overview.html"
    # When the overview is written
    data = _overview(str(hostile), *_summaries(reports), "-o", str(out))
    # Then the name is kept as it is in the JSON, and is text on the page
    assert "<script>window.pwned=1</script>" in {r["partner"] for r in data["rows"]}
    page = out.read_text("utf-8")
    assert page.count("<script") == 1  # the page's own
    assert "<img" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=window.pwned=2&gt;" in page
    # And no link is a script: the spec link is no link, the folder's is percent-encoded
    for href in _hrefs(page):
        assert href.startswith(("./", "../", "https://")), href
    assert "./reports/javascript%3Awindow.pwned%3D6/conformance.html" in _hrefs(page)
    # And the page itself forbids any script but its own, and every fetch
    assert "default-src 'none'" in page
    assert "script-src 'sha256-" in page


@pytest.mark.parametrize(
    ("content", "says"),
    [
        pytest.param(None, "no such file", id="missing"),
        pytest.param("not json {", "not JSON", id="not-json"),
        pytest.param(b"\xff\xfe", "not JSON", id="not-utf8"),
        pytest.param("[1, 2]", "not an ocpi-harness run summary (it is a JSON array", id="array"),
        pytest.param(
            (ROOT / "fixtures" / "2.2.1" / "cdr" / "valid" / "full.json").read_text("utf-8"),
            "not an ocpi-harness run summary (it has no 'schema' field",
            id="a-cdr",
        ),
        pytest.param(
            '{"schema": "ocpi-harness/summary/2"}',
            'unknown summary schema version "ocpi-harness/summary/2"',
            id="unknown-version",
        ),
        pytest.param(
            '{"schema": "ocpi-harness/summary/1", "verdict": "pass"}',
            "not a valid ocpi-harness/summary/1 summary: generated: Field required",
            id="incomplete",
        ),
        pytest.param(
            '{"schema": "\\u001b[2J\\u001b]0;pwned\\u0007"}',
            'has schema "\\u001b[2J',
            id="control-characters",
        ),
    ],
)
def test_a_file_that_is_no_summary_is_one_line_naming_it_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, says: str
) -> None:
    # Given a file that is missing or no summary
    bad = tmp_path / "bad" / "summary.json"
    if content is not None:
        bad.parent.mkdir()
        if isinstance(content, bytes):
            bad.write_bytes(content)
        else:
            bad.write_text(content, "utf-8")
    out = tmp_path / "overview.html"
    # When the overview is asked for
    code = main(["overview", str(bad), "-o", str(out)])
    # Then it exits 2 with one line naming the file and the problem, and writes nothing
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"ocpi-harness overview: {bad}: "), err
    assert says in err, err
    assert "Traceback" not in err
    assert "\x1b" not in err
    assert not out.exists()
    assert not out.with_suffix(".json").exists()


def test_a_page_that_cannot_be_written_is_one_line_naming_it_and_exit_2(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an output path that is a folder
    (tmp_path / "site").mkdir()
    # When the overview is asked to write there
    code = main(["overview", *_summaries(reports), "-o", str(tmp_path / "site")])
    # Then it exits 2, naming the path
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"ocpi-harness overview: cannot write {tmp_path / 'site'}: "), err
    assert err.count("\n") == 1, err


@pytest.mark.slow
@pytest.mark.skipif(browser_binaries() is None, reason="Debian's chromium/chromedriver missing")
def test_the_page_sorts_filters_and_links_each_report_in_chromium(
    reports: Path, tmp_path: Path
) -> None:
    # Given the overview of the three runs and a hostile one
    hostile = _hostile(reports, tmp_path / "reports")
    out = tmp_path / "site" / "overview.html"
    _overview(str(hostile), *_summaries(reports), "-o", str(out))
    with chromium_page() as page:
        page.open(out.as_uri())

        def column(index: int) -> list[str]:
            return list(
                page.script(
                    "return Array.from(document.querySelectorAll('#ocpi-overview tbody tr'))"
                    ".filter(r => !r.hidden).map(r => r.cells[arguments[0]].textContent)",
                    index,
                )
            )

        def header(name: str) -> str:
            (button,) = [
                b for b in page.find_all("#ocpi-overview thead th button") if page.text(b) == name
            ]
            return button

        # Then nothing of the summaries ran: one script, and it is the page's
        assert page.script("return document.scripts.length") == 1
        assert page.script("return typeof window.pwned") == "undefined"
        assert "<script>window.pwned=1</script>" in column(0)
        # And the counts are at the top
        counts = page.find_all("#ocpi-counts")
        assert page.displayed(counts[0])
        assert page.text(counts[0]).startswith("4 runs of 3 partners")
        # And a click on a header sorts by it, a second click the other way
        page._call("POST", f"/element/{header('Version')}/click", {})
        assert column(1) == sorted(column(1))
        assert column(1)[-1] == "2.3.0"
        page._call("POST", f"/element/{header('Version')}/click", {})
        assert column(1)[0] == "2.3.0"
        # And the keyboard sorts too: Enter on the focused header of the passed tests
        passed = header("Tests passed")
        page._call("POST", f"/element/{passed}/value", {"text": "\ue007"})
        numbers = [int(text.split()[0]) for text in column(7)]
        assert numbers == sorted(numbers)
        assert (
            page.script("return document.activeElement.closest('th').getAttribute('aria-sort')")
            == "ascending"
        )
        # And the filter by verdict hides the runs that passed
        (box,) = page.find_all("#ocpi-filter input[value=pass]")
        page._call("POST", f"/element/{box}/click", {})
        assert set(column(3)) == {"fail"}
        assert "showing 2 of 4 runs" in page.text(page.find_all("#ocpi-shown")[0])
        # And each report link opens that run's conformance.html
        links = page.script(
            "return Array.from(document.querySelectorAll('#ocpi-overview tbody tr'))"
            ".map(r => r.cells[9].querySelector('a').href)"
        )
        expected = {(reports / name / "conformance.html").as_uri() for name in MATRIX}
        expected.add((hostile.parent / "conformance.html").as_uri())
        assert {link.replace("%3A", ":").replace("%3D", "=") for link in links} == {
            uri.replace("%3A", ":").replace("%3D", "=") for uri in expected
        }
        page.screenshot(tmp_path / "overview.png")
    assert (tmp_path / "overview.png").stat().st_size > 10_000
