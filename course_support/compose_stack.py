"""A docker-compose stack driven from tests: its own project name, health polled, always torn down.

Shared by section 4.7's Docker tests and the capstone's (``capstone/tests/docker``). Works with the
``docker compose`` v2 plugin and with ``docker-compose`` v1.29, which has no ``up --wait``: health
is read from ``docker inspect`` until a deadline.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POLL_INTERVAL_SECONDS = 0.5
# `shared/` lies beside the repository (CI clones the repository with a copy of it alongside).
SHARED_CONTAINERS = Path(__file__).resolve().parents[1].parent / "shared" / "containers"
# Local stand-ins for the official base images, for machines that reach no container registry.
STAND_IN_IMAGES = {"PYTHON_IMAGE": "local/python:3.11-slim", "POSTGRES_IMAGE": "local/postgres:15"}


class StackError(AssertionError):
    """A compose command failed or a service never became healthy; carries the stack's logs."""


def _succeeds(command: Sequence[str]) -> bool:
    try:
        completed = subprocess.run(command, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


def compose_command() -> list[str] | None:
    """``docker compose`` (v2) when the plugin is there, else ``docker-compose`` (v1), else None."""
    if shutil.which("docker") and _succeeds(["docker", "compose", "version"]):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def engine_unavailable_reason() -> str | None:
    """Why no stack can run here, or None when a Docker engine and compose both answer."""
    if shutil.which("docker") is None:
        return "no `docker` command on PATH (run ../shared/containers/ensure-docker)"
    if not _succeeds(["docker", "info"]):
        return "the Docker engine does not answer `docker info`"
    if compose_command() is None:
        return "neither `docker compose` nor `docker-compose` is installed"
    return None


@functools.cache
def prepare_engine() -> str | None:
    """Make an engine available where the course's container scripts exist; None when ready.

    With ``shared/containers/`` beside the repository (these machines, their CI) it starts the
    engine, builds the stand-in base images and points ``PYTHON_IMAGE`` / ``POSTGRES_IMAGE`` at
    them unless they are set already. Elsewhere the engine is the developer's own. Otherwise the
    return value says why no stack can run, for a visible skip.
    """
    ensure_docker = SHARED_CONTAINERS / "ensure-docker"
    if ensure_docker.is_file():
        started = subprocess.run(
            ["bash", str(ensure_docker)], capture_output=True, text=True, timeout=600, check=False
        )
        if started.returncode != 0:
            return f"ensure-docker could not start an engine: {started.stdout.strip()}"
        built = subprocess.run(
            ["bash", str(SHARED_CONTAINERS / "build-stand-in-images")],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if built.returncode != 0:
            raise StackError(f"build-stand-in-images failed:\n{built.stdout}\n{built.stderr}")
        for variable, image in STAND_IN_IMAGES.items():
            os.environ.setdefault(variable, image)
    return engine_unavailable_reason()


def docker(*arguments: str, timeout: float = 60) -> str:
    """Run ``docker ...`` and return its standard output; a failure raises :class:`StackError`."""
    completed = subprocess.run(
        ["docker", *arguments], capture_output=True, text=True, timeout=timeout, check=False
    )
    if completed.returncode != 0:
        raise StackError(f"docker {' '.join(arguments)} failed: {completed.stderr.strip()}")
    return completed.stdout


@dataclass(frozen=True)
class ComposeStack:
    """One compose project: ``folder/docker-compose.yml`` with variables from ``env_file``."""

    folder: Path
    env_file: Path
    project: str
    command: tuple[str, ...]

    def compose(self, *arguments: str, timeout: float = 600) -> str:
        """Run a compose command for this project; a failure raises with its output."""
        completed = subprocess.run(
            [
                *self.command,
                "--project-directory",
                str(self.folder),
                "--file",
                str(self.folder / "docker-compose.yml"),
                "--env-file",
                str(self.env_file),
                "--project-name",
                self.project,
                *arguments,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise StackError(
                f"{' '.join(self.command)} {' '.join(arguments)} failed "
                f"(exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
            )
        return completed.stdout

    def container(self, service: str) -> str:
        """The id of the service's (first) container, running or exited."""
        # --all: compose v2 lists only running containers without it (v1.29 lists all anyway).
        container_id = self.compose("ps", "--all", "-q", service).strip().splitlines()
        if not container_id:
            raise StackError(f"service {service!r} has no container\n{self.logs()}")
        return container_id[0]

    def state(self, service: str) -> dict[str, Any]:
        """``docker inspect``'s ``.State`` of the service's container."""
        state: dict[str, Any] = json.loads(
            docker("inspect", "--format", "{{json .State}}", self.container(service))
        )
        return state

    def wait_healthy(self, service: str, timeout: float = 120) -> None:
        """Poll the container's health until ``healthy``; fail early when it gives up or exits."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(service)
            health = (state.get("Health") or {}).get("Status")
            if health == "healthy":
                return
            if health == "unhealthy" or state["Status"] in {"exited", "dead"}:
                raise StackError(f"{service} is {health or state['Status']}\n{self.logs()}")
            if time.monotonic() > deadline:
                raise StackError(f"{service} not healthy after {timeout:.0f} s\n{self.logs()}")
            time.sleep(POLL_INTERVAL_SECONDS)

    def wait_exited(self, service: str, timeout: float = 120) -> int:
        """Poll until a one-shot service's container has exited; return its exit code."""
        deadline = time.monotonic() + timeout
        while (state := self.state(service))["Status"] != "exited":
            if time.monotonic() > deadline:
                raise StackError(f"{service} still running after {timeout:.0f} s\n{self.logs()}")
            time.sleep(POLL_INTERVAL_SECONDS)
        return int(state["ExitCode"])

    def stop(self, service: str, timeout: float) -> int:
        """``stop`` the service (SIGTERM, then SIGKILL after ``timeout`` s); its exit code.

        137 (128 + SIGKILL) means the process ignored SIGTERM until the grace period ran out.
        """
        self.compose("stop", "--timeout", str(int(timeout)), service, timeout=timeout + 60)
        return int(self.state(service)["ExitCode"])

    def process_user_and_command(self, service: str) -> tuple[str, list[str]]:
        """The uid the service's container runs as, and PID 1's command line."""
        container = self.container(service)
        uid = docker("exec", container, "id", "-u").strip()
        command_line = docker("exec", container, "cat", "/proc/1/cmdline").rstrip("\0")
        return uid, command_line.split("\0")

    def base_url(self, service: str, container_port: int) -> str:
        """``http://127.0.0.1:PORT`` where the service's port is published on the host."""
        published = self.compose("port", service, str(container_port)).strip()
        host, _, port = published.rpartition(":")
        if not port.isdigit():
            raise StackError(f"{service}:{container_port} is not published ({published!r})")
        return f"http://{host}:{port}"

    def down(self) -> None:
        """Remove the project's containers, networks and volumes."""
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "20")

    def logs(self) -> str:
        """The last lines of every service's log, for failure messages."""
        try:
            return self.compose("logs", "--no-color", "--tail", "60", timeout=60)
        except (StackError, subprocess.TimeoutExpired) as error:
            return f"(no logs: {error})"


@contextlib.contextmanager
def compose_stack(
    folder: Path, variables: Mapping[str, str], *, prefix: str
) -> Iterator[ComposeStack]:
    """A stack under a fresh project name; ``down -v`` removes it and its volumes, whatever happens.

    ``variables`` become the project's env file (the stack's ``.env`` is not read), so a test
    never depends on, or overwrites, a developer's own ``.env``.
    """
    command = compose_command()
    if command is None:
        raise StackError("neither `docker compose` nor `docker-compose` is installed")
    project = f"{prefix}-{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix=f"{project}-") as scratch:
        env_file = Path(scratch) / "stack.env"
        env_file.write_text(
            "".join(f"{name}={value}\n" for name, value in variables.items()), encoding="utf-8"
        )
        stack = ComposeStack(folder, env_file, project, tuple(command))
        try:
            yield stack
        except BaseException:
            # The body's error says what went wrong; `down` on a file compose cannot even read
            # (nothing was created) would only hide it behind its own.
            with contextlib.suppress(StackError):
                stack.down()
            raise
        stack.down()
