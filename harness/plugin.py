"""The pytest plugin (registered through the ``pytest11`` entry point ``ocpi``).

Options (each also from the environment, and from ini ``ocpi_*`` except the token):
``--target-url`` (the partner's versions URL), ``--target-token``, ``--ocpi-version``,
``--target-role cpo|emsp``, ``--ocpi-seed``, ``--ocpi-read-only``, ``--ocpi-timeout``,
``--ocpi-max-pages``, ``--ocpi-option ID=VALUE``, and for the embedded mock
``--ocpi-mock-fault NAME``. With no ``--target-url`` the suites run against the embedded mock.
Reports (``harness.report``): ``--ocpi-report DIR``, ``--ocpi-json FILE``, ``--ocpi-fail-on``,
``--ocpi-known-issue ID=REASON``. Checks (``harness.checks.registry``): ``--ocpi-list-checks``
prints them, ``--ocpi-skip-check NAME`` switches one off. A wrong option stops the run at start
with one line naming the fix. The settings themselves live in ``harness.settings``; the mock
and the generator are imported only when a test needs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.redaction import redact_log_records
from harness.settings import SettingsError, TargetSettings, parse_settings

if TYPE_CHECKING:
    from harness.progress import Meters
    from harness.roles import Role
    from harness.target import Target

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
_SETTINGS_KEY = pytest.StashKey[TargetSettings]()
SHORT_TOKEN = 8  # characters: a shorter token also matches unrelated text when redacted
# Option names whose values the settings read (the repeatable ones as lists).
_SINGLE = (
    "target-url",
    "ocpi-version",
    "target-role",
    "ocpi-seed",
    "ocpi-read-only",
    "ocpi-credentials",
    "ocpi-timeout",
    "ocpi-run-deadline",
    "ocpi-rate",
    "ocpi-budget",
    "ocpi-progress",
    "ocpi-direction",
    "ocpi-listen",
    "ocpi-public-url",
    "ocpi-trigger",
    "ocpi-wait",
    "ocpi-quiet",
    "ocpi-workers",
    "ocpi-max-pages",
    "ocpi-fail-on",
)
_LISTED = (
    "ocpi-client-fault",
    "ocpi-option",
    "ocpi-known-issue",
    "ocpi-skip-check",
    "ocpi-allow-origin",
    "ocpi-endpoint",
)


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
    add(
        "ocpi-timeout",
        "seconds one request may take in all: connect, headers and body (env OCPI_TIMEOUT; "
        "default 10)",
    )
    add(
        "ocpi-run-deadline",
        "seconds after which the run makes no more requests, a bound of the harness, not a "
        "fault of the target (env OCPI_RUN_DEADLINE; default 1800; 0: none)",
    )
    add(
        "ocpi-rate",
        "requests a second at most to the target (env OCPI_RATE; default auto: none on "
        "loopback, 10 elsewhere; 0: none). Throttled GETs (429, 503 with Retry-After) are "
        "waited out and asked again up to 3 times",
    )
    add(
        "ocpi-budget",
        "what the CDR crawls may spend: requests (4000), time (10m), both (4000,10m) or none "
        "(env OCPI_BUDGET; default 4000,10m). A list larger than that is read whole inside a "
        "window of its most recent CDRs and sampled elsewhere; the checks say what they covered",
    )
    add(
        "ocpi-direction",
        "push: also judge a CPO's client (serve an eMSP receiver, make or wait for its CDR "
        "pushes); pull: an eMSP's client (serve a CPO sender, make or wait for its CDR "
        "pulls); each request is checked (env OCPI_DIRECTION)",
    )
    add(
        "ocpi-listen",
        "HOST:PORT the push receiver listens on (env OCPI_LISTEN; default 127.0.0.1, a free port)",
    )
    add(
        "ocpi-public-url",
        "the receiver's URL as the partner reaches it, through a tunnel or an ingress (env "
        "OCPI_PUBLIC_URL)",
    )
    add(
        "ocpi-trigger",
        "a command that makes the partner push (finish a test session, call its test API); it "
        "gets OCPI_RECEIVER_VERSIONS_URL, OCPI_RECEIVER_URL and OCPI_RECEIVER_TOKEN (env "
        "OCPI_TRIGGER)",
    )
    add("ocpi-wait", "seconds to wait for the partner's requests at most (env OCPI_WAIT; 60)")
    add(
        "ocpi-quiet",
        "seconds without a request after which the partner is taken as done, unless it is "
        "still reading a list (env OCPI_QUIET; default 15)",
    )
    add(
        "ocpi-client-fault",
        "NAME: a fault of the harness's own pusher or puller, the embedded partner of "
        "--ocpi-direction (harness.push.CLIENT_FAULTS, harness.pull.PULL_FAULTS)",
        ini=False,
        action="append",
        default=[],
    )
    add(
        "ocpi-progress",
        "progress of crawls and waits longer than 3 s on the terminal: auto (default; none "
        "under -q or -n), on or off (env OCPI_PROGRESS)",
    )
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
    add(
        "ocpi-skip-check",
        "NAME: switch a registered check off, recorded in the reports (env OCPI_SKIP_CHECK, "
        "';'-separated; see --ocpi-list-checks)",
        action="append",
        default=[],
    )
    add(
        "ocpi-allow-origin",
        "URL: another origin the token may be sent to, for a partner whose endpoints live on "
        "another host (env OCPI_ALLOW_ORIGIN, ';'-separated); elsewhere the token never goes",
        action="append",
        default=[],
    )
    add(
        "ocpi-endpoint",
        "MODULE=URL or MODULE:ROLE=URL: the URL of a module given by hand, used instead of "
        "what discovery lists (past a broken versions or details answer); repeatable (env "
        "OCPI_ENDPOINT, ';'-separated)",
        action="append",
        default=[],
    )
    add(
        "ocpi-list-checks",
        "print every registered check (name, requirements, versions, roles, evidence) and exit",
        ini=False,
        action="store_true",
    )


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """``--ocpi-list-checks``: print the check list and exit, like ``--fixtures``."""
    if config.getoption("ocpi_list_checks"):
        from harness.checks.registry import checks_markdown

        print(checks_markdown(), end="")
        return 0
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Markers, the settings checked once at start, and the report plugin."""
    for marker, text in MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: {text}")
    config.stash[_SETTINGS_KEY] = _settings(config)
    _progress_mode(config)  # a wrong value stops the run at start
    redact_log_records()
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


def _report_paths(config: pytest.Config) -> None:
    """``--ocpi-json`` from wherever it was given; ``--ocpi-report DIR`` turns on the three
    artifacts. Runs before pytest-html and junitxml read their options (this plugin's configure
    hook runs first)."""
    json_path = _value(config, "ocpi-json")
    config.option.ocpi_json = None if json_path is None else str(json_path)
    if json_path is not None:
        _report_folder(Path(str(json_path)).parent, f"--ocpi-json {json_path}")
        if Path(str(json_path)).is_dir():
            raise pytest.UsageError(
                f"--ocpi-json {json_path} is a folder: name the file to write the JSON "
                "summary to (e.g. reports/summary.json)"
            )
    directory = _value(config, "ocpi-report")
    if not directory:
        return
    base = Path(str(directory))
    _report_folder(base, f"--ocpi-report {directory}")
    if hasattr(config.option, "htmlpath") and not config.option.htmlpath:  # -p no:html
        config.option.htmlpath = str(base / "conformance.html")
        config.option.self_contained_html = True
    if hasattr(config.option, "xmlpath") and not config.option.xmlpath:  # -p no:junitxml
        config.option.xmlpath = str(base / "junit.xml")
    if not config.option.ocpi_json:
        config.option.ocpi_json = str(base / "summary.json")


def _report_folder(folder: Path, given: str) -> None:
    """Create the folder reports go to now, so that a path no report can be written to is one
    usage line at start, not an INTERNALERROR after the whole run."""
    if folder.exists() and not folder.is_dir():
        raise pytest.UsageError(
            f"{given}: {folder} is not a folder; name a folder for the reports "
            "(it is created if missing), e.g. --ocpi-report reports"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise pytest.UsageError(
            f"{given}: cannot create the folder {folder} ({exc.strerror}); name a folder "
            "you can write to"
        ) from None
    if not os.access(folder, os.W_OK):
        raise pytest.UsageError(f"{given}: the folder {folder} is not writable; name another")


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
    raw: dict[str, Any] = {name: _value(config, name) for name in _SINGLE}
    raw["target-token"] = _value(config, "target-token", ini=False)
    for name in _LISTED:
        raw[name] = _listed(config, name)
    raw["ocpi-mock-fault"] = list(config.getoption("ocpi_mock_fault") or ())
    # -n N (or a worker of it): the client-side runs need one receiver and one partner
    parallel = getattr(config.option, "numprocesses", None) or hasattr(config, "workerinput")
    raw["parallel"] = bool(parallel) and getattr(config.option, "dist", "no") != "no"
    try:
        return parse_settings(raw, xdist_worker=hasattr(config, "workerinput"))
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None


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
    if len(settings.token) < SHORT_TOKEN:
        lines.append(
            f"ocpi: warning: the token has {len(settings.token)} characters; it is redacted "
            "wherever it appears in what is shown or written, also inside unrelated text"
        )
    return lines


@dataclass
class Factory:
    """Makes the objects of one test: ``factory(version=..., profile=...)`` returns the next one
    of the test's stream (the n-th call of a test gives the same object on every run)."""

    seed: str
    kind: str
    calls: int = 0

    def __call__(self, version: str = "2.2.1", profile: str = "default") -> dict[str, Any]:
        from harness.generate import CdrGenerator  # Faker only when a test makes objects

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
def ocpi_target(
    ocpi_settings: TargetSettings, request: pytest.FixtureRequest
) -> Iterator[Callable[[Role], Target]]:
    """``ocpi_target(role)``: the target under test in that role (cpo or emsp), with a
    recording client; the embedded mock (one per role) when there is no --target-url."""
    from harness.target import open_target

    opened: dict[str, Target] = {}
    meters = _meters(request.config)

    def for_role(role: Role) -> Target:
        if ocpi_settings.direction is not None and ocpi_settings.url is None:
            # Only the partner's client is under test: the embedded mock's server side would
            # fill the partner's summary with passes of the harness's own
            pytest.skip(
                f"--ocpi-direction {ocpi_settings.direction} judges the partner's client; give "
                "--target-url to judge its server side too"
            )
        key = "target" if ocpi_settings.url is not None else role
        if key not in opened:
            opened[key] = open_target(ocpi_settings, role)
            opened[key].client.meters = meters
        return opened[key]

    try:
        yield for_role
    finally:
        for target in opened.values():
            target.close()


def _progress_mode(config: pytest.Config) -> str:
    mode = str(_value(config, "ocpi-progress") or "auto")
    if mode not in ("auto", "on", "off"):
        raise pytest.UsageError(f"--ocpi-progress {mode!r}: use auto, on or off")
    return mode


def _meters(config: pytest.Config) -> Meters | None:
    """Progress on the terminal (--ocpi-progress): auto shows it unless -q or on an xdist
    worker (which has no terminal), on also under -q, off never."""
    mode = _progress_mode(config)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if mode == "off" or reporter is None or hasattr(config, "workerinput"):
        return None
    if mode == "auto" and config.get_verbosity() < 0:
        return None
    from harness.progress import TerminalMeters, Uncaptured

    out = reporter._tw._file  # pytest's terminal: the stream its own report goes to
    if capture is None:
        return TerminalMeters(out)
    return TerminalMeters(Uncaptured(out, capture.global_and_fixture_disabled))


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
