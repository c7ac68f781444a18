"""The settings of a conformance run: what it targets and how, read once at start.

``parse_settings`` turns the raw values the plugin gathered (command line, then environment,
then ini) into one frozen ``TargetSettings``, or a ``SettingsError`` whose message names the
option and the fix. The target, the suites and the reports read the settings; nothing here
imports pytest, the mock or the generator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from harness.options import OptionError, Options
from harness.plan import DEFAULT_BUDGET, Budget, BudgetError
from harness.politeness import default_rate
from harness.roles import ROLES, Role
from harness.versions import DEFAULT_VERSION, SUPPORTED_VERSIONS, Version

if TYPE_CHECKING:  # importing harness.mock starts FastAPI: only when faults are asked for
    from harness.mock.faults import FaultName

__all__ = [
    "DEFAULT_SEED",
    "EMBEDDED_TOKEN",
    "EMBEDDED_URL",
    "SettingsError",
    "TargetSettings",
    "parse_settings",
]

DEFAULT_SEED = "1"
EMBEDDED_URL = "http://ocpi-mock"
EMBEDDED_TOKEN = "embedded-mock-token"


class SettingsError(ValueError):
    """A wrong setting; the message names the option and the fix."""


@dataclass(frozen=True)
class TargetSettings:
    """What the run targets and how."""

    url: str | None
    token: str = field(repr=False)  # never in a repr: pytest --showlocals prints fixtures
    version: Version
    role: Role | None
    seed: str
    read_only: bool
    timeout: float
    max_pages: int
    options: Options
    credentials: bool = False
    mock_faults: tuple[FaultName, ...] = field(default=())
    fail_on: str = "error"
    known_issues: dict[str, str] = field(default_factory=dict)
    workers: int | None = None  # processes checking a large crawl; None: the usable cores
    skipped_checks: tuple[str, ...] = ()  # registered checks switched off (--ocpi-skip-check)
    allowed_origins: tuple[str, ...] = ()  # other origins the token may go to
    run_deadline: float | None = 1800.0  # seconds after which no request is made; None: none
    rate: float | None = None  # requests a second at most (--ocpi-rate); None: no limit
    budget: Budget = DEFAULT_BUDGET  # what the large crawls may spend (--ocpi-budget)
    # The partner's client judged too (--ocpi-direction push): the receiver the harness
    # serves for its pushes, where, what makes the partner push, how long to wait for it
    direction: str | None = None
    listen: tuple[str, int] = ("127.0.0.1", 0)
    public_url: str | None = None
    trigger: str | None = None
    wait: float = 60.0
    quiet: float = 15.0
    client_faults: tuple[str, ...] = ()
    # (module, role or None) -> URL given by hand (--ocpi-endpoint), used before discovery's
    endpoints: dict[tuple[str, str | None], str] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        """No target given: the suites run against the embedded mock."""
        return self.url is None

    @property
    def own_client(self) -> bool:
        """With --ocpi-direction and no partner given (no target, trigger, listening address
        or public URL): the harness's own pusher or puller plays the partner's client."""
        return (
            self.url is None
            and self.trigger is None
            and self.listen[1] == 0
            and self.public_url is None
        )


def _flag(value: Any) -> bool:
    return value in (True, "1", "true", "yes")


def _numbers(raw: Mapping[str, Any]) -> tuple[float, int, int | None]:
    try:
        timeout = float(raw.get("ocpi-timeout") or 10)
        max_pages = int(raw.get("ocpi-max-pages") or 1000)
        workers_raw = raw.get("ocpi-workers")
        workers = None if workers_raw is None else int(workers_raw)
    except ValueError:
        raise SettingsError(
            "--ocpi-timeout, --ocpi-max-pages and --ocpi-workers take numbers"
        ) from None
    if not math.isfinite(timeout) or timeout <= 0:
        raise SettingsError(f"--ocpi-timeout {timeout}: give a number of seconds above 0")
    return timeout, max_pages, workers


def _run_deadline(value: Any) -> float | None:
    """--ocpi-run-deadline: seconds (default half an hour, far more than a full run against a
    large partner takes, far less than a run held by a target that answers slowly forever);
    0 for none."""
    try:
        seconds = 1800.0 if value in (None, "") else float(value)
    except ValueError:
        seconds = -1.0
    if not math.isfinite(seconds) or seconds < 0:
        raise SettingsError(f"--ocpi-run-deadline {value}: give seconds, or 0 for no deadline")
    return seconds or None


def _rate(value: Any, url: Any) -> float | None:
    """--ocpi-rate: requests a second; "auto" (the default) is none on loopback and
    harness.politeness.REMOTE_RATE elsewhere; 0 for none."""
    if value in (None, "", "auto"):
        return default_rate(None if url is None else str(url))
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not math.isfinite(rate) or rate < 0:
        raise SettingsError(
            f"--ocpi-rate {value}: give requests a second (e.g. 5), 0 for no limit, or auto"
        )
    return rate or None


def _client_side(raw: Mapping[str, Any]) -> dict[str, Any]:
    """--ocpi-direction, --ocpi-listen, --ocpi-public-url, --ocpi-trigger, --ocpi-wait and
    --ocpi-client-fault, checked."""
    from harness.pull import PULL_FAULTS
    from harness.push import CLIENT_FAULTS

    direction = raw.get("ocpi-direction") or None
    if direction is not None and raw.get("parallel"):
        raise SettingsError(
            f"--ocpi-direction {direction}: run it without -n (one receiver, one trigger, one "
            "partner: pytest-xdist would start one of each per worker)"
        )
    if direction not in (None, "push", "pull"):
        raise SettingsError(
            f"--ocpi-direction {direction!r}: push (a CPO's CDR pushes judged) or pull (an "
            "eMSP's CDR pulls judged)"
        )
    listen = str(raw.get("ocpi-listen") or "127.0.0.1:0")
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise SettingsError(f"--ocpi-listen {listen!r}: give HOST:PORT, e.g. 0.0.0.0:8099")
    public = raw.get("ocpi-public-url") or None
    if public is not None and not str(public).startswith(("http://", "https://")):
        raise SettingsError(f"--ocpi-public-url {public!r}: give http(s)://host[:port]")
    try:
        wait = float(raw.get("ocpi-wait") or 60)
    except ValueError:
        wait = -1.0
    if not math.isfinite(wait) or wait <= 0:
        raise SettingsError(f"--ocpi-wait {raw.get('ocpi-wait')!r}: give seconds above 0")
    try:
        quiet = float(raw.get("ocpi-quiet") or 15)
    except ValueError:
        quiet = -1.0
    if not math.isfinite(quiet) or quiet <= 0:
        raise SettingsError(f"--ocpi-quiet {raw.get('ocpi-quiet')!r}: give seconds above 0")
    faults = tuple(raw.get("ocpi-client-fault") or ())
    known = PULL_FAULTS if direction == "pull" else CLIENT_FAULTS
    unknown = [f for f in faults if f not in known]
    if unknown:
        raise SettingsError(
            f"--ocpi-client-fault {unknown[0]!r} (--ocpi-direction {direction or 'push'}): one "
            f"of {', '.join(known)}"
        )
    return {
        "direction": direction,
        "listen": (host, int(port)),
        "public_url": None if public is None else str(public),
        "trigger": raw.get("ocpi-trigger") or None,
        "wait": wait,
        "quiet": quiet,
        "client_faults": faults,
    }


def _budget(value: Any) -> Budget:
    try:
        return Budget.parse(None if value is None else str(value))
    except BudgetError as exc:
        raise SettingsError(str(exc)) from None


def _known_issues(pairs: Sequence[str]) -> dict[str, str]:
    from harness.requirements import get_requirement

    known: dict[str, str] = {}
    for pair in pairs:
        rid, sep, reason = pair.partition("=")
        rid, reason = rid.strip(), reason.strip()
        if not sep or not reason:
            raise SettingsError(
                f"--ocpi-known-issue {pair!r}: give ID=REASON, e.g. T-PAG-05='ticket 42'"
            )
        try:
            get_requirement(rid)
        except KeyError:
            raise SettingsError(
                f"--ocpi-known-issue {rid!r}: not a requirement id (see docs/coverage.md)"
            ) from None
        known[rid] = reason
    return known


def _skipped_checks(names: Sequence[str]) -> tuple[str, ...]:
    if not names:
        return ()
    from harness.checks.registry import all_checks

    known = all_checks()
    for name in names:
        if name not in known:
            raise SettingsError(
                f"--ocpi-skip-check {name!r}: not a check; see --ocpi-list-checks or docs/checks.md"
            )
    return tuple(dict.fromkeys(names))


def _origins(urls: Sequence[str]) -> tuple[str, ...]:
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SettingsError(
                f"--ocpi-allow-origin {url!r}: give an origin, e.g. https://cdrs.partner.example"
            )
    return tuple(urls)


def _endpoints(pairs: Sequence[str]) -> dict[tuple[str, str | None], str]:
    """--ocpi-endpoint MODULE=URL or MODULE:ROLE=URL (ROLE SENDER or RECEIVER): a module's URL
    given by hand, past a discovery that is broken or lists it wrong."""
    found: dict[tuple[str, str | None], str] = {}
    for pair in pairs:
        key, sep, url = pair.partition("=")
        module, _, role = key.strip().partition(":")
        role = role.strip().upper()
        parts = urlsplit(url.strip())
        if (
            not sep
            or not module.strip()
            or parts.scheme not in ("http", "https")
            or not parts.netloc
        ):
            raise SettingsError(
                f"--ocpi-endpoint {pair!r}: give MODULE=URL or MODULE:ROLE=URL, e.g. "
                "cdrs=https://partner.example/ocpi/2.2.1/cdrs"
            )
        if role not in ("", "SENDER", "RECEIVER"):
            raise SettingsError(f"--ocpi-endpoint {pair!r}: the role is SENDER or RECEIVER")
        found[(module.strip(), role or None)] = url.strip()
    return found


def _on_known_origins(
    endpoints: dict[tuple[str, str | None], str], url: Any, allowed: tuple[str, ...]
) -> dict[tuple[str, str | None], str]:
    """Endpoints given by hand get the token like any other URL: only on the target's
    origin or one allowed by --ocpi-allow-origin (said at start, not found out mid-run)."""
    if url is None:
        return endpoints
    from harness.exchange import origin

    known = {origin(str(url)), *(origin(o) for o in allowed)}
    for (module, _), where in endpoints.items():
        if origin(where) not in known:
            raise SettingsError(
                f"--ocpi-endpoint {module}={where}: not on the target's origin "
                f"({origin(str(url))}); add --ocpi-allow-origin {origin(where)} to send the "
                "token there"
            )
    return endpoints


def _faults(names: Sequence[str]) -> tuple[FaultName, ...]:
    if not names:
        return ()
    from harness.mock.faults import parse_faults

    try:
        known = parse_faults(list(names))
    except ValueError as exc:
        raise SettingsError(f"--ocpi-mock-fault: {exc}") from None
    return tuple(name for name in dict.fromkeys(names) if name in known)  # as given


def parse_settings(raw: Mapping[str, Any], xdist_worker: bool = False) -> TargetSettings:
    """The settings from raw values keyed by option name without dashes in front
    (``target-url``, ``ocpi-version``, ...; lists for the repeatable options); a
    ``SettingsError`` names what is wrong and how to fix it."""
    url = raw.get("target-url")
    version = str(raw.get("ocpi-version") or DEFAULT_VERSION)
    if version not in SUPPORTED_VERSIONS:
        raise SettingsError(
            f"--ocpi-version {version!r}: use one of {', '.join(SUPPORTED_VERSIONS)}"
        )
    role = raw.get("target-role")
    if role is not None and role not in ROLES:
        raise SettingsError(f"--target-role {role!r}: use cpo or emsp")
    token = raw.get("target-token")
    if url is not None:
        if not str(url).startswith(("http://", "https://")):
            raise SettingsError(f"--target-url {url!r}: give the versions URL, http(s)://...")
        if not token:
            raise SettingsError("--target-url needs --target-token (or OCPI_TARGET_TOKEN)")
        if role is None:
            raise SettingsError("--target-url needs --target-role cpo or --target-role emsp")
    try:
        options = Options.parse(raw.get("ocpi-option") or [])
    except OptionError as exc:
        raise SettingsError(f"--ocpi-option: {exc}") from None
    faults = _faults(raw.get("ocpi-mock-fault") or [])
    timeout, max_pages, workers = _numbers(raw)
    if workers is None and xdist_worker:
        workers = 1  # xdist already uses the cores
    if workers is not None and workers < 1:
        raise SettingsError(f"--ocpi-workers {workers}: give 1 or more")
    allowed = _origins(raw.get("ocpi-allow-origin") or [])
    fail_on = str(raw.get("ocpi-fail-on") or "error")
    if fail_on not in ("error", "warning"):
        raise SettingsError(f"--ocpi-fail-on {fail_on!r}: use error or warning")
    return TargetSettings(
        url=None if url is None else str(url),
        token=str(token or EMBEDDED_TOKEN),
        version=version,
        role=None if role is None else cast(Role, role),
        seed=str(raw.get("ocpi-seed") or DEFAULT_SEED),
        read_only=_flag(raw.get("ocpi-read-only")),
        timeout=timeout,
        max_pages=max_pages,
        options=options,
        mock_faults=faults,
        credentials=_flag(raw.get("ocpi-credentials")),
        fail_on=fail_on,
        known_issues=_known_issues(raw.get("ocpi-known-issue") or []),
        workers=workers,
        skipped_checks=_skipped_checks(raw.get("ocpi-skip-check") or []),
        allowed_origins=allowed,
        run_deadline=_run_deadline(raw.get("ocpi-run-deadline")),
        rate=_rate(raw.get("ocpi-rate"), url),
        budget=_budget(raw.get("ocpi-budget")),
        **_client_side(raw),
        endpoints=_on_known_origins(_endpoints(raw.get("ocpi-endpoint") or []), url, allowed),
    )
