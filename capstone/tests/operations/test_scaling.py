"""A served capstone for scaling: metrics summed over workers, and proxy headers trusted only from
the configured proxy (`FORWARDED_ALLOW_IPS`)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from taskmanager.core.config import Settings
from taskmanager.core.metrics import forget_dead_workers

from tests.conftest import TEST_JWT_SECRET

pytestmark = pytest.mark.task("4.8.2", level="extra")
STARTUP_DEADLINE_SECONDS = 60
COUNTED_ROUTE = "/api/v1/users/me"  # without a token: a cheap 401, counted under its template


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """`taskmanager serve` in a process of its own, stopped (SIGTERM) on `stop`."""

    def __init__(self, database_url: str, *arguments: str, **variables: str) -> None:
        clean = {
            key: value
            for key, value in os.environ.items()
            if key.lower() not in Settings.model_fields and key != "PROMETHEUS_MULTIPROC_DIR"
        }
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "taskmanager", "serve", "--port", str(port), *arguments],
            env={
                **clean,
                "DATABASE_URL": database_url,
                "JWT_SECRET": TEST_JWT_SECRET,
                "ENVIRONMENT": "test",
                "BCRYPT_ROUNDS": "4",
                **variables,
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_until_live(self) -> None:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.communicate()
            try:
                if httpx.get(f"{self.base_url}/health/live").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail("the server did not start in time")

    def stop(self) -> str:
        """Stop the server gracefully; its standard error (the JSON log lines)."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            _, stderr = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, stderr = self.process.communicate(timeout=30)
        return stderr


@pytest.fixture
def servers(database_url: str) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def sample(exposition: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (labels in any order)."""
    for line in exposition.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    raise AssertionError(f"no sample {name}{labels} in:\n{exposition}")


def workers_that_counted(folder: Path) -> set[str]:
    """The pids of the workers that wrote counters (`counter_<pid>.db`) in the shared folder."""
    return {file.stem.removeprefix("counter_") for file in folder.glob("counter_*.db")}


async def spread_requests(base_url: str, folder: Path) -> int:
    """Requests on fresh connections, a few at a time, until both workers have answered some.

    The kernel hands each new connection to whichever worker accepts first; concurrent ones
    end up on both. Returns how many requests were sent (every one answered 401).
    """
    sent = 0
    deadline = time.monotonic() + 30
    while len(workers_that_counted(folder)) < 2 or sent < 40:
        assert time.monotonic() < deadline, "the requests never reached a second worker"
        clients = [httpx.AsyncClient(base_url=base_url, timeout=30) for _ in range(8)]
        try:
            answers = await asyncio.gather(*(client.get(COUNTED_ROUTE) for client in clients))
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))
        assert {answer.status_code for answer in answers} == {401}
        sent += len(answers)
    return sent


def test_metrics_of_a_two_worker_server_add_up_both_workers(
    servers: list[Server], database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"left over from an earlier run")
    (folder / "keep.txt").write_text("not a metrics file", encoding="utf-8")
    server = Server(
        database_url,
        "--workers",
        "2",
        PROMETHEUS_MULTIPROC_DIR=str(folder),
        INSTANCE_NAME="replica-7",
    )
    servers.append(server)
    server.wait_until_live()

    sent = asyncio.run(spread_requests(server.base_url, folder))
    scrapes = [httpx.get(f"{server.base_url}/metrics").text for _ in range(4)]

    assert len(workers_that_counted(folder)) == 2  # the stale file was cleaned at start
    assert (folder / "keep.txt").exists()
    for exposition in scrapes:  # whichever worker answers, the figure is the whole server's
        total = sample(
            exposition, "http_requests_total", method="GET", route=COUNTED_ROUTE, status="401"
        )
        assert total == sent
        assert sample(exposition, "taskmanager_instance_info", instance_name="replica-7") == 1
        assert (
            sample(exposition, "db_pool_size")
            == 2 * Settings.model_fields["db_pool_size"].get_default()
        )


def test_a_one_worker_server_keeps_its_metrics_in_memory(
    servers: list[Server], database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "unused"
    server = Server(database_url, PROMETHEUS_MULTIPROC_DIR=str(folder))
    servers.append(server)
    server.wait_until_live()

    for _ in range(3):
        httpx.get(f"{server.base_url}{COUNTED_ROUTE}")
    exposition = httpx.get(f"{server.base_url}/metrics").text

    assert not folder.exists()
    assert (
        sample(exposition, "http_requests_total", method="GET", route=COUNTED_ROUTE, status="401")
        == 3
    )
    assert sample(exposition, "taskmanager_instance_info", instance_name=socket.gethostname()) == 1


@pytest.mark.parametrize(
    ("forwarded_allow_ips", "client_seen"),
    [
        pytest.param("127.0.0.1", "203.0.113.7", id="from-the-trusted-proxy"),
        pytest.param("192.0.2.1", "127.0.0.1", id="from-anyone-else"),
    ],
)
def test_the_forwarded_client_address_is_believed_only_from_the_trusted_proxy(
    servers: list[Server], database_url: str, forwarded_allow_ips: str, client_seen: str
) -> None:
    server = Server(database_url, FORWARDED_ALLOW_IPS=forwarded_allow_ips, LOG_LEVEL="INFO")
    servers.append(server)
    server.wait_until_live()

    answer = httpx.get(
        f"{server.base_url}{COUNTED_ROUTE}",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Request-ID": "forwarded-check"},
    )
    log = server.stop()

    assert answer.status_code == 401
    lines = [json.loads(line) for line in log.splitlines() if "forwarded-check" in line]
    assert [line["client"] for line in lines] == [client_seen]


def test_a_starting_worker_drops_the_live_gauges_of_dead_workers(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead, alive = int(finished.stdout), os.getpid()
    for pid in (dead, alive):
        for kind in ("gauge_livesum", "counter"):
            (tmp_path / f"{kind}_{pid}.db").write_bytes(b"")

    forget_dead_workers(tmp_path)

    left = sorted(file.name for file in tmp_path.iterdir())
    # The dead worker's counters stay in the totals (its requests did happen); its live gauges go.
    assert left == sorted(
        [f"counter_{dead}.db", f"counter_{alive}.db", f"gauge_livesum_{alive}.db"]
    )
