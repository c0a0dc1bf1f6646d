"""Demo of the production queue: retries, time limits, priorities and cancel on simulated jobs.

uv run --group section-4-2 python -m module_4_2_asyncio.task_queue.cli
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Sequence

from module_4_2_asyncio.backoff import Backoff
from module_4_2_asyncio.task_queue.jobs import JobHandle, Priority, RetryPolicy
from module_4_2_asyncio.task_queue.queue import TaskQueue


class TransientError(Exception):
    """A failure worth retrying, such as a dropped connection."""


async def simulated_job(number: int, seconds: float, failures_left: list[int]) -> str:
    """Sleep like an I/O call would; fail while ``failures_left`` says so."""
    await asyncio.sleep(seconds)
    if failures_left[0] > 0:
        failures_left[0] -= 1
        raise TransientError(f"job {number}: connection reset")
    return f"job {number} done in {seconds * 1000:.0f} ms"


async def report(handle: JobHandle[str], started: float) -> None:
    try:
        outcome = await handle
    except Exception as error:  # the demo shows every way a job can end
        outcome = f"{type(error).__name__}: {error}"
    try:
        priority = Priority(handle.priority).name.lower()
    except ValueError:
        priority = str(handle.priority)  # any int is a priority too
    print(
        f"{time.perf_counter() - started:6.2f}s  #{handle.id:<3} prio {priority:<6}  "
        f"{handle.state:<9} attempts {handle.attempts}  {outcome}"
    )


async def demo(arguments: argparse.Namespace) -> int:
    rng = random.Random(arguments.seed)  # noqa: S311 - a reproducible demo, not a secret
    retry = RetryPolicy(max_attempts=3, backoff=Backoff(base=0.05, cap=0.5))
    started = time.perf_counter()
    queue = TaskQueue(
        workers=arguments.workers,
        maxsize=arguments.maxsize,
        time_limit=arguments.time_limit,
        retry=retry,
    )
    # The reporters' TaskGroup closes first: every handle is awaited before the queue shuts down.
    async with queue, asyncio.TaskGroup() as reporters:
        handle: JobHandle[str] | None = None
        for number in range(1, arguments.jobs + 1):
            seconds = rng.uniform(0.05, 0.3)
            failures = [rng.choice([1, 2, 3]) if rng.random() < arguments.fail_rate else 0]
            # submit() waits here whenever maxsize jobs are already queued: backpressure.
            handle = await queue.submit(simulated_job, number, seconds, failures)
            reporters.create_task(report(handle, started))
        slow = await queue.submit(simulated_job, 0, arguments.time_limit * 3, [0])
        urgent = await queue.submit(simulated_job, -1, 0.05, [0], priority=Priority.URGENT)
        for extra in (slow, urgent):
            reporters.create_task(report(extra, started))
        if handle is not None:
            handle.cancel()  # the last regular job is most likely still queued: it never runs
    stats = queue.stats()
    print(
        f"submitted {stats.submitted}, succeeded {stats.succeeded}, failed {stats.failed}, "
        f"cancelled {stats.cancelled}, retried {stats.retried}, in flight {stats.in_flight}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.task_queue.cli",
        description="Run simulated I/O jobs through the task queue and print how each ended.",
    )
    parser.add_argument("--jobs", type=int, default=20, help="jobs to submit (default 20)")
    parser.add_argument("--workers", type=int, default=4, help="worker tasks (default 4)")
    parser.add_argument("--maxsize", type=int, default=8, help="queue bound (default 8)")
    parser.add_argument(
        "--fail-rate", type=float, default=0.3, help="share of jobs that fail first (0.3)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=0.5, help="seconds per attempt (default 0.5)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    arguments = parser.parse_args(argv)
    if arguments.jobs < 1 or arguments.workers < 1 or arguments.maxsize < 1:
        parser.error("--jobs, --workers and --maxsize must be at least 1")
    if not arguments.time_limit > 0:
        parser.error("--time-limit must be positive")
    return asyncio.run(demo(arguments))


if __name__ == "__main__":
    raise SystemExit(main())
