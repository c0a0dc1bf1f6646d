"""Task 4.2.1, going further: the four strategies, retries, checksums and the full CLI."""

from __future__ import annotations

import io
import json
import random
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import aiohttp
import pytest

from module_4_2_asyncio.backoff import Backoff
from module_4_2_asyncio.downloader.cli import main
from module_4_2_asyncio.downloader.fetching import (
    FetchPolicy,
    Outcome,
    PageSpec,
    UrlListError,
    fetch_page,
    fetch_page_blocking,
    load_url_list,
    parse_retry_after,
)
from module_4_2_asyncio.downloader.harness import ProgressBar, run_strategies
from module_4_2_asyncio.downloader.page_server import PageServer, PageServerConfig
from module_4_2_asyncio.downloader.strategies import STRATEGIES, DownloadOptions

pytestmark = pytest.mark.task("4.2.1", level="extra")

NO_WAIT = Backoff(base=0, cap=0)


def quick_policy(max_attempts: int = 4, timeout: float = 5.0) -> FetchPolicy:
    return FetchPolicy(timeout=timeout, max_attempts=max_attempts, backoff=NO_WAIT)


@pytest.fixture
def server() -> Iterator[PageServer]:
    with PageServer(PageServerConfig(pages=12, latency=0.05, size=2000)) as running:
        yield running


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_concurrent_strategy_overlaps_requests_up_to_its_limit(server: PageServer) -> None:
    options = DownloadOptions(policy=quick_policy(), concurrency=4)

    results = await STRATEGIES["concurrent"](server.specs(), options)

    assert [result.ok for result in results] == [True] * 12
    assert [result.url for result in results] == [spec.url for spec in server.specs()]
    assert 1 < server.peak_in_flight <= 4  # overlapping, never past the limit


@pytest.mark.parametrize("strategy", ["sequential", "blocking"])
async def test_sequential_and_blocking_in_async_never_overlap(
    server: PageServer, strategy: str
) -> None:
    results = await STRATEGIES[strategy](server.specs(), DownloadOptions(policy=quick_policy()))

    assert all(result.ok for result in results)
    assert server.peak_in_flight == 1  # the blocking one gains nothing from gather


async def test_thread_pool_strategy_overlaps_requests(server: PageServer) -> None:
    results = await STRATEGIES["threads"](server.specs(), DownloadOptions(policy=quick_policy()))

    assert all(result.ok for result in results)
    assert server.peak_in_flight > 1


@pytest.mark.parametrize("strategy", list(STRATEGIES))
async def test_flaky_pages_are_retried_until_they_succeed(strategy: str) -> None:
    config = PageServerConfig(pages=3, latency=0, fail_rate=1.0, fail_times=2, retry_after=0)
    with PageServer(config) as flaky:
        results = await STRATEGIES[strategy](flaky.specs(), DownloadOptions(policy=quick_policy()))

    assert [(result.ok, result.attempts) for result in results] == [(True, 3)] * 3


@pytest.mark.parametrize("strategy", ["concurrent", "threads"])
async def test_pages_failing_past_the_retries_are_reported_without_crashing(strategy: str) -> None:
    config = PageServerConfig(pages=4, latency=0, fail_rate=0.5, fail_times=9, retry_after=0)
    with PageServer(config) as flaky:
        results = await STRATEGIES[strategy](
            flaky.specs(), DownloadOptions(policy=quick_policy(max_attempts=2))
        )

    failed = {result.url for result in results if not result.ok}
    assert failed == {flaky.url(index) for index in flaky.flaky_pages}
    assert {(result.status, result.attempts) for result in results if not result.ok} == {(429, 2)}


async def test_a_4xx_answer_is_never_retried(server: PageServer) -> None:
    missing = PageSpec(server.url(99))
    async with aiohttp.ClientSession() as session:
        result = await fetch_page(session, missing, quick_policy())

    assert (result.ok, result.status, result.attempts, result.error) == (False, 404, 1, "HTTP 404")
    assert fetch_page_blocking(missing, quick_policy()).attempts == 1


async def test_a_page_with_the_wrong_checksum_or_size_fails_verification(
    server: PageServer,
) -> None:
    good = server.specs()[0]
    wrong_checksum = PageSpec(good.url, sha256="0" * 64)
    wrong_size = PageSpec(good.url, size=1)
    async with aiohttp.ClientSession() as session:
        checksum_result = await fetch_page(session, wrong_checksum, quick_policy(max_attempts=2))
        size_result = await fetch_page(session, wrong_size, quick_policy(max_attempts=1))

    assert (checksum_result.ok, checksum_result.error) == (False, "checksum mismatch")
    assert checksum_result.attempts == 2
    assert size_result.error == "size 2000 bytes, expected 1"


async def test_unreachable_and_slow_servers_are_reported_per_url() -> None:
    unreachable = PageSpec(f"http://127.0.0.1:{closed_port()}/pages/0")
    with PageServer(PageServerConfig(pages=1, latency=2.0)) as slow:
        async with aiohttp.ClientSession() as session:
            refused = await fetch_page(session, unreachable, quick_policy(max_attempts=2))
            timed_out = await fetch_page(session, slow.specs()[0], quick_policy(1, timeout=0.1))
        blocking_timed_out = fetch_page_blocking(slow.specs()[0], quick_policy(1, timeout=0.1))

    assert (refused.ok, refused.attempts) == (False, 2)
    assert refused.error is not None
    assert "Connect" in refused.error
    assert timed_out.error == "timed out after 0.1 s"
    assert blocking_timed_out.error == "timed out after 0.1 s"
    assert not fetch_page_blocking(unreachable, quick_policy(max_attempts=1)).ok


def test_retry_after_is_honoured_and_a_too_long_one_ends_the_retries() -> None:
    policy = FetchPolicy(max_attempts=5, backoff=Backoff(base=0.01, cap=0.01), max_retry_after=30)

    assert policy.wait_before_retry(Outcome(False, 429, retryable=True, retry_after=3), 1) == 3
    assert policy.wait_before_retry(Outcome(False, 429, retryable=True, retry_after=60), 1) is None
    assert policy.wait_before_retry(Outcome(False, 503, retryable=True), 5) is None
    assert policy.wait_before_retry(Outcome(False, 404), 1) is None


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    in_ten_seconds = format_datetime(now + timedelta(seconds=10), usegmt=True)

    assert parse_retry_after("7") == 7
    assert parse_retry_after(in_ten_seconds, now=now.timestamp()) == 10
    assert parse_retry_after("-5") == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_exponentially_is_capped_and_jittered_below_the_ceiling() -> None:
    backoff = Backoff(base=0.1, factor=2, cap=1.0)
    rng = random.Random(1)

    assert [backoff.ceiling(attempt) for attempt in (1, 2, 3, 4, 5, 1000)] == [
        0.1,
        0.2,
        0.4,
        0.8,
        1.0,
        1.0,
    ]
    assert all(0 <= backoff.delay(4, rng) <= 0.8 for _ in range(100))
    assert Backoff(base=0.1, jitter=False).delay(3) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="count from 1"):
        backoff.ceiling(0)
    with pytest.raises(ValueError, match="factor"):
        Backoff(factor=0.5)
    with pytest.raises(ValueError, match="negative"):
        Backoff(base=-1)


def test_url_list_reads_urls_and_checksums_and_rejects_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "urls.txt"
    good.write_text(f"# pages\n\nhttp://127.0.0.1/a\nhttps://example.com/b#top {'ab' * 32}\n")
    assert load_url_list(good) == [
        PageSpec("http://127.0.0.1/a"),
        PageSpec("https://example.com/b#top", sha256="ab" * 32),
    ]
    for content, message in [
        ("ftp://example.com/file\n", "not an http"),
        ("http://a/ deadbeef\n", "not a SHA-256"),
        ("http://a/ x y\n", "expected 'URL"),
        ("# nothing\n", "no URLs"),
    ]:
        good.write_text(content)
        with pytest.raises(UrlListError, match=message):
            load_url_list(good)


def test_cli_compares_all_strategies_and_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = main(["--pages", "6", "--latency", "0.02", "--size", "500", "--json"])

    document = json.loads(capsys.readouterr().out)
    assert exit_code == 0
    assert [entry["strategy"] for entry in document["strategies"]] == list(STRATEGIES)
    assert {entry["ok"] for entry in document["strategies"]} == {6}
    assert document["strategies"][0]["speedup"] == 1.0
    assert document["source"].startswith("local server: 6 pages of 500 bytes")


def test_cli_table_lists_failed_pages_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["--pages", "4", "--latency", "0", "--fail-rate", "1", "--fail-times", "5"]
    arguments += ["--retry-after", "0", "--retries", "1", "--strategy", "concurrent"]

    exit_code = main(arguments)

    output = capsys.readouterr().out
    assert exit_code == 1
    assert re.search(r"^concurrent +0 +4 ", output, re.MULTILINE)
    assert output.count("concurrent: FAILED http://127.0.0.1:") == 4


def test_cli_downloads_a_url_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with PageServer(PageServerConfig(pages=3, latency=0)) as local:
        url_file = tmp_path / "urls.txt"
        url_file.write_text("".join(f"{spec.url} {spec.sha256}\n" for spec in local.specs()))
        exit_code = main(["--urls", str(url_file), "--strategy", "threads", "--json"])

    document = json.loads(capsys.readouterr().out)
    assert exit_code == 0
    assert document["strategies"][0]["ok"] == 3
    assert document["strategies"][0]["speedup"] is None  # no sequential run to compare with


def test_cli_reports_a_bad_url_file_as_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--urls", str(tmp_path / "missing.txt")]) == 2
    assert "error:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--fail-rate", "2"])


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_progress_bar_draws_on_a_terminal_only(server: PageServer) -> None:
    terminal, pipe = FakeTerminal(), io.StringIO()
    options = DownloadOptions(policy=quick_policy())

    await run_strategies(
        server.specs(), ["concurrent"], options, server=server, progress=ProgressBar(terminal)
    )
    await run_strategies(server.specs(), ["concurrent"], options, progress=ProgressBar(pipe))

    assert "concurrent" in terminal.getvalue()
    assert "12/12" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_page_server_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="fail rate"):
        PageServerConfig(fail_rate=1.5)
    with pytest.raises(ValueError, match="pages"):
        PageServerConfig(pages=0)
    with pytest.raises(ValueError, match="concurrency"):
        DownloadOptions(concurrency=0)
