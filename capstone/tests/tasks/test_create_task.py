"""POST /api/v1/tasks: defaults, normalisation, headers, and every way a body is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, assert_problem, create_task

pytestmark = pytest.mark.task("4.8.2", level="core")

TASK_FIELDS = {
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_at",
    "tags",
    "owner_id",
    "created_at",
    "updated_at",
    "completed_at",
    "version",
}


async def test_create_returns_201_with_location_etag_and_defaults(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    response = await client.post(TASKS, json={"title": "Buy milk"}, headers=user.headers)

    assert response.status_code == 201
    task = response.json()
    assert set(task) == TASK_FIELDS
    assert response.headers["location"] == f"/api/v1/tasks/{task['id']}"
    assert response.headers["etag"] == '"1"'
    assert task["title"] == "Buy milk"
    assert task["description"] is None
    assert task["status"] == "todo"
    assert task["priority"] == "medium"
    assert task["due_at"] is None
    assert task["tags"] == []
    assert task["owner_id"] == user.id
    assert task["completed_at"] is None
    assert task["version"] == 1
    assert task["created_at"] == task["updated_at"]
    created = datetime.fromisoformat(task["created_at"])
    assert created.utcoffset() is not None
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60


async def test_create_trims_title_and_normalises_tags(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(
        client, user, title="  Plan trip \n", tags=[" Travel ", "travel", "URGENT", "urgent "]
    )

    assert task["title"] == "Plan trip"
    assert task["tags"] == ["travel", "urgent"]


async def test_create_keeps_every_given_field(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(
        client,
        user,
        title="Report",
        description="Numbers first.",
        status="in_progress",
        priority="urgent",
        due_at="2030-05-01T12:00:00+02:00",
        tags=["work"],
    )

    assert task["description"] == "Numbers first."
    assert task["status"] == "in_progress"
    assert task["priority"] == "urgent"
    assert datetime.fromisoformat(task["due_at"]) == datetime(2030, 5, 1, 10, tzinfo=UTC)
    assert task["completed_at"] is None


async def test_create_as_done_sets_completed_at(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(client, user, status="done")

    assert task["completed_at"] is not None


async def test_twenty_distinct_tags_are_accepted(client: httpx.AsyncClient, user: ApiUser) -> None:
    tags = [f"t{number}" for number in range(20)] + ["T0", "t1"]

    task = await create_task(client, user, tags=tags)

    assert task["tags"] == [f"t{number}" for number in range(20)]


async def test_limits_are_inclusive(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(
        client, user, title="x" * 200, description="d" * 10_000, tags=["a" * 32]
    )

    assert len(task["title"]) == 200
    assert len(task["description"]) == 10_000


INVALID_BODIES: list[tuple[dict[str, Any], str]] = [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": 5}, "title"),
    ({"title": "nul\x00inside"}, "title"),
    ({"title": "ok", "description": "d" * 10_001}, "description"),
    ({"title": "ok", "description": "nul\x00"}, "description"),
    ({"title": "ok", "status": "finished"}, "status"),
    ({"title": "ok", "priority": "critical"}, "priority"),
    ({"title": "ok", "due_at": "tomorrow"}, "due_at"),
    ({"title": "ok", "due_at": "2030-01-01T00:00:00"}, "due_at"),
    ({"title": "ok", "due_at": "0001-01-01T00:00:00+01:00"}, "due_at"),
    # The driver would store these two as -infinity and infinity:
    ({"title": "ok", "due_at": "0001-01-01T00:00:00Z"}, "due_at"),
    ({"title": "ok", "due_at": "9999-12-31T23:59:59.999999Z"}, "due_at"),
    ({"title": "ok", "tags": "work"}, "tags"),
    ({"title": "ok", "tags": [""]}, "tags"),
    ({"title": "ok", "tags": ["  "]}, "tags"),
    ({"title": "ok", "tags": ["x" * 33]}, "tags"),
    ({"title": "ok", "tags": ["nul\x00"]}, "tags"),
    ({"title": "ok", "tags": [f"t{number}" for number in range(21)]}, "tags"),
    ({"title": "ok", "colour": "red"}, "colour"),
    # Fields the server owns:
    ({"title": "ok", "id": "7d4f3b0e-6f57-4b35-a1b8-2a3e8a9b3c10"}, "id"),
    ({"title": "ok", "owner_id": "7d4f3b0e-6f57-4b35-a1b8-2a3e8a9b3c10"}, "owner_id"),
    ({"title": "ok", "created_at": "2030-01-01T00:00:00Z"}, "created_at"),
    ({"title": "ok", "updated_at": "2030-01-01T00:00:00Z"}, "updated_at"),
    ({"title": "ok", "completed_at": "2030-01-01T00:00:00Z"}, "completed_at"),
    ({"title": "ok", "version": 7}, "version"),
]


async def test_each_invalid_body_is_422_naming_the_field_and_creates_nothing(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    for body, field in INVALID_BODIES:
        response = await client.post(TASKS, json=body, headers=user.headers)

        problem = assert_problem(response, 422, "validation_error")
        locations = [error["loc"][:2] for error in problem["errors"]]
        assert ["body", field] in locations, (body, problem)
        assert "nul\x00" not in response.text
        assert "7d4f3b0e" not in response.text
    listed = await client.get(TASKS, headers=user.headers)
    assert listed.json()["items"] == []


async def test_a_body_that_is_not_json_is_422(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await client.post(
        TASKS,
        content=b"title=x",
        headers={**user.headers, "Content-Type": "application/json"},
    )

    assert_problem(response, 422, "validation_error")


async def test_create_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(TASKS, json={"title": "Anonymous"})

    assert_problem(response, 401, "token_invalid")
    assert response.headers["www-authenticate"] == "Bearer"
