"""Throughput of an authenticated `GET /api/v1/tasks` page (20 tasks with tags), measured by wrk.

    python capstone/bench/bench_list_tasks.py [--duration 10] [--tasks 1000]

Starts an embedded PostgreSQL, migrates it, serves the API with `taskmanager serve` (one worker,
pinned to CPU 0 with `taskset`), registers a user and seeds tasks with tags, then runs Debian's
`wrk` pinned to CPU 1 against 127.0.0.1 at 32, 128 and 256 connections and prints requests/s,
latency percentiles, errors, the server's CPU time per request and the share of its core the
hypervisor took meanwhile ("steal": on a shared virtual machine the neighbours' load shows
there). PostgreSQL shares CPU 1 with wrk: the server's core serves only the API. Installs `wrk`
with apt-get when it is missing (root only).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from taskmanager.core.embedded_db import embedded_postgres, to_libpq_url
from taskmanager.core.migrate import upgrade

HOST = "127.0.0.1"
PASSWORD = "Bench-Password-1"  # noqa: S105 - a throwaway account on a throwaway database
GOAL_REQUESTS_PER_SECOND = 800
GOAL_P99_MS = 100
SERVER_CPU, LOAD_CPU = "0", "1"
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class LoadResult:
    connections: int
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    """Socket errors (connect, read, write, timeout) plus non-2xx responses."""
    server_cpu_ms: float
    """CPU time the server process spent per request: what one dedicated core would allow."""
    steal_percent: float = 0.0
    """Share of the server's core the hypervisor gave to other machines meanwhile (a virtual
    machine's "steal" time): above a few percent, the run measured the neighbours too."""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk could not be installed")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(database_url: str, port: int) -> Iterator[tuple[str, int]]:
    """`taskmanager serve` with one worker on SERVER_CPU; yields its base URL and process id."""
    command = [
        "taskset", "-c", SERVER_CPU,
        sys.executable, "-m", "taskmanager", "serve",
        "--host", HOST, "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JWT_SECRET": "bench-secret-" + "x" * 40,
        "BCRYPT_ROUNDS": "4",
        "LOG_LEVEL": "WARNING",  # one log line per request would measure the log, not the API
    }
    # taskset execs the server, so this process id is the server's own.
    server = subprocess.Popen(  # noqa: S603
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base_url = f"http://{HOST}:{port}"
    try:
        wait_until_serving(base_url, server)
        yield base_url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_serving(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            httpx.get(f"{base_url}/api/v1/tasks", timeout=1)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        return
    raise SystemExit(f"the server did not answer within {STARTUP_SECONDS} s")


def log_in(base_url: str) -> tuple[str, str]:
    """Register a user; returns (user id, access token)."""
    email = "bench@example.com"
    registered = httpx.post(
        f"{base_url}/api/v1/auth/register", json={"email": email, "password": PASSWORD}
    )
    registered.raise_for_status()
    tokens = httpx.post(
        f"{base_url}/api/v1/auth/login", data={"username": email, "password": PASSWORD}
    )
    tokens.raise_for_status()
    return registered.json()["id"], tokens.json()["access_token"]


async def seed_tasks(database_url: str, owner_id: str, count: int) -> None:
    """`count` tasks with three tags each, all statuses and priorities, some without due date."""
    connection = await asyncpg.connect(to_libpq_url(database_url))
    try:
        await connection.execute(
            """
            INSERT INTO tasks (id, owner_id, title, description, status, priority, due_at, tags,
                               completed_at, created_at, updated_at, version)
            SELECT gen_random_uuid(), $1::uuid, 'Task number ' || n, 'Seeded for the benchmark',
                   'todo', (ARRAY['low','medium','high','urgent'])[1 + n % 4]::task_priority,
                   CASE WHEN n % 5 = 0 THEN NULL ELSE now() + n * interval '1 hour' END,
                   ARRAY['project-' || n % 7, 'area-' || n % 11, 'common'],
                   NULL, now() - n * interval '1 second', now() - n * interval '1 second', 1
            FROM generate_series(1, $2) AS n
            """,
            owner_id,
            count,
        )
        await connection.execute("ANALYZE tasks")
    finally:
        await connection.close()


def pin_postgres(data_dir: Path, cpu: str) -> None:
    """Move PostgreSQL onto the load generator's core, so the server's core runs nothing else.

    Backends forked later inherit the postmaster's affinity; its helpers already running (the
    checkpointer, WAL writer, ...) are moved one by one.
    """
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    helpers = [
        int(stat.parent.name)
        for stat in Path("/proc").glob("[0-9]*/stat")
        if _parent_pid(stat) == postmaster
    ]
    for pid in (postmaster, *helpers):
        subprocess.run(  # noqa: S603
            ["taskset", "-a", "-p", "-c", cpu, str(pid)],  # noqa: S607
            check=True,
            capture_output=True,
        )


def _parent_pid(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return None  # the process ended meanwhile


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux `/proc/<pid>/stat`)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ticks(cpu: str) -> tuple[int, int]:
    """All and stolen clock ticks of one CPU so far (`/proc/stat`; 0 stolen if not reported)."""
    for line in Path("/proc/stat").read_text().splitlines():
        name, *counts = line.split()
        if name == f"cpu{cpu}":
            ticks = [int(count) for count in counts]
            return sum(ticks), ticks[7] if len(ticks) > 7 else 0
    raise ValueError(f"no cpu{cpu} in /proc/stat")


def run_wrk(
    wrk: str, url: str, token: str, *, connections: int, seconds: int, server_pid: int
) -> LoadResult:
    command = [
        "taskset", "-c", LOAD_CPU, wrk,
        "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
        "-H", f"Authorization: Bearer {token}", url,
    ]  # fmt: skip
    cpu_before = cpu_seconds(server_pid)
    ticks_before, stolen_before = cpu_ticks(SERVER_CPU)
    output = subprocess.run(  # noqa: S603
        command, check=True, capture_output=True, text=True, timeout=seconds + 60
    ).stdout
    result = parse_wrk(output, connections, cpu_seconds(server_pid) - cpu_before)
    ticks, stolen = cpu_ticks(SERVER_CPU)
    steal = 100 * (stolen - stolen_before) / max(1, ticks - ticks_before)
    return dataclasses.replace(result, steal_percent=steal)


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str, connections: int, server_cpu_seconds: float) -> LoadResult:
    def latency(percent: str) -> float:
        found = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if found is None:
            raise ValueError(f"no {percent}% latency in wrk output:\n{output}")
        return _milliseconds(found[1], found[2])

    requests = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if requests is None or rate is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(int(count) for count in socket_errors.groups()) if socket_errors else 0
    errors += int(non_2xx[1]) if non_2xx else 0
    return LoadResult(
        connections=connections,
        requests=int(requests[1]),
        requests_per_second=float(rate[1]),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        errors=errors,
        server_cpu_ms=1000 * server_cpu_seconds / max(1, int(requests[1])),
    )


def report(results: list[LoadResult]) -> bool:
    print(
        "\nconnections  requests  requests/s  p50 ms  p99 ms  errors  server CPU ms/request"
        "  steal %"
    )
    for result in results:
        print(
            f"{result.connections:>11}  {result.requests:>8}  {result.requests_per_second:>10.0f}"
            f"  {result.p50_ms:>6.1f}  {result.p99_ms:>6.1f}  {result.errors:>6}"
            f"  {result.server_cpu_ms:>21.2f}  {result.steal_percent:>7.1f}"
        )
    at_32 = next(result for result in results if result.connections == 32)
    checks = {
        f">= {GOAL_REQUESTS_PER_SECOND} requests/s at 32 connections": (
            at_32.requests_per_second >= GOAL_REQUESTS_PER_SECOND
        ),
        f"p99 < {GOAL_P99_MS} ms at 32 connections": at_32.p99_ms < GOAL_P99_MS,
        # wrk counts no error for a request that never got an answer: a server that answered
        # nothing would have "no errors", so every level must also have served requests.
        "no errors at 128 and 256 connections, requests answered at every level": all(
            result.errors == 0 for result in results if result.connections in {128, 256}
        )
        and all(result.requests > 0 for result in results),
    }
    print()
    for goal, met in checks.items():
        print(f"{'PASS' if met else 'FAIL'}  {goal}")
    return all(checks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per load level")
    parser.add_argument("--tasks", type=int, default=1000, help="tasks seeded for the user")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also load /health/live and /api/v1/users/me (32 connections): the cost floors",
    )
    args = parser.parse_args()
    if not 1 <= args.duration <= 120:
        parser.error("--duration must be 1..120 seconds")
    wrk = ensure_wrk()
    with (
        tempfile.TemporaryDirectory(prefix="taskmanager-bench-") as folder,
        embedded_postgres(Path(folder) / "pgdata") as database_url,
    ):
        pin_postgres(Path(folder) / "pgdata", LOAD_CPU)
        upgrade(database_url)
        with running_server(database_url, free_port()) as (base_url, server_pid):
            owner_id, token = log_in(base_url)
            asyncio.run(seed_tasks(database_url, owner_id, args.tasks))
            url = f"{base_url}/api/v1/tasks?limit=20"
            sample = httpx.get(url, headers={"Authorization": f"Bearer {token}"}).json()
            first_tags = sample["items"][0]["tags"]
            print(f"page: {len(sample['items'])} tasks, tags of the first: {first_tags}")
            run_wrk(
                wrk, url, token, connections=32, seconds=3, server_pid=server_pid
            )  # warm-up: pool, prepared statements
            print(
                f"load average before the runs: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
            )
            results = [
                run_wrk(
                    wrk,
                    url,
                    token,
                    connections=connections,
                    seconds=args.duration,
                    server_pid=server_pid,
                )
                for connections in (32, 128, 256)
            ]
            if args.compare:
                compare_floors(wrk, base_url, token, args.duration, server_pid)
    return 0 if report(results) else 1


def compare_floors(wrk: str, base_url: str, token: str, seconds: int, server_pid: int) -> None:
    """The same load on a route with no database (liveness) and on the auth path alone."""
    print("\nroute (32 connections)   requests/s  p99 ms  errors  server CPU ms/request  steal %")
    for path in ("/health/live", "/api/v1/users/me", "/api/v1/tasks?limit=20"):
        result = run_wrk(
            wrk, base_url + path, token, connections=32, seconds=seconds, server_pid=server_pid
        )
        print(
            f"{path:<24} {result.requests_per_second:>10.0f}  {result.p99_ms:>6.1f}"
            f"  {result.errors:>6}  {result.server_cpu_ms:>21.2f}  {result.steal_percent:>7.1f}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
