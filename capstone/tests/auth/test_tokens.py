"""Refresh-token rotation with reuse detection, logout, and what access tokens must survive."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.conftest import PASSWORD, ApiUser, log_in

pytestmark = pytest.mark.task("4.8.2", level="core")


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def me(client: httpx.AsyncClient, access_token: str) -> httpx.Response:
    return await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {access_token}"})


async def test_refresh_returns_a_new_pair_that_works(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    response = await refresh(client, user.refresh_token)

    assert response.status_code == 200
    pair = response.json()
    assert pair["refresh_token"] != user.refresh_token
    assert (await me(client, pair["access_token"])).status_code == 200
    assert (await refresh(client, pair["refresh_token"])).status_code == 200


async def test_reusing_a_used_refresh_token_revokes_the_whole_session(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    rotated = (await refresh(client, user.refresh_token)).json()

    replay = await refresh(client, user.refresh_token)

    assert replay.status_code == 401
    assert replay.headers["www-authenticate"] == "Bearer"
    assert (await me(client, rotated["access_token"])).status_code == 401
    assert (await refresh(client, rotated["refresh_token"])).status_code == 401


async def test_of_concurrent_refreshes_with_one_token_exactly_one_succeeds(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    responses = await asyncio.gather(*(refresh(client, user.refresh_token) for _ in range(8)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [401] * 7


async def test_logout_ends_that_session_only(client: httpx.AsyncClient, user: ApiUser) -> None:
    second_session = (await log_in(client, user.email, PASSWORD)).json()

    response = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})

    assert response.status_code == 204
    assert (await me(client, user.access_token)).status_code == 401
    assert (await refresh(client, user.refresh_token)).status_code == 401
    assert (await me(client, second_session["access_token"])).status_code == 200
    assert (await refresh(client, second_session["refresh_token"])).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/auth/refresh", "/api/v1/auth/logout"])
@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
async def test_refresh_and_logout_refuse_garbage_with_401(
    client: httpx.AsyncClient, path: str, token: str
) -> None:
    response = await client.post(path, json={"refresh_token": token})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "token_invalid"


@pytest.mark.parametrize("path", ["/api/v1/auth/refresh", "/api/v1/auth/logout"])
async def test_an_access_token_is_not_a_refresh_token(
    client: httpx.AsyncClient, user: ApiUser, path: str
) -> None:
    response = await client.post(path, json={"refresh_token": user.access_token})

    assert response.status_code == 401
    assert (await me(client, user.access_token)).status_code == 200


async def test_refresh_body_refuses_unknown_fields_and_missing_token(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    extra = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token, "scope": "admin"}
    )
    missing = await client.post("/api/v1/auth/refresh", json={})

    assert extra.status_code == 422
    assert missing.status_code == 422
    assert user.refresh_token not in extra.text
