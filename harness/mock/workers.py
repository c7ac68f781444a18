"""CPU-bound work of a request off the event loop: validating a pushed CDR re-prices it (the cost
check), which for a hostile but valid CDR (thousands of tariff elements over days of periods)
takes seconds to minutes. On the loop, every other request would wait that long.

Each job runs in a thread of its own: daemon threads, so that Ctrl-C never waits for a job
(anyio's worker threads are joined at exit), and the job is pure computation, nothing to clean
up. At most ``size`` jobs compute at once; the others wait for a slot in their thread. A caller
waits at most ``timeout`` seconds: then WorkTimeout, and the job is abandoned: skipped if it has
not started, left to finish (holding its slot, so abandoned jobs cannot pile up) if it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WorkTimeout(Exception):
    """The job did not finish within the time the caller would wait."""


class CpuWorkers:
    """Runs jobs in threads, ``size`` at a time, each awaited with a timeout."""

    def __init__(self, size: int = 4) -> None:
        self._slots = threading.BoundedSemaphore(size)

    async def run(self, job: Callable[[], T], timeout: float) -> T:
        """``job()``'s result (or its exception), computed in another thread; WorkTimeout
        after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        abandoned = threading.Event()

        def settle(result: T | None, failure: Exception | None) -> None:
            if done.done():  # the caller gave up (its wait_for cancelled the future)
                return
            if failure is not None:
                done.set_exception(failure)
            else:
                done.set_result(result)  # type: ignore[arg-type]

        def work() -> None:
            with self._slots:
                if abandoned.is_set():
                    return
                result: T | None = None
                failure: Exception | None = None
                try:
                    result = job()
                except Exception as exc:
                    failure = exc
            # The loop is closed when its request ended first (an in-process client's loop
            # lives for one request): nobody waits for this result.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, result, failure)

        threading.Thread(target=work, name="ocpi-mock worker", daemon=True).start()
        try:
            return await asyncio.wait_for(done, timeout)
        except asyncio.TimeoutError:
            raise WorkTimeout(f"not done within {timeout:g} s") from None
        finally:
            abandoned.set()
