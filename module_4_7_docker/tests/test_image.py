"""The image built and run for real (task 4.7.1): ``docker build`` on this folder, then serve.

Marked ``docker``: ``nox -s docker_smoke`` runs them, and ``nox -s grade -- --task 4.7.1``; with no
engine they skip and the task is "not checked". The image serves beside a PostgreSQL container
from a compose file of the test's own, so this grades the Dockerfile alone, not 4.7.2's file.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from course_support.compose_stack import ComposeStack, compose_stack, docker

from .docker_helpers import require_engine, wait_serving

pytestmark = pytest.mark.docker

SECTION = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 600
STOP_GRACE_SECONDS = 15

# The image under test beside a database; nothing here comes from the section's compose file.
SERVE_BESIDE_POSTGRES = """\
services:
  db:
    image: ${POSTGRES_IMAGE:-postgres:16-alpine}
    environment:
      POSTGRES_USER: notes
      POSTGRES_PASSWORD: ${PASSWORD}
      POSTGRES_DB: notes
  app:
    image: ${IMAGE}
    environment:
      DATABASE_URL: postgresql://notes:${PASSWORD}@db:5432/notes
    ports:
      - "127.0.0.1::8000"
"""


@dataclass(frozen=True)
class Build:
    """``docker build``'s outcome: the tag, and the output to show when it failed."""

    tag: str
    returncode: int
    output: str

    def require(self) -> str:
        """The tag of the built image; fails the calling test when the build did not succeed."""
        if self.returncode != 0:
            pytest.fail(f"docker build failed (exit {self.returncode}):\n{self.output[-4000:]}")
        return self.tag


@pytest.fixture(scope="module")
def build() -> Iterator[Build]:
    """The section's Dockerfile built once per module (an image is read-only: tests share it)."""
    require_engine()
    tag = f"notes-service:test-{uuid.uuid4().hex[:10]}"
    python_image = os.environ.get("PYTHON_IMAGE")
    completed = subprocess.run(
        [
            "docker",
            "build",
            *(["--build-arg", f"PYTHON_IMAGE={python_image}"] if python_image else []),
            "--tag",
            tag,
            str(SECTION),
        ],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    yield Build(tag, completed.returncode, completed.stdout + completed.stderr)
    if completed.returncode == 0:
        subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True, check=False)


@pytest.fixture
def served(build: Build, tmp_path: Path) -> Iterator[tuple[ComposeStack, str]]:
    """The image serving beside a fresh PostgreSQL, in a project of its own; the API's URL."""
    image = build.require()
    (tmp_path / "docker-compose.yml").write_text(SERVE_BESIDE_POSTGRES, encoding="utf-8")
    variables = {"IMAGE": image, "PASSWORD": secrets.token_urlsafe(18)}
    if "POSTGRES_IMAGE" in os.environ:
        variables["POSTGRES_IMAGE"] = os.environ["POSTGRES_IMAGE"]
    with compose_stack(tmp_path, variables, prefix="notes-image") as stack:
        stack.compose("up", "--detach")
        yield stack, wait_serving(stack)


@pytest.mark.task("4.7.1", level="core")
def test_docker_build_succeeds_on_the_section_folder(build: Build) -> None:
    tag = build.require()

    assert docker("image", "inspect", "--format", "{{.Id}}", tag).startswith("sha256:")


@pytest.mark.task("4.7.1", level="core")
def test_the_image_serves_the_notes_api_and_reaches_the_database(
    served: tuple[ComposeStack, str],
) -> None:
    _, api = served

    created = httpx.post(f"{api}/notes", json={"title": "from a container"}, timeout=10)
    assert created.status_code == 201, created.text
    assert httpx.get(f"{api}/notes/{created.json()['id']}", timeout=10).json() == created.json()
    assert httpx.get(f"{api}/health", timeout=10).json() == {"status": "ok", "database": "ok"}


@pytest.mark.task("4.7.1", level="extra")
def test_the_app_runs_as_an_unprivileged_user_with_the_server_as_pid_1(
    served: tuple[ComposeStack, str],
) -> None:
    stack, _ = served
    uid, command_line = stack.process_user_and_command("app")
    image_user = docker("inspect", "--format", "{{.Config.User}}", stack.container("app"))

    assert uid == "10001"
    assert image_user.strip() == "10001:10001"
    assert command_line == ["python", "-m", "notes_service"]


@pytest.mark.task("4.7.1", level="extra")
def test_docker_reports_the_container_healthy_through_the_images_healthcheck(
    served: tuple[ComposeStack, str],
) -> None:
    stack, _ = served
    assert "Health" in stack.state("app"), "the image declares no HEALTHCHECK"

    stack.wait_healthy("app")  # raises unless the image's HEALTHCHECK reports healthy

    assert stack.state("app")["Health"]["Status"] == "healthy"


@pytest.mark.task("4.7.1", level="extra")
def test_docker_stop_ends_the_server_with_sigterm_before_the_grace_period_runs_out(
    served: tuple[ComposeStack, str],
) -> None:
    stack, _ = served

    exit_code = stack.stop("app", timeout=STOP_GRACE_SECONDS)

    # 137 (128 + SIGKILL): the server never saw or ignored SIGTERM, and Docker killed it after the
    # grace period (a shell as PID 1 that does not pass the signal on does that).
    assert exit_code in {0, 143}, stack.logs()
    assert "Application shutdown complete" in stack.compose("logs", "--no-color", "app")
