"""Due dates that respect public holidays, and that fall back to weekends only when they must."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from module_4_6_pytest.business_days import SATURDAY, add_business_days
from module_4_6_pytest.holidays import HolidaysClient, HolidaysUnavailableError


class CalendarSource(StrEnum):
    """What the working days of a due date were computed from."""

    PUBLIC_HOLIDAYS = "public-holidays"
    WEEKENDS_ONLY = "weekends-only"


@dataclass(frozen=True)
class DueDate:
    """A due date and how it was computed; ``warning`` says why holidays were left out."""

    due: date
    source: CalendarSource
    holidays_skipped: tuple[date, ...] = ()
    warning: str | None = None


@dataclass(frozen=True)
class DeadlineCalculator:
    """Computes due dates in the working days of a country."""

    holidays: HolidaysClient

    async def due_date(self, start: date, business_days: int, country: str) -> DueDate:
        """``business_days`` working days after ``start`` in ``country``.

        A due date late in December may land in January: the holidays of every year the
        count crosses are fetched, until the answer no longer moves into a year not yet known.
        If any year cannot be had, the whole answer uses weekends only and says so; an unknown
        country (``UnknownCountryError``) is the caller's mistake and propagates.
        """
        known: set[date] = set()
        years_fetched: set[int] = set()
        due = add_business_days(start, business_days)
        try:
            while missing := set(range(start.year, due.year + 1)) - years_fetched:
                for year in sorted(missing):
                    known |= await self.holidays.public_holidays(year, country)
                    years_fetched.add(year)
                due = add_business_days(start, business_days, known)
        except HolidaysUnavailableError as error:
            return DueDate(
                due=add_business_days(start, business_days),
                source=CalendarSource.WEEKENDS_ONLY,
                warning=f"public holidays unavailable, counted weekends only: {error}",
            )
        # The start day itself only counts when there is no slack (zero days).
        first = start if business_days == 0 else start + timedelta(days=1)
        skipped = tuple(
            sorted(day for day in known if first <= day < due and day.weekday() < SATURDAY)
        )
        return DueDate(due=due, source=CalendarSource.PUBLIC_HOLIDAYS, holidays_skipped=skipped)
