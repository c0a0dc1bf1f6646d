"""Hot-path reads on the driver: SQL compiled once from SQLAlchemy statements, run by asyncpg.

The statements are still written with SQLAlchemy (one source of truth for table and column
names) and the connection still comes from the engine's pool (its fairness, timeouts and the
idle ping), but the query itself runs on the asyncpg connection underneath. Measured on the
benchmark machine, SQLAlchemy's execution and result processing cost ~0.55 ms of CPU for a page
of 20 tasks and asyncpg alone ~0.35 ms, on a route whose whole budget is ~1.25 ms. Only the
hottest read (`GET /tasks`, one statement a page) takes this path; everything else keeps the ORM.

Bound values are passed to asyncpg as they are: the statements here bind only UUIDs, text,
`StrEnum` members (text to asyncpg), datetimes, integers and lists of those. Rows come back as
asyncpg `Record`s (mapping access by column name), with enums as plain strings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import ClauseElement
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import greenlet_spawn

from taskmanager.core.database import Database
from taskmanager.core.errors import DatabaseConnectionError

# What asyncpg raises when the connection itself failed (rather than the statement): dropped by the
# server, cut mid-protocol, or refused while the database shuts down or starts. A connection that
# raised one of these (or a socket error, or no answer in time) is not handed out again.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)
_DIALECT: Dialect = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class DriverQuery:
    """A statement's SQL with numbered placeholders (`$1`...), and which value goes where."""

    sql: str
    names: tuple[str, ...]
    """The bound parameters' names in placeholder order."""
    constants: Mapping[str, Any]
    """Values the statement itself binds (`status != 'done'`), by parameter name."""

    @classmethod
    def of(cls, statement: ClauseElement) -> DriverQuery:
        compiled = statement.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler)  # noqa: S101 - a statement compiles to SQL
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError(
                "a driver query cannot have parameters rendered per call (an expanding IN list):"
                " bind an array and compare with `= ANY(...)`"
            )
        constants = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        return cls(str(compiled), tuple(compiled.positiontup or ()), constants)

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        try:
            return [values[name] if name in values else self.constants[name] for name in self.names]
        except KeyError:
            known = {**self.constants, **values}
            missing = [name for name in self.names if name not in known]
            raise KeyError(f"no value for the bound parameters {missing}") from None

    async def fetch(
        self, connection: asyncpg.Connection, values: Mapping[str, Any]
    ) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await connection.fetch(self.sql, *self.arguments(values))
        return rows

    async def fetchrow(
        self, connection: asyncpg.Connection, values: Mapping[str, Any]
    ) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await connection.fetchrow(self.sql, *self.arguments(values))
        return row


@asynccontextmanager
async def pooled_connection(database: Database) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection's asyncpg connection for a read-only request, without a session.

    Checked out and returned through the engine's pool like any other (its fair queue, timeout
    and idle ping apply); a connection the database dropped meanwhile is invalidated on the way
    back, so the pool opens a new one rather than handing the dead one to the next request.
    Used inside the endpoint rather than as a generator dependency: FastAPI wraps each of those
    in an exit stack and a shielded cancel scope, ~0.15 ms of CPU a request here.
    """
    pooled = await database.engine.raw_connection()  # connect failures: see `core.database`
    driver: asyncpg.Connection = pooled.driver_connection
    broken = False
    try:
        yield driver
    except (OSError, TimeoutError) as error:  # the socket failed, or no answer in time
        broken = True
        raise DatabaseConnectionError(type(error).__name__) from error
    except CONNECTION_ERRORS as error:
        broken = True
        if driver.is_closed():  # "connection is closed": the server or the network dropped it
            raise DatabaseConnectionError(type(error).__name__) from error
        raise
    finally:
        # Both may await (closing, the reset on return): SQLAlchemy runs them in its greenlet.
        if broken or driver.is_closed():
            await greenlet_spawn(pooled.invalidate)
        await greenlet_spawn(pooled.close)


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session's (checked out on first use, as for a query).

    Queries on it run inside the session's transaction if one has begun, and on their own
    (autocommit) before that; the session still returns the connection to the pool.
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    return driver
