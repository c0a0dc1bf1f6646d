"""4.6.1: the holidays client against a fake API: parsing, cache, retries, timeouts, errors."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest
import respx

from module_4_6_pytest.holidays import (
    HolidaysUnavailableError,
    RetryPolicy,
    UnknownCountryError,
)
from module_4_6_pytest.tests.nager import Failure, FakeNager, holiday_requests
from module_4_6_pytest.tests.unit.conftest import FakeClock, HolidaysClientFactory


async def test_only_nationwide_public_holidays_count(
    make_holidays_client: HolidaysClientFactory, holidays_api: respx.MockRouter
) -> None:
    # region 4.6.1 core: only nationwide public holidays count
    holidays = await make_holidays_client().public_holidays(2026, "de")

    assert holiday_requests(holidays_api) == ["/api/v3/PublicHolidays/2026/DE"]
    assert date(2026, 4, 3) in holidays  # Good Friday
    assert date(2026, 1, 6) not in holidays  # Epiphany: Bavaria and a few more only
    assert date(2026, 12, 24) not in holidays  # Christmas Eve: an observance, not a day off
    assert len(holidays) == 9
    # endregion 4.6.1


async def test_answers_are_cached_until_they_expire(
    make_holidays_client: HolidaysClientFactory,
    holidays_api: respx.MockRouter,
    clock: FakeClock,
) -> None:
    # region 4.6.1 extra: answers are cached until they expire
    client = make_holidays_client(cache_ttl=60.0)

    first = await client.public_holidays(2026, "DE")
    clock.advance(59)
    assert await client.public_holidays(2026, "DE") == first
    assert holidays_api["holidays"].call_count == 1

    clock.advance(2)
    await client.public_holidays(2026, "DE")
    assert holidays_api["holidays"].call_count == 2
    # endregion 4.6.1


async def test_concurrent_callers_share_one_request(
    make_holidays_client: HolidaysClientFactory, holidays_api: respx.MockRouter
) -> None:
    # region 4.6.1 extra: concurrent callers share one request
    client = make_holidays_client()

    answers = await asyncio.gather(*(client.public_holidays(2027, "DE") for _ in range(5)))

    assert len(set(answers)) == 1
    assert holidays_api["holidays"].call_count == 1
    # endregion 4.6.1


async def test_a_transient_failure_is_retried(
    make_holidays_client: HolidaysClientFactory, holidays_api: respx.MockRouter, nager: FakeNager
) -> None:
    # region 4.6.1 extra: a transient failure is retried
    nager.fail_next(httpx.ReadTimeout("slow"), httpx.Response(503))

    holidays = await make_holidays_client(attempts=3).public_holidays(2026, "DE")

    assert date(2026, 12, 25) in holidays
    assert holidays_api["holidays"].call_count == 3
    # endregion 4.6.1


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        pytest.param(httpx.ConnectTimeout("no answer"), "timed out", id="connect-timeout"),
        pytest.param(httpx.ReadTimeout("no answer"), "timed out", id="read-timeout"),
        pytest.param(httpx.ConnectError("refused"), "connection failed", id="connection-refused"),
        pytest.param(httpx.Response(500), "HTTP 500", id="server-error"),
        pytest.param(httpx.Response(429), "HTTP 429", id="rate-limited"),
    ],
)
async def test_persistent_failures_give_up_after_every_attempt(
    make_holidays_client: HolidaysClientFactory,
    holidays_api: respx.MockRouter,
    nager: FakeNager,
    failure: Failure,
    reason: str,
) -> None:
    # region 4.6.1 extra: persistent failures give up after every attempt
    nager.fail_always(failure)

    with pytest.raises(HolidaysUnavailableError, match=f"failed 2 time\\(s\\), last: {reason}"):
        await make_holidays_client(attempts=2).public_holidays(2026, "DE")
    assert holidays_api["holidays"].call_count == 2
    # endregion 4.6.1


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(httpx.Response(200, text="<html>maintenance</html>"), id="not-json"),
        pytest.param(httpx.Response(200, json={"holidays": []}), id="object-not-list"),
        pytest.param(httpx.Response(200, json=[{"name": "?"}]), id="entry-without-date"),
        pytest.param(httpx.Response(403), id="forbidden"),
    ],
)
async def test_nonsense_answers_are_not_retried(
    make_holidays_client: HolidaysClientFactory,
    holidays_api: respx.MockRouter,
    nager: FakeNager,
    response: httpx.Response,
) -> None:
    # region 4.6.1 extra: nonsense answers are not retried
    nager.fail_always(response)

    with pytest.raises(HolidaysUnavailableError, match="public holidays API answered"):
        await make_holidays_client().public_holidays(2026, "DE")
    assert holidays_api["holidays"].call_count == 1
    # endregion 4.6.1


async def test_an_unknown_country_is_the_callers_mistake(
    make_holidays_client: HolidaysClientFactory, holidays_api: respx.MockRouter
) -> None:
    # region 4.6.1 core: an unknown country is the callers mistake
    with pytest.raises(UnknownCountryError, match="unknown country code 'XX'"):
        await make_holidays_client().public_holidays(2026, "XX")
    assert holidays_api["holidays"].call_count == 1
    # endregion 4.6.1


async def test_no_content_means_no_holidays(
    make_holidays_client: HolidaysClientFactory, nager: FakeNager
) -> None:
    # region 4.6.1 extra: no content means no holidays
    nager.fail_always(httpx.Response(204))  # not a failure: Nager.Date's "nothing to list"

    assert await make_holidays_client().public_holidays(2026, "DE") == frozenset()
    # endregion 4.6.1


async def test_failures_are_not_cached(
    make_holidays_client: HolidaysClientFactory, nager: FakeNager
) -> None:
    # region 4.6.1 extra: failures are not cached
    client = make_holidays_client(attempts=1)
    nager.fail_next(httpx.Response(502))

    with pytest.raises(HolidaysUnavailableError):
        await client.public_holidays(2026, "DE")
    assert date(2026, 1, 1) in await client.public_holidays(2026, "DE")
    # endregion 4.6.1


def test_backoff_doubles_between_attempts() -> None:
    # region 4.6.1 extra: backoff doubles between attempts
    policy = RetryPolicy(attempts=4, backoff=0.1)

    assert [policy.delay_before(attempt) for attempt in (1, 2, 3)] == pytest.approx([0.1, 0.2, 0.4])
    # endregion 4.6.1


@pytest.mark.parametrize(
    ("attempts", "backoff"), [(0, 0.1), (1, -0.1)], ids=["no-attempt", "negative-backoff"]
)
def test_a_retry_policy_must_make_sense(attempts: int, backoff: float) -> None:
    # region 4.6.1 extra: a retry policy must make sense
    with pytest.raises(ValueError, match="at least one attempt"):
        RetryPolicy(attempts=attempts, backoff=backoff)
    # endregion 4.6.1
