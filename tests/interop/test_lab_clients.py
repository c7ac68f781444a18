"""The harness's verdicts on OCPI client code we did not write (tests/interop/NOTES.md, "Real
clients").

Each case runs the push suite (``pytest scenarios --ocpi-direction push --target-role cpo``) with
a trigger that makes one library's own client push CDRs to the receiver the harness serves.
Every finding the NOTES judge TRUE must be reported under its requirement; the push-suite rules
the library keeps must be judged and pass; nothing else may fail or warn. Each FALSE verdict
the lab found in the harness (F-P1 .. F-P4) was fixed, and has a regression test named for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.interop.lab import (
    EXTRAWEST_PUSH,
    LATAM_EVRA_PUSH,
    OCPPLAB_211_SDK_PUSH,
    PUSH_COUNT,
    PY_OCPI_PUSH,
    LabUnavailable,
    PushClient,
    PushRun,
    run_push_harness,
)

pytestmark = pytest.mark.interop

PUSH_SUITE = "scenarios/test_cdr_push.py"
# The requirements the push suite judges
PUSH_RULES = frozenset(
    {
        "H-PUSH-01", "C-024", "C-005", "T-AUTH-01", "T-AUTH-02", "T-AUTH-03", "T-HDR-01",
        "T-HDR-03", "T-HDR-04", "T-ROUTE-01", "C-001", "C-002", "C-010", "C-012", "C-026",
    }
)  # fmt: skip
# No OCPI-from/to headers: a warning, the peer-to-peer exception (AMB-08)
NO_ROUTING = {
    "T-ROUTE-01": (
        f"{PUSH_COUNT} request(s) lack routing headers (ocpi-from-country-code, "
        "ocpi-from-party-id, ocpi-to-country-code, ocpi-to-party-id)",
        "(AMB-08)",
    )
}


@dataclass(frozen=True)
class ClientCase:
    """One library's client pushing in one OCPI version, and what the NOTES established."""

    id: str
    client: PushClient
    version: str
    # requirement -> message fragments of the TRUE error findings that must be reported
    fails: dict[str, tuple[str, ...]]
    # requirement -> message fragments of the TRUE warnings (the requirement only warns)
    warns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # push-suite requirements the library keeps: judged on its pushes, and passed
    passes: frozenset[str] = frozenset()
    # push-suite requirements that cannot be judged because nothing arrived (H-PUSH-01)
    blocked: frozenset[str] = frozenset()
    # requirement -> fragments of error findings the NOTES judge FALSE, as reported today
    false_fails: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # requirements reported 'pass' today that the NOTES judge not judged (FALSE passes)
    false_passes: frozenset[str] = frozenset()
    # what the trigger (the library's client) printed, proving how far it got
    trigger_says: tuple[str, ...] = ()


CASES = (
    ClientCase(
        id="extrawest-2.2.1-push",
        client=EXTRAWEST_PUSH,
        version="2.2.1",
        fails={
            # push.py send_push_request: headers={"Authorization": ...} and nothing else
            "T-HDR-03": (f"{PUSH_COUNT} request(s) carry no X-Request-ID",),
            "T-HDR-04": (f"{PUSH_COUNT} request(s) carry no X-Correlation-ID",),
            # the library's 2.2.1 CdrLocation has no evse_uid: it drops the field it was given
            "C-001": ("required field 'evse_uid' is missing", f"({PUSH_COUNT} times"),
        },
        passes=frozenset(
            {"H-PUSH-01", "C-024", "C-005", "T-AUTH-01", "T-AUTH-03", "T-HDR-01", "C-002", "C-010"}
        ),
        warns=NO_ROUTING,
        false_passes=frozenset({"C-012", "C-026"}),  # F-P4
        trigger_says=("HTTP 200",),
    ),
    ClientCase(
        id="extrawest-2.1.1-push",
        client=EXTRAWEST_PUSH,
        version="2.1.1",
        fails={
            # the library's 2.1.1 Cdr names the end end_date_time (the 2.2 name)
            "C-001": (
                "required field 'stop_date_time' is missing; 'end_date_time' is the 2.2 name",
                f"({PUSH_COUNT} times",
            ),
        },
        # (C-012, C-026 and the request-id and routing rules are 2.2+: n/a)
        passes=frozenset(
            {"H-PUSH-01", "C-024", "C-005", "T-AUTH-01", "T-AUTH-02", "T-HDR-01", "C-002"}
        ),
        false_passes=frozenset({"C-010"}),  # F-P4
        trigger_says=("HTTP 200",),
    ),
    ClientCase(
        id="py-ocpi-2.2.1-push",
        client=PY_OCPI_PUSH,
        version="2.2.1",
        # push_object reads the version details' data as a list (data[0]['endpoints']), so it
        # raises on a spec receiver's object before it POSTs anything
        fails={"H-PUSH-01": ("no request reached the CDR receiver", "(exit status 1)")},
        blocked=PUSH_RULES - {"H-PUSH-01", "C-024", "C-005", "T-AUTH-02"},
        false_passes=frozenset({"C-024", "C-005"}),  # F-P2
        trigger_says=("endpoints = response.json()['data'][0]['endpoints']", "KeyError: 0"),
    ),
    ClientCase(
        id="ocpplab-sdk-2.1.1-push",
        client=OCPPLAB_211_SDK_PUSH,
        version="2.1.1",
        fails={
            # its 2.1.1 CDR's location is the 2.2 CdrLocation, without Location's type and
            # last_updated
            "C-001": (
                "required field 'type' is missing",
                "required field 'last_updated' is missing",
            ),
        },
        passes=frozenset(
            {"H-PUSH-01", "C-024", "C-005", "T-AUTH-01", "T-AUTH-02", "T-HDR-01", "C-002", "C-010"}
        ),
        trigger_says=("HTTP 200 status_code=2001",),
    ),
    ClientCase(
        id="latam-evra-2.3.0-push",
        client=LATAM_EVRA_PUSH,
        version="2.3.0",
        fails={
            # post_cdr POSTs to {base_url}/cdrs/{country_code}/{party_id}/{cdr_id}
            "C-024": (
                f"{PUSH_COUNT} request(s) POSTed to /ocpi/2.3.0/emsp/cdrs/SE/ALL/CDR-9810E20B1E40, "
                "not to the endpoint URL",
            ),
            # _auth_header: 'Token {token}', never Base64
            "T-AUTH-03": (f"{PUSH_COUNT} request(s) send the token raw",),
            "T-HDR-03": (f"{PUSH_COUNT} request(s) carry no X-Request-ID",),
            "T-HDR-04": (f"{PUSH_COUNT} request(s) carry no X-Correlation-ID",),
            # CdrInput has neither country_code, party_id nor last_updated (Cdr adds them)
            "C-001": (
                "required field 'country_code' is missing",
                "required field 'party_id' is missing",
                "pushed CDR (incoming POST /ocpi/2.3.0/emsp/cdrs/SE/ALL/CDR-9810E20B1E40 #3): "
                "required field 'last_updated' is missing",
            ),
            # CdrTariff: country_code, party_id, id, currency, elements only
            "TF-012": ("required field 'tax_included' is missing",),
            "TF-001": ("required field 'last_updated' is missing",),
            # CostAmount is the 2.2.1 Price {excl_vat, incl_vat}
            "T-TYPE-09": (
                "required field 'before_taxes' is missing; excl_vat/incl_vat are the 2.2.1 names",
            ),
        },
        passes=frozenset({"H-PUSH-01", "C-005", "T-AUTH-01", "T-HDR-01", "C-002", "C-010"}),
        warns=NO_ROUTING,
        false_passes=frozenset({"C-012", "C-026"}),  # F-P4
        trigger_says=("HTTP 405, OCPI error 2000",),
    ),
)
BY_ID = {c.id: c for c in CASES}


@pytest.fixture(scope="session")
def push_runs() -> dict[str, PushRun]:
    """The lab's push runs: each case runs once per session, on first use."""
    return {}


@pytest.fixture
def run(
    request: pytest.FixtureRequest,
    push_runs: dict[str, PushRun],
    tmp_path_factory: pytest.TempPathFactory,
) -> PushRun:
    """The push suite's run against the case's library client."""
    case: ClientCase = request.param
    if case.id not in push_runs:
        workdir = tmp_path_factory.getbasetemp() / case.id
        workdir.mkdir(exist_ok=True)
        try:
            push_runs[case.id] = run_push_harness(case.client, case.version, workdir)
        except LabUnavailable as why:
            pytest.skip(f"interop lab unavailable: {why}")
    return push_runs[case.id]


def _each(*ids: str) -> Any:
    """Parametrize ``run`` and ``case`` with the cases named (every case when none is)."""
    chosen = [BY_ID[i] for i in ids] if ids else list(CASES)
    return pytest.mark.parametrize(
        ("run", "case"), [(c, c) for c in chosen], ids=[c.id for c in chosen], indirect=["run"]
    )


def _outcomes(summary: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in summary["requirements"]}


def _messages(summary: dict[str, Any], requirement: str, level: str = "error") -> list[str]:
    return [
        f["message"]
        for t in summary["tests"]
        for f in t["findings"]
        if f["requirement"] == requirement and f["level"] == level
    ]


def _missing(
    summary: dict[str, Any], expected: dict[str, tuple[str, ...]], level: str = "error"
) -> list[str]:
    """What of ``expected`` (requirement -> message fragments) the summary does not report at
    ``level`` (the requirement's outcome: fail for errors, warning for warnings)."""
    outcomes = _outcomes(summary)
    outcome = "fail" if level == "error" else level
    missing = []
    for requirement, fragments in expected.items():
        said = _messages(summary, requirement, level)
        if outcomes.get(requirement) != outcome:
            missing.append(f"{requirement}: outcome {outcomes.get(requirement)}, not {outcome}")
        missing += [
            f"{requirement}: no {level} finding says {fragment!r}"
            for fragment in fragments
            if not any(fragment in message for message in said)
        ]
    return missing


def test_every_version_a_library_client_pushes_in_has_a_case() -> None:
    # Given the lab's push clients and the versions each pushes in
    clients = (EXTRAWEST_PUSH, PY_OCPI_PUSH, OCPPLAB_211_SDK_PUSH, LATAM_EVRA_PUSH)
    # When they are compared with the cases
    wanted = {(c.library.key, v) for c in clients for v in c.versions}
    cased = {(c.client.library.key, c.version) for c in CASES}
    # Then each client runs in each of its versions, and in no other
    assert wanted == cased


@_each()
def test_the_library_client_got_as_far_as_the_notes_say(run: PushRun, case: ClientCase) -> None:
    # Given the library's own client run as the trigger
    # When what it printed is read
    # Then it shows how far the library got (each push answered, or where it raised)
    missing = [fragment for fragment in case.trigger_says if fragment not in run.trigger_output]
    assert not missing, run.trigger_output[-3000:]
    answered = run.trigger_output.count(": HTTP ")
    assert answered == (0 if case.blocked else PUSH_COUNT), run.trigger_output[-3000:]


@_each()
def test_every_true_finding_is_reported_under_its_requirement(
    run: PushRun, case: ClientCase
) -> None:
    # Given the push suite run against the library's client
    # When each finding the NOTES judge TRUE is looked up under its requirement
    missing = _missing(run.summary, case.fails) + _missing(run.summary, case.warns, "warning")
    # Then every one of them is there
    assert not missing, "\n".join(missing)


@_each()
def test_the_rules_the_library_keeps_are_judged_and_pass(run: PushRun, case: ClientCase) -> None:
    # Given the push suite's verdict on the library's client
    outcomes = _outcomes(run.summary)
    # When the push-suite rules the library keeps, or that nothing pushed left unjudged, are
    # looked up
    wrong = {r: outcomes.get(r) for r in case.passes if outcomes.get(r) != "pass"}
    wrong |= {r: outcomes.get(r) for r in case.blocked if outcomes.get(r) != "blocked"}
    # Then each was judged on the pushes and passed, or is blocked by H-PUSH-01, and the push
    # suite (not only the suites beside it) claims it
    assert not wrong, wrong
    push_tests = [t for t in run.summary["tests"] if t["nodeid"].startswith(PUSH_SUITE)]
    claimed = {r for t in push_tests for r in t["requirements"]}
    assert case.passes | case.blocked <= claimed, (case.passes | case.blocked) - claimed
    push_findings = [f for t in push_tests for f in t["findings"]]
    on_kept = [
        (f["requirement"], f["message"]) for f in push_findings if f["requirement"] in case.passes
    ]
    assert not on_kept, on_kept
    causes = {f.get("cause") for f in push_findings if f["requirement"] in case.blocked}
    assert causes <= {"H-PUSH-01"}, causes


@_each()
def test_no_requirement_fails_or_warns_outside_the_expected_set(
    run: PushRun, case: ClientCase
) -> None:
    # Given the push suite's verdict on the library's client
    outcomes = _outcomes(run.summary)
    # When the failing and warning requirements are compared with what the NOTES expect
    failing = {r for r, o in outcomes.items() if o in ("fail", "error")}
    warning = {r for r, o in outcomes.items() if o == "warning"}
    expected = set(case.fails) | set(case.false_fails)
    # Then nothing else fails (no false positive, no cascade) and nothing else warns
    assert failing - expected == set(), f"unexpected failures: {failing - expected}"
    assert warning - set(case.warns) == set(), f"unexpected warnings: {warning - set(case.warns)}"
    # and the FALSE verdicts the lab found stay fixed (their regression tests below)
    missing = _missing(run.summary, case.false_fails)
    assert not missing, "\n".join(missing)


# The FALSE verdicts the lab found (tests/interop/NOTES.md, "Real clients", F-P1 .. F-P4),
# fixed in the harness: each test is the regression test of one.


@_each("extrawest-2.2.1-push", "latam-evra-2.3.0-push")
def test_a_peer_to_peer_push_without_routing_headers_only_warns(
    run: PushRun, case: ClientCase
) -> None:
    # Regression test of F-P1 (NOTES), a harness false positive fixed since the lab found it:
    # a peer-to-peer push without routing headers failed T-ROUTE-01 at error level, where the
    # spec exempts a link between two single-party, single-role platforms (2.2.1 §4.1.8.2,
    # AMB-08) and the harness's response check only warns on the same absence.
    # Given a CPO that pushes peer to peer without OCPI-from/to headers
    outcomes = _outcomes(run.summary)
    # When T-ROUTE-01's verdict is read
    # Then it is a warning (the AMB-08 exception), not a failure
    assert outcomes.get("T-ROUTE-01") == "warning", _messages(run.summary, "T-ROUTE-01")


@_each("py-ocpi-2.2.1-push")
def test_nothing_pushed_leaves_c_024_and_c_005_blocked(run: PushRun, case: ClientCase) -> None:
    # Given a client that pushed nothing (H-PUSH-01)
    outcomes = _outcomes(run.summary)
    # When the rules about how CDRs are pushed are read
    # Then they are blocked by H-PUSH-01, not passed
    assert {r: outcomes.get(r) for r in case.false_passes} == dict.fromkeys(
        case.false_passes, "blocked"
    )


@_each()
def test_a_push_run_reports_only_the_partners_client(run: PushRun, case: ClientCase) -> None:
    # Given a push run that judges a partner's client
    outcomes = _outcomes(run.summary)
    # When the requirements with a verdict are listed
    judged = {r for r, o in outcomes.items() if o not in ("skip", "n/a")}
    # Then every one of them is a rule the push suite judged (the CDR's schema findings, e.g.
    # TF-012 or T-TYPE-09, count as the push suite's)
    push_tests = [t for t in run.summary["tests"] if t["nodeid"].startswith(PUSH_SUITE)]
    pushed = {f["requirement"] for t in push_tests for f in t["findings"]}
    assert judged <= PUSH_RULES | pushed, sorted(judged - PUSH_RULES - pushed)


@_each("extrawest-2.2.1-push", "extrawest-2.1.1-push", "latam-evra-2.3.0-push")
def test_a_check_that_could_not_run_on_a_pushed_cdr_is_not_a_pass(
    run: PushRun, case: ClientCase
) -> None:
    # Given pushed CDRs that fail their schema in a field a consistency check needs
    outcomes = _outcomes(run.summary)
    # When that check's requirements are read
    # Then they say the CDRs were not (fully) judged: blocked or partial, naming the cause
    assert {r: outcomes.get(r) for r in case.false_passes if outcomes.get(r) == "pass"} == {}
