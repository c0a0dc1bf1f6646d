"""Four ways to download the same pages; each function is only the idea it teaches.

- ``sequential``: one ``await`` after another - ``async`` alone makes nothing concurrent.
- ``concurrent``: one ``ClientSession``, ``gather`` over coroutines, a semaphore as the limit.
- ``blocking``: the classic mistake - a blocking call inside ``async def`` freezes the event loop,
  so ``gather`` gains nothing and the run is as slow as the sequential one.
- ``threads``: the blocking client in a thread pool; the OS switches threads while they wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import aiohttp

from module_4_2_asyncio.downloader.fetching import (
    FetchPolicy,
    PageResult,
    PageSpec,
    fetch_page,
    fetch_page_blocking,
)

Progress = Callable[[PageResult], None]


def _ignore_progress(result: PageResult) -> None:
    del result


@dataclass(frozen=True, slots=True)
class DownloadOptions:
    """What every strategy gets: the policy, how many downloads may run at once, progress."""

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    concurrency: int = 100
    progress: Progress = _ignore_progress

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")


Strategy = Callable[[Sequence[PageSpec], DownloadOptions], Awaitable[list[PageResult]]]


def _client_session(options: DownloadOptions) -> aiohttp.ClientSession:
    # One session for all pages: it keeps a pool of connections, reused across requests.
    connector = aiohttp.TCPConnector(limit=options.concurrency)
    return aiohttp.ClientSession(connector=connector, raise_for_status=False)


async def _gather_reporting(
    awaitables: Iterable[Awaitable[PageResult]], progress: Progress
) -> list[PageResult]:
    # region 4.2.1 extra: gather, reporting each page as it ends
    async def report_when_done(awaitable: Awaitable[PageResult]) -> PageResult:
        result = await awaitable
        progress(result)
        return result

    return list(await asyncio.gather(*(report_when_done(each) for each in awaitables)))
    # endregion 4.2.1


async def download_sequentially(
    specs: Sequence[PageSpec], options: DownloadOptions
) -> list[PageResult]:
    """Each ``await`` finishes before the next request starts: N pages take N latencies."""
    # region 4.2.1 extra: one session; await each page in turn
    results = []
    async with _client_session(options) as session:
        for spec in specs:
            result = await fetch_page(session, spec, options.policy)
            options.progress(result)
            results.append(result)
    return results
    # endregion 4.2.1


async def download_concurrently(
    specs: Sequence[PageSpec], options: DownloadOptions
) -> list[PageResult]:
    """All requests are in flight together, at most ``concurrency`` at once: ~one latency."""
    # region 4.2.1 extra: gather, at most `concurrency` at once
    limit = asyncio.Semaphore(options.concurrency)

    async def fetch_within_limit(session: aiohttp.ClientSession, spec: PageSpec) -> PageResult:
        async with limit:
            return await fetch_page(session, spec, options.policy)

    async with _client_session(options) as session:
        return await _gather_reporting(
            (fetch_within_limit(session, spec) for spec in specs), options.progress
        )
    # endregion 4.2.1


async def download_blocking_in_async(
    specs: Sequence[PageSpec], options: DownloadOptions
) -> list[PageResult]:
    """WRONG ON PURPOSE: coroutines that block. ``gather`` runs them, but one at a time."""

    # region 4.2.1 extra: the mistake: urllib inside async def
    async def fetch_blocking(spec: PageSpec) -> PageResult:
        # Pitfall shown here: urllib blocks the whole event loop until the page has arrived;
        # no other coroutine can run meanwhile, so "concurrent" is sequential again.
        return fetch_page_blocking(spec, options.policy)

    return await _gather_reporting((fetch_blocking(spec) for spec in specs), options.progress)
    # endregion 4.2.1


async def download_with_threads(
    specs: Sequence[PageSpec], options: DownloadOptions
) -> list[PageResult]:
    """The blocking client, each call in a pool thread: the right way to call blocking code."""
    # region 4.2.1 extra: urllib in a thread pool (run_in_executor)
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        return await _gather_reporting(
            (
                loop.run_in_executor(pool, fetch_page_blocking, spec, options.policy)
                for spec in specs
            ),
            options.progress,
        )
    # endregion 4.2.1


STRATEGIES: dict[str, Strategy] = {
    "sequential": download_sequentially,
    "concurrent": download_concurrently,
    "blocking": download_blocking_in_async,
    "threads": download_with_threads,
}
