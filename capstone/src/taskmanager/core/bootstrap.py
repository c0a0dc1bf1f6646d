"""The first admin: from `FIRST_ADMIN_EMAIL`/`FIRST_ADMIN_PASSWORD` at start, or the CLI."""

from __future__ import annotations

import logging

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from taskmanager.auth.service import create_user
from taskmanager.core.config import Settings
from taskmanager.core.database import Database
from taskmanager.core.errors import ConflictError
from taskmanager.core.passwords import PasswordHasher
from taskmanager.users.models import Role, User
from taskmanager.users.schemas import Email, NewPassword

logger = logging.getLogger(__name__)


class InvalidAdminError(ValueError):
    """The email or password does not meet the rules every account follows."""


def validate_admin_credentials(email: str, password: str) -> tuple[str, str]:
    try:
        valid_email = TypeAdapter(Email).validate_python(email)
    except ValidationError:
        raise InvalidAdminError("the admin email is not a valid address") from None
    try:
        valid_password = TypeAdapter(NewPassword).validate_python(password)
    except ValidationError as error:
        reason = error.errors()[0]["msg"]
        raise InvalidAdminError(f"the admin password is not acceptable: {reason}") from None
    return valid_email, valid_password


async def create_admin(
    database: Database, hasher: PasswordHasher, email: str, password: str
) -> User:
    """A new active admin; `ConflictError` when the email is taken."""
    email, password = validate_admin_credentials(email, password)
    async with database.sessions() as session:
        return await create_user(
            session, hasher, email=email, password=password, full_name=None, role=Role.ADMIN
        )


async def ensure_first_admin(
    settings: Settings, database: Database, hasher: PasswordHasher
) -> None:
    if not (settings.first_admin_email and settings.first_admin_password):
        return
    email = settings.first_admin_email.strip().lower()
    async with database.sessions() as session:
        if await session.scalar(select(User.id).where(User.email == email)) is not None:
            return
    try:
        await create_admin(
            database, hasher, email, settings.first_admin_password.get_secret_value()
        )
        logger.info("created the first admin %s", email)
    except ConflictError:
        pass  # another worker created it at the same moment
