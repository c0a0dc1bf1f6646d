"""4.5.3 core: `basics/crud.py`: users and tasks created, read, updated and deleted, committed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.basics import crud
from module_4_5_sqlalchemy.basics.models import Priority, Task, User

pytestmark = pytest.mark.task("4.5.3", level="core")


async def stored(session: AsyncSession, model: type[User] | type[Task]) -> list[tuple[object, ...]]:
    """What the database holds, read afresh: anything not committed has been rolled back."""
    await session.rollback()
    session.expunge_all()
    if model is User:
        rows = await session.execute(select(User.id, User.email, User.name).order_by(User.id))
    else:
        rows = await session.execute(
            select(Task.id, Task.owner_id, Task.title, Task.done, Task.priority).order_by(Task.id)
        )
    return [tuple(row) for row in rows]


async def test_create_user_commits_and_returns_the_id_and_creation_time(
    basics_session: AsyncSession,
) -> None:
    user = await crud.create_user(basics_session, "ada@example.com", "Ada")
    user_id = user.id

    assert user_id is not None
    assert user.created_at is not None
    assert await stored(basics_session, User) == [(user_id, "ada@example.com", "Ada")]


async def test_get_user_finds_by_id_or_returns_none(basics_session: AsyncSession) -> None:
    user = await crud.create_user(basics_session, "ada@example.com", "Ada")
    basics_session.expunge_all()

    found = await crud.get_user(basics_session, user.id)

    assert found is not None
    assert (found.id, found.email) == (user.id, "ada@example.com")
    assert await crud.get_user(basics_session, user.id + 1000) is None


async def test_list_users_by_id(basics_session: AsyncSession) -> None:
    first = await crud.create_user(basics_session, "grace@example.com", "Grace")
    second = await crud.create_user(basics_session, "ada@example.com", "Ada")

    users = await crud.list_users(basics_session)

    assert [user.id for user in users] == [first.id, second.id]


async def test_a_second_user_with_the_same_email_is_refused(basics_session: AsyncSession) -> None:
    await crud.create_user(basics_session, "ada@example.com", "Ada")

    with pytest.raises(IntegrityError):
        await crud.create_user(basics_session, "ada@example.com", "Another Ada")


async def test_update_user_changes_only_the_fields_given(basics_session: AsyncSession) -> None:
    user_id = (await crud.create_user(basics_session, "ada@example.com", "Ada")).id

    updated = await crud.update_user(basics_session, user_id, name="Ada Lovelace")

    assert updated is not None
    assert updated.name == "Ada Lovelace"
    assert await stored(basics_session, User) == [(user_id, "ada@example.com", "Ada Lovelace")]
    assert await crud.update_user(basics_session, user_id + 1000, name="Nobody") is None


async def test_delete_user_deletes_their_tasks_too(basics_session: AsyncSession) -> None:
    ada_id = (await crud.create_user(basics_session, "ada@example.com", "Ada")).id
    grace_id = (await crud.create_user(basics_session, "grace@example.com", "Grace")).id
    await crud.create_task(basics_session, ada_id, "Write the notes")
    kept_id = (await crud.create_task(basics_session, grace_id, "Compile")).id

    assert await crud.delete_user(basics_session, ada_id) is True

    assert [row[0] for row in await stored(basics_session, User)] == [grace_id]
    assert [row[0] for row in await stored(basics_session, Task)] == [kept_id]
    assert await crud.delete_user(basics_session, ada_id) is False


async def test_create_task_commits_with_its_defaults(basics_session: AsyncSession) -> None:
    ada_id = (await crud.create_user(basics_session, "ada@example.com", "Ada")).id

    task = await crud.create_task(basics_session, ada_id, "Write the notes")
    task_id = task.id

    assert (task.owner_id, task.title, task.done, task.priority) == (
        ada_id,
        "Write the notes",
        False,
        Priority.MEDIUM,
    )
    assert (task.description, task.due_date) == (None, None)
    assert await stored(basics_session, Task) == [
        (task_id, ada_id, "Write the notes", False, Priority.MEDIUM)
    ]


async def test_create_task_takes_every_field(basics_session: AsyncSession) -> None:
    ada = await crud.create_user(basics_session, "ada@example.com", "Ada")

    task = await crud.create_task(
        basics_session,
        ada.id,
        "Ship",
        description="Before the review",
        priority=Priority.URGENT,
        due_date=date(2026, 12, 24),
    )

    basics_session.expunge_all()
    found = await crud.get_task(basics_session, task.id)
    assert found is not None
    assert (found.description, found.priority, found.due_date) == (
        "Before the review",
        Priority.URGENT,
        date(2026, 12, 24),
    )
    assert await crud.get_task(basics_session, task.id + 1000) is None


async def test_a_task_for_an_unknown_user_is_refused(basics_session: AsyncSession) -> None:
    with pytest.raises(IntegrityError):
        await crud.create_task(basics_session, 1000, "Orphan")


async def test_list_tasks_all_or_one_users(basics_session: AsyncSession) -> None:
    ada = await crud.create_user(basics_session, "ada@example.com", "Ada")
    grace = await crud.create_user(basics_session, "grace@example.com", "Grace")
    first = await crud.create_task(basics_session, ada.id, "One")
    second = await crud.create_task(basics_session, grace.id, "Two")
    third = await crud.create_task(basics_session, ada.id, "Three")

    assert [task.id for task in await crud.list_tasks(basics_session)] == [
        first.id,
        second.id,
        third.id,
    ]
    assert [task.id for task in await crud.list_tasks(basics_session, ada.id)] == [
        first.id,
        third.id,
    ]


async def test_update_task_changes_only_the_fields_given(basics_session: AsyncSession) -> None:
    ada_id = (await crud.create_user(basics_session, "ada@example.com", "Ada")).id
    task_id = (await crud.create_task(basics_session, ada_id, "Write", priority=Priority.LOW)).id

    updated = await crud.update_task(basics_session, task_id, done=True, priority=Priority.HIGH)

    assert updated is not None
    assert await stored(basics_session, Task) == [(task_id, ada_id, "Write", True, Priority.HIGH)]
    assert await crud.update_task(basics_session, task_id + 1000, done=True) is None


async def test_delete_task(basics_session: AsyncSession) -> None:
    ada_id = (await crud.create_user(basics_session, "ada@example.com", "Ada")).id
    task_id = (await crud.create_task(basics_session, ada_id, "Write")).id

    assert await crud.delete_task(basics_session, task_id) is True

    assert await stored(basics_session, Task) == []
    assert await basics_session.scalar(select(func.count()).select_from(User)) == 1
    assert await crud.delete_task(basics_session, task_id) is False
