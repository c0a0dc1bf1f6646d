"""Three app replicas behind nginx (docker-compose.scale.yml), for real (task 4.8.1).

The service is stateless: sessions, revocations and failed logins live in PostgreSQL, so what
one replica does, every replica knows. Requests go through the balancer, or to one replica
directly on the loopback port compose publishes it on (never to a container's own address).
Run by `nox -s docker_smoke`; without a Docker engine the tests skip and say why.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import subprocess
import threading
from collections.abc import Iterator

import httpx
import pytest

from course_support.compose_stack import docker, prepare_engine
from tests.docker.scaled_stack import Cluster, running_cluster, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.task("4.8.1", level="extra")]

IMAGE = "taskmanager:scale"
REPLICAS = 3
PASSWORD = "Scale-Test-Passw0rd"
NEW_PASSWORD = "Scale-Test-Passw0rd-2"
MAX_BODY_BYTES = 65_536
LOGIN_MAX_FAILURES = 5  # the setting's default: docker-compose.yml does not pass it


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    reason = prepare_engine()
    if reason:
        pytest.skip(f"no Docker engine: {reason}")
    variables = {
        "ENVIRONMENT": "production",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "BCRYPT_ROUNDS": "4",
        "MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    }
    with running_cluster(REPLICAS, variables, image=IMAGE) as running:
        yield running


def register(base_url: str) -> str:
    email = f"scale-{secrets.token_hex(6)}@example.com"
    answer = httpx.post(
        f"{base_url}/api/v1/auth/register", json={"email": email, "password": PASSWORD}
    )
    assert answer.status_code == 201, answer.text
    return email


def log_in(base_url: str, email: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(
        f"{base_url}/api/v1/auth/login", data={"username": email, "password": password}
    )


def tokens(base_url: str, email: str, password: str = PASSWORD) -> dict[str, str]:
    answer = log_in(base_url, email, password)
    assert answer.status_code == 200, answer.text
    pair: dict[str, str] = answer.json()
    return pair


def me_status(base_url: str, access_token: str) -> int:
    headers = {"Authorization": f"Bearer {access_token}"}
    return httpx.get(f"{base_url}/api/v1/users/me", headers=headers).status_code


def refresh(base_url: str, refresh_token: str) -> httpx.Response:
    return httpx.post(f"{base_url}/api/v1/auth/refresh", json={"refresh_token": refresh_token})


def replica_logs(cluster: Cluster) -> list[dict[str, object]]:
    """Every JSON log line of every replica, with the container's id under `instance`."""
    lines = []
    for container in cluster.replicas:
        completed = subprocess.run(
            ["docker", "logs", container], capture_output=True, text=True, timeout=60, check=True
        )
        for line in (completed.stdout + completed.stderr).splitlines():
            with contextlib.suppress(ValueError):
                lines.append({**json.loads(line), "instance": container})
    return lines


@pytest.fixture
def forget_failed_logins(cluster: Cluster) -> Iterator[None]:
    """Every direct request comes from one address (Docker's gateway), whose failed logins
    count as well: start from none, and leave none behind for the tests that log in after."""

    def forget() -> None:
        database = cluster.stack.container("db")
        statement = "DELETE FROM login_failures"
        docker("exec", database, "psql", "-U", "taskmanager", "-d", "taskmanager", "-qc", statement)

    forget()
    yield
    forget()


def test_each_replica_is_published_on_loopback_and_told_apart_in_its_metrics(
    cluster: Cluster,
) -> None:
    names = set()
    for container, url in cluster.replicas.items():
        assert url.startswith("http://127.0.0.1:")
        metrics = httpx.get(f"{url}/metrics").text
        found = re.search(r'taskmanager_instance_info\{instance_name="([^"]+)"\} 1\.0', metrics)
        assert found, metrics
        assert container.startswith(found.group(1))  # the container's host name: its short id
        names.add(found.group(1))

    assert len(names) == REPLICAS


def test_the_balancer_hides_metrics_and_passes_the_request_id_through(cluster: Cluster) -> None:
    assert httpx.get(f"{cluster.balancer}/metrics").status_code == 404
    assert httpx.get(f"{cluster.balancer}//metrics").status_code == 404
    assert httpx.get(f"{cluster.balancer}/%6Detrics").status_code == 404

    answer = httpx.get(f"{cluster.balancer}/health/live", headers={"X-Request-ID": "scale-id-1"})
    generated = httpx.get(f"{cluster.balancer}/health/live")

    assert answer.headers["X-Request-ID"] == "scale-id-1"
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["X-Request-ID"])


def test_the_balancer_refuses_bodies_over_the_apps_limit(cluster: Cluster) -> None:
    """nginx gets MAX_BODY_BYTES too (64 KiB here, not its own 1 MiB default), and refuses first."""
    email = register(cluster.balancer)
    headers = {"Authorization": f"Bearer {tokens(cluster.balancer, email)['access_token']}"}

    def post_task(body_bytes: int) -> httpx.Response:
        body = {"title": "big", "description": "x" * body_bytes}
        return httpx.post(f"{cluster.balancer}/api/v1/tasks", json=body, headers=headers)

    under = post_task(MAX_BODY_BYTES - 1_000)
    over = post_task(MAX_BODY_BYTES + 1_000)

    # Under the limit nginx passes it on, and the app judges it (too long a description).
    assert under.status_code == 422
    assert under.headers["content-type"] == "application/problem+json"
    # Over it, nginx answers itself: the app never reads the body.
    assert over.status_code == 413
    assert over.headers["content-type"].startswith("text/html")


def test_the_balancer_spreads_requests_over_every_replica(cluster: Cluster) -> None:
    email = register(cluster.balancer)
    access = tokens(cluster.balancer, email)["access_token"]
    marker = f"spread-{secrets.token_hex(4)}"
    with httpx.Client(base_url=cluster.balancer) as client:
        for number in range(3 * REPLICAS):
            me = client.get(
                "/api/v1/users/me",
                headers={"Authorization": f"Bearer {access}", "X-Request-ID": f"{marker}-{number}"},
            )
            assert me.status_code == 200

    answered_by = {
        line["instance"]
        for line in replica_logs(cluster)
        if str(line.get("request_id", "")).startswith(marker)
    }
    assert answered_by == set(cluster.replicas)


def test_the_client_address_is_the_one_nginx_saw_and_cannot_be_forged_directly(
    cluster: Cluster,
) -> None:
    marker = f"addr-{secrets.token_hex(4)}"
    through = httpx.get(
        f"{cluster.balancer}/health/live",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Request-ID": f"{marker}-proxy"},
    )
    direct_url = next(iter(cluster.replicas.values()))
    direct = httpx.get(
        f"{direct_url}/health/live",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Request-ID": f"{marker}-direct"},
    )
    assert through.status_code == direct.status_code == 200

    clients = {
        str(line["request_id"]): line["client"]
        for line in replica_logs(cluster)
        if str(line.get("request_id", "")).startswith(marker)
    }
    # Through nginx: the address nginx accepted the connection from (Docker's gateway, as the
    # host's connection arrives through the published port), not nginx's own, not the forgery.
    assert clients[f"{marker}-proxy"] not in {cluster.proxy_address, "203.0.113.9"}
    # Directly: the header is ignored, the peer is the gateway again.
    assert clients[f"{marker}-direct"] == clients[f"{marker}-proxy"]


def test_refresh_logout_and_password_change_take_effect_on_every_replica(
    cluster: Cluster,
) -> None:
    replicas = list(cluster.replicas.values())
    email = register(cluster.balancer)

    # A refresh on one replica: the new access token works everywhere, the used-up refresh
    # token is refused everywhere, and presenting it revoked the whole session everywhere.
    first = tokens(cluster.balancer, email)
    renewed = refresh(replicas[0], first["refresh_token"])
    assert renewed.status_code == 200
    second = renewed.json()
    assert [me_status(url, second["access_token"]) for url in replicas] == [200] * REPLICAS
    assert refresh(replicas[1], first["refresh_token"]).status_code == 401
    assert [me_status(url, second["access_token"]) for url in replicas] == [401] * REPLICAS
    assert refresh(replicas[2], second["refresh_token"]).status_code == 401

    # A logout on one replica ends that session on all.
    session = tokens(cluster.balancer, email)
    assert [me_status(url, session["access_token"]) for url in replicas] == [200] * REPLICAS
    logout = httpx.post(
        f"{replicas[1]}/api/v1/auth/logout", json={"refresh_token": session["refresh_token"]}
    )
    assert logout.status_code == 204
    assert [me_status(url, session["access_token"]) for url in replicas] == [401] * REPLICAS
    assert refresh(replicas[2], session["refresh_token"]).status_code == 401

    # A password change on one replica revokes every session, and the old password, on all.
    one, other = tokens(cluster.balancer, email), tokens(cluster.balancer, email)
    changed = httpx.post(
        f"{replicas[2]}/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"Authorization": f"Bearer {one['access_token']}"},
    )
    assert changed.status_code == 204, changed.text
    for pair in (one, other):
        assert [me_status(url, pair["access_token"]) for url in replicas] == [401] * REPLICAS
    assert log_in(replicas[0], email).status_code == 401
    assert log_in(replicas[1], email, NEW_PASSWORD).status_code == 200


@pytest.mark.usefixtures("forget_failed_logins")
def test_the_failed_login_limit_counts_across_replicas(cluster: Cluster) -> None:
    replicas = list(cluster.replicas.values())
    email = register(cluster.balancer)

    statuses = [
        log_in(replicas[attempt % REPLICAS], email, "Wrong-Passw0rd").status_code
        for attempt in range(LOGIN_MAX_FAILURES)
    ]
    refused = [log_in(url, email) for url in replicas]  # even the right password, everywhere

    assert statuses == [401] * LOGIN_MAX_FAILURES
    assert [answer.status_code for answer in refused] == [429] * REPLICAS
    assert all(int(answer.headers["Retry-After"]) > 0 for answer in refused)


def test_stopping_a_replica_loses_no_read_and_no_data(cluster: Cluster) -> None:
    email = register(cluster.balancer)
    headers = {"Authorization": f"Bearer {tokens(cluster.balancer, email)['access_token']}"}
    created = [
        httpx.post(f"{cluster.balancer}/api/v1/tasks", json={"title": f"task {n}"}, headers=headers)
        for n in range(6)
    ]
    assert {answer.status_code for answer in created} == {201}
    stopped = next(iter(cluster.replicas))
    statuses: list[int] = []
    stopping = threading.Event()

    def read_while_stopping() -> None:
        with httpx.Client(base_url=cluster.balancer, timeout=30) as client:
            # Bounded: reads until the stop is over, then as many again.
            while not stopping.is_set() and len(statuses) < 2000:
                statuses.append(client.get("/api/v1/tasks", headers=headers).status_code)
            for _ in range(50):
                statuses.append(client.get("/api/v1/tasks", headers=headers).status_code)

    reader = threading.Thread(target=read_while_stopping)
    reader.start()
    try:
        wait_until(lambda: len(statuses) >= 10, "no read went through before the stop")
        docker("stop", stopped, timeout=60)
    finally:
        stopping.set()
        reader.join(timeout=300)
    try:
        assert set(statuses) == {200}, sorted(set(statuses))
        listed = httpx.get(f"{cluster.balancer}/api/v1/tasks", headers=headers).json()
        assert sorted(task["id"] for task in listed["items"]) == sorted(
            answer.json()["id"] for answer in created
        )
    finally:
        docker("start", stopped)
        cluster.stack.wait_healthy_container(stopped)
