"""Holidays as a Nager.Date-style API answers them, for the fakes of the suite.

Germany's real nationwide holidays for 2026 and 2027, plus one regional holiday and one that is
not a day off, which the client must ignore.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import date
from typing import Any

import httpx
import respx

NagerHoliday = dict[str, Any]
HOLIDAYS_URL = "https://holidays.example.com"
"""Never resolved: respx answers every request to it inside the test process."""
PATH_PATTERN = r"^/api/v3/PublicHolidays/(?P<year>\d{4})/(?P<country>[A-Za-z]{2})$"


def holiday(
    day: date, name: str, *, nationwide: bool = True, types: tuple[str, ...] = ("Public",)
) -> NagerHoliday:
    """One entry in the API's JSON shape."""
    return {
        "date": day.isoformat(),
        "localName": name,
        "name": name,
        "countryCode": "DE",
        "fixed": False,
        "global": nationwide,
        "counties": None if nationwide else ["DE-BY"],
        "launchYear": None,
        "types": list(types),
    }


GERMANY: Mapping[tuple[str, int], list[NagerHoliday]] = {
    ("DE", 2026): [
        holiday(date(2026, 1, 1), "New Year's Day"),
        holiday(date(2026, 1, 6), "Epiphany", nationwide=False),
        holiday(date(2026, 4, 3), "Good Friday"),
        holiday(date(2026, 4, 6), "Easter Monday"),
        holiday(date(2026, 5, 1), "Labour Day"),
        holiday(date(2026, 5, 14), "Ascension Day"),
        holiday(date(2026, 5, 25), "Whit Monday"),
        holiday(date(2026, 10, 3), "German Unity Day"),  # a Saturday
        holiday(date(2026, 10, 31), "Reformation Day", nationwide=False),
        holiday(date(2026, 12, 24), "Christmas Eve", types=("Observance",)),
        holiday(date(2026, 12, 25), "Christmas Day"),
        holiday(date(2026, 12, 26), "St. Stephen's Day"),  # a Saturday
    ],
    ("DE", 2027): [
        holiday(date(2027, 1, 1), "New Year's Day"),
        holiday(date(2027, 3, 26), "Good Friday"),
        holiday(date(2027, 3, 29), "Easter Monday"),
        holiday(date(2027, 5, 1), "Labour Day"),  # a Saturday
        holiday(date(2027, 5, 6), "Ascension Day"),
        holiday(date(2027, 5, 17), "Whit Monday"),
        holiday(date(2027, 10, 3), "German Unity Day"),  # a Sunday
        holiday(date(2027, 12, 25), "Christmas Day"),  # a Saturday
        holiday(date(2027, 12, 26), "St. Stephen's Day"),  # a Sunday
    ],
}


Failure = httpx.Response | Exception


class FakeNager:
    """The behaviour of the fake holidays API: its data, and failures a test asks for.

    An unknown country answers 404, like Nager.Date; a known country and a year without data
    answers an empty list.
    """

    def __init__(self, data: Mapping[tuple[str, int], list[NagerHoliday]]) -> None:
        self.data = dict(data)
        self._next_failures: deque[Failure] = deque()
        self._every_failure: Failure | None = None

    def fail_next(self, *failures: Failure) -> None:
        """The next requests fail like this (an error response, or an exception), in order."""
        self._next_failures.extend(failures)

    def fail_always(self, failure: Failure) -> None:
        """Every request from now on fails like this."""
        self._every_failure = failure

    def respond(self, request: httpx.Request, year: str, country: str) -> httpx.Response:
        """A respx side effect for ``/api/v3/PublicHolidays/{year}/{country}``."""
        failure = self._next_failures.popleft() if self._next_failures else self._every_failure
        if isinstance(failure, Exception):
            raise failure
        if failure is not None:
            return failure
        return self.answer(int(year), country)

    def answer(self, year: int, country: str) -> httpx.Response:
        """What Nager.Date answers when it works."""
        country = country.upper()
        if country not in {known for known, _ in self.data}:
            return httpx.Response(404, json={"title": "Not Found", "status": 404})
        return httpx.Response(200, json=self.data.get((country, year), []))


def holiday_requests(router: respx.MockRouter) -> list[str]:
    """The paths the code under test asked the holidays API for, in order."""
    return [call.request.url.path for call in router["holidays"].calls]
