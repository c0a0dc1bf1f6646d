"""FastAPI dependencies of the tasks API: the one ownership check and the list's query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Header, Path, Query
from pydantic import StringConstraints

from taskmanager.auth.dependencies import CurrentUser
from taskmanager.core.database import SessionDep
from taskmanager.core.types import Text
from taskmanager.tasks.filters import TaskFilters, TaskSort
from taskmanager.tasks.models import Task, TaskPriority, TaskStatus
from taskmanager.tasks.schemas import Tag, Timestamp
from taskmanager.tasks.service import find_owned_task

TaskIdPath = Annotated[uuid.UUID, Path(description="The task's id.")]


async def owned_task(task_id: TaskIdPath, user: CurrentUser, session: SessionDep) -> Task:
    """The current user's task; another user's task is a 404, exactly like a missing one."""
    return await find_owned_task(session, user.id, task_id)


async def locked_owned_task(task_id: TaskIdPath, user: CurrentUser, session: SessionDep) -> Task:
    """Like `owned_task`, with the row locked until the request's transaction ends."""
    return await find_owned_task(session, user.id, task_id, for_update=True)


OwnedTask = Annotated[Task, Depends(owned_task)]
LockedOwnedTask = Annotated[Task, Depends(locked_owned_task)]

IfMatchHeader = Annotated[
    str | None,
    Header(
        max_length=1024,
        description="The task's `ETag`: the change applies only if the task is still that version.",
    ),
]
IfNoneMatchHeader = Annotated[
    str | None,
    Header(max_length=1024, description="An `ETag` you hold: 304 if it is still current."),
]

SearchText = Annotated[Text, StringConstraints(max_length=200)]


async def task_filters(
    *,
    status: Annotated[
        list[TaskStatus] | None, Query(description="Repeatable; any listed status matches.")
    ] = None,
    priority: Annotated[
        list[TaskPriority] | None, Query(description="Repeatable; any listed priority matches.")
    ] = None,
    tag: Annotated[
        list[Tag] | None, Query(description="Repeatable; a task with any listed tag matches.")
    ] = None,
    q: Annotated[
        SearchText | None,
        Query(description="Case-insensitive text in the title or description, taken literally."),
    ] = None,
    due_before: Annotated[
        Timestamp | None, Query(description="Due strictly before this instant.")
    ] = None,
    due_after: Annotated[
        Timestamp | None, Query(description="Due strictly after this instant.")
    ] = None,
    overdue: Annotated[
        bool | None,
        Query(description="`true`: due in the past and not done; `false`: every other task."),
    ] = None,
    sort: Annotated[
        TaskSort, Query(description="Sort key, `-` prefix for descending; ties broken by id.")
    ] = TaskSort.CREATED_AT_DESC,
) -> TaskFilters:
    return TaskFilters(
        statuses=frozenset(status or ()),
        priorities=frozenset(priority or ()),
        tags=frozenset(tag or ()),
        text=q or None,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        sort=sort,
    )


TaskFiltersDep = Annotated[TaskFilters, Depends(task_filters)]
