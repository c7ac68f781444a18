"""The report plugin: registered by ``harness.plugin`` at configure time.

Where tests run (each xdist worker, or the one process), it attaches to each test's report
its requirement ids, its evidence as a pytest-html extra (findings, redacted transcripts, curl
lines) and, once, what discovery found. Where reports are written (the controller), it builds
the run summary from those reports and writes the JSON file, the HTML report's sections and
the JUnit properties from it, so the three artifacts agree.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from harness.recording import JOURNAL
from harness.redaction import RUN_SECRETS
from harness.report.evidence import evidence_html, exchanges_for, findings_of
from harness.report.html import requirements_html, to_fix_html, verdict_html
from harness.report.summary import CaseRecord, RunFacts, build_summary, judged_side
from harness.settings import TargetSettings

_MARK = pytest.StashKey[int]()
_SHOWN = pytest.StashKey[bool]()  # the test's evidence is attached already


class ReportPlugin:
    """Evidence on the test side, the summary and artifacts on the reporting side."""

    def __init__(self, config: pytest.Config, settings: TargetSettings) -> None:
        self.config = config
        self.settings = settings
        self.controller = not hasattr(config, "workerinput")
        self.records: dict[str, CaseRecord] = {}
        self.fingerprint: dict[str, Any] = {}
        self._fingerprinted: set[str] = set()
        self.summary: dict[str, Any] | None = None
        RUN_SECRETS.add(settings.token)
        json_path = config.getoption("ocpi_json")  # resolved from env/ini/--ocpi-report
        self.json_path = Path(str(json_path)) if json_path else None
        # Evidence is rendered only for a report that will show it (--html or --ocpi-report).
        self.html = bool(getattr(config.option, "htmlpath", None))
        if self.html:
            config.pluginmanager.register(_HtmlSections(self), "ocpi-report-html")

    # -- where tests run ---------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Mark the journal, and give JUnit the test's requirement ids and the seed."""
        item.stash[_MARK] = JOURNAL.mark()
        ids = _requirement_ids(item)
        if ids:
            item.user_properties.append(("ocpi_requirements", " ".join(ids)))
        item.user_properties.append(("ocpi_seed", self.settings.seed))

    @pytest.hookimpl(hookwrapper=True, trylast=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        """Every phase's report: secrets redacted from everything pytest and the report
        plugins will print or write, the requirement ids, and once discovery has happened the
        target's fingerprint; evidence once per test that failed, xfailed or warned."""
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        _redact_report(report)
        report.ocpi_requirements = _requirement_ids(item)  # type: ignore[attr-defined]
        fingerprint = self._new_fingerprint()
        if fingerprint:
            report.ocpi_fingerprint = fingerprint  # type: ignore[attr-defined]
        decisive = report.when == "call" or report.failed or report.skipped
        if not decisive or not self.html or item.stash.get(_SHOWN, False):
            return
        findings = findings_of(report.user_properties)
        noteworthy = (
            report.failed
            or hasattr(report, "wasxfail")
            or any(f["level"] in ("error", "warning") for f in findings)
        )
        if not noteworthy:
            return
        from pytest_html import extras

        item.stash[_SHOWN] = True
        made = JOURNAL.since(item.stash.get(_MARK, JOURNAL.mark()))
        shown = exchanges_for(findings, made)
        html = evidence_html(findings, shown, max(len(made), len(shown)))
        report.extras = [*getattr(report, "extras", []), extras.html(html)]  # type: ignore[attr-defined]

    def _new_fingerprint(self) -> dict[str, Any]:
        from harness.target import OPENED

        new: dict[str, Any] = {}
        for target in list(OPENED):
            key = target.role if self.settings.embedded else "target"
            if key in self._fingerprinted:
                continue
            found = target.fingerprint()
            if found is not None:
                self._fingerprinted.add(key)
                new[key] = found
        return new

    # -- where reports are written -----------------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold each phase's report into the test's record, counting as pytest does: the
        outcome comes from setup and call; a teardown error is one error more."""
        if not self.controller:
            return
        self.fingerprint.update(getattr(report, "ocpi_fingerprint", None) or {})
        record = self.records.setdefault(report.nodeid, CaseRecord(report.nodeid))
        record.requirements = list(getattr(report, "ocpi_requirements", record.requirements))
        record.duration += report.duration
        findings = findings_of(report.user_properties)
        if findings:
            record.findings = findings
        xfail = getattr(report, "wasxfail", None)
        if report.when == "teardown":
            if report.failed:
                record.teardown_errors += 1
                record.reason = record.reason or _reason(report)
        elif report.when not in ("setup", "call"):  # "???": the xdist worker running it died
            record.outcome, record.reason = "failed", _reason(report)
        elif report.passed:
            if report.when == "call":
                record.outcome = "xpassed" if xfail is not None else "passed"
        elif report.failed:
            record.outcome = "failed" if report.when == "call" else "error"
            record.reason = _reason(report)
        else:  # skipped, in setup or call; an xfail shows as a skip with ``wasxfail``
            record.outcome = "xfailed" if xfail is not None else "skipped"
            record.reason = (xfail or "").removeprefix("reason: ") or _reason(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module that cannot be collected is an error in every report."""
        if self.controller and report.failed:
            nodeid = report.nodeid or "(collection)"
            self.records[nodeid] = CaseRecord(nodeid, "error", reason=_reason(report))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Build the summary and write the JSON file (before pytest-html renders its page)."""
        if not self.controller:
            return
        self.summary = self._build(int(exitstatus))
        if self.json_path is not None:
            self.json_path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(self.summary, indent=2, ensure_ascii=False)
            self.json_path.write_text(text + "\n", encoding="utf-8")
        xml = _junit(self.config)
        if xml is not None:
            xml.add_global_property("ocpi_verdict", self.summary["verdict"])
            xml.add_global_property("ocpi_seed", self.settings.seed)
            xml.add_global_property("ocpi_version", self.settings.version)
            failing = [r["id"] for r in self.summary["requirements"] if r["outcome"] == "fail"]
            xml.add_global_property("ocpi_failing_requirements", " ".join(failing))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """One line with the verdict and where the JSON summary went."""
        if self.summary is None or not (self.json_path or _ocpi_run(self.records.values())):
            return  # a run of other tests (the harness's own, say): no verdict to give
        failing = [r["id"] for r in self.summary["requirements"] if r["outcome"] == "fail"]
        line = f"ocpi: verdict {self.summary['verdict'].upper()}"
        if failing:
            line += f"; failing requirements: {', '.join(failing)}"
        terminalreporter.write_line(line)
        if self.json_path is not None:
            terminalreporter.write_line(f"ocpi: JSON summary {self.json_path}")

    def _build(self, exit_status: int) -> dict[str, Any]:
        settings = self.settings
        facts = RunFacts(
            target=settings.url or "the embedded mock",
            embedded=settings.embedded,
            version=settings.version,
            role=settings.role,
            seed=settings.seed,
            fail_on=settings.fail_on,
            options=settings.options.as_dict(),
            known_issues=settings.known_issues,
            fingerprint=self.fingerprint,
            mock_faults=settings.mock_faults,
            skipped_checks=settings.skipped_checks,
            judged=judged_side(settings.direction, settings.embedded, settings.own_client),
        )
        # Redacted as data, before it is serialised or escaped (a token inside JSON or HTML
        # text may be escaped there, and replacing it afterwards could break the markup).
        summary: dict[str, Any] = RUN_SECRETS.redact_data(
            build_summary(self.records.values(), facts, exit_status)
        )
        return summary


class _HtmlSections:
    """pytest-html hooks (registered only when pytest-html is active)."""

    def __init__(self, owner: ReportPlugin) -> None:
        self.owner = owner

    def pytest_html_report_title(self, report: Any) -> None:
        """The title names the target and version."""
        settings = self.owner.settings
        target = settings.url or "the embedded mock"
        report.title = RUN_SECRETS.redact(f"OCPI {settings.version} conformance: {target}")

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: Any
    ) -> None:
        """The verdict box at the top; the requirement table and the list of what to fix
        below the counts."""
        built = self.owner.summary or self.owner._build(int(session.exitstatus))
        prefix.append(verdict_html(built))
        postfix.append(to_fix_html(built))
        postfix.append(requirements_html(built))


def _ocpi_run(records: Any) -> bool:
    return any(r.requirements or r.findings for r in records)


def _requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for marker in item.iter_markers("requirement"):
        ids += [str(rid) for rid in marker.args if str(rid) not in ids]
    return ids


def _redact_report(report: pytest.TestReport) -> None:
    """Secrets out of what pytest, JUnit and pytest-html print from a report: the failure
    text, captured output and logs, user properties and the xfail reason. Here, where the test
    ran, because only this process knows the tokens its tests learned."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        path, line, message = longrepr
        report.longrepr = (path, line, RUN_SECRETS.redact(message))
    elif longrepr is not None:
        text = str(longrepr)
        redacted = RUN_SECRETS.redact(text)
        if redacted != text:  # only then: pytest renders its own objects better
            report.longrepr = redacted
    report.sections = [(title, RUN_SECRETS.redact(body)) for title, body in report.sections]
    report.user_properties = [
        (name, RUN_SECRETS.redact(value) if isinstance(value, str) else value)
        for name, value in report.user_properties
    ]
    xfail = getattr(report, "wasxfail", None)
    if isinstance(xfail, str):
        report.wasxfail = RUN_SECRETS.redact(xfail)


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return str(longrepr[2]).removeprefix("Skipped: ")
    text = report.longreprtext.strip()
    # pytest.fail(..., pytrace=False) gives the message itself; a traceback ends in "E ..."
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    reason = "\n".join(lines) if lines else text
    return reason[:2000]


def _junit(config: pytest.Config) -> Any:
    try:
        from _pytest.junitxml import xml_key  # the LogXML of --junitxml, when it is on
    except ImportError:  # pragma: no cover - pytest moved it
        return None
    return config.stash.get(xml_key, None)
