"""Validated input of the CRUD functions (Pydantic at the boundary, ORM models inside)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from module_4_5_sqlalchemy.models import TaskPriority, TaskStatus

POSTGRES_INT_MAX = 2**31 - 1


def _no_nul(text: str) -> str:
    # PostgreSQL cannot store NUL in text; asyncpg would fail deep inside the flush.
    if "\x00" in text:
        raise ValueError("must not contain the NUL character")
    return text


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(_no_nul),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_nul),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_nul),
]
Description = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_no_nul)]
TagName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50),
    AfterValidator(_no_nul),
]
# Bounded: asyncpg refuses integers outside int32 for an INTEGER column.
RowId = Annotated[int, Field(ge=1, le=POSTGRES_INT_MAX, strict=True)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UserCreate(_Input):
    email: Email
    name: Name


class UserUpdate(_Input):
    """Only the fields given are changed."""

    email: Email | None = None
    name: Name | None = None


class ProjectCreate(_Input):
    name: Name
    description: Description | None = None


class TaskCreate(_Input):
    owner_id: RowId
    title: Title
    description: Description | None = None
    status: TaskStatus = TaskStatus.TODO
    priority: TaskPriority = TaskPriority.MEDIUM
    due_date: date | None = None
    project_id: RowId | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=20)


class TaskUpdate(_Input):
    """Only the fields given are changed; ``None`` clears description, due date and project."""

    title: Title | None = None
    description: Description | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    due_date: date | None = None
    project_id: RowId | None = None
    tags: list[TagName] | None = Field(default=None, max_length=20)
    owner_id: RowId | None = None

    @model_validator(mode="after")
    def _required_fields_are_not_cleared(self) -> Self:
        for field in ("title", "status", "priority", "tags", "owner_id"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self
