"""Attempt limits (failed logins, password checks, registrations), kept in PostgreSQL.

An attempt is recorded BEFORE its password is hashed, in a transaction that first takes a
PostgreSQL advisory lock per key, then counts the key's attempts in the window, then inserts the
new one: of any number of concurrent attempts on one key, at most the limit get past the count,
on every worker and replica sharing the database. A successful login or password check removes
its attempts again (only failures, and attempts still in flight, count); registrations count
whether or not they succeed. Attempts older than the window no longer count and are pruned as
new ones arrive.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from taskmanager.auth.models import LoginFailure
from taskmanager.core.database import utc_now
from taskmanager.core.errors import RateLimitedError
from taskmanager.users.models import EMAIL_MAX_LENGTH


def account_key(email: str) -> str:
    # Any text may arrive as a login name: keep keys short and free of NUL (PostgreSQL text).
    if len(email) > EMAIL_MAX_LENGTH or "\x00" in email:
        email = "sha256:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()
    return f"account:{email}"


def address_key(client_address: str) -> str:
    return f"address:{client_address[:100]}"


def registration_key(client_address: str) -> str:
    return f"register:{client_address[:100]}"


def login_keys(email: str, client_address: str) -> list[str]:
    return [account_key(email), address_key(client_address)]


class AttemptLimiter:
    """At most `limit` attempts per key in any `window`, however many arrive at once."""

    def __init__(
        self, session: AsyncSession, *, limit: int, window_seconds: int, message: str
    ) -> None:
        self.session = session
        self.limit = limit
        self.window = timedelta(seconds=window_seconds)
        self.message = message

    async def record_attempt(self, keys: list[str]) -> list[int]:
        """Record one attempt per key and commit, or 429 with `Retry-After` (nothing recorded)
        when a key has used up its attempts. The attempts' ids, for `withdraw`."""
        now = utc_now()
        try:
            # Sorted: two transactions locking the same keys never wait on each other in a cycle.
            for key in sorted(set(keys)):
                await self.session.execute(
                    select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0)))
                )
            self._refuse_if_used_up(now, await self._recent(keys, now))
            # Prune every expired attempt, not just these keys': guesses at many emails would
            # otherwise leave rows behind forever. The table holds one window's attempts at most.
            await self.session.execute(
                delete(LoginFailure).where(LoginFailure.failed_at <= now - self.window)
            )
            ids = await self.session.scalars(
                insert(LoginFailure).returning(LoginFailure.id),
                [{"key": key, "failed_at": now} for key in keys],
            )
            recorded = list(ids)
        except BaseException:
            await self.session.rollback()  # and with it the advisory locks
            raise
        await self.session.commit()
        return recorded

    async def _recent(self, keys: list[str], now: datetime) -> list[tuple[int, datetime]]:
        rows = await self.session.execute(
            select(func.count(), func.min(LoginFailure.failed_at))
            .where(LoginFailure.key.in_(keys), LoginFailure.failed_at > now - self.window)
            .group_by(LoginFailure.key)
        )
        return [(count, oldest) for count, oldest in rows]

    def _refuse_if_used_up(self, now: datetime, recent: list[tuple[int, datetime]]) -> None:
        blocked = [oldest + self.window for count, oldest in recent if count >= self.limit]
        if blocked:
            retry_after = math.ceil((max(blocked) - now).total_seconds())
            raise RateLimitedError(self.message, retry_after_seconds=retry_after)

    async def withdraw(self, attempt_ids: list[int]) -> None:
        """Take back attempts that succeeded: only failures (and attempts in flight) count."""
        await self.session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt_ids)))

    async def forget(self, key: str) -> None:
        """A success: the key's earlier failures no longer count."""
        await self.session.execute(delete(LoginFailure).where(LoginFailure.key == key))
