"""The real stack (task 4.7.3): build, start, write, restart, read back, stop; always ``down -v``.

Run by ``nox -s docker_smoke``, which starts an engine and the stand-in base images where no
registry is reachable; without an engine these tests skip and say why.
"""

from __future__ import annotations

import secrets
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from course_support.compose_stack import (
    ComposeStack,
    compose_stack,
    docker,
    prepare_engine,
)

pytestmark = [pytest.mark.docker, pytest.mark.task("4.7.3")]

SECTION = Path(__file__).resolve().parents[1]
STOP_GRACE_SECONDS = 15  # docker-compose.yml: stop_grace_period


@pytest.fixture(scope="module")
def stack() -> Iterator[ComposeStack]:
    """The notes stack built and healthy, under a project name of its own."""
    reason = prepare_engine()
    if reason:
        pytest.skip(f"no Docker engine: {reason}")
    variables = {
        "POSTGRES_USER": "notes",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "POSTGRES_DB": "notes",
        "NOTES_PORT": "0",  # any free host port; the test asks compose which one
        "NOTES_IMAGE": "notes-service:smoke",
    }
    with compose_stack(SECTION, variables, prefix="notes-smoke") as running:
        running.compose("up", "--detach", "--build")
        running.wait_healthy("db")
        running.wait_healthy("app")
        yield running


def test_notes_written_through_the_api_survive_recreating_the_whole_stack(
    stack: ComposeStack,
) -> None:
    api = stack.base_url("app", 8000)
    created = httpx.post(f"{api}/notes", json={"title": "kept", "body": "in a volume"}).json()
    assert httpx.get(f"{api}/notes/{created['id']}").json() == created

    # `down` without -v removes the containers and networks and keeps the named volume.
    stack.compose("down", "--timeout", str(STOP_GRACE_SECONDS))
    stack.compose("up", "--detach")
    stack.wait_healthy("db")
    stack.wait_healthy("app")

    api = stack.base_url("app", 8000)
    assert httpx.get(f"{api}/notes/{created['id']}").json() == created
    assert httpx.get(f"{api}/health").json() == {"status": "ok", "database": "ok"}


def test_the_app_runs_as_an_unprivileged_user_with_the_server_as_pid_1(
    stack: ComposeStack,
) -> None:
    uid, command_line = stack.process_user_and_command("app")
    image_user = docker("inspect", "--format", "{{.Config.User}}", stack.container("app"))

    assert uid == "10001"
    assert image_user.strip() == "10001:10001"
    assert command_line == ["python", "-m", "notes_service"]


def test_sigterm_stops_the_app_well_within_the_grace_period(stack: ComposeStack) -> None:
    exit_code, elapsed = stack.stop_with_sigterm("app", timeout=STOP_GRACE_SECONDS)

    # 137 would be SIGKILL: the server ignored SIGTERM and had to be killed.
    assert exit_code in {0, 128 + signal.SIGTERM}
    assert elapsed < STOP_GRACE_SECONDS / 2
