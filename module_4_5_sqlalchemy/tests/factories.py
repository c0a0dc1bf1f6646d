"""Rows for the tests, inserted through the ORM with exactly the values a test needs."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.models import Project, Task, TaskPriority, TaskStatus, User
from module_4_5_sqlalchemy.tasks import tags_named

_numbers = itertools.count(1)


async def add_user(
    session: AsyncSession, name: str | None = None, email: str | None = None
) -> User:
    number = next(_numbers)
    user = User(name=name or f"User {number}", email=email or f"user{number}@example.com")
    session.add(user)
    await session.flush()
    return user


async def add_project(session: AsyncSession, name: str | None = None) -> Project:
    project = Project(name=name or f"Project {next(_numbers)}")
    session.add(project)
    await session.flush()
    return project


async def add_task(
    session: AsyncSession,
    owner: User,
    *,
    title: str | None = None,
    status: TaskStatus = TaskStatus.TODO,
    priority: TaskPriority = TaskPriority.MEDIUM,
    project: Project | None = None,
    due_date: date | None = None,
    completed_at: datetime | None = None,
    created_at: datetime | None = None,
    tags: tuple[str, ...] = (),
    description: str | None = None,
) -> Task:
    if status is TaskStatus.DONE and completed_at is None:
        raise ValueError("a done task needs completed_at")
    extra: dict[str, Any] = {"created_at": created_at} if created_at else {}
    task = Task(
        owner_id=owner.id,
        project_id=project.id if project else None,
        title=title or f"Task {next(_numbers)}",
        description=description,
        status=status,
        priority=priority,
        due_date=due_date,
        completed_at=completed_at,
        tags=await tags_named(session, tags),
        **extra,
    )
    session.add(task)
    await session.flush()
    return task
