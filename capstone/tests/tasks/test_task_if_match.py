"""Optimistic concurrency: `If-Match` on PATCH and DELETE, and no lost update under contention."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, assert_problem, create_task

pytestmark = pytest.mark.task("4.8.2", level="core")


async def test_patch_with_the_current_etag_succeeds(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)

    response = await client.patch(
        f"{TASKS}/{task['id']}",
        json={"title": "Checked"},
        headers={**user.headers, "If-Match": '"1"'},
    )

    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'


@pytest.mark.parametrize("header", ['"1"', 'W/"1"', "1", '"7", "1"', "*"])
async def test_if_match_accepts_every_spelling_of_the_current_version(
    client: httpx.AsyncClient, user: ApiUser, header: str
) -> None:
    task = await create_task(client, user)

    response = await client.patch(
        f"{TASKS}/{task['id']}", json={"title": "x"}, headers={**user.headers, "If-Match": header}
    )

    assert response.status_code == 200


async def test_patch_with_a_stale_etag_is_412_and_changes_nothing(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user, title="Original")
    url = f"{TASKS}/{task['id']}"
    await client.patch(url, json={"priority": "high"}, headers=user.headers)

    stale = await client.patch(
        url, json={"title": "Overwrite"}, headers={**user.headers, "If-Match": '"1"'}
    )

    assert_problem(stale, 412, "precondition_failed")
    assert stale.headers["etag"] == '"2"'
    current = (await client.get(url, headers=user.headers)).json()
    assert current["title"] == "Original"
    assert current["version"] == 2


async def test_delete_with_a_stale_etag_is_412_and_keeps_the_task(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)
    url = f"{TASKS}/{task['id']}"
    await client.patch(url, json={"title": "Edited elsewhere"}, headers=user.headers)

    stale = await client.delete(url, headers={**user.headers, "If-Match": '"1"'})
    current = await client.delete(url, headers={**user.headers, "If-Match": '"2"'})

    assert_problem(stale, 412, "precondition_failed")
    assert current.status_code == 204


async def test_concurrent_patches_with_one_etag_never_both_succeed(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    rounds = 5
    for _ in range(rounds):
        task = await create_task(client, user, tags=[])
        url = f"{TASKS}/{task['id']}"
        guarded = {**user.headers, "If-Match": '"1"'}

        first, second = await asyncio.gather(
            client.patch(url, json={"tags": ["first"]}, headers=guarded),
            client.patch(url, json={"tags": ["second"]}, headers=guarded),
        )

        statuses = sorted([first.status_code, second.status_code])
        assert statuses == [200, 412]
        winner = first if first.status_code == 200 else second
        final = (await client.get(url, headers=user.headers)).json()
        assert final["tags"] == winner.json()["tags"]
        assert final["version"] == 2


async def test_concurrent_unguarded_patches_lose_no_field(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    task = await create_task(client, user)
    url = f"{TASKS}/{task['id']}"
    changes = [{"title": "T"}, {"priority": "urgent"}, {"status": "done"}, {"tags": ["k"]}]

    responses = await asyncio.gather(
        *(client.patch(url, json=change, headers=user.headers) for change in changes)
    )

    assert [response.status_code for response in responses] == [200] * len(changes)
    final = (await client.get(url, headers=user.headers)).json()
    assert (final["title"], final["priority"], final["status"], final["tags"]) == (
        "T",
        "urgent",
        "done",
        ["k"],
    )
    assert final["version"] == 1 + len(changes)
    assert sorted(response.json()["version"] for response in responses) == [2, 3, 4, 5]
