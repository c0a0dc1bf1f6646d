"""Reading and writing teams, members and tasks in PostgreSQL, one transaction per call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from module_4_6_pytest.assignment import Candidate
from module_4_6_pytest.deadlines import DueDate
from module_4_6_pytest.models import Member, Task, Team
from module_4_6_pytest.priority import Priority


class NotFoundError(LookupError):
    """No row with this id."""

    def __init__(self, kind: str, identifier: int) -> None:
        super().__init__(f"{kind} {identifier} not found")


class NameTakenError(ValueError):
    """A unique name is already in use."""


async def create_team(session: AsyncSession, name: str, country: str) -> Team:
    team = Team(name=name, country=country, members=[])
    session.add(team)
    try:  # the unique index decides, so of two racing creates exactly one wins
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        raise NameTakenError(f"a team named {name!r} already exists") from error
    return team


async def get_team(session: AsyncSession, team_id: int) -> Team:
    """The team with its members."""
    team = await session.scalar(
        select(Team).where(Team.id == team_id).options(selectinload(Team.members))
    )
    if team is None:
        raise NotFoundError("team", team_id)
    return team


async def add_member(session: AsyncSession, team_id: int, name: str) -> Member:
    team = await get_team(session, team_id)
    member = Member(team=team, name=name)
    session.add(member)
    try:
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        raise NameTakenError(f"team {team_id} already has a member named {name!r}") from error
    return member


async def lock_team_for_assignment(session: AsyncSession, team_id: int) -> list[Candidate]:
    """``member_loads``, with the team's row locked until the transaction ends.

    Two tasks created at once are then assigned one after the other, never both to the same
    "least-loaded" member.
    """
    await session.execute(select(Team.id).where(Team.id == team_id).with_for_update())
    return await member_loads(session, team_id)


async def member_loads(session: AsyncSession, team_id: int) -> list[Candidate]:
    """Every member of the team with the number of tasks they have not completed."""
    open_tasks = func.count(Task.id).filter(Task.completed_at.is_(None))
    rows = await session.execute(
        select(Member.id, Member.name, open_tasks)
        .outerjoin(Task, Task.assignee_id == Member.id)
        .where(Member.team_id == team_id)
        .group_by(Member.id)
        .order_by(Member.id)
    )
    return [Candidate(member_id=id_, name=name, open_tasks=count) for id_, name, count in rows]


async def insert_task(
    session: AsyncSession,
    *,
    team_id: int,
    assignee_id: int,
    title: str,
    priority: Priority,
    start: date,
    business_days: int,
    due: DueDate,
) -> Task:
    """Add a task and commit, releasing the lock of ``lock_team_for_assignment``."""
    task = Task(
        team_id=team_id,
        assignee_id=assignee_id,
        title=title,
        priority=priority,
        start_date=start,
        business_days=business_days,
        due_date=due.due,
        calendar_source=due.source,
        calendar_warning=due.warning,
    )
    session.add(task)
    await session.commit()
    await session.refresh(task)
    return task


async def get_task(session: AsyncSession, task_id: int) -> Task:
    task = await session.get(Task, task_id)
    if task is None:
        raise NotFoundError("task", task_id)
    return task


async def list_tasks(session: AsyncSession, team_id: int, *, open_only: bool) -> Sequence[Task]:
    await get_team(session, team_id)
    query = select(Task).where(Task.team_id == team_id).order_by(Task.due_date, Task.id)
    if open_only:
        query = query.where(Task.completed_at.is_(None))
    return (await session.scalars(query)).all()


async def complete_task(session: AsyncSession, task_id: int, now: datetime) -> Task:
    """Mark a task done; completing it again keeps the first completion time."""
    task = await get_task(session, task_id)
    if task.completed_at is None:
        task.completed_at = now
        await session.commit()
    return task
