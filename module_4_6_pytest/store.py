"""Teams, members and tasks in PostgreSQL, through asyncpg and plain SQL.

Plain SQL keeps every statement visible in one place. It also spares the coverage report a
trap: SQLAlchemy's async layer runs queries in greenlets, and coverage without
``concurrency = greenlet`` then misses the lines that follow each ``await session...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from module_4_6_pytest.assignment import Candidate
from module_4_6_pytest.deadlines import CalendarSource, DueDate
from module_4_6_pytest.priority import Priority


def _one_of(enum: type[Priority] | type[CalendarSource]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


# Integer ids (int32) match the bound the API puts on path parameters.
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS teams (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    country char(2) NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id integer NOT NULL REFERENCES teams ON DELETE CASCADE,
    name varchar(100) NOT NULL,
    UNIQUE (team_id, name)
);
CREATE TABLE IF NOT EXISTS tasks (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id integer NOT NULL REFERENCES teams ON DELETE CASCADE,
    assignee_id integer NOT NULL REFERENCES members ON DELETE CASCADE,
    title varchar(200) NOT NULL,
    priority text NOT NULL CHECK (priority IN ({_one_of(Priority)})),
    start_date date NOT NULL,
    business_days integer NOT NULL CHECK (business_days >= 0),
    due_date date NOT NULL,
    calendar_source text NOT NULL CHECK (calendar_source IN ({_one_of(CalendarSource)})),
    calendar_warning text,
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);
CREATE INDEX IF NOT EXISTS tasks_open_by_assignee ON tasks (assignee_id)
    WHERE completed_at IS NULL;
"""


class NotFoundError(LookupError):
    """No row with this id."""

    def __init__(self, kind: str, identifier: int) -> None:
        super().__init__(f"{kind} {identifier} not found")


class NameTakenError(ValueError):
    """A unique name is already in use."""


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    country: str


@dataclass(frozen=True)
class Member:
    id: int
    team_id: int
    name: str


@dataclass(frozen=True)
class Task:
    id: int
    team_id: int
    assignee_id: int
    title: str
    priority: Priority
    start_date: date
    business_days: int
    due_date: date
    calendar_source: CalendarSource
    calendar_warning: str | None
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> Task:
        """A row of ``tasks`` (``SELECT *``: a new column fails here, loudly, until added)."""
        values = dict(row)
        values["priority"] = Priority(values["priority"])
        values["calendar_source"] = CalendarSource(values["calendar_source"])
        return cls(**values)


async def create_schema(connection: asyncpg.Connection) -> None:
    """Create the tables if they are missing (the service has no migrations to run)."""
    await connection.execute(SCHEMA)


async def create_team(connection: asyncpg.Connection, name: str, country: str) -> Team:
    try:  # the unique index decides, so of two racing creates exactly one wins
        row = await connection.fetchrow(
            "INSERT INTO teams (name, country) VALUES ($1, $2) RETURNING id, name, country",
            name,
            country,
        )
    except asyncpg.UniqueViolationError as error:
        raise NameTakenError(f"a team named {name!r} already exists") from error
    return Team(**row)


async def get_team(connection: asyncpg.Connection, team_id: int) -> Team:
    row = await connection.fetchrow("SELECT id, name, country FROM teams WHERE id = $1", team_id)
    if row is None:
        raise NotFoundError("team", team_id)
    return Team(**row)


async def add_member(connection: asyncpg.Connection, team_id: int, name: str) -> Member:
    try:
        row = await connection.fetchrow(
            "INSERT INTO members (team_id, name) VALUES ($1, $2) RETURNING id, team_id, name",
            team_id,
            name,
        )
    except asyncpg.ForeignKeyViolationError as error:
        raise NotFoundError("team", team_id) from error
    except asyncpg.UniqueViolationError as error:
        raise NameTakenError(f"team {team_id} already has a member named {name!r}") from error
    return Member(**row)


async def member_loads(connection: asyncpg.Connection, team_id: int) -> list[Candidate]:
    """Every member of the team with the number of tasks they have not completed."""
    rows = await connection.fetch(
        """
        SELECT m.id, m.name, count(t.id) FILTER (WHERE t.completed_at IS NULL) AS open_tasks
        FROM members AS m LEFT JOIN tasks AS t ON t.assignee_id = m.id
        WHERE m.team_id = $1
        GROUP BY m.id
        ORDER BY m.id
        """,
        team_id,
    )
    return [
        Candidate(member_id=row["id"], name=row["name"], open_tasks=row["open_tasks"])
        for row in rows
    ]


async def lock_team_for_assignment(connection: asyncpg.Connection, team_id: int) -> list[Candidate]:
    """``member_loads``, with the team's row locked until the surrounding transaction ends.

    Two tasks created at once are then assigned one after the other, never both to the same
    "least-loaded" member. Call it inside ``connection.transaction()``.
    """
    locked = await connection.fetchval("SELECT id FROM teams WHERE id = $1 FOR UPDATE", team_id)
    if locked is None:
        raise NotFoundError("team", team_id)
    return await member_loads(connection, team_id)


async def insert_task(
    connection: asyncpg.Connection,
    *,
    team_id: int,
    assignee_id: int,
    title: str,
    priority: Priority,
    start: date,
    business_days: int,
    due: DueDate,
) -> Task:
    row = await connection.fetchrow(
        """
        INSERT INTO tasks (team_id, assignee_id, title, priority, start_date, business_days,
                           due_date, calendar_source, calendar_warning)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        RETURNING *
        """,
        team_id,
        assignee_id,
        title,
        priority.value,
        start,
        business_days,
        due.due,
        due.source.value,
        due.warning,
    )
    return Task.from_row(row)


async def get_task(connection: asyncpg.Connection, task_id: int) -> Task:
    row = await connection.fetchrow("SELECT * FROM tasks WHERE id = $1", task_id)
    if row is None:
        raise NotFoundError("task", task_id)
    return Task.from_row(row)


async def list_tasks(
    connection: asyncpg.Connection, team_id: int, *, open_only: bool
) -> list[Task]:
    await get_team(connection, team_id)
    rows = await connection.fetch(
        """
        SELECT * FROM tasks
        WHERE team_id = $1 AND (completed_at IS NULL OR NOT $2)
        ORDER BY due_date, id
        """,
        team_id,
        open_only,
    )
    return [Task.from_row(row) for row in rows]


async def complete_task(connection: asyncpg.Connection, task_id: int, now: datetime) -> Task:
    """Mark a task done; completing it again keeps the first completion time."""
    row = await connection.fetchrow(
        """
        UPDATE tasks SET completed_at = coalesce(completed_at, $2) WHERE id = $1
        RETURNING *
        """,
        task_id,
        now,
    )
    if row is None:
        raise NotFoundError("task", task_id)
    return Task.from_row(row)
