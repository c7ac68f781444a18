"""The overview of many runs: one row per partner, OCPI version and role, merged from the runs'
JSON summaries (``summary.schema.json``) into one dict, which feeds both the JSON file and the
self-contained HTML page (so the two cannot disagree). Every string a summary holds came from a
partner or its operator and is treated as untrusted: escaped in the HTML, linked only when it
is an http(s) URL, printable in messages. See docs/reports.md, "Many partners"."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from harness.report.summary import SCHEMA_ID

__all__ = [
    "NAME_SOURCES",
    "OVERVIEW_SCHEMA_ID",
    "NameSource",
    "Overview",
    "RunSummary",
    "SummaryError",
    "build_overview",
    "overview_html",
    "read_summary",
    "write_overview",
]

OVERVIEW_SCHEMA_ID = "ocpi-harness/overview/1"
NameSource = Literal["target", "path"]
NAME_SOURCES: tuple[NameSource, ...] = ("target", "path")
# Worst first: the default order of the rows and the rank the verdict column sorts by
VERDICTS = ("fail", "inconclusive", "pass")
# Requirement outcomes that make a run fail: a failing finding, or a test that broke first
FAILING_OUTCOMES = ("fail", "error")
EMBEDDED_NAME = "embedded mock"
_SUMMARY_FAMILY = SCHEMA_ID.rsplit("/", 1)[0] + "/"
_JSON_TYPES: dict[type, str] = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}
_SHOWN = 80  # characters of an offending value quoted in a message


class SummaryError(Exception):
    """A file that cannot be read as a run summary: its path and the problem, in one line."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class _Lenient(BaseModel):
    # Fields a later summary adds are no reason to refuse it: only what the overview reads
    # is checked.
    model_config = ConfigDict(extra="ignore", frozen=True)


class SummaryRequirement(_Lenient):
    """One row of a summary's ``requirements``: what the overview shows of it."""

    id: str
    title: str
    level: str
    section: str
    spec_url: str
    outcome: str


class SummaryTarget(_Lenient):
    """A summary's ``target``: what was judged."""

    url: str
    embedded: bool
    version: str
    role: Literal["cpo", "emsp"] | None
    mock_faults: list[str]


class SummaryCounts(_Lenient):
    """A summary's ``counts``: tests by outcome, findings by level, requirements by outcome."""

    tests: dict[str, int]
    findings: dict[str, int]
    requirements: dict[str, int]


class RunSummary(_Lenient):
    """The part of one run's ``summary.json`` the overview reads."""

    schema_id: str = Field(alias="schema")
    verdict: Literal["pass", "fail", "inconclusive"]
    generated: AwareDatetime
    target: SummaryTarget
    counts: SummaryCounts
    requirements: list[SummaryRequirement]


@dataclass(frozen=True)
class _Run:
    path: Path  # as given
    order: int  # its place on the command line: the later wins a tie of dates
    summary: RunSummary


def read_summary(path: Path) -> RunSummary:
    """The run summary in ``path`` (a ``summary.json``, or the report folder holding one);
    raises SummaryError naming the file and what is wrong with it."""
    if path.is_dir():
        path = path / "summary.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SummaryError(
            path, "no such file (pass the summary.json that --ocpi-report DIR writes)"
        ) from None
    except OSError as exc:
        raise SummaryError(path, f"cannot be read: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        raise SummaryError(
            path, f"not JSON ({reason}): pass the summary.json that --ocpi-report DIR writes"
        ) from None
    schema = data.get("schema") if isinstance(data, dict) else None
    if not isinstance(schema, str) or not schema.startswith(_SUMMARY_FAMILY):
        if not isinstance(data, dict):
            what = f"is a JSON {_JSON_TYPES.get(type(data), 'value')}, not an object"
        elif schema is None:
            what = "has no 'schema' field"
        else:
            what = f"has schema {_shown(str(schema))}"
        raise SummaryError(
            path,
            f"not an ocpi-harness run summary (it {what}, not {SCHEMA_ID!r}): pass the "
            "summary.json that --ocpi-report DIR writes",
        )
    if schema != SCHEMA_ID:
        raise SummaryError(
            path,
            f"unknown summary schema version {_shown(schema)}: this ocpi-harness reads "
            f"{SCHEMA_ID!r}; build the overview with the ocpi-harness that wrote the run",
        )
    try:
        return RunSummary.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise SummaryError(
            path, f"not a valid {SCHEMA_ID} summary: {where}: {first['msg']}"
        ) from None


@dataclass(frozen=True)
class Overview:
    """The overview of many runs: ``data`` (JSON-ready, in the shape of overview.json) and,
    for the person who ran the command, one note per older run dropped (paths as given)."""

    data: dict[str, Any]
    notes: tuple[str, ...]


def build_overview(
    paths: Sequence[Path], out_dir: Path, name_from: NameSource = "target"
) -> Overview:
    """The overview of the runs whose summaries are at ``paths``: one row per partner,
    version and role, the newest run of each (by ``generated``; on a tie, the later path),
    the duplicates it dropped, and the counts. Links are relative to ``out_dir``, the folder
    the overview is written to. Raises SummaryError on the first unreadable summary."""
    runs: list[_Run] = []
    seen: set[Path] = set()
    for order, path in enumerate(paths):
        resolved = _summary_file(path).resolve()
        if resolved in seen:  # a file given twice (overlapping globs) is one run
            continue
        seen.add(resolved)
        runs.append(_Run(path, order, read_summary(path)))
    names = _partner_names(runs, name_from)
    newest: dict[tuple[str, str, str | None], _Run] = {}
    duplicates: list[dict[str, Any]] = []
    notes: list[str] = []
    for run in sorted(runs, key=lambda r: (r.summary.generated, r.order)):
        key = (names[run.order], run.summary.target.version, run.summary.target.role)
        older = newest.get(key)
        if older is not None:
            same = older.summary.generated == run.summary.generated
            notes.append(
                f"{_printable(key[0])} {key[1]} {key[2] or 'cpo and emsp'} was run more than "
                f"once: kept {_summary_file(run.path)} ({run.summary.generated.isoformat()}"
                f"{', the later on the command line' if same else ''}), dropped "
                f"{_summary_file(older.path)} ({older.summary.generated.isoformat()})"
            )
            duplicates.append(
                {
                    "partner": key[0],
                    "version": key[1],
                    "role": key[2],
                    "kept": _relative(_summary_file(run.path), out_dir),
                    "kept_generated": run.summary.generated.isoformat(),
                    "dropped": _relative(_summary_file(older.path), out_dir),
                    "dropped_generated": older.summary.generated.isoformat(),
                }
            )
        newest[key] = run
    rank = {verdict: i for i, verdict in enumerate(VERDICTS)}
    rows = sorted(
        (_row(names[run.order], run, out_dir) for run in newest.values()),
        key=lambda row: (rank[row["verdict"]], row["partner"], row["version"], row["role"] or ""),
    )
    verdicts = Counter(row["verdict"] for row in rows)
    latest = max((run.summary.generated for run in newest.values()), default=None)
    data = {
        "schema": OVERVIEW_SCHEMA_ID,
        "name_from": name_from,
        "latest_run": latest.isoformat() if latest else None,
        "counts": {
            "runs": len(rows),
            "partners": len({row["partner"] for row in rows}),
            "verdicts": {verdict: verdicts[verdict] for verdict in VERDICTS},
            "duplicates_dropped": len(duplicates),
        },
        "rows": rows,
        "duplicates": sorted(duplicates, key=lambda d: (d["partner"], d["version"], d["dropped"])),
    }
    return Overview(data, tuple(notes))


def _summary_file(path: Path) -> Path:
    return path / "summary.json" if path.is_dir() else path


def _row(partner: str, run: _Run, out_dir: Path) -> dict[str, Any]:
    summary = run.summary
    file = _summary_file(run.path)
    report = file.parent / "conformance.html"
    return {
        "partner": partner,
        "version": summary.target.version,
        "role": summary.target.role,
        "verdict": summary.verdict,
        "generated": summary.generated.isoformat(),
        "target": _without_credentials(summary.target.url),
        "mock_faults": list(summary.target.mock_faults),
        "failing": [
            {
                "id": r.id,
                "title": r.title,
                "level": r.level,
                "outcome": r.outcome,
                "section": r.section,
                "spec_url": r.spec_url,
            }
            for r in summary.requirements
            if r.outcome in FAILING_OUTCOMES
        ],
        "requirements": dict(summary.counts.requirements),
        "tests": dict(summary.counts.tests),
        "findings": dict(summary.counts.findings),
        "summary": _relative(file, out_dir),
        # A run written with --ocpi-json alone has no HTML report: no link to nothing
        "report": _relative(report, out_dir) if report.is_file() else None,
    }


def _relative(path: Path, out_dir: Path) -> str:
    """``path`` as the overview's folder reaches it: relative, POSIX separators (absolute
    where no relative path exists, another drive on Windows)."""
    try:
        return Path(os.path.relpath(path.resolve(), out_dir.resolve())).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _partner_names(runs: Iterable[_Run], name_from: NameSource) -> dict[int, str]:
    """Each run's partner name, by its place on the command line. ``path``: the name of the
    folder its summary is in (what a CI matrix names). ``target``: the host (and port) of its
    target URL, with the URL's path added where one host serves targets at several paths;
    the embedded mock, with its faults, which make it another partner."""
    runs = list(runs)
    if name_from == "path":
        return {run.order: _summary_file(run.path).resolve().parent.name for run in runs}
    located = {run.order: _target_location(run.summary.target) for run in runs}
    paths_of_host: dict[str, set[str]] = {}
    for host, path in located.values():
        paths_of_host.setdefault(host, set()).add(path)
    return {
        order: host + path if len(paths_of_host[host]) > 1 else host
        for order, (host, path) in located.items()
    }


def _target_location(target: SummaryTarget) -> tuple[str, str]:
    """(host, path) of a target: the URL's host and port (never its user or password) and its
    path; the embedded mock's name and no path."""
    if target.embedded:
        faults = sorted(set(target.mock_faults))
        return (f"{EMBEDDED_NAME} (faults: {', '.join(faults)})" if faults else EMBEDDED_NAME), ""
    try:
        parts = urlsplit(target.url.strip())
        host = parts.netloc.rpartition("@")[2].lower()
    except ValueError:
        return target.url, ""
    if not parts.scheme or not host:
        return target.url, ""
    return host, parts.path.rstrip("/")


def _printable(text: str) -> str:
    """A partner's name for a terminal: its control characters escaped, never obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _without_credentials(url: str) -> str:
    """A target URL without the user and password it may hold: those are never shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _shown(value: str) -> str:
    """An untrusted value quoted for a one-line message: escaped, control characters too."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + '..."'


# --- HTML -----------------------------------------------------------------------------------

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}
h1{font-size:1.4em}
.ocpi-counts span{display:inline-block;padding:1px 8px;margin-right:4px;border-radius:3px}
.v-fail{background:#fbe3e3}.v-inconclusive{background:#fdf5dc}.v-pass{background:#e8f5e8}
fieldset{display:inline-block;border:1px solid #ccc;margin:.5em 1em .5em 0;padding:.2em .8em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer}
th button:focus-visible{outline:2px solid #468}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
td.num{text-align:right}
td.date{white-space:nowrap}
.failing a{margin-right:.4em}
.duplicates{color:#555}
"""

# Sorting and filtering only rearrange and hide rows the page already holds: no data is read
# from anywhere, and the page works (unsorted) without it.
SCRIPT = """
(function () {
  var table = document.getElementById("ocpi-overview");
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (row, i) { row.setAttribute("data-index", String(i)); });
  function key(row, col, numeric) {
    var cell = row.cells[col];
    var value = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    return numeric ? Number(value) : value.trim().toLowerCase();
  }
  heads.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      var numeric = th.getAttribute("data-type") === "number";
      heads.forEach(function (h) {
        if (h.querySelector("button")) { h.setAttribute("aria-sort", "none"); }
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var sorted = Array.prototype.slice.call(body.rows);
      sorted.sort(function (a, b) {
        var x = key(a, col, numeric), y = key(b, col, numeric);
        var d = numeric ? x - y : x.localeCompare(y, undefined, {numeric: true});
        if (!ascending) { d = -d; }
        return d || Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index"));
      });
      sorted.forEach(function (row) { body.appendChild(row); });
    });
  });
  var boxes = Array.prototype.slice.call(
    document.querySelectorAll("#ocpi-filter input[type=checkbox]"));
  var search = document.getElementById("ocpi-search");
  var shown = document.getElementById("ocpi-shown");
  function filter() {
    var verdicts = boxes.filter(function (b) { return b.checked; })
      .map(function (b) { return b.value; });
    var text = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var visible = verdicts.indexOf(row.getAttribute("data-verdict")) >= 0 &&
        (!text || row.getAttribute("data-partner").toLowerCase().indexOf(text) >= 0);
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = "showing " + count + " of " + rows.length + " runs";
  }
  boxes.forEach(function (b) { b.addEventListener("change", filter); });
  search.addEventListener("input", filter);
})();
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# Only the page's own style and script run (by their hashes): should a value ever slip past
# the escaping, the browser still runs nothing of it and fetches nothing.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
    "base-uri 'none'; form-action 'none'"
)

# (header, sort type): text, number, or None for a column that does not sort
_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Partner", "text"),
    ("Version", "text"),
    ("Role", "text"),
    ("Verdict", "number"),
    ("Failing requirements", "number"),
    ("Warnings", "number"),
    ("Blocked", "number"),
    ("Tests passed", "number"),
    ("Run", "text"),
    ("Report", None),
)


def overview_html(overview: dict[str, Any]) -> str:
    """The overview as one self-contained HTML page: the counts at the top, a filter by
    verdict and partner, and a table with one row per partner, version and role, sortable by
    each column (click or press Enter/Space on its header)."""
    counts = overview["counts"]
    verdicts = counts["verdicts"]
    runs = counts["runs"]
    tally = "".join(
        f'<span class="v-{v}" data-count="{v}">{verdicts[v]} {v}</span>' for v in VERDICTS
    )
    boxes = "".join(
        f'<label><input type="checkbox" value="{v}" checked> {v} ({verdicts[v]})</label> '
        for v in VERDICTS
    )
    heads = "".join(
        f'<th scope="col" aria-sort="none" data-type="{kind}"><button type="button">'
        f"{escape(title)}</button></th>"
        if kind
        else f'<th scope="col">{escape(title)}</th>'
        for title, kind in _COLUMNS
    )
    rows = "".join(_row_html(row) for row in overview["rows"])
    latest = overview["latest_run"]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>OCPI conformance overview: {runs} runs</title><style>{STYLE}</style></head>"
        f"<body><h1>OCPI conformance overview</h1>"
        f'<p class="ocpi-counts" id="ocpi-counts" data-runs="{runs}">'
        f"{runs} run{'' if runs == 1 else 's'} of {counts['partners']} "
        f"partner{'' if counts['partners'] == 1 else 's'}: {tally}"
        f"{f' latest run {escape(_date(latest))}' if latest else ''}</p>"
        f"{_duplicates_html(overview['duplicates'])}"
        f'<fieldset id="ocpi-filter"><legend>Show verdicts</legend>{boxes}</fieldset>'
        '<label>Partner contains <input type="search" id="ocpi-search"></label> '
        f'<p id="ocpi-shown" aria-live="polite">showing {runs} of {runs} runs</p>'
        '<table id="ocpi-overview"><caption>One row per partner, OCPI version and role; '
        "click a column's header to sort by it</caption>"
        f"<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def _row_html(row: dict[str, Any]) -> str:
    verdict = row["verdict"]
    role = row["role"] or "cpo and emsp"
    failing = row["failing"]
    ids = "".join(
        _link(r["spec_url"], r["id"], f"{r['title']} ({r['level'] or 'no level'}, {r['outcome']})")
        for r in failing
    )
    requirements = row["requirements"]
    tests = row["tests"]
    report = (
        _relative_link(row["report"], "conformance.html")
        if row["report"]
        else "<i>no HTML report</i>"
    )
    cells = (
        f"<td>{escape(row['partner'])}</td>",
        f"<td>{escape(row['version'])}</td>",
        f"<td>{escape(role)}</td>",
        f'<td class="v-{verdict}" data-sort="{VERDICTS.index(verdict)}">{escape(verdict)}</td>',
        f'<td class="failing" data-sort="{len(failing)}">'
        f"{f'{len(failing)}: {ids}' if failing else '0'}</td>",
        f'<td class="num">{int(requirements.get("warning", 0))}</td>',
        f'<td class="num">{int(requirements.get("blocked", 0))}</td>',
        f'<td class="num" data-sort="{int(tests.get("passed", 0))}">'
        f"{int(tests.get('passed', 0))} of {int(tests.get('total', 0))}</td>",
        f'<td class="date" data-sort="{escape(row["generated"])}">'
        f"{escape(_date(row['generated']))}</td>",
        f"<td>{report}</td>",
    )
    return (
        f'<tr data-verdict="{verdict}" data-partner="{escape(row["partner"])}" '
        f'data-version="{escape(row["version"])}" data-role="{escape(role)}">'
        f"{''.join(cells)}</tr>"
    )


def _date(iso: str) -> str:
    """An ISO date and time as a person reads it: ``2026-01-31 12:00:00 UTC``."""
    shown = iso.replace("T", " ", 1)
    return shown[: -len("+00:00")] + " UTC" if shown.endswith("+00:00") else shown


def _link(url: str, text: str, title: str) -> str:
    """A link to a spec section; only an http(s) URL becomes one (a ``javascript:`` URL in
    a summary stays text)."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        return f'<span title="{escape(title)}">{escape(text)}</span> '
    return f'<a href="{escape(url)}" title="{escape(title)}">{escape(text)}</a> '


def _relative_link(path: str, text: str) -> str:
    """A link to a file beside the overview: percent-encoded, so that no folder name (one
    called ``javascript:x``) can turn into a scheme, and starting with ``./`` or ``../``."""
    if Path(path).is_absolute():
        href = Path(path).as_uri()
    else:
        href = quote(path, safe="/")
        if not href.startswith("../"):
            href = "./" + href
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _duplicates_html(duplicates: Sequence[dict[str, Any]]) -> str:
    if not duplicates:
        return ""
    items = "".join(
        f"<li>{escape(d['partner'])} {escape(d['version'])} {escape(d['role'] or 'cpo and emsp')}"
        f": kept {escape(d['kept'])} ({escape(d['kept_generated'])}), dropped "
        f"{escape(d['dropped'])} ({escape(d['dropped_generated'])})</li>"
        for d in duplicates
    )
    return (
        f'<details class="duplicates" id="ocpi-duplicates"><summary>{len(duplicates)} '
        f"older run{'' if len(duplicates) == 1 else 's'} of the same partner, version and "
        f"role dropped</summary><ul>{items}</ul></details>"
    )


def write_overview(overview: dict[str, Any], html_path: Path, json_path: Path) -> None:
    """Write the overview's HTML page and JSON file (their folders made as needed); an
    OSError names the file it could not write."""
    texts = {
        html_path: overview_html(overview),
        json_path: json.dumps(overview, indent=2, ensure_ascii=False) + "\n",
    }
    for path, text in texts.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            if exc.filename:
                raise
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
