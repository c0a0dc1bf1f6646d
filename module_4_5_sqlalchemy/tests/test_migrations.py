"""4.5.2: the Alembic migrations go up and down cleanly, form one line, and match the models."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from course_support.pytest_postgres import PostgresDatabase
from module_4_5_sqlalchemy import migrate
from module_4_5_sqlalchemy.migrate import current_revision, downgrade, heads, schema_drift, upgrade

pytestmark = pytest.mark.task("4.5.2", level="extra")


async def _engine(database: PostgresDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database.sqlalchemy_url, poolclass=NullPool)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_engine(postgres_database: PostgresDatabase) -> AsyncIterator[AsyncEngine]:
    async for engine in _engine(postgres_database):
        yield engine


@pytest.fixture
async def migrated_engine(migrated_database: PostgresDatabase) -> AsyncIterator[AsyncEngine]:
    async for engine in _engine(migrated_database):
        yield engine


async def _schema(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    """The tables and enum types in the public schema."""
    async with engine.connect() as connection:
        tables = await connection.scalars(
            text("select tablename from pg_tables where schemaname = 'public'")
        )
        types = await connection.scalars(
            text(
                "select typname from pg_type join pg_namespace n on n.oid = typnamespace "
                "where nspname = 'public' and typtype = 'e'"
            )
        )
        return set(tables), set(types)


def test_the_migrations_have_a_single_head() -> None:
    assert heads() == ["0002_tags"]


async def test_upgrade_downgrade_upgrade_round_trip(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == "0002_tags"
    after_upgrade = await _schema(empty_engine)
    assert after_upgrade == (
        {"alembic_version", "users", "projects", "tasks", "tags", "task_tags"},
        {"task_status", "task_priority"},
    )

    await downgrade(empty_engine, "base")
    assert await current_revision(empty_engine) is None
    # Nothing left behind: not even the enum types, which drop_table alone would leave.
    assert await _schema(empty_engine) == ({"alembic_version"}, set())

    await upgrade(empty_engine)
    assert await _schema(empty_engine) == after_upgrade
    assert await schema_drift(empty_engine) == []


async def test_one_step_down_removes_only_the_tags(migrated_engine: AsyncEngine) -> None:
    await downgrade(migrated_engine, "-1")

    assert await current_revision(migrated_engine) == "0001_users_projects_tasks"
    tables, _ = await _schema(migrated_engine)
    assert tables == {"alembic_version", "users", "projects", "tasks"}


async def test_models_match_the_migrated_schema(migrated_engine: AsyncEngine) -> None:
    assert await schema_drift(migrated_engine) == []


async def test_drift_is_reported_when_the_schema_differs_from_the_models(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.begin() as connection:
        await connection.execute(text("drop index ix_tasks_completed_at"))
        await connection.execute(text("alter table projects add column colour text"))

    differences = await schema_drift(migrated_engine)

    kinds = sorted(difference[0] for difference in differences)
    assert kinds == ["add_index", "remove_column"]


async def test_cli_upgrades_checks_and_downgrades(
    postgres_database: PostgresDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_database.url)

    assert await _in_thread(["current"]) == 0
    assert "not migrated" in capsys.readouterr().out
    assert await _in_thread(["upgrade"]) == 0
    assert await _in_thread(["check"]) == 0
    assert "0 difference(s)" in capsys.readouterr().out
    assert await _in_thread(["current"]) == 0
    assert capsys.readouterr().out.strip() == "0002_tags"
    assert await _in_thread(["downgrade", "base"]) == 0
    assert await _in_thread(["check"]) == 1
    assert "difference(s) between models and schema" in capsys.readouterr().out


async def _in_thread(argv: list[str]) -> int:
    # main() runs its own event loop, which cannot start inside this test's loop.
    return await asyncio.to_thread(migrate.main, argv)


def test_cli_needs_a_database_url_except_for_heads_and_history(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert migrate.main(["upgrade"]) == 2
    assert "set DATABASE_URL" in capsys.readouterr().err
    assert migrate.main(["heads"]) == 0
    assert capsys.readouterr().out.strip() == "0002_tags"
    assert migrate.main(["history"]) == 0
    assert "0001_users_projects_tasks -> 0002_tags" in capsys.readouterr().out


async def test_migrations_run_from_any_directory(
    postgres_database: PostgresDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini here, nor a migrations folder
    monkeypatch.setenv("DATABASE_URL", postgres_database.url)

    assert await _in_thread(["upgrade", "head"]) == 0
    assert await _in_thread(["check"]) == 0


def test_upgrade_sql_prints_the_ddl_for_review_without_a_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert migrate.main(["upgrade", "--sql"]) == 0

    ddl = capsys.readouterr().out
    assert "CREATE TYPE task_status AS ENUM ('todo', 'in_progress', 'done', 'cancelled')" in ddl
    assert "CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))" in ddl
    assert "UPDATE alembic_version SET version_num='0002_tags'" in ddl


async def test_plain_alembic_commands_work_with_a_configured_url(
    postgres_database: PostgresDatabase,
) -> None:
    config = migrate.alembic_config(postgres_database.sqlalchemy_url)

    # env.py then opens its own engine and event loop, so run it outside this test's loop.
    await asyncio.to_thread(command.upgrade, config, "head")

    async for engine in _engine(postgres_database):
        assert await current_revision(engine) == "0002_tags"


async def test_cli_reports_an_unknown_revision_without_a_traceback(
    migrated_database: PostgresDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_database.url)

    assert await _in_thread(["downgrade", "no_such_revision"]) == 1

    assert "error: " in capsys.readouterr().err


def test_every_migration_is_reviewed_and_reversible() -> None:
    scripts = sorted((migrate.MIGRATIONS / "versions").glob("0*.py"))

    assert [script.name for script in scripts] == ["0001_users_projects_tasks.py", "0002_tags.py"]
    for script in scripts:
        source = script.read_text(encoding="utf-8")
        assert "auto generated by Alembic" not in source, f"{script.name}: unreviewed output"
        downgrade_body = source.split("def downgrade() -> None:", 1)[1]
        assert "op.drop_table" in downgrade_body, f"{script.name}: downgrade does nothing"
