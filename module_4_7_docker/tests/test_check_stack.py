"""The stack check (task 4.7.3) against the notes service served for real on a local port.

The same check runs against the Docker stack in ``test_docker_stack.py``; here the service runs
in-process on an embedded PostgreSQL, so the check is graded on a machine without Docker too.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import asyncpg
import pytest
import uvicorn

from course_support.pytest_postgres import PostgresDatabase, PostgresServer
from module_4_7_docker.check_stack import StackCheckError, check_stack, main
from module_4_7_docker.notes_service.app import create_app
from module_4_7_docker.notes_service.settings import DatabaseSettings

pytestmark = pytest.mark.task("4.7.3", level="core")

STARTUP_DEADLINE_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def service(postgres_database: PostgresDatabase) -> Iterator[str]:
    """The notes service served by uvicorn on a free port, in a thread; its base URL."""
    port = free_port()
    app = create_app(DatabaseSettings(url=postgres_database.url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the notes service did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_DEADLINE_SECONDS)


async def refuse_connections(server: PostgresServer, database: PostgresDatabase) -> None:
    """New connections to the database are refused and the open ones are cut."""
    admin = await asyncpg.connect(server.admin_url)
    try:
        await admin.execute(f'ALTER DATABASE "{database.name}" WITH ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            database.name,
        )
        count = "SELECT count(*) FROM pg_stat_activity WHERE datname = $1"
        for _ in range(200):  # termination is asynchronous: poll for up to 10 s
            if not await admin.fetchval(count, database.name):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail(f"the connections to {database.name} were not closed within 10 s")
    finally:
        await admin.close()


def test_the_check_writes_a_note_that_the_service_then_serves(service: str) -> None:
    note = check_stack(service)

    again = check_stack(service, expect_note_id=note["id"])

    assert again["id"] > note["id"]
    assert set(note) >= {"id", "title", "body"}


def test_a_note_that_is_not_there_fails_the_check(service: str) -> None:
    with pytest.raises(StackCheckError, match="12345"):
        check_stack(service, expect_note_id=12345)


def test_a_service_that_cannot_reach_its_database_fails_the_check(
    service: str, postgres_server: PostgresServer, postgres_database: PostgresDatabase
) -> None:
    asyncio.run(refuse_connections(postgres_server, postgres_database))

    with pytest.raises(StackCheckError, match="503"):
        check_stack(service)


def test_nothing_listening_fails_the_check_with_the_address() -> None:
    address = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(StackCheckError, match=address):
        check_stack(address, timeout=2)


def test_the_command_exits_0_with_the_note_id_then_1_with_the_failure(
    service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--url", service]) == 0
    assert "ok" in capsys.readouterr().out

    assert main(["--url", service, "--expect", "999999"]) == 1
    assert "999999" in capsys.readouterr().err
