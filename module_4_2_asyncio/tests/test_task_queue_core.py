"""Task 4.2.2, core: ``run_jobs`` over an ``asyncio.Queue`` with N worker tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import pytest

from module_4_2_asyncio.task_queue.simple import QueueReport, main, run_jobs

pytestmark = pytest.mark.task("4.2.2", level="core")

T = TypeVar("T")

DEADLINE = 5.0  # a queue that never finishes fails the test instead of hanging it


async def run_within_deadline(
    jobs: Sequence[Callable[[], Awaitable[T]]], workers: int
) -> QueueReport[T]:
    async with asyncio.timeout(DEADLINE):
        return await run_jobs(jobs, workers=workers)


def returns(value: int) -> Callable[[], Awaitable[int]]:
    async def job() -> int:
        await asyncio.sleep(0)  # let the other workers run in between
        return value

    return job


def raises(error: Exception) -> Callable[[], Awaitable[int]]:
    async def job() -> int:
        await asyncio.sleep(0)
        raise error

    return job


async def test_every_job_runs_once_and_its_result_is_reported_by_its_position() -> None:
    calls: list[int] = []

    def counted(value: int) -> Callable[[], Awaitable[int]]:
        async def job() -> int:
            calls.append(value)
            return await returns(value * value)()

        return job

    report = await run_within_deadline([counted(value) for value in range(20)], workers=3)

    assert report.results == {position: position * position for position in range(20)}
    assert report.errors == {}
    assert sorted(calls) == list(range(20))


async def test_exactly_as_many_jobs_run_at_once_as_there_are_workers() -> None:
    workers = 4
    running = peak = 0
    # Each job waits at a barrier for `workers` jobs: fewer at once than that never get past it.
    everyone_running = asyncio.Barrier(workers)

    async def job() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await everyone_running.wait()
        running -= 1

    await run_within_deadline([job] * (3 * workers), workers=workers)

    assert peak == workers


async def test_a_failing_job_is_reported_and_its_worker_goes_on_with_the_next() -> None:
    boom, missing = ValueError("boom"), KeyError("missing")
    jobs = [returns(0), raises(boom), returns(2), returns(3), raises(missing)]

    report = await run_within_deadline(jobs, workers=1)  # one worker must survive both failures

    assert report.results == {0: 0, 2: 2, 3: 3}
    assert report.errors == {1: boom, 4: missing}


async def test_it_returns_after_every_job_ended_and_leaves_no_worker_running() -> None:
    ended: list[int] = []

    def slow(value: int) -> Callable[[], Awaitable[int]]:
        async def job() -> int:
            for _ in range(value):
                await asyncio.sleep(0)
            ended.append(value)
            return value

        return job

    before = asyncio.all_tasks()
    report = await run_within_deadline([slow(value) for value in range(10)], workers=3)

    assert sorted(ended) == list(range(10))
    assert len(report.results) == 10
    assert asyncio.all_tasks() == before  # the workers were stopped, not left waiting on get()


async def test_no_jobs_make_an_empty_report() -> None:
    report: QueueReport[int] = await run_within_deadline([], workers=2)

    assert (report.results, report.errors) == ({}, {})


def test_the_demo_prints_how_each_job_ended(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--jobs", "6", "--workers", "2", "--seed", "3"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"job {n}" for n in range(6)]
    succeeded = sum(line.endswith(" ms") for line in lines[:-1])
    assert lines[-1] == f"{succeeded} succeeded, {6 - succeeded} failed"
