"""4.6.1: due dates over the holidays client: holidays applied, years crossed, fallback."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
import respx

from module_4_6_pytest.deadlines import CalendarSource, DeadlineCalculator
from module_4_6_pytest.holidays import UnknownCountryError
from module_4_6_pytest.tests.nager import Failure, FakeNager, holiday, holiday_requests
from module_4_6_pytest.tests.unit.conftest import HolidaysClientFactory


@pytest.fixture
def calculator(make_holidays_client: HolidaysClientFactory) -> DeadlineCalculator:
    return DeadlineCalculator(make_holidays_client(attempts=2))


async def test_public_holidays_push_the_due_date(calculator: DeadlineCalculator) -> None:
    # region 4.6.1 core: public holidays push the due date
    result = await calculator.due_date(date(2026, 4, 2), 1, "DE")

    assert result.due == date(2026, 4, 7)
    assert result.source is CalendarSource.PUBLIC_HOLIDAYS
    assert result.holidays_skipped == (date(2026, 4, 3), date(2026, 4, 6))
    assert result.warning is None
    # endregion 4.6.1


async def test_a_count_across_new_year_fetches_both_years(
    calculator: DeadlineCalculator, holidays_api: respx.MockRouter
) -> None:
    # region 4.6.1 extra: a count across new year fetches both years
    # Dec 28-31 are four working days; Jan 1 2027 is a holiday; the fifth is Monday Jan 4.
    result = await calculator.due_date(date(2026, 12, 24), 5, "DE")

    assert result.due == date(2027, 1, 4)
    assert result.holidays_skipped == (date(2026, 12, 25), date(2027, 1, 1))
    assert holiday_requests(holidays_api) == [
        "/api/v3/PublicHolidays/2026/DE",
        "/api/v3/PublicHolidays/2027/DE",
    ]
    # endregion 4.6.1


async def test_holidays_can_push_the_count_into_the_next_year(
    calculator: DeadlineCalculator, holidays_api: respx.MockRouter, nager: FakeNager
) -> None:
    # region 4.6.1 extra: holidays can push the count into the next year
    # Without holidays, 2 days after Dec 29 2026 is Dec 31; the answer moves only once the 2026
    # holidays are known, and then 2027's must be fetched too.
    nager.data[("DE", 2026)] = [holiday(date(2026, 12, 30), "A made-up holiday")]

    result = await calculator.due_date(date(2026, 12, 29), 2, "DE")

    assert result.due == date(2027, 1, 4)
    assert holidays_api["holidays"].call_count == 2
    # endregion 4.6.1


async def test_zero_days_from_a_holiday_lists_the_start_as_skipped(
    calculator: DeadlineCalculator,
) -> None:
    # region 4.6.1 extra: zero days from a holiday lists the start as skipped
    result = await calculator.due_date(date(2026, 4, 3), 0, "DE")

    assert result.due == date(2026, 4, 7)
    assert result.holidays_skipped == (date(2026, 4, 3), date(2026, 4, 6))
    # endregion 4.6.1


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(httpx.ConnectTimeout("no answer"), id="timeout"),
        pytest.param(httpx.Response(503), id="unavailable"),
    ],
)
async def test_without_holidays_it_falls_back_to_weekends_and_says_so(
    calculator: DeadlineCalculator,
    nager: FakeNager,
    failure: Failure,
) -> None:
    # region 4.6.1 core: without holidays it falls back to weekends and says so
    nager.fail_always(failure)

    result = await calculator.due_date(date(2026, 4, 2), 1, "DE")

    assert result.due == date(2026, 4, 3)  # Good Friday, which nobody could know
    assert result.source is CalendarSource.WEEKENDS_ONLY
    assert result.holidays_skipped == ()
    assert result.warning is not None
    assert "counted weekends only" in result.warning
    # endregion 4.6.1


async def test_one_missing_year_means_weekends_only_for_the_whole_answer(
    calculator: DeadlineCalculator, nager: FakeNager
) -> None:
    # region 4.6.1 extra: one missing year means weekends only for the whole answer
    await calculator.holidays.public_holidays(2026, "DE")  # 2026 is cached ...
    nager.fail_always(httpx.Response(500))  # ... and then the API goes down before 2027

    result = await calculator.due_date(date(2026, 12, 24), 5, "DE")

    assert result.source is CalendarSource.WEEKENDS_ONLY
    assert result.due == date(2026, 12, 31)
    # endregion 4.6.1


async def test_an_unknown_country_is_not_hidden_by_the_fallback(
    calculator: DeadlineCalculator,
) -> None:
    # region 4.6.1 core: an unknown country is not hidden by the fallback
    with pytest.raises(UnknownCountryError):
        await calculator.due_date(date(2026, 4, 2), 1, "XX")
    # endregion 4.6.1
