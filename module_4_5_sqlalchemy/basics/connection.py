"""4.5.1 core: an asynchronous SQLAlchemy engine for PostgreSQL (asyncpg), and its sessions.

    uv run --group section-4-5 python -m module_4_5_sqlalchemy.basics.connection

prints the server's version: from the database ``DATABASE_URL`` names, or from an embedded
PostgreSQL started for the occasion when it is not set.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from course_support.postgres import to_sqlalchemy_url


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine on the asyncpg driver.

    ``url`` may be libpq's form (``postgresql://user:password@host/db``) or SQLAlchemy's
    (``postgresql+asyncpg://...``); ``echo=True`` logs every statement.
    """
    # region 4.5.1 core: create_async_engine on a postgresql+asyncpg:// URL
    #: tip: course_support.postgres.to_sqlalchemy_url turns postgresql:// into postgresql+asyncpg://
    # pool_pre_ping: a connection the server closed meanwhile is replaced, not handed out.
    return create_async_engine(to_sqlalchemy_url(url), echo=echo, pool_pre_ping=True)
    # endregion 4.5.1


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A factory of ``AsyncSession``s on ``engine`` whose objects stay readable after commit."""
    # region 4.5.1 core: async_sessionmaker with expire_on_commit=False
    #: tip: an expired attribute would need a lazy load, which an AsyncSession cannot do
    return async_sessionmaker(engine, expire_on_commit=False)
    # endregion 4.5.1


async def server_version(sessions: async_sessionmaker[AsyncSession]) -> str:
    """Open a session, run ``SELECT version()`` and return PostgreSQL's answer."""
    # region 4.5.1 core: one session, one text() query, the scalar it returns
    async with sessions() as session:
        version = await session.scalar(text("select version()"))
    return str(version)
    # endregion 4.5.1


async def _print_version(url: str) -> None:
    engine = create_engine(url)
    try:
        sys.stdout.write(await server_version(create_session_factory(engine)) + "\n")
    finally:
        await engine.dispose()  # close the pool's connections before the loop ends


def main(argv: Sequence[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m module_4_5_sqlalchemy.basics.connection",
        description=(
            "Connect to PostgreSQL through SQLAlchemy's async engine and print the server's "
            "version. DATABASE_URL names the server; unset, an embedded PostgreSQL is started "
            "in a temporary folder."
        ),
    ).parse_args(argv)
    # The extras' helper: DATABASE_URL, or an embedded PostgreSQL in a temporary folder.
    from module_4_5_sqlalchemy.database import database_url_or_embedded  # noqa: PLC0415
    from module_4_5_sqlalchemy.settings import settings_for_command  # noqa: PLC0415

    with database_url_or_embedded(settings_for_command()) as url:
        asyncio.run(_print_version(url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
