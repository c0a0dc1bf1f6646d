"""`CurrentUser` and `AdminUser`: who is calling, checked on every request.

An access token is only as good as its login session: logout, password change and deactivation
revoke sessions, and every request checks its session in the same query that loads the user.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import bindparam, select

from taskmanager.auth.models import LoginSession
from taskmanager.core.database import SessionDep, utc_now
from taskmanager.core.dependencies import TokenCodecDep
from taskmanager.core.driver import DriverConnection, DriverQuery
from taskmanager.core.errors import ForbiddenError, UnauthorizedError
from taskmanager.core.tokens import InvalidTokenError, TokenClaims, TokenType
from taskmanager.users.models import User

LOGIN_PATH = "/api/v1/auth/login"
# auto_error=False: a missing token gets our problem+json 401, not the framework's.
bearer_token = OAuth2PasswordBearer(tokenUrl=LOGIN_PATH, auto_error=False)

# The active user whose login session is current, in one query. Built once with bound
# parameters: SQLAlchemy then reuses its cache key and compiled SQL instead of rebuilding and
# rehashing the statement on every request.
CURRENT_USER = (
    select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        User.is_active,
        LoginSession.id == bindparam("session_id"),
        LoginSession.revoked_at.is_(None),
        LoginSession.expires_at > bindparam("now"),
    )
)


# The same check when only the caller's id is needed, run on the driver (see `core.driver`).
CURRENT_USER_ID = DriverQuery.of(CURRENT_USER.with_only_columns(User.id))
INVALID_TOKEN = "The access token is invalid or has expired."  # noqa: S105 - a message


def _claims(codec: TokenCodecDep, token: str | None) -> TokenClaims:
    if not token:
        raise UnauthorizedError("Not authenticated.")
    try:
        return codec.decode(token, TokenType.ACCESS)
    except InvalidTokenError:
        raise UnauthorizedError(INVALID_TOKEN) from None


def _identify(request: Request, user_id: uuid.UUID, claims: TokenClaims) -> None:
    # Read by the request log middleware (`scope["state"]`), which never sees the token.
    request.state.user_id = str(user_id)
    request.state.session_id = claims.session_id


async def get_current_user(
    request: Request,
    session: SessionDep,
    codec: TokenCodecDep,
    token: Annotated[str | None, Depends(bearer_token)],
) -> User:
    claims = _claims(codec, token)
    user = await session.scalar(
        CURRENT_USER,
        {"user_id": claims.user_id, "session_id": claims.session_id, "now": utc_now()},
    )
    if user is None:
        raise UnauthorizedError(INVALID_TOKEN)
    _identify(request, user.id, claims)
    return user


async def get_current_user_id(
    request: Request,
    connection: DriverConnection,
    codec: TokenCodecDep,
    token: Annotated[str | None, Depends(bearer_token)],
) -> uuid.UUID:
    """`get_current_user`'s check on the driver, for reads that need only who is calling."""
    claims = _claims(codec, token)
    row = await CURRENT_USER_ID.fetchrow(
        connection, {"user_id": claims.user_id, "session_id": claims.session_id, "now": utc_now()}
    )
    if row is None:
        raise UnauthorizedError(INVALID_TOKEN)
    _identify(request, claims.user_id, claims)
    return claims.user_id


CurrentUser = Annotated[User, Depends(get_current_user)]
CurrentUserId = Annotated[uuid.UUID, Depends(get_current_user_id)]


async def get_admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ForbiddenError("This action needs the admin role.")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
