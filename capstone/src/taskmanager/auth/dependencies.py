"""`CurrentUser` and `AdminUser`: who is calling, checked on every request.

An access token is only as good as its login session: logout, password change and deactivation
revoke sessions, and every request checks its session in the same query that loads the user.
The hottest read (`GET /tasks`) takes only the token's `ClaimsWithoutSessionCheck` and checks the
session inside its own statement (`CALLER_HAS_SESSION`), which saves a round trip to the database.
Any other route takes `CurrentUser`: a test pins the list as the only user of the session-free
claims (tests/auth/test_session_checks.py).
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import bindparam, select

from taskmanager.auth.models import LoginSession
from taskmanager.core.database import SessionDep, utc_now
from taskmanager.core.dependencies import TokenCodecDep
from taskmanager.core.driver import DriverQuery
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


# The same check as a condition of another statement: PostgreSQL evaluates an uncorrelated
# EXISTS once, before anything else, and a false one stops the statement (a "One-Time Filter").
CALLER_HAS_SESSION = CURRENT_USER.exists()
# The same check on the driver (see `core.driver`), when it cannot ride along with a statement.
CURRENT_USER_ID = DriverQuery.of(CURRENT_USER.with_only_columns(User.id))
INVALID_TOKEN = "The access token is invalid or has expired."  # noqa: S105 - a message


def _claims(codec: TokenCodecDep, token: str | None) -> TokenClaims:
    if not token:
        raise UnauthorizedError("Not authenticated.")
    try:
        return codec.decode(token, TokenType.ACCESS)
    except InvalidTokenError:
        raise UnauthorizedError(INVALID_TOKEN) from None


def session_values(claims: TokenClaims) -> dict[str, Any]:
    """The bound values of `CURRENT_USER` and `CALLER_HAS_SESSION` for these claims."""
    return {"user_id": claims.user_id, "session_id": claims.session_id, "now": utc_now()}


def identify(request: Request, claims: TokenClaims) -> None:
    """Name the caller, once their session is checked, to the request log.

    Read by the request log middleware (`scope["state"]`), which never sees the token.
    """
    request.state.user_id = str(claims.user_id)
    request.state.session_id = claims.session_id


async def get_current_user(
    request: Request,
    session: SessionDep,
    codec: TokenCodecDep,
    token: Annotated[str | None, Depends(bearer_token)],
) -> User:
    claims = _claims(codec, token)
    user = await session.scalar(CURRENT_USER, session_values(claims))
    if user is None:
        raise UnauthorizedError(INVALID_TOKEN)
    identify(request, claims)
    return user


async def claims_without_session_check(
    codec: TokenCodecDep, token: Annotated[str | None, Depends(bearer_token)]
) -> TokenClaims:
    """The access token's verified claims, with its login session NOT checked: a logged-out
    token passes here.

    A route that takes these must check the session itself before answering: within its own
    statement (`CALLER_HAS_SESSION`) or with `check_session`, and then call `identify`. Only
    `GET /api/v1/tasks` does (a test fails for any other route that takes them).
    """
    return _claims(codec, token)


async def check_session(connection: asyncpg.Connection, claims: TokenClaims) -> None:
    """401 unless the claims' user is active and their login session current (on the driver)."""
    if await CURRENT_USER_ID.fetchrow(connection, session_values(claims)) is None:
        raise UnauthorizedError(INVALID_TOKEN)


CurrentUser = Annotated[User, Depends(get_current_user)]
ClaimsWithoutSessionCheck = Annotated[TokenClaims, Depends(claims_without_session_check)]


async def get_admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ForbiddenError("This action needs the admin role.")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
