"""`cd capstone && docker-compose up` for real (task 4.8.1): build, migrate once, serve, keep data.

Run by `nox -s docker_smoke` in the capstone's environment; the compose helper comes from
``course_support`` through the repository root on PYTHONPATH. Without a Docker engine the tests
skip and say why. The stack is built once per module; the ``api`` fixture brings it back up
before each test (one recreates it, one stops the app), so no test depends on another's order.
"""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from course_support.compose_stack import (
    ComposeStack,
    compose_command,
    compose_stack,
    prepare_engine,
)
from module_4_7_docker.dockerfile_lint import lint

pytestmark = [pytest.mark.docker, pytest.mark.task("4.8.1", level="core")]

CAPSTONE = Path(__file__).resolve().parents[2]
IMAGE = "taskmanager:smoke"
STOP_GRACE_SECONDS = 15  # docker-compose.yml: the app's stop_grace_period
PASSWORD = "Smoke-Test-Passw0rd"


@pytest.fixture(scope="module")
def engine() -> None:
    reason = prepare_engine()
    if reason:
        pytest.skip(f"no Docker engine: {reason}")


def wait_until_serving(stack: ComposeStack) -> str:
    """Wait for the database, the one-shot migration and the app; the API's base URL."""
    stack.wait_healthy("db")
    assert stack.wait_exited("migrate") == 0, stack.logs()
    stack.wait_healthy("app")
    api = stack.base_url("app", 8000)
    assert httpx.get(f"{api}/health/ready").json() == {"status": "ok", "database": "ok"}
    return api


@pytest.fixture(scope="module")
def stack(engine: None) -> Iterator[ComposeStack]:
    """The capstone stack built and serving, under a project name of its own."""
    variables = {
        "ENVIRONMENT": "production",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "POSTGRES_USER": "taskmanager",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "POSTGRES_DB": "taskmanager",
        "APP_PORT": "0",  # any free host port; the test asks compose which one
        "TASKMANAGER_IMAGE": IMAGE,
        "BCRYPT_ROUNDS": "4",
    }
    with compose_stack(CAPSTONE, variables, prefix="taskmanager-smoke") as running:
        running.compose("up", "--detach", "--build")
        yield running


@pytest.fixture
def api(stack: ComposeStack) -> str:
    """The stack serving, whatever an earlier test did to it; the API's base URL."""
    stack.compose("up", "--detach")
    return wait_until_serving(stack)


def log_in(api: str, email: str) -> dict[str, str]:
    response = httpx.post(
        f"{api}/api/v1/auth/login", data={"username": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_task_created_through_the_api_survives_recreating_the_whole_stack(
    stack: ComposeStack, api: str
) -> None:
    email = f"smoke-{secrets.token_hex(4)}@example.com"
    registered = httpx.post(
        f"{api}/api/v1/auth/register", json={"email": email, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    headers = log_in(api, email)
    created = httpx.post(
        f"{api}/api/v1/tasks",
        json={"title": "survive a restart", "tags": ["smoke"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    task = created.json()

    # `down` without -v removes the containers and networks and keeps the named volume.
    stack.compose("down", "--timeout", str(STOP_GRACE_SECONDS))
    stack.compose("up", "--detach")
    api = wait_until_serving(stack)

    headers = log_in(api, email)
    assert httpx.get(f"{api}/api/v1/users/me", headers=headers).json()["email"] == email
    assert httpx.get(f"{api}/api/v1/tasks/{task['id']}", headers=headers).json() == task


def test_swagger_docs_are_served_from_the_container(api: str) -> None:
    response = httpx.get(f"{api}/docs")

    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_the_app_runs_as_an_unprivileged_user_with_the_server_as_pid_1(
    stack: ComposeStack, api: str
) -> None:
    uid, command_line = stack.process_user_and_command("app")

    assert uid == "10001"
    assert Path(command_line[1]).name == "taskmanager"
    assert command_line[2] == "serve"


def test_production_refuses_the_placeholder_secret_of_env_example(stack: ComposeStack) -> None:
    example = (CAPSTONE / ".env.example").read_text(encoding="utf-8")
    placeholder = re.search(r"^JWT_SECRET=(.*)$", example, flags=re.MULTILINE)
    assert placeholder is not None

    run = ["docker", "run", "--rm", "--network", "none", "--env", "ENVIRONMENT=production"]
    refused = subprocess.run(
        [*run, "--env", f"JWT_SECRET={placeholder.group(1)}", IMAGE, "taskmanager", "migrate"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert refused.returncode == 2
    assert "JWT_SECRET" in refused.stderr
    assert placeholder.group(1) not in refused.stderr


def test_docker_stop_ends_the_app_before_its_grace_period_runs_out(
    stack: ComposeStack, api: str
) -> None:
    exit_code = stack.stop("app", timeout=STOP_GRACE_SECONDS)

    # 137 (128 + SIGKILL): the server ignored SIGTERM until the grace period ran out.
    assert exit_code in {0, 128 + signal.SIGTERM}, stack.logs()


def test_plain_docker_compose_up_serves_a_development_stack_without_any_env_file(
    engine: None,
) -> None:
    # The course's checklist: the application starts with one `docker-compose up`. Only the
    # host port and the image tag are chosen here, so parallel runs never collide.
    variables = {"APP_PORT": "0", "TASKMANAGER_IMAGE": IMAGE}
    with compose_stack(CAPSTONE, variables, prefix="taskmanager-plain") as running:
        running.compose("up", "--detach", "--build")
        api = wait_until_serving(running)

        docs = httpx.get(f"{api}/docs")
        registered = httpx.post(
            f"{api}/api/v1/auth/register",
            json={"email": "plain@example.com", "password": PASSWORD},
        )

    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    assert registered.status_code == 201, registered.text


def test_the_dockerfile_passes_the_section_4_7_lint() -> None:
    assert lint((CAPSTONE / "Dockerfile").read_text(encoding="utf-8")) == []


def test_compose_accepts_the_file_with_the_example_env(engine: None) -> None:
    command = compose_command()
    assert command is not None
    completed = subprocess.run(
        [*command, "--env-file", str(CAPSTONE / ".env.example"), "config", "--quiet"],
        cwd=CAPSTONE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
