"""Task 4.2.1, going further: download N pages with each of four strategies, compare wall times.

uv run --group section-4-2 python -m module_4_2_asyncio.downloader.cli
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from module_4_2_asyncio.backoff import Backoff
from module_4_2_asyncio.downloader.fetching import FetchPolicy, UrlListError, load_url_list
from module_4_2_asyncio.downloader.harness import (
    ProgressBar,
    StrategyReport,
    render_json,
    render_table,
    run_strategies,
)
from module_4_2_asyncio.downloader.page_server import PageServer, PageServerConfig
from module_4_2_asyncio.downloader.strategies import STRATEGIES, DownloadOptions

EXIT_SOME_PAGES_FAILED = 1
EXIT_BAD_USAGE = 2


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also rejects NaN
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.downloader.cli",
        description=(
            "Download the same pages sequentially, concurrently (asyncio), with a blocking call "
            "inside async def (the classic mistake) and with a thread pool; compare wall times. "
            "By default the pages come from a local server on 127.0.0.1, so the run is offline."
        ),
    )
    source = parser.add_argument_group("local page server (default source)")
    source.add_argument("--pages", type=_positive_int, default=100, help="pages (default 100)")
    source.add_argument(
        "--latency", type=_non_negative_float, default=0.1, help="seconds per page (default 0.1)"
    )
    source.add_argument(
        "--jitter", type=_non_negative_float, default=0.0, help="extra random latency, seconds"
    )
    source.add_argument(
        "--size", type=_positive_int, default=16 * 1024, help="bytes per page (default 16384)"
    )
    source.add_argument(
        "--fail-rate",
        type=_rate,
        default=0.0,
        help="share of flaky pages that first answer 503, then 429 with Retry-After (default 0)",
    )
    source.add_argument(
        "--fail-times", type=int, default=2, help="failed answers per flaky page (default 2)"
    )
    source.add_argument(
        "--retry-after", type=int, default=1, help="Retry-After seconds sent with 429 (default 1)"
    )
    source.add_argument("--seed", type=int, default=0, help="seed for the flaky pages and jitter")
    parser.add_argument(
        "--urls",
        type=Path,
        metavar="FILE",
        help="download the URLs in FILE instead (one per line: URL [SHA256])",
    )
    parser.add_argument(
        "--strategy",
        choices=list(STRATEGIES),
        action="append",
        help="run only this strategy (repeatable; default: all four)",
    )
    parser.add_argument(
        "--concurrency", type=_positive_int, default=100, help="downloads at once (default 100)"
    )
    parser.add_argument(
        "--timeout", type=_non_negative_float, default=10.0, help="seconds per request (default 10)"
    )
    parser.add_argument(
        "--retries", type=int, default=3, help="retries after a 5xx/429/network error (default 3)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


async def _run(arguments: argparse.Namespace) -> tuple[str, list[StrategyReport]]:
    policy = FetchPolicy(
        timeout=arguments.timeout,
        max_attempts=max(arguments.retries, 0) + 1,
        backoff=Backoff(base=0.1, cap=5.0),
    )
    options = DownloadOptions(policy=policy, concurrency=arguments.concurrency)
    names = arguments.strategy or list(STRATEGIES)
    progress = ProgressBar(sys.stderr, enabled=not arguments.no_progress)
    if arguments.urls is not None:
        specs = load_url_list(arguments.urls)
        reports = await run_strategies(specs, names, options, progress=progress)
        return f"{len(specs)} URLs from {arguments.urls}", reports
    config = PageServerConfig(
        pages=arguments.pages,
        latency=arguments.latency,
        jitter=arguments.jitter,
        size=arguments.size,
        fail_rate=arguments.fail_rate,
        fail_times=arguments.fail_times,
        retry_after=arguments.retry_after,
        seed=arguments.seed,
    )
    with PageServer(config) as server:
        reports = await run_strategies(
            server.specs(), names, options, server=server, progress=progress
        )
    source = (
        f"local server: {config.pages} pages of {config.size} bytes, "
        f"latency {config.latency * 1000:g} ms (+ up to {config.jitter * 1000:g} ms jitter), "
        f"{len(server.flaky_pages)} flaky"
    )
    return source, reports


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        source, reports = asyncio.run(_run(arguments))
    except (UrlListError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_USAGE
    if arguments.json:
        print(render_json(reports, source=source))
    else:
        print(source)
        print(render_table(reports))
    return EXIT_SOME_PAGES_FAILED if any(report.failed for report in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
