"""4.6.1: business-day arithmetic, as a table of cases and as properties over any calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from module_4_6_pytest.business_days import (
    MAX_BUSINESS_DAYS,
    add_business_days,
    is_business_day,
)
from module_4_6_pytest.tests.strategies import (
    PROPERTY_SETTINGS,
    business_day_counts,
    dates,
    holiday_sets,
)

NEW_YEAR_2027 = date(2027, 1, 1)
EASTER_2026 = frozenset({date(2026, 4, 3), date(2026, 4, 6)})  # Good Friday, Easter Monday
CHRISTMAS_2026 = frozenset({date(2026, 12, 25), date(2026, 12, 26)})  # a Friday and a Saturday


def case(start: str, days: int, expected: str, *holidays: date, name: str) -> pytest.ParameterSet:
    """One row of the table below, written with ISO dates so it reads like a calendar."""
    return pytest.param(
        date.fromisoformat(start), days, frozenset(holidays), date.fromisoformat(expected), id=name
    )


# Each row is (start, business days, expected due date, holidays...); the ids are what a failure
# report prints, so they say what the row is about: `pytest -k leap` runs the leap-year rows.
@pytest.mark.parametrize(
    ("start", "days", "holidays", "expected"),
    [
        case("2026-11-23", 1, "2026-11-24", name="monday+1-is-tuesday"),
        case("2026-11-27", 1, "2026-11-30", name="friday+1-skips-the-weekend"),
        case("2026-11-28", 1, "2026-11-30", name="saturday+1-is-monday"),
        case("2026-11-23", 10, "2026-12-07", name="ten-days-is-two-weeks"),
        case("2026-11-25", 0, "2026-11-25", name="zero-days-on-a-workday-is-that-day"),
        case("2026-11-29", 0, "2026-11-30", name="zero-days-on-sunday-is-monday"),
        case("2026-04-03", 0, "2026-04-07", *EASTER_2026, name="zero-days-on-good-friday"),
        case("2026-04-02", 1, "2026-04-07", *EASTER_2026, name="easter-is-four-days-off"),
        case("2026-12-24", 1, "2026-12-28", *CHRISTMAS_2026, name="christmas-on-friday"),
        case("2026-12-31", 1, "2027-01-04", NEW_YEAR_2027, name="year-boundary-new-year-holiday"),
        case("2026-12-30", 3, "2027-01-04", name="year-boundary-weekends-only"),
        case("2026-10-02", 1, "2026-10-05", date(2026, 10, 3), name="holiday-on-saturday-is-free"),
        case("2028-02-28", 1, "2028-02-29", name="leap-day-is-a-workday"),
        case("2024-02-28", 2, "2024-03-01", name="leap-year-2024-crosses-feb-29"),
        case("2027-02-26", 1, "2027-03-01", name="no-feb-29-in-2027"),
        case("2028-02-25", 2, "2028-03-01", date(2028, 2, 29), name="holiday-on-leap-day"),
    ],
)
def test_due_date_table(start: date, days: int, holidays: frozenset[date], expected: date) -> None:
    # region 4.6.1 core: due date table
    assert add_business_days(start, days, holidays) == expected
    # endregion 4.6.1


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 27), True),
        (date(2026, 11, 28), False),
        (date(2026, 11, 29), False),
        (date(2026, 12, 25), False),
    ],
    ids=lambda value: value.strftime("%a-%d-%b") if isinstance(value, date) else str(value),
)
def test_is_business_day_knows_weekends_and_holidays(day: date, expected: bool) -> None:
    # region 4.6.1 core: is business day knows weekends and holidays
    assert is_business_day(day, CHRISTMAS_2026) is expected
    # endregion 4.6.1


@pytest.mark.parametrize("days", [-1, MAX_BUSINESS_DAYS + 1], ids=["negative", "beyond-maximum"])
def test_business_days_out_of_range_are_refused(days: int) -> None:
    # region 4.6.1 core: business days out of range are refused
    with pytest.raises(ValueError, match=f"between 0 and {MAX_BUSINESS_DAYS}"):
        add_business_days(date(2026, 1, 5), days)
    # endregion 4.6.1


# Properties: whatever the start, the count and the holidays, these hold.


@PROPERTY_SETTINGS
@given(start=dates, days=business_day_counts, data=st.data())
def test_due_date_is_never_a_weekend_or_a_holiday(
    start: date, days: int, data: st.DataObject
) -> None:
    # region 4.6.1 extra: due date is never a weekend or a holiday
    holidays = data.draw(holiday_sets(around=start))
    due = add_business_days(start, days, holidays)
    assert due.weekday() < 5
    assert due not in holidays
    # endregion 4.6.1


@PROPERTY_SETTINGS
@given(start=dates, days=st.integers(min_value=1, max_value=120), data=st.data())
def test_exactly_n_working_days_lie_after_the_start(
    start: date, days: int, data: st.DataObject
) -> None:
    # region 4.6.1 extra: exactly n working days lie after the start
    holidays = data.draw(holiday_sets(around=start))
    due = add_business_days(start, days, holidays)
    # A different, obviously correct computation: walk every day in (start, due] and count.
    stretch = [start + timedelta(days=offset) for offset in range(1, (due - start).days + 1)]
    working = [day for day in stretch if day.weekday() < 5 and day not in holidays]
    assert len(working) == days
    assert working[-1] == due
    # endregion 4.6.1


@PROPERTY_SETTINGS
@given(start=dates, days=business_day_counts, data=st.data())
def test_holidays_never_make_a_due_date_earlier(
    start: date, days: int, data: st.DataObject
) -> None:
    # region 4.6.1 extra: holidays never make a due date earlier
    holidays = data.draw(holiday_sets(around=start))
    assert add_business_days(start, days, holidays) >= add_business_days(start, days)
    # endregion 4.6.1


@PROPERTY_SETTINGS
@given(start=dates, days=st.integers(min_value=1, max_value=119))
def test_one_more_day_means_a_later_due_date(start: date, days: int) -> None:
    # region 4.6.1 extra: one more day means a later due date
    # From 1 on: zero days and one day both land on Monday when counted from a weekend.
    assert add_business_days(start, days + 1) > add_business_days(start, days)
    # endregion 4.6.1
