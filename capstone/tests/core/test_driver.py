"""Hot-path reads on the driver: SQL compiled from SQLAlchemy, run by asyncpg on a pooled
connection, with the same rows SQLAlchemy would return."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import Integer, bindparam, literal_column, select, text
from taskmanager.core.driver import DriverQuery, driver_connection
from taskmanager.main import create_app
from taskmanager.users.models import Role, User

from tests.conftest import (
    PASSWORD,
    ApiUser,
    execute_statements,
    http_client,
    log_in,
    make_settings,
)

pytestmark = pytest.mark.task("4.8.2", level="core")


def test_values_go_to_their_numbered_placeholders_and_constants_stay_bound() -> None:
    statement = select(User.id).where(
        User.email == bindparam("email"), User.role == Role.ADMIN, User.id == bindparam("id")
    )
    query = DriverQuery.of(statement)

    assert query.names == ("email", "role_1", "id")
    assert "users.email = $1" in query.sql
    assert "users.id = $3" in query.sql
    assert query.arguments({"id": "the-id", "email": "a@example.com"}) == [
        "a@example.com",
        Role.ADMIN,
        "the-id",
    ]


def test_a_missing_value_is_named() -> None:
    query = DriverQuery.of(select(User.id).where(User.email == bindparam("email")))

    with pytest.raises(KeyError, match="email"):
        query.arguments({})


def test_an_expanding_in_list_is_refused_at_compile_time() -> None:
    statement = select(User.id).where(User.email.in_(bindparam("emails", expanding=True)))

    with pytest.raises(ValueError, match="ANY"):
        DriverQuery.of(statement)


async def test_the_driver_returns_what_sqlalchemy_returns(app: FastAPI, user: ApiUser) -> None:
    answer = literal_column("42", Integer).label("answer")
    statement = select(User.id, User.email, answer).where(
        User.id == bindparam("id"), User.is_active.is_(True)
    )
    query = DriverQuery.of(statement)
    values = {"id": uuid.UUID(user.id)}

    async with app.state.database.sessions() as session:
        expected = (await session.execute(statement, values)).one()
        row = await query.fetchrow(await driver_connection(session), values)
        missing = await query.fetchrow(await driver_connection(session), {"id": uuid.uuid4()})

    assert row is not None
    assert tuple(row.values()) == tuple(expected)
    assert row["email"] == user.email
    assert missing is None


async def test_a_connection_dropped_under_a_driver_read_is_a_503_and_is_replaced(
    database_url: str,
) -> None:
    # One pooled connection, used a moment ago, so nothing pings it before the next request.
    app = create_app(make_settings(database_url, db_pool_size=1, db_max_overflow=0))
    async with app.router.lifespan_context(app), http_client(app) as client:
        email = "dropped@example.com"
        await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        token = (await log_in(client, email, PASSWORD)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/tasks", headers=headers)).status_code == 200
        async with app.state.database.engine.connect() as connection:
            backend = await connection.scalar(text("SELECT pg_backend_pid()"))
        await execute_statements(database_url, f"SELECT pg_terminate_backend({backend})")

        dropped = await client.get("/api/v1/tasks", headers=headers)
        after = await client.get("/api/v1/tasks", headers=headers)

    assert dropped.status_code == 503
    assert dropped.json()["code"] == "database_unavailable"
    assert after.status_code == 200  # the dead connection was not handed out again
