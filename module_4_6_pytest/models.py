"""The PostgreSQL tables of teams, their members and their tasks (SQLAlchemy ORM)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from module_4_6_pytest.deadlines import CalendarSource
from module_4_6_pytest.priority import Priority


def _stored_as_text(enum: type[StrEnum]) -> Enum:
    """An enum column holding the members' values ("urgent"), checked by the database."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    """The metadata every table of the service belongs to."""


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    """ISO 3166-1 alpha-2: whose public holidays the team does not work on."""

    members: Mapped[list[Member]] = relationship(
        back_populates="team", lazy="raise", order_by="Member.id"
    )


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))

    team: Mapped[Team] = relationship(back_populates="members", lazy="raise")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("business_days >= 0", name="business_days_not_negative"),
        Index("tasks_open_by_assignee", "assignee_id", postgresql_where="completed_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    priority: Mapped[Priority] = mapped_column(_stored_as_text(Priority))
    start_date: Mapped[date]
    business_days: Mapped[int]
    due_date: Mapped[date]
    calendar_source: Mapped[CalendarSource] = mapped_column(_stored_as_text(CalendarSource))
    calendar_warning: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
