"""`GET /api/v1/users/me` latency while 8 clients log in continuously at the default bcrypt cost.

    python capstone/bench/bench_login_load.py [--duration 20] [--login-clients 8] [--hash-slots N]

Starts an embedded PostgreSQL, migrates it, serves the API with `taskmanager serve` (one worker,
BCRYPT_ROUNDS=12), registers users, then for `--duration` seconds keeps `--login-clients` clients
logging in back to back while `--me-clients` clients call `/users/me`, and prints latency
percentiles of both. `--hash-slots` sets MAX_CONCURRENT_HASHES (default: one fewer than the
cores), to compare the cap with hashing on every core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from taskmanager.core.embedded_db import embedded_postgres
from taskmanager.core.migrate import upgrade

HOST = "127.0.0.1"
PASSWORD = "Bench-Password-1"  # noqa: S105 - a throwaway account on a throwaway database
GOAL_P99_MS = 250
STARTUP_SECONDS = 60
WARM_UP_SECONDS = 2.0


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0

    def percentile_ms(self, percent: int) -> float:
        if len(self.seconds) < 2:
            return float("nan")
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[percent - 1] * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(database_url: str, hash_slots: int | None) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BCRYPT_ROUNDS": "12",
        "LOGIN_MAX_FAILURES": "1000",
        "LOG_LEVEL": "INFO",
    }
    if hash_slots is not None:
        env["MAX_CONCURRENT_HASHES"] = str(hash_slots)
    command = [sys.executable, "-m", "taskmanager", "serve", "--host", HOST, "--port", str(port)]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


async def wait_until_ready(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if (await client.get("/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become ready")


async def register_and_log_in(client: httpx.AsyncClient, email: str) -> str:
    registered = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
    )
    registered.raise_for_status()
    tokens = await client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
    tokens.raise_for_status()
    token: str = tokens.json()["access_token"]
    return token


async def keep_logging_in(
    client: httpx.AsyncClient, email: str, until: float, measure_from: float, out: Latencies
) -> None:
    while (started := time.perf_counter()) < until:
        response = await client.post(
            "/api/v1/auth/login", data={"username": email, "password": PASSWORD}
        )
        if started >= measure_from:
            out.seconds.append(time.perf_counter() - started)
            out.errors += response.status_code != 200


async def keep_reading_me(
    client: httpx.AsyncClient, token: str, until: float, measure_from: float, out: Latencies
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while (started := time.perf_counter()) < until:
        response = await client.get("/api/v1/users/me", headers=headers)
        if started >= measure_from:
            out.seconds.append(time.perf_counter() - started)
            out.errors += response.status_code != 200


async def measure(base_url: str, arguments: argparse.Namespace) -> tuple[Latencies, Latencies]:
    limits = httpx.Limits(max_connections=arguments.login_clients + arguments.me_clients + 4)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        await wait_until_ready(client)
        token = await register_and_log_in(client, "reader@example.com")
        await register_and_log_in(client, "login@example.com")
        logins, reads = Latencies(), Latencies()
        measure_from = time.perf_counter() + WARM_UP_SECONDS
        until = measure_from + arguments.duration
        async with asyncio.TaskGroup() as clients:
            for _ in range(arguments.login_clients):
                clients.create_task(
                    keep_logging_in(client, "login@example.com", until, measure_from, logins)
                )
            for _ in range(arguments.me_clients):
                clients.create_task(keep_reading_me(client, token, until, measure_from, reads))
        return logins, reads


def report(name: str, latencies: Latencies, duration: float) -> None:
    count = len(latencies.seconds)
    print(
        f"{name:<18} {count:>6} requests {count / duration:6.1f}/s"
        f"  p50 {latencies.percentile_ms(50):7.1f} ms  p95 {latencies.percentile_ms(95):7.1f} ms"
        f"  p99 {latencies.percentile_ms(99):7.1f} ms  max {max(latencies.seconds) * 1000:7.1f} ms"
        f"  errors {latencies.errors}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured (<= 300)")
    parser.add_argument("--login-clients", type=int, default=8)
    parser.add_argument("--me-clients", type=int, default=2)
    parser.add_argument("--hash-slots", type=int, default=None, help="MAX_CONCURRENT_HASHES")
    arguments = parser.parse_args()
    arguments.duration = min(arguments.duration, 300.0)  # every load loop is bounded
    with (
        tempfile.TemporaryDirectory(prefix="bench-login-") as folder,
        embedded_postgres(Path(folder) / "pgdata") as database_url,
    ):
        upgrade(database_url)
        with running_server(database_url, arguments.hash_slots) as base_url:
            logins, reads = asyncio.run(measure(base_url, arguments))
    slots = arguments.hash_slots or f"default ({max(1, (os.cpu_count() or 2) - 1)})"
    print(
        f"one worker, BCRYPT_ROUNDS=12, hash slots {slots}, {arguments.login_clients} login "
        f"clients, {arguments.me_clients} /users/me clients, {arguments.duration:.0f} s, "
        f"{os.cpu_count()} CPUs"
    )
    report("POST /auth/login", logins, arguments.duration)
    report("GET /users/me", reads, arguments.duration)
    p99 = reads.percentile_ms(99)
    verdict = "meets" if p99 <= GOAL_P99_MS else "misses"
    print(f"/users/me p99 {p99:.1f} ms {verdict} the goal of <= {GOAL_P99_MS} ms")
    return 0 if reads.errors == 0 and logins.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
