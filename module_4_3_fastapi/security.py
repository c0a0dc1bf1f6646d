"""Bearer tokens: who is calling (a :class:`Principal`) and what it may do (scopes).

The dependencies chain: ``HTTPBearer`` reads the header -> :func:`get_current_principal` matches
the token against the configured ones in constant time -> :func:`require_scope` checks a scope.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from module_4_3_fastapi.errors import ForbiddenError, NotAuthenticatedError, TokenInvalidError
from module_4_3_fastapi.settings import AppSettings, TokenGrant

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A token from the API_TOKENS setting (the CLI prints one when none is set).",
)


@dataclass(frozen=True)
class Principal:
    """The caller a valid token stands for."""

    subject: str
    scopes: frozenset[str]


def find_grant(token: str, grants: list[TokenGrant]) -> TokenGrant | None:
    """The grant whose token equals ``token``, compared in constant time.

    Both sides are hashed first so that the comparison does not leak the tokens' lengths, and
    every grant is compared so that the position of a match does not show in the timing either.
    """
    # region 4.3.3 core: compare `token` with every grant's token in constant time
    #: tip: hmac.compare_digest; grant.token is a SecretStr (get_secret_value())
    presented = hashlib.sha256(token.encode()).digest()
    found = None
    for grant in grants:
        expected = hashlib.sha256(grant.token.get_secret_value().encode()).digest()
        if hmac.compare_digest(presented, expected):
            found = grant
    return found
    # endregion 4.3.3


async def get_current_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    settings: AppSettings,
) -> Principal:
    """The caller of a request: 401 without a bearer token or with an unknown one."""
    # region 4.3.3 core: 401 NotAuthenticatedError / TokenInvalidError, else the grant's Principal
    #: tip: both 401s carry a WWW-Authenticate header (RFC 6750): `Bearer` and
    #: `Bearer error="invalid_token"`
    if credentials is None:
        raise NotAuthenticatedError(
            "send an Authorization: Bearer <token> header",
            headers={"WWW-Authenticate": "Bearer"},
        )
    grant = find_grant(credentials.credentials, settings.tokens)
    if grant is None:
        raise TokenInvalidError(
            "the bearer token is not valid",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return Principal(subject=grant.subject, scopes=grant.scopes)
    # endregion 4.3.3


CurrentPrincipal = Annotated[Principal, Depends(get_current_principal)]


def require_scope(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets a request through only when its token carries ``scope``."""

    async def check_scope(principal: CurrentPrincipal) -> Principal:
        # region 4.3.3 core: 403 ForbiddenError unless the principal has `scope`
        #: tip: WWW-Authenticate: Bearer error="insufficient_scope", scope="<scope>"
        if scope not in principal.scopes:
            raise ForbiddenError(
                f"this token lacks the {scope!r} scope",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            )
        return principal
        # endregion 4.3.3

    check_scope.__name__ = f"require_scope_{scope.replace(':', '_')}"
    return check_scope


CanReadNotes = Annotated[Principal, Depends(require_scope("notes:read"))]
CanWriteNotes = Annotated[Principal, Depends(require_scope("notes:write"))]
