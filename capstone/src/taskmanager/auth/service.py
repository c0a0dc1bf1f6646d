"""Registration, login, refresh-token rotation with reuse detection, and logout."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from taskmanager.auth.login_limiter import AttemptLimiter, login_keys, registration_key
from taskmanager.auth.models import LoginSession
from taskmanager.auth.schemas import Registration, TokenPair
from taskmanager.core.config import Settings
from taskmanager.core.database import utc_now
from taskmanager.core.errors import ConflictError, UnauthorizedError
from taskmanager.core.passwords import BCRYPT_MAX_PASSWORD_BYTES, PasswordHasher
from taskmanager.core.tokens import InvalidTokenError, TokenClaims, TokenCodec, TokenType
from taskmanager.users.models import EMAIL_MAX_LENGTH, Role, User

INVALID_CREDENTIALS = "Incorrect email or password."
TOO_MANY_LOGINS = "Too many failed logins; try again later."
TOO_MANY_REGISTRATIONS = "Too many registrations from this address; try again later."
# A message, not a secret (ruff's S105 matches the word "token").
INVALID_REFRESH_TOKEN = "The refresh token is invalid, expired or already used."  # noqa: S105


def token_digest(token_id: uuid.UUID) -> str:
    return hashlib.sha256(token_id.bytes).hexdigest()


async def create_user(
    session: AsyncSession,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    full_name: str | None,
    role: Role = Role.USER,
) -> User:
    """Insert a user; the unique index (not a check first) decides races: 409 `email_taken`."""
    # Hash before the first query, so no pooled connection waits on bcrypt.
    user = User(
        email=email.lower(),
        password_hash=await hasher.hash(password),
        full_name=full_name,
        role=role,
        is_active=True,
    )
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise ConflictError("This email is already registered.", code="email_taken") from None
    return user


def login_limiter(session: AsyncSession, settings: Settings) -> AttemptLimiter:
    """Password guesses per account and per client address (logins, password changes)."""
    return AttemptLimiter(
        session,
        limit=settings.login_max_failures,
        window_seconds=settings.login_window_seconds,
        message=TOO_MANY_LOGINS,
    )


async def register(
    session: AsyncSession,
    hasher: PasswordHasher,
    settings: Settings,
    data: Registration,
    *,
    client_address: str,
) -> User:
    """A new account; at most `register_max_per_address` per client address in the window
    (429), counted before the password is hashed whether or not the registration succeeds."""
    limiter = AttemptLimiter(
        session,
        limit=settings.register_max_per_address,
        window_seconds=settings.register_window_seconds,
        message=TOO_MANY_REGISTRATIONS,
    )
    with hasher.reserved():  # a flood is refused (503) before it costs a database round trip
        await limiter.record_attempt([registration_key(client_address)])
        return await create_user(
            session, hasher, email=data.email, password=data.password, full_name=data.full_name
        )


class TokenIssuer:
    """Opens login sessions and rotates their refresh tokens."""

    def __init__(self, session: AsyncSession, codec: TokenCodec, settings: Settings) -> None:
        self.session = session
        self.codec = codec
        self.access_ttl = timedelta(seconds=settings.access_token_ttl_seconds)
        self.refresh_ttl = timedelta(seconds=settings.refresh_token_ttl_seconds)

    def _pair(self, user_id: uuid.UUID, session_id: uuid.UUID) -> tuple[TokenPair, TokenClaims]:
        access, _ = self.codec.encode(TokenType.ACCESS, user_id, session_id, self.access_ttl)
        refresh, claims = self.codec.encode(
            TokenType.REFRESH, user_id, session_id, self.refresh_ttl
        )
        pair = TokenPair(
            access_token=access,
            refresh_token=refresh,
            expires_in=int(self.access_ttl.total_seconds()),
        )
        return pair, claims

    async def open_session(self, user: User) -> TokenPair:
        login = LoginSession(id=uuid.uuid4(), user_id=user.id)
        pair, refresh = self._pair(user.id, login.id)
        login.refresh_token_hash = token_digest(refresh.token_id)
        login.expires_at = refresh.expires_at
        self.session.add(login)
        await self.session.commit()
        return pair

    async def rotate(self, refresh_token: str) -> TokenPair:
        """A new pair for a current refresh token; a used-up one revokes its whole session."""
        claims = self._refresh_claims(refresh_token)
        pair, new_refresh = self._pair(claims.user_id, claims.session_id)
        # One conditional UPDATE: of concurrent refreshes with one token exactly one matches.
        rotated = await self.session.scalar(
            update(LoginSession)
            .where(
                *self._current(claims),
                LoginSession.user_id.in_(select(User.id).where(User.is_active)),
            )
            .values(
                refresh_token_hash=token_digest(new_refresh.token_id),
                expires_at=new_refresh.expires_at,
            )
            .returning(LoginSession.id)
        )
        if rotated is None:
            await self._revoke_on_reuse(claims)
            raise UnauthorizedError(INVALID_REFRESH_TOKEN)
        await self.session.commit()
        return pair

    async def close_session(self, refresh_token: str) -> None:
        """Logout: the session's refresh token and every access token of it stop working."""
        claims = self._refresh_claims(refresh_token)
        closed = await self.session.scalar(
            update(LoginSession)
            .where(*self._current(claims))
            .values(revoked_at=utc_now())
            .returning(LoginSession.id)
        )
        if closed is None:
            await self._revoke_on_reuse(claims)
            raise UnauthorizedError(INVALID_REFRESH_TOKEN)
        await self.session.commit()

    def _refresh_claims(self, refresh_token: str) -> TokenClaims:
        try:
            return self.codec.decode(refresh_token, TokenType.REFRESH)
        except InvalidTokenError:
            raise UnauthorizedError(INVALID_REFRESH_TOKEN) from None

    @staticmethod
    def _current(claims: TokenClaims) -> list[ColumnElement[bool]]:
        return [
            LoginSession.id == claims.session_id,
            LoginSession.user_id == claims.user_id,
            LoginSession.refresh_token_hash == token_digest(claims.token_id),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > utc_now(),
        ]

    async def _revoke_on_reuse(self, claims: TokenClaims) -> None:
        # A genuine token (the signature checked) that is no longer current was stolen or
        # replayed: end the session for everyone holding its tokens.
        await self.session.execute(
            update(LoginSession)
            .where(
                LoginSession.id == claims.session_id,
                LoginSession.user_id == claims.user_id,
                LoginSession.revoked_at.is_(None),
            )
            .values(revoked_at=utc_now())
        )
        await self.session.commit()


async def revoke_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    """End every login of a user (password change, deactivation); the caller commits."""
    await session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )


async def authenticate(
    session: AsyncSession,
    hasher: PasswordHasher,
    settings: Settings,
    *,
    email: str,
    password: str,
    client_address: str,
) -> User:
    """The active user with these credentials, or 401 that reveals nothing, or 429.

    The attempt is recorded before the password is checked (see `login_limiter`): of a burst of
    guesses at one account or from one address, at most the limit are ever verified.
    """
    email = email.strip().lower()
    keys = login_keys(email, client_address)
    limiter = login_limiter(session, settings)
    with hasher.reserved():  # a flood is refused (503) before it costs a database round trip
        attempts = await limiter.record_attempt(keys)
        user = None
        if len(email) <= EMAIL_MAX_LENGTH and "\x00" not in email:  # never a 500 from asyncpg
            user = await session.scalar(select(User).where(User.email == email))
        # End the transaction before hashing: no pooled connection waits ~200 ms on bcrypt.
        await session.commit()
        acceptable = len(password.encode()) <= BCRYPT_MAX_PASSWORD_BYTES
        if user is not None and acceptable:
            verified = await hasher.verify(password, user.password_hash)
        else:
            verified = await hasher.verify_unknown_user(password if acceptable else "")
    if user is None or not verified or not user.is_active:
        raise UnauthorizedError(INVALID_CREDENTIALS, code="invalid_credentials")
    # A success: the account's failures are forgiven, and this attempt counts for neither key.
    await limiter.forget(keys[0])
    await limiter.withdraw(attempts)
    return user
