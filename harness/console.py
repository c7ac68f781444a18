"""What a command prints goes to a pipe or a file the user chose: a reader that leaves early
(``| head``) is no error, and a full disk (``> /dev/full``) is one line naming it, never a
traceback, for every command of the harness."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

EXIT_OUTPUT = 2


def guarded_output(prog: str, run: Callable[[], int]) -> int:
    """``run()``'s exit code, with its output errors turned into one line on stderr (exit 2)
    and a closed pipe into a quiet exit 0. Reading input has its own messages: an OSError left
    to here is the output's."""
    try:
        code = run()
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        return 0
    except OSError as exc:
        _discard_stdout()
        print(f"{prog}: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_OUTPUT
    return code


def _discard_stdout() -> None:
    """Drop what stdout still buffers, so that the flush at exit cannot fail again."""
    with contextlib.suppress(OSError):
        sys.stdout.close()
