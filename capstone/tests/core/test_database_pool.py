"""The connection pool under contention: a request waiting for a connection keeps its place."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from taskmanager.core import database
from taskmanager.core.database import create_engine

from tests.conftest import execute_statements, make_settings

pytestmark = pytest.mark.task("4.8.2", level="core")


async def take_turn(engine: AsyncEngine, name: str, served: list[str]) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        served.append(name)


async def test_a_returned_connection_goes_to_the_request_waiting_longest(
    database_url: str,
) -> None:
    settings = make_settings(database_url, db_pool_size=1, db_max_overflow=0)
    engine = create_engine(settings, database_url)
    served: list[str] = []
    try:
        holder = await engine.connect()  # the only connection
        await holder.execute(text("SELECT 1"))
        waiter = asyncio.create_task(take_turn(engine, "waiter", served))
        for _ in range(20):  # let the waiter reach the pool (no I/O on its way there)
            await asyncio.sleep(0)
        await holder.close()

        # The returner asks again at once: the stock asyncio pool would hand the connection
        # straight back to it, and a waiter under steady load could wait until it timed out.
        await take_turn(engine, "returner", served)
        await waiter
    finally:
        await engine.dispose()

    assert served == ["waiter", "returner"]


async def test_a_connection_left_idle_and_broken_meanwhile_is_replaced_before_use(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(make_settings(database_url, db_pool_size=1), database_url)
    try:
        async with engine.connect() as connection:
            backend = await connection.scalar(text("SELECT pg_backend_pid()"))
        # PostgreSQL ends that session while it sits in the pool (as a restart would).
        await execute_statements(database_url, f"SELECT pg_terminate_backend({backend})")
        # Every returned connection now counts as idle long enough to be pinged first.
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)

        async with engine.connect() as connection:
            replacement = await connection.scalar(text("SELECT pg_backend_pid()"))
    finally:
        await engine.dispose()

    assert replacement != backend
