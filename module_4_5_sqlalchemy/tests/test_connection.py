"""4.5.1: an async engine built from settings, sessions, a unit of work, disposal on exit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from course_support.pytest_postgres import PostgresDatabase
from module_4_5_sqlalchemy.database import Database, create_engine, open_database
from module_4_5_sqlalchemy.models import User
from module_4_5_sqlalchemy.settings import DatabaseSettings

pytestmark = pytest.mark.task("4.5.1", level="extra")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:secret@db.example.com:5432/tracker")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "12")
    monkeypatch.setenv("DATABASE_COMMAND_TIMEOUT", "2.5")

    settings = DatabaseSettings()

    assert settings.url == "postgresql+asyncpg://app:secret@db.example.com:5432/tracker"
    assert (settings.pool_size, settings.command_timeout) == (12, 2.5)
    assert "secret" not in repr(settings)


def test_without_database_url_the_url_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    settings = DatabaseSettings()

    assert settings.url is None
    with pytest.raises(ValueError, match="DATABASE_URL is not set"):
        create_engine(settings)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite+aiosqlite:///tracker.db", "expected a PostgreSQL URL"),
        ("postgresql+psycopg2://localhost/tracker", "expected a PostgreSQL URL"),
        ("not a url", "not a PostgreSQL URL"),
    ],
)
def test_a_url_that_is_not_postgresql_for_asyncpg_is_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DatabaseSettings(url=url)


@pytest.mark.parametrize("setting", [{"pool_size": 0}, {"max_overflow": -1}, {"pool_timeout": 0}])
def test_pool_settings_must_be_positive(setting: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="greater than"):
        DatabaseSettings.model_validate(setting)


def test_engine_pool_follows_the_settings() -> None:
    settings = DatabaseSettings(url="postgresql://localhost/db", pool_size=3, pool_timeout=1.5)

    engine = create_engine(settings)

    assert engine.url.drivername == "postgresql+asyncpg"
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    assert engine.pool.timeout() == 1.5  # type: ignore[attr-defined]


async def test_unit_of_work_commits_when_the_block_succeeds(database: Database) -> None:
    async with database.unit_of_work() as session:
        session.add(User(email="ada@example.com", name="Ada"))

    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_unit_of_work_rolls_back_and_reraises_when_the_block_fails(
    database: Database,
) -> None:
    async def add_a_user_then_fail() -> None:
        async with database.unit_of_work() as session:
            session.add(User(email="ada@example.com", name="Ada"))
            await session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await add_a_user_then_fail()

    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_objects_stay_readable_after_commit(database: Database) -> None:
    async with database.unit_of_work() as session:
        user = User(email="ada@example.com", name="Ada")
        session.add(user)

    # expire_on_commit=False: no lazy refresh (which AsyncSession cannot do) is needed here.
    assert (user.email, user.id) == ("ada@example.com", user.id)


async def test_engine_is_disposed_when_the_database_is_closed(
    migrated_database: PostgresDatabase,
) -> None:
    settings = DatabaseSettings(url=migrated_database.sqlalchemy_url)
    async with open_database(settings) as database:
        async with database.engine.connect() as connection:
            assert await connection.scalar(text("select 1")) == 1
        assert database.engine.pool.checkedin() == 1  # type: ignore[attr-defined]

    assert database.engine.pool.checkedin() == 0  # type: ignore[attr-defined]


async def test_a_statement_longer_than_the_command_timeout_is_cancelled(
    migrated_database: PostgresDatabase,
) -> None:
    settings = DatabaseSettings(url=migrated_database.sqlalchemy_url, command_timeout=0.2)
    async with open_database(settings) as database, database.engine.connect() as connection:
        with pytest.raises(TimeoutError):
            await connection.execute(text("select pg_sleep(5)"))
