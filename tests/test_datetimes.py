"""parse_datetime reads every OCPI DateTime as the hand-written reader does, whichever way it
takes (``fromisoformat`` from Python 3.11 on)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.models.datetimes import _DATETIME, by_hand, parse_datetime

_TWO = st.integers(0, 99).map(lambda n: f"{n:02d}")
_STAMPS = st.builds(
    lambda year, month, day, hour, minute, second, fraction, zulu: (
        f"{year:04d}-{month}-{day}T{hour}:{minute}:{second}{fraction}{zulu}"
    ),
    st.integers(0, 9999),
    _TWO,
    _TWO,
    _TWO,
    _TWO,
    _TWO,
    st.one_of(
        st.just(""),
        st.integers(1, 9)
        .flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))
        .map(lambda d: "." + d),
    ),
    st.sampled_from(["", "Z"]),
)


def _outcome(read: object, value: str) -> object:
    try:
        return read(value)  # type: ignore[operator]
    except ValueError:
        return ValueError


@given(_STAMPS)
def test_every_form_of_the_pattern_reads_as_by_hand(value: str) -> None:
    match = _DATETIME.fullmatch(value)
    assert match is not None
    assert _outcome(parse_datetime, value) == _outcome(lambda v: by_hand(match), value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-06T06:36:19Z", datetime(2025, 1, 6, 6, 36, 19, tzinfo=timezone.utc)),
        ("2025-01-06T06:36:19", datetime(2025, 1, 6, 6, 36, 19, tzinfo=timezone.utc)),
        ("2025-01-06T06:36:19.1234567Z", datetime(2025, 1, 6, 6, 36, 19, 123456, timezone.utc)),
        ("1970-1-1T00:00:00Z", datetime(1970, 1, 1, tzinfo=timezone.utc)),
    ],
)
def test_known_values(value: str, expected: datetime) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    "value",
    ["2025-01-06T24:00:00Z", "2025-02-30T00:00:00Z", "2025-01-06T23:59:60Z", "2025-01-06 06:36:19"],
)
def test_no_real_instant_is_an_error(value: str) -> None:
    with pytest.raises(ValueError, match=r"range|must be|not an OCPI DateTime"):
        parse_datetime(value)
