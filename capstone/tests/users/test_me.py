"""/api/v1/users/me: read, rename, change password, delete."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from taskmanager.core.embedded_db import to_libpq_url

from tests.conftest import PASSWORD, ApiUser, log_in

pytestmark = pytest.mark.task("4.8.2", level="core")
NEW_PASSWORD = "Another-Horse-7"


async def test_me_returns_the_callers_profile(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await client.get("/api/v1/users/me", headers=user.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.id
    assert body["role"] == "user"
    assert body["created_at"].endswith(("Z", "+00:00"))


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_patch_me_changes_the_full_name(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await client.patch(
        "/api/v1/users/me", json={"full_name": "  Grace Hopper "}, headers=user.headers
    )

    assert response.status_code == 200
    assert response.json()["full_name"] == "Grace Hopper"
    again = await client.get("/api/v1/users/me", headers=user.headers)
    assert again.json()["full_name"] == "Grace Hopper"


@pytest.mark.parametrize(
    "body",
    [
        {"full_name": "X", "role": "admin"},
        {"full_name": "X", "is_active": False},
        {"full_name": "X", "email": "new@example.com"},
        {"full_name": "X", "id": "00000000-0000-0000-0000-000000000000"},
        {"full_name": "nul\x00name"},
        {"full_name": "x" * 201},
        {"full_name": 12},
    ],
    ids=["role", "is_active", "email", "id", "nul", "too-long", "not-text"],
)
async def test_patch_me_refuses_other_fields_and_bad_names_with_422(
    client: httpx.AsyncClient, user: ApiUser, body: dict[str, object]
) -> None:
    response = await client.patch("/api/v1/users/me", json=body, headers=user.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    me = (await client.get("/api/v1/users/me", headers=user.headers)).json()
    assert me["role"] == "user"
    assert me["is_active"] is True


async def test_password_change_revokes_every_session(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    second = (await log_in(client, user.email, PASSWORD)).json()

    response = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=user.headers,
    )

    assert response.status_code == 204
    for token in (user.access_token, second["access_token"]):
        me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert (await log_in(client, user.email, PASSWORD)).status_code == 401
    assert (await log_in(client, user.email, NEW_PASSWORD)).status_code == 200


async def test_password_change_with_a_wrong_current_password_is_401(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    response = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": "Wrong-Password-1", "new_password": NEW_PASSWORD},
        headers=user.headers,
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 200


@pytest.mark.parametrize(
    "new_password",
    ["Short1a", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "Aa1" + "é" * 35],
    ids=["too-short", "no-upper", "no-lower", "no-digit", "over-72-bytes"],
)
async def test_password_change_to_a_weak_password_is_422_and_not_echoed(
    client: httpx.AsyncClient, user: ApiUser, new_password: str
) -> None:
    response = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": new_password},
        headers=user.headers,
    )

    assert response.status_code == 422
    assert new_password not in response.text
    assert PASSWORD not in response.text


async def test_delete_me_removes_the_account(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await client.delete("/api/v1/users/me", headers=user.headers)

    assert response.status_code == 204
    assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 401
    assert (await log_in(client, user.email, PASSWORD)).status_code == 401


async def test_the_last_active_admin_cannot_delete_themselves(
    client: httpx.AsyncClient, admin: ApiUser
) -> None:
    response = await client.delete("/api/v1/users/me", headers=admin.headers)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/v1/users/me", headers=admin.headers)).status_code == 200


async def test_deleting_an_account_deletes_its_tasks_and_comments(
    client: httpx.AsyncClient, user: ApiUser, database_url: str
) -> None:
    task = await client.post("/api/v1/tasks", json={"title": "Mine"}, headers=user.headers)
    comment = await client.post(
        f"/api/v1/tasks/{task.json()['id']}/comments", json={"body": "Note"}, headers=user.headers
    )
    assert (task.status_code, comment.status_code) == (201, 201)

    response = await client.delete("/api/v1/users/me", headers=user.headers)

    assert response.status_code == 204
    connection = await asyncpg.connect(to_libpq_url(database_url))
    try:
        tasks = await connection.fetchval("SELECT count(*) FROM tasks")
        comments = await connection.fetchval("SELECT count(*) FROM comments")
    finally:
        await connection.close()
    assert (tasks, comments) == (0, 0)
