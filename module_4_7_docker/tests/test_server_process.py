"""``python -m notes_service`` as the container runs it: serves, reports health, obeys SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_7_docker.notes_service import __main__ as entrypoint
from module_4_7_docker.notes_service import healthcheck

pytestmark = pytest.mark.support  # the service is scaffolding: it ships in both editions

ROOT = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(postgres_database: PostgresDatabase) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """The service in its own process on a free port, healthy; killed if a test leaves it up."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": postgres_database.url,
        "SERVER_PORT": str(port),
        "SERVER_GRACEFUL_SHUTDOWN_SECONDS": "3",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "module_4_7_docker.notes_service"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while not healthcheck.is_healthy(port, timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not become healthy:\n{process.communicate()[0]}")
            time.sleep(0.1)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sigterm_stops_the_server_cleanly_within_its_graceful_timeout(
    server: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = server

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=10)

    # uvicorn re-raises the signal once it has shut down cleanly, so outside a container the
    # process ends "killed by SIGTERM"; as a container's PID 1 that re-raise is ignored (exit 0).
    assert process.returncode in {0, -signal.SIGTERM}, output
    assert "Application shutdown complete" in output
    assert not healthcheck.is_healthy(port, timeout=1)


def test_healthcheck_command_exits_0_while_healthy_and_1_when_nothing_answers(
    server: tuple[subprocess.Popen[str], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = server
    monkeypatch.setenv("SERVER_PORT", str(port))
    assert healthcheck.main() == 0

    monkeypatch.setenv("SERVER_PORT", str(free_port()))
    assert healthcheck.main() == 1


def test_help_names_the_settings_behind_each_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        entrypoint.main(["--help"])

    assert exit_info.value.code == 0
    assert "SERVER_PORT" in capsys.readouterr().out
