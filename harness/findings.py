"""Findings: what a check reports about one object or exchange."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum


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
    that made it (``harness.checks.registry``).
    """

    requirement: str
    level: Level
    message: str
    path: str = "$"
    expected: str | None = None
    seen: str | None = None
    exchange: str | None = None
    check: str | None = None

    def __post_init__(self) -> None:
        # Reports show these as text; a scenario may hand over a status code as a number.
        for key in ("expected", "seen"):
            value = getattr(self, key)
            if value is not None and not isinstance(value, str):
                object.__setattr__(self, key, str(value))

    def on_object(self, noun: str, exchange: str) -> Finding:
        """This finding about one object of a list: its message led by ``noun`` (``CDR
        CDR0001``), on the ``exchange`` the object came in."""
        return replace(self, message=f"{noun}: {self.message}", exchange=exchange)

    def to_dict(self) -> dict[str, str]:
        """Plain JSON form (crosses pytest-xdist process boundaries and goes into reports)."""
        out = {
            "requirement": self.requirement,
            "level": self.level.value,
            "message": self.message,
            "path": self.path,
        }
        for key in ("expected", "seen", "exchange", "check"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def json_path(loc: Sequence[str | int]) -> str:
    """Render a location tuple (pydantic ``loc`` or our own) as a JSON path rooted at ``$``."""
    parts = ["$"]
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}")
    return "".join(parts)
