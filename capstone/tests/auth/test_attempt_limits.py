"""Attempt limits under concurrency, and the bounded hashing queue.

Attempts are recorded before any password is hashed, atomically in PostgreSQL: a burst of
guesses sent all at once gets at most the limit verified. A flood of registrations is refused
fast (429 per address, 503 `server_busy` when the hashing queue is full) while the rest of the
API keeps answering.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import bcrypt
import httpx
import pytest
from fastapi import FastAPI
from taskmanager.core import passwords
from taskmanager.core.config import Settings
from taskmanager.main import create_app

from tests.conftest import PASSWORD, ApiUser, http_client, log_in, make_settings

pytestmark = pytest.mark.task("4.8.2", level="core")
LIMIT = 5
BURST = 4 * LIMIT + 4
WRONG = "Wrong-Password-1"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Room in the hashing queue for a whole burst: here the attempt limit alone decides."""
    return make_settings(database_url, login_max_failures=LIMIT, max_waiting_hashes=BURST)


class CountedChecks:
    """Every `bcrypt.checkpw` the service runs, counted (the real function still runs)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._checkpw: Callable[[bytes, bytes], bool] = bcrypt.checkpw

    def __call__(self, password: bytes, hashed: bytes) -> bool:
        with self._lock:
            self.calls += 1
        return self._checkpw(password, hashed)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> CountedChecks:
    counted = CountedChecks()
    monkeypatch.setattr(bcrypt, "checkpw", counted)
    return counted


Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def burst(app: FastAPI, requests: Sequence[tuple[str, Request]]) -> list[int]:
    """Send every request at once, each from its own client address; their statuses."""

    async def send(address: str, request: Request) -> int:
        async with http_client(app, client_address=address) as client:
            return (await request(client)).status_code

    return list(await asyncio.gather(*(send(address, call) for address, call in requests)))


async def test_a_burst_of_wrong_passwords_for_one_account_gets_at_most_the_limit_checked(
    app: FastAPI, user: ApiUser, checks: CountedChecks
) -> None:
    requests = [
        (f"10.0.1.{number}", lambda client: log_in(client, user.email, WRONG))
        for number in range(BURST)
    ]

    statuses = await burst(app, requests)

    assert sorted(statuses) == [401] * LIMIT + [429] * (BURST - LIMIT)
    assert checks.calls == LIMIT


async def test_a_burst_of_guesses_from_one_address_gets_at_most_the_limit_checked(
    client: httpx.AsyncClient, checks: CountedChecks
) -> None:
    guesses = [log_in(client, f"guess-{number}@example.com", WRONG) for number in range(BURST)]

    statuses = [response.status_code for response in await asyncio.gather(*guesses)]

    assert sorted(statuses) == [401] * LIMIT + [429] * (BURST - LIMIT)
    assert checks.calls == LIMIT


async def test_a_burst_of_wrong_current_passwords_gets_at_most_the_limit_checked(
    client: httpx.AsyncClient, user: ApiUser, checks: CountedChecks
) -> None:
    body = {"current_password": WRONG, "new_password": "Another-Horse-7"}
    changes = [
        client.post("/api/v1/users/me/password", json=body, headers=user.headers)
        for _ in range(BURST)
    ]

    statuses = [response.status_code for response in await asyncio.gather(*changes)]

    assert sorted(statuses) == [401] * LIMIT + [429] * (BURST - LIMIT)
    assert checks.calls == LIMIT
    assert (await log_in(client, user.email, PASSWORD)).status_code == 429  # the account's limit


async def test_a_right_current_password_forgets_the_accounts_failures(
    app: FastAPI, client: httpx.AsyncClient, user: ApiUser
) -> None:
    wrong = {"current_password": WRONG, "new_password": "Another-Horse-7"}
    right = {"current_password": PASSWORD, "new_password": "Another-Horse-7"}
    for _ in range(LIMIT - 1):
        await client.post("/api/v1/users/me/password", json=wrong, headers=user.headers)

    changed = await client.post("/api/v1/users/me/password", json=right, headers=user.headers)
    async with http_client(app, client_address="10.0.2.1") as elsewhere:
        for _ in range(LIMIT - 1):
            await log_in(elsewhere, user.email, WRONG)
        logged_in = await log_in(elsewhere, user.email, "Another-Horse-7")

    assert changed.status_code == 204
    assert logged_in.status_code == 200


@pytest.fixture
async def registration_limited(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url, register_max_per_address=3))
    async with application.router.lifespan_context(application):
        yield application


async def test_registrations_are_limited_per_client_address_even_in_a_burst(
    registration_limited: FastAPI,
) -> None:
    app = registration_limited

    def register(number: int) -> Request:
        body = {"email": f"new-{number}@example.com", "password": PASSWORD}
        return lambda client: client.post("/api/v1/auth/register", json=body)

    statuses = await burst(app, [("10.0.3.1", register(number)) for number in range(12)])
    async with http_client(app, client_address="10.0.3.1") as same:
        refused = await same.post(
            "/api/v1/auth/register", json={"email": "late@example.com", "password": PASSWORD}
        )
    async with http_client(app, client_address="10.0.3.2") as other:
        elsewhere = await other.post(
            "/api/v1/auth/register", json={"email": "late@example.com", "password": PASSWORD}
        )

    assert sorted(statuses) == [201] * 3 + [429] * 9
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert elsewhere.status_code == 201


FLOOD = 60
ADDRESSES = 20
ME_P99_GOAL_SECONDS = 0.25  # README: `/users/me` p99 <= 250 ms while logins hash


@pytest.fixture
async def busy_app(database_url: str) -> AsyncIterator[tuple[FastAPI, Settings]]:
    settings = make_settings(
        database_url,
        bcrypt_rounds=10,  # ~60 ms a hash: the flood would queue seconds of work
        max_concurrent_hashes=1,
        max_waiting_hashes=2,
        register_max_per_address=2,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application, settings


async def test_a_flood_of_registrations_is_refused_fast_while_the_profile_stays_fast(
    busy_app: tuple[FastAPI, Settings],
) -> None:
    app, settings = busy_app
    hasher: passwords.PasswordHasher = app.state.password_hasher
    async with http_client(app, client_address="10.0.4.250") as client:
        await client.post(
            "/api/v1/auth/register", json={"email": "me@example.com", "password": PASSWORD}
        )
        token = (await log_in(client, "me@example.com", PASSWORD)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        # The flood's clients exist before it starts: making 60 (an SSL context each) would
        # measure this process's own client set-up in the first probe.
        flooders = [http_client(app, f"10.0.4.{number}") for number in range(ADDRESSES)]

        async def register(number: int) -> tuple[int, float, str | None]:
            body = {"email": f"flood-{number}@example.com", "password": PASSWORD}
            started = time.perf_counter()
            response = await flooders[number % ADDRESSES].post("/api/v1/auth/register", json=body)
            elapsed = time.perf_counter() - started
            code = response.json().get("code") if response.status_code >= 400 else None
            if response.status_code == 503:
                assert response.headers["content-type"] == "application/problem+json"
                assert int(response.headers["retry-after"]) >= 1
            return response.status_code, elapsed, code

        flood = [asyncio.create_task(register(number)) for number in range(FLOOD)]
        latencies: list[float] = []
        most_pending = 0
        while not all(task.done() for task in flood):
            most_pending = max(most_pending, hasher.pending)
            started = time.perf_counter()
            me = await client.get("/api/v1/users/me", headers=headers)
            latencies.append(time.perf_counter() - started)
            assert me.status_code == 200
        results = [await task for task in flood]
        for flooder in flooders:
            await flooder.aclose()

    statuses = [status for status, _, _ in results]
    busy = [elapsed for status, elapsed, code in results if code == "server_busy"]
    created = [elapsed for status, elapsed, _ in results if status == 201]
    assert set(statuses) <= {201, 429, 503}
    assert busy, "the hashing queue never filled up"
    assert created, "no registration got through"
    assert len(created) <= ADDRESSES * settings.register_max_per_address
    # Refused at once: no database round trip and no wait for a hash, while an accepted one waits
    # for both. (All 60 arrive in this one process at once, so both include that burst.)
    assert statistics.median(busy) < statistics.median(created)
    assert most_pending <= hasher.max_pending == 3  # nothing queued beyond the bound
    # The first probe shares this process's event loop with the flood's 60 arrivals (client and
    # server side): one such probe in a hundred is what a p99 allows.
    assert len(latencies) >= 20
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    assert p99 < ME_P99_GOAL_SECONDS
