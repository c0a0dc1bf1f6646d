"""Task 4.2.1, core: download the same pages one after another, then all at once, and time both.

    uv run --group section-4-2 python -m module_4_2_asyncio.downloader --pages 100 --latency 0.1

The pages come from the local page server (``page_server.py``), which answers every request after
``--latency`` seconds, so the comparison is offline and repeatable.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohttp

from module_4_2_asyncio.downloader.page_server import PageServer, PageServerConfig


@dataclass(frozen=True, slots=True)
class Comparison:
    """How long the same pages took sequentially and concurrently."""

    pages: int
    sequential_seconds: float
    concurrent_seconds: float

    @property
    def speedup(self) -> float:
        """How many times faster the concurrent run was."""
        return self.sequential_seconds / self.concurrent_seconds


async def fetch_page(session: aiohttp.ClientSession, url: str) -> bytes:
    """GET one page and return its body; raise ``aiohttp.ClientResponseError`` unless it is 2xx."""
    # region 4.2.1 core: GET the page, raise unless 2xx, return its body
    #: tip: `async with session.get(url) as response:`, `response.raise_for_status()`,
    #: then `return await response.read()`
    async with session.get(url) as response:
        response.raise_for_status()
        return await response.read()
    # endregion 4.2.1


async def download_sequentially(session: aiohttp.ClientSession, urls: Sequence[str]) -> list[bytes]:
    """Download the pages one after another: each ``await`` ends before the next request starts."""
    # region 4.2.1 core: await fetch_page for each URL in turn
    return [await fetch_page(session, url) for url in urls]
    # endregion 4.2.1


async def download_concurrently(session: aiohttp.ClientSession, urls: Sequence[str]) -> list[bytes]:
    """Download all the pages at once: every request is in flight before the first answer."""
    # region 4.2.1 core: asyncio.gather over one fetch_page per URL
    #: tip: gather keeps the order of its arguments, whatever order the answers arrive in
    return list(await asyncio.gather(*(fetch_page(session, url) for url in urls)))
    # endregion 4.2.1


async def compare(
    urls: Sequence[str], clock: Callable[[], float] = time.perf_counter
) -> Comparison:
    """Download ``urls`` sequentially, then concurrently, with one ``ClientSession``; time each run.

    ``clock`` reads the time in seconds; the default, ``time.perf_counter``, is the one for that.

    Raises ``ValueError`` if the two runs did not bring the same pages.
    """
    # region 4.2.1 core: one ClientSession, time both downloads
    #: tip: `started = clock()` before a run, `clock() - started` after it
    async with aiohttp.ClientSession() as session:
        started = clock()
        one_by_one = await download_sequentially(session, urls)
        sequential_seconds = clock() - started
        started = clock()
        all_at_once = await download_concurrently(session, urls)
        concurrent_seconds = clock() - started
    if one_by_one != all_at_once:
        raise ValueError("the sequential and the concurrent runs brought different pages")
    return Comparison(len(urls), sequential_seconds, concurrent_seconds)
    # endregion 4.2.1


def main(argv: Sequence[str] | None = None) -> int:
    """Serve ``--pages`` local pages, compare the two downloads and print the difference."""
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.downloader",
        description=(
            "Download the same pages from a local server sequentially, then concurrently "
            "(asyncio.gather), and print how long each took."
        ),
    )
    parser.add_argument("--pages", type=int, default=100, help="pages to download (default 100)")
    parser.add_argument(
        "--latency", type=float, default=0.1, help="seconds the server takes per page (0.1)"
    )
    arguments = parser.parse_args(argv)
    if arguments.pages < 1 or not arguments.latency >= 0:
        parser.error("--pages must be at least 1 and --latency at least 0")
    with PageServer(PageServerConfig(pages=arguments.pages, latency=arguments.latency)) as server:
        urls = [server.url(index) for index in range(arguments.pages)]
        result = asyncio.run(compare(urls))
    sys.stdout.write(
        f"{result.pages} pages, {arguments.latency * 1000:g} ms each on the local server\n"
        f"sequential: {result.sequential_seconds:8.3f} s\n"
        f"concurrent: {result.concurrent_seconds:8.3f} s\n"
        f"concurrent is {result.speedup:.1f}x faster\n"
    )
    return 0
