"""Business-day arithmetic: weekends and public holidays are not working days."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

SATURDAY = 5
MAX_BUSINESS_DAYS = 1000
"""About four years: enough for any task, small enough to bound the work of one request."""

_ONE_DAY = timedelta(days=1)


def is_business_day(day: date, holidays: Collection[date] = frozenset()) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < SATURDAY and day not in holidays


def add_business_days(
    start: date, business_days: int, holidays: Collection[date] = frozenset()
) -> date:
    """The date ``business_days`` working days after ``start`` (``start`` itself is not counted).

    Zero days means "today if today is a working day, otherwise the next working day": a task
    given on a Saturday with no slack is due on Monday.
    """
    if not 0 <= business_days <= MAX_BUSINESS_DAYS:
        raise ValueError(f"business_days must be between 0 and {MAX_BUSINESS_DAYS}")
    day = start
    remaining = business_days
    while remaining > 0:
        day += _ONE_DAY
        if is_business_day(day, holidays):
            remaining -= 1
    while not is_business_day(day, holidays):  # only with zero days, from a day off
        day += _ONE_DAY
    return day
