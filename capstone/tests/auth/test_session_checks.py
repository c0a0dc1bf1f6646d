"""Where the session-free claims reader may be used: the task list only.

`ClaimsWithoutSessionCheck` accepts a logged-out token (its login session is not checked); the
list checks the session inside its own statement. Any other route that took it would serve a
revoked token, so this test fails when one does, and shows the list still refuses one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from taskmanager.api import API_ROUTERS
from taskmanager.auth.dependencies import claims_without_session_check
from taskmanager.core import health, metrics

from tests.conftest import ApiUser

pytestmark = pytest.mark.task("4.8.2", level="core")
ALLOWED = {("GET", "/api/v1/tasks")}


def calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    yield dependant.call
    for dependency in dependant.dependencies:
        yield from calls(dependency)


def routes() -> Iterator[APIRoute]:
    for router in [*API_ROUTERS, health.router, metrics.router]:
        yield from (route for route in router.routes if isinstance(route, APIRoute))


def test_only_the_task_list_reads_claims_without_checking_the_session() -> None:
    users = {
        (method, route.path)
        for route in routes()
        if claims_without_session_check in calls(route.dependant)
        for method in route.methods or ()
    }

    assert users == ALLOWED


async def test_the_task_list_refuses_a_logged_out_token(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    logged_out = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": user.refresh_token}
    )

    response = await client.get("/api/v1/tasks", headers=user.headers)

    assert logged_out.status_code == 204
    assert response.status_code == 401
