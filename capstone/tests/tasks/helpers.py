"""Calls the task and comment tests share: create a task, walk every page of a list."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import ApiUser

TASKS = "/api/v1/tasks"
PROBLEM = "application/problem+json"
MAX_PAGES = 200


async def create_task(client: httpx.AsyncClient, owner: ApiUser, **fields: Any) -> dict[str, Any]:
    response = await client.post(TASKS, json={"title": "A task", **fields}, headers=owner.headers)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


async def walk_pages(
    client: httpx.AsyncClient, owner: ApiUser, path: str, params: dict[str, Any] | None = None
) -> list[list[dict[str, Any]]]:
    """Every page of a list, following `next_cursor` until it is null."""
    pages: list[list[dict[str, Any]]] = []
    query = dict(params or {})
    for _ in range(MAX_PAGES):
        response = await client.get(path, params=query, headers=owner.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            return pages
        query["cursor"] = body["next_cursor"]
    raise AssertionError(f"more than {MAX_PAGES} pages")


async def list_ids(
    client: httpx.AsyncClient, owner: ApiUser, params: dict[str, Any] | None = None
) -> list[str]:
    pages = await walk_pages(client, owner, TASKS, params)
    return [task["id"] for page in pages for task in page]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    return body
