"""Failed-login limiting per account and per client address, kept in PostgreSQL.

State in the database (not process memory) makes the limit hold across every worker and
restart. Failures older than the window no longer count and are pruned as new ones arrive.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from taskmanager.auth.models import LoginFailure
from taskmanager.core.config import Settings
from taskmanager.core.database import utc_now
from taskmanager.core.errors import RateLimitedError
from taskmanager.users.models import EMAIL_MAX_LENGTH


def account_key(email: str) -> str:
    # Any text may arrive as a login name: keep keys short and free of NUL (PostgreSQL text).
    if len(email) > EMAIL_MAX_LENGTH or "\x00" in email:
        email = "sha256:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()
    return f"account:{email}"


def login_keys(email: str, client_address: str) -> list[str]:
    return [account_key(email), f"address:{client_address[:100]}"]


class LoginLimiter:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.max_failures = settings.login_max_failures
        self.window = timedelta(seconds=settings.login_window_seconds)

    async def ensure_allowed(self, keys: list[str]) -> None:
        """429 with `Retry-After` when any key has used up its failures in the window."""
        now = utc_now()
        rows = await self.session.execute(
            select(LoginFailure.key, func.count(), func.min(LoginFailure.failed_at))
            .where(LoginFailure.key.in_(keys), LoginFailure.failed_at > now - self.window)
            .group_by(LoginFailure.key)
        )
        blocked_until: datetime | None = None
        for _key, failures, oldest in rows:
            if failures >= self.max_failures:
                until = oldest + self.window
                blocked_until = until if blocked_until is None else max(blocked_until, until)
        if blocked_until is not None:
            retry_after = math.ceil((blocked_until - now).total_seconds())
            raise RateLimitedError(
                "Too many failed logins; try again later.", retry_after_seconds=retry_after
            )

    async def record_failure(self, keys: list[str]) -> None:
        now = utc_now()
        # Prune every expired failure, not just these keys': guesses at many emails would
        # otherwise leave rows behind forever. The table holds one window's failures at most.
        await self.session.execute(
            delete(LoginFailure).where(LoginFailure.failed_at <= now - self.window)
        )
        self.session.add_all([LoginFailure(key=key, failed_at=now) for key in keys])

    async def forget(self, key: str) -> None:
        await self.session.execute(delete(LoginFailure).where(LoginFailure.key == key))
