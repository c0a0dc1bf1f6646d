"""The capstone's compose stack with docker-compose.scale.yml on top: nginx and N app replicas.

Built on section 4.7's compose helper; adds the second compose file, the replicas' containers
and loopback ports, and a subnet of the stack's own (the app trusts nginx by its address).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import random
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from course_support.compose_stack import ComposeStack, StackError, compose_command, docker

CAPSTONE = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 120
POLL_SECONDS = 0.5
STAND_IN_NGINX = "local/nginx:stable"  # ../shared/containers/build-stand-in-images builds it


@dataclass(frozen=True)
class ScaledStack(ComposeStack):
    """The capstone's stack with docker-compose.scale.yml on top (nginx, N replicas)."""

    extra_files: tuple[str, ...] = field(default=("docker-compose.scale.yml",))

    def compose(self, *arguments: str, timeout: float = 600) -> str:
        files = [
            f"--file={self.folder / name}" for name in ("docker-compose.yml", *self.extra_files)
        ]
        completed = subprocess.run(
            [
                *self.command,
                f"--project-directory={self.folder}",
                *files,
                f"--env-file={self.env_file}",
                f"--project-name={self.project}",
                *arguments,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise StackError(
                f"compose {' '.join(arguments)} failed (exit {completed.returncode}):\n"
                f"{completed.stdout}\n{completed.stderr}"
            )
        return completed.stdout

    def containers(self, service: str) -> list[str]:
        return sorted(self.compose("ps", "-q", service).split())

    def loopback_url(self, container: str, port: int) -> str:
        """Where the container's port is published on the host; loopback only, or fail."""
        published = docker("port", container, str(port)).split()
        loopback = [address for address in published if address.startswith("127.0.0.1:")]
        if not loopback:
            raise StackError(f"{container}:{port} is not published on loopback: {published}")
        return f"http://{loopback[0]}"

    def wait_healthy_container(self, container: str) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while docker("inspect", "-f", "{{.State.Health.Status}}", container).strip() != "healthy":
            if time.monotonic() > deadline:
                raise StackError(f"{container} not healthy\n{self.logs()}")
            time.sleep(POLL_SECONDS)


def nginx_image() -> str:
    """`NGINX_IMAGE`, else the local stand-in where one was built (no registry), else official."""
    configured = os.environ.get("NGINX_IMAGE")
    if configured:
        return configured
    stand_in = subprocess.run(
        ["docker", "image", "inspect", STAND_IN_NGINX], capture_output=True, timeout=60, check=False
    )
    return STAND_IN_NGINX if stand_in.returncode == 0 else "nginx:stable-alpine"


def free_subnet() -> tuple[str, str]:
    """A /24 no Docker network uses yet (runs side by side must not collide), and its .254."""
    used = [
        ipaddress.ip_network(subnet)
        for network in docker("network", "ls", "-q").split()
        for subnet in docker(
            "network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", network
        ).split()
    ]
    for _ in range(100):
        candidate = ipaddress.ip_network(
            f"10.{random.randint(64, 250)}.{random.randint(0, 255)}.0/24"
        )
        if not any(candidate.overlaps(network) for network in used):
            return str(candidate), str(candidate.network_address + 254)
    raise StackError("no free /24 in 10.64.0.0/10")


@dataclass(frozen=True)
class Cluster:
    stack: ScaledStack
    balancer: str
    replicas: dict[str, str]  # container id -> its loopback URL
    proxy_address: str


def ready(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/health/ready", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def wait_until(condition: Callable[[], bool], message: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(POLL_SECONDS)


@contextlib.contextmanager
def running_cluster(
    replicas: int, variables: Mapping[str, str], *, image: str
) -> Iterator[Cluster]:
    """The stack up with `replicas` app containers, each healthy, nginx answering; `down -v` after.

    `variables` become the project's env file, beside the subnet and address this run uses.
    """
    command = compose_command()
    if command is None:
        raise StackError("neither `docker compose` nor `docker-compose` is installed")
    subnet, proxy_address = free_subnet()
    settings = {
        **variables,
        "TASKMANAGER_IMAGE": image,
        "APP_PORT": "0",  # every replica on a free loopback port of its own
        "PROXY_PORT": "0",
        "FRONTEND_SUBNET": subnet,
        "PROXY_ADDRESS": proxy_address,
        "NGINX_IMAGE": nginx_image(),
    }
    project = f"taskmanager-scale-{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix=f"{project}-") as scratch:
        env_file = Path(scratch) / "stack.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")
        stack = ScaledStack(CAPSTONE, env_file, project, tuple(command))
        try:
            stack.compose("up", "--detach", "--build", "--scale", f"app={replicas}")
            containers = stack.containers("app")
            if len(containers) != replicas:
                raise StackError(f"{len(containers)} app containers, not {replicas}")
            for container in containers:
                stack.wait_healthy_container(container)
            balancer = stack.base_url("proxy", 8080)
            wait_until(lambda: ready(balancer), "the balancer never answered")
            urls = {container: stack.loopback_url(container, 8000) for container in containers}
            yield Cluster(stack, balancer, urls, proxy_address)
        finally:
            stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "20")
