"""Progress of long work on the terminal: a crawl's pages and objects, with rate and ETA.

Nothing shows for work that ends within a few seconds. On a terminal the line is a tqdm bar
updated in place; elsewhere (a CI log) a line is written every so often, rendered by tqdm's own
formatter, so that a log is not flooded and a stalled run is still seen moving or not. The
plugin gives the client a ``Meters`` that writes to pytest's terminal (outside the capture,
which would swallow it), none under ``-q`` or on an xdist worker; the reports never see it.
tqdm is the maintained progress meter of the Python world (rate, ETA, terminal width), so none
is written here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # tqdm is imported when a meter first shows: the client loads this module
    from tqdm import tqdm

__all__ = ["Meter", "Meters", "TerminalMeters", "Uncaptured"]

SHOW_AFTER = 3.0  # seconds of work before any progress shows
LOG_EVERY = 15.0  # seconds between lines when the output is no terminal


class Meter(Protocol):
    """The progress of one piece of work."""

    def advance(self, pages: int, objects: int) -> None:
        """``pages`` more done, holding ``objects`` more objects."""

    def close(self) -> None:
        """The work ended."""


class Meters(Protocol):
    """Makes a meter for each long piece of work."""

    def start(self, label: str, total: int | None, unit: str) -> Meter:
        """A meter for ``label`` over ``total`` objects (None: unknown) counted in ``unit``."""


class _Meter:
    """Counts; once the work has run ``SHOW_AFTER`` seconds, shows itself: a tqdm bar in
    place on a terminal, else a line every ``LOG_EVERY`` seconds and one at the end."""

    def __init__(
        self,
        out: IO[str] | Uncaptured,
        lock: threading.Lock,
        label: str,
        total: int | None,
        unit: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._out, self._lock, self._clock = out, lock, clock
        self._label, self._total, self._unit = label, total, unit
        self._started = clock()
        self._next = self._started + SHOW_AFTER
        self._bar: tqdm[Any] | None = None
        self._tty = out.isatty()
        self.pages = 0
        self.objects = 0
        self.lines = 0

    def advance(self, pages: int, objects: int) -> None:
        self.pages += pages
        self.objects += objects
        if self._bar is not None:
            self._bar.set_postfix_str(f"{self.pages:,} pages", refresh=False)
            self._bar.update(objects)
            return
        now = self._clock()
        if now < self._next:
            return
        from tqdm import tqdm

        # No monitor thread of tqdm's own: every write to the terminal comes from here
        tqdm.monitor_interval = 0
        if self._tty:
            with self._lock:  # below the test's line, which the bar must not overwrite
                self._out.write("\n")
            self._bar = tqdm(
                total=self._total,
                initial=self.objects,
                desc=self._label,
                unit=f" {self._unit}",
                file=_Locked(self._out, self._lock),
                leave=True,
                dynamic_ncols=True,
                mininterval=0.5,
            )
            return
        self._line(now)
        self._next = now + LOG_EVERY

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.lines:
            self._line(self._clock())

    def _line(self, now: float) -> None:
        from tqdm import tqdm

        total: Any = self._total  # tqdm's formatter takes None for an unknown total
        meter = tqdm.format_meter(
            self.objects, total, now - self._started, prefix=self._label, unit=f" {self._unit}"
        )
        with self._lock:
            self._out.write(
                ("\n" if not self.lines else "") + f"ocpi: {meter}, {self.pages:,} pages\n"
            )
            self._out.flush()
        self.lines += 1


class Uncaptured:
    """A text stream that writes to ``out`` with pytest's capture suspended around each
    write (``suspend``: the capture manager's ``global_and_fixture_disabled``), so that
    progress made inside a fixture or test reaches the terminal."""

    def __init__(self, out: IO[str], suspend: Callable[[], AbstractContextManager[None]]) -> None:
        self._out, self._suspend = out, suspend

    def write(self, text: str) -> int:
        with self._suspend():
            written = self._out.write(text)
            self._out.flush()
        return written

    def flush(self) -> None:
        with self._suspend():
            self._out.flush()

    def isatty(self) -> bool:
        return self._out.isatty()


class _Locked:
    """``out`` written under ``lock``: a bar's line and another meter's line never mix."""

    def __init__(self, out: IO[str] | Uncaptured, lock: threading.Lock) -> None:
        self._out, self._lock = out, lock

    def write(self, text: str) -> int:
        with self._lock:
            return self._out.write(text)

    def flush(self) -> None:
        with self._lock:
            self._out.flush()

    def isatty(self) -> bool:
        return self._out.isatty()


class TerminalMeters:
    """Meters on ``out`` (pytest's terminal)."""

    def __init__(
        self, out: IO[str] | Uncaptured, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._out = out
        self._clock = clock
        self._lock = threading.Lock()

    def start(self, label: str, total: int | None, unit: str) -> Meter:
        """A meter for one crawl or wait."""
        return _Meter(self._out, self._lock, label, total, unit, self._clock)
