"""Task 4.2.2, core: a simple async task queue: one ``asyncio.Queue``, N worker tasks, ``join()``.

uv run --group section-4-2 python -m module_4_2_asyncio.task_queue --jobs 10 --workers 3
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

Job = Callable[[], Awaitable[T]]
"""A job: a function without arguments that returns an awaitable, such as an ``async def``."""


@dataclass(slots=True)
class QueueReport(Generic[T]):
    """What the jobs did, by their position in the list: a result, or the exception they raised."""

    results: dict[int, T] = field(default_factory=dict)
    errors: dict[int, Exception] = field(default_factory=dict)


async def worker(queue: asyncio.Queue[tuple[int, Job[T]]], report: QueueReport[T]) -> None:
    """Take ``(position, job)`` pairs off the queue for ever; record each job's result or error."""
    # region 4.2.2 core: loop: get a job, await it, record, task_done()
    #: tip: call queue.task_done() in a `finally:`, or join() waits for ever after an error
    while True:
        position, job = await queue.get()
        try:
            report.results[position] = await job()
        except Exception as error:  # a failed job is recorded; its worker goes on to the next
            report.errors[position] = error
        finally:
            queue.task_done()
    # endregion 4.2.2


async def run_jobs(jobs: Sequence[Job[T]], workers: int = 4) -> QueueReport[T]:
    """Run ``jobs`` on ``workers`` tasks sharing one ``asyncio.Queue``; return when all have ended.

    At most ``workers`` jobs run at once. No worker task is left running when this returns.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    # region 4.2.2 core: fill a Queue, start workers, join(), stop them
    #: tip: asyncio.create_task(worker(...)) for each; after queue.join(), cancel them and
    #: await them (asyncio.gather(..., return_exceptions=True)) so none outlives the call
    queue: asyncio.Queue[tuple[int, Job[T]]] = asyncio.Queue()
    for position, job in enumerate(jobs):
        queue.put_nowait((position, job))
    report: QueueReport[T] = QueueReport()
    tasks = [asyncio.create_task(worker(queue, report)) for _ in range(workers)]
    try:
        await queue.join()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return report
    # endregion 4.2.2


def main(argv: Sequence[str] | None = None) -> int:
    """Run simulated I/O jobs (a few of them fail) through ``run_jobs`` and print the report."""
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.task_queue",
        description="Run simulated I/O jobs on a few worker tasks and print how each ended.",
    )
    parser.add_argument("--jobs", type=int, default=10, help="jobs to run (default 10)")
    parser.add_argument("--workers", type=int, default=3, help="worker tasks (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    arguments = parser.parse_args(argv)
    if arguments.jobs < 0 or arguments.workers < 1:
        parser.error("--jobs must be at least 0 and --workers at least 1")
    rng = random.Random(arguments.seed)  # noqa: S311 - a reproducible demo, not a secret

    def simulated_job(number: int) -> Job[str]:
        seconds, fails = rng.uniform(0.05, 0.2), rng.random() < 0.2

        async def job() -> str:
            await asyncio.sleep(seconds)  # stands for a network call
            if fails:
                raise ConnectionError(f"job {number}: connection reset")
            return f"job {number}: done in {seconds * 1000:.0f} ms"

        return job

    jobs = [simulated_job(number) for number in range(arguments.jobs)]
    report = asyncio.run(run_jobs(jobs, workers=arguments.workers))
    for position in range(arguments.jobs):
        if position in report.results:
            sys.stdout.write(f"{report.results[position]}\n")
        else:
            error = report.errors[position]
            sys.stdout.write(f"job {position}: failed: {type(error).__name__}: {error}\n")
    sys.stdout.write(f"{len(report.results)} succeeded, {len(report.errors)} failed\n")
    return 0
