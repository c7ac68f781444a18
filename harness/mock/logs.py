"""The log of ``ocpi-mock``: one stream handler on the root logger (the mock's own lines, uvicorn's
and asyncio's all go through it) that folds repeated lines.

A flood of identical lines is what a misbehaving client or an exhausted resource produces (one
traceback per failed ``accept()``, one warning per malformed request): written out, it fills the
disk (80 MB in 12 s) and buries the line that says what happened. The first ``burst`` lines of a
kind per ``interval`` are written as they come; the rest of that interval are counted and written
as one line once the interval is over (at the next line logged, or when the log closes).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    _StreamHandler = logging.StreamHandler[TextIO]
else:  # not subscriptable at run time before Python 3.11
    _StreamHandler = logging.StreamHandler

FORMAT = "ocpi-mock: %(levelname)s %(name)s: %(message)s"

_Kind = tuple[str, int, str]


@dataclass
class _Window:
    """One kind of line in its current interval: when the interval began, how many lines of
    the kind it saw, and the first of them."""

    start: float
    seen: int
    example: logging.LogRecord


class FoldingHandler(_StreamHandler):
    """A stream handler that writes at most ``burst`` lines of a kind (same logger, level and
    message template) per ``interval`` seconds and folds the rest into one line saying how many
    were left out."""

    def __init__(
        self,
        stream: TextIO | None = None,
        interval: float = 10.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(stream)
        self.interval = interval
        self.burst = burst
        self._clock = clock
        # In the order the intervals began (a kind seen again after its interval is a new
        # entry at the end), so the ended ones are always at the front.
        self._windows: dict[_Kind, _Window] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Write ``record`` unless its kind already had ``burst`` lines in this interval."""
        now = self._clock()
        self._close_ended(now)
        kind = (record.name, record.levelno, str(record.msg))
        window = self._windows.get(kind)
        if window is None:
            window = self._windows[kind] = _Window(now, 0, record)
        window.seen += 1
        if window.seen <= self.burst:
            super().emit(record)

    def _close_ended(self, now: float) -> None:
        while self._windows:
            kind, window = next(iter(self._windows.items()))
            if now - window.start < self.interval:
                return
            del self._windows[kind]
            self._write_fold(window, now - window.start)

    def _write_fold(self, window: _Window, elapsed: float) -> None:
        folded = window.seen - self.burst
        if folded <= 0:
            return
        example = window.example
        lines = example.getMessage().splitlines()
        record = logging.LogRecord(
            example.name,
            example.levelno,
            example.pathname,
            example.lineno,
            "%d more lines like %r in %.0f s were left out",
            (folded, (lines[0] if lines else "")[:120], elapsed),
            None,
        )
        super().emit(record)

    def flush_folds(self) -> None:
        """Write the fold lines of the intervals still open (at shutdown)."""
        now = self._clock()
        self.acquire()
        try:
            for window in self._windows.values():
                self._write_fold(window, now - window.start)
            self._windows.clear()
        finally:
            self.release()

    def close(self) -> None:
        """Write what is still folded, then close."""
        self.flush_folds()
        super().close()


@contextmanager
def folded_log(stream: TextIO | None = None, level: int = logging.WARNING) -> Iterator[None]:
    """For the duration of the block, lines at ``level`` and above from every logger go to
    ``stream`` (stderr) through a FoldingHandler; the root logger is restored afterwards (the
    CLI also runs inside tests' processes)."""
    handler = FoldingHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        handler.close()
