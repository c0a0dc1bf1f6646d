"""GET /api/v1/tasks/stats: the owner's counts, computed in one statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import ApiUser
from tests.tasks.helpers import TASKS, create_task

pytestmark = pytest.mark.task("4.8.2", level="core")

ZERO_STATUS = {"todo": 0, "in_progress": 0, "done": 0}
ZERO_PRIORITY = {"low": 0, "medium": 0, "high": 0, "urgent": 0}


async def test_stats_of_no_tasks_are_all_zero(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await client.get(f"{TASKS}/stats", headers=user.headers)

    assert response.status_code == 200
    assert response.json() == {
        "total": 0,
        "by_status": ZERO_STATUS,
        "by_priority": ZERO_PRIORITY,
        "overdue": 0,
    }


async def test_stats_count_only_the_owners_tasks(
    client: httpx.AsyncClient, user: ApiUser, other_user: ApiUser
) -> None:
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    await create_task(client, user, status="todo", priority="low", due_at=past)
    await create_task(client, user, status="in_progress", priority="low", due_at=past)
    await create_task(client, user, status="done", priority="urgent", due_at=past)
    await create_task(client, user, status="todo", priority="high", due_at=future)
    await create_task(client, user, status="todo")
    await create_task(client, other_user, status="done", priority="urgent", due_at=past)

    response = await client.get(f"{TASKS}/stats", headers=user.headers)

    assert response.json() == {
        "total": 5,
        "by_status": {"todo": 3, "in_progress": 1, "done": 1},
        "by_priority": {"low": 2, "medium": 1, "high": 1, "urgent": 1},
        "overdue": 2,
    }
