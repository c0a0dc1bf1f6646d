"""The migrations go up, down and up again, and leave the schema exactly as the models say."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine
from taskmanager.core.embedded_db import with_database
from taskmanager.core.migrate import downgrade, upgrade
from taskmanager.models import Base

from tests.conftest import execute_statements

pytestmark = pytest.mark.task("4.8.2")


@pytest.fixture
async def empty_database(postgres_url: str) -> AsyncIterator[str]:
    name = "taskmanager_migrations_round_trip"
    await execute_statements(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await execute_statements(postgres_url, f'CREATE DATABASE "{name}"')
    yield with_database(postgres_url, name)
    await execute_statements(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Indexes the models declare are compared on every table. The tasks' and comments' keyset,
# trigram and expression indexes exist only in their migration (the models do not declare them),
# so an index found only in the database is accepted on those tables alone.
MIGRATION_ONLY_INDEX_TABLES = {"tasks", "comments"}


def _compared(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if type_ == "index" and reflected and compare_to is None:
        table = getattr(getattr(obj, "table", None), "name", None)
        return table not in MIGRATION_ONLY_INDEX_TABLES
    return True


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
