"""Pure checks of authorization on a functional module: the right token in the version's
encoding opens it (T-AUTH-02/03), no token or a wrong one is refused with 401 in the envelope
(T-AUTH-04, T-ENV-05)."""

from __future__ import annotations

from harness.checks.exchange_finding import answer_fact, blocked, not_judgeable
from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.exchange import Exchange
from harness.findings import Finding, Level
from harness.versions import VersionProfile


@check(requirements=("T-AUTH-02", "T-AUTH-03", "H-HTTP-04"), needs=("response",))
def check_token_opens(answer: Exchange, profile: VersionProfile) -> list[Finding]:
    """The token, encoded as the version says, opens the module (T-AUTH-02/03). An answer
    that shows nothing of the token (none, a redirect, a server error) blocks the rule."""
    rule = "T-AUTH-03" if profile.token_base64 else "T-AUTH-02"
    what = "whether the token opens the module"
    unjudged = not_judgeable(answer, (rule,), what)
    if unjudged is not None:
        return unjudged
    if answer.status == 200:
        return []
    if answer.status is not None and answer.status >= 500:
        return blocked(answer, (rule,), what, ("T-HTTP-02", answer_fact(answer)))
    message = f"the token encoded as OCPI {profile.version} says got {answer_fact(answer)}"
    return [_f(answer, rule, message, "Authorization", seen=answer.status)]


@check(requirements=("T-AUTH-04", "T-ENV-05", "H-HTTP-04"), needs=("refusals",))
def check_refused(
    answer: Exchange,
    what: str,
    level: Level = Level.ERROR,
    envelope: bool = True,
    valid: Exchange | None = None,
) -> list[Finding]:
    """A request with ``what`` (no token, a wrong one, the wrong encoding) gets 401
    (T-AUTH-04), in the OCPI envelope when ``envelope`` (T-ENV-05). A server error is a
    finding only if a ``valid`` request (the same with the token) got no server error: when
    every request fails, nothing is known of how the token is checked."""
    unjudged = not_judgeable(answer, ("T-AUTH-04",), f"the answer to {what}")
    if unjudged is not None:
        return unjudged
    failing = valid is not None and (valid.status is None or valid.status >= 500)
    if failing and valid is not None and answer.status is not None and answer.status >= 500:
        cause = ("T-HTTP-02", f"{valid.label} with the token got {answer_fact(valid)} too")
        return blocked(answer, ("T-AUTH-04",), f"the answer to {what}", cause)
    if answer.status != 401:
        message = f"with {what} the target answered {answer_fact(answer)}, not 401"
        return [_f(answer, "T-AUTH-04", message, "Authorization", level, 401, answer.status)]
    if envelope and (answer.envelope is None or "status_code" not in answer.envelope):
        message = f"the 401 for {what} carries no OCPI envelope ({answer_fact(answer)})"
        return [_f(answer, "T-ENV-05", message, level=Level.WARNING)]
    return []
