"""Request and response bodies of the tasks API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from taskmanager.core.types import (
    RequestModel,
    ResponseModel,
    Text,
    TrimmedText,
    UtcDatetime,
    examples_without_null_defaults,
)
from taskmanager.tasks.models import TaskPriority, TaskStatus

MAX_TAGS = 20
MAX_TAG_LENGTH = 32


Timestamp = UtcDatetime
"""A timestamp with an offset, normalised to UTC; out-of-range instants are a 422."""
TaskTitle = Annotated[TrimmedText, StringConstraints(min_length=1, max_length=200)]
TaskDescription = Annotated[Text, StringConstraints(max_length=10_000)]
Tag = Annotated[
    TrimmedText,
    StringConstraints(to_lower=True, min_length=1, max_length=MAX_TAG_LENGTH),
]


def _distinct_tags(tags: list[str]) -> list[str]:
    """Drop repeats (after normalisation), keeping the order the client gave."""
    distinct = list(dict.fromkeys(tags))
    if len(distinct) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} distinct tags")
    return distinct


TagList = Annotated[list[Tag], Field(max_length=10 * MAX_TAGS), AfterValidator(_distinct_tags)]


class TaskCreate(RequestModel):
    """A new task; the server sets `id`, `owner_id`, the timestamps and `version`."""

    title: TaskTitle
    description: TaskDescription | None = None
    status: TaskStatus = TaskStatus.TODO
    priority: TaskPriority = TaskPriority.MEDIUM
    due_at: Timestamp | None = None
    tags: TagList = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Write the quarterly report",
                    "description": "Numbers from finance first.",
                    "priority": "high",
                    "due_at": "2026-12-01T17:00:00Z",
                    "tags": ["work", "reports"],
                }
            ]
        }
    )


class TaskUpdate(RequestModel):
    """Any subset of the writable fields; `description` and `due_at` may be set to null."""

    # `SkipJsonSchema[None]`: "not sent" is None in Python, but null is refused, so the schema
    # does not offer it.
    title: TaskTitle | SkipJsonSchema[None] = None
    description: TaskDescription | None = None
    status: TaskStatus | SkipJsonSchema[None] = None
    priority: TaskPriority | SkipJsonSchema[None] = None
    due_at: Timestamp | None = None
    tags: TagList | SkipJsonSchema[None] = None

    model_config = ConfigDict(
        json_schema_extra=examples_without_null_defaults(
            {"status": "done"}, {"due_at": None, "tags": []}
        )
    )

    @field_validator("title", "status", "priority", "tags", mode="before")
    @classmethod
    def _omitted_but_never_null(cls, value: object) -> object:
        # Validators run only for fields the client sent, so `None` here is an explicit null.
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value


class TaskRead(ResponseModel):
    id: uuid.UUID
    title: str
    description: str | None
    status: TaskStatus
    priority: TaskPriority
    due_at: datetime | None
    tags: list[str]
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int


class TaskStats(ResponseModel):
    total: int
    by_status: dict[TaskStatus, int]
    by_priority: dict[TaskPriority, int]
    overdue: int
