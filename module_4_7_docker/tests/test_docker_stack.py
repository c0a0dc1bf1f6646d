"""The section's compose stack for real (task 4.7.3): up, write, read back, recreate, read again.

Marked ``docker``: ``nox -s docker_smoke`` runs them, and ``nox -s grade -- --task 4.7.3``; with no
engine they skip and the task is "not checked". The stack is built and started once per module
under a project name of its own; before each test, ``serving`` brings it back up (a test may stop
or recreate it), so every test finds it serving whatever ran before. ``down -v`` always ends it.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from course_support.compose_stack import ComposeStack, compose_stack, docker

from .docker_helpers import require_engine, wait_serving

pytestmark = pytest.mark.docker

SECTION = Path(__file__).resolve().parents[1]
STOP_GRACE_SECONDS = 15  # docker-compose.yml: stop_grace_period


@pytest.fixture(scope="module")
def stack() -> Iterator[ComposeStack]:
    """The section's stack, built and started with a random password and any free host port."""
    require_engine()
    variables = {
        "POSTGRES_USER": "notes",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "POSTGRES_DB": "notes",
        "NOTES_PORT": "0",  # any free host port; the tests ask compose which one
        "NOTES_IMAGE": f"notes-service:smoke-{uuid.uuid4().hex[:10]}",
    }
    with compose_stack(SECTION, variables, prefix="notes-smoke") as running:
        running.compose("up", "--detach", "--build")
        yield running
    # The tag is this run's own (its layers stay cached for the next build); never `down --rmi
    # all`, which would delete the PostgreSQL base image too.
    subprocess.run(
        ["docker", "image", "rm", "--force", variables["NOTES_IMAGE"]],
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def api(stack: ComposeStack) -> str:
    """The stack up and serving (``up`` again restarts what an earlier test stopped); its URL."""
    stack.compose("up", "--detach")
    return wait_serving(stack)


@pytest.mark.task("4.7.3", level="core")
def test_a_note_written_through_the_api_reads_back_from_the_database(api: str) -> None:
    title = f"note {secrets.token_hex(4)}"

    created = httpx.post(f"{api}/notes", json={"title": title, "body": "in PostgreSQL"}, timeout=10)

    assert created.status_code == 201, created.text
    assert httpx.get(f"{api}/notes/{created.json()['id']}", timeout=10).json() == created.json()
    listed = httpx.get(f"{api}/notes", params={"limit": 100}, timeout=10).json()["items"]
    assert created.json() in listed
    assert httpx.get(f"{api}/health", timeout=10).json() == {"status": "ok", "database": "ok"}


@pytest.mark.task("4.7.3", level="core")
def test_notes_survive_recreating_the_whole_stack(stack: ComposeStack, api: str) -> None:
    created = httpx.post(f"{api}/notes", json={"title": "kept in a volume"}, timeout=10).json()

    # `down` without -v removes the containers and networks and keeps the named volume.
    stack.compose("down", "--timeout", str(STOP_GRACE_SECONDS))
    stack.compose("up", "--detach")
    api = wait_serving(stack)

    assert httpx.get(f"{api}/notes/{created['id']}", timeout=10).json() == created


@pytest.mark.task("4.7.2", level="extra")
def test_both_services_become_healthy_through_their_healthchecks(
    stack: ComposeStack, api: str
) -> None:
    for service in ("db", "app"):
        assert "Health" in stack.state(service), f"{service} has no healthcheck"
        stack.wait_healthy(service)

    assert {stack.state(service)["Health"]["Status"] for service in ("db", "app")} == {"healthy"}


@pytest.mark.task("4.7.3", level="extra")
def test_the_database_publishes_no_port_on_the_host(stack: ComposeStack, api: str) -> None:
    # The app reaches PostgreSQL over the compose network by service name; the host does not.
    bindings = json.loads(
        docker("inspect", "--format", "{{json .HostConfig.PortBindings}}", stack.container("db"))
    )

    assert not bindings


@pytest.mark.task("4.7.3", level="extra")
def test_docker_stop_ends_the_app_before_its_grace_period_runs_out(
    stack: ComposeStack, api: str
) -> None:
    exit_code = stack.stop("app", timeout=STOP_GRACE_SECONDS)

    # 137 (128 + SIGKILL) would mean the server ignored SIGTERM until the grace period ran out.
    assert exit_code in {0, 143}, stack.logs()
