"""Task 4.2.2: a simple asynchronous task queue (workers, backpressure, retries, priorities)."""

from module_4_2_asyncio.task_queue.jobs import (
    JobCancelledError,
    JobHandle,
    JobState,
    JobTimeoutError,
    Priority,
    QueueClosedError,
    QueueStats,
    RetryPolicy,
)
from module_4_2_asyncio.task_queue.queue import TaskQueue

__all__ = [
    "JobCancelledError",
    "JobHandle",
    "JobState",
    "JobTimeoutError",
    "Priority",
    "QueueClosedError",
    "QueueStats",
    "RetryPolicy",
    "TaskQueue",
]
