"""Pytest fixtures for a real PostgreSQL: one server per test run, a fresh database per test.

``postgres_server`` is ``TEST_DATABASE_URL`` when set (a role allowed to create databases),
otherwise an embedded PostgreSQL started once in a temporary folder and stopped at the end.
``postgres_database`` gives each test its own database, created from a template in a few
milliseconds and dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import pytest

from course_support.postgres import (
    embedded_postgres,
    to_asyncpg_dsn,
    to_sqlalchemy_url,
    with_database,
)

T = TypeVar("T")
TemplateSetup = Callable[["PostgresDatabase"], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class PostgresDatabase:
    """One database on the test server."""

    name: str
    url: str
    """libpq form, for asyncpg.connect() and psql."""

    @property
    def sqlalchemy_url(self) -> str:
        """``postgresql+asyncpg://`` form, for SQLAlchemy's create_async_engine()."""
        return to_sqlalchemy_url(self.url)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous fixture code, even inside a running loop."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class PostgresServer:
    """Creates and drops databases on one server; the admin URL must allow CREATE DATABASE."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = to_asyncpg_dsn(admin_url)
        self._names = (f"test_{os.getpid()}_{number}" for number in itertools.count())
        self._templates: dict[str, str] = {}
        self._lock = threading.Lock()

    async def _execute(self, *statements: str) -> None:
        connection = await asyncpg.connect(self.admin_url)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def create_database(self, template: str | None = None) -> PostgresDatabase:
        """A new database, empty or copied from ``template``."""
        name = next(self._names)
        source = f" TEMPLATE {_quote(template)}" if template else " TEMPLATE template0"
        _run(self._execute(f"CREATE DATABASE {_quote(name)}{source}"))
        return PostgresDatabase(name=name, url=with_database(self.admin_url, name))

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection a test left open."""
        _run(self._execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)"))

    def drop_templates(self) -> None:
        """Drop every template this run prepared (a shared server must not fill up)."""
        with self._lock:
            for name in self._templates.values():
                self.drop_database(name)
            self._templates.clear()

    @contextlib.contextmanager
    def database(self, template: str | None = None) -> Iterator[PostgresDatabase]:
        """A database for the duration of the ``with`` block."""
        database = self.create_database(template)
        try:
            yield database
        finally:
            self.drop_database(database.name)

    def template(self, key: str, setup: TemplateSetup) -> str:
        """The name of a template database prepared once per run by ``setup`` (e.g. migrations).

        Copying a prepared template is much faster than running the setup for every test.
        """
        with self._lock:
            if key not in self._templates:
                database = self.create_database()
                try:
                    _run(setup(database))
                except BaseException:
                    self.drop_database(database.name)
                    raise
                self._templates[key] = database.name
            return self._templates[key]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server of this test run (``TEST_DATABASE_URL`` or an embedded one)."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        server = PostgresServer(configured)
        try:
            yield server
        finally:
            server.drop_templates()
        return
    with embedded_postgres() as url:
        yield PostgresServer(url)


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[PostgresDatabase]:
    """A fresh, empty database for one test, dropped afterwards."""
    with postgres_server.database() as database:
        yield database
