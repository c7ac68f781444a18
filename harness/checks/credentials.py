"""Pure checks of the credentials handshake with the target as server: the registration
gives TOKEN_C (T-CRED-02), a well-formed one (T-AUTH-07) that opens the modules (T-AUTH-06),
TOKEN_A is retired (T-AUTH-05), and a registered party cannot register again (T-CRED-02)."""

from __future__ import annotations

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


@check(requirements=("T-CRED-02", "T-AUTH-07"), needs=("response",))
def check_registration(post: Exchange) -> list[Finding]:
    """The credentials POST with TOKEN_A succeeds and gives TOKEN_C (T-CRED-02), 1..64
    printable non-space ASCII characters (T-AUTH-07)."""
    token_c = token_c_of(post)
    if token_c is None:
        envelope = post.envelope or {}
        message = (
            f"registration failed: HTTP {post.status}, status {envelope.get('status_code')} "
            f"({envelope.get('status_message')})"
        )
        return [_f(post, "T-CRED-02", message)]
    if not (0 < len(token_c) <= 64 and all("!" <= ch <= "~" for ch in token_c)):
        message = "TOKEN_C is not 1..64 printable non-space ASCII characters"
        return [_f(post, "T-AUTH-07", message, "$.data.token", Level.WARNING)]
    return []


@check(requirements=("T-AUTH-06",), needs=("registration",))
def check_token_c_opens(answer: Exchange) -> list[Finding]:
    """TOKEN_C opens the functional modules after the registration (T-AUTH-06)."""
    if answer.status == 200:
        return []
    return [_f(answer, "T-AUTH-06", f"TOKEN_C got HTTP {answer.status} on the cdrs module")]


@check(requirements=("T-AUTH-05",), needs=("registration",), versions=("2.2.1", "2.3.0"))
def check_token_a_retired(answer: Exchange, profile: VersionProfile) -> list[Finding]:
    """TOKEN_A no longer opens the functional modules once TOKEN_C is issued (T-AUTH-05;
    2.1.1 keeps no rule on it)."""
    if not profile.retires_token_a or answer.status == 401:
        return []
    message = f"TOKEN_A still opens the cdrs module after registration (HTTP {answer.status})"
    return [_f(answer, "T-AUTH-05", message)]


@check(requirements=("T-CRED-02",), needs=("registration",))
def check_registered_again(answer: Exchange) -> list[Finding]:
    """A second credentials POST by a registered party gets 405 (T-CRED-02: it updates with
    PUT)."""
    if answer.status == 405:
        return []
    message = f"a second POST by a registered party got HTTP {answer.status}, not 405"
    return [_f(answer, "T-CRED-02", message)]
