"""The service waits for a database that is still starting, as a container beside it must."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_7_docker.notes_service.database import create_pool
from module_4_7_docker.notes_service.settings import DatabaseSettings

pytestmark = pytest.mark.support  # the service is scaffolding: it ships in both editions

Opener = Callable[[], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_opener(url: str) -> Opener:
    """How to open a connection to the PostgreSQL ``url`` names (Unix socket or TCP)."""
    parts = urlsplit(url)
    socket_folder = parse_qs(parts.query).get("host", [""])[0]
    port = parts.port or 5432
    if socket_folder.startswith("/"):
        return lambda: asyncio.open_unix_connection(f"{socket_folder}/.s.PGSQL.{port}")
    return lambda: asyncio.open_connection(parts.hostname or "127.0.0.1", port)


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def forwarder(port: int, open_server: Opener) -> AsyncIterator[None]:
    """A TCP port on 127.0.0.1 that forwards every connection to the real server."""

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await open_server()
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    server = await asyncio.start_server(forward, "127.0.0.1", port)
    async with server:
        yield


class RetryWatcher(logging.Handler):
    """Sets ``retried`` when the service logs that it is retrying its first connection."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.retried = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying" in record.getMessage():
            self.retried.set()


def settings_on(port: int, database: PostgresDatabase, startup_timeout: float) -> DatabaseSettings:
    parts = urlsplit(database.url)
    credentials = parts.netloc.rpartition("@")[0]
    url = urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{port}", query=""))
    return DatabaseSettings(url=url, startup_timeout=startup_timeout)


async def test_the_pool_opens_once_a_database_that_was_not_up_starts_listening(
    postgres_database: PostgresDatabase,
) -> None:
    port = free_port()
    settings = settings_on(port, postgres_database, startup_timeout=30)
    logger = logging.getLogger("module_4_7_docker.notes_service.database")
    watcher = RetryWatcher()
    logger.addHandler(watcher)
    logger.setLevel(logging.INFO)
    try:
        opening = asyncio.create_task(create_pool(settings))
        # The first attempt is refused: nothing listens on the port yet.
        await asyncio.wait_for(watcher.retried.wait(), timeout=30)
    finally:
        logger.removeHandler(watcher)
        logger.setLevel(logging.NOTSET)
    async with forwarder(port, server_opener(postgres_database.url)):
        pool = await asyncio.wait_for(opening, timeout=30)
        try:
            assert await pool.fetchval("SELECT count(*) FROM notes") == 0
        finally:
            await pool.close()


async def test_the_pool_gives_up_with_the_connection_error_after_the_startup_timeout(
    postgres_database: PostgresDatabase,
) -> None:
    settings = settings_on(free_port(), postgres_database, startup_timeout=0.6)

    with pytest.raises(ConnectionRefusedError):
        await create_pool(settings)
