"""Tasks are private (BOLA): another user's task is a 404 on every route, and never listed."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, assert_problem, create_task, list_ids

pytestmark = pytest.mark.task("4.8.2", level="core")

MISSING = "7d4f3b0e-6f57-4b35-a1b8-2a3e8a9b3c10"


async def test_every_route_answers_404_for_another_users_task_as_for_a_missing_one(
    client: httpx.AsyncClient, user: ApiUser, other_user: ApiUser
) -> None:
    task = await create_task(client, user, title="Private", tags=["secret"])
    comment = await client.post(
        f"{TASKS}/{task['id']}/comments", json={"body": "mine"}, headers=user.headers
    )
    comment_id = comment.json()["id"]

    def calls(task_id: str) -> list[tuple[str, str, dict[str, object] | None]]:
        url = f"{TASKS}/{task_id}"
        return [
            ("GET", url, None),
            ("PATCH", url, {"title": "Stolen"}),
            ("DELETE", url, None),
            ("GET", f"{url}/comments", None),
            ("POST", f"{url}/comments", {"body": "sneaky"}),
            ("DELETE", f"{url}/comments/{comment_id}", None),
        ]

    for (method, url, body), (_, missing_url, _) in zip(
        calls(task["id"]), calls(MISSING), strict=True
    ):
        foreign = await client.request(method, url, json=body, headers=other_user.headers)
        missing = await client.request(method, missing_url, json=body, headers=other_user.headers)

        assert_problem(foreign, 404, "not_found")
        assert foreign.json() == missing.json(), (method, url)
        assert "Private" not in foreign.text

    unchanged = await client.get(f"{TASKS}/{task['id']}", headers=user.headers)
    assert unchanged.json() == task
    comments = await client.get(f"{TASKS}/{task['id']}/comments", headers=user.headers)
    assert [item["body"] for item in comments.json()["items"]] == ["mine"]


async def test_lists_and_stats_never_show_another_users_tasks(
    client: httpx.AsyncClient, user: ApiUser, other_user: ApiUser, admin: ApiUser
) -> None:
    mine = await create_task(client, user, title="shared words", tags=["t"], status="done")
    await create_task(client, other_user, title="shared words", tags=["t"], status="done")

    for params in (
        {},
        {"tag": "t"},
        {"q": "shared"},
        {"status": "done", "sort": "title"},
        {"sort": "-due_at", "limit": 1},
    ):
        assert await list_ids(client, user, params) == [mine["id"]], params
    admin_view = await client.get(TASKS, headers=admin.headers)
    assert admin_view.json()["items"] == []
    admin_read = await client.get(f"{TASKS}/{mine['id']}", headers=admin.headers)
    assert_problem(admin_read, 404, "not_found")
    stats = await client.get(f"{TASKS}/stats", headers=user.headers)
    assert stats.json()["total"] == 1


async def test_a_cursor_from_another_user_shows_nothing_of_theirs(
    client: httpx.AsyncClient, user: ApiUser, other_user: ApiUser
) -> None:
    for number in range(3):
        await create_task(client, other_user, title=f"theirs {number}")
    mine = await create_task(client, user, title="mine")
    theirs = await client.get(TASKS, params={"limit": 1}, headers=other_user.headers)

    response = await client.get(
        TASKS, params={"limit": 100, "cursor": theirs.json()["next_cursor"]}, headers=user.headers
    )

    # The cursor only marks a position; the list is still the caller's own tasks.
    assert response.status_code == 200
    assert [task["id"] for task in response.json()["items"]] in ([], [mine["id"]])
