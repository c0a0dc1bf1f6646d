"""What can be done with tasks, independent of HTTP: create, find the owner's, update, stats."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from taskmanager.core.database import utc_now
from taskmanager.core.errors import NotFoundError
from taskmanager.tasks.models import Task, TaskPriority, TaskStatus
from taskmanager.tasks.schemas import TaskCreate, TaskStats, TaskUpdate


class TaskNotFoundError(NotFoundError):
    """Also what another user's task looks like: its existence is not revealed."""

    def __init__(self) -> None:
        super().__init__("No task with this id.")


def _completed_at(status: TaskStatus, previous: datetime | None, now: datetime) -> datetime | None:
    """`completed_at` follows `status`: set on entering `done`, kept while done, cleared after."""
    if status is not TaskStatus.DONE:
        return None
    return previous or now


async def create_task(session: AsyncSession, owner_id: uuid.UUID, data: TaskCreate) -> Task:
    now = utc_now()
    task = Task(
        id=uuid.uuid4(),
        owner_id=owner_id,
        **data.model_dump(),
        created_at=now,
        updated_at=now,
        completed_at=_completed_at(data.status, None, now),
        version=1,
    )
    session.add(task)
    await session.commit()
    return task


async def find_owned_task(
    session: AsyncSession, owner_id: uuid.UUID, task_id: uuid.UUID, *, for_update: bool = False
) -> Task:
    """The task if `owner_id` owns it; 404 otherwise, whether it exists or not.

    `for_update` locks the row until the transaction ends, so concurrent updates run one after
    the other and each sees the version the previous one wrote.
    """
    statement = select(Task).where(Task.id == task_id, Task.owner_id == owner_id)
    if for_update:
        statement = statement.with_for_update()
    task = await session.scalar(statement)
    if task is None:
        raise TaskNotFoundError
    return task


def _changes(task: Task, data: TaskUpdate) -> dict[str, Any]:
    requested = data.model_dump(exclude_unset=True)
    return {name: value for name, value in requested.items() if getattr(task, name) != value}


async def update_task(session: AsyncSession, task: Task, data: TaskUpdate) -> Task:
    """Apply a partial update to a task locked by `find_owned_task(..., for_update=True)`.

    A request that changes nothing leaves `version` and `updated_at` alone.
    """
    changes = _changes(task, data)
    if not changes:
        await session.commit()  # ends the transaction and its row lock; nothing to write
        return task
    now = utc_now()
    for name, value in changes.items():
        setattr(task, name, value)
    task.completed_at = _completed_at(task.status, task.completed_at, now)
    task.updated_at = now
    task.version += 1
    await session.commit()
    return task


async def delete_task(session: AsyncSession, task: Task) -> None:
    await session.delete(task)
    await session.commit()


async def task_stats(session: AsyncSession, owner_id: uuid.UUID) -> TaskStats:
    """Every figure in one aggregate statement over the owner's tasks."""
    by_status = {status: func.count().filter(Task.status == status) for status in TaskStatus}
    by_priority = {
        priority: func.count().filter(Task.priority == priority) for priority in TaskPriority
    }
    overdue = func.count().filter(Task.due_at < func.now(), Task.status != TaskStatus.DONE)
    statement = select(func.count(), overdue, *by_status.values(), *by_priority.values()).where(
        Task.owner_id == owner_id
    )
    total, overdue_count, *counts = (await session.execute(statement)).one()
    return TaskStats(
        total=total,
        by_status=dict(zip(by_status, counts[: len(by_status)], strict=True)),
        by_priority=dict(zip(by_priority, counts[len(by_status) :], strict=True)),
        overdue=overdue_count,
    )
