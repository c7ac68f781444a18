"""The one way an exchange check words a finding: the exchange it judged (or the label of
what it compared), expected and seen as text; and the one way it says a rule could not be
judged (``blocked``) or only in part (``partial``), naming the root cause."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harness.exchange import Exchange
from harness.findings import Finding, Level
from harness.redaction import RUN_SECRETS

# The root cause of what a run past its deadline could not judge (not the target's fault).
RUN_DEADLINE_CAUSE = "H-RUN-01"
# The root cause of what a partner's throttling kept from the run (not the target's fault).
THROTTLED_CAUSE = "H-RATE-02"
# The root cause of what the run's budget left unseen (--ocpi-budget; not the target's fault).
BUDGET_CAUSE = "H-BUDGET-01"


def exchange_finding(
    about: Exchange | str | None,
    requirement: str,
    message: str,
    where: str = "$",
    level: Level = Level.ERROR,
    expected: object = None,
    seen: object = None,
) -> Finding:
    """A finding on ``about``: a recorded exchange, or the label of what a check compared (two
    crawls, a date window), or nothing."""
    return Finding(
        requirement,
        level,
        message,
        where,
        None if expected is None else str(expected),
        None if seen is None else str(seen),
        about.label if isinstance(about, Exchange) else about,
    )


def answer_fact(exchange: Exchange) -> str:
    """The deciding fact of an answer in a few words: ``HTTP 422: <status_message>``, ``HTTP
    404 text/html``, ``HTTP 308 to <Location>``, or why there was no answer."""
    cause = unanswered(exchange)
    if cause is not None:
        return cause[1]
    head = f"HTTP {exchange.status}"
    if exchange.status is not None and 300 <= exchange.status < 400:
        return f"{head} to {exchange.header('Location') or '(no Location)'}"
    envelope = exchange.envelope
    if envelope is not None and "status_code" in envelope:
        message = envelope.get("status_message")
        code = envelope.get("status_code")
        said = f" ({RUN_SECRETS.redact(str(message))[:200]})" if message else ""
        shown = code if isinstance(code, int) else repr(code)
        return f"{head}, status {shown}{said}"
    media = (exchange.header("content-type") or "no content type").split(";")[0].strip()
    # JSON that is no envelope (a framework's {"detail": ...}) says no OCPI status, but often
    # why: that reason is the deciding fact
    if envelope is None:
        return f"{head} {media}"
    reason = framework_reason(envelope)
    return f"{head} {media}, no OCPI envelope" + (f": {reason}" if reason else "")


def framework_reason(body: dict[str, Any]) -> str:
    """The reason a web framework's own error JSON gives, in a line: FastAPI's ``detail``
    (``body.invoice_reference_id: length must be ...``), or a ``message``/``error``/``title``."""
    detail = body.get("detail")
    said: list[str] = []
    if isinstance(detail, str):
        said.append(detail)
    elif isinstance(detail, list):
        for item in detail[:2]:
            if isinstance(item, dict) and isinstance(item.get("msg"), str):
                where = item.get("loc")
                at = ".".join(str(x) for x in where) if isinstance(where, list) else ""
                said.append(f"{at}: {item['msg']}" if at else item["msg"])
        if len(detail) > 2:
            said.append(f"and {len(detail) - 2} more")
        said = [] if said and said[0].startswith("and ") else said
    for key in ("message", "error", "title"):
        if not said and isinstance(body.get(key), str):
            said.append(body[key])
    # Cut after redaction: a cut inside an echoed token would leave a prefix no redaction finds
    return RUN_SECRETS.redact("; ".join(said))[:200]


def not_judgeable(
    answer: Exchange, requirements: tuple[str, ...], what: str
) -> list[Finding] | None:
    """Findings for an answer that cannot show ``what`` (so ``requirements`` are blocked): no
    answer at all, or a redirect (H-HTTP-04, itself a finding: the harness follows no
    redirect with the token). None when the answer can be judged."""
    cause = unanswered(answer)
    if cause is not None:
        return blocked(answer, requirements, what, cause)
    if is_redirect(answer):
        fact = answer_fact(answer)
        redirect = redirect_finding(answer)
        return [redirect, *blocked(answer, requirements, what, ("H-HTTP-04", fact))]
    return None


def is_redirect(answer: Exchange) -> bool:
    """The answer is an HTTP redirect (3xx), which the harness does not follow."""
    return answer.status is not None and 300 <= answer.status < 400


def redirect_finding(answer: Exchange) -> Finding:
    """The H-HTTP-04 finding of a redirect answered instead of the answer: the one finding
    on that exchange (its missing body and Content-Type are the redirect's, not more)."""
    return exchange_finding(
        answer,
        "H-HTTP-04",
        f"{answer_fact(answer)}: a redirect instead of the answer (the harness follows none "
        "with the token; use the URL it points to in the version details, or serve this one)",
        "Location",
    )


def unreadable_status(exchange: Exchange) -> tuple[str, str] | None:
    """The root cause when an answer's envelope has a status_code that is not a number
    (``"1000"``): what it says cannot be read (T-ENV-01, the response check's finding)."""
    envelope = exchange.envelope
    code = None if envelope is None else envelope.get("status_code", 0)
    if envelope is None or (isinstance(code, int) and not isinstance(code, bool)):
        return None
    return "T-ENV-01", f"its status_code is {code!r}, not a number"


def unanswered(exchange: Exchange) -> tuple[str, str] | None:
    """Why ``exchange`` holds no HTTP answer to judge, as (requirement of that root cause,
    the fact): not sent, the run's deadline passed (H-RUN-01) or its URL off the target's
    origin (H-HTTP-03), still throttled when the retries ended (H-RATE-02), or no usable
    answer (H-HTTP-01: a timeout, a refused connection; H-HTTP-02: a body over the size
    limit); None when it was answered."""
    if exchange.run_deadline_passed:
        return RUN_DEADLINE_CAUSE, exchange.error or "not sent: the run's deadline had passed"
    if exchange.off_origin:
        return "H-HTTP-03", f"not sent: {exchange.url} is off the target's origin"
    if exchange.throttled_out is not None:
        return THROTTLED_CAUSE, exchange.throttled_out
    if exchange.error is not None or exchange.status is None:
        # The same id the response check gives the same error (a body over the size limit)
        too_big = exchange.error is not None and "limit" in exchange.error
        return "H-HTTP-02" if too_big else "H-HTTP-01", exchange.error or "no answer"
    return None


def blocked(
    about: Exchange | str | None,
    requirements: tuple[str, ...],
    what: str,
    cause: tuple[str, str],
) -> list[Finding]:
    """``requirements`` not judged: ``what`` could not be seen because of ``cause`` (its
    requirement id and the fact, kept as ``seen``). Info level: a rule without evidence
    neither fails nor passes."""
    rule, fact = cause
    message = f"not judged: {what}, because {fact} ({rule})"
    return [
        replace(_finding_on(about, rid, message), outcome="blocked", cause=rule, seen=fact)
        for rid in requirements
    ]


def partial(
    about: Exchange | str | None, requirement: str, what: str, cause: tuple[str, str]
) -> Finding:
    """``requirement`` judged on part of its evidence only: ``what`` says how much ("7 of 150
    CDRs"), ``cause`` why not all (its requirement id and the fact)."""
    rule, fact = cause
    message = f"judged on part of the evidence: {what}, because {fact} ({rule})"
    found = _finding_on(about, requirement, message)
    return replace(found, outcome="partial", cause=rule, seen=fact)


def _finding_on(about: Exchange | str | None, requirement: str, message: str) -> Finding:
    return exchange_finding(about, requirement, message, level=Level.INFO)
