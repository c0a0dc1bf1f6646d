"""The `taskmanager` command for real: uvicorn serving, graceful shutdown, migrate, create-admin."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from taskmanager.core.config import Settings

from tests.conftest import PASSWORD, TEST_JWT_SECRET, log_in

pytestmark = pytest.mark.task("4.8.2", level="core")
STARTUP_DEADLINE_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def command_env(database_url: str, **extra: str) -> dict[str, str]:
    clean = {
        key: value for key, value in os.environ.items() if key.lower() not in Settings.model_fields
    }
    return {
        **clean,
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_JWT_SECRET,
        "ENVIRONMENT": "test",
        **extra,
    }


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    base_url: str


Launch = Callable[..., RunningServer]


@pytest.fixture
def launch_server(database_url: str) -> Iterator[Launch]:
    """Start `taskmanager serve` on a free port; every server started is stopped afterwards."""
    started: list[subprocess.Popen[str]] = []

    def launch(*arguments: str, env: dict[str, str]) -> RunningServer:
        port = free_port()
        command = [sys.executable, "-m", "taskmanager", "serve", "--port", str(port)]
        process = subprocess.Popen(
            [*command, *arguments],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return RunningServer(process, f"http://127.0.0.1:{port}")

    yield launch
    for process in started:
        process.terminate()  # the graceful path: with --workers, the supervisor stops them all
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate(timeout=30)


@pytest.fixture
def slow_hashing_server(launch_server: Launch, database_url: str) -> RunningServer:
    """Hashing at cost 14 (~1 s), so a registration stays in flight long enough to watch."""
    return launch_server(env=command_env(database_url, BCRYPT_ROUNDS="14", LOG_LEVEL="INFO"))


async def wait_until_live(client: httpx.AsyncClient, server: RunningServer) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert server.process.poll() is None, "the server exited during startup"
        try:
            if (await client.get("/health/live")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail("the server did not start in time")


async def wait_for_requests_in_flight(client: httpx.AsyncClient, count: int) -> None:
    """Poll the server's own gauge (the /metrics request itself counts one)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in (await client.get("/metrics")).text.splitlines():
            if line.startswith("http_requests_in_progress ") and float(line.split()[1]) > count:
                return
        await asyncio.sleep(0.02)
    pytest.fail("the request never arrived")


@pytest.fixture
async def server_client(slow_hashing_server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=slow_hashing_server.base_url, timeout=30) as client:
        await wait_until_live(client, slow_hashing_server)
        yield client


async def test_sigterm_lets_the_request_in_flight_finish(
    slow_hashing_server: RunningServer, server_client: httpx.AsyncClient
) -> None:
    registration = asyncio.create_task(
        server_client.post(
            "/api/v1/auth/register",
            json={"email": "inflight@example.com", "password": PASSWORD},
            headers={"X-Request-ID": "in-flight-1"},
        )
    )
    await wait_for_requests_in_flight(server_client, 1)

    slow_hashing_server.process.send_signal(signal.SIGTERM)
    response = await registration
    exit_code = await asyncio.to_thread(slow_hashing_server.process.wait, 30)

    assert response.status_code == 201
    assert exit_code == 0
    with pytest.raises(httpx.ConnectError):
        await server_client.get("/health/live")
    _, stderr = slow_hashing_server.process.communicate(timeout=10)
    request_lines = [
        json.loads(line)
        for line in stderr.splitlines()
        if line.startswith("{") and '"logger": "taskmanager.request"' in line
    ]
    (registered_line,) = [line for line in request_lines if line["request_id"] == "in-flight-1"]
    assert registered_line["route"] == "/api/v1/auth/register"
    assert registered_line["status"] == 201
    assert PASSWORD not in stderr


def run_command(
    *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taskmanager", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_brings_the_database_to_the_latest_revision(database_url: str) -> None:
    result = run_command("migrate", env=command_env(database_url))

    assert result.returncode == 0, result.stderr
    assert "latest migration" in result.stdout


async def test_create_admin_makes_an_admin_who_can_log_in(
    database_url: str, client: httpx.AsyncClient
) -> None:
    env = command_env(database_url, BCRYPT_ROUNDS="4")

    created = await asyncio.to_thread(
        run_command,
        "create-admin",
        "--email",
        "Boss@Example.com",
        "--password-stdin",
        env=env,
        stdin=PASSWORD + "\n",
    )
    again = await asyncio.to_thread(
        run_command,
        "create-admin",
        "--email",
        "boss@example.com",
        "--password-stdin",
        env=env,
        stdin=PASSWORD + "\n",
    )
    weak = await asyncio.to_thread(
        run_command,
        "create-admin",
        "--email",
        "weak@example.com",
        "--password-stdin",
        env=env,
        stdin="weak\n",
    )

    assert created.returncode == 0, created.stderr
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert weak.returncode == 2
    tokens = (await log_in(client, "boss@example.com", PASSWORD)).json()
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["role"] == "admin"


async def test_several_workers_share_one_development_secret(
    launch_server: Launch, database_url: str
) -> None:
    """Without JWT_SECRET, a token minted by one worker must be valid on every other."""
    env = command_env(database_url, BCRYPT_ROUNDS="4")
    del env["JWT_SECRET"]
    server = launch_server("--workers", "2", env=env)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        await wait_until_live(client, server)
        await client.post(
            "/api/v1/auth/register", json={"email": "w@example.com", "password": PASSWORD}
        )
        token = (await log_in(client, "w@example.com", PASSWORD)).json()["access_token"]
    statuses = []
    for _ in range(12):  # a new connection each time: the kernel spreads them over workers
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as fresh:
            me = await fresh.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
            statuses.append(me.status_code)

    assert statuses == [200] * 12


def test_the_served_app_collects_garbage_less_often(database_url: str) -> None:
    # In a process of its own: the collector's settings are the whole process's.
    code = (
        "import gc, json\n"
        "from taskmanager.main import GC_THRESHOLDS, create_served_app\n"
        "defaults = gc.get_threshold()\n"
        "create_served_app()\n"
        "print(json.dumps([defaults, gc.get_threshold(), GC_THRESHOLDS, gc.get_freeze_count()]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=command_env(database_url),
        capture_output=True,
        text=True,
        timeout=STARTUP_DEADLINE_SECONDS,
        check=True,
    )

    defaults, tuned, wanted, frozen = json.loads(result.stdout)
    assert tuned == wanted != defaults
    assert frozen > 1000  # the modules, the app and its routes
