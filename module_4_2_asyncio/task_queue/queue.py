"""An in-process async task queue: N worker tasks run coroutine jobs from a bounded priority heap.

Each worker awaits its job directly instead of wrapping it in a new Task: one task per worker, not
per job, is what makes the queue several times faster than a task-per-job scheduler.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from types import TracebackType
from typing import Any, Self, TypeVar

from module_4_2_asyncio.task_queue.jobs import (
    FINAL_STATES,
    Job,
    JobCancelledError,
    JobFunction,
    JobHandle,
    JobState,
    JobTimeoutError,
    Priority,
    QueueClosedError,
    QueueStats,
    RetryPolicy,
)

T = TypeVar("T")
_UNSET: Any = object()


class TaskQueue:
    """Run coroutine jobs on ``workers`` tasks, at most ``maxsize`` waiting to start.

    ``submit()`` waits while the queue is full (backpressure) and returns a ``JobHandle``. A
    smaller ``priority`` runs first (``Priority.URGENT`` before ``LOW``; ``MEDIUM`` by default);
    equal priorities run in submission order. ``shutdown()`` refuses new jobs, lets the accepted
    ones finish, and cancels what is left at its deadline.
    """

    def __init__(
        self,
        *,
        workers: int = 8,
        maxsize: int = 1000,
        time_limit: float | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        if time_limit is not None and time_limit <= 0:
            raise ValueError("time_limit must be positive (or None for no limit)")
        self.workers = workers
        self.maxsize = maxsize
        self.default_time_limit = time_limit
        self.default_retry = retry or RetryPolicy()
        self._heap: list[tuple[int, int, Job[Any]]] = []
        self._sequence = itertools.count()
        self._job_ids = itertools.count(1)
        self._space_waiters: deque[asyncio.Future[None]] = deque()
        self._job_waiters: deque[asyncio.Future[None]] = deque()
        self._idle_waiters: list[asyncio.Future[None]] = []
        self._worker_tasks: list[asyncio.Task[None]] = []
        self._running_jobs: set[Job[Any]] = set()
        self._retry_jobs: set[Job[Any]] = set()
        self._closed = False
        self._cancelling = False  # past the shutdown deadline: no more retries
        self._shutdown_done = False
        self._submitted = self._succeeded = self._failed = self._cancelled = self._retried = 0
        self._queued = 0

    # --- lifetime -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Leaving the block with an error: do not wait for the backlog, cancel it.
        await self.shutdown(drain=exc_type is None)

    def start(self) -> None:
        """Start the workers (``submit`` does it too); needs a running event loop."""
        # region 4.2.2 extra: create the worker tasks, once
        if self._closed:
            raise QueueClosedError("the queue has been shut down")
        if not self._worker_tasks:
            self._worker_tasks = [
                asyncio.create_task(self._work(), name=f"task-queue-worker-{number}")
                for number in range(self.workers)
            ]
        # endregion 4.2.2

    @property
    def closed(self) -> bool:
        return self._closed

    def stats(self) -> QueueStats:
        return QueueStats(
            submitted=self._submitted,
            succeeded=self._succeeded,
            failed=self._failed,
            cancelled=self._cancelled,
            retried=self._retried,
            queued=self._queued,
            running=len(self._running_jobs),
            waiting_retry=len(self._retry_jobs),
        )

    # --- submitting -----------------------------------------------------------------------

    async def submit(
        self,
        function: JobFunction[T],
        /,
        *args: Any,
        priority: int = Priority.MEDIUM,
        time_limit: float | None = _UNSET,
        retry: RetryPolicy | None = None,
    ) -> JobHandle[T]:
        """Queue ``function(*args)``; waits while ``maxsize`` jobs are already waiting.

        ``time_limit`` (seconds per attempt) and ``retry`` default to the queue's. Raises
        ``QueueClosedError`` once shutdown has begun, also to a submitter that was waiting.
        """
        # region 4.2.2 extra: wait for space (backpressure), push a Job
        job_time_limit = self.default_time_limit if time_limit is _UNSET else time_limit
        if job_time_limit is not None and not job_time_limit > 0:
            raise ValueError("time_limit must be positive (or None for no limit)")
        self.start()
        while self._queued >= self.maxsize:
            space = asyncio.get_running_loop().create_future()
            self._space_waiters.append(space)
            try:
                await space
            except asyncio.CancelledError:
                if space.done():
                    self._wake_submitter()  # pass the free slot on to the next submitter
                else:
                    self._space_waiters.remove(space)
                raise
            if self._closed:
                break
        if self._closed:
            raise QueueClosedError("the queue is shutting down and accepts no new jobs")
        job: Job[T] = Job(
            next(self._job_ids),
            function,
            args,
            priority=priority,
            time_limit=job_time_limit,
            retry=retry or self.default_retry,
            future=asyncio.get_running_loop().create_future(),
        )
        self._submitted += 1
        self._push(job)
        return JobHandle(job, self)
        # endregion 4.2.2

    def _push(self, job: Job[Any]) -> None:
        # region 4.2.2 extra: onto the priority heap; wake one worker
        job.state = JobState.QUEUED
        self._queued += 1
        heapq.heappush(self._heap, (job.priority, next(self._sequence), job))
        _wake_first(self._job_waiters)
        # endregion 4.2.2

    def _wake_submitter(self) -> None:
        _wake_first(self._space_waiters)

    # --- waiting --------------------------------------------------------------------------

    async def join(self) -> None:
        """Wait until every accepted job has finished (succeeded, failed or been cancelled)."""
        # region 4.2.2 extra: wait until every accepted job has ended
        if self._submitted == self._succeeded + self._failed + self._cancelled:
            return
        idle = asyncio.get_running_loop().create_future()
        self._idle_waiters.append(idle)
        await idle
        # endregion 4.2.2

    def _settle(self, job: Job[Any], state: JobState) -> None:
        # region 4.2.2 extra: count the final state; wake join() waiters
        job.state = state
        if state is JobState.SUCCEEDED:
            self._succeeded += 1
        elif state is JobState.FAILED:
            self._failed += 1
        else:
            self._cancelled += 1
        if self._submitted == self._succeeded + self._failed + self._cancelled:
            for idle in self._idle_waiters:
                if not idle.done():
                    idle.set_result(None)
            self._idle_waiters.clear()
        # endregion 4.2.2

    # --- the workers ----------------------------------------------------------------------

    async def _work(self) -> None:
        # region 4.2.2 extra: run jobs until _next_job() says stop
        worker = asyncio.current_task()
        if worker is None:  # pragma: no cover - start() always runs this in a task
            raise RuntimeError("a worker must run as a task")
        while (job := await self._next_job()) is not None:
            await self._run(job, worker)
        # endregion 4.2.2

    async def _next_job(self) -> Job[Any] | None:
        """The most urgent queued job, waiting for one; None when shut down and nothing is left."""
        # region 4.2.2 extra: pop the most urgent job, or wait for one
        while True:
            while self._heap:
                job = heapq.heappop(self._heap)[2]
                if job.state is JobState.QUEUED:  # cancelled jobs stay in the heap until popped
                    self._queued -= 1
                    self._wake_submitter()
                    return job
            if self._closed and not self._retry_jobs:
                return None
            waiter = asyncio.get_running_loop().create_future()
            self._job_waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if not waiter.done():
                    self._job_waiters.remove(waiter)
                raise
        # endregion 4.2.2

    async def _run(self, job: Job[Any], worker: asyncio.Task[None]) -> None:
        # region 4.2.2 extra: one attempt: time limit, cancel, retry
        job.state = JobState.RUNNING
        job.attempts += 1
        job.worker = worker
        self._running_jobs.add(job)
        deadline = None if job.time_limit is None else asyncio.timeout(job.time_limit)
        failure: Exception | None = None
        result: Any = None
        try:
            if deadline is None:
                result = await job.function(*job.args)
            else:
                async with deadline:
                    result = await job.function(*job.args)
        except asyncio.CancelledError:
            self._finish_cancelled(job)
            # A cancel() aimed at this job is consumed here; any other cancellation (the event
            # loop shutting down, say) stops the worker as it should.
            if not job.cancel_requested or worker.uncancel() > 0:
                raise
            return
        except Exception as error:
            failure = error
            if deadline is not None and deadline.expired():
                limit = job.time_limit
                failure = JobTimeoutError(f"job {job.id} ran longer than its {limit:g} s limit")
                failure.__cause__ = error
        finally:
            job.worker = None
            self._running_jobs.discard(job)
        if job.cancel_requested:  # the job swallowed its cancellation; it still ends cancelled
            worker.uncancel()
            self._finish_cancelled(job)
        elif failure is None:
            job.future.set_result(result)
            self._settle(job, JobState.SUCCEEDED)
        elif not self._cancelling and job.retry.should_retry(failure, job.attempts):
            self._retried += 1
            job.state = JobState.WAITING_RETRY
            self._retry_jobs.add(job)
            delay = job.retry.backoff.delay(job.attempts)
            job.retry_timer = asyncio.get_running_loop().call_later(delay, self._requeue, job)
        else:
            job.future.set_exception(failure)
            self._settle(job, JobState.FAILED)
        # endregion 4.2.2

    def _requeue(self, job: Job[Any]) -> None:
        # region 4.2.2 extra: back onto the heap after the backoff
        job.retry_timer = None
        self._retry_jobs.discard(job)
        # A retry was admitted once already and a timer cannot wait: it may exceed maxsize.
        self._push(job)
        # endregion 4.2.2

    # --- cancelling -----------------------------------------------------------------------

    def cancel_job(self, job: Job[Any]) -> bool:
        # region 4.2.2 extra: cancel a queued, waiting or running job
        if job.state in FINAL_STATES:
            return False
        if job.cancel_requested:
            return True
        if job.state is JobState.RUNNING and job.worker is not None:
            job.cancel_requested = True
            job.worker.cancel()
            return True
        if job.state is JobState.QUEUED:
            self._queued -= 1
            self._wake_submitter()
        elif job.retry_timer is not None:
            job.retry_timer.cancel()
            job.retry_timer = None
            self._retry_jobs.discard(job)
        self._finish_cancelled(job)
        _wake_all(self._job_waiters)  # idle workers may now be free to exit
        return True
        # endregion 4.2.2

    def _finish_cancelled(self, job: Job[Any]) -> None:
        # region 4.2.2 extra: fail the future with JobCancelledError
        job.future.set_exception(JobCancelledError(f"job {job.id} was cancelled"))
        job.future.exception()  # a cancelled job is not an error that must be logged if unread
        self._settle(job, JobState.CANCELLED)
        # endregion 4.2.2

    # --- shutting down --------------------------------------------------------------------

    async def shutdown(self, grace_period: float = 10.0, *, drain: bool = True) -> None:
        """Refuse new jobs, finish the accepted ones, cancel what is left after ``grace_period`` s.

        With ``drain=False`` queued jobs are cancelled at once and only running ones finish.
        """
        # region 4.2.2 extra: refuse, drain, cancel at the deadline
        if self._shutdown_done:
            return
        self._closed = True
        _wake_all(self._space_waiters)
        if not drain:
            self._cancel_waiting_jobs()
        _wake_all(self._job_waiters)
        if self._worker_tasks:
            _, stragglers = await asyncio.wait(self._worker_tasks, timeout=grace_period)
            if stragglers:
                self._cancelling = True
                self._cancel_waiting_jobs()
                for job in list(self._running_jobs):
                    self.cancel_job(job)
                await asyncio.wait(stragglers)
        self._cancel_waiting_jobs()  # a queue that never started workers
        self._shutdown_done = True
        # endregion 4.2.2

    def _cancel_waiting_jobs(self) -> None:
        # region 4.2.2 extra: cancel queued and retry-waiting jobs
        for _, _, job in self._heap:
            if job.state is JobState.QUEUED:
                self.cancel_job(job)
        self._heap.clear()
        for job in list(self._retry_jobs):
            self.cancel_job(job)
        # endregion 4.2.2


def _wake_first(waiters: deque[asyncio.Future[None]]) -> None:
    # region 4.2.2 extra: wake the first waiter still waiting
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(None)
            return
    # endregion 4.2.2


def _wake_all(waiters: deque[asyncio.Future[None]]) -> None:
    # region 4.2.2 extra: wake every waiter
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(None)
    # endregion 4.2.2
