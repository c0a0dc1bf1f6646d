"""The shared PostgreSQL fixture: a real server, one isolated database per test."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import asyncpg
import psutil
import pytest

from course_support.postgres import to_asyncpg_dsn, to_sqlalchemy_url, with_database
from course_support.pytest_postgres import PostgresDatabase, PostgresServer

pytestmark = pytest.mark.support

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


async def _fetch(url: str, query: str) -> object:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


async def test_the_server_is_a_real_postgresql(postgres_database: PostgresDatabase) -> None:
    version = await _fetch(postgres_database.url, "SHOW server_version_num")

    assert isinstance(version, str)
    assert int(version) >= 150000
    assert await _fetch(postgres_database.url, "SELECT current_database()") == (
        postgres_database.name
    )


@pytest.mark.parametrize("run", ["first", "second"])
async def test_each_test_gets_its_own_empty_database(
    postgres_database: PostgresDatabase, run: str
) -> None:
    # Both runs create the same table: if they shared a database the second would fail.
    connection = await asyncpg.connect(postgres_database.url)
    try:
        await connection.execute("CREATE TABLE isolation_probe (run text NOT NULL)")
        await connection.execute("INSERT INTO isolation_probe VALUES ($1)", run)
        assert await connection.fetchval("SELECT count(*) FROM isolation_probe") == 1
    finally:
        await connection.close()


def test_a_database_is_dropped_after_its_block(postgres_server: PostgresServer) -> None:
    with postgres_server.database() as database:
        name = database.name
    exists = asyncio.run(
        _fetch(
            postgres_server.admin_url, f"SELECT count(*) FROM pg_database WHERE datname = '{name}'"
        )
    )
    assert exists == 0


def test_a_template_is_prepared_once_and_copied(postgres_server: PostgresServer) -> None:
    calls: list[str] = []

    async def create_schema(database: PostgresDatabase) -> None:
        calls.append(database.name)
        connection = await asyncpg.connect(database.url)
        try:
            await connection.execute(
                "CREATE TABLE seeded (value int); INSERT INTO seeded VALUES (7)"
            )
        finally:
            await connection.close()

    template = postgres_server.template("seeded-schema", create_schema)
    assert postgres_server.template("seeded-schema", create_schema) == template

    with postgres_server.database(template=template) as first:
        asyncio.run(_fetch(first.url, "UPDATE seeded SET value = 8"))
        assert asyncio.run(_fetch(first.url, "SELECT value FROM seeded")) == 8
    with postgres_server.database(template=template) as second:
        assert asyncio.run(_fetch(second.url, "SELECT value FROM seeded")) == 7
    assert len(calls) == 1


def test_a_failing_template_setup_leaves_no_database(postgres_server: PostgresServer) -> None:
    async def broken(database: PostgresDatabase) -> None:
        raise RuntimeError("migration failed")

    before = asyncio.run(_fetch(postgres_server.admin_url, "SELECT count(*) FROM pg_database"))
    with pytest.raises(RuntimeError, match="migration failed"):
        postgres_server.template("broken", broken)
    after = asyncio.run(_fetch(postgres_server.admin_url, "SELECT count(*) FROM pg_database"))
    assert after == before


def test_test_database_url_is_honoured(
    postgres_server: PostgresServer, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A marker table in the admin database proves the inner run used *this* server rather than
    # starting an embedded one of its own.
    asyncio.run(_fetch(postgres_server.admin_url, "CREATE TABLE IF NOT EXISTS honoured (x int)"))
    monkeypatch.setenv("TEST_DATABASE_URL", to_sqlalchemy_url(postgres_server.admin_url))
    monkeypatch.setenv("PYTHONPATH", str(REPOSITORY_ROOT))
    pytester.makepyfile(
        textwrap.dedent(
            """
            import asyncio, os
            import asyncpg

            async def tables(url):
                connection = await asyncpg.connect(url)
                try:
                    return await connection.fetchval(
                        "SELECT count(*) FROM pg_tables WHERE tablename = 'honoured'"
                    )
                finally:
                    await connection.close()

            def test_uses_the_configured_server(postgres_server, postgres_database):
                assert postgres_server.admin_url == os.environ["TEST_DATABASE_URL"].replace(
                    "postgresql+asyncpg", "postgresql"
                )
                assert asyncio.run(tables(postgres_server.admin_url)) == 1
                assert postgres_database.url.startswith("postgresql://")
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "course_support.pytest_postgres", "-q")
    result.assert_outcomes(passed=1)
    asyncio.run(_fetch(postgres_server.admin_url, "DROP TABLE honoured"))


@pytest.mark.parametrize(
    ("url", "asyncpg_form", "sqlalchemy_form"),
    [
        (
            "postgresql+asyncpg://app:secret@db:5432/tasks",
            "postgresql://app:secret@db:5432/tasks",
            "postgresql+asyncpg://app:secret@db:5432/tasks",
        ),
        (
            "postgresql://postgres:@/postgres?host=/tmp/sock",
            "postgresql://postgres:@/postgres?host=/tmp/sock",
            "postgresql+asyncpg://postgres:@/postgres?host=/tmp/sock",
        ),
        (
            "postgres://u@h/d",
            "postgresql://u@h/d",
            "postgresql+asyncpg://u@h/d",
        ),
    ],
    ids=["sqlalchemy-tcp", "libpq-socket", "short-scheme"],
)
def test_url_forms_convert_both_ways(url: str, asyncpg_form: str, sqlalchemy_form: str) -> None:
    assert to_asyncpg_dsn(url) == asyncpg_form
    assert to_sqlalchemy_url(url) == sqlalchemy_form


def test_a_non_postgresql_url_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        to_asyncpg_dsn("mysql://root@localhost/db")


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg2://u@h/d", "postgresql+psycopg://u@h/d", "sqlite+aiosqlite:///x"]
)
def test_only_asyncpg_refuses_another_driver(url: str) -> None:
    assert to_sqlalchemy_url("postgresql+psycopg2://u@h/d") == "postgresql+asyncpg://u@h/d"
    with pytest.raises(ValueError, match="expected a PostgreSQL URL for asyncpg"):
        to_sqlalchemy_url(url, only_asyncpg=True)


@pytest.mark.parametrize("url", ["postgresql://u@h/d", "postgresql+asyncpg://u@h/d"])
def test_only_asyncpg_accepts_asyncpg_or_no_driver(url: str) -> None:
    assert to_sqlalchemy_url(url, only_asyncpg=True) == "postgresql+asyncpg://u@h/d"


def test_with_database_keeps_server_and_query() -> None:
    assert with_database("postgresql://p:@/postgres?host=/s", "test_1") == (
        "postgresql://p:@/postgres?host=/s".replace("/postgres?", "/test_1?")
    )


def test_the_embedded_server_is_stopped_and_removed_at_the_end(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(REPOSITORY_ROOT))
    pytester.makepyfile(
        textwrap.dedent(
            """
            import asyncio
            import asyncpg

            async def data_directory(url):
                connection = await asyncpg.connect(url)
                try:
                    return await connection.fetchval("SHOW data_directory")
                finally:
                    await connection.close()

            def test_start(postgres_server):
                print("DATA_DIRECTORY=" + asyncio.run(data_directory(postgres_server.admin_url)))
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "course_support.pytest_postgres", "-q", "-s")
    result.assert_outcomes(passed=1)
    line = next(line for line in result.outlines if line.startswith("DATA_DIRECTORY="))
    data_directory = line.removeprefix("DATA_DIRECTORY=")

    assert not Path(data_directory).exists()
    assert not [
        process
        for process in psutil.process_iter(["cmdline"])
        if data_directory in " ".join(process.info["cmdline"] or [])
    ]
