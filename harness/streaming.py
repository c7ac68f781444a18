"""Reading many JSON objects from one input without holding the input in memory.

Accepted shapes: one JSON object, a JSON array of objects, or JSON lines (also concatenated
values). JSON lines are read a line at a time and a broken line becomes a bad record, not the end
of the run; arrays and concatenated values are decoded incrementally from a bounded buffer.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1 << 16
MAX_RECORD_BYTES = 16 << 20


# The kind of a JSON value by its first character (a number of any length is read by none).
_JSON_KINDS = {'"': "string", "[": "array", "t": "boolean", "f": "boolean", "n": "null"}


class InputError(Exception):
    """The input as a whole cannot be read (not UTF-8, not JSON, a value too large)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One JSON value of the input: its text, or why it could not be read (``error``)."""

    label: str
    text: str | bytes | None
    error: str | None = None


def iter_records(stream: BinaryIO) -> Iterator[Record]:
    """Yield the input's JSON values one at a time, in order."""
    # Bounded like every later read: an input with no newline (/dev/zero) must not be read
    # whole into memory; a cut first line goes to the incremental reader, which bounds it.
    first = stream.readline(MAX_RECORD_BYTES + 1)
    while first and not first.strip():
        first = stream.readline(MAX_RECORD_BYTES + 1)
    if not first:
        return
    stripped = first.strip()
    if stripped.startswith(b"{") and _is_json_object(stripped):
        yield from _json_lines(first, stream)
    else:
        yield from _incremental(first, stream)


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False


def _unconverted(text: str) -> str:
    return text


def _json_lines(first: bytes, stream: BinaryIO) -> Iterator[Record]:
    number = 0
    line = first
    while line:
        number += 1
        if len(line) > MAX_RECORD_BYTES:
            # The rest of the line is skipped, a bounded read at a time: read as lines of
            # their own, its pieces would be bad records and shift every later line's number.
            size = len(line)
            while not line.endswith(b"\n"):
                line = stream.readline(MAX_RECORD_BYTES + 1)
                if not line:
                    break
                size += len(line)
            yield Record(
                f"line {number}",
                None,
                f"line holds {size} bytes, more than {MAX_RECORD_BYTES}",
            )
        elif line.strip():
            yield Record(f"line {number}", line.strip())
        line = stream.readline(MAX_RECORD_BYTES + 1)


def _incremental(first: bytes, stream: BinaryIO) -> Iterator[Record]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    # Only where each value ends matters here (its text is what is yielded), so numbers are not
    # converted: an integer of thousands of digits would raise past int()'s digit limit.
    parser = json.JSONDecoder(parse_int=_unconverted, parse_float=_unconverted)
    try:
        buffer = decoder.decode(first)
    except UnicodeDecodeError as exc:
        raise InputError(f"input is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    eof = False
    pos = 0
    line = 1
    array = False
    count = 0

    def more() -> bool:
        nonlocal buffer, pos, eof
        chunk = stream.read(CHUNK)
        if not chunk:
            eof = True
            return False
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise InputError(f"input is not UTF-8 ({exc.reason})") from None
        buffer = buffer[pos:] + text
        pos = 0
        return True

    def skip_space() -> bool:
        nonlocal pos, line
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                if buffer[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buffer):
                return True
            if not more():
                return False

    if not skip_space():
        return
    if buffer[pos] == "[":
        array = True
        pos += 1
    while True:
        if not skip_space():
            if array:
                raise InputError("the JSON array is not closed (missing ']')")
            return
        if array:
            if buffer[pos] == "]":
                pos += 1
                if skip_space():
                    raise InputError(f"unexpected data after the JSON array at line {line}")
                return
            if count:
                if buffer[pos] != ",":
                    raise InputError(f"expected ',' or ']' between array items at line {line}")
                pos += 1
                if not skip_space():
                    raise InputError("the JSON array is not closed (missing ']')")
        while True:
            try:
                _, end = parser.raw_decode(buffer, pos)
                # A value that ends exactly at the buffer's end may continue in the next chunk.
                if end < len(buffer) or eof or not more():
                    break
            except RecursionError:
                # json's decoder recurses per level: a hostile file must not crash the run.
                raise InputError(f"a JSON value at line {line} is nested too deeply") from None
            except json.JSONDecodeError as exc:
                if len(buffer) - pos > MAX_RECORD_BYTES:
                    raise InputError(
                        f"a JSON value starting at line {line} is larger than "
                        f"{MAX_RECORD_BYTES} bytes or is not valid JSON"
                    ) from None
                if eof or not more():
                    raise InputError(f"not valid JSON near line {line}: {exc.msg}") from None
        count += 1
        text = buffer[pos:end]
        if not text.startswith("{"):
            kind = _JSON_KINDS.get(text[:1], "number")
            raise InputError(
                f"expected JSON objects (one object, an array of objects or JSON "
                f"lines); {'item' if array else 'value'} {count} is {kind}"
            )
        label = f"item {count}" if array else (f"value {count}" if count > 1 else "object")
        line += text.count("\n")
        pos = end
        yield Record(label, text)
