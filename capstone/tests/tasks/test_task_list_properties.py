"""Property: walking every page of any filter/sort gives exactly a straightforward reference.

The reference filters and sorts the tasks in Python, from the contract's words alone; Hypothesis
picks the filters, the sort and the page size.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ApiUser, MakeUser
from tests.tasks.helpers import create_task, list_ids

pytestmark = pytest.mark.task("4.8.2", level="core")

NOW = datetime.now(UTC)
STATUSES = ["todo", "in_progress", "done"]
PRIORITIES = ["low", "medium", "high", "urgent"]
TAGS = ["a", "b", "c", "d"]
TITLES = ["Buy Milk", "buy bread", "50% off", "snake_case", "Call mom", "MILKshake", "zebra"]
DESCRIPTIONS = [None, "with milk", "100% sure", "under_score", "Mom says hi"]
DUE_OFFSETS_DAYS = [None, -3, -1, 1, 3]
INSTANT_OFFSETS_DAYS = [-2, 0, 2]  # never equal to a due date: no ties at the boundaries
SEARCHES = ["milk", "MILK", "%", "_", "e_c", "o", "mom", "nothing"]
SORT_KEYS = ["created_at", "updated_at", "due_at", "priority", "title"]
DATASET_SIZE = 24


@pytest.fixture
async def dataset(
    client: httpx.AsyncClient, user: ApiUser, make_user: MakeUser
) -> list[dict[str, Any]]:
    """The user's tasks (with every field as the API returned it), plus a stranger's."""
    chooser = random.Random(20261127)
    tasks = []
    for _ in range(DATASET_SIZE):
        offset = chooser.choice(DUE_OFFSETS_DAYS)
        task = await create_task(
            client,
            user,
            title=chooser.choice(TITLES),
            description=chooser.choice(DESCRIPTIONS),
            status=chooser.choice(STATUSES),
            priority=chooser.choice(PRIORITIES),
            due_at=None if offset is None else (NOW + timedelta(days=offset)).isoformat(),
            tags=chooser.sample(TAGS, chooser.randint(0, 3)),
        )
        if chooser.random() < 0.3:  # moves it in the updated_at order
            response = await client.patch(
                f"/api/v1/tasks/{task['id']}", json={"priority": "urgent"}, headers=user.headers
            )
            task = response.json()
        tasks.append(task)
    stranger = await make_user()
    for title in TITLES:
        await create_task(client, stranger, title=title, tags=TAGS, description="milk")
    return tasks


def when(days: int) -> str:
    return (NOW + timedelta(days=days)).isoformat()


queries = st.fixed_dictionaries(
    {"sort": st.sampled_from(SORT_KEYS + ["-" + key for key in SORT_KEYS])},
    optional={
        "status": st.lists(st.sampled_from(STATUSES), min_size=1, max_size=2),
        "priority": st.lists(st.sampled_from(PRIORITIES), min_size=1, max_size=2),
        "tag": st.lists(st.sampled_from([*TAGS, "A", "zz"]), min_size=1, max_size=2),
        "q": st.sampled_from(SEARCHES),
        "due_before": st.sampled_from(INSTANT_OFFSETS_DAYS).map(when),
        "due_after": st.sampled_from(INSTANT_OFFSETS_DAYS).map(when),
        "overdue": st.sampled_from(["true", "false"]),
    },
)


def matches(task: dict[str, Any], query: dict[str, Any]) -> bool:
    due = datetime.fromisoformat(task["due_at"]) if task["due_at"] else None
    text = query.get("q", "").lower()
    overdue = due is not None and due < datetime.now(UTC) and task["status"] != "done"
    return all(
        [
            task["status"] in query.get("status", STATUSES),
            task["priority"] in query.get("priority", PRIORITIES),
            "tag" not in query or bool({t.lower() for t in query["tag"]} & set(task["tags"])),
            text in task["title"].lower() or text in (task["description"] or "").lower(),
            "due_before" not in query
            or (due is not None and due < datetime.fromisoformat(query["due_before"])),
            "due_after" not in query
            or (due is not None and due > datetime.fromisoformat(query["due_after"])),
            "overdue" not in query or overdue == (query["overdue"] == "true"),
        ]
    )


def reference_order(tasks: list[dict[str, Any]], sort: str) -> list[str]:
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "created_at": lambda task: datetime.fromisoformat(task["created_at"]),
        "updated_at": lambda task: datetime.fromisoformat(task["updated_at"]),
        "due_at": lambda task: datetime.fromisoformat(task["due_at"]),
        "priority": lambda task: PRIORITIES.index(task["priority"]),
        "title": lambda task: task["title"].lower(),
    }
    # Tasks without a due date come after all others in both directions, ties by id.
    dated = [task for task in tasks if key != "due_at" or task["due_at"] is not None]
    undated = [task for task in tasks if key == "due_at" and task["due_at"] is None]
    ordered = sorted(
        dated, key=lambda task: (keys[key](task), uuid.UUID(task["id"])), reverse=descending
    )
    ordered += sorted(undated, key=lambda task: uuid.UUID(task["id"]), reverse=descending)
    return [task["id"] for task in ordered]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=queries, limit=st.integers(min_value=1, max_value=7))
async def test_walking_all_pages_equals_the_reference(
    client: httpx.AsyncClient,
    user: ApiUser,
    dataset: list[dict[str, Any]],
    query: dict[str, Any],
    limit: int,
) -> None:
    expected = reference_order([task for task in dataset if matches(task, query)], query["sort"])

    walked = await list_ids(client, user, {**query, "limit": limit})

    assert walked == expected
