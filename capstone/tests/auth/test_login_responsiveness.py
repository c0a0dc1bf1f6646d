"""While logins hash at the default bcrypt cost, the rest of the API keeps answering."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from taskmanager.main import create_app

from tests.conftest import PASSWORD, http_client, log_in, make_settings

pytestmark = pytest.mark.task("4.8.2", level="core")
CONCURRENT_LOGINS = 20


@pytest.fixture
async def default_cost_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    # Every login here is genuine: room for all of them in the attempt limit (attempts in
    # flight count) and in the hashing queue (see test_attempt_limits for both limits).
    settings = make_settings(
        database_url,
        bcrypt_rounds=12,
        login_max_failures=CONCURRENT_LOGINS + 1,
        max_waiting_hashes=CONCURRENT_LOGINS,
    )
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app), http_client(app) as client:
        yield client


async def test_other_requests_stay_fast_during_20_concurrent_logins(
    default_cost_client: httpx.AsyncClient,
) -> None:
    client = default_cost_client
    await client.post(
        "/api/v1/auth/register", json={"email": "busy@example.com", "password": PASSWORD}
    )
    token = (await log_in(client, "busy@example.com", PASSWORD)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    logins = [
        asyncio.create_task(log_in(client, "busy@example.com", PASSWORD))
        for _ in range(CONCURRENT_LOGINS)
    ]
    latencies: list[float] = []

    while not all(login.done() for login in logins):
        started = time.perf_counter()
        response = await client.get("/api/v1/users/me", headers=headers)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200

    statuses = [(await login).status_code for login in logins]
    assert statuses == [200] * CONCURRENT_LOGINS
    # 20 hashes at ~0.2 s each take seconds; hashing on the event loop would stall nearly every
    # probe for a whole hash (~200 ms) or more. The bound leaves room for a machine that is
    # busy with other work; the first probes also queue behind the logins' database lookups.
    assert len(latencies) >= 20
    assert statistics.median(latencies) < 0.12
