"""The asyncpg connection pool and the one table the service needs."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from .settings import DatabaseSettings

# Any constant shared by every replica: the schema is created under this advisory lock, so two
# containers starting at once do not race on CREATE TABLE.
_SCHEMA_LOCK_ID = 4_700_001
_RETRY_INTERVAL_SECONDS = 0.5

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    body       text        NOT NULL CHECK (char_length(body) <= 10000),
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


async def create_pool(settings: DatabaseSettings) -> asyncpg.Pool:
    """Open the pool (connecting ``pool_min_size`` connections now) and create the schema."""
    if settings.url is None:
        raise ValueError("DATABASE_URL is not set")
    pool = await _connect_while_starting(settings.url, settings)
    try:
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", _SCHEMA_LOCK_ID)
            await connection.execute(SCHEMA)
    except BaseException:
        await pool.close()
        raise
    return pool


async def _connect_while_starting(url: str, settings: DatabaseSettings) -> asyncpg.Pool:
    """Open the pool, retrying for ``startup_timeout`` seconds while PostgreSQL is not up yet.

    A container started beside its database (compose's plain ``depends_on``, or a database
    restarting) sees "connection refused" or "the database system is starting up" at first.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.startup_timeout
    while True:
        try:
            pool: asyncpg.Pool = await asyncpg.create_pool(
                url,
                min_size=settings.pool_min_size,
                max_size=settings.pool_max_size,
                timeout=settings.connect_timeout,
                command_timeout=settings.command_timeout,
            )
        except (OSError, asyncpg.CannotConnectNowError) as error:
            if loop.time() + _RETRY_INTERVAL_SECONDS > deadline:
                raise
            logger.info("database not ready yet (%s); retrying", error)
            await asyncio.sleep(_RETRY_INTERVAL_SECONDS)
        else:
            return pool


async def database_is_reachable(pool: asyncpg.Pool, settings: DatabaseSettings) -> bool:
    """True when a pooled connection answers ``SELECT 1`` within ``health_timeout`` seconds."""
    try:
        async with asyncio.timeout(settings.health_timeout):
            async with pool.acquire() as connection:
                await connection.fetchval("SELECT 1")
    except (
        OSError,
        TimeoutError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        # A connection the server cut while it sat idle in the pool can fail its next query
        # with "cannot switch to state ...; another operation is in progress".
        asyncpg.InternalClientError,
    ):
        return False
    return True
