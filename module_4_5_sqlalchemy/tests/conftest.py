"""Each test gets its own database, copied in milliseconds from one migrated once per run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from course_support.pytest_postgres import PostgresDatabase, PostgresServer
from module_4_5_sqlalchemy.basics import models as basics_models
from module_4_5_sqlalchemy.database import Database, open_database
from module_4_5_sqlalchemy.migrate import upgrade
from module_4_5_sqlalchemy.settings import DatabaseSettings


async def _migrate_to_head(database: PostgresDatabase) -> None:
    engine = create_async_engine(database.sqlalchemy_url, poolclass=NullPool)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(postgres_server: PostgresServer) -> str:
    return postgres_server.template("module_4_5_sqlalchemy:head", _migrate_to_head)


@pytest.fixture
def migrated_database(
    postgres_server: PostgresServer, migrated_template: str
) -> Iterator[PostgresDatabase]:
    """A database of this test alone, with the schema at the head revision."""
    with postgres_server.database(template=migrated_template) as database:
        yield database


@pytest.fixture
async def database(migrated_database: PostgresDatabase) -> AsyncIterator[Database]:
    async with open_database(DatabaseSettings(url=migrated_database.sqlalchemy_url)) as database:
        yield database


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    async with database.sessions() as session:
        yield session


# The core exercise (module_4_5_sqlalchemy.basics): its tables come from the models, so that the
# CRUD and query tasks do not depend on the learner's migration (4.5.2 has its own tests).
async def _create_basics_tables(database: PostgresDatabase) -> None:
    engine = create_async_engine(database.sqlalchemy_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(basics_models.Base.metadata.create_all)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def basics_template(postgres_server: PostgresServer) -> str:
    return postgres_server.template("module_4_5_sqlalchemy.basics:models", _create_basics_tables)


@pytest.fixture
async def basics_session(
    postgres_server: PostgresServer, basics_template: str
) -> AsyncIterator[AsyncSession]:
    """A session on a database of this test alone holding the core exercise's empty tables."""
    with postgres_server.database(template=basics_template) as database:
        engine = create_async_engine(database.sqlalchemy_url, poolclass=NullPool)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                yield session
        finally:
            await engine.dispose()
