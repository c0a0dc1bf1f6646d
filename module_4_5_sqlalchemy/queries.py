"""Reports over the task tracker, written with the ORM: joins, aggregates, a window function.

Each function answers one question (its docstring says which) in a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from module_4_5_sqlalchemy.models import OPEN_STATUSES, Project, Task, TaskStatus, User


@dataclass(frozen=True)
class UserOpenTasks:
    user: User
    open_tasks: int


async def users_with_open_task_counts(session: AsyncSession) -> list[UserOpenTasks]:
    """How many open (to do or in progress) tasks does each user have? Users with none are
    listed too, with 0; busiest first."""
    # region 4.5.4 extra: outer join with the status test in ON
    open_tasks = func.count(Task.id)
    statement = (
        select(User, open_tasks)
        # The status test belongs in the ON clause: in WHERE it would drop the users without
        # open tasks and turn the outer join back into an inner one.
        .outerjoin(Task, (Task.owner_id == User.id) & Task.status.in_(OPEN_STATUSES))
        .group_by(User.id)
        .order_by(open_tasks.desc(), User.id)
    )
    rows = await session.execute(statement)
    return [UserOpenTasks(user=user, open_tasks=count) for user, count in rows]
    # endregion 4.5.4


async def overdue_tasks(session: AsyncSession, *, today: date | None = None) -> list[Task]:
    """Which open tasks are past their due date, with their owner and project (one statement,
    joined)? Most overdue first. ``today`` defaults to the database's ``current_date``."""
    # region 4.5.4 extra: joinedload owner (inner) and project (outer)
    cutoff: ColumnElement[date] | date = func.current_date() if today is None else today
    statement = (
        select(Task)
        .options(joinedload(Task.owner, innerjoin=True), joinedload(Task.project))
        .where(Task.status.in_(OPEN_STATUSES), Task.due_date < cutoff)
        .order_by(Task.due_date, Task.id)
    )
    return list(await session.scalars(statement))
    # endregion 4.5.4


@dataclass(frozen=True)
class CompletionRank:
    user: User
    completed: int
    rank: int


async def top_completers(
    session: AsyncSession, *, start: datetime, end: datetime, limit: int = 3
) -> list[CompletionRank]:
    """Who completed the most tasks between ``start`` (inclusive) and ``end`` (exclusive)?

    Ranked with ``rank()`` over the per-user counts, so users tied on the last place are all
    included (the result may be longer than ``limit``). Users who completed nothing are left out.
    """
    # region 4.5.4 extra: GROUP BY and rank() over the counts
    if start >= end:
        raise ValueError("the period must end after it starts")
    completed = func.count(Task.id)
    ranked = (
        select(
            Task.owner_id,
            completed.label("completed"),
            func.rank().over(order_by=completed.desc()).label("rank"),
        )
        .where(
            Task.status == TaskStatus.DONE,
            Task.completed_at >= start,
            Task.completed_at < end,
        )
        .group_by(Task.owner_id)
        .subquery("ranked")
    )
    statement = (
        select(User, ranked.c.completed, ranked.c.rank)
        .join(ranked, ranked.c.owner_id == User.id)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.rank, User.id)
    )
    rows = await session.execute(statement)
    return [CompletionRank(user=user, completed=count, rank=rank) for user, count, rank in rows]
    # endregion 4.5.4


@dataclass(frozen=True)
class ProjectStatusCounts:
    project: Project
    counts: dict[TaskStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def projects_with_status_counts(session: AsyncSession) -> list[ProjectStatusCounts]:
    """How many tasks of each status does every project have (empty projects included)?

    One pass over the tasks: ``count(...) FILTER (WHERE status = ...)`` per status.
    """
    # region 4.5.4 extra: count(...) FILTER per status
    per_status = [
        func.count(Task.id).filter(Task.status == status).label(status.value)
        for status in TaskStatus
    ]
    statement = (
        select(Project, *per_status)
        .outerjoin(Task, Task.project_id == Project.id)
        .group_by(Project.id)
        .order_by(Project.name)
    )
    result = []
    for row in await session.execute(statement):
        project, *counts = row
        result.append(ProjectStatusCounts(project, dict(zip(TaskStatus, counts, strict=True))))
    return result
    # endregion 4.5.4


async def users_with_tasks_and_tags(
    session: AsyncSession, user_ids: Sequence[int] | None = None
) -> list[User]:
    """Users (all, or those listed) with their tasks, each task's tags and project loaded.

    Three statements however many users and tasks: users, then their tasks (joined with the
    projects), then the tags of those tasks (``selectinload`` uses ``WHERE ... IN``).
    """
    # region 4.5.4 extra: selectinload tasks, their tags and project
    statement = (
        select(User)
        .options(
            selectinload(User.tasks).options(selectinload(Task.tags), joinedload(Task.project))
        )
        .order_by(User.id)
    )
    if user_ids is not None:
        statement = statement.where(User.id.in_(user_ids))
    return list(await session.scalars(statement))
    # endregion 4.5.4
