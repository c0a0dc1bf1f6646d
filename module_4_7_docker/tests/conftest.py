"""Fixtures of the notes service's tests: the app on a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_7_docker.notes_service.app import create_app
from module_4_7_docker.notes_service.settings import DatabaseSettings


@pytest.fixture
def database_settings(postgres_database: PostgresDatabase) -> DatabaseSettings:
    return DatabaseSettings(url=postgres_database.url)


@pytest.fixture
async def client(database_settings: DatabaseSettings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app with its lifespan (pool, schema) running."""
    app = create_app(database_settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://notes.test"
        ) as client,
    ):
        yield client
