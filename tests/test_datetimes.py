"""parse_datetime reads every OCPI DateTime as the hand-written reader does, whichever way it
takes (``fromisoformat`` from Python 3.11 on)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.checks import check_cdr
from harness.findings import Level
from harness.models.datetimes import _DATETIME, by_hand, parse_datetime
from tests.conftest import FIXTURES

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
    [
        "2025-01-06T24:00:00Z",
        "2025-02-30T00:00:00Z",
        "2025-01-06T23:59:60Z",  # a leap second ends a month, never 6 January
        "2016-12-31T23:58:60Z",  # nor any minute but the last of the day
        "2025-01-06 06:36:19",
    ],
)
def test_no_real_instant_is_an_error(value: str) -> None:
    with pytest.raises(ValueError, match=r"range|must be|not an OCPI DateTime|leap second"):
        parse_datetime(value)


_LAST_MICROSECOND = {"hour": 23, "minute": 59, "second": 59, "microsecond": 999_999}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, **_LAST_MICROSECOND, tzinfo=timezone.utc)),
        ("2015-06-30T23:59:60.5Z", datetime(2015, 6, 30, **_LAST_MICROSECOND, tzinfo=timezone.utc)),
        ("1972-06-30T23:59:60", datetime(1972, 6, 30, **_LAST_MICROSECOND, tzinfo=timezone.utc)),
    ],
)
def test_a_leap_second_is_a_real_instant_read_as_the_last_microsecond_of_its_day(
    value: str, expected: datetime
) -> None:
    # Given RFC 3339's second 60 on a day of the IERS list (OCPI DateTime follows RFC 3339)
    # When it is read, Then it is accepted, as the last microsecond of its day: still before
    # the next day's first second, so two periods either side of it keep their order
    assert parse_datetime(value) == expected
    assert parse_datetime(value) < parse_datetime(
        f"{value[:8]}{int(value[8:10]):02d}T23:59:59Z"
    ) + (timedelta(seconds=1))


@pytest.mark.parametrize(
    "value",
    [
        "2025-01-31T23:59:60Z",
        "1971-12-31T23:59:60Z",
        "2024-02-29T23:59:60Z",
        "2016-12-31T23:58:60Z",
    ],
)
def test_a_second_60_on_a_day_without_a_leap_second_is_refused(value: str) -> None:
    # Review of issue 16 item 6: only the 27 days of the IERS list ended with a leap second
    with pytest.raises(ValueError, match="only the days of the IERS list have"):
        parse_datetime(value)


def test_a_cdr_ending_on_a_leap_second_names_a_real_instant() -> None:
    # Given a 2.2.1 CDR of one hour that ends on the leap second of 2016-12-31
    cdr = json.loads((FIXTURES / "2.2.1" / "cdr" / "valid" / "minimal.json").read_text())
    cdr["start_date_time"] = cdr["charging_periods"][0]["start_date_time"] = "2016-12-31T23:00:00Z"
    cdr["end_date_time"] = "2016-12-31T23:59:60Z"
    cdr["last_updated"] = "2017-01-01T00:00:05Z"
    # When it is checked
    findings = check_cdr(cdr, "2.2.1")
    # Then no DateTime is refused (T-TYPE-02), and its total_time of 1 h agrees (C-010)
    assert [f for f in findings if f.level is not Level.INFO] == []
