"""The compose helper the Docker tests use, on a tiny stack of its own (skipped with no engine)."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest

from course_support import compose_stack as helper
from course_support.compose_stack import StackError, compose_stack, docker

pytestmark = pytest.mark.support

STACK = """\
services:
  web:
    image: ${PYTHON_IMAGE:-python:3.12-slim}
    # As PID 1 without a SIGTERM handler, python ignores SIGTERM: `stop` must SIGKILL it.
    command: ["python3", "-m", "http.server", "8000"]
    ports:
      - "127.0.0.1::8000"
    healthcheck:
      test: ["CMD", "python3", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000')"]
      interval: 1s
      retries: 60
  once:
    image: ${PYTHON_IMAGE:-python:3.12-slim}
    command: ["python3", "-c", "raise SystemExit(3)"]
"""


@pytest.fixture
def engine() -> None:
    reason = helper.prepare_engine()
    if reason:
        pytest.skip(f"no Docker engine: {reason}")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "docker-compose.yml").write_text(STACK, encoding="utf-8")
    return tmp_path


def variables() -> dict[str, str]:
    return {"PYTHON_IMAGE": os.environ.get("PYTHON_IMAGE", "python:3.12-slim")}


def test_without_docker_on_path_the_reason_names_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert helper.compose_command() is None
    assert "docker" in (helper.engine_unavailable_reason() or "")
    with pytest.raises(StackError, match="compose"), compose_stack(tmp_path, {}, prefix="none"):
        pass


def test_a_stack_is_driven_through_its_life_and_removed_at_the_end(
    engine: None, folder: Path
) -> None:
    with compose_stack(folder, variables(), prefix="support-stack") as stack:
        stack.compose("up", "--detach")
        stack.wait_healthy("web")
        assert stack.wait_exited("once") == 3
        with urllib.request.urlopen(stack.base_url("web", 8000), timeout=10) as response:
            assert response.status == 200
        uid, command_line = stack.process_user_and_command("web")
        assert (uid, command_line) == ("0", ["python3", "-m", "http.server", "8000"])
        assert stack.stop("web", timeout=1) == 137
        assert "web" in stack.logs()
        project = stack.project

    left = docker(
        "ps", "--all", "--quiet", "--filter", f"label=com.docker.compose.project={project}"
    )
    assert left.strip() == ""


def test_failures_raise_with_the_commands_output(engine: None, folder: Path) -> None:
    with compose_stack(folder, variables(), prefix="support-fail") as stack:
        with pytest.raises(StackError, match="no-such-service"):
            stack.compose("up", "--detach", "no-such-service")
        with pytest.raises(StackError, match="has no container"):
            stack.container("web")
        stack.compose("up", "--detach", "once")
        with pytest.raises(StackError, match="once is exited"):
            stack.wait_healthy("once")
        with pytest.raises(StackError, match="failed"):
            docker("inspect", "no-such-container-anywhere")
