"""Pure checks of the credentials handshake with the target as server: the registration
gives TOKEN_C (T-CRED-02), a well-formed one (T-AUTH-07) that opens the modules (T-AUTH-06),
TOKEN_A is retired (T-AUTH-05), and a registered party cannot register again (T-CRED-02)."""

from __future__ import annotations

from harness.checks.exchange_finding import (
    answer_fact,
    blocked,
    not_judgeable,
    unreadable_status,
)
from harness.checks.exchange_finding import exchange_finding as _f
from harness.checks.registry import check
from harness.exchange import Exchange
from harness.findings import Finding, Level
from harness.versions import VersionProfile


def token_c_of(post: Exchange) -> str | None:
    """TOKEN_C from a successful registration answer."""
    envelope = post.envelope or {}
    data = envelope.get("data")
    token = data.get("token") if isinstance(data, dict) else None
    return token if envelope.get("status_code") == 1000 and isinstance(token, str) else None


@check(requirements=("T-CRED-02", "T-AUTH-07", "H-HTTP-04"), needs=("response",))
def check_registration(post: Exchange) -> list[Finding]:
    """The credentials POST with TOKEN_A succeeds and gives TOKEN_C (T-CRED-02), 1..64
    printable non-space ASCII characters (T-AUTH-07)."""
    question = "whether the registration succeeds"
    unjudged = not_judgeable(post, ("T-CRED-02",), question)
    if unjudged is not None:
        return unjudged
    unreadable = unreadable_status(post)
    if unreadable is not None:
        return blocked(post, ("T-CRED-02",), question, unreadable)
    token_c = token_c_of(post)
    if token_c is None:
        return [_f(post, "T-CRED-02", f"registration failed: {answer_fact(post)}")]
    if not (0 < len(token_c) <= 64 and all("!" <= ch <= "~" for ch in token_c)):
        message = "TOKEN_C is not 1..64 printable non-space ASCII characters"
        return [_f(post, "T-AUTH-07", message, "$.data.token", Level.WARNING)]
    return []


@check(requirements=("T-AUTH-06", "H-HTTP-04"), needs=("registration",))
def check_token_c_opens(answer: Exchange) -> list[Finding]:
    """TOKEN_C opens the functional modules after the registration (T-AUTH-06)."""
    what = "whether TOKEN_C opens the cdrs module"
    unjudged = not_judgeable(answer, ("T-AUTH-06",), what)
    if unjudged is not None:
        return unjudged
    if answer.status == 200:
        return []
    if answer.status is not None and answer.status >= 500:
        return blocked(answer, ("T-AUTH-06",), what, ("T-HTTP-02", answer_fact(answer)))
    return [_f(answer, "T-AUTH-06", f"TOKEN_C got {answer_fact(answer)} on the cdrs module")]


@check(
    requirements=("T-AUTH-05", "H-HTTP-04"),
    needs=("registration",),
    versions=("2.2.1", "2.3.0"),
)
def check_token_a_retired(answer: Exchange, profile: VersionProfile) -> list[Finding]:
    """TOKEN_A no longer opens the functional modules once TOKEN_C is issued: it gets 401
    (T-AUTH-05; 2.1.1 keeps no rule on it). Only a 2xx shows that it still opens them."""
    if not profile.retires_token_a:
        return []
    what = "whether TOKEN_A is retired"
    unjudged = not_judgeable(answer, ("T-AUTH-05",), what)
    if unjudged is not None or answer.status == 401:
        return unjudged or []
    status = answer.status or 0
    if 200 <= status < 300:
        message = f"TOKEN_A still opens the cdrs module after registration ({answer_fact(answer)})"
        return [_f(answer, "T-AUTH-05", message, seen=status)]
    if status >= 500:
        return blocked(answer, ("T-AUTH-05",), what, ("T-HTTP-02", answer_fact(answer)))
    message = f"TOKEN_A is refused after registration, but with {answer_fact(answer)}, not 401"
    return [_f(answer, "T-AUTH-05", message, level=Level.WARNING, expected=401, seen=status)]


@check(requirements=("T-CRED-02", "H-HTTP-04"), needs=("registration",))
def check_registered_again(answer: Exchange) -> list[Finding]:
    """A second credentials POST by a registered party gets 405 (T-CRED-02: it updates with
    PUT)."""
    unjudged = not_judgeable(answer, ("T-CRED-02",), "whether a second POST is refused")
    if unjudged is not None:
        return unjudged
    if answer.status == 405:
        return []
    message = f"a second POST by a registered party got {answer_fact(answer)}, not 405"
    return [_f(answer, "T-CRED-02", message, seen=answer.status)]
