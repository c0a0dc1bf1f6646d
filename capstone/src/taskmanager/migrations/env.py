"""Alembic environment: runs migrations on the async engine (asyncpg)."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from taskmanager.core.migrate import MIGRATION_LOCK_KEY
from taskmanager.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    # `taskmanager migrate` passes the URL in attributes (no ConfigParser `%` interpolation);
    # the plain `alembic` command (capstone/alembic.ini) reads DATABASE_URL.
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("DATABASE_URL is not set")
    return str(url).replace("postgresql://", "postgresql+asyncpg://", 1)


def run_in_connection(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        # Several replicas may start at once: one migrates, the others wait here and then find
        # nothing left to do. The lock ends with the transaction.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_in_connection)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_async_migrations())
