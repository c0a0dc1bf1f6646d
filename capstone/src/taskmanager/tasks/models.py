"""The `tasks` table: one row per task, its tags inline as a lower-case text array."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from taskmanager.core.database import Base


class TaskStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TaskPriority(StrEnum):
    """Declared from lowest to highest: PostgreSQL sorts an enum in declaration order."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


def _enum_values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


class Task(Base):
    """A task; `completed_at` is set exactly when `status` is done (a check in migration 0002)."""

    __tablename__ = "tasks"
    # As migration 0002 creates them (the drift test compares the two): one (owner_id, sort
    # expression, id) index per sort key of the list, GIN for tags, trigram GIN for `q`.
    __table_args__ = (
        Index("ix_tasks_owner_created_at", "owner_id", "created_at", "id"),
        Index("ix_tasks_owner_updated_at", "owner_id", "updated_at", "id"),
        Index(
            "ix_tasks_owner_due_at_asc",
            "owner_id",
            text("coalesce(due_at, 'infinity'::timestamptz)"),
            "id",
        ),
        Index(
            "ix_tasks_owner_due_at_desc",
            "owner_id",
            text("coalesce(due_at, '-infinity'::timestamptz)"),
            "id",
        ),
        Index("ix_tasks_owner_priority", "owner_id", "priority", "id"),
        Index("ix_tasks_owner_title", "owner_id", text('(lower(title) COLLATE "C")'), "id"),
        Index("ix_tasks_tags", "tags", postgresql_using="gin"),
        Index(
            "ix_tasks_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
        Index(
            "ix_tasks_description_trgm",
            "description",
            postgresql_using="gin",
            postgresql_ops={"description": "gin_trgm_ops"},
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, name="task_status", values_callable=_enum_values)
    )
    priority: Mapped[TaskPriority] = mapped_column(
        Enum(TaskPriority, name="task_priority", values_callable=_enum_values)
    )
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Inline array rather than a join table: a page of tasks with their tags is one statement,
    # and a GIN index answers "has any of these tags".
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
