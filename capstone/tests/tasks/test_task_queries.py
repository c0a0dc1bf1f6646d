"""No N+1: a page of tasks with their tags costs the same statements whatever its size."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, create_task

pytestmark = pytest.mark.task("4.8.2", level="core")


@asynccontextmanager
async def recorded_statements(app: FastAPI) -> AsyncIterator[list[str]]:
    """Every SQL statement the application sends while the block runs.

    Through SQLAlchemy (its cursor events) and straight on the driver (asyncpg's query logger on
    each connection the pool hands out: the hot-path reads of `taskmanager.core.driver`).
    """
    engine = app.state.database.engine.sync_engine
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    def record_driver(query: Any) -> None:
        statements.append(query.query)

    def log_driver(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(record_driver)

    def stop_logging_driver(dbapi_connection: Any, *_: Any) -> None:
        if dbapi_connection is not None:
            dbapi_connection.driver_connection.remove_query_logger(record_driver)

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine.pool, "checkout", log_driver)
    event.listen(engine.pool, "checkin", stop_logging_driver)
    try:
        yield statements
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not at once
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine.pool, "checkout", log_driver)
        event.remove(engine.pool, "checkin", stop_logging_driver)


async def test_a_page_of_100_tasks_with_tags_is_one_task_statement(
    app: FastAPI, client: httpx.AsyncClient, user: ApiUser
) -> None:
    for number in range(100):
        await create_task(client, user, title=f"t{number}", tags=[f"tag{number}", "common"])

    async with recorded_statements(app) as one_task:
        small = await client.get(TASKS, params={"limit": 1}, headers=user.headers)
    async with recorded_statements(app) as hundred_tasks:
        full = await client.get(TASKS, params={"limit": 100}, headers=user.headers)

    assert len(small.json()["items"]) == 1
    assert len(full.json()["items"]) == 100
    assert all(len(task["tags"]) == 2 for task in full.json()["items"])
    assert len(hundred_tasks) == len(one_task)
    assert sum("FROM tasks" in statement for statement in hundred_tasks) == 1


async def test_stats_are_one_statement(
    app: FastAPI, client: httpx.AsyncClient, user: ApiUser
) -> None:
    await create_task(client, user)

    async with recorded_statements(app) as statements:
        response = await client.get(f"{TASKS}/stats", headers=user.headers)

    assert response.status_code == 200
    assert sum("FROM tasks" in statement for statement in statements) == 1


async def test_a_page_is_one_statement_that_also_checks_the_session(
    app: FastAPI, client: httpx.AsyncClient, user: ApiUser, other_user: ApiUser
) -> None:
    await create_task(client, user)

    async with recorded_statements(app) as page:
        listed = await client.get(TASKS, headers=user.headers)
    async with recorded_statements(app) as empty_page:
        empty = await client.get(TASKS, headers=other_user.headers)

    assert len(listed.json()["items"]) == 1
    assert empty.json()["items"] == []
    assert len(page) == 1
    assert "FROM tasks" in page[0]
    assert "login_sessions" in page[0]
    # No rows: "no tasks" or "no session"? Only the session check on its own can tell.
    assert len(empty_page) == 2
    assert "FROM tasks" not in empty_page[1]
    assert "login_sessions" in empty_page[1]
