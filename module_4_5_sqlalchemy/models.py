"""The task-tracker schema: users own tasks, tasks may belong to a project and carry tags.

Every relationship is ``lazy="raise"``: an ``AsyncSession`` cannot load on attribute access, so a
forgotten ``selectinload`` fails at once with a clear error instead of an obscure greenlet one.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Every constraint gets a predictable name, so migrations can drop or alter it by name and a
# violated constraint can be recognised in an IntegrityError (see errors.conflicts_raise).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
USER_EMAIL_UNIQUE_INDEX = "uq_users_email_lower"
PROJECT_NAME_UNIQUE = "uq_projects_name"  # what the convention names Project.name's constraint


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TaskStatus(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)


class TaskPriority(enum.StrEnum):
    """Declared from lowest to highest: a PostgreSQL enum sorts in declaration order."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


def _enum_values(enum_class: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in enum_class]


task_status_type = Enum(TaskStatus, name="task_status", values_callable=_enum_values)
task_priority_type = Enum(TaskPriority, name="task_priority", values_callable=_enum_values)


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("position('@' in email) > 1", name="email_has_at"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    )
    # eager_defaults: fetch server-generated columns with RETURNING instead of expiring them.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 - SQLAlchemy's declarative API

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _created_at()

    # passive_deletes: ON DELETE CASCADE removes the tasks; the ORM need not load them first.
    tasks: Mapped[list[Task]] = relationship(
        back_populates="owner", lazy="raise", passive_deletes=True, order_by="Task.id"
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r})"


# Case-insensitive uniqueness: Alice@Example.com and alice@example.com are one address.
Index(USER_EMAIL_UNIQUE_INDEX, func.lower(User.email), unique=True)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),)
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()

    tasks: Mapped[list[Task]] = relationship(
        back_populates="project", lazy="raise", passive_deletes=True, order_by="Task.id"
    )

    def __repr__(self) -> str:
        return f"Project(id={self.id!r}, name={self.name!r})"


task_tags = Table(
    "task_tags",
    Base.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves "tags of a task"; this index serves "tasks with a tag".
    Index("ix_task_tags_tag_id", "tag_id"),
)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("length(btrim(title)) > 0", name="title_not_blank"),
        CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name="completed_at_iff_done"
        ),
        # Open-task counts per user, and the task filters by owner.
        Index("ix_tasks_owner_id_status", "owner_id", "status"),
        # Per-status counts per project.
        Index("ix_tasks_project_id_status", "project_id", "status"),
        # Overdue tasks: only open tasks have a due date worth scanning.
        Index(
            "ix_tasks_due_date_open",
            "due_date",
            postgresql_where=text("status IN ('todo', 'in_progress')"),
        ),
        # Top users by completed tasks in a period.
        Index("ix_tasks_completed_at", "completed_at"),
        # Keyset pagination, newest first and by priority.
        Index("ix_tasks_created_at_id", "created_at", "id"),
        Index("ix_tasks_priority_id", "priority", "id"),
    )
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(
        task_status_type, default=TaskStatus.TODO, server_default=TaskStatus.TODO.value
    )
    priority: Mapped[TaskPriority] = mapped_column(
        task_priority_type, default=TaskPriority.MEDIUM, server_default=TaskPriority.MEDIUM.value
    )
    due_date: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    owner: Mapped[User] = relationship(back_populates="tasks", lazy="raise")
    project: Mapped[Project | None] = relationship(back_populates="tasks", lazy="raise")
    tags: Mapped[list[Tag]] = relationship(
        secondary=task_tags, back_populates="tasks", lazy="raise", order_by="Tag.name"
    )

    def __repr__(self) -> str:
        return f"Task(id={self.id!r}, title={self.title!r}, status={self.status.value!r})"


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (
        # Tags are stored normalised, so "Backend" and "backend" are one tag.
        CheckConstraint("name = lower(btrim(name)) AND name <> ''", name="name_normalised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)

    tasks: Mapped[list[Task]] = relationship(
        secondary=task_tags, back_populates="tags", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Tag(id={self.id!r}, name={self.name!r})"
