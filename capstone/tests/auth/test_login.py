"""POST /api/v1/auth/login: credentials, the uniform 401, and failed-login limiting."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from taskmanager.core.embedded_db import to_libpq_url

from tests.conftest import PASSWORD, ApiUser, http_client, log_in

pytestmark = pytest.mark.task("4.8.2", level="core")


async def test_login_returns_a_bearer_token_pair(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await log_in(client, user.email.upper(), PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["access_token"] != body["refresh_token"]


async def test_login_with_wrong_password_unknown_email_or_deactivated_account_is_the_same_401(
    client: httpx.AsyncClient, user: ApiUser, other_user: ApiUser, admin: ApiUser
) -> None:
    deactivated = await client.patch(
        f"/api/v1/users/{other_user.id}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivated.status_code == 200

    responses = [
        await log_in(client, user.email, "Wrong-Password-1"),
        await log_in(client, "nobody@example.com", PASSWORD),
        await log_in(client, other_user.email, PASSWORD),
    ]

    for response in responses:
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["code"] == "invalid_credentials"
    bodies = {response.text for response in responses}
    assert len(bodies) == 1
    assert PASSWORD not in responses[0].text


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("someone@example.com", "é" * 40),  # 80 bytes: bcrypt 5 would raise ValueError
        ("some\x00one@example.com", PASSWORD),  # NUL would make asyncpg fail
        ("x" * 400 + "@example.com", PASSWORD),
    ],
    ids=["password-over-72-bytes", "nul-in-email", "overlong-email"],
)
async def test_login_with_hostile_input_is_401_never_500(
    client: httpx.AsyncClient, username: str, password: str
) -> None:
    response = await log_in(client, username, password)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


async def test_login_without_form_fields_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", data={"username": "a@example.com"})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_failed_logins_per_account_end_in_429_with_retry_after(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    for _ in range(5):
        assert (await log_in(client, user.email, "Wrong-Password-1")).status_code == 401

    blocked = await log_in(client, user.email, PASSWORD)  # even the right password

    assert blocked.status_code == 429
    assert blocked.json()["code"] == "rate_limited"
    assert 1 <= int(blocked.headers["retry-after"]) <= 300


async def test_the_account_limit_holds_from_another_address(
    app: FastAPI, client: httpx.AsyncClient, user: ApiUser
) -> None:
    for _ in range(5):
        await log_in(client, user.email, "Wrong-Password-1")

    async with http_client(app, client_address="10.9.8.7") as elsewhere:
        response = await log_in(elsewhere, user.email, PASSWORD)

    assert response.status_code == 429


async def test_failed_logins_per_address_block_that_address_only(
    app: FastAPI, client: httpx.AsyncClient, user: ApiUser
) -> None:
    for number in range(5):
        await log_in(client, f"guess-{number}@example.com", PASSWORD)

    from_same_address = await log_in(client, user.email, PASSWORD)
    async with http_client(app, client_address="10.1.2.3") as elsewhere:
        from_elsewhere = await log_in(elsewhere, user.email, PASSWORD)

    assert from_same_address.status_code == 429
    assert from_elsewhere.status_code == 200


async def test_a_successful_login_forgets_the_accounts_failures(
    app: FastAPI, client: httpx.AsyncClient, user: ApiUser
) -> None:
    for _ in range(3):
        await log_in(client, user.email, "Wrong-Password-1")
    assert (await log_in(client, user.email, PASSWORD)).status_code == 200
    async with http_client(app, client_address="10.4.4.4") as elsewhere:
        for _ in range(3):
            await log_in(elsewhere, user.email, "Wrong-Password-1")
        response = await log_in(elsewhere, user.email, PASSWORD)

    assert response.status_code == 200


async def test_failures_older_than_the_window_no_longer_count_and_are_pruned(
    client: httpx.AsyncClient, user: ApiUser, database_url: str
) -> None:
    for _ in range(5):
        await log_in(client, user.email, "Wrong-Password-1")
    connection = await asyncpg.connect(to_libpq_url(database_url))
    try:  # as if the window had passed
        await connection.execute(
            "UPDATE login_failures SET failed_at = failed_at - interval '1 hour'"
        )
        await log_in(client, "someone-else@example.com", "Wrong-Password-1")  # prunes
        remaining = await connection.fetchval("SELECT count(*) FROM login_failures")
    finally:
        await connection.close()

    response = await log_in(client, user.email, PASSWORD)

    assert remaining == 2  # the new failure's account and address rows only
    assert response.status_code == 200
