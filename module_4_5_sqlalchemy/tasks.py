"""CRUD for tasks (and the projects and tags they refer to) through the ORM.

Returned tasks have their tags loaded; ``owner`` and ``project`` are not (they are
``lazy="raise"``): load them with the queries in ``queries.py`` when a caller needs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from module_4_5_sqlalchemy.errors import (
    ProjectNameTakenError,
    ProjectNotFoundError,
    TaskNotFoundError,
    conflicts_raise,
)
from module_4_5_sqlalchemy.models import PROJECT_NAME_UNIQUE, Project, Tag, Task, TaskStatus
from module_4_5_sqlalchemy.pagination import Page, check_offset_page
from module_4_5_sqlalchemy.schemas import ProjectCreate, TaskCreate, TaskUpdate
from module_4_5_sqlalchemy.users import get_user


async def create_project(session: AsyncSession, data: ProjectCreate) -> Project:
    """A new project; a name in use is :class:`ProjectNameTakenError`."""
    project = Project(name=data.name, description=data.description)
    async with conflicts_raise(session, {PROJECT_NAME_UNIQUE: ProjectNameTakenError(data.name)}):
        session.add(project)
    return project


async def get_project(session: AsyncSession, project_id: int) -> Project:
    project = await session.get(Project, project_id)
    if project is None:
        raise ProjectNotFoundError(project_id)
    return project


async def tags_named(session: AsyncSession, names: Iterable[str]) -> list[Tag]:
    """The tags with these (normalised) names, creating the missing ones.

    ``INSERT ... ON CONFLICT DO NOTHING`` then ``SELECT``: safe when two sessions add the same
    new tag at once, where a SELECT-then-INSERT would fail on the unique constraint.
    """
    # region 4.5.3 extra: INSERT ... ON CONFLICT DO NOTHING, then SELECT
    unique_names = sorted(set(names))
    if not unique_names:
        return []
    await session.execute(
        insert(Tag)
        .values([{"name": name} for name in unique_names])
        .on_conflict_do_nothing(index_elements=[Tag.name])
    )
    tags = await session.scalars(select(Tag).where(Tag.name.in_(unique_names)).order_by(Tag.name))
    return list(tags)
    # endregion 4.5.3


def _completed_at(status: TaskStatus) -> datetime | None:
    return datetime.now(UTC) if status is TaskStatus.DONE else None


async def create_task(session: AsyncSession, data: TaskCreate) -> Task:
    """A new task for an existing user (:class:`UserNotFoundError` otherwise), in an existing
    project if one is given (:class:`ProjectNotFoundError`), with its tags."""
    # region 4.5.3 extra: check owner and project, stamp completed_at, tags
    await get_user(session, data.owner_id)
    if data.project_id is not None:
        await get_project(session, data.project_id)
    task = Task(
        owner_id=data.owner_id,
        project_id=data.project_id,
        title=data.title,
        description=data.description,
        status=data.status,
        priority=data.priority,
        due_date=data.due_date,
        completed_at=_completed_at(data.status),
        tags=await tags_named(session, data.tags),
    )
    session.add(task)
    await session.flush()
    return task
    # endregion 4.5.3


async def get_task(session: AsyncSession, task_id: int) -> Task:
    """The task with this id and its tags, or :class:`TaskNotFoundError`."""
    statement = select(Task).where(Task.id == task_id).options(selectinload(Task.tags))
    task = await session.scalar(statement)
    if task is None:
        raise TaskNotFoundError(task_id)
    return task


async def list_tasks(
    session: AsyncSession, *, owner_id: int | None = None, limit: int = 20, offset: int = 0
) -> Page[Task]:
    """Tasks by id (optionally one user's), one page at a time, with their tags and the total."""
    check_offset_page(limit, offset)
    matching = select(Task)
    if owner_id is not None:
        matching = matching.where(Task.owner_id == owner_id)
    page = matching.options(selectinload(Task.tags)).order_by(Task.id).limit(limit).offset(offset)
    tasks = await session.scalars(page)
    total = await session.scalar(select(func.count()).select_from(matching.subquery()))
    return Page(items=list(tasks), total=total or 0, limit=limit, offset=offset)


async def update_task(session: AsyncSession, task_id: int, data: TaskUpdate) -> Task:
    """Change the fields given. Moving a task to ``done`` stamps ``completed_at``; moving it out
    of ``done`` clears it (a check constraint keeps the two consistent)."""
    # region 4.5.3 extra: the fields given; completed_at follows the status
    task = await get_task(session, task_id)
    changes = data.model_dump(exclude_unset=True, exclude={"tags"})
    if changes.get("owner_id") is not None:
        await get_user(session, changes["owner_id"])
    if changes.get("project_id") is not None:
        await get_project(session, changes["project_id"])
    new_status = changes.get("status")
    if new_status is not None and new_status is not task.status:
        task.completed_at = _completed_at(new_status)
    for field, value in changes.items():
        setattr(task, field, value)
    if data.tags is not None:
        task.tags = await tags_named(session, data.tags)
    await session.flush()
    return task
    # endregion 4.5.3


async def delete_task(session: AsyncSession, task_id: int) -> None:
    """Delete a task (its tag links go with it); :class:`TaskNotFoundError` if there is none."""
    deleted = await session.scalar(delete(Task).where(Task.id == task_id).returning(Task.id))
    if deleted is None:
        raise TaskNotFoundError(task_id)
