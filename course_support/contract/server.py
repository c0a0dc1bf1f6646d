"""Serve the repository's capstone (`taskmanager serve`) for the contract suite, and stop it after.

The project is installed into its own environment (``uv sync``, ``--locked`` when it has a
``uv.lock``) and served on a free port with ``DATABASE_URL`` naming a fresh embedded PostgreSQL,
``ENVIRONMENT=test`` and cheap bcrypt. In the learner's edition the capstone is the learner's.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from course_support.catalogue import REPOSITORY_ROOT
from course_support.postgres import embedded_postgres, to_sqlalchemy_url

CAPSTONE = REPOSITORY_ROOT / "capstone"
DEFAULT_ENVIRONMENT = REPOSITORY_ROOT / ".nox" / "contract-capstone"
READY_DEADLINE_SECONDS = 120.0
STOP_DEADLINE_SECONDS = 30.0


class ServerError(RuntimeError):
    """The capstone could not be installed or did not become ready."""


@dataclass(frozen=True)
class RunningServer:
    """A served capstone: where it listens, and an admin account it created at start."""

    base_url: str
    admin_email: str
    admin_password: str


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def ensure_capstone_environment(
    capstone: Path = CAPSTONE, environment: Path = DEFAULT_ENVIRONMENT
) -> Path:
    """Install the capstone's locked dependencies into ``environment``; its `taskmanager` path."""
    uv = shutil.which("uv")
    if uv is None:
        raise ServerError("uv is not on PATH (see README.md: the pinned tools)")
    locked = ["--locked"] if (capstone / "uv.lock").is_file() else []
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [uv, "sync", *locked, "--quiet", "--project", str(capstone)],
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(environment)},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ServerError(f"uv sync of {capstone} failed:\n{result.stderr}")
    return environment / "bin" / "taskmanager"


def wait_until_ready(
    base_url: str, process: subprocess.Popen[bytes], deadline_seconds: float
) -> None:
    """Poll ``/health/ready`` until it answers 200; fail early if the process exits."""
    # urllib rather than httpx: importing httpx (and anyio) before pytest starts would keep
    # pytest from rewriting anyio's plugin, and pytest warns about it.
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"the server exited with status {process.returncode}")
        with (
            contextlib.suppress(OSError),  # refused, reset, or an HTTP error status
            urllib.request.urlopen(f"{base_url}/health/ready", timeout=2.0) as response,  # noqa: S310 - http://127.0.0.1 only
        ):
            if response.status == 200:
                return
        time.sleep(0.1)  # a poll interval, not a wait for an event
    raise ServerError(f"{base_url}/health/ready did not answer 200 in {deadline_seconds:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a graceful shutdown that also stops the embedded PostgreSQL), then SIGKILL."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def served_capstone(executable: Path) -> Iterator[RunningServer]:
    """Run ``taskmanager serve`` on a free port until the block ends; its log goes to a file."""
    port = free_port()
    server = RunningServer(
        base_url=f"http://127.0.0.1:{port}",
        admin_email=f"contract-admin-{secrets.token_hex(4)}@example.com",
        admin_password="Admin-" + secrets.token_urlsafe(12) + "-9a",
    )
    with (
        tempfile.TemporaryDirectory(prefix="contract-capstone-") as folder,
        embedded_postgres() as database_url,
    ):
        environment = {key: value for key, value in os.environ.items() if key != "JWT_SECRET"}
        environment |= {
            "DATABASE_URL": to_sqlalchemy_url(database_url),
            "ENVIRONMENT": "test",
            "BCRYPT_ROUNDS": "4",
            "FIRST_ADMIN_EMAIL": server.admin_email,
            "FIRST_ADMIN_PASSWORD": server.admin_password,
            "LOG_LEVEL": "WARNING",
        }
        log_path = Path(folder) / "server.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(  # noqa: S603 - our own executable
                [str(executable), "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=folder,
                env=environment,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            try:
                try:
                    wait_until_ready(server.base_url, process, READY_DEADLINE_SECONDS)
                except ServerError as error:
                    stop(process)
                    tail = log_path.read_text(errors="replace")[-2000:]
                    raise ServerError(f"{error}; its log ends:\n{tail}") from None
                yield server
            finally:
                stop(process)
