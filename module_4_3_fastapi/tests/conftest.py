"""Fixtures: the application on a fresh PostgreSQL database, an ASGI client and a real server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from course_support.pytest_postgres import PostgresDatabase, PostgresServer
from module_4_3_fastapi.app import create_app
from module_4_3_fastapi.database import create_schema
from module_4_3_fastapi.settings import Settings
from module_4_3_fastapi.tests.support import KiB, running_uvicorn

READER_TOKEN = "reader-token-0123456789"
WRITER_TOKEN = "writer-token-0123456789"
BOB_TOKEN = "bob-writer-token-0123456789"


@dataclass(frozen=True)
class Subjects:
    """Who the test tokens stand for: unique per test, so tests sharing a database never meet."""

    alice: str
    bob: str

    def tokens(self) -> list[dict[str, Any]]:
        return [
            {"token": READER_TOKEN, "subject": self.alice, "scopes": ["notes:read"]},
            {"token": WRITER_TOKEN, "subject": self.alice, "scopes": ["notes:read", "notes:write"]},
            {"token": BOB_TOKEN, "subject": self.bob, "scopes": ["notes:read", "notes:write"]},
        ]


async def _create_schema(database: PostgresDatabase) -> None:
    connection = await asyncpg.connect(database.url)
    try:
        await create_schema(connection)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def notes_template(postgres_server: PostgresServer) -> str:
    return postgres_server.template("module_4_3_fastapi-notes", _create_schema)


@pytest.fixture(scope="session")
def notes_database(
    postgres_server: PostgresServer, notes_template: str
) -> Iterator[PostgresDatabase]:
    """One database for the run: creating one takes up to a second on a busy machine, and the
    tests stay apart anyway, each with its own token subjects (notes belong to a subject)."""
    with postgres_server.database(template=notes_template) as database:
        yield database


@pytest.fixture
def subjects() -> Subjects:
    suffix = uuid.uuid4().hex[:12]
    return Subjects(alice=f"alice-{suffix}", bob=f"bob-{suffix}")


@pytest.fixture
def make_settings(
    notes_database: PostgresDatabase, tmp_path: Path, subjects: Subjects
) -> Callable[..., Settings]:
    """Settings for a test: its own database and data folder, small limits unless overridden."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": notes_database.url,
            "data_dir": tmp_path / "data",
            "max_file_bytes": 64 * KiB,
            "max_upload_bytes": 160 * KiB,
            "max_files_per_upload": 3,
            "max_body_bytes": 16 * KiB,
            "tokens": subjects.tokens(),
        }
        return Settings(**(values | overrides))

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def live_server(settings: Settings) -> AsyncIterator[str]:
    """The application behind a real uvicorn server; yields its base URL."""
    async with running_uvicorn(create_app(settings)) as base_url:
        yield base_url


@pytest.fixture
def upload_dir(settings: Settings) -> Path:
    return settings.upload_dir
