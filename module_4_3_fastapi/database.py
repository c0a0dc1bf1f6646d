"""PostgreSQL for the notes: the connection pool's lifetime and the per-request connection.

:func:`get_connection` is the dependency: it borrows a connection from the pool for one request,
runs the request in a transaction and always gives the connection back, also when the request
fails (then the transaction is rolled back).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request

from module_4_3_fastapi.errors import ServiceUnavailableError

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner       text NOT NULL,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS notes_owner_created_at ON notes (owner, created_at DESC, id);
"""

ACQUIRE_TIMEOUT_SECONDS = 5.0
RETRY_AFTER_SECONDS = "5"

# asyncpg ships no type hints: name what this module hands out.
Connection = Any
Pool = Any


async def create_schema(connection: Connection) -> None:
    """Create the notes table if it is missing (this section has no migrations tool)."""
    await connection.execute(SCHEMA)


@contextlib.asynccontextmanager
async def open_pool(database_url: str) -> AsyncIterator[Pool]:
    """A connection pool with the schema in place, closed on exit."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=10, command_timeout=10)
    try:
        async with pool.acquire() as connection:
            await create_schema(connection)
        yield pool
    finally:
        await pool.close()


async def get_connection(request: Request) -> AsyncIterator[Connection]:
    """One pooled connection in a transaction for the duration of the endpoint."""
    # region 4.3.3 core: borrow a pooled connection, yield it in a transaction, always release it
    #: tip: the pool is request.app.state.pool; `async with connection.transaction(): yield ...`
    #: commits or rolls back; give the connection back with pool.release in a `finally`
    pool: Pool = request.app.state.pool
    try:
        connection = await pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        raise ServiceUnavailableError(
            f"the database is not answering ({type(error).__name__}); try again shortly",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        ) from error
    try:
        async with connection.transaction():
            yield connection
    finally:
        await pool.release(connection)
    # endregion 4.3.3


# scope="function": commit (or roll back) and release *before* the response is sent, so a client
# never sees 201 for a row whose commit then failed. The default would wait until after it.
DatabaseConnection = Annotated[Connection, Depends(get_connection, scope="function")]
