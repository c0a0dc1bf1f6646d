"""POST /api/v1/auth/register."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.task("4.8.2", level="core")


async def test_register_creates_a_user_with_location(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "Ada@Example.COM", "password": PASSWORD, "full_name": " Ada "},
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "full_name", "role", "is_active", "created_at"}
    assert body["email"] == "ada@example.com"
    assert body["full_name"] == "Ada"
    assert body["role"] == "user"
    assert body["is_active"] is True
    assert response.headers["location"] == f"/api/v1/users/{body['id']}"
    assert "password" not in response.text


async def test_register_same_email_in_other_case_is_409_email_taken(
    client: httpx.AsyncClient,
) -> None:
    first = await client.post(
        "/api/v1/auth/register", json={"email": "bob@example.com", "password": PASSWORD}
    )
    second = await client.post(
        "/api/v1/auth/register", json={"email": "BOB@example.com", "password": PASSWORD}
    )

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["code"] == "email_taken"


async def test_concurrent_registrations_of_one_email_give_one_201_and_409s(
    client: httpx.AsyncClient,
) -> None:
    async def register() -> int:
        response = await client.post(
            "/api/v1/auth/register", json={"email": "race@example.com", "password": PASSWORD}
        )
        return response.status_code

    statuses = await asyncio.gather(*(register() for _ in range(10)))

    assert sorted(statuses) == [201] + [409] * 9
