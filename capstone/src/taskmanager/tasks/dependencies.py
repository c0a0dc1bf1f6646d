"""FastAPI dependencies of the tasks API: the one ownership check and the list's query."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from pydantic import BaseModel, Field, StringConstraints

from taskmanager.auth.dependencies import CurrentUser
from taskmanager.core.database import SessionDep
from taskmanager.core.pagination import (
    CURSOR_DESCRIPTION,
    DEFAULT_LIMIT,
    LIMIT_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    PageParams,
    read_page_params,
)
from taskmanager.core.query import read_query
from taskmanager.core.types import Text
from taskmanager.tasks.filters import TaskFilters, TaskSort
from taskmanager.tasks.models import Task, TaskPriority, TaskStatus
from taskmanager.tasks.schemas import MAX_TAGS, Tag, Timestamp
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


class TaskListQuery(BaseModel):
    """The query of `GET /tasks`: filters, sort order and paging.

    One model rather than one parameter each, read by `read_query` (see `taskmanager.core.query`)
    and documented by `query_parameters`. Unknown parameters are ignored.
    """

    status: list[TaskStatus] = Field(
        default_factory=list, description="Repeatable; any listed status matches."
    )
    priority: list[TaskPriority] = Field(
        default_factory=list, description="Repeatable; any listed priority matches."
    )
    tag: list[Tag] = Field(
        default_factory=list,
        max_length=MAX_TAGS,
        description=f"Repeatable (at most {MAX_TAGS}); a task with any listed tag matches.",
    )
    q: SearchText | None = Field(
        default=None,
        description="Case-insensitive text in the title or description, taken literally.",
    )
    due_before: Timestamp | None = Field(
        default=None, description="Due strictly before this instant."
    )
    due_after: Timestamp | None = Field(
        default=None, description="Due strictly after this instant."
    )
    overdue: bool | None = Field(
        default=None,
        description="`true`: due in the past and not done; `false`: every other task.",
    )
    sort: TaskSort = Field(
        default=TaskSort.CREATED_AT_DESC,
        description="Sort key, `-` prefix for descending; ties broken by id.",
    )
    limit: int = Field(
        default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION, examples=[20]
    )
    cursor: str | None = Field(
        default=None, max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION
    )

    def filters(self) -> TaskFilters:
        return TaskFilters(
            statuses=frozenset(self.status),
            priorities=frozenset(self.priority),
            tags=frozenset(self.tag),
            text=self.q or None,
            due_before=self.due_before,
            due_after=self.due_after,
            overdue=self.overdue,
            sort=self.sort,
        )


@dataclass(frozen=True)
class TaskListRequest:
    filters: TaskFilters
    page: PageParams


async def task_list_request(request: Request) -> TaskListRequest:
    query = read_query(request, TaskListQuery)
    page = read_page_params(request, query.limit, query.cursor)
    return TaskListRequest(query.filters(), page)


TaskListRequestDep = Annotated[TaskListRequest, Depends(task_list_request)]
