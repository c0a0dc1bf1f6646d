"""4.5.3: CRUD for users; a duplicate email is a domain error; deleting a user and their tasks."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.database import Database
from module_4_5_sqlalchemy.errors import (
    EmailAlreadyRegisteredError,
    InvalidReassignmentError,
    UserNotFoundError,
)
from module_4_5_sqlalchemy.models import Task
from module_4_5_sqlalchemy.schemas import UserCreate, UserUpdate
from module_4_5_sqlalchemy.tests.factories import add_task, add_user
from module_4_5_sqlalchemy.users import (
    create_user,
    delete_user,
    find_user_by_email,
    get_user,
    list_users,
    update_user,
)

pytestmark = pytest.mark.task("4.5.3", level="extra")


async def test_created_user_is_stored_with_its_id_and_creation_time(
    session: AsyncSession,
) -> None:
    user = await create_user(session, UserCreate(email=" ada@example.com ", name="Ada"))
    await session.commit()

    session.expunge_all()
    stored = await get_user(session, user.id)
    assert (stored.email, stored.name) == ("ada@example.com", "Ada")
    assert stored.created_at is not None


async def test_duplicate_email_in_another_letter_case_is_a_domain_error(
    session: AsyncSession,
) -> None:
    await create_user(session, UserCreate(email="ada@example.com", name="Ada"))

    with pytest.raises(EmailAlreadyRegisteredError, match=r"ADA@Example\.com"):
        await create_user(session, UserCreate(email="ADA@Example.com", name="Imposter"))

    # The savepoint kept the transaction usable: the first user is still there and committable.
    await session.commit()
    assert (await list_users(session)).total == 1


async def test_changing_email_to_a_taken_one_is_a_domain_error(session: AsyncSession) -> None:
    await create_user(session, UserCreate(email="ada@example.com", name="Ada"))
    grace = await create_user(session, UserCreate(email="grace@example.com", name="Grace"))

    with pytest.raises(EmailAlreadyRegisteredError):
        await update_user(session, grace.id, UserUpdate(email="Ada@example.com"))


async def test_update_changes_only_the_fields_given(session: AsyncSession) -> None:
    user = await create_user(session, UserCreate(email="ada@example.com", name="Ada"))

    updated = await update_user(session, user.id, UserUpdate(name="Ada Lovelace"))

    assert (updated.email, updated.name) == ("ada@example.com", "Ada Lovelace")


async def test_a_user_can_change_the_letter_case_of_their_own_email(session: AsyncSession) -> None:
    user = await create_user(session, UserCreate(email="ada@example.com", name="Ada"))

    updated = await update_user(session, user.id, UserUpdate(email="Ada@Example.com"))

    assert updated.email == "Ada@Example.com"


async def test_find_by_email_ignores_letter_case(session: AsyncSession) -> None:
    user = await create_user(session, UserCreate(email="Ada@Example.com", name="Ada"))

    assert await find_user_by_email(session, "ada@EXAMPLE.com ") is user
    assert await find_user_by_email(session, "nobody@example.com") is None


async def test_missing_user_is_not_found(session: AsyncSession) -> None:
    with pytest.raises(UserNotFoundError, match="user 999 does not exist"):
        await get_user(session, 999)
    with pytest.raises(UserNotFoundError):
        await update_user(session, 999, UserUpdate(name="x"))
    with pytest.raises(UserNotFoundError):
        await delete_user(session, 999)


async def test_list_is_paginated_by_id_with_a_total_counted_by_the_database(
    session: AsyncSession,
) -> None:
    users = [await add_user(session) for _ in range(5)]

    page = await list_users(session, limit=2, offset=2)

    assert [user.id for user in page.items] == [users[2].id, users[3].id]
    assert (page.total, page.limit, page.offset) == (5, 2, 2)


async def test_list_rejects_out_of_range_paging(session: AsyncSession) -> None:
    for limit, offset in [(0, 0), (101, 0), (10, -1)]:
        with pytest.raises(ValueError, match="must"):
            await list_users(session, limit=limit, offset=offset)


async def test_deleting_a_user_deletes_their_tasks(session: AsyncSession) -> None:
    ada, grace = await add_user(session), await add_user(session)
    await add_task(session, ada)
    await add_task(session, ada)
    kept = await add_task(session, grace)

    deletion = await delete_user(session, ada.id)

    assert (deletion.deleted_tasks, deletion.reassigned_tasks) == (2, 0)
    assert list(await session.scalars(select(Task.id))) == [kept.id]


async def test_deleting_a_user_can_hand_their_tasks_to_another(session: AsyncSession) -> None:
    ada, grace = await add_user(session), await add_user(session)
    task = await add_task(session, ada)

    deletion = await delete_user(session, ada.id, reassign_tasks_to=grace.id)

    assert (deletion.deleted_tasks, deletion.reassigned_tasks) == (0, 1)
    owner = await session.scalar(select(Task.owner_id).where(Task.id == task.id))
    assert owner == grace.id
    assert await session.scalar(select(func.count()).select_from(Task)) == 1


async def test_tasks_cannot_be_reassigned_to_the_deleted_user_or_a_missing_one(
    session: AsyncSession,
) -> None:
    ada = await add_user(session)

    with pytest.raises(InvalidReassignmentError):
        await delete_user(session, ada.id, reassign_tasks_to=ada.id)
    with pytest.raises(UserNotFoundError, match="user 999"):
        await delete_user(session, ada.id, reassign_tasks_to=999)


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "not-an-email", "name": "Ada"},
        {"email": "ada@example.com", "name": "   "},
        {"email": "ada@example.com", "name": "Ada\x00"},
        {"email": "ada@example.com", "name": "x" * 101},
        {"email": "ada@example.com", "name": "Ada", "role": "admin"},
    ],
)
def test_invalid_user_input_is_refused_before_the_database(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        UserCreate.model_validate(fields)


async def test_two_sessions_registering_one_email_at_once_get_one_user_and_one_domain_error(
    database: Database,
) -> None:
    async with database.sessions() as first, database.sessions() as second:
        await create_user(first, UserCreate(email="race@example.com", name="First"))
        # The second insert waits on the unique index until the first transaction ends.
        racing = asyncio.create_task(
            create_user(second, UserCreate(email="RACE@example.com", name="Second"))
        )
        await _until_a_session_waits_on_a_lock(database)
        await first.commit()

        with pytest.raises(EmailAlreadyRegisteredError):
            await racing

    async with database.sessions() as session:
        assert [user.name for user in (await list_users(session)).items] == ["First"]


async def _until_a_session_waits_on_a_lock(database: Database) -> None:
    waiting = text(
        "select count(*) from pg_stat_activity "
        "where datname = current_database() and wait_event_type = 'Lock'"
    )
    deadline = asyncio.get_running_loop().time() + 10
    async with database.engine.connect() as connection:
        while not await connection.scalar(waiting):
            assert asyncio.get_running_loop().time() < deadline, "the second insert never waited"
            await asyncio.sleep(0.01)
