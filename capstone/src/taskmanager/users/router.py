"""`/api/v1/users`: your own profile, and the admin's management of every user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from taskmanager.auth.dependencies import AdminUser, CurrentUser
from taskmanager.core.database import SessionDep
from taskmanager.core.dependencies import PasswordHasherDep, SettingsDep
from taskmanager.core.openapi import problem_responses
from taskmanager.core.pagination import Page, PageDep
from taskmanager.core.types import Text
from taskmanager.users import service
from taskmanager.users.dependencies import UserFromPath
from taskmanager.users.models import Role
from taskmanager.users.schemas import AdminUserUpdate, PasswordChange, ProfileUpdate, UserRead

router = APIRouter(prefix="/api/v1/users", tags=["users"])
LAST_ADMIN_409 = {409: ("last_admin", service.LAST_ADMIN)}


@router.get("/me", summary="Your profile", responses=problem_responses(401))
async def read_me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.patch(
    "/me",
    summary="Change your name",
    description="Only `full_name`; `role`, `is_active`, `email` and `id` are refused with 422.",
    responses=problem_responses(401),
)
async def update_me(data: ProfileUpdate, user: CurrentUser, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await service.update_profile(session, user, data.full_name))


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change your password",
    description="Every session of yours is revoked: log in again with the new password.",
    responses=problem_responses(
        401, 429, codes={401: ("invalid_credentials", "The current password is incorrect.")}
    ),
)
async def change_password(
    data: PasswordChange,
    user: CurrentUser,
    session: SessionDep,
    hasher: PasswordHasherDep,
    settings: SettingsDep,
) -> None:
    await service.change_password(session, hasher, settings, user, data)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete your account",
    description="Your tasks and comments go too. Refused while you are the last active admin.",
    responses=problem_responses(401, 409, codes=LAST_ADMIN_409),
)
async def delete_me(user: CurrentUser, session: SessionDep) -> None:
    await service.delete_user(session, user)


@router.get(
    "",
    summary="List users (admin)",
    description="Oldest first. `q` matches part of the email literally.",
    responses=problem_responses(401, 403),
)
async def list_users(
    _: AdminUser,
    session: SessionDep,
    page: PageDep,
    q: Annotated[Text | None, Query(max_length=254, description="Part of the email.")] = None,
    role: Role | None = None,
    is_active: bool | None = None,
) -> Page[UserRead]:
    return await service.list_users(session, page, email_contains=q, role=role, is_active=is_active)


@router.get("/{id}", summary="Read a user (admin)", responses=problem_responses(401, 403, 404))
async def read_user(_: AdminUser, user: UserFromPath) -> UserRead:
    return UserRead.model_validate(user)


@router.patch(
    "/{id}",
    summary="Change a user's name, role or activity (admin)",
    description="Deactivation revokes the user's sessions at once.",
    responses=problem_responses(401, 403, 404, 409, codes=LAST_ADMIN_409),
)
async def update_user(
    data: AdminUserUpdate, _: AdminUser, user: UserFromPath, session: SessionDep
) -> UserRead:
    return UserRead.model_validate(await service.admin_update(session, user, data))


@router.delete(
    "/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a user (admin)",
    responses=problem_responses(401, 403, 404, 409, codes=LAST_ADMIN_409),
)
async def delete_user(_: AdminUser, user: UserFromPath, session: SessionDep) -> None:
    await service.delete_user(session, user)
