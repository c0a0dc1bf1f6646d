"""Alembic, configured in code: no ``alembic.ini``, works from any directory.

As a command: ``python -m module_4_5_sqlalchemy.migrate upgrade`` (``downgrade REV``, ``current``,
``heads``, ``history``, ``check``), with the database taken from ``DATABASE_URL``;
``upgrade --sql`` prints the DDL for review without a database.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from module_4_5_sqlalchemy.database import DATABASE_UNAVAILABLE
from module_4_5_sqlalchemy.models import Base
from module_4_5_sqlalchemy.settings import database_label, settings_for_command

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration, pointing at the migrations shipped inside this package.

    ``url`` is only needed when Alembic opens its own connection (``--sql`` output, or a call
    to ``alembic.command`` outside this module); the functions below lend it one instead.
    """
    config = Config(stdout=sys.stdout)
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser syntax
    return config


def heads() -> list[str]:
    """The head revisions of the migration graph (a healthy history has exactly one)."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


async def _on_connection(engine: AsyncEngine, action: Callable[[Config], None]) -> None:
    """Run an Alembic command on one of ``engine``'s connections, in one transaction.

    Alembic is synchronous; ``run_sync`` hands it the connection inside the event loop, and
    env.py uses it from ``config.attributes`` instead of starting a loop of its own.
    """

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    await _on_connection(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Revert migrations down to ``revision`` (``base`` reverts them all)."""
    await _on_connection(engine, lambda config: command.downgrade(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, ``None`` for an unmigrated database."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def schema_drift(engine: AsyncEngine) -> list[Any]:
    """Differences between the models and the migrated schema (what ``alembic check`` reports).

    Empty when the migrations create exactly what the models describe.
    """

    # region 4.5.2 extra: compare_metadata on a run_sync connection
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)
    # endregion 4.5.2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_5_sqlalchemy.migrate",
        description="Migrate the task-tracker database named by DATABASE_URL.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade", help="apply migrations (default: up to head)")
    up.add_argument("revision", nargs="?", default="head")
    up.add_argument(
        "--sql", action="store_true", help="print the SQL instead of running it (no database)"
    )
    down = commands.add_parser("downgrade", help="revert migrations down to REVISION")
    down.add_argument("revision", help="a revision id, -1 for one step, or base for all")
    commands.add_parser("current", help="print the revision the database is at")
    commands.add_parser("check", help="exit 1 if the models and the database schema differ")
    commands.add_parser("heads", help="print the head revision(s); needs no database")
    commands.add_parser("history", help="list the migrations; needs no database")
    return parser


async def _run_on_database(arguments: argparse.Namespace, url: str) -> int:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        if arguments.command == "upgrade":
            await upgrade(engine, arguments.revision)
        elif arguments.command == "downgrade":
            await downgrade(engine, arguments.revision)
        elif arguments.command == "current":
            sys.stdout.write(f"{await current_revision(engine) or '(none: not migrated)'}\n")
        else:
            differences = await schema_drift(engine)
            for difference in differences:
                sys.stdout.write(f"{difference}\n")
            sys.stdout.write(f"{len(differences)} difference(s) between models and schema\n")
            return 1 if differences else 0
    finally:
        await engine.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "heads":
        sys.stdout.write("\n".join(heads()) + "\n")
        return 0
    if arguments.command == "history":
        command.history(alembic_config())
        return 0
    if arguments.command == "upgrade" and arguments.sql:
        command.upgrade(alembic_config("postgresql+asyncpg://"), arguments.revision, sql=True)
        return 0
    settings = settings_for_command()
    if settings.url is None:
        sys.stderr.write("error: set DATABASE_URL to the database to migrate\n")
        return 2
    try:
        return asyncio.run(_run_on_database(arguments, settings.url))
    except CommandError as error:  # e.g. an unknown revision
        sys.stderr.write(f"error: {error}\n")
    except DATABASE_UNAVAILABLE as error:
        sys.stderr.write(f"error: cannot use {database_label(settings)}: {error}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
