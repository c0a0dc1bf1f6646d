"""4.5.3 core: create, read, update and delete users and tasks through an ``AsyncSession``.

Each function that changes something commits, so its change is saved when it returns. A lookup
of an id that does not exist returns ``None`` (``False`` for a delete); a second user with the
same email makes the commit raise ``sqlalchemy.exc.IntegrityError``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.basics.models import Priority, Task, User


async def create_user(session: AsyncSession, email: str, name: str) -> User:
    """Add a user and commit; the returned user has its ``id`` and ``created_at``."""
    # region 4.5.3 core: session.add, commit, refresh
    #: tip: refresh() reads back what the database filled in (id, created_at)
    user = User(email=email, name=name)
    session.add(user)
    await session.commit()
    await session.refresh(user)
    return user
    # endregion 4.5.3


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    """The user with this id, or ``None``."""
    # region 4.5.3 core: session.get by primary key
    return await session.get(User, user_id)
    # endregion 4.5.3


async def list_users(session: AsyncSession) -> list[User]:
    """Every user, by id."""
    # region 4.5.3 core: select(User) ordered by id
    users = await session.scalars(select(User).order_by(User.id))
    return list(users)
    # endregion 4.5.3


async def update_user(
    session: AsyncSession, user_id: int, *, email: str | None = None, name: str | None = None
) -> User | None:
    """Change the fields given (``None`` leaves a field as it is) and commit; ``None`` if the
    user does not exist."""
    # region 4.5.3 core: get, set the attributes given, commit
    user = await session.get(User, user_id)
    if user is None:
        return None
    if email is not None:
        user.email = email
    if name is not None:
        user.name = name
    await session.commit()
    return user
    # endregion 4.5.3


async def delete_user(session: AsyncSession, user_id: int) -> bool:
    """Delete a user and their tasks, commit; ``False`` if there was no such user."""
    # region 4.5.3 core: get, session.delete, commit
    user = await session.get(User, user_id)
    if user is None:
        return False
    # The relationship's cascade deletes the user's tasks too (delete() loads them first).
    await session.delete(user)
    await session.commit()
    return True
    # endregion 4.5.3


async def create_task(
    session: AsyncSession,
    owner_id: int,
    title: str,
    *,
    description: str | None = None,
    priority: Priority = Priority.MEDIUM,
    due_date: date | None = None,
) -> Task:
    """Add a task for an existing user and commit; it starts not done."""
    # region 4.5.3 core: build the Task, add, commit, refresh
    task = Task(
        owner_id=owner_id,
        title=title,
        description=description,
        priority=priority,
        due_date=due_date,
    )
    session.add(task)
    await session.commit()
    await session.refresh(task)
    return task
    # endregion 4.5.3


async def get_task(session: AsyncSession, task_id: int) -> Task | None:
    """The task with this id, or ``None``."""
    # region 4.5.3 core: session.get by primary key
    return await session.get(Task, task_id)
    # endregion 4.5.3


async def list_tasks(session: AsyncSession, owner_id: int | None = None) -> list[Task]:
    """Every task, or one user's, by id."""
    # region 4.5.3 core: select(Task), filtered by owner when given, ordered by id
    statement = select(Task).order_by(Task.id)
    if owner_id is not None:
        statement = statement.where(Task.owner_id == owner_id)
    return list(await session.scalars(statement))
    # endregion 4.5.3


async def update_task(
    session: AsyncSession,
    task_id: int,
    *,
    title: str | None = None,
    done: bool | None = None,
    priority: Priority | None = None,
    due_date: date | None = None,
) -> Task | None:
    """Change the fields given (``None`` leaves a field as it is) and commit; ``None`` if the
    task does not exist."""
    # region 4.5.3 core: get, set the attributes given, commit
    task = await session.get(Task, task_id)
    if task is None:
        return None
    if title is not None:
        task.title = title
    if done is not None:
        task.done = done
    if priority is not None:
        task.priority = priority
    if due_date is not None:
        task.due_date = due_date
    await session.commit()
    return task
    # endregion 4.5.3


async def delete_task(session: AsyncSession, task_id: int) -> bool:
    """Delete a task and commit; ``False`` if there was no such task."""
    # region 4.5.3 core: get, session.delete, commit
    task = await session.get(Task, task_id)
    if task is None:
        return False
    await session.delete(task)
    await session.commit()
    return True
    # endregion 4.5.3
