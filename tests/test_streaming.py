"""Reading many JSON objects from one input: every read is bounded."""

from __future__ import annotations

import pytest


def test_an_endless_input_without_newlines_is_refused_after_a_bounded_read() -> None:
    # Issue 19, item 17: `validate /dev/zero` read the first line with no limit (3 GB in 8 s)
    import io

    from harness.streaming import MAX_RECORD_BYTES, InputError, iter_records

    class Zeros(io.RawIOBase):
        """/dev/zero that counts what was read."""

        taken = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            buffer[:] = bytes(len(buffer))
            self.taken += len(buffer)
            if self.taken > 8 * MAX_RECORD_BYTES:
                raise AssertionError(f"read {self.taken:,} bytes of an endless input")
            return len(buffer)

    zeros = Zeros()
    with pytest.raises(InputError, match="larger than"):
        list(iter_records(io.BufferedReader(zeros)))
    assert zeros.taken <= 4 * MAX_RECORD_BYTES
