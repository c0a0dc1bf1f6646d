"""The shared harness: run strategies over the same pages, time them, report a table or JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import NoReturn, TextIO

from tqdm import tqdm

from module_4_2_asyncio.downloader.fetching import PageResult, PageSpec
from module_4_2_asyncio.downloader.page_server import PageServer
from module_4_2_asyncio.downloader.strategies import STRATEGIES, DownloadOptions

BASELINE = "sequential"


@dataclass(frozen=True, slots=True)
class StrategyReport:
    """One strategy's run: counts, wall time, speed and what failed."""

    strategy: str
    ok: int
    failed: int
    seconds: float
    pages_per_second: float
    speedup: float | None
    peak_in_flight: int | None
    failures: tuple[PageResult, ...]


class ProgressBar:
    """A tqdm bar per strategy on a terminal; silent when the stream is not one (a pipe, CI)."""

    def __init__(self, stream: TextIO, *, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self._bar: tqdm[NoReturn] | None = None

    def start(self, label: str, total: int) -> None:
        self.finish()
        self._bar = tqdm(
            total=total,
            desc=f"{label:<11}",
            unit="page",
            file=self.stream,
            disable=not self.enabled,
            leave=False,  # the table that follows says it all
            mininterval=0,  # a run of 100 pages is over in a fraction of a second
        )

    def advance(self, result: PageResult) -> None:
        del result
        if self._bar is not None:
            self._bar.update()

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


async def run_strategies(
    specs: Sequence[PageSpec],
    names: Sequence[str],
    options: DownloadOptions,
    *,
    server: PageServer | None = None,
    progress: ProgressBar | None = None,
) -> list[StrategyReport]:
    """Run each named strategy over the same pages, one after another, and time each."""
    reports: list[StrategyReport] = []
    baseline: float | None = None
    for name in names:
        if server is not None:
            server.reset_statistics()
        run_options = options
        if progress is not None:
            progress.start(name, len(specs))
            run_options = replace(options, progress=progress.advance)
        started = time.perf_counter()
        results = await STRATEGIES[name](specs, run_options)
        seconds = time.perf_counter() - started
        if progress is not None:
            progress.finish()
        if name == BASELINE:
            baseline = seconds
        ok = sum(result.ok for result in results)
        reports.append(
            StrategyReport(
                strategy=name,
                ok=ok,
                failed=len(results) - ok,
                seconds=seconds,
                pages_per_second=len(results) / seconds if seconds > 0 else float("inf"),
                speedup=None,
                peak_in_flight=server.peak_in_flight if server is not None else None,
                failures=tuple(result for result in results if not result.ok),
            )
        )
    if baseline is None:
        return reports
    return [replace(report, speedup=baseline / report.seconds) for report in reports]


def render_table(reports: Sequence[StrategyReport]) -> str:
    """A plain-text table, then one line per page that failed for good."""
    header = (
        f"{'strategy':<11} {'ok':>5} {'failed':>6} {'wall s':>8} "
        f"{'pages/s':>9} {'speedup':>8} {'peak in flight':>15}"
    )
    lines = [header, "-" * len(header)]
    for report in reports:
        speedup = "-" if report.speedup is None else f"{report.speedup:.1f}x"
        peak = "-" if report.peak_in_flight is None else str(report.peak_in_flight)
        lines.append(
            f"{report.strategy:<11} {report.ok:>5} {report.failed:>6} {report.seconds:>8.3f} "
            f"{report.pages_per_second:>9.1f} {speedup:>8} {peak:>15}"
        )
    for report in reports:
        lines.extend(
            f"{report.strategy}: FAILED {failure.url}: {failure.error} "
            f"after {failure.attempts} attempt(s)"
            for failure in report.failures
        )
    return "\n".join(lines)


def render_json(reports: Sequence[StrategyReport], *, source: str) -> str:
    """The same figures as JSON, with every failed page."""
    document = {"source": source, "strategies": [asdict(report) for report in reports]}
    return json.dumps(document, indent=2)
