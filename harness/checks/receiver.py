"""Pure checks of a CDR receiver: a pushed CDR is accepted with a Location (T-CDR-01/02,
T-HTTP-04), served back there unchanged (T-CDR-03), not replaced or changed afterwards
(C-005, T-CDR-04), and an invalid CDR is refused (C-001, T-HTTP-02)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from harness.checks.exchange_finding import (
    answer_fact,
    blocked,
    not_judgeable,
    unanswered,
    unreadable_status,
)
from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.checks.transport import check_response
from harness.exchange import Exchange
from harness.findings import Finding, Level
from harness.versions import VersionProfile


def location_of(post: Exchange) -> str | None:
    """The absolute URL of the Location a receiver answered an accepted POST with."""
    code = (post.envelope or {}).get("status_code")
    location = post.header("Location")
    return urljoin(post.url, location) if code == 1000 and location else None


@check(
    requirements=("T-CDR-01", "T-CDR-02", "T-HTTP-04", "H-HTTP-04"),
    needs=("push answer",),
    roles=("emsp",),
)
def check_push_accepted(post: Exchange, profile: VersionProfile, what: str) -> list[Finding]:
    """A valid CDR POSTed to the receiver is accepted (status 1000, T-CDR-01), with 201
    (T-HTTP-04) and a Location header (T-CDR-02); the answer is a proper OCPI response."""
    findings = check_response(post, profile, functional=True)
    rules = ("T-CDR-01", "T-CDR-02", "T-HTTP-04")
    unjudged = not_judgeable(post, rules, f"whether {what} is accepted")
    if unjudged is not None:  # check_response named a missing answer; a redirect is new
        return findings + [f for f in unjudged if f.requirement not in _reported(findings)]
    unreadable = unreadable_status(post)
    if unreadable is not None:
        return findings + blocked(post, rules, f"whether {what} is accepted", unreadable)
    code = (post.envelope or {}).get("status_code")
    if code != 1000:
        findings.append(
            _f(
                post,
                "T-CDR-01",
                f"{what} was not accepted: {answer_fact(post)}",
                "$.status_code",
                expected=1000,
                seen=code,
            )
        )
        return findings
    if post.status != 201:
        message = f"a new CDR got HTTP {post.status}, 201 Created is expected"
        findings.append(_f(post, "T-HTTP-04", message, level=Level.WARNING))
    if not post.header("Location"):
        message = f"{what}: no Location header in the answer to the POST"
        findings.append(_f(post, "T-CDR-02", message, "Location"))
    return findings


@check(requirements=("T-CDR-03", "H-HTTP-04"), needs=("push answer",), roles=("emsp",))
def check_served_back(
    fetched: Exchange, sent: dict[str, Any], profile: VersionProfile, what: str
) -> list[Finding]:
    """The CDR fetched from its Location is the one sent, field for field (T-CDR-03). No
    answer there (the Location unusable, off the origin, a timeout) blocks the rule: the
    response check names why."""
    findings = check_response(fetched, profile, functional=True)
    unjudged = not_judgeable(fetched, ("T-CDR-03",), f"how {what} is served back")
    if unjudged is not None:
        return findings + [f for f in unjudged if f.requirement not in _reported(findings)]
    data = (fetched.envelope or {}).get("data")
    if fetched.status is not None and 400 <= fetched.status < 500:
        # A Location that nothing serves (a 404 from the framework): this finding says so,
        # and what the response check says of that page would only echo it.
        findings = [f for f in findings if f.requirement.startswith("H-")]
    if fetched.status != 200 or not isinstance(data, dict):
        shape = "" if fetched.status != 200 else f" (data is {type(data).__name__})"
        message = f"GET of the Location of {what} gave {answer_fact(fetched)}{shape}, not the CDR"
        findings.append(_f(fetched, "T-CDR-03", message, "Location"))
        return findings
    for path in _differences(sent, data):
        findings.append(_f(fetched, "T-CDR-03", f"{what} came back changed at {path}", path))
    return findings


def _reported(findings: list[Finding]) -> set[str]:
    """The requirements the findings report (a blocked rule reports nothing)."""
    return {f.requirement for f in findings if f.outcome is None}


@check(requirements=("C-005", "T-CDR-04"), needs=("stored CDR read back",), roles=("emsp",))
def check_unchanged(
    before: Exchange,
    after: Exchange,
    sent: dict[str, Any],
    profile: VersionProfile,
    what: str,
    requirement: str,
    cause: str,
) -> list[Finding]:
    """The stored CDR is still the one first sent after ``cause`` (a second POST with its id:
    C-005; a PUT or PATCH: T-CDR-04): read ``before`` and ``after`` it, each way it is not (a
    difference, or no CDR at the Location any more) is a ``requirement`` finding naming the
    cause. Without a good read before, or any answer after, nothing is known: blocked."""
    question = f"whether {what} stays as stored after the attempt ({cause})"
    read = check_served_back(before, sent, profile, what)
    first = [f for f in read if f.requirement == "T-CDR-03"]
    if first:  # not read back as sent before the attempt: no baseline to compare with
        root = first[0]
        fact = root.seen if root.outcome else f"before the attempt, {root.message}"
        return blocked(after, (requirement,), question, (root.cause or "T-CDR-03", fact or ""))
    findings = []
    for f in check_served_back(after, sent, profile, what):
        if f.requirement != "T-CDR-03":
            continue
        if f.outcome == "blocked":
            findings += blocked(after, (requirement,), question, (f.cause or "", f.seen or ""))
        else:
            findings.append(_f(f.exchange, requirement, f"{cause}: {f.message}", f.path))
    return findings


@check(requirements=("C-001", "T-HTTP-02", "H-HTTP-04"), needs=("push answer",), roles=("emsp",))
def check_invalid_refused(post: Exchange, what: str, valid: Exchange) -> list[Finding]:
    """An invalid CDR (``what`` says how) is refused (C-001), with a 2xxx status (T-HTTP-02).
    A refusal proves something only from a receiver that accepts a ``valid`` CDR (the answer
    to one pushed beside it): from one that refuses everything, the rule is blocked."""
    rules = ("C-001", "T-HTTP-02")
    question = f"whether an invalid CDR ({what}) is refused"
    unjudged = not_judgeable(post, rules, question)
    if unjudged is not None:
        return unjudged
    unreadable = unreadable_status(post)
    if unreadable is not None:
        return blocked(post, rules, question, unreadable)
    code = (post.envelope or {}).get("status_code")
    if code == 1000 or (post.status in (200, 201) and code is None):
        return [_f(post, "C-001", f"an invalid CDR ({what}) was accepted: {answer_fact(post)}")]
    if (valid.envelope or {}).get("status_code") != 1000:
        cause = unanswered(valid) or (
            "T-CDR-01",
            f"a valid CDR is refused too ({answer_fact(valid)})",
        )
        return blocked(post, rules, question, cause)
    if not (isinstance(code, int) and 2000 <= code < 3000):
        message = f"an invalid CDR got {answer_fact(post)}; status 2001 is expected"
        return [_f(post, "T-HTTP-02", message, level=Level.WARNING, seen=code)]
    return []


def _differences(sent: Any, got: Any, path: str = "$") -> list[str]:
    if isinstance(sent, dict) and isinstance(got, dict):
        out = []
        for key in sent.keys() | got.keys():
            out += _differences(sent.get(key), got.get(key), f"{path}.{key}")
        return out
    if isinstance(sent, list) and isinstance(got, list) and len(sent) == len(got):
        return [
            p
            for i, (a, b) in enumerate(zip(sent, got, strict=True))
            for p in _differences(a, b, f"{path}[{i}]")
        ]
    return [] if sent == got else [path]


@check(requirements=("T-HTTP-01", "H-HTTP-04"), needs=("push answer",), roles=("emsp",))
def check_non_json_refused(answer: Exchange, profile: VersionProfile) -> list[Finding]:
    """A POST whose body is not JSON gets HTTP 400 Bad Request (T-HTTP-01): it never reached
    the OCPI layer. A refused token says nothing of the body: blocked by the token rule."""
    what = "how a body that is not JSON is answered"
    unjudged = not_judgeable(answer, ("T-HTTP-01",), what)
    if unjudged is not None:
        return unjudged
    if answer.status == 400:
        return []
    if answer.status in (401, 403):
        rule = "T-AUTH-03" if profile.token_base64 else "T-AUTH-02"
        return blocked(answer, ("T-HTTP-01",), what, (rule, answer_fact(answer)))
    message = f"a body that is not JSON got {answer_fact(answer)}; 400 Bad Request is expected"
    return [_f(answer, "T-HTTP-01", message, expected=400, seen=answer.status)]
