"""4.5.2 core: the tables of a small task tracker, described as declarative ORM models.

A user owns tasks (``User.tasks`` ↔ ``Task.owner``, linked by ``back_populates``); deleting a user
deletes their tasks. ``alembic revision --autogenerate`` reads these classes to write the
migration in ``migrations/versions/``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, String, Text, false, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Every model's base: its ``metadata`` holds the tables Alembic compares with the database."""


class Priority(enum.StrEnum):
    """Declared from lowest to highest: a PostgreSQL enum sorts in declaration order."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    # The ORM deletes a user's tasks with the user; the foreign key does the same in SQL.
    tasks: Mapped[list[Task]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", order_by="Task.id"
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r})"


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    priority: Mapped[Priority] = mapped_column(
        # values_callable: store "medium", not the member's name "MEDIUM".
        Enum(Priority, name="task_priority", values_callable=lambda e: [m.value for m in e]),
        default=Priority.MEDIUM,
        server_default=Priority.MEDIUM.value,
    )
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    owner: Mapped[User] = relationship(back_populates="tasks")

    def __repr__(self) -> str:
        return f"Task(id={self.id!r}, title={self.title!r})"
