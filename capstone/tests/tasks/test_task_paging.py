"""Cursor pagination of GET /api/v1/tasks: stable under writes, opaque, tamper-evident."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, assert_problem, create_task, list_ids

pytestmark = pytest.mark.task("4.8.2", level="core")


async def first_page(
    client: httpx.AsyncClient, owner: ApiUser, **params: str | int
) -> tuple[list[str], str]:
    response = await client.get(TASKS, params=params, headers=owner.headers)
    body = response.json()
    return [task["id"] for task in body["items"]], body["next_cursor"]


async def test_pages_cover_every_task_once_and_the_last_has_no_cursor(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    created = [(await create_task(client, user, title=f"t{number}"))["id"] for number in range(7)]

    walked = await list_ids(client, user, {"limit": 3})

    assert walked == created[::-1]
    exact = await client.get(TASKS, params={"limit": 7}, headers=user.headers)
    assert exact.json()["next_cursor"] is None
    assert len(exact.json()["items"]) == 7


async def test_the_default_page_is_twenty(client: httpx.AsyncClient, user: ApiUser) -> None:
    for number in range(21):
        await create_task(client, user, title=f"t{number}")

    ids, cursor = await first_page(client, user)

    assert len(ids) == 20
    assert cursor is not None


async def test_paging_is_stable_under_inserts_and_deletes_between_pages(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    existing = [(await create_task(client, user, title=f"t{n}"))["id"] for n in range(9)]
    newest_first = existing[::-1]
    page_one, cursor = await first_page(client, user, limit=3)

    # Between pages: a new task (sorts before the cursor), and deletions on both sides of it.
    await create_task(client, user, title="inserted")
    deleted_seen, deleted_unseen = page_one[0], newest_first[5]
    for task_id in (deleted_seen, deleted_unseen):
        await client.delete(f"{TASKS}/{task_id}", headers=user.headers)
    rest = await list_ids(client, user, {"limit": 3, "cursor": cursor})

    assert page_one == newest_first[:3]
    assert rest == [task for task in newest_first[3:] if task != deleted_unseen]


async def test_a_tampered_cursor_is_422(client: httpx.AsyncClient, user: ApiUser) -> None:
    for number in range(3):
        await create_task(client, user, title=f"t{number}")
    _, cursor = await first_page(client, user, limit=1)
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")

    for bad in (tampered, "not-a-cursor", cursor[:-2], "x" * 5000):
        response = await client.get(TASKS, params={"cursor": bad}, headers=user.headers)
        assert response.status_code == 422, bad
        assert response.headers["content-type"].startswith("application/problem+json")
        # A cursor too long to be ours is refused by the query's own validation.
        assert response.json()["code"] in {"invalid_cursor", "validation_error"}


async def test_a_cursor_only_continues_its_own_sort_and_filters(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    for number in range(3):
        await create_task(client, user, title=f"t{number}", tags=["a"], priority="high")
    _, cursor = await first_page(client, user, limit=1, sort="title", tag="a")

    same = await client.get(
        TASKS,
        params={"cursor": cursor, "sort": "title", "tag": "A", "limit": 5},
        headers=user.headers,
    )
    assert same.status_code == 200
    for other in (
        {"sort": "-title", "tag": "a"},
        {"sort": "created_at", "tag": "a"},
        {"sort": "title"},
        {"sort": "title", "tag": "a", "priority": "high"},
        {"sort": "title", "tag": "a", "q": "t"},
    ):
        response = await client.get(TASKS, params={"cursor": cursor, **other}, headers=user.headers)
        assert_problem(response, 422, "invalid_cursor")


async def test_a_cursor_is_url_safe_text(client: httpx.AsyncClient, user: ApiUser) -> None:
    for number in range(2):
        await create_task(client, user, title=f"title with spaces & symbols/{number}")
    _, cursor = await first_page(client, user, limit=1, sort="title")

    assert all(character.isalnum() or character in "-_" for character in cursor)
