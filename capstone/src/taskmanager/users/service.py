"""Profiles, password changes and the admin's management of users, with last-admin protection."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from taskmanager.auth.login_limiter import account_key
from taskmanager.auth.service import login_limiter, revoke_all_sessions
from taskmanager.core.config import Settings
from taskmanager.core.database import escape_like
from taskmanager.core.errors import (
    ConflictError,
    NotFoundError,
    UnauthorizedError,
    ValidationProblemError,
)
from taskmanager.core.pagination import Page, PageParams
from taskmanager.core.passwords import BCRYPT_MAX_PASSWORD_BYTES, PasswordHasher
from taskmanager.users.models import Role, User
from taskmanager.users.schemas import AdminUserUpdate, PasswordChange, UserRead

LAST_ADMIN = "The service must keep at least one active admin."


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError("The user does not exist.")
    return user


async def _ensure_another_active_admin(session: AsyncSession, user: User) -> None:
    """409 if `user` is the only active admin. Locking the admin rows serialises two admins
    demoting each other at once, which would otherwise leave none."""
    if not (user.is_admin and user.is_active):
        return
    admins = await session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.is_active).with_for_update()
    )
    if set(admins.all()) <= {user.id}:
        raise ConflictError(LAST_ADMIN, code="last_admin")


async def update_profile(session: AsyncSession, user: User, full_name: str | None) -> User:
    user.full_name = full_name
    await session.commit()
    return user


async def change_password(
    session: AsyncSession,
    hasher: PasswordHasher,
    settings: Settings,
    user: User,
    data: PasswordChange,
) -> None:
    """Check the current password (each check counts towards the login limit, recorded before
    it runs), then revoke every session: whoever held a token must log in again."""
    limiter = login_limiter(session, settings)
    key = account_key(user.email)
    acceptable = len(data.current_password.encode()) <= BCRYPT_MAX_PASSWORD_BYTES
    with hasher.reserved():  # a flood is refused (503) before it costs a database round trip
        await limiter.record_attempt([key])  # commits: no connection waits on bcrypt
        verified = acceptable and await hasher.verify(data.current_password, user.password_hash)
        new_hash = await hasher.hash(data.new_password) if verified else ""
    if not verified:
        raise UnauthorizedError("The current password is incorrect.", code="invalid_credentials")
    await limiter.forget(key)
    user.password_hash = new_hash
    session.add(user)
    await revoke_all_sessions(session, user.id)
    await session.commit()


async def delete_user(session: AsyncSession, user: User) -> None:
    await _ensure_another_active_admin(session, user)
    # Sessions, tasks and comments go with the user (ON DELETE CASCADE).
    await session.execute(delete(User).where(User.id == user.id))
    await session.commit()


async def admin_update(session: AsyncSession, user: User, data: AdminUserUpdate) -> User:
    changes = data.model_dump(exclude_unset=True)
    stays_admin = changes.get("role", user.role) is Role.ADMIN
    stays_active = changes.get("is_active", user.is_active) is not False
    if not (stays_admin and stays_active):
        await _ensure_another_active_admin(session, user)
    if "full_name" in changes:
        user.full_name = data.full_name
    if data.role is not None:
        user.role = data.role
    if data.is_active is not None:
        if user.is_active and not data.is_active:
            await revoke_all_sessions(session, user.id)  # deactivation locks out at once
        user.is_active = data.is_active
    await session.commit()
    return user


async def list_users(
    session: AsyncSession,
    page: PageParams,
    *,
    email_contains: str | None,
    role: Role | None,
    is_active: bool | None,
) -> Page[UserRead]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    query: Select[User] = select(User).order_by(User.created_at, User.id)
    if email_contains:
        pattern = f"%{escape_like(email_contains.lower())}%"
        query = query.where(User.email.like(pattern, escape="\\"))
    if role is not None:
        query = query.where(User.role == role)
    if is_active is not None:
        query = query.where(User.is_active == is_active)
    if page.position is not None:
        after_created, after_id = _position(page.position)
        query = query.where(
            or_(
                User.created_at > after_created,
                and_(User.created_at == after_created, User.id > after_id),
            )
        )
    users = list(await session.scalars(query.limit(page.limit + 1)))
    next_cursor = None
    if len(users) > page.limit:
        users = users[: page.limit]
        last = users[-1]
        next_cursor = page.next_cursor(
            {"created_at": last.created_at.isoformat(), "id": str(last.id)}
        )
    return Page[UserRead](
        items=[UserRead.model_validate(user) for user in users], next_cursor=next_cursor
    )


def _position(position: dict[str, Any]) -> tuple[datetime, uuid.UUID]:
    try:
        return datetime.fromisoformat(position["created_at"]), uuid.UUID(position["id"])
    except (KeyError, TypeError, ValueError):
        raise ValidationProblemError("The cursor is not valid.", code="invalid_cursor") from None
