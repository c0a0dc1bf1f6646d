"""The async engine and session factory built from settings, and a unit-of-work helper."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from module_4_5_sqlalchemy.settings import DatabaseSettings


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """An asyncpg engine with the pool and timeouts the settings describe."""
    if settings.url is None:
        raise ValueError("DATABASE_URL is not set")
    return create_async_engine(
        settings.url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        # A connection the server closed (restart, idle timeout) is replaced, not handed out.
        pool_pre_ping=True,
        echo=settings.echo,
        connect_args={
            "timeout": settings.connect_timeout,
            "command_timeout": settings.command_timeout,
        },
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit.

    ``expire_on_commit=False``: reading an expired attribute would need a lazy load, which an
    ``AsyncSession`` cannot do implicitly.
    """
    return async_sessionmaker(engine, expire_on_commit=False)


@contextlib.asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One session and one transaction: committed when the block succeeds, rolled back when it
    raises (the exception propagates), closed in both cases."""
    async with sessions() as session, session.begin():
        yield session


@dataclass(frozen=True)
class Database:
    """An engine and its session factory, owned together."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    def unit_of_work(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        """See :func:`unit_of_work`."""
        return unit_of_work(self.sessions)


@contextlib.asynccontextmanager
async def open_database(settings: DatabaseSettings) -> AsyncIterator[Database]:
    """The database for the duration of the block; the engine's pool is disposed on exit."""
    engine = create_engine(settings)
    try:
        yield Database(engine=engine, sessions=create_sessionmaker(engine))
    finally:
        await engine.dispose()
