"""Alembic's environment for the core exercise: migrations run on an asyncpg connection.

The shape ``alembic init -t async`` writes; the database comes from ``DATABASE_URL`` (any
``postgresql://`` URL), else from ``sqlalchemy.url`` in ``alembic.ini``.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from course_support.postgres import to_sqlalchemy_url
from module_4_5_sqlalchemy.basics.models import Base

config = context.config
# What `alembic revision --autogenerate` compares the database with.
target_metadata = Base.metadata


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set DATABASE_URL (or sqlalchemy.url in alembic.ini)")
    return to_sqlalchemy_url(url)


def run_migrations_offline() -> None:
    """``alembic upgrade head --sql``: print the SQL instead of running it."""
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Open an async engine, run the migrations on one of its connections, dispose of it."""
    # region 4.5.2 core: an async engine, connection.run_sync(do_run_migrations), dispose
    #: tip: Alembic itself is synchronous: `await connection.run_sync(do_run_migrations)`
    engine = create_async_engine(database_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()
    # endregion 4.5.2


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
