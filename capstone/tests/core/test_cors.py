"""CORS: only the origins listed in `CORS_ORIGINS` may call the API from a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from taskmanager.main import create_app

from tests.conftest import http_client, make_settings

pytestmark = pytest.mark.task("4.8.2", level="core")
ALLOWED = "https://app.example.com"


@pytest.fixture
async def cors_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(
        make_settings(database_url, cors_origins=f"{ALLOWED}, https://b.example.com")
    )
    async with app.router.lifespan_context(app), http_client(app) as client:
        yield client


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization,content-type",
    }


async def test_an_allowed_origin_passes_the_preflight(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("/api/v1/users/me", headers=preflight(ALLOWED))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert response.headers["x-request-id"]


async def test_another_origin_is_refused(cors_client: httpx.AsyncClient) -> None:
    preflight_response = await cors_client.options(
        "/api/v1/users/me", headers=preflight("https://evil.example.net")
    )
    simple = await cors_client.get(
        "/api/v1/users/me", headers={"Origin": "https://evil.example.net"}
    )

    assert preflight_response.status_code == 400
    assert "access-control-allow-origin" not in preflight_response.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_responses_to_allowed_origins_expose_the_request_id(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.get("/api/v1/users/me", headers={"Origin": ALLOWED})

    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "X-Request-ID" in response.headers["access-control-expose-headers"]
