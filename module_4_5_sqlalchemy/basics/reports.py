"""4.5.4 core: questions about users and tasks answered with JOINs and filters through the ORM.

Each function runs its statements on the given session and changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from module_4_5_sqlalchemy.basics.models import Priority, Task, User


async def open_task_counts(session: AsyncSession) -> list[tuple[str, int]]:
    """``(email, open tasks)`` for every user, users without open tasks included with 0;
    the most open tasks first, then by email. An open task is one not done."""
    # region 4.5.4 core: User LEFT OUTER JOIN Task (not done), GROUP BY, count
    #: tip: the "not done" test goes into the join's ON clause: in WHERE it would drop the 0s
    open_tasks = func.count(Task.id)
    statement = (
        select(User.email, open_tasks)
        .outerjoin(Task, (Task.owner_id == User.id) & Task.done.is_(False))
        .group_by(User.id)
        .order_by(open_tasks.desc(), User.email)
    )
    rows = await session.execute(statement)
    return [(email, count) for email, count in rows]
    # endregion 4.5.4


async def find_tasks(
    session: AsyncSession,
    *,
    owner_email: str | None = None,
    priorities: Collection[Priority] | None = None,
    done: bool | None = None,
    due_before: date | None = None,
    title_contains: str | None = None,
) -> list[Task]:
    """The tasks matching every filter given (``None`` means "any"), by id.

    ``owner_email`` joins the owner; ``due_before`` keeps tasks due strictly before that date
    (tasks without a due date never match it); ``title_contains`` ignores letter case.
    """
    # region 4.5.4 core: select(Task), a JOIN on User for the email, one where() per filter
    statement = select(Task).order_by(Task.id)
    if owner_email is not None:
        statement = statement.join(Task.owner).where(User.email == owner_email)
    if priorities is not None:
        statement = statement.where(Task.priority.in_(priorities))
    if done is not None:
        statement = statement.where(Task.done.is_(done))
    if due_before is not None:
        statement = statement.where(Task.due_date < due_before)
    if title_contains is not None:
        statement = statement.where(Task.title.icontains(title_contains, autoescape=True))
    return list(await session.scalars(statement))
    # endregion 4.5.4


async def overdue_tasks(session: AsyncSession, today: date) -> list[tuple[str, str, date]]:
    """``(task title, owner's email, due date)`` of the tasks not done and due before ``today``;
    the most overdue first, then by task id."""
    # region 4.5.4 core: select columns of Task and User, JOIN, two filters, ORDER BY
    statement = (
        select(Task.title, User.email, Task.due_date)
        .join(User, Task.owner_id == User.id)
        .where(Task.done.is_(False), Task.due_date < today)
        .order_by(Task.due_date, Task.id)
    )
    rows = await session.execute(statement)
    return [(title, email, due) for title, email, due in rows if due is not None]
    # endregion 4.5.4


async def users_with_tasks(session: AsyncSession) -> list[User]:
    """Every user by id, with ``user.tasks`` already loaded (readable without a lazy load)."""
    # region 4.5.4 core: select(User) with options(selectinload(User.tasks))
    #: tip: an AsyncSession cannot load user.tasks on attribute access: load it in the query
    statement = select(User).options(selectinload(User.tasks)).order_by(User.id)
    return list(await session.scalars(statement))
    # endregion 4.5.4
