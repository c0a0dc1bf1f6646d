"""CRUD for users through the ORM.

Deleting a user deletes their tasks (``ON DELETE CASCADE``), unless ``reassign_tasks_to`` names
another user who then receives them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.errors import (
    EmailAlreadyRegisteredError,
    InvalidReassignmentError,
    UserNotFoundError,
    conflicts_raise,
)
from module_4_5_sqlalchemy.models import USER_EMAIL_UNIQUE_INDEX, Task, User
from module_4_5_sqlalchemy.pagination import Page, check_offset_page
from module_4_5_sqlalchemy.schemas import UserCreate, UserUpdate


def _email_conflict(email: str) -> dict[str, EmailAlreadyRegisteredError]:
    return {USER_EMAIL_UNIQUE_INDEX: EmailAlreadyRegisteredError(email)}


async def create_user(session: AsyncSession, data: UserCreate) -> User:
    """A new user; :class:`EmailAlreadyRegisteredError` if the email exists in any letter case."""
    # region 4.5.3 extra: add inside conflicts_raise for the email index
    user = User(email=data.email, name=data.name)
    async with conflicts_raise(session, _email_conflict(data.email)):
        session.add(user)
    return user
    # endregion 4.5.3


async def get_user(session: AsyncSession, user_id: int) -> User:
    """The user with this id, or :class:`UserNotFoundError`."""
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFoundError(user_id)
    return user


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this email in any letter case (served by the ``lower(email)`` index)."""
    statement = select(User).where(func.lower(User.email) == email.strip().lower())
    return await session.scalar(statement)


async def list_users(session: AsyncSession, *, limit: int = 20, offset: int = 0) -> Page[User]:
    """Users by id, one page at a time, with the total number of users."""
    check_offset_page(limit, offset)
    users = await session.scalars(select(User).order_by(User.id).limit(limit).offset(offset))
    total = await session.scalar(select(func.count()).select_from(User))
    return Page(items=list(users), total=total or 0, limit=limit, offset=offset)


async def update_user(session: AsyncSession, user_id: int, data: UserUpdate) -> User:
    """Change the fields given; a taken email is :class:`EmailAlreadyRegisteredError`."""
    # region 4.5.3 extra: the fields given, a taken email a domain error
    user = await get_user(session, user_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    async with conflicts_raise(session, _email_conflict(changes.get("email", user.email))):
        for field, value in changes.items():
            setattr(user, field, value)
    return user
    # endregion 4.5.3


@dataclass(frozen=True)
class UserDeletion:
    """What deleting a user did to their tasks."""

    deleted_tasks: int
    reassigned_tasks: int


async def delete_user(
    session: AsyncSession, user_id: int, *, reassign_tasks_to: int | None = None
) -> UserDeletion:
    """Delete a user. Their tasks are deleted with them, or, with ``reassign_tasks_to``, handed
    to that user first. Unknown users are :class:`UserNotFoundError`."""
    # region 4.5.3 extra: delete, or reassign the tasks first
    user = await get_user(session, user_id)
    reassigned = deleted = 0
    if reassign_tasks_to is not None:
        if reassign_tasks_to == user_id:
            raise InvalidReassignmentError("cannot reassign tasks to the user being deleted")
        await get_user(session, reassign_tasks_to)
        moved = await session.scalars(
            update(Task)
            .where(Task.owner_id == user_id)
            .values(owner_id=reassign_tasks_to)
            .returning(Task.id)
        )
        reassigned = len(moved.all())
    else:
        count = select(func.count()).select_from(Task).where(Task.owner_id == user_id)
        deleted = await session.scalar(count) or 0
    await session.execute(delete(User).where(User.id == user.id))
    return UserDeletion(deleted_tasks=deleted, reassigned_tasks=reassigned)
    # endregion 4.5.3
