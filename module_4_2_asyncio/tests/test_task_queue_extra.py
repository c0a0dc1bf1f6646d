"""Task 4.2.2, going further: the production queue's contract, job by job."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from module_4_2_asyncio.backoff import Backoff
from module_4_2_asyncio.task_queue import (
    JobCancelledError,
    JobHandle,
    JobState,
    JobTimeoutError,
    Priority,
    QueueClosedError,
    QueueStats,
    RetryPolicy,
    TaskQueue,
    bench,
    cli,
)

pytestmark = pytest.mark.task("4.2.2", level="extra")

NO_WAIT = Backoff(base=0, cap=0)


class FlakyError(Exception):
    pass


async def answer(value: int) -> int:
    return value


async def wait_for(event: asyncio.Event) -> str:
    await event.wait()
    return "released"


async def until(condition: Callable[[], bool], deadline: float = 5.0) -> None:
    """Yield to the event loop until ``condition`` holds; fail after ``deadline`` seconds."""
    async with asyncio.timeout(deadline):
        while not condition():  # noqa: ASYNC110 - polls queue state that has no event
            await asyncio.sleep(0)


def fails_times(count: int, error: type[Exception] = FlakyError) -> Callable[[], Awaitable[str]]:
    remaining = [count]

    async def job() -> str:
        if remaining[0] > 0:
            remaining[0] -= 1
            raise error("not yet")
        return "finally"

    return job


def assert_nothing_lost(stats: QueueStats) -> None:
    settled = stats.succeeded + stats.failed + stats.cancelled
    assert stats.submitted == settled + stats.in_flight


async def test_a_handle_gives_the_result_or_the_exception() -> None:
    async def boom() -> None:
        raise ValueError("bad input")

    async with TaskQueue(workers=2) as queue:
        good = await queue.submit(answer, 42)
        bad = await queue.submit(boom)

        assert await good == 42
        with pytest.raises(ValueError, match="bad input"):
            await bad.result()
    assert (good.state, bad.state) == (JobState.SUCCEEDED, JobState.FAILED)
    assert queue.stats() == QueueStats(2, 1, 1, 0, 0, 0, 0, 0)


async def test_jobs_run_on_at_most_n_workers_at_once() -> None:
    running, peak = 0, 0
    gate = asyncio.Event()

    async def tracked() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1

    async with TaskQueue(workers=3) as queue:
        for _ in range(10):
            await queue.submit(tracked)
        await until(lambda: running == 3)
        gate.set()
        await queue.join()
    assert peak == 3


async def test_submit_waits_while_the_queue_is_full_and_resumes_when_a_slot_frees() -> None:
    gate = asyncio.Event()
    async with TaskQueue(workers=1, maxsize=2) as queue:
        await queue.submit(wait_for, gate)
        await until(lambda: queue.stats().running == 1)
        await queue.submit(wait_for, gate)
        await queue.submit(wait_for, gate)

        blocked = asyncio.create_task(queue.submit(answer, 7))
        for _ in range(20):
            await asyncio.sleep(0)
        assert not blocked.done()
        assert queue.stats().queued == 2

        gate.set()
        handle = await asyncio.wait_for(blocked, 5)
        assert await handle == 7


async def test_cancelling_a_waiting_submitter_passes_its_slot_on() -> None:
    gate = asyncio.Event()
    async with TaskQueue(workers=1, maxsize=1) as queue:
        await queue.submit(wait_for, gate)
        await until(lambda: queue.stats().running == 1)
        await queue.submit(wait_for, gate)
        first = asyncio.create_task(queue.submit(answer, 1))
        second = asyncio.create_task(queue.submit(answer, 2))
        await asyncio.sleep(0)
        first.cancel()
        gate.set()
        assert await (await asyncio.wait_for(second, 5)) == 2
        with pytest.raises(asyncio.CancelledError):
            await first


async def test_an_attempt_past_its_time_limit_fails_and_is_retried_only_when_configured() -> None:
    async def slow() -> None:
        await asyncio.sleep(10)

    retry = RetryPolicy(max_attempts=3, backoff=NO_WAIT)
    async with TaskQueue(time_limit=0.05, retry=retry) as queue:
        not_retried = await queue.submit(slow)
        retried = await queue.submit(slow, retry=RetryPolicy(3, NO_WAIT, retry_timeouts=True))
        unlimited = await queue.submit(answer, 1, time_limit=None)

        with pytest.raises(JobTimeoutError, match=r"ran longer than its 0\.05 s limit"):
            await not_retried
        with pytest.raises(JobTimeoutError):
            await retried
        assert await unlimited == 1
    assert (not_retried.attempts, retried.attempts) == (1, 3)
    assert queue.stats().retried == 2


async def test_failures_are_retried_with_backoff_until_success_or_the_cap() -> None:
    backoff = Backoff(base=0.05, factor=2, jitter=False)
    async with TaskQueue(retry=RetryPolicy(max_attempts=3, backoff=backoff)) as queue:
        started = time.perf_counter()
        recovers = await queue.submit(fails_times(2))
        assert await recovers == "finally"
        waited = time.perf_counter() - started

        gives_up = await queue.submit(fails_times(5))
        with pytest.raises(FlakyError):
            await gives_up
    assert recovers.attempts == 3
    assert waited >= 0.05 + 0.1  # two backoffs: base, then base * factor
    assert gives_up.attempts == 3
    assert queue.stats().retried == 4


async def test_only_the_configured_exception_types_are_retried() -> None:
    retry = RetryPolicy(max_attempts=5, backoff=NO_WAIT, retry_on=(FlakyError,))
    async with TaskQueue(retry=retry) as queue:
        permanent = await queue.submit(fails_times(1, error=ValueError))
        transient = await queue.submit(fails_times(1, error=FlakyError))
        with pytest.raises(ValueError, match="not yet"):
            await permanent
        assert await transient == "finally"
    assert (permanent.attempts, transient.attempts) == (1, 2)


async def test_smaller_priority_runs_first_and_equal_priorities_keep_their_order() -> None:
    gate = asyncio.Event()
    order: list[str] = []

    async def record(name: str) -> None:
        order.append(name)

    async with TaskQueue(workers=1) as queue:
        await queue.submit(wait_for, gate)
        await until(lambda: queue.stats().running == 1)
        for name, priority in [("low", 5), ("first-1", 1), ("mid", 3), ("second-1", 1), ("top", 0)]:
            await queue.submit(record, name, priority=priority)
        gate.set()
        await queue.join()
    assert order == ["top", "first-1", "second-1", "mid", "low"]


async def test_named_priorities_run_urgent_high_medium_low_and_medium_is_the_default() -> None:
    gate = asyncio.Event()
    order: list[str] = []

    async def record(name: str) -> None:
        order.append(name)

    async with TaskQueue(workers=1) as queue:
        await queue.submit(wait_for, gate)
        await until(lambda: queue.stats().running == 1)
        await queue.submit(record, "low", priority=Priority.LOW)
        await queue.submit(record, "default")
        await queue.submit(record, "high", priority=Priority.HIGH)
        await queue.submit(record, "urgent", priority=Priority.URGENT)
        gate.set()
        await queue.join()
    assert order == ["urgent", "high", "default", "low"]


async def test_a_cancelled_queued_job_never_runs() -> None:
    gate = asyncio.Event()
    ran: list[int] = []

    async def record(value: int) -> None:
        ran.append(value)

    async with TaskQueue(workers=1) as queue:
        await queue.submit(wait_for, gate)
        await until(lambda: queue.stats().running == 1)
        doomed = await queue.submit(record, 1)
        kept = await queue.submit(record, 2)

        assert doomed.cancel() is True
        gate.set()
        await kept
        with pytest.raises(JobCancelledError, match="was cancelled"):
            await doomed
        assert doomed.cancel() is False  # already finished
    assert ran == [2]
    assert (doomed.state, doomed.attempts) == (JobState.CANCELLED, 0)


async def test_a_running_job_can_be_cancelled_and_its_worker_carries_on() -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    async with TaskQueue(workers=1) as queue:
        stuck = await queue.submit(forever)
        await started.wait()
        assert stuck.cancel() is True
        assert stuck.cancel() is True  # asking twice is harmless
        with pytest.raises(JobCancelledError):
            await stuck
        assert await (await queue.submit(answer, 5)) == 5
    assert queue.stats().cancelled == 1


async def test_a_job_that_swallows_its_cancellation_still_ends_cancelled() -> None:
    started = asyncio.Event()

    async def stubborn() -> str:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            return "ignored the cancel"
        return "unreachable"

    async def turns_it_into_an_error() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise RuntimeError("cleanup failed") from None

    async with TaskQueue(workers=1) as queue:
        for job in (stubborn, turns_it_into_an_error):
            started.clear()
            handle = await queue.submit(job)
            await started.wait()
            handle.cancel()
            with pytest.raises(JobCancelledError):
                await handle
        assert await (await queue.submit(answer, 1)) == 1


async def test_a_job_waiting_for_its_retry_can_be_cancelled() -> None:
    retry = RetryPolicy(max_attempts=3, backoff=Backoff(base=60, jitter=False))
    async with TaskQueue(retry=retry) as queue:
        handle = await queue.submit(fails_times(1))
        await until(lambda: handle.state is JobState.WAITING_RETRY)
        handle.cancel()
        with pytest.raises(JobCancelledError):
            await handle
    assert queue.stats().waiting_retry == 0


async def test_cancelling_the_awaiting_task_does_not_cancel_the_job() -> None:
    gate = asyncio.Event()
    async with TaskQueue() as queue:
        handle = await queue.submit(wait_for, gate)
        impatient = asyncio.create_task(handle.result())
        await asyncio.sleep(0)
        impatient.cancel()
        with pytest.raises(asyncio.CancelledError):
            await impatient
        gate.set()
        assert await handle == "released"


async def test_shutdown_finishes_accepted_jobs_and_refuses_new_ones() -> None:
    gate = asyncio.Event()
    queue = TaskQueue(workers=1, maxsize=1)
    running = await queue.submit(wait_for, gate)
    await until(lambda: queue.stats().running == 1)
    queued = await queue.submit(answer, 2)
    waiting_submitter = asyncio.create_task(queue.submit(answer, 3))
    await asyncio.sleep(0)

    shutdown = asyncio.create_task(queue.shutdown(grace_period=5))
    with pytest.raises(QueueClosedError):
        await waiting_submitter
    with pytest.raises(QueueClosedError):
        await queue.submit(answer, 4)
    gate.set()
    await shutdown

    assert (await running, await queued) == ("released", 2)
    assert queue.closed
    assert_nothing_lost(queue.stats())
    await queue.shutdown()  # a second call is a no-op
    with pytest.raises(QueueClosedError):
        queue.start()


async def test_shutdown_cancels_stragglers_after_its_grace_period() -> None:
    retry = RetryPolicy(max_attempts=3, backoff=Backoff(base=60, jitter=False))
    queue = TaskQueue(workers=1, retry=retry)
    straggler = await queue.submit(wait_for, asyncio.Event())
    queued = await queue.submit(answer, 1)
    await until(lambda: queue.stats().running == 1)

    await queue.shutdown(grace_period=0.05)

    for handle in (straggler, queued):
        with pytest.raises(JobCancelledError):
            await handle
    stats = queue.stats()
    assert (stats.cancelled, stats.in_flight) == (2, 0)


async def test_shutdown_without_drain_cancels_the_queued_jobs_at_once() -> None:
    gate = asyncio.Event()
    queue = TaskQueue(workers=1)
    running = await queue.submit(wait_for, gate)
    await until(lambda: queue.stats().running == 1)
    queued = await queue.submit(answer, 1)

    shutdown = asyncio.create_task(queue.shutdown(drain=False))
    await until(queued.done)
    gate.set()
    await shutdown

    assert await running == "released"
    assert queued.state is JobState.CANCELLED


async def test_leaving_the_block_with_an_error_cancels_the_backlog() -> None:
    handles: list[JobHandle[Any]] = []

    async def caller_that_fails() -> None:
        async with TaskQueue(workers=1) as queue:
            handles.append(await queue.submit(asyncio.sleep, 0.01, None))
            await until(lambda: queue.stats().running == 1)
            handles.extend([await queue.submit(answer, number) for number in range(3)])
            raise RuntimeError("caller failed")

    with pytest.raises(RuntimeError, match="caller failed"):
        await caller_that_fails()
    assert [handle.state for handle in handles] == [JobState.SUCCEEDED] + [JobState.CANCELLED] * 3


async def test_join_returns_at_once_when_nothing_is_pending() -> None:
    async with TaskQueue() as queue:
        await asyncio.wait_for(queue.join(), 1)
        assert repr(await queue.submit(answer, 1)).startswith("<JobHandle id=1 state=")


async def test_a_time_limit_that_makes_no_sense_is_refused_at_submit() -> None:
    async with TaskQueue() as queue:
        with pytest.raises(ValueError, match="time_limit"):
            await queue.submit(answer, 1, time_limit=-1)
    assert queue.stats().submitted == 0


def test_settings_that_make_no_sense_are_refused() -> None:
    with pytest.raises(ValueError, match="workers"):
        TaskQueue(workers=0)
    with pytest.raises(ValueError, match="maxsize"):
        TaskQueue(maxsize=0)
    with pytest.raises(ValueError, match="time_limit"):
        TaskQueue(time_limit=0)
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


JOB_KINDS = st.sampled_from(["ok", "fail", "flaky", "slow", "cancel-queued", "cancel-running"])


@settings(max_examples=25, deadline=None)
@given(kinds=st.lists(JOB_KINDS, max_size=30), workers=st.integers(1, 4), maxsize=st.integers(1, 5))
def test_no_job_is_ever_lost(kinds: list[str], workers: int, maxsize: int) -> None:
    async def scenario() -> QueueStats:
        retry = RetryPolicy(max_attempts=2, backoff=NO_WAIT)
        never = asyncio.Event()
        handles: list[JobHandle[Any]] = []
        async with TaskQueue(
            workers=workers, maxsize=maxsize, time_limit=0.02, retry=retry
        ) as queue:
            for kind in kinds:
                job: Callable[..., Awaitable[Any]] = wait_for
                arguments: tuple[Any, ...] = (never,)
                if kind == "ok":
                    job, arguments = answer, (1,)
                elif kind in {"fail", "flaky"}:
                    job, arguments = fails_times(9 if kind == "fail" else 1), ()
                handle = await queue.submit(job, *arguments)
                if kind.startswith("cancel"):
                    if kind == "cancel-running":
                        await until(lambda h=handle: h.state is not JobState.QUEUED)  # type: ignore[misc]
                    handle.cancel()
                assert_nothing_lost(queue.stats())
                handles.append(handle)
            await queue.join()
            await asyncio.gather(*(each.result() for each in handles), return_exceptions=True)
        return queue.stats()

    stats = asyncio.run(scenario())
    assert stats.in_flight == 0
    assert stats.submitted == len(kinds)
    assert stats.succeeded + stats.failed + stats.cancelled == len(kinds)


def test_demo_prints_how_every_job_ended(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["--jobs", "6", "--workers", "2", "--maxsize", "2", "--time-limit", "0.1"]
    assert cli.main([*arguments, "--fail-rate", "0.5"]) == 0

    output = capsys.readouterr().out
    assert "JobTimeoutError: job 7 ran longer than its 0.1 s limit" in output
    assert "prio urgent  succeeded" in output
    assert output.rstrip().splitlines()[-1].startswith("submitted 8, succeeded ")
    assert output.rstrip().endswith("in flight 0")


def test_benchmark_runs_all_three_runners(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--jobs", "500", "--rounds", "1"]) == 0
    table = capsys.readouterr().out
    for runner in bench.RUNNERS:
        assert runner in table
    assert bench.main(["--jobs", "100", "--rounds", "1", "--json"]) == 0
    assert '"vs_aiojobs": 1.0' in capsys.readouterr().out
