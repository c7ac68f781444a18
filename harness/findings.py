"""Findings: what a check reports about one object or exchange."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Literal

Outcome = Literal["blocked", "partial"]

# How the reason of a test skipped for want of evidence starts: "blocked by T-VER-01, H-HTTP-01:
# ..." (the reports read the root causes back from it; it crosses xdist as plain text).
BLOCKED_BY = "blocked by "
_BLOCKING = re.compile(r"^blocked by ((?:[A-Z]+-[A-Z0-9]+-\d+)(?:, [A-Z]+-[A-Z0-9]+-\d+)*):")

# Findings kept per test once folded: the rest are counted in the finding of their rule.
MAX_KEPT = 100
_EXAMPLES = 3
_INDEX = re.compile(r"\[\d+\]")
# Numbers in a message are the values of one place ("got the number 7.03"): the same way.
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


class Level(str, Enum):
    """How bad a finding is. Only ``error`` fails a conformance verdict by default."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def failing_levels(fail_on: str) -> frozenset[Level]:
    """The levels that fail a conformance test under ``--ocpi-fail-on`` (error or warning)."""
    return frozenset({Level.ERROR, Level.WARNING} if fail_on == "warning" else {Level.ERROR})


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation of a check, tied to a requirement id from the registry.

    ``path`` is a JSON path into the object (``$.charging_periods[0].dimensions[1].volume``) or a
    header name; ``expected``/``seen`` are short renderings for reports; ``exchange`` names the
    recorded exchange the object came from, when there is one; ``check`` the registered check
    that made it (``harness.checks.registry``); ``subject`` the object it is about (``CDR
    CDR0001``), when it is one of many. A folded finding (``fold_findings``) stands for
    ``count`` like it, ``examples`` naming a few. A finding with an ``outcome`` says a rule was
    not judged on all its evidence (at info level): ``blocked`` (none of it: something it
    depends on failed, the requirement id of that root ``cause`` named), ``partial`` (part
    of it: the message says how much).
    """

    requirement: str
    level: Level
    message: str
    path: str = "$"
    expected: str | None = None
    seen: str | None = None
    exchange: str | None = None
    check: str | None = None
    subject: str | None = None
    count: int = 1
    examples: tuple[str, ...] = ()
    outcome: Outcome | None = None
    cause: str | None = None

    def __post_init__(self) -> None:
        # Reports show these as text; a scenario may hand over a status code as a number.
        for key in ("expected", "seen"):
            value = getattr(self, key)
            if value is not None and not isinstance(value, str):
                object.__setattr__(self, key, str(value))

    def on_object(self, noun: str, exchange: str) -> Finding:
        """This finding about one object of a list: its message led by ``noun`` (``CDR
        CDR0001``), on the ``exchange`` the object came in."""
        return replace(self, message=f"{noun}: {self.message}", exchange=exchange, subject=noun)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form (crosses pytest-xdist process boundaries and goes into reports)."""
        out: dict[str, Any] = {
            "requirement": self.requirement,
            "level": self.level.value,
            "message": self.message,
            "path": self.path,
        }
        for key in ("expected", "seen", "exchange", "check", "subject", "outcome", "cause"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.count > 1:
            out["count"] = self.count
            out["examples"] = list(self.examples)
        return out


def fold_findings(findings: Iterable[Finding], keep: int = MAX_KEPT) -> list[Finding]:
    """The same rule broken the same way in many places as one finding with a count and
    examples ("... 150 times, e.g. CDR A, CDR B, CDR C"), in the order first seen. "The same
    way": same requirement, level, check and message up to the numbers in it, at the same path
    up to list indices, on whichever object (the first one's message is kept). Past ``keep``
    folded findings, the first of each rule is kept and the rest are counted in it, so that
    no flood of distinct findings grows a report without bound while every rule broken stays
    in it."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(_fold_key(finding), []).append(finding)
    folded = [_folded(group) for group in groups.values()]
    if len(folded) <= keep:
        return folded
    first_of_rule: dict[tuple[object, ...], int] = {}
    for index, finding in enumerate(folded):
        first_of_rule.setdefault((finding.requirement, finding.level, finding.check), index)
    kept = set(first_of_rule.values())
    for index in range(len(folded)):
        if len(kept) >= keep:
            break
        kept.add(index)
    unkept: dict[int, int] = {}
    for index, finding in enumerate(folded):
        if index not in kept:
            rule = first_of_rule[(finding.requirement, finding.level, finding.check)]
            unkept[rule] = unkept.get(rule, 0) + finding.count
    out = []
    for index in sorted(kept):
        finding = folded[index]
        more = unkept.get(index, 0)
        if more:
            finding = replace(
                finding,
                message=f"{finding.message} (and {more} more findings of this rule, not kept)",
                count=finding.count + more,
                examples=finding.examples or (finding.subject or finding.path,),
            )
        out.append(finding)
    return out


def _fold_key(finding: Finding) -> tuple[object, ...]:
    message = finding.message
    if finding.subject and message.startswith(f"{finding.subject}: "):
        message = message[len(finding.subject) + 2 :]
    path = _INDEX.sub("[*]", finding.path)
    shape = _NUMBER.sub("#", message)
    return (finding.requirement, finding.level, finding.check, finding.outcome, path, shape)


def _folded(group: list[Finding]) -> Finding:
    first = group[0]
    if len(group) == 1:
        return first
    count = sum(f.count for f in group)
    named: list[str] = []
    for finding in group:
        name = finding.subject or finding.path
        if name not in named:
            named.append(name)
        if len(named) == _EXAMPLES:
            break
    shown = ", ".join(named) + (", ..." if count > len(named) else "")
    return replace(
        first,
        message=f"{first.message} ({count} times, e.g. {shown})",
        count=count,
        examples=tuple(named),
    )


def json_path(loc: Sequence[str | int]) -> str:
    """Render a location tuple (pydantic ``loc`` or our own) as a JSON path rooted at ``$``."""
    parts = ["$"]
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}")
    return "".join(parts)


def blocked_reason(causes: Iterable[str], what: str) -> str:
    """The skip reason of a test that could not judge ``what``: the root causes' requirement
    ids first, in the form ``blocking_rules`` reads back."""
    rules = sorted({cause for cause in causes if cause})
    if not rules:
        raise ValueError("a blocked outcome names its root cause")
    return f"{BLOCKED_BY}{', '.join(rules)}: {what}"


def blocking_rules(reason: str | None) -> list[str]:
    """The root causes named by a ``blocked_reason``; empty for any other reason."""
    match = _BLOCKING.match(reason or "")
    return match.group(1).split(", ") if match else []
