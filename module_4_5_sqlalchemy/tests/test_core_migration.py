"""4.5.2 core: `alembic -c module_4_5_sqlalchemy/basics/alembic.ini upgrade head` builds the
schema the models describe, and `downgrade base` removes all of it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from course_support.pytest_postgres import PostgresDatabase
from module_4_5_sqlalchemy.basics.models import Base

pytestmark = pytest.mark.task("4.5.2", level="core")

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "basics" / "alembic.ini"


@pytest.fixture
def alembic(postgres_database: PostgresDatabase, monkeypatch: pytest.MonkeyPatch) -> Config:
    """Alembic's configuration, with DATABASE_URL naming an empty database of this test."""
    monkeypatch.setenv("DATABASE_URL", postgres_database.url)
    return Config(str(ALEMBIC_INI))


def query(database: PostgresDatabase, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        connection = await asyncpg.connect(database.url)
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    return asyncio.run(run())


def schema(database: PostgresDatabase) -> tuple[set[str], set[str]]:
    """The tables and the enum types of the public schema."""
    tables = query(database, "select tablename from pg_tables where schemaname = 'public'")
    types = query(
        database,
        "select typname from pg_type join pg_namespace n on n.oid = typnamespace "
        "where nspname = 'public' and typtype = 'e'",
    )
    return {row[0] for row in tables}, {row[0] for row in types}


def drift(database: PostgresDatabase) -> list[Any]:
    """What `alembic check` would report: differences between the models and the database."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))

    async def run() -> list[Any]:
        engine = create_async_engine(database.sqlalchemy_url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_upgrade_head_creates_the_users_and_tasks_tables(
    alembic: Config, postgres_database: PostgresDatabase
) -> None:
    command.upgrade(alembic, "head")

    tables, types = schema(postgres_database)
    assert {"users", "tasks", "alembic_version"} <= tables
    assert "task_priority" in types


def test_the_migrated_schema_matches_the_models(
    alembic: Config, postgres_database: PostgresDatabase
) -> None:
    command.upgrade(alembic, "head")

    assert drift(postgres_database) == []


def test_downgrade_base_removes_everything_and_upgrade_works_again(
    alembic: Config, postgres_database: PostgresDatabase
) -> None:
    command.upgrade(alembic, "head")

    command.downgrade(alembic, "base")
    assert schema(postgres_database) == ({"alembic_version"}, set())

    command.upgrade(alembic, "head")  # an enum type left behind would make this fail
    assert {"users", "tasks"} <= schema(postgres_database)[0]


def test_the_database_fills_in_defaults_and_deletes_a_users_tasks(
    alembic: Config, postgres_database: PostgresDatabase
) -> None:
    command.upgrade(alembic, "head")
    query(postgres_database, "insert into users (email, name) values ('ada@example.com', 'Ada')")
    query(postgres_database, "insert into tasks (owner_id, title) select id, 'Write' from users")

    [task] = query(postgres_database, "select done, priority::text, created_at from tasks")
    assert (task["done"], task["priority"]) == (False, "medium")
    assert task["created_at"] is not None

    query(postgres_database, "delete from users")
    assert query(postgres_database, "select count(*) from tasks")[0][0] == 0


def test_the_database_refuses_a_duplicate_email_and_an_unknown_priority(
    alembic: Config, postgres_database: PostgresDatabase
) -> None:
    command.upgrade(alembic, "head")
    query(postgres_database, "insert into users (email, name) values ('ada@example.com', 'Ada')")

    with pytest.raises(asyncpg.UniqueViolationError):
        query(postgres_database, "insert into users (email, name) values ('ada@example.com', 'A')")
    with pytest.raises(asyncpg.InvalidTextRepresentationError):
        query(
            postgres_database,
            "insert into tasks (owner_id, title, priority) select id, 'T', 'asap' from users",
        )
