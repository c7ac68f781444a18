"""The pytest plugin (registered through the ``pytest11`` entry point ``ocpi``).

Options (each also from the environment, and from ini ``ocpi_*`` except the token):
``--target-url`` (the partner's versions URL), ``--target-token``, ``--ocpi-version``,
``--target-role cpo|emsp``, ``--ocpi-seed``, ``--ocpi-read-only``, ``--ocpi-timeout``,
``--ocpi-max-pages``, ``--ocpi-option ID=VALUE``, and for the embedded mock
``--ocpi-mock-fault NAME``. With no ``--target-url`` the suites run against the embedded mock.
Reports (``harness.report``): ``--ocpi-report DIR``, ``--ocpi-json FILE``, ``--ocpi-fail-on``,
``--ocpi-known-issue ID=REASON``. A wrong option stops the run at start with one line naming
the fix.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.generate import CdrGenerator
from harness.models import SUPPORTED_VERSIONS
from harness.options import OptionError, Options

DEFAULT_SEED = "1"
EMBEDDED_URL = "http://ocpi-mock"
EMBEDDED_TOKEN = "embedded-mock-token"
MARKERS = {
    "cdrs": "exercises the CDRs module",
    "auth": "exercises authorization (T-AUTH)",
    "transport": "exercises the envelope and headers (T-ENV, T-HDR, T-ROUTE)",
    "pagination": "exercises pagination and date filters (T-PAG)",
    "schema": "validates objects against the version's models (C-001, C-002, ...)",
    "cost": "re-prices CDRs with the cost oracle (C-026)",
    "credentials": "changes the partner's registration (opt-in)",
    "requirement(*ids)": "the requirement ids a test checks",
}
_SETTINGS_KEY = pytest.StashKey["TargetSettings"]()


@dataclass(frozen=True)
class TargetSettings:
    """What the run targets and how."""

    url: str | None
    token: str = field(repr=False)  # never in a repr: pytest --showlocals prints fixtures
    version: str
    role: str | None
    seed: str
    read_only: bool
    timeout: float
    max_pages: int
    options: Options
    credentials: bool = False
    mock_faults: tuple[str, ...] = field(default=())
    fail_on: str = "error"
    known_issues: dict[str, str] = field(default_factory=dict)
    workers: int | None = None  # processes checking a large crawl; None: the usable cores

    @property
    def embedded(self) -> bool:
        """No target given: the suites run against the embedded mock."""
        return self.url is None


def pytest_addoption(parser: pytest.Parser) -> None:
    """The harness's options."""
    group = parser.getgroup("ocpi", "OCPI conformance harness")

    def add(name: str, help_text: str, ini: bool = True, **kwargs: Any) -> None:
        group.addoption(f"--{name}", dest=name.replace("-", "_"), help=help_text, **kwargs)
        if ini:
            parser.addini("ocpi_" + name.removeprefix("ocpi-").replace("-", "_"), help_text)

    add("target-url", "the partner's versions URL (env OCPI_TARGET_URL; none: embedded mock)")
    add("target-token", "the token to call the partner with (env OCPI_TARGET_TOKEN)", ini=False)
    add("ocpi-version", "OCPI version: 2.1.1, 2.2.1 or 2.3.0 (env OCPI_VERSION; default 2.2.1)")
    add("target-role", "the role of the target: cpo or emsp (env OCPI_TARGET_ROLE)")
    add("ocpi-seed", "run seed for generated CDRs and tariffs (env OCPI_SEED; default 1)")
    add("ocpi-read-only", "never POST to the target (env OCPI_READ_ONLY)", action="store_true")
    add(
        "ocpi-credentials",
        "run the credentials handshake against the target (changes its registration; env "
        "OCPI_CREDENTIALS; always on for the embedded mock)",
        action="store_true",
    )
    add("ocpi-timeout", "seconds per request (env OCPI_TIMEOUT; default 10)")
    add(
        "ocpi-workers",
        "processes that check the CDRs of a large crawl (env OCPI_WORKERS; default: the "
        "usable cores, 1 under pytest-xdist)",
    )
    add("ocpi-max-pages", "pages to follow at most in one crawl (env OCPI_MAX_PAGES; 1000)")
    add(
        "ocpi-option",
        "ID=VALUE for an ambiguity/policy option (env OCPI_OPTION, ';'-separated)",
        action="append",
        default=[],
    )
    add(
        "ocpi-report",
        "write DIR/conformance.html (self-contained), DIR/junit.xml and DIR/summary.json "
        "(env OCPI_REPORT)",
    )
    add("ocpi-json", "write the JSON summary to FILE (env OCPI_JSON)")
    add(
        "ocpi-fail-on",
        "lowest finding level that fails a test: error (default) or warning (env OCPI_FAIL_ON)",
    )
    add(
        "ocpi-known-issue",
        "ID=REASON: error findings of requirement ID make their test xfail with REASON "
        "(env OCPI_KNOWN_ISSUE, ';'-separated)",
        action="append",
        default=[],
    )
    add(
        "ocpi-mock-fault",
        "a fault for the embedded mock (see ocpi-mock --list-faults)",
        ini=False,
        action="append",
        default=[],
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Markers, the settings checked once at start, and the report plugin."""
    for marker, text in MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: {text}")
    config.stash[_SETTINGS_KEY] = _settings(config)
    _report_paths(config)
    from harness.report.hooks import ReportPlugin

    config.pluginmanager.register(ReportPlugin(config, target_settings(config)), "ocpi-report")


def _listed(config: pytest.Config, name: str) -> list[str]:
    """A repeatable option: from the command line, else the environment or ini (';' or
    newline separated)."""
    raw = _value(config, name) or []
    if isinstance(raw, str):
        raw = [p.strip() for p in raw.replace("\n", ";").split(";") if p.strip()]
    return [str(p) for p in raw]


def _known_issues(config: pytest.Config) -> dict[str, str]:
    from harness.requirements import get_requirement

    known: dict[str, str] = {}
    for pair in _listed(config, "ocpi-known-issue"):
        rid, sep, reason = pair.partition("=")
        rid, reason = rid.strip(), reason.strip()
        if not sep or not reason:
            raise pytest.UsageError(
                f"--ocpi-known-issue {pair!r}: give ID=REASON, e.g. T-PAG-05='ticket 42'"
            )
        try:
            get_requirement(rid)
        except KeyError:
            raise pytest.UsageError(
                f"--ocpi-known-issue {rid!r}: not a requirement id (see docs/coverage.md)"
            ) from None
        known[rid] = reason
    return known


def _report_paths(config: pytest.Config) -> None:
    """``--ocpi-json`` from wherever it was given; ``--ocpi-report DIR`` turns on the three
    artifacts. Runs before pytest-html and junitxml read their options (this plugin's configure
    hook runs first)."""
    json_path = _value(config, "ocpi-json")
    config.option.ocpi_json = None if json_path is None else str(json_path)
    directory = _value(config, "ocpi-report")
    if not directory:
        return
    from pathlib import Path

    base = Path(str(directory))
    if hasattr(config.option, "htmlpath") and not config.option.htmlpath:  # -p no:html
        config.option.htmlpath = str(base / "conformance.html")
        config.option.self_contained_html = True
    if hasattr(config.option, "xmlpath") and not config.option.xmlpath:  # -p no:junitxml
        config.option.xmlpath = str(base / "junit.xml")
    if not config.option.ocpi_json:
        config.option.ocpi_json = str(base / "summary.json")


def _value(config: pytest.Config, name: str, ini: bool = True) -> Any:
    option = config.getoption(name.replace("-", "_"))
    if option not in (None, [], False):
        return option
    env = os.environ.get("OCPI_" + name.removeprefix("ocpi-").upper().replace("-", "_"))
    if env:
        return env
    if not ini:
        return None
    key = "ocpi_" + name.removeprefix("ocpi-").replace("-", "_")
    try:
        value = config.getini(key)
    except ValueError:
        return None
    return value or None


def _settings(config: pytest.Config) -> TargetSettings:
    url = _value(config, "target-url")
    version = str(_value(config, "ocpi-version") or "2.2.1")
    if version not in SUPPORTED_VERSIONS:
        raise pytest.UsageError(
            f"--ocpi-version {version!r}: use one of {', '.join(SUPPORTED_VERSIONS)}"
        )
    role = _value(config, "target-role")
    if role is not None and role not in ("cpo", "emsp"):
        raise pytest.UsageError(f"--target-role {role!r}: use cpo or emsp")
    token = _value(config, "target-token", ini=False)
    if url is not None:
        if not str(url).startswith(("http://", "https://")):
            raise pytest.UsageError(f"--target-url {url!r}: give the versions URL, http(s)://...")
        if not token:
            raise pytest.UsageError("--target-url needs --target-token (or OCPI_TARGET_TOKEN)")
        if role is None:
            raise pytest.UsageError("--target-url needs --target-role cpo or --target-role emsp")
    try:
        options = Options.parse(_listed(config, "ocpi-option"))
    except OptionError as exc:
        raise pytest.UsageError(f"--ocpi-option: {exc}") from None
    faults = tuple(config.getoption("ocpi_mock_fault") or ())
    if faults:
        from harness.mock.faults import parse_faults

        try:
            parse_faults(list(faults))
        except ValueError as exc:
            raise pytest.UsageError(f"--ocpi-mock-fault: {exc}") from None
    try:
        timeout = float(_value(config, "ocpi-timeout") or 10)
        max_pages = int(_value(config, "ocpi-max-pages") or 1000)
        workers = _value(config, "ocpi-workers")
        workers = None if workers is None else int(workers)
    except ValueError:
        raise pytest.UsageError(
            "--ocpi-timeout, --ocpi-max-pages and --ocpi-workers take numbers"
        ) from None
    if workers is None and hasattr(config, "workerinput"):
        workers = 1  # xdist already uses the cores
    if workers is not None and workers < 1:
        raise pytest.UsageError(f"--ocpi-workers {workers}: give 1 or more")
    read_only = _value(config, "ocpi-read-only") in (True, "1", "true", "yes")
    credentials = _value(config, "ocpi-credentials") in (True, "1", "true", "yes")
    fail_on = str(_value(config, "ocpi-fail-on") or "error")
    if fail_on not in ("error", "warning"):
        raise pytest.UsageError(f"--ocpi-fail-on {fail_on!r}: use error or warning")
    return TargetSettings(
        url=None if url is None else str(url),
        token=str(token or EMBEDDED_TOKEN),
        version=version,
        role=None if role is None else str(role),
        seed=str(_value(config, "ocpi-seed") or DEFAULT_SEED),
        read_only=read_only,
        timeout=timeout,
        max_pages=max_pages,
        options=options,
        mock_faults=faults,
        credentials=credentials,
        fail_on=fail_on,
        known_issues=_known_issues(config),
        workers=workers,
    )


def target_settings(config: pytest.Config) -> TargetSettings:
    """The run's settings (checked at start)."""
    return config.stash[_SETTINGS_KEY]


def run_seed(config: pytest.Config) -> str:
    """The run seed."""
    return target_settings(config).seed


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Target, version, role and seed in the header, so that every run can be replayed."""
    settings = target_settings(config)
    target = settings.url or "the embedded mock"
    role = settings.role or ("cpo and emsp" if settings.embedded else "?")
    lines = [
        f"ocpi: target {target}, OCPI {settings.version}, role {role}",
        f"ocpi: seed {settings.seed} (replay with --ocpi-seed {settings.seed})",
    ]
    if settings.mock_faults:
        lines.append(f"ocpi: embedded mock faults {', '.join(settings.mock_faults)}")
    return lines


@dataclass
class Factory:
    """Makes the objects of one test: ``factory(version=..., profile=...)`` returns the next one
    of the test's stream (the n-th call of a test gives the same object on every run)."""

    seed: str
    kind: str
    calls: int = 0

    def __call__(self, version: str = "2.2.1", profile: str = "default") -> dict[str, Any]:
        generator = CdrGenerator(self.seed, profile, version)
        index = self.calls
        self.calls += 1
        return generator.cdr(index) if self.kind == "cdr" else generator.tariff(index)


@pytest.fixture(scope="session")
def ocpi_seed(request: pytest.FixtureRequest) -> str:
    """The run seed."""
    return run_seed(request.config)


@pytest.fixture(scope="session")
def ocpi_settings(request: pytest.FixtureRequest) -> TargetSettings:
    """The run's target settings."""
    return target_settings(request.config)


@pytest.fixture(scope="session")
def ocpi_target(ocpi_settings: TargetSettings) -> Iterator[Callable[[str], Any]]:
    """``ocpi_target(role)``: the target under test in that role (cpo or emsp), with a
    recording client; the embedded mock (one per role) when there is no --target-url."""
    from harness.target import open_target

    opened: dict[str, Any] = {}

    def for_role(role: str) -> Any:
        key = "target" if ocpi_settings.url is not None else role
        if key not in opened:
            opened[key] = open_target(ocpi_settings, role)
        return opened[key]

    try:
        yield for_role
    finally:
        for target in opened.values():
            target.close()


@pytest.fixture
def cdr_factory(ocpi_seed: str, request: pytest.FixtureRequest) -> Callable[..., dict[str, Any]]:
    """``cdr_factory(version="2.2.1", profile="default")``: a priced CDR, seeded by the run
    seed and this test's node id."""
    return Factory(f"{ocpi_seed}/{request.node.nodeid}", "cdr")


@pytest.fixture
def tariff_factory(ocpi_seed: str, request: pytest.FixtureRequest) -> Callable[..., dict[str, Any]]:
    """``tariff_factory(version="2.2.1", profile="default")``: a tariff, seeded like
    ``cdr_factory``."""
    return Factory(f"{ocpi_seed}/{request.node.nodeid}", "tariff")
