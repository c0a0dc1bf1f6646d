"""Forged, altered, expired and mistyped access tokens are all 401 with `WWW-Authenticate`."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import TEST_JWT_SECRET, ApiUser

pytestmark = pytest.mark.task("4.8.2", level="core")


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def assert_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "token_invalid"


async def test_the_genuine_token_is_accepted(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await client.get("/api/v1/users/me", headers=user.headers)

    assert response.status_code == 200
    assert response.json()["email"] == user.email


async def test_alg_none_is_refused(client: httpx.AsyncClient, user: ApiUser) -> None:
    unsigned = b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims_of(user.access_token)) + "."

    await assert_refused(client, unsigned)


async def test_another_algorithm_with_the_right_key_is_refused(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    token = jwt.encode(claims_of(user.access_token), TEST_JWT_SECRET * 2, algorithm="HS512")

    await assert_refused(client, token)


async def test_a_tampered_payload_is_refused(
    client: httpx.AsyncClient, user: ApiUser, other_user: ApiUser
) -> None:
    header, _, signature = user.access_token.split(".")
    claims = claims_of(user.access_token) | {"sub": other_user.id}

    await assert_refused(client, f"{header}.{b64(claims)}.{signature}")


async def test_a_token_signed_with_another_key_is_refused(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    token = jwt.encode(claims_of(user.access_token), "another-key-" + "y" * 40, "HS256")

    await assert_refused(client, token)


async def test_an_expired_token_is_refused(client: httpx.AsyncClient, user: ApiUser) -> None:
    now = int(time.time())
    claims = claims_of(user.access_token) | {"iat": now - 1000, "exp": now - 10}

    await assert_refused(client, jwt.encode(claims, TEST_JWT_SECRET, "HS256"))


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "jti", "sid", "typ", "iss", "aud"])
async def test_a_token_missing_a_claim_is_refused(
    client: httpx.AsyncClient, user: ApiUser, claim: str
) -> None:
    claims = claims_of(user.access_token)
    del claims[claim]

    await assert_refused(client, jwt.encode(claims, TEST_JWT_SECRET, "HS256"))


@pytest.mark.parametrize(
    "change",
    [{"iss": "someone-else"}, {"aud": "another-api"}, {"sub": "not-a-uuid"}, {"sid": "1"}],
    ids=["issuer", "audience", "subject", "session"],
)
async def test_a_token_with_foreign_claims_is_refused(
    client: httpx.AsyncClient, user: ApiUser, change: dict[str, str]
) -> None:
    claims = claims_of(user.access_token) | change

    await assert_refused(client, jwt.encode(claims, TEST_JWT_SECRET, "HS256"))


async def test_a_token_of_a_session_that_never_existed_is_refused(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    claims = claims_of(user.access_token) | {"sid": str(uuid.uuid4())}

    await assert_refused(client, jwt.encode(claims, TEST_JWT_SECRET, "HS256"))


async def test_a_refresh_token_is_not_an_access_token(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    await assert_refused(client, user.refresh_token)


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a.b.c"]
)
async def test_missing_or_malformed_authorization_is_401(
    client: httpx.AsyncClient, authorization: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = await client.get("/api/v1/users/me", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
