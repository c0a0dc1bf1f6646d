"""4.6.2: the due-date calculator endpoint: holidays, the cache and the fallback, over HTTP."""

from __future__ import annotations

import httpx
import pytest
import respx

from module_4_6_pytest.tests.nager import FakeNager

pytestmark = pytest.mark.integration

Query = dict[str, str | int]


def query(start: str, days: int, country: str = "DE") -> Query:
    return {"start": start, "days": days, "country": country}


@pytest.mark.parametrize(
    ("start", "days", "due", "skipped"),
    [
        pytest.param("2026-04-02", 1, "2026-04-07", ["2026-04-03", "2026-04-06"], id="easter"),
        pytest.param("2026-12-24", 5, "2027-01-04", ["2026-12-25", "2027-01-01"], id="new-year"),
        pytest.param("2026-10-02", 1, "2026-10-05", [], id="holiday-on-saturday"),
    ],
)
async def test_due_date_skips_public_holidays(
    client: httpx.AsyncClient, start: str, days: int, due: str, skipped: list[str]
) -> None:
    # region 4.6.2 core: due date skips public holidays
    response = await client.get("/due-date", params=query(start, days))

    assert response.status_code == 200
    assert response.json() == {
        "start_date": start,
        "business_days": days,
        "country": "DE",
        "due_date": due,
        "calendar_source": "public-holidays",
        "holidays_skipped": skipped,
        "warning": None,
    }
    # endregion 4.6.2


async def test_holidays_are_fetched_once_per_country_and_year(
    client: httpx.AsyncClient, holidays_api: respx.MockRouter
) -> None:
    # region 4.6.2 core: holidays are fetched once per country and year
    for start in ("2026-03-02", "2026-06-01", "2026-09-01"):
        response = await client.get("/due-date", params=query(start, 3))
        assert response.status_code == 200

    assert holidays_api["holidays"].call_count == 1
    # endregion 4.6.2


async def test_a_flaky_api_is_retried_without_the_user_noticing(
    client: httpx.AsyncClient, holidays_api: respx.MockRouter, nager: FakeNager
) -> None:
    # region 4.6.2 core: a flaky api is retried without the user noticing
    nager.fail_next(httpx.ReadTimeout("slow"))

    response = await client.get("/due-date", params=query("2026-04-02", 1))

    assert response.json()["calendar_source"] == "public-holidays"
    assert holidays_api["holidays"].call_count == 2
    # endregion 4.6.2


async def test_a_dead_api_gives_weekends_only_with_a_warning(
    client: httpx.AsyncClient, nager: FakeNager
) -> None:
    # region 4.6.2 core: a dead api gives weekends only with a warning
    nager.fail_always(httpx.ReadTimeout("no answer"))

    response = await client.get("/due-date", params=query("2026-04-02", 1))

    body = response.json()
    assert response.status_code == 200
    assert (body["due_date"], body["calendar_source"]) == ("2026-04-03", "weekends-only")
    assert body["warning"] == (
        "public holidays unavailable, counted weekends only: "
        "public holidays API failed 2 time(s), last: timed out (ReadTimeout)"
    )
    # endregion 4.6.2


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"start": "2026-02-30", "days": 1, "country": "DE"}, id="no-such-date"),
        pytest.param({"start": "9999-12-30", "days": 5, "country": "DE"}, id="end-of-the-calendar"),
        pytest.param({"start": "2026-04-02", "days": -1, "country": "DE"}, id="negative-days"),
        pytest.param({"start": "2026-04-02", "days": 1001, "country": "DE"}, id="too-many-days"),
        pytest.param({"start": "2026-04-02", "days": 1, "country": "Germany"}, id="bad-country"),
        pytest.param({"start": "2026-04-02", "days": 1}, id="missing-country"),
    ],
)
async def test_bad_queries_are_422(client: httpx.AsyncClient, params: Query) -> None:
    # region 4.6.2 core: bad queries are 422
    response = await client.get("/due-date", params=params)

    assert response.status_code == 422
    # endregion 4.6.2
