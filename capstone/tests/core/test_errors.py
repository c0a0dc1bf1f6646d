"""Every failure is problem+json, even the framework's own, and never echoes the input."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import ApiUser

pytestmark = pytest.mark.task("4.8.2", level="core")
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["code"] == code
    assert "Traceback" not in response.text


async def test_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")

    assert_problem(response, 404, "not_found")
    assert response.headers["x-request-id"]


async def test_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/users/me")

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_validation_errors_say_where_without_echoing_values(
    client: httpx.AsyncClient,
) -> None:
    secret = "Sup3r-Secret-But-Short"
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "not-an-email", "password": secret + "\x00", "age": 3},
    )

    assert_problem(response, 422, "validation_error")
    errors = response.json()["errors"]
    assert {tuple(error["loc"]) for error in errors} == {
        ("body", "email"),
        ("body", "password"),
        ("body", "age"),
    }
    assert all(set(error) == {"loc", "msg", "type"} for error in errors)
    assert secret not in response.text
    assert "not-an-email" not in response.text


@pytest.mark.parametrize(
    "raw_body",
    [
        b'{"email": "a@example.com", "password": NaN}',
        b'{"email": "a@example.com", "password": Infinity}',
        b'{"email": "a@example.com", "password": "Abcdefg1", "full_name": -Infinity}',
        b'{"email": ',
        b"[1, 2]",
        b'{"email": "a@example.com", "password": "Abcdefgh1", "full_name": "\\u0000"}',
    ],
    ids=["nan", "infinity", "minus-infinity", "truncated", "not-an-object", "nul"],
)
async def test_hostile_json_is_422_never_500(client: httpx.AsyncClient, raw_body: bytes) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        content=raw_body,
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 422, "validation_error")


async def test_an_unexpected_error_is_a_500_problem_with_a_request_id(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/test-only/explode", explode)

    response = await client.get("/test-only/explode", headers={"X-Request-ID": "trace-42"})

    assert_problem(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert response.headers["x-request-id"] == "trace-42"


async def test_a_connection_cut_mid_protocol_is_a_503_not_a_500(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # What asyncpg raises, untranslated by SQLAlchemy, when the server cut an idle connection.
    async def cut() -> None:
        raise asyncpg.InternalClientError(
            "cannot switch to state 11; another operation (2) is in progress"
        )

    app.add_api_route("/test-only/cut", cut)

    response = await client.get("/test-only/cut")

    assert_problem(response, 503, "database_unavailable")
    assert int(response.headers["retry-after"]) >= 1
    assert "another operation" not in response.text


async def test_a_well_formed_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users/me", headers={"X-Request-ID": "abc-123.DEF_4"})

    assert response.headers["x-request-id"] == "abc-123.DEF_4"


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 200, "semi;colon"])
async def test_a_malformed_request_id_is_replaced(client: httpx.AsyncClient, incoming: str) -> None:
    response = await client.get("/api/v1/users/me", headers={"X-Request-ID": incoming})

    generated = response.headers["x-request-id"]
    assert generated != incoming
    assert len(generated) == 32


async def test_two_requests_get_different_request_ids(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/users/me")
    second = await client.get("/api/v1/users/me")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_body_over_the_limit_is_413_by_its_content_length(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        content=b"{" + b" " * 1_048_576 + b"}",
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 413, "payload_too_large")


async def test_a_chunked_body_over_the_limit_is_413_while_streaming(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "'
        for _ in range(40):
            yield b"a" * 32_768  # 1.25 MiB in all, no Content-Length

    response = await client.post(
        "/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 413, "payload_too_large")


async def test_a_large_login_form_is_413_too(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", data={"username": "a@example.com", "password": "x" * 1_100_000}
    )

    assert_problem(response, 413, "payload_too_large")


async def test_responses_carry_security_headers(client: httpx.AsyncClient, user: ApiUser) -> None:
    response = await client.get("/api/v1/users/me", headers=user.headers)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
