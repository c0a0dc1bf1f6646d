"""The user named by a path id, for the admin endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path

from taskmanager.core.database import SessionDep
from taskmanager.users.models import User
from taskmanager.users.service import get_user


async def user_from_path(
    user_id: Annotated[uuid.UUID, Path(alias="id", description="The user's id.")],
    session: SessionDep,
) -> User:
    return await get_user(session, user_id)


UserFromPath = Annotated[User, Depends(user_from_path)]
