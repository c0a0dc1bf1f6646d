"""Alembic's environment: runs migrations on an asyncpg connection.

``module_4_5_sqlalchemy.migrate`` passes an open connection in ``config.attributes``; without one
(e.g. when a learner drives Alembic some other way) an engine is built from ``sqlalchemy.url``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from module_4_5_sqlalchemy.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_on_new_engine(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


def run_migrations_offline(url: str) -> None:
    """``--sql`` mode: print the DDL instead of running it."""
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


shared_connection = config.attributes.get("connection")
if shared_connection is not None:
    run_migrations(shared_connection)
elif context.is_offline_mode():
    run_migrations_offline(config.get_main_option("sqlalchemy.url", "postgresql+asyncpg://"))
else:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no connection given and no sqlalchemy.url configured")
    asyncio.run(run_migrations_on_new_engine(url))
