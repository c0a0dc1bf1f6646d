"""/api/v1/tasks/{id}/comments: add, list oldest first with paging, delete, and the 4xx rows."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, assert_problem, create_task, walk_pages

pytestmark = pytest.mark.task("4.8.2", level="core")

MISSING = "7d4f3b0e-6f57-4b35-a1b8-2a3e8a9b3c10"


async def add(client: httpx.AsyncClient, owner: ApiUser, task_id: str, body: str) -> httpx.Response:
    return await client.post(
        f"{TASKS}/{task_id}/comments", json={"body": body}, headers=owner.headers
    )


async def test_add_returns_201_with_the_comment(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(client, user)

    response = await add(client, user, task["id"], "  First thoughts  ")

    assert response.status_code == 201
    comment = response.json()
    assert set(comment) == {"id", "task_id", "author_id", "body", "created_at"}
    assert comment["task_id"] == task["id"]
    assert comment["author_id"] == user.id
    assert comment["body"] == "  First thoughts  "
    created = datetime.fromisoformat(comment["created_at"])
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60


async def test_comments_are_listed_oldest_first_across_pages(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)
    bodies = [f"comment {number}" for number in range(5)]
    for body in bodies:
        assert (await add(client, user, task["id"], body)).status_code == 201

    pages = await walk_pages(client, user, f"{TASKS}/{task['id']}/comments", {"limit": 2})

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [comment["body"] for page in pages for comment in page] == bodies


async def test_a_comment_cursor_belongs_to_its_task(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    first, second = await create_task(client, user), await create_task(client, user)
    for body in ("a", "b"):
        await add(client, user, first["id"], body)
    page = await client.get(
        f"{TASKS}/{first['id']}/comments", params={"limit": 1}, headers=user.headers
    )
    cursor = page.json()["next_cursor"]

    elsewhere = await client.get(
        f"{TASKS}/{second['id']}/comments", params={"cursor": cursor}, headers=user.headers
    )
    forged = await client.get(
        f"{TASKS}/{first['id']}/comments", params={"cursor": "forged"}, headers=user.headers
    )

    assert_problem(elsewhere, 422, "invalid_cursor")
    assert_problem(forged, 422, "invalid_cursor")


async def test_invalid_comment_bodies_are_422(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(client, user)
    url = f"{TASKS}/{task['id']}/comments"
    for body in (
        {},
        {"body": ""},
        {"body": "   "},
        {"body": "x" * 5001},
        {"body": "nul\x00"},
        {"body": 7},
        {"body": "ok", "author_id": user.id},
        {"body": "ok", "task_id": task["id"]},
    ):
        response = await client.post(url, json=body, headers=user.headers)
        assert_problem(response, 422, "validation_error")

    longest = await add(client, user, task["id"], "x" * 5000)
    assert longest.status_code == 201
    listed = await client.get(url, headers=user.headers)
    assert len(listed.json()["items"]) == 1


async def test_delete_removes_the_comment_once(client: httpx.AsyncClient, user: ApiUser) -> None:
    task = await create_task(client, user)
    kept = (await add(client, user, task["id"], "keep")).json()
    doomed = (await add(client, user, task["id"], "delete me")).json()
    url = f"{TASKS}/{task['id']}/comments/{doomed['id']}"

    deleted = await client.delete(url, headers=user.headers)
    again = await client.delete(url, headers=user.headers)

    assert deleted.status_code == 204
    assert_problem(again, 404, "not_found")
    listed = await client.get(f"{TASKS}/{task['id']}/comments", headers=user.headers)
    assert [comment["id"] for comment in listed.json()["items"]] == [kept["id"]]


async def test_a_comment_is_only_reachable_through_its_own_task(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    first, second = await create_task(client, user), await create_task(client, user)
    comment = (await add(client, user, first["id"], "on the first")).json()

    wrong_task = await client.delete(
        f"{TASKS}/{second['id']}/comments/{comment['id']}", headers=user.headers
    )
    malformed = await client.delete(f"{TASKS}/{first['id']}/comments/12", headers=user.headers)

    assert_problem(wrong_task, 404, "not_found")
    assert_problem(malformed, 422, "validation_error")


async def test_comments_of_a_missing_task_are_404(client: httpx.AsyncClient, user: ApiUser) -> None:
    url = f"{TASKS}/{MISSING}/comments"

    assert_problem(await client.get(url, headers=user.headers), 404, "not_found")
    assert_problem(await add(client, user, MISSING, "hello"), 404, "not_found")
    assert_problem(await client.delete(f"{url}/{MISSING}", headers=user.headers), 404, "not_found")


async def test_deleting_a_task_deletes_its_comments(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)
    await add(client, user, task["id"], "goes with the task")

    deleted = await client.delete(f"{TASKS}/{task['id']}", headers=user.headers)

    assert deleted.status_code == 204
    listed = await client.get(f"{TASKS}/{task['id']}/comments", headers=user.headers)
    assert_problem(listed, 404, "not_found")


async def test_deleting_an_account_deletes_its_tasks_and_comments(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)
    await add(client, user, task["id"], "mine")

    response = await client.delete("/api/v1/users/me", headers=user.headers)

    assert response.status_code == 204
