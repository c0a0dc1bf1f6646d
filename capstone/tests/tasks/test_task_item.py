"""GET, PATCH and DELETE /api/v1/tasks/{id}: ETags, partial updates, completed_at, version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, assert_problem, create_task

pytestmark = pytest.mark.task("4.8.2", level="core")


async def test_get_returns_the_task_with_its_etag(client: httpx.AsyncClient, user: ApiUser) -> None:
    created = await create_task(client, user, title="Read me", tags=["a"])

    response = await client.get(f"{TASKS}/{created['id']}", headers=user.headers)

    assert response.status_code == 200
    assert response.json() == created
    assert response.headers["etag"] == '"1"'


async def test_get_with_a_current_if_none_match_is_304(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)
    url = f"{TASKS}/{task['id']}"

    unchanged = await client.get(url, headers={**user.headers, "If-None-Match": '"1"'})
    await client.patch(url, json={"title": "Changed"}, headers=user.headers)
    changed = await client.get(url, headers={**user.headers, "If-None-Match": '"1"'})

    assert unchanged.status_code == 304
    assert unchanged.headers["etag"] == '"1"'
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"2"'


async def test_missing_and_malformed_ids(client: httpx.AsyncClient, user: ApiUser) -> None:
    missing = f"{TASKS}/7d4f3b0e-6f57-4b35-a1b8-2a3e8a9b3c10"
    for method in ("GET", "PATCH", "DELETE"):
        body = {"title": "x"} if method == "PATCH" else None
        not_found = await client.request(method, missing, json=body, headers=user.headers)
        malformed = await client.request(method, f"{TASKS}/42", json=body, headers=user.headers)

        assert_problem(not_found, 404, "not_found")
        assert_problem(malformed, 422, "validation_error")


async def test_patch_changes_only_the_given_fields_and_bumps_version(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(
        client, user, title="Old", description="Keep", priority="low", tags=["x"]
    )

    response = await client.patch(
        f"{TASKS}/{task['id']}", json={"title": "  New  ", "priority": "high"}, headers=user.headers
    )

    assert response.status_code == 200
    updated = response.json()
    assert response.headers["etag"] == '"2"'
    assert updated["title"] == "New"
    assert updated["priority"] == "high"
    assert updated["description"] == "Keep"
    assert updated["tags"] == ["x"]
    assert updated["version"] == 2
    assert updated["created_at"] == task["created_at"]
    assert datetime.fromisoformat(updated["updated_at"]) > datetime.fromisoformat(
        task["updated_at"]
    )


async def test_every_change_adds_one_to_version(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(client, user)
    changes: list[dict[str, Any]] = [
        {"title": "Two"},
        {"description": "Three"},
        {"status": "in_progress"},
        {"priority": "urgent"},
        {"due_at": "2031-01-01T00:00:00Z"},
        {"tags": ["Six"]},
        {"description": None, "due_at": None, "tags": []},
    ]
    for expected_version, change in enumerate(changes, start=2):
        response = await client.patch(f"{TASKS}/{task['id']}", json=change, headers=user.headers)
        assert response.json()["version"] == expected_version, change

    final = (await client.get(f"{TASKS}/{task['id']}", headers=user.headers)).json()
    assert final["description"] is None
    assert final["due_at"] is None
    assert final["tags"] == []


async def test_a_patch_that_changes_nothing_keeps_the_version(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user, title="Same", tags=["a"])

    response = await client.patch(
        f"{TASKS}/{task['id']}", json={"title": "Same", "tags": ["A"]}, headers=user.headers
    )
    empty = await client.patch(f"{TASKS}/{task['id']}", json={}, headers=user.headers)

    assert response.status_code == 200
    assert response.json() == task
    assert empty.json() == task
    assert empty.headers["etag"] == '"1"'


async def test_completed_at_follows_status(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(client, user)
    url = f"{TASKS}/{task['id']}"

    done = (await client.patch(url, json={"status": "done"}, headers=user.headers)).json()
    still_done = (await client.patch(url, json={"title": "Renamed"}, headers=user.headers)).json()
    reopened = (await client.patch(url, json={"status": "todo"}, headers=user.headers)).json()

    assert done["completed_at"] is not None
    assert done["completed_at"] == done["updated_at"]
    assert still_done["completed_at"] == done["completed_at"]
    assert reopened["completed_at"] is None


async def test_invalid_patches_are_422_and_change_nothing(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)
    invalid: list[dict[str, Any]] = [
        {"title": None},
        {"title": "  "},
        {"status": None},
        {"status": "archived"},
        {"priority": None},
        {"tags": None},
        {"tags": ["x" * 33]},
        {"description": "nul\x00"},
        {"due_at": "2030-01-01"},
        {"id": task["id"]},
        {"owner_id": task["owner_id"]},
        {"version": 5},
        {"created_at": task["created_at"]},
        {"updated_at": task["created_at"]},
        {"completed_at": task["created_at"]},
        {"unknown": 1},
    ]
    for body in invalid:
        response = await client.patch(f"{TASKS}/{task['id']}", json=body, headers=user.headers)
        assert_problem(response, 422, "validation_error")

    unchanged = await client.get(f"{TASKS}/{task['id']}", headers=user.headers)
    assert unchanged.json() == task


async def test_delete_is_204_then_the_task_is_gone(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)
    url = f"{TASKS}/{task['id']}"

    deleted = await client.delete(url, headers=user.headers)

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(await client.get(url, headers=user.headers), 404, "not_found")
    assert_problem(await client.delete(url, headers=user.headers), 404, "not_found")
    assert (await client.get(TASKS, headers=user.headers)).json()["items"] == []


async def test_every_task_route_needs_a_token(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(client, user)
    url = f"{TASKS}/{task['id']}"
    calls = [
        ("GET", TASKS),
        ("GET", f"{TASKS}/stats"),
        ("GET", url),
        ("PATCH", url),
        ("DELETE", url),
        ("POST", f"{url}/comments"),
        ("GET", f"{url}/comments"),
        ("DELETE", f"{url}/comments/7d4f3b0e-6f57-4b35-a1b8-2a3e8a9b3c10"),
    ]
    for method, path in calls:
        response = await client.request(method, path, headers={"Authorization": "Bearer nope"})
        assert_problem(response, 401, "token_invalid")
        assert response.headers["www-authenticate"] == "Bearer"
