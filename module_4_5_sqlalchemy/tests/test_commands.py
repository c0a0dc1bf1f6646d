"""The demo and the benchmark commands, run against a fresh database of their own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_5_sqlalchemy import bench_insert, demo, migrate


@pytest.mark.task("4.5.4", level="extra")
def test_demo_migrates_seeds_and_prints_every_report(
    postgres_database: PostgresDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_database.url)

    assert demo.main(["--today", "2026-11-27"]) == 0

    output = capsys.readouterr().out
    assert "Schema migrated to revision 0002_tags." in output
    assert "Seeded 5 users, 4 projects, 16 tasks." in output
    assert "Ken Thompson       0" in output  # the outer join keeps users without open tasks
    assert "2026-11-18  9          Patch the TLS configuration" in output
    assert "1     Grace Hopper       2" in output
    assert "Research        0     0            0     0          0" in output
    assert "page 2: " in output
    assert "refused: a user with the email 'ADA@example.com' already exists" in output


@pytest.mark.task("4.5.4", level="extra")
def test_demo_refuses_a_database_with_data_unless_reset(
    postgres_database: PostgresDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_database.url)
    assert demo.main([]) == 0
    capsys.readouterr()

    assert demo.main([]) == 1
    assert "run with --reset" in capsys.readouterr().err
    assert demo.main(["--reset"]) == 0


@pytest.mark.task("4.5.4", level="extra")
def test_table_aligns_columns() -> None:
    assert demo.table(["a", "long header"], [("wide cell", 1)]).splitlines() == [
        "a          long header",
        "---------  -----------",
        "wide cell  1",
    ]


@pytest.mark.task("4.5.1", level="extra")
def test_demo_starts_an_embedded_postgresql_without_database_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert demo.main(["--today", "2026-01-31"]) == 0

    output = capsys.readouterr()
    assert "starting an embedded PostgreSQL" in output.err
    assert "Users with their tasks and tags" in output.out


@pytest.mark.task("4.5.4", level="extra")
def test_benchmark_compares_orm_and_core_and_cleans_up(
    migrated_database: PostgresDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_database.url)

    assert bench_insert.main(["--rows", "50", "--repeat", "2"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Inserting 50 tasks, 2 runs of each strategy."
    assert [line.split("  ")[0] for line in lines[2:5]] == list(bench_insert.STRATEGIES)
    assert lines[-1].startswith("ORM unit of work / Core: ")
    assert _count(migrated_database, "tasks") == _count(migrated_database, "users") == 0


def _count(database: PostgresDatabase, table: str) -> int:
    async def count() -> int:
        connection = await asyncpg.connect(database.url)
        try:
            return int(await connection.fetchval(f"select count(*) from {table}"))
        finally:
            await connection.close()

    return asyncio.run(count())


@pytest.mark.task("4.5.4", level="extra")
@pytest.mark.parametrize("arguments", [["--rows", "0"], ["--repeat", "x"]])
def test_benchmark_rejects_bad_arguments(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        bench_insert.main(arguments)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


UNREACHABLE = "postgresql://tracker:s3cret@127.0.0.1:1/tracker"


@pytest.mark.task("4.5.1", level="extra")
@pytest.mark.parametrize(
    "run",
    [
        lambda: demo.main([]),
        lambda: bench_insert.main(["--rows", "1"]),
        lambda: migrate.main(["current"]),
    ],
    ids=["demo", "bench_insert", "migrate"],
)
def test_commands_report_an_unreachable_database_without_the_password(
    run: Callable[[], int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)

    assert run() == 1

    error = capsys.readouterr().err
    assert "error: cannot use postgresql+asyncpg://tracker:***@127.0.0.1:1/tracker" in error
    assert "s3cret" not in error


@pytest.mark.task("4.5.1", level="extra")
def test_commands_explain_invalid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://localhost/tracker")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "0")

    with pytest.raises(SystemExit) as exit_info:
        demo.main([])

    message = str(exit_info.value.code)
    assert message.startswith("error: DATABASE_URL: Value error, not a PostgreSQL URL")
    assert "DATABASE_POOL_SIZE: Input should be greater than 0" in message
