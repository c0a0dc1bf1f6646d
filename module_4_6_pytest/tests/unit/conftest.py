"""Unit layer: a holidays client on its own, over the fake API of the top conftest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from module_4_6_pytest.holidays import HolidaysClient, RetryPolicy
from module_4_6_pytest.tests.nager import HOLIDAYS_URL


class FakeClock:
    """A monotonic clock the test moves by hand, so cache expiry needs no waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The connection pool the client borrows; closed after the test (``yield`` teardown)."""
    async with httpx.AsyncClient(base_url=HOLIDAYS_URL, timeout=1.0) as client:
        yield client


HolidaysClientFactory = Callable[..., HolidaysClient]


@pytest.fixture
def make_holidays_client(
    http: httpx.AsyncClient, clock: FakeClock, holidays_api: object
) -> HolidaysClientFactory:
    """A factory fixture: each test builds the client it needs, with sensible defaults.

    Backoff is zero so retries do not slow the suite; the schedule itself is tested on its own.
    Asking for ``holidays_api`` here means no client is ever built without the fake API.
    """

    def make(*, attempts: int = 3, cache_ttl: float = 60.0) -> HolidaysClient:
        return HolidaysClient(
            http, RetryPolicy(attempts=attempts, backoff=0.0), cache_ttl=cache_ttl, clock=clock
        )

    return make
