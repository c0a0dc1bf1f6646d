"""The migrations go up, down and up again, and leave the schema exactly as the models say."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from subprocess import DEVNULL
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine
from taskmanager.core.embedded_db import to_libpq_url, with_database
from taskmanager.core.migrate import MIGRATION_LOCK_KEY, downgrade, upgrade
from taskmanager.models import Base

from tests.conftest import execute_statements

pytestmark = pytest.mark.task("4.8.2", level="core")


@pytest.fixture
async def empty_database(postgres_url: str) -> AsyncIterator[str]:
    name = "taskmanager_migrations_round_trip"
    await execute_statements(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await execute_statements(postgres_url, f'CREATE DATABASE "{name}"')
    yield with_database(postgres_url, name)
    await execute_statements(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# SQLAlchemy reflects this index's expression without its COLLATE "C" (`lower(title::text)`),
# so it never compares equal to the model's; `test_the_title_index_sorts_by_code_point` checks it.
UNCOMPARABLE_INDEXES = {"ix_tasks_owner_title"}


def _compared(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "index" and name in UNCOMPARABLE_INDEXES)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": _compared,
        },
    )
    return list(compare_metadata(context, Base.metadata))


def _schema(connection: Connection) -> tuple[set[str], set[str]]:
    inspector = inspect(connection)
    tables = set(inspector.get_table_names()) - {"alembic_version"}
    enums = {enum["name"] for enum in inspector.get_enums()}  # type: ignore[attr-defined]
    return tables, enums


async def _inspect(url: str) -> tuple[list[Any], tuple[set[str], set[str]]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
            schema = await connection.run_sync(_schema)
    finally:
        await engine.dispose()
    return differences, schema


async def test_upgrade_downgrade_upgrade_round_trip_without_drift(empty_database: str) -> None:
    await asyncio.to_thread(upgrade, empty_database)
    differences, (tables, _) = await _inspect(empty_database)
    assert not differences, "\n".join(map(str, differences))
    assert {"users", "login_sessions", "login_failures"} <= tables

    await asyncio.to_thread(downgrade, empty_database, "base")
    _, (tables_after_downgrade, enums_after_downgrade) = await _inspect(empty_database)
    assert tables_after_downgrade == set()
    assert enums_after_downgrade == set()

    await asyncio.to_thread(upgrade, empty_database)
    differences, (tables_again, _) = await _inspect(empty_database)
    assert not differences, "\n".join(map(str, differences))
    assert tables_again == tables


async def test_the_title_index_sorts_by_code_point(empty_database: str) -> None:
    await asyncio.to_thread(upgrade, empty_database)
    connection = await asyncpg.connect(to_libpq_url(empty_database))
    try:
        definition = await connection.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_tasks_owner_title'"
        )
    finally:
        await connection.close()

    assert definition.endswith('(owner_id, lower((title)::text) COLLATE "C", id)')


async def waiting_for_advisory_locks(connection: asyncpg.Connection) -> int:
    count: int = await connection.fetchval(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    )
    return count


async def test_replicas_migrating_at_once_take_turns(empty_database: str) -> None:
    """Several app replicas run `taskmanager migrate` (or `serve`) at the same moment: each
    waits for the migration lock, so they run one after another and all succeed."""
    holder = await asyncpg.connect(to_libpq_url(empty_database))
    await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    env = {**os.environ, "DATABASE_URL": empty_database, "ENVIRONMENT": "test"}
    replicas = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "taskmanager", "migrate", env=env, stdout=DEVNULL, stderr=DEVNULL
        )
        for _ in range(3)
    ]
    try:
        deadline = time.monotonic() + 60
        while await waiting_for_advisory_locks(holder) < 3:  # all three queued behind us
            assert time.monotonic() < deadline, "the replicas never waited for the lock"
            await asyncio.sleep(0.1)
    finally:
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        await holder.close()

    exit_codes = await asyncio.gather(*(replica.wait() for replica in replicas))

    assert exit_codes == [0, 0, 0]
    differences, (tables, _) = await _inspect(empty_database)
    assert not differences, "\n".join(map(str, differences))
    assert {"users", "login_sessions", "login_failures"} <= tables
