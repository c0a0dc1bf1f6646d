"""Task 4.2.1, core: sequential and concurrent downloads from the local page server, timed."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from module_4_2_asyncio.downloader.page_server import PageServer, PageServerConfig, page_body
from module_4_2_asyncio.downloader.simple import (
    compare,
    download_concurrently,
    download_sequentially,
    fetch_page,
    main,
)

pytestmark = pytest.mark.task("4.2.1", level="core")

ROOT = Path(__file__).resolve().parents[2]

PAGES = 10
SIZE = 2000


@pytest.fixture
def server() -> Iterator[PageServer]:
    with PageServer(PageServerConfig(pages=PAGES, latency=0.05, size=SIZE)) as running:
        yield running


def urls_of(server: PageServer) -> list[str]:
    return [server.url(index) for index in range(server.config.pages)]


def bodies(pages: int, size: int = SIZE) -> list[bytes]:
    return [page_body(index, size) for index in range(pages)]


async def test_sequential_download_brings_every_page_in_order_one_request_at_a_time(
    server: PageServer,
) -> None:
    async with aiohttp.ClientSession() as session:
        pages = await download_sequentially(session, urls_of(server))

    assert pages == bodies(PAGES)
    assert server.peak_in_flight == 1  # the server never saw two requests at once


async def test_concurrent_download_brings_every_page_in_order_with_requests_overlapping(
    server: PageServer,
) -> None:
    async with aiohttp.ClientSession() as session:
        pages = await download_concurrently(session, urls_of(server))

    assert pages == bodies(PAGES)
    assert server.peak_in_flight > 1


async def test_concurrent_run_is_several_times_faster_than_the_sequential_one() -> None:
    pages, latency = 20, 0.1
    with PageServer(PageServerConfig(pages=pages, latency=latency, size=SIZE)) as server:
        result = await compare(urls_of(server))
        requests = server.requests

    assert (result.pages, requests) == (pages, 2 * pages)  # every page, once each way
    # By construction: the server holds each request for `latency`, so one request at a time
    # takes at least pages * latency (2 s). All at once is about one latency; the bound below
    # (a quarter of the sequential time, 0.5 s or more) leaves room for a busy machine.
    assert result.sequential_seconds >= pages * latency
    assert result.concurrent_seconds < result.sequential_seconds / 4
    assert result.speedup == pytest.approx(result.sequential_seconds / result.concurrent_seconds)


async def test_a_missing_page_raises_a_client_response_error(server: PageServer) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientResponseError) as raised:
            await fetch_page(session, server.url(PAGES + 1))

    assert raised.value.status == 404


def test_the_command_prints_both_times_and_the_speedup(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = main(["--pages", "5", "--latency", "0.05"])

    output = capsys.readouterr().out
    sequential = re.search(r"^sequential: +([0-9.]+) s$", output, re.MULTILINE)
    concurrent = re.search(r"^concurrent: +([0-9.]+) s$", output, re.MULTILINE)
    assert exit_code == 0
    assert sequential is not None
    assert concurrent is not None
    assert float(sequential.group(1)) >= 5 * 0.05
    assert re.search(r"^concurrent is [0-9.]+x faster$", output, re.MULTILINE)


def test_the_package_runs_as_a_command() -> None:
    command = [sys.executable, "-m", "module_4_2_asyncio.downloader", "--pages", "3"]
    finished = subprocess.run(
        [*command, "--latency", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.startswith("3 pages, 0 ms each on the local server\n")
