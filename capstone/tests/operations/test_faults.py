"""Faults: a database outage and a full pool are quick 503s, and the service recovers alone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from taskmanager.core.embedded_db import EmbeddedServer, start_server, to_asyncpg_url
from taskmanager.core.migrate import upgrade
from taskmanager.main import create_app

from tests.conftest import PASSWORD, ApiUser, http_client, log_in, make_settings

pytestmark = pytest.mark.task("4.8.2", level="core")
RECOVERY_DEADLINE_SECONDS = 30


def assert_unavailable(response: httpx.Response, elapsed: float) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert elapsed < 5  # never a hang


async def timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await request
    return response, time.perf_counter() - started


@pytest.fixture
async def small_pool_client(database_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = make_settings(
        database_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout_seconds=0.5
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), http_client(app) as client:
        yield app, client


async def test_an_exhausted_pool_is_a_fast_503_then_recovers(
    small_pool_client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = small_pool_client
    registered = await client.post(
        "/api/v1/auth/register", json={"email": "pool@example.com", "password": PASSWORD}
    )
    token = (await log_in(client, "pool@example.com", PASSWORD)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    async with app.state.database.engine.connect() as held:  # the only connection
        await held.execute(text("SELECT 1"))
        response, elapsed = await timed(client.get("/api/v1/users/me", headers=headers))
        assert_unavailable(response, elapsed)
        assert response.json()["code"] == "database_busy"
        assert elapsed < 2

    after = await client.get("/api/v1/users/me", headers=headers)
    assert registered.status_code == 201
    assert after.status_code == 200


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[Path, EmbeddedServer]]:
    """A PostgreSQL of this test alone, so stopping it disturbs no other test."""
    data_dir = tmp_path / "pgdata"
    server = start_server(data_dir)
    try:
        yield data_dir, server
    finally:
        start_server(data_dir).cleanup()  # whatever state the test left it in


async def wait_until_ready(client: httpx.AsyncClient) -> httpx.Response:
    deadline = time.monotonic() + RECOVERY_DEADLINE_SECONDS
    while True:
        response = await client.get("/health/ready")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


async def test_database_outage_is_503_with_retry_after_and_recovers_by_itself(
    own_server: tuple[Path, EmbeddedServer],
) -> None:
    data_dir, server = own_server
    url = to_asyncpg_url(server.get_uri())
    await asyncio.to_thread(upgrade, url)
    app = create_app(make_settings(url, db_connect_timeout_seconds=1.0))
    async with app.router.lifespan_context(app), http_client(app) as client:
        await client.post(
            "/api/v1/auth/register", json={"email": "outage@example.com", "password": PASSWORD}
        )
        token = (await log_in(client, "outage@example.com", PASSWORD)).json()["access_token"]
        user = ApiUser("", "outage@example.com", PASSWORD, token, "")
        assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 200
        assert (await client.get("/api/v1/tasks", headers=user.headers)).status_code == 200

        await asyncio.to_thread(server.cleanup)  # PostgreSQL stops

        # The list reads on the driver (`core.driver`), the profile through the ORM.
        tasks, tasks_elapsed = await timed(client.get("/api/v1/tasks", headers=user.headers))
        me, me_elapsed = await timed(client.get("/api/v1/users/me", headers=user.headers))
        register, register_elapsed = await timed(
            client.post(
                "/api/v1/auth/register", json={"email": "late@example.com", "password": PASSWORD}
            )
        )
        ready = await client.get("/health/ready")
        live = await client.get("/health/live")
        assert_unavailable(tasks, tasks_elapsed)
        assert tasks.json()["code"] == "database_unavailable"
        assert_unavailable(me, me_elapsed)
        assert me.json()["code"] == "database_unavailable"
        assert_unavailable(register, register_elapsed)
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        assert live.status_code == 200

        await asyncio.to_thread(start_server, data_dir)  # PostgreSQL returns

        assert (await wait_until_ready(client)).status_code == 200
        again = await client.get("/api/v1/users/me", headers=user.headers)
        assert again.status_code == 200
        listed = [await client.get("/api/v1/tasks", headers=user.headers) for _ in range(3)]
        assert [response.status_code for response in listed] == [200, 200, 200]
        assert again.json()["email"] == "outage@example.com"
