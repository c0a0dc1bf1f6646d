"""Downloading one page, verified and retried: the same rules for the async and the blocking client.

Both clients only perform one HTTP request; judging the answer (``assess``) and deciding whether
and when to try again (``FetchPolicy.wait_before_retry``) are shared, so the strategies differ in
nothing but how they wait.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

import aiohttp

from module_4_2_asyncio.backoff import Backoff

TOO_MANY_REQUESTS = 429


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A page to download and, when known, the size and SHA-256 it must have."""

    url: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class PageResult:
    """How downloading one page ended, after all its attempts."""

    url: str
    ok: bool
    status: int | None
    attempts: int
    seconds: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt judged: success, or an error that may be worth another try."""

    ok: bool
    status: int | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Per-request timeout and retry rules: 5xx, 429 and network errors retry, other 4xx never."""

    timeout: float = 10.0
    max_attempts: int = 4
    backoff: Backoff = field(default_factory=lambda: Backoff(base=0.1, cap=5.0))
    max_retry_after: float = 30.0

    def wait_before_retry(self, outcome: Outcome, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None when this outcome is final."""
        # region 4.2.1 extra: the backoff or Retry-After; None when final
        if outcome.ok or not outcome.retryable or attempt >= self.max_attempts:
            return None
        delay = self.backoff.delay(attempt)
        if outcome.retry_after is not None:
            if outcome.retry_after > self.max_retry_after:
                return None  # the server asks for longer than we are willing to wait
            delay = max(delay, outcome.retry_after)
        return delay
        # endregion 4.2.1


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date."""
    # region 4.2.1 extra: delay-seconds or an HTTP date, in seconds
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))
    # endregion 4.2.1


def assess(spec: PageSpec, status: int, body: bytes, retry_after: str | None) -> Outcome:
    """Judge one HTTP answer: the status first, then the size and checksum of the body."""
    # region 4.2.1 extra: judge the status, then the size and checksum
    if status == TOO_MANY_REQUESTS or status >= 500:
        return Outcome(
            ok=False,
            status=status,
            error=f"HTTP {status}",
            retryable=True,
            retry_after=parse_retry_after(retry_after),
        )
    if status != 200:
        return Outcome(ok=False, status=status, error=f"HTTP {status}")
    if spec.size is not None and len(body) != spec.size:
        error = f"size {len(body)} bytes, expected {spec.size}"
        return Outcome(ok=False, status=status, error=error, retryable=True)
    if spec.sha256 is not None and hashlib.sha256(body).hexdigest() != spec.sha256.lower():
        return Outcome(ok=False, status=status, error="checksum mismatch", retryable=True)
    return Outcome(ok=True, status=status)
    # endregion 4.2.1


def _result(spec: PageSpec, outcome: Outcome, attempts: int, started: float) -> PageResult:
    return PageResult(
        url=spec.url,
        ok=outcome.ok,
        status=outcome.status,
        attempts=attempts,
        seconds=time.perf_counter() - started,
        error=outcome.error,
    )


async def _attempt_async(
    session: aiohttp.ClientSession, spec: PageSpec, time_limit: float
) -> Outcome:
    # region 4.2.1 extra: one aiohttp request; errors become an Outcome
    try:
        request_timeout = aiohttp.ClientTimeout(total=time_limit)
        async with session.get(spec.url, timeout=request_timeout) as response:
            body = await response.read()
            return assess(spec, response.status, body, response.headers.get("Retry-After"))
    except TimeoutError:
        return Outcome(ok=False, error=f"timed out after {time_limit:g} s", retryable=True)
    except aiohttp.ClientError as error:
        return Outcome(ok=False, error=f"{type(error).__name__}: {error}", retryable=True)
    # endregion 4.2.1


async def fetch_page(
    session: aiohttp.ClientSession, spec: PageSpec, policy: FetchPolicy
) -> PageResult:
    """Download one page with aiohttp, retrying as the policy says; never raises for HTTP errors."""
    # region 4.2.1 extra: attempt; asyncio.sleep before each retry
    started = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        outcome = await _attempt_async(session, spec, policy.timeout)
        delay = policy.wait_before_retry(outcome, attempt)
        if delay is None:
            return _result(spec, outcome, attempt, started)
        await asyncio.sleep(delay)  # other downloads go on while this one waits
    # endregion 4.2.1


def _attempt_blocking(spec: PageSpec, timeout: float) -> Outcome:
    # region 4.2.1 extra: one urllib request; errors become an Outcome
    try:
        # The URL's scheme is checked to be http(s) where it is read (load_url_list).
        with urllib.request.urlopen(spec.url, timeout=timeout) as response:  # noqa: S310
            body = response.read()
            return assess(spec, response.status, body, response.headers.get("Retry-After"))
    except urllib.error.HTTPError as error:
        with error:
            return assess(spec, error.code, error.read(), error.headers.get("Retry-After"))
    except TimeoutError:
        return Outcome(ok=False, error=f"timed out after {timeout:g} s", retryable=True)
    except (urllib.error.URLError, OSError) as error:
        return Outcome(ok=False, error=f"{type(error).__name__}: {error}", retryable=True)
    # endregion 4.2.1


def fetch_page_blocking(spec: PageSpec, policy: FetchPolicy) -> PageResult:
    """The same download with the blocking standard library client: holds its thread throughout."""
    # region 4.2.1 extra: the same retry loop with time.sleep
    started = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        outcome = _attempt_blocking(spec, policy.timeout)
        delay = policy.wait_before_retry(outcome, attempt)
        if delay is None:
            return _result(spec, outcome, attempt, started)
        time.sleep(delay)
    # endregion 4.2.1


class UrlListError(ValueError):
    """A line of a ``--urls`` file that is not ``URL [SHA256]``."""


def load_url_list(path: Path) -> list[PageSpec]:
    """Read ``URL [SHA256]`` lines; blank lines and ``#`` comments are skipped."""
    # region 4.2.1 extra: read 'URL [SHA256]' lines, reject bad ones
    specs: list[PageSpec] = []
    for number, raw_line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        url, *rest = line.split()
        if not url.startswith(("http://", "https://")):
            raise UrlListError(f"{path}:{number}: not an http(s) URL: {url!r}")
        if len(rest) > 1:
            raise UrlListError(f"{path}:{number}: expected 'URL [SHA256]', got {raw_line!r}")
        checksum = rest[0] if rest else None
        if checksum is not None and (
            len(checksum) != 64 or any(c not in "0123456789abcdefABCDEF" for c in checksum)
        ):
            raise UrlListError(f"{path}:{number}: not a SHA-256 hex digest: {checksum!r}")
        specs.append(PageSpec(url, sha256=checksum))
    if not specs:
        raise UrlListError(f"{path}: no URLs in the file")
    return specs
    # endregion 4.2.1
