"""A client of a Nager.Date-style public-holidays API with timeouts, retries and a cache.

``GET {base_url}/api/v3/PublicHolidays/{year}/{country}`` answers a JSON list of holidays. Only
nationwide public holidays count: a regional one does not stop a whole team.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http import HTTPStatus

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

logger = logging.getLogger(__name__)

Clock = Callable[[], float]


class HolidaysError(Exception):
    """The holidays of a year could not be had."""


class UnknownCountryError(HolidaysError):
    """The API does not know this country code (the caller's mistake, not an outage)."""


class HolidaysUnavailableError(HolidaysError):
    """The API failed, timed out or answered nonsense, even after the retries."""


class _RetryableError(Exception):
    """A failure worth another attempt: timeouts, lost connections, 429 and 5xx."""


class PublicHoliday(BaseModel):
    """One entry of the API's answer; fields the service does not use are ignored."""

    model_config = ConfigDict(frozen=True)

    date: date
    name: str
    nationwide: bool = Field(alias="global")
    types: tuple[str, ...] = ("Public",)

    @property
    def closes_business(self) -> bool:
        return self.nationwide and "Public" in self.types


_HOLIDAY_LIST = TypeAdapter(list[PublicHoliday])


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: ``attempts`` in total, waiting ``backoff * 2**n`` seconds in between."""

    attempts: int = 3
    backoff: float = 0.2

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.backoff < 0:
            raise ValueError("a retry policy needs at least one attempt and a backoff >= 0")

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1, 2, ...)."""
        return float(self.backoff * 2 ** (attempt - 1))


@dataclass
class _CacheEntry:
    holidays: frozenset[date]
    expires_at: float


@dataclass
class HolidaysClient:
    """Fetches the public holidays of a country and year; keeps answers for ``cache_ttl`` s.

    ``http`` carries the base URL and the timeouts (an ``httpx.AsyncClient`` owned by the caller).
    Failures are not cached: the next request tries again.
    """

    http: httpx.AsyncClient
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cache_ttl: float = 24 * 3600.0
    clock: Clock = time.monotonic
    _cache: dict[tuple[str, int], _CacheEntry] = field(default_factory=dict, init=False)
    _locks: dict[tuple[str, int], asyncio.Lock] = field(default_factory=dict, init=False)

    async def public_holidays(self, year: int, country: str) -> frozenset[date]:
        """The nationwide public holidays of ``country`` (ISO 3166-1 alpha-2) in ``year``."""
        key = (country.upper(), year)
        # One request per key at a time: concurrent callers wait for the first one's answer.
        async with self._locks.setdefault(key, asyncio.Lock()):
            entry = self._cache.get(key)
            if entry is not None and entry.expires_at > self.clock():
                return entry.holidays
            holidays = await self._fetch_with_retries(*key)
            self._cache[key] = _CacheEntry(holidays, self.clock() + self.cache_ttl)
            return holidays

    async def _fetch_with_retries(self, country: str, year: int) -> frozenset[date]:
        attempt = 1
        while True:
            try:
                return await self._fetch(country, year)
            except _RetryableError as error:
                if attempt >= self.retry.attempts:
                    raise HolidaysUnavailableError(
                        f"public holidays API failed {attempt} time(s), last: {error}"
                    ) from error
                logger.warning(
                    "holidays %s/%s attempt %d failed: %s", country, year, attempt, error
                )
                await asyncio.sleep(self.retry.delay_before(attempt))
                attempt += 1

    async def _fetch(self, country: str, year: int) -> frozenset[date]:
        try:
            response = await self.http.get(f"/api/v3/PublicHolidays/{year}/{country}")
        except httpx.TimeoutException as error:
            raise _RetryableError(f"timed out ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise _RetryableError(f"connection failed ({type(error).__name__})") from error
        if (
            response.status_code == HTTPStatus.TOO_MANY_REQUESTS
            or response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR
        ):
            raise _RetryableError(f"HTTP {response.status_code}")
        if response.status_code == HTTPStatus.NOT_FOUND:
            raise UnknownCountryError(f"unknown country code {country!r}")
        if response.status_code == HTTPStatus.NO_CONTENT:
            return frozenset()
        if response.status_code != HTTPStatus.OK:
            raise HolidaysUnavailableError(
                f"public holidays API answered HTTP {response.status_code}"
            )
        try:
            entries = _HOLIDAY_LIST.validate_json(response.content)
        except ValidationError as error:
            raise HolidaysUnavailableError(
                f"public holidays API answered an unexpected body ({error.error_count()} errors)"
            ) from error
        return frozenset(entry.date for entry in entries if entry.closes_business)
