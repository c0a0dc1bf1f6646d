"""Benchmark: N no-op jobs through our queue, aiojobs and a naive task-per-job + semaphore.

    python -m module_4_2_asyncio.task_queue.bench --jobs 200000 --workers 8 --rounds 3

All three run in the same process, in turns, with the same concurrency limit; the best round of
each counts (the least disturbed by the rest of the machine).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass

import aiojobs

from module_4_2_asyncio.task_queue.queue import TaskQueue

Runner = Callable[[int, int, int], Awaitable[None]]


async def no_op() -> None:
    """The job: returns at once, so what is measured is the scheduler's own cost per job."""


async def through_task_queue(jobs: int, workers: int, maxsize: int) -> None:
    queue = TaskQueue(workers=workers, maxsize=maxsize)
    async with queue:
        for _ in range(jobs):
            await queue.submit(no_op)
        await queue.join()
    stats = queue.stats()
    if stats.succeeded != jobs:
        raise RuntimeError(f"task queue finished {stats.succeeded} of {jobs} jobs")


async def through_aiojobs(jobs: int, workers: int, maxsize: int) -> None:
    scheduler = aiojobs.Scheduler(limit=workers, pending_limit=maxsize, wait_timeout=None)
    for _ in range(jobs):
        await scheduler.spawn(no_op())
    await scheduler.wait_and_close()


async def through_tasks_and_semaphore(jobs: int, workers: int, maxsize: int) -> None:
    del maxsize  # the naive way has no backpressure: every task exists at once
    limit = asyncio.Semaphore(workers)

    async def limited() -> None:
        async with limit:
            await no_op()

    async with asyncio.TaskGroup() as group:
        for _ in range(jobs):
            group.create_task(limited())


RUNNERS: dict[str, Runner] = {
    "task_queue": through_task_queue,
    "aiojobs": through_aiojobs,
    "tasks+semaphore": through_tasks_and_semaphore,
}


@dataclass(frozen=True, slots=True)
class Result:
    runner: str
    jobs: int
    best_seconds: float
    jobs_per_second: float
    vs_aiojobs: float


async def measure(jobs: int, workers: int, maxsize: int, rounds: int) -> list[Result]:
    best: dict[str, float] = dict.fromkeys(RUNNERS, float("inf"))
    for _ in range(rounds):
        for name, runner in RUNNERS.items():
            gc.collect()
            started = time.perf_counter()
            await runner(jobs, workers, maxsize)
            best[name] = min(best[name], time.perf_counter() - started)
    return [
        Result(name, jobs, seconds, jobs / seconds, best["aiojobs"] / seconds)
        for name, seconds in best.items()
    ]


def render(results: Sequence[Result]) -> str:
    lines = [f"{'runner':<16} {'jobs':>8} {'best s':>8} {'jobs/s':>10} {'vs aiojobs':>10}"]
    lines.append("-" * len(lines[0]))
    lines.extend(
        f"{result.runner:<16} {result.jobs:>8} {result.best_seconds:>8.3f} "
        f"{result.jobs_per_second:>10,.0f} {result.vs_aiojobs:>9.2f}x"
        for result in results
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.task_queue.bench",
        description="Run N no-op jobs through our queue, aiojobs and task-per-job + semaphore.",
    )
    parser.add_argument("--jobs", type=int, default=200_000, help="jobs per round (200000)")
    parser.add_argument("--workers", type=int, default=8, help="concurrency limit (default 8)")
    parser.add_argument("--maxsize", type=int, default=1000, help="queue bound (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best counts (3)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    arguments = parser.parse_args(argv)
    if min(arguments.jobs, arguments.workers, arguments.maxsize, arguments.rounds) < 1:
        parser.error("--jobs, --workers, --maxsize and --rounds must be at least 1")
    results = asyncio.run(
        measure(arguments.jobs, arguments.workers, arguments.maxsize, arguments.rounds)
    )
    if arguments.json:
        print(json.dumps([asdict(result) for result in results], indent=2))
    else:
        print(render(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
