"""Which failures are outages (503) and which are bugs (a logged 500), on both read paths.

Only database connectivity and the server's own cancellations are 503s: a statement PostgreSQL
ends at `statement_timeout` is `database_timeout`, a backend terminated under a request is
`database_unavailable`. The profile reads through the ORM, the task list on the driver
(`core.driver`); both are tested. Anything else unexpected is a 500 whose log line carries no
bound value: neither an email nor a password hash.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from taskmanager.core.config import Settings
from taskmanager.core.embedded_db import to_libpq_url

from tests.conftest import ApiUser, make_settings

pytestmark = pytest.mark.task("4.8.2", level="core")
STATEMENT_TIMEOUT_SECONDS = 0.5
# The profile reads `users` through the ORM; the list reads `tasks` on the driver.
PATHS = [("/api/v1/users/me", "users"), ("/api/v1/tasks", "tasks")]
DEADLINE_SECONDS = 10


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, db_statement_timeout_seconds=STATEMENT_TIMEOUT_SECONDS)


@pytest.fixture
async def admin_connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(to_libpq_url(database_url))
    try:
        yield connection
    finally:
        await connection.close()


async def locked(connection: asyncpg.Connection, table: str) -> asyncpg.transaction.Transaction:
    """A transaction holding `table` so that every read of it waits (until it ends)."""
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return transaction


def assert_503(response: httpx.Response, code: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.parametrize(("path", "table"), PATHS)
async def test_a_statement_postgresql_cancels_at_statement_timeout_is_a_503_database_timeout(
    client: httpx.AsyncClient,
    user: ApiUser,
    admin_connection: asyncpg.Connection,
    path: str,
    table: str,
) -> None:
    transaction = await locked(admin_connection, table)
    try:
        started = time.perf_counter()
        response = await client.get(path, headers=user.headers)
        elapsed = time.perf_counter() - started
    finally:
        await transaction.rollback()
    after = await client.get(path, headers=user.headers)

    assert_503(response, "database_timeout")
    assert STATEMENT_TIMEOUT_SECONDS <= elapsed < STATEMENT_TIMEOUT_SECONDS + 3
    assert after.status_code == 200  # the connection stays usable


async def waiting_backend(connection: asyncpg.Connection) -> int:
    """The pid of the service's backend that waits for a lock (polled, with a deadline)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        pid = await connection.fetchval(
            "SELECT pid FROM pg_stat_activity "
            "WHERE application_name = 'taskmanager' AND wait_event_type = 'Lock'"
        )
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.02)
    raise AssertionError("no request of the service waited for the lock")


@pytest.mark.parametrize(("path", "table"), PATHS)
async def test_a_backend_terminated_under_a_request_is_a_503_database_unavailable(
    client: httpx.AsyncClient,
    user: ApiUser,
    admin_connection: asyncpg.Connection,
    path: str,
    table: str,
) -> None:
    transaction = await locked(admin_connection, table)
    try:
        request = asyncio.create_task(client.get(path, headers=user.headers))
        pid = await waiting_backend(admin_connection)
        terminated = await admin_connection.fetchval("SELECT pg_terminate_backend($1)", pid)
        response = await request
    finally:
        await transaction.rollback()
    after = [(await client.get(path, headers=user.headers)).status_code for _ in range(3)]

    assert terminated is True
    assert_503(response, "database_unavailable")
    assert after == [200, 200, 200]  # the dead connection was not handed out again


@pytest.mark.parametrize("error", [OSError("disk full"), TimeoutError("a slow call")])
async def test_a_bare_os_or_timeout_error_outside_the_database_is_a_500(
    app: FastAPI, client: httpx.AsyncClient, error: Exception
) -> None:
    async def fail() -> None:
        raise error

    app.add_api_route("/test-only/fail", fail)

    response = await client.get("/test-only/fail")

    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"


REFUSE_USERS = """
CREATE FUNCTION test_refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'refused by a test trigger' USING DETAIL = format('row %s', NEW);
END $$;
CREATE TRIGGER test_refuse_user BEFORE INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION test_refuse_user();
"""
DROP_REFUSAL = """
DROP TRIGGER IF EXISTS test_refuse_user ON users;
DROP FUNCTION IF EXISTS test_refuse_user();
"""


async def test_an_unexpected_database_error_is_a_logged_500_without_the_email_or_hash(
    client: httpx.AsyncClient,
    admin_connection: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A statement PostgreSQL refuses, whose bound values (and, in its DETAIL, whose row) carry
    # the new account's email and password hash.
    email = "leak-canary@example.com"
    await admin_connection.execute(REFUSE_USERS)
    try:
        with caplog.at_level(logging.DEBUG):
            response = await client.post(
                "/api/v1/auth/register", json={"email": email, "password": "Canary-Password-1"}
            )
    finally:
        await admin_connection.execute(DROP_REFUSAL)
    logged = "\n".join(
        [caplog.text, *(str(record.exc_info) for record in caplog.records if record.exc_info)]
    )

    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "P0001" in logged  # the failure is logged: its SQLSTATE (raise_exception) ...
    assert "INSERT INTO users" in logged  # ... and its statement
    assert "leak-canary" not in logged
    assert "$2b$" not in logged  # no bcrypt hash
    assert "Canary-Password" not in logged


async def test_a_failed_statements_error_text_does_not_carry_its_bound_values(app: FastAPI) -> None:
    values = {"email": "leak-canary@example.com", "hash": "$2b$04$" + "x" * 53}
    async with app.state.database.sessions() as session:
        with pytest.raises(sa_exc.DBAPIError) as failure:
            await session.execute(text("SELECT 1 / 0 WHERE :email <> :hash"), values)

    assert "division by zero" in str(failure.value)
    assert "leak-canary" not in str(failure.value)
    assert "$2b$" not in str(failure.value)
