"""What the task queue hands out and reports: job handles, states, retry rules, counters, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from module_4_2_asyncio.backoff import Backoff

if TYPE_CHECKING:
    from module_4_2_asyncio.task_queue.queue import TaskQueue

T = TypeVar("T")
JobFunction = Callable[..., Awaitable[T]]


class QueueClosedError(RuntimeError):
    """The queue is shutting down (or has shut down) and accepts no new jobs."""


class JobCancelledError(Exception):
    """The job was cancelled before it finished: by ``cancel()`` or by a shutdown deadline.

    Deliberately not ``asyncio.CancelledError``: awaiting a cancelled job's handle must not look
    as if the awaiting task itself had been cancelled.
    """


class JobTimeoutError(TimeoutError):
    """An attempt of the job ran longer than its time limit."""


class Priority(IntEnum):
    """The course's priority vocabulary (low/medium/high/urgent) as heap order: smaller runs first.

    Any ``int`` is a priority too; these names are the ones the other sections use.
    """

    URGENT = 0
    HIGH = 1
    MEDIUM = 2
    LOW = 3


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    WAITING_RETRY = "waiting_retry"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a failing job runs again, and after how long.

    ``max_attempts`` counts the first run: 1 means no retries. Exceptions that are instances of
    ``retry_on`` are retried; an attempt that exceeds its time limit is retried only with
    ``retry_timeouts``.
    """

    max_attempts: int = 1
    backoff: Backoff = field(default_factory=Backoff)
    retry_on: tuple[type[Exception], ...] = (Exception,)
    retry_timeouts: bool = False

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def should_retry(self, error: Exception, attempts: int) -> bool:
        # region 4.2.2 extra: attempts left and a retryable error?
        if attempts >= self.max_attempts:
            return False
        if isinstance(error, JobTimeoutError):
            return self.retry_timeouts
        return isinstance(error, self.retry_on)
        # endregion 4.2.2


@dataclass(frozen=True, slots=True)
class QueueStats:
    """A snapshot of the counters. Invariant: submitted == succeeded + failed + cancelled +
    in_flight, so no job is ever lost; ``retried`` counts extra attempts, not jobs."""

    submitted: int
    succeeded: int
    failed: int
    cancelled: int
    retried: int
    queued: int
    running: int
    waiting_retry: int

    @property
    def in_flight(self) -> int:
        return self.queued + self.running + self.waiting_retry


class Job(Generic[T]):
    """The queue's own record of one job; users see it through a ``JobHandle``."""

    __slots__ = (
        "args",
        "attempts",
        "cancel_requested",
        "function",
        "future",
        "id",
        "priority",
        "retry",
        "retry_timer",
        "state",
        "time_limit",
        "worker",
    )

    def __init__(
        self,
        job_id: int,
        function: JobFunction[T],
        args: tuple[Any, ...],
        *,
        priority: int,
        time_limit: float | None,
        retry: RetryPolicy,
        future: asyncio.Future[T],
    ) -> None:
        self.id = job_id
        self.function = function
        self.args = args
        self.priority = priority
        self.time_limit = time_limit
        self.retry = retry
        self.future = future
        self.state = JobState.QUEUED
        self.attempts = 0
        self.cancel_requested = False
        self.worker: asyncio.Task[None] | None = None
        self.retry_timer: asyncio.TimerHandle | None = None


class JobHandle(Generic[T]):
    """What ``submit()`` returns: await it for the job's result, or its final exception."""

    __slots__ = ("_job", "_queue")

    def __init__(self, job: Job[T], queue: TaskQueue) -> None:
        self._job = job
        self._queue = queue

    def __repr__(self) -> str:
        return f"<JobHandle id={self.id} state={self.state} attempts={self.attempts}>"

    @property
    def id(self) -> int:
        return self._job.id

    @property
    def state(self) -> JobState:
        return self._job.state

    @property
    def attempts(self) -> int:
        return self._job.attempts

    @property
    def priority(self) -> int:
        return self._job.priority

    def done(self) -> bool:
        return self._job.state in FINAL_STATES

    def cancel(self) -> bool:
        """Cancel a queued, waiting or running job; False when it had already finished."""
        return self._queue.cancel_job(self._job)

    async def result(self) -> T:
        """The job's return value; raises its exception, ``JobCancelledError`` or
        ``JobTimeoutError``. Cancelling the awaiting task does not cancel the job."""
        return await asyncio.shield(self._job.future)

    def __await__(self) -> Generator[Any, None, T]:
        return self.result().__await__()
