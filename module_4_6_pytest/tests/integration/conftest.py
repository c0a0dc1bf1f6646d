"""Integration layer: a real PostgreSQL database per test, the app, an HTTP client, factories.

Scopes, from the widest:
- ``schema_template`` (session): the tables are created once, in a template database;
- ``database`` (function): each test gets its own copy of the template (a few ms) and it is
  dropped after the test, so no test ever sees another's rows;
- ``app`` / ``client`` (function): the app with its lifespan running, and an ``httpx.AsyncClient``
  that calls it in-process through ``ASGITransport`` (no socket, no server).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import respx
from fastapi import FastAPI

from course_support.pytest_postgres import PostgresDatabase, PostgresServer
from module_4_6_pytest.api import create_app
from module_4_6_pytest.settings import Settings
from module_4_6_pytest.store import create_schema
from module_4_6_pytest.tests.nager import HOLIDAYS_URL


async def _create_tables(database: PostgresDatabase) -> None:
    connection = await asyncpg.connect(database.url)
    try:
        await create_schema(connection)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def schema_template(postgres_server: PostgresServer) -> str:
    """The name of a database holding the service's empty tables, made once per test run."""
    return postgres_server.template("module_4_6_pytest", _create_tables)


@pytest.fixture
def database(postgres_server: PostgresServer, schema_template: str) -> Iterator[PostgresDatabase]:
    """A private copy of the schema for one test; dropped after it (the code after ``yield``)."""
    with postgres_server.database(template=schema_template) as database:
        yield database


@pytest.fixture
def settings(database: PostgresDatabase) -> Settings:
    return Settings(
        database_url=database.url,
        holidays_api_url=HOLIDAYS_URL,
        holidays_timeout_seconds=1.0,
        holidays_attempts=2,
        holidays_backoff_seconds=0.0,  # retries are tested, waiting between them is not
    )


@pytest.fixture
async def app(settings: Settings, holidays_api: respx.MockRouter) -> AsyncIterator[FastAPI]:
    """The app with its lifespan entered: engine and holidays client open, closed afterwards."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://deadlines.test") as client:
        yield client


async def created(response: Awaitable[httpx.Response]) -> dict[str, Any]:
    """The JSON body of a response that must be ``201 Created``."""
    answer = await response
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The body of an RFC 9457 problem response, checked for its status, media type and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert {"type", "title", "detail"} <= body.keys()
    return body


@dataclass(frozen=True)
class TeamRef:
    """A team made by ``make_team``: its id and its members' ids, in joining order."""

    id: int
    member_ids: tuple[int, ...]


TeamFactory = Callable[..., Awaitable[TeamRef]]
TaskFactory = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_team(client: httpx.AsyncClient) -> TeamFactory:
    """A factory: ``await make_team(members=["Ada", "Grace"])``; names are unique per test.

    It goes through the public API, like a user would, so the tests exercise what they set up.
    """
    numbers = itertools.count(1)

    async def make(*, members: Sequence[str] = ("Ada", "Grace"), country: str = "DE") -> TeamRef:
        team = await created(
            client.post("/teams", json={"name": f"team-{next(numbers)}", "country": country})
        )
        member_ids = [
            (await created(client.post(f"/teams/{team['id']}/members", json={"name": name})))["id"]
            for name in members
        ]
        return TeamRef(id=team["id"], member_ids=tuple(member_ids))

    return make


@pytest.fixture
def make_task(client: httpx.AsyncClient) -> TaskFactory:
    """A factory: ``await make_task(team, business_days=3, priority="high")`` -> the task's JSON."""

    async def make(team: TeamRef, **fields: Any) -> dict[str, Any]:
        body = {"title": "Write the report", "business_days": 5, **fields}
        return await created(client.post(f"/teams/{team.id}/tasks", json=body))

    return make
