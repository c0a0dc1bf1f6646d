"""GET /api/v1/tasks: each filter, each sort key and direction, and the errors of the query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, assert_problem, create_task, list_ids

pytestmark = pytest.mark.task("4.8.2", level="core")

NOW = datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def titles(client: httpx.AsyncClient, owner: ApiUser, **params: Any) -> list[str]:
    response = await client.get(TASKS, params={"limit": 100, **params}, headers=owner.headers)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["items"]]


async def test_an_empty_list(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await client.get(TASKS, headers=user.headers)

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


async def test_list_items_are_byte_for_byte_the_tasks_as_read_one_by_one(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    # The list's items are JSON written by PostgreSQL; the item route's go through `TaskRead`.
    plain = await create_task(client, user, title="plain")
    full = await create_task(
        client,
        user,
        title="  every field  ",
        description="with a description",
        priority="urgent",
        due_at="2031-02-03T04:05:06.789+02:00",
        tags=["Work", "home"],
    )
    awkward = await create_task(
        client,
        user,
        title='"quoted" back\\slash \x01\x1f\x7f \u2028 é 😀 </script>',
        description="line\nbreak\ttab\r",
        due_at="0001-01-01T00:00:01Z",  # whole seconds: no fraction, like pydantic
    )
    latest = await create_task(client, user, title="latest", due_at="9999-12-31T23:59:59.999998Z")
    done = await client.patch(
        f"{TASKS}/{plain['id']}", json={"status": "done"}, headers=user.headers
    )
    assert done.status_code == 200

    listed = await client.get(TASKS, headers=user.headers)

    one_by_one = [
        await client.get(f"{TASKS}/{task['id']}", headers=user.headers)
        for task in (latest, awkward, full, plain)
    ]
    page = listed.json()
    assert page["next_cursor"] is None
    assert len(page["items"]) == len(one_by_one)
    for listed_item, item in zip(page["items"], one_by_one, strict=True):
        for field, value in item.json().items():
            assert listed_item[field] == value, field
    assert listed.content == (
        b'{"items":[' + b",".join(item.content for item in one_by_one) + b'],"next_cursor":null}'
    )
    assert listed.headers["content-type"] == "application/json"


async def test_default_order_is_newest_first(client: httpx.AsyncClient, user: ApiUser) -> None:
    for title in ("first", "second", "third"):
        await create_task(client, user, title=title)

    assert await titles(client, user) == ["third", "second", "first"]


async def test_filters_by_status_priority_and_tag_repeatable(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    await create_task(client, user, title="a", status="todo", priority="low", tags=["home"])
    await create_task(client, user, title="b", status="done", priority="high", tags=["work"])
    await create_task(
        client, user, title="c", status="in_progress", priority="urgent", tags=["work", "x"]
    )
    await create_task(client, user, title="d", status="todo", priority="high", tags=[])

    assert await titles(client, user, status="todo", sort="title") == ["a", "d"]
    assert await titles(client, user, status=["todo", "done"], sort="title") == ["a", "b", "d"]
    assert await titles(client, user, priority=["high", "urgent"], sort="title") == ["b", "c", "d"]
    assert await titles(client, user, tag="WORK", sort="title") == ["b", "c"]
    assert await titles(client, user, tag=["home", "x"], sort="title") == ["a", "c"]
    assert await titles(client, user, tag="work", priority="high") == ["b"]
    assert await titles(client, user, tag="work", status="todo") == []


async def test_q_is_case_insensitive_over_title_and_description_and_literal(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    await create_task(client, user, title="Call MOM", description=None)
    await create_task(client, user, title="Groceries", description="milk for mom")
    await create_task(client, user, title="100% done")
    await create_task(client, user, title="snake_case name")
    await create_task(client, user, title="snakeXcase", description="back\\slash")

    assert await titles(client, user, q="mom", sort="title") == ["Call MOM", "Groceries"]
    assert await titles(client, user, q="100%") == ["100% done"]
    assert await titles(client, user, q="%") == ["100% done"]
    assert await titles(client, user, q="e_c") == ["snake_case name"]
    assert await titles(client, user, q="\\") == ["snakeXcase"]
    assert await titles(client, user, q="nothing like it") == []


async def test_due_before_and_after_never_match_tasks_without_due_at(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    await create_task(client, user, title="past", due_at=iso(NOW - timedelta(days=2)))
    await create_task(client, user, title="soon", due_at=iso(NOW + timedelta(days=1)))
    await create_task(client, user, title="later", due_at=iso(NOW + timedelta(days=10)))
    await create_task(client, user, title="never")

    assert await titles(client, user, due_before=iso(NOW), sort="title") == ["past"]
    assert await titles(client, user, due_after=iso(NOW), sort="title") == ["later", "soon"]
    assert await titles(
        client,
        user,
        due_after=iso(NOW),
        due_before=iso(NOW + timedelta(days=5)),
    ) == ["soon"]


async def test_overdue_means_due_in_the_past_and_not_done(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    yesterday = iso(NOW - timedelta(days=1))
    await create_task(client, user, title="late", due_at=yesterday)
    await create_task(client, user, title="late but done", due_at=yesterday, status="done")
    await create_task(client, user, title="future", due_at=iso(NOW + timedelta(days=1)))
    await create_task(client, user, title="undated")

    assert await titles(client, user, overdue="true") == ["late"]
    assert await titles(client, user, overdue="false", sort="title") == [
        "future",
        "late but done",
        "undated",
    ]


async def test_sort_by_due_at_puts_undated_tasks_last_both_ways(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    await create_task(client, user, title="undated 1")
    await create_task(client, user, title="in 2 days", due_at=iso(NOW + timedelta(days=2)))
    await create_task(client, user, title="undated 2")
    await create_task(client, user, title="in 1 day", due_at=iso(NOW + timedelta(days=1)))

    ascending = await titles(client, user, sort="due_at")
    descending = await titles(client, user, sort="-due_at")

    assert ascending[:2] == ["in 1 day", "in 2 days"]
    assert descending[:2] == ["in 2 days", "in 1 day"]
    assert set(ascending[2:]) == set(descending[2:]) == {"undated 1", "undated 2"}


async def test_sort_by_priority_follows_its_rank(client: httpx.AsyncClient, user: ApiUser) -> None:
    for priority in ("high", "low", "urgent", "medium"):
        await create_task(client, user, title=priority, priority=priority)

    assert await titles(client, user, sort="priority") == ["low", "medium", "high", "urgent"]
    assert await titles(client, user, sort="-priority") == ["urgent", "high", "medium", "low"]


async def test_sort_by_title_ignores_case(client: httpx.AsyncClient, user: ApiUser) -> None:
    for title in ("banana", "Cherry", "apple"):
        await create_task(client, user, title=title)

    assert await titles(client, user, sort="title") == ["apple", "banana", "Cherry"]
    assert await titles(client, user, sort="-title") == ["Cherry", "banana", "apple"]


async def test_sort_by_created_and_updated_at(client: httpx.AsyncClient, user: ApiUser) -> None:
    first = await create_task(client, user, title="first")
    await create_task(client, user, title="second")
    await client.patch(f"{TASKS}/{first['id']}", json={"priority": "low"}, headers=user.headers)

    assert await titles(client, user, sort="created_at") == ["first", "second"]
    assert await titles(client, user, sort="-created_at") == ["second", "first"]
    assert await titles(client, user, sort="updated_at") == ["second", "first"]
    assert await titles(client, user, sort="-updated_at") == ["first", "second"]


async def test_ties_are_broken_by_id_in_the_sort_direction(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    created = [await create_task(client, user, title="same") for _ in range(5)]
    ids = sorted(task["id"] for task in created)

    assert await list_ids(client, user, {"sort": "title", "limit": 2}) == ids
    assert await list_ids(client, user, {"sort": "-title", "limit": 2}) == ids[::-1]


BAD_QUERIES: list[dict[str, Any]] = [
    {"sort": "owner_id"},
    {"sort": "--created_at"},
    {"sort": "+title"},
    {"status": "finished"},
    {"priority": "critical"},
    {"tag": "x" * 33},
    {"tag": ""},
    {"q": "nul\x00"},
    {"due_before": "yesterday"},
    {"due_after": "2030-01-01T00:00:00"},
    {"overdue": "maybe"},
    {"limit": 0},
    {"limit": 101},
    {"limit": "ten"},
    {"limit": 2**40},
]


async def test_each_bad_query_value_is_422(client: httpx.AsyncClient, user: ApiUser) -> None:
    for params in BAD_QUERIES:
        response = await client.get(TASKS, params=params, headers=user.headers)

        problem = assert_problem(response, 422, "validation_error")
        assert [error["loc"][:2] for error in problem["errors"]] == [["query", *params]], params


@pytest.mark.parametrize("has_tasks", [True, False], ids=["with tasks", "without tasks"])
async def test_the_list_is_401_once_the_login_session_ends(
    client: httpx.AsyncClient, user: ApiUser, has_tasks: bool
) -> None:
    # The page's statement checks the session itself; an empty page checks it on its own.
    if has_tasks:
        await create_task(client, user)
    assert (await client.get(TASKS, headers=user.headers)).status_code == 200

    logout = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
    response = await client.get(TASKS, headers=user.headers)

    assert logout.status_code == 204
    assert_problem(response, 401, "token_invalid")
    assert response.headers["www-authenticate"] == "Bearer"
