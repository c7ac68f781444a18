"""Pure checks of a CDR receiver: a pushed CDR is accepted with a Location (T-CDR-01/02,
T-HTTP-04), served back there unchanged (T-CDR-03), not replaced or changed afterwards
(C-005, T-CDR-04), and an invalid CDR is refused (C-001, T-HTTP-02)."""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from typing import Any
from urllib.parse import quote, urljoin

from pydantic import StringConstraints

from harness.checks.exchange_finding import (
    answer_fact,
    blocked,
    not_judgeable,
    unanswered,
    unreadable_status,
)
from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.pagination import datetime_instant
from harness.checks.registry import check
from harness.checks.transport import check_response
from harness.exchange import Exchange
from harness.findings import Finding, Level
from harness.models import model_for
from harness.models.types import PRINTABLE_ASCII
from harness.versions import VersionProfile


def location_of(post: Exchange) -> str | None:
    """The absolute URL of the Location a receiver answered an accepted POST with."""
    code = (post.envelope or {}).get("status_code")
    location = post.header("Location")
    return urljoin(post.url, location) if code == 1000 and location else None


@check(
    requirements=("T-CDR-01", "T-CDR-02", "T-HTTP-04"),
    needs=("push answer",),
    roles=("emsp",),
)
def check_push_accepted(post: Exchange, profile: VersionProfile, what: str) -> list[Finding]:
    """A valid CDR POSTed to the receiver is accepted (status 1000, T-CDR-01), with 201
    (T-HTTP-04) and a Location header (T-CDR-02); the answer is a proper OCPI response."""
    findings = check_response(post, profile, functional=True)
    rules = ("T-CDR-01", "T-CDR-02", "T-HTTP-04")
    unjudged = not_judgeable(post, rules, f"whether {what} is accepted")
    if unjudged is not None:  # check_response named a missing answer or the redirect
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


@check(requirements=("T-CDR-03",), needs=("push answer",), roles=("emsp",))
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
    return findings + round_trip(fetched, sent, data, what, profile.version)


def round_trip(
    fetched: Exchange | str,
    sent: dict[str, Any],
    got: dict[str, Any],
    what: str,
    version: str,
    before: str = "",
) -> list[Finding]:
    """A T-CDR-03 finding per field where the CDR ``got`` back is not the one ``sent``, with
    both values: a field dropped or added, a value changed, a timestamp cut (the same
    instant written with less precision). CiStrings that differ only in letter case are one
    warning naming them: they compare case-insensitively (T-TYPE-03), and a receiver that
    lower-cases them all would otherwise fill the report; any other string (an enum, a name,
    signed data) changed in case is changed. ``before`` starts each
    message (a diagnostic's label)."""
    findings = []
    differences = _differences(sent, got)
    cased = [p for p, was, came in differences if _case_only(was, came) and ci_string(version, p)]
    if cased:
        shown = ", ".join(cased[:6]) + (f" and {len(cased) - 6} more" if len(cased) > 6 else "")
        fields = f"{len(cased)} fields" if len(cased) > 1 else "a field"
        message = f"{what} came back with {fields} in other letter case: {shown}"
        findings.append(_f(fetched, "T-CDR-03", before + message, cased[0], level=Level.WARNING))
    for path, was, came in differences:
        if path in cased:
            continue
        if came is None:
            message = f"{what} came back without {path} (sent {_short(was)})"
        elif was is None:
            message = f"{what} came back with {path} added ({_short(came)})"
        else:
            change = "cut to another precision" if _same_instant(was, came) else "changed"
            message = f"{what} came back with {path} {change}: {_both(was, came)}"
        findings.append(_f(fetched, "T-CDR-03", before + message, path))
    return findings


def ci_string(version: str, path: str) -> bool:
    """Whether the field at ``path`` (``$.cdr_token.uid``, ``$.tariffs[0].id``) of a CDR of
    ``version`` is a CiString: printable ASCII (in 2.1.1, where CiString and string share one
    constraint, either), or a code of letters in either case (country code, party id)."""
    model: Any = model_for(version, "cdr")
    metadata: list[Any] = []
    for key in _INDEX.sub("", path).split(".")[1:]:
        fields = getattr(model, "model_fields", None)
        if fields is None or key not in fields:
            return False
        annotation = fields[key].annotation
        metadata = [*fields[key].metadata, *_metadata(annotation)]
        model = _model_in(annotation)
    patterns = [str(m.pattern) for m in metadata if isinstance(m, StringConstraints) and m.pattern]
    return any(p == PRINTABLE_ASCII or "A-Za-z" in p for p in patterns)


_INDEX = re.compile(r"\[\d+\]")


def _unwrapped(annotation: Any) -> list[Any]:
    """``annotation`` and what it wraps (Optional, list, Annotated), outermost first."""
    out, todo = [], [annotation]
    while todo:
        current = todo.pop()
        out.append(current)
        origin = typing.get_origin(current)
        if origin is not None:
            args = typing.get_args(current)
            todo.extend(args[:1] if origin is typing.Annotated else args)
    return out


def _model_in(annotation: Any) -> Any:
    return next((a for a in _unwrapped(annotation) if hasattr(a, "model_fields")), None)


def _metadata(annotation: Any) -> list[Any]:
    return [m for a in _unwrapped(annotation) for m in getattr(a, "__metadata__", ())]


def _case_only(was: Any, came: Any) -> bool:
    return (
        isinstance(was, str)
        and isinstance(came, str)
        and was != came
        and was.lower() == came.lower()
    )


def _both(was: Any, came: Any) -> str:
    return f"sent {_short(was)}, got {_short(came)}"


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _same_instant(was: Any, came: Any) -> bool:
    """Two DateTimes naming the same instant to the precision the shorter one keeps."""
    first, second = datetime_instant(was), datetime_instant(came)
    if first is None or second is None:
        return False
    return abs((first - second).total_seconds()) < 1


def derived_cdr_urls(endpoint: str, cdr: dict[str, Any]) -> list[str]:
    """Where a receiver whose Location is unusable may serve a CDR anyway: the endpoint URL
    and the id, then (2.2+) country code, party id and id. OCPI leaves the receiver's URL
    to the receiver, so these are guesses for a diagnostic, never a requirement."""
    base = endpoint.rstrip("/")
    urls = [f"{base}/{quote(str(cdr.get('id', '')), safe='')}"]
    if "country_code" in cdr and "party_id" in cdr:
        parts = (cdr["country_code"], cdr["party_id"], cdr.get("id", ""))
        urls.append(base + "".join(f"/{quote(str(part), safe='')}" for part in parts))
    return urls


@check(requirements=("T-CDR-03",), needs=("push answer",), roles=("emsp",))
def check_read_at_derived_url(
    fetched: Exchange, sent: dict[str, Any], profile: VersionProfile, what: str
) -> list[Finding]:
    """Diagnostic after an unusable Location: how a CDR is served at a URL derived from the
    endpoint (``derived_cdr_urls``), one object or a list, and whether it is the one sent,
    field for field. Warnings only, each saying where it was seen: the URL is our guess, and
    the Location's own finding is what fails the rule."""
    data = (fetched.envelope or {}).get("data")
    prefix = f"diagnostic (the Location was unusable) at {fetched.url}, derived from the endpoint: "
    findings = []
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        message = f"{prefix}{what} is served as a list of one, not as one CDR"
        findings.append(_f(fetched, "T-CDR-03", message, "$.data", level=Level.WARNING))
        data = data[0]
    if not isinstance(data, dict):
        message = f"{prefix}{what} is not served as one CDR: {answer_fact(fetched)}"
        return [_f(fetched, "T-CDR-03", message, "$.data", level=Level.WARNING)]
    for f in round_trip(fetched, sent, data, what, profile.version, prefix):
        findings.append(dataclasses.replace(f, level=Level.WARNING))
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
    # A case-only difference (a warning) still leaves a baseline to compare with
    first = [f for f in read if f.requirement == "T-CDR-03" and f.level is not Level.WARNING]
    if first:  # not read back as sent before the attempt: no baseline to compare with
        root = first[0]
        fact = root.seen if root.outcome else f"before the attempt, {root.message}"
        return blocked(after, (requirement,), question, (root.cause or "T-CDR-03", fact or ""))
    findings = []
    # Compared with the copy read before: what the receiver stored, case and all
    stored = (before.envelope or {}).get("data")
    baseline = stored if isinstance(stored, dict) else sent
    for f in check_served_back(after, baseline, profile, what):
        if f.requirement != "T-CDR-03":
            continue
        if f.outcome == "blocked":
            findings += blocked(after, (requirement,), question, (f.cause or "", f.seen or ""))
        else:
            findings.append(
                _f(f.exchange, requirement, f"{cause}: {f.message}", f.path, level=f.level)
            )
    return findings


@check(
    requirements=("C-001", "T-HTTP-02", "T-ENV-01", "H-HTTP-04"),
    needs=("push answer",),
    roles=("emsp",),
)
def check_invalid_refused(post: Exchange, what: str, valid: Exchange) -> list[Finding]:
    """An invalid CDR (``what`` says how) is refused (C-001), with a 2xxx status (T-HTTP-02)
    in the OCPI envelope (T-ENV-01: the endpoint that took a valid CDR is the OCPI layer, so a
    refusal in a framework's own JSON, or in none, is an error). A refusal proves something
    only from a receiver that accepts a ``valid`` CDR (the answer to one pushed beside it):
    from one that refuses everything, the rule is blocked."""
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
    if post.envelope is None or "status_code" not in post.envelope:
        message = (
            f"an invalid CDR ({what}) got {answer_fact(post)}: the endpoint that accepts a "
            "valid CDR answers in the OCPI envelope, status 2001 expected"
        )
        # Which OCPI status it refused with is not known: T-HTTP-02 is not judged
        cause = ("T-ENV-01", f"the refusal is {answer_fact(post)}")
        question = f"the status an invalid CDR ({what}) gets"
        refused = _f(post, "T-ENV-01", message, "$.status_code")
        return [refused, *blocked(post, ("T-HTTP-02",), question, cause)]
    if not (isinstance(code, int) and 2000 <= code < 3000):
        message = f"an invalid CDR got {answer_fact(post)}; status 2001 is expected"
        return [_f(post, "T-HTTP-02", message, level=Level.WARNING, seen=code)]
    return []


def _differences(sent: Any, got: Any, path: str = "$") -> list[tuple[str, Any, Any]]:
    """Each place where ``got`` is not ``sent``: its path and both values (None: absent). A
    DateTime naming the same instant in the same precision is the same value."""
    if isinstance(sent, dict) and isinstance(got, dict):
        out = []
        for key in sorted(sent.keys() | got.keys()):
            out += _differences(sent.get(key), got.get(key), f"{path}.{key}")
        return out
    if isinstance(sent, list) and isinstance(got, list) and len(sent) == len(got):
        return [
            p
            for i, (a, b) in enumerate(zip(sent, got, strict=True))
            for p in _differences(a, b, f"{path}[{i}]")
        ]
    if sent == got or _same_datetime(sent, got) or _both_empty(sent, got):
        return []
    return [(path, sent, got)]


def _both_empty(sent: Any, got: Any) -> bool:
    """An absent list and an empty one both say "none" (a receiver's model that fills in
    ``[]`` for an optional list changed nothing)."""
    return {type(sent), type(got)} <= {type(None), list} and not sent and not got


def _same_datetime(sent: Any, got: Any) -> bool:
    """``2025-01-01T10:00:00Z`` and ``2025-01-01T10:00:00.000Z`` name the same instant."""
    first, second = datetime_instant(sent), datetime_instant(got)
    return first is not None and first == second


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
