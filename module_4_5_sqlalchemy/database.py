"""The async engine and session factory built from settings, and a unit-of-work helper."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from course_support.postgres import embedded_postgres, to_sqlalchemy_url
from module_4_5_sqlalchemy.settings import DatabaseSettings

# Failures a command reports as "cannot use the database" rather than a traceback: refused,
# unreachable or timed out (OSError, TimeoutError), or turned away by the server (a DBAPIError,
# e.g. a wrong password or a missing database).
DATABASE_UNAVAILABLE = (OSError, DBAPIError)


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """An asyncpg engine with the pool and timeouts the settings describe."""
    # region 4.5.1 extra: pool size, timeouts and pre-ping from the settings
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
    # endregion 4.5.1


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
    # region 4.5.1 extra: one session, one transaction: commit or roll back
    async with sessions() as session, session.begin():
        yield session
    # endregion 4.5.1


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


@contextlib.contextmanager
def database_url_or_embedded(settings: DatabaseSettings) -> Iterator[str]:
    """``DATABASE_URL`` if set; otherwise an embedded PostgreSQL in a temporary folder, stopped
    and removed when the block ends. For commands (the demo, the benchmark), not for services."""
    if settings.url is not None:
        yield settings.url
        return
    sys.stderr.write("DATABASE_URL is not set: starting an embedded PostgreSQL.\n")
    with warnings.catch_warnings():
        # embedded-postgres asks platformdirs for XDG_RUNTIME_DIR; the /tmp fallback is fine.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        with embedded_postgres() as url:
            yield to_sqlalchemy_url(url)
