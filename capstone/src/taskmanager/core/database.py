"""Async SQLAlchemy on PostgreSQL: the declarative base, the engine and the per-request session."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_only

from taskmanager.core.config import Settings
from taskmanager.core.errors import DatabaseConnectionError

# Constraint names by convention, so Alembic can drop and recreate them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# asyncpg's own (client-side) timeout waits this much longer than the server's statement_timeout,
# so a slow statement ends as PostgreSQL's clean cancellation (SQLSTATE 57014) on a connection that
# stays usable, and the client gives up only on a server that stopped answering at all.
CLIENT_TIMEOUT_MARGIN_SECONDS = 1.0
# A connection used this recently is trusted without a ping (see `_ping_connections_left_idle`).
PING_AFTER_IDLE_SECONDS = 1.0
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


class Base(DeclarativeBase):
    """Base of every ORM model; `taskmanager.models` imports them all for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_now() -> datetime:
    return datetime.now(UTC)


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with `escape="\\"`, matched literally: the wildcards `%` and `_`
    and the escape character itself lose their meaning."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class FairQueuePool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio pool, with connections handed out in the order they were asked for.

    The stock pool waits on an `asyncio.Queue`, whose waiters lose their place whenever a newcomer
    takes a connection returned a moment before the woken waiter runs: under load some requests
    then wait far longer than the rest and hit the pool timeout (503) while most are served fast.
    A FIFO semaphore sized like the pool (`asyncio.Semaphore` is fair: no barging while others
    wait) admits requests in arrival order; the pool behind it never makes anyone wait.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turns = (
            asyncio.Semaphore(self.size() + self._max_overflow) if self._max_overflow >= 0 else None
        )

    async def _wait_for_turn(self, turns: asyncio.Semaphore) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await turns.acquire()
        except TimeoutError:
            raise PoolTimeoutError(
                f"QueuePool limit of size {self.size()} overflow {self._max_overflow} reached, "
                f"connection timed out, timeout {self._timeout:.2f}"
            ) from None

    def _do_get(self) -> ConnectionPoolEntry:
        if self._turns is None:
            return super()._do_get()
        # Pool methods run inside SQLAlchemy's greenlet, where a coroutine can be awaited.
        await_only(self._wait_for_turn(self._turns))
        try:
            return super()._do_get()
        except BaseException:
            self._turns.release()
            raise

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            if self._turns is not None:
                self._turns.release()


def create_engine(settings: Settings, database_url: str) -> AsyncEngine:
    """An engine whose every wait is bounded, so a database outage is a quick 503, never a hang."""
    engine = create_async_engine(
        database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        poolclass=FairQueuePool,
        pool_recycle=1800,
        # A failed statement's error never carries its bound values (an email, a password hash)
        # into the log; see also `core.errors._describe_database_error`.
        hide_parameters=True,
        connect_args={
            "timeout": settings.db_connect_timeout_seconds,
            "command_timeout": (
                settings.db_statement_timeout_seconds + CLIENT_TIMEOUT_MARGIN_SECONDS
            ),
            "server_settings": {
                "statement_timeout": str(int(settings.db_statement_timeout_seconds * 1000)),
                "application_name": "taskmanager",
            },
        },
    )
    _ping_connections_left_idle(engine)
    _name_connection_failures(engine)
    return engine


def _name_connection_failures(engine: AsyncEngine) -> None:
    """A socket error or a client-side timeout, connecting or under a query, becomes
    `DatabaseConnectionError`.

    SQLAlchemy passes them on untranslated (they are not DBAPI errors); named here, where they
    can only come from the database, they are a 503, while a bare `OSError` or `TimeoutError`
    from anywhere else in the code stays a bug (a logged 500).
    """

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except (OSError, TimeoutError) as error:  # refused, no such socket, no answer in time
            raise DatabaseConnectionError(type(error).__name__) from error

    @event.listens_for(engine.sync_engine, "handle_error")
    def _translate(context: ExceptionContext) -> None:
        original = context.original_exception
        if context.sqlalchemy_exception is None and isinstance(original, OSError | TimeoutError):
            raise DatabaseConnectionError(type(original).__name__) from original


def _ping_connections_left_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before handing it out only if it sat idle for a while.

    A connection broken by a database restart is then noticed and replaced, not handed out, like
    `pool_pre_ping` does, without its cost on every request (with asyncpg a ping is three round
    trips: BEGIN, an empty query, ROLLBACK). A connection returned moments ago by a request that
    used it is trusted; if the database went away in that moment, the next query on it fails,
    SQLAlchemy invalidates the whole pool, and that one request gets a 503.
    """

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError from error


class Database:
    """The engine and session factory of one application instance."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # Never lazy-load after a commit: async sessions cannot do implicit I/O.
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        # Sessions for requests that only read, without BEGIN and ROLLBACK around their queries:
        # in PostgreSQL's default READ COMMITTED every statement takes its own snapshot anyway,
        # so the transaction would add two round trips and nothing else.
        self.read_sessions = async_sessionmaker(
            engine.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
            autoflush=False,
        )

    async def dispose(self) -> None:
        await self.engine.dispose()


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; whatever the endpoint did not commit is rolled back.

    GET and HEAD only read (no route writes on them), so they get a session without a
    transaction; every other method gets one transaction that the endpoint commits.
    """
    database = database_of(request)
    sessions = database.read_sessions if request.method in READ_ONLY_METHODS else database.sessions
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
