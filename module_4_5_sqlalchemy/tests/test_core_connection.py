"""4.5.1 core: `basics/connection.py`: an async engine on asyncpg, its sessions, one query."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import String, text
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from course_support.pytest_postgres import PostgresDatabase
from module_4_5_sqlalchemy.basics import connection
from module_4_5_sqlalchemy.basics.connection import (
    create_engine,
    create_session_factory,
    server_version,
)

pytestmark = pytest.mark.task("4.5.1", level="core")


class NoteBase(DeclarativeBase):
    pass


class Note(NoteBase):
    """A table of this test module only."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


@pytest.fixture
async def engine(postgres_database: PostgresDatabase) -> AsyncIterator[AsyncEngine]:
    # libpq's form (postgresql://...?host=/socket/dir): create_engine must accept it.
    engine = create_engine(postgres_database.url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "url", ["postgresql://app:secret@127.0.0.1:5432/tracker", "postgresql+asyncpg://app@db/tracker"]
)
async def test_the_engine_is_asynchronous_on_asyncpg(url: str) -> None:
    engine = create_engine(url)  # no connection is made yet

    assert isinstance(engine, AsyncEngine)
    assert engine.url.drivername == "postgresql+asyncpg"
    assert engine.dialect.driver == "asyncpg"
    await engine.dispose()


async def test_server_version_asks_postgresql(engine: AsyncEngine) -> None:
    version = await server_version(create_session_factory(engine))

    assert version.startswith("PostgreSQL ")


async def test_the_sessions_are_async_sessions_on_that_engine(
    engine: AsyncEngine, postgres_database: PostgresDatabase
) -> None:
    sessions = create_session_factory(engine)

    async with sessions() as session:
        assert isinstance(session, AsyncSession)
        assert await session.scalar(text("select current_database()")) == postgres_database.name


async def test_objects_stay_readable_after_commit(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(NoteBase.metadata.create_all)
    sessions = create_session_factory(engine)

    async with sessions() as session:
        note = Note(text="hello")
        session.add(note)
        await session.commit()
        try:
            # With expire_on_commit=True this attribute would need a lazy load: MissingGreenlet.
            assert (note.id, note.text) == (1, "hello")
        except MissingGreenlet:
            pytest.fail("the session expired the object on commit (expire_on_commit=True)")


async def test_an_unreachable_server_is_an_error_not_a_hang() -> None:
    engine = create_engine("postgresql://app@127.0.0.1:9/tracker")  # the discard port: closed
    try:
        with pytest.raises(ConnectionRefusedError):
            await server_version(create_session_factory(engine))
    finally:
        await engine.dispose()


def test_the_command_prints_the_server_version(
    postgres_database: PostgresDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_database.url)

    assert connection.main([]) == 0

    assert capsys.readouterr().out.startswith("PostgreSQL ")
