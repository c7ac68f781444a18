"""What the harness keeps of its exchanges: each recorder's transcripts and curl lines
(redacted with the secrets it knows), and the process-wide journal the reports read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.exchange import Exchange
from harness.redaction import RUN_SECRETS, Secrets

__all__ = ["JOURNAL", "Journal", "Recorded", "Recorder"]


@dataclass(frozen=True)
class Recorded:
    """What the recorder keeps of an exchange: its transcript (redacted, body capped) and a
    curl line; not the parsed body, so that a long crawl does not hold its pages."""

    transcript: dict[str, Any]
    curl: str

    @property
    def label(self) -> str:
        """The exchange's unique label (what findings name in ``exchange``)."""
        return str(self.transcript["label"])


@dataclass
class Journal:
    """Every exchange recorded in this process, in order, by label: the reports take from it
    the exchanges a test made and those its findings name. Bounded: the oldest are dropped."""

    limit: int = 5_000  # a few kB each
    _by_label: dict[str, Recorded] = field(default_factory=dict)
    _made: int = 0

    def add(self, recorded: Recorded) -> None:
        """Remember one exchange."""
        self._by_label[recorded.label] = recorded
        self._made += 1
        if len(self._by_label) > self.limit:
            del self._by_label[next(iter(self._by_label))]

    def mark(self) -> int:
        """A position; ``since(mark)`` gives what was recorded after it."""
        return self._made

    def since(self, mark: int) -> list[Recorded]:
        """The exchanges recorded after ``mark`` (those still held)."""
        newer = self._made - mark
        return list(self._by_label.values())[-newer:] if newer > 0 else []

    def find(self, label: str) -> Recorded | None:
        """The exchange with this label, if still held."""
        return self._by_label.get(label)


JOURNAL = Journal()


@dataclass
class Recorder:
    """Every exchange of a run, and the secrets to redact from them."""

    secrets: Secrets = field(default_factory=Secrets, repr=False)
    exchanges: list[Recorded] = field(default_factory=list, repr=False)
    limit: int = 10_000  # exchanges kept (each a few kB at most)

    def add_secret(self, token: str) -> None:
        """Redact ``token`` raw, Base64-encoded and URL-encoded from now on (here and in
        every report of this process: ``RUN_SECRETS``)."""
        self.secrets.add(token)
        RUN_SECRETS.add(token)

    def redact(self, text: str) -> str:
        """``text`` with every known secret replaced by the placeholder."""
        return self.secrets.redact(text)

    def keep(self, exchange: Exchange) -> None:
        """Record an exchange (the first ``limit`` ones), in this recorder and the journal."""
        recorded = Recorded(exchange.transcript(self.redact), exchange.curl(self.redact))
        if len(self.exchanges) < self.limit:
            self.exchanges.append(recorded)
        JOURNAL.add(recorded)
