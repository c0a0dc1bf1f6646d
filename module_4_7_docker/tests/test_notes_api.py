"""The notes API on a real PostgreSQL: what the container serves (task 4.7.1)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from course_support.pytest_postgres import PostgresDatabase, PostgresServer

pytestmark = pytest.mark.support  # the service is scaffolding: it ships in both editions


async def test_created_note_is_201_with_location_and_can_be_fetched(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/notes", json={"title": "  Buy milk ", "body": "2 litres"})

    assert response.status_code == 201
    note = response.json()
    assert note["title"] == "Buy milk"
    assert response.headers["location"] == f"/notes/{note['id']}"
    fetched = await client.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == note


async def test_listing_pages_through_notes_in_creation_order(client: httpx.AsyncClient) -> None:
    titles = [f"note {number}" for number in range(5)]
    for title in titles:
        assert (await client.post("/notes", json={"title": title})).status_code == 201

    first = (await client.get("/notes", params={"limit": 3})).json()
    rest = (
        await client.get("/notes", params={"limit": 3, "after_id": first["next_after_id"]})
    ).json()

    assert [note["title"] for note in first["items"] + rest["items"]] == titles
    assert rest["next_after_id"] is None


async def test_unknown_note_is_404_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/notes/42")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("note_id", ["0", str(2**63), "abc"])
async def test_id_outside_bigint_is_422_not_500(client: httpx.AsyncClient, note_id: str) -> None:
    response = await client.get(f"/notes/{note_id}")

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "nul \x00 inside"},
        {"title": "ok", "body": "x" * 10_001},
        {"title": "ok", "owner": "someone"},
    ],
    ids=["empty-title", "long-title", "nul", "long-body", "unknown-field"],
)
async def test_invalid_note_is_422_and_never_echoes_the_input(
    client: httpx.AsyncClient, body: dict[str, str]
) -> None:
    response = await client.post("/notes", json=body)

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert problem["errors"]
    assert '"input"' not in response.text
    assert not [value for value in body.values() if len(value) > 3 and value in response.text]


async def test_health_is_ok_while_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_is_503_when_the_database_stops_answering(
    client: httpx.AsyncClient, postgres_server: PostgresServer, postgres_database: PostgresDatabase
) -> None:
    admin = await asyncpg.connect(postgres_server.admin_url)
    try:
        # New connections are refused and the pooled one is cut: the pool cannot reach it.
        name = postgres_database.name
        await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        # Termination is asynchronous: wait until the pooled connection is really gone.
        count = "SELECT count(*) FROM pg_stat_activity WHERE datname = $1"
        for _ in range(200):  # up to 10 s
            if not await admin.fetchval(count, name):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail(f"the connections to {name} were not closed within 10 s")
        response = await client.get("/health")
    finally:
        await admin.close()

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
