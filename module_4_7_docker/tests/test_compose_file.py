"""docker-compose.yml read as data (task 4.7.2): the promises it makes, checked without an engine.

Where compose is installed, ``config`` validates the file against compose's own schema too.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from course_support.compose_stack import compose_command

pytestmark = pytest.mark.task("4.7.2")

SECTION = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (SECTION / "docker-compose.yml").read_text(encoding="utf-8")
    )
    return loaded


def test_the_database_has_a_healthcheck_and_keeps_its_data_in_a_named_volume(
    compose: dict[str, Any],
) -> None:
    db = compose["services"]["db"]

    assert db["healthcheck"]["test"][0] == "CMD-SHELL"
    assert "pg_isready" in db["healthcheck"]["test"][1]
    volume, _, mount = db["volumes"][0].partition(":")
    assert volume in compose["volumes"]
    assert mount == "/var/lib/postgresql/data"


def test_the_app_starts_only_once_the_database_is_healthy(compose: dict[str, Any]) -> None:
    assert compose["services"]["app"]["depends_on"] == {"db": {"condition": "service_healthy"}}


def test_both_services_restart_on_failure(compose: dict[str, Any]) -> None:
    assert {service["restart"] for service in compose["services"].values()} == {"on-failure"}


def test_the_app_port_is_published_on_loopback_only(compose: dict[str, Any]) -> None:
    ports = compose["services"]["app"]["ports"]

    assert all(str(port).startswith("127.0.0.1:") for port in ports)
    assert "ports" not in compose["services"]["db"]


def test_the_database_is_on_an_internal_network_only(compose: dict[str, Any]) -> None:
    assert compose["services"]["db"]["networks"] == ["backend"]
    assert compose["networks"]["backend"]["internal"] is True


def test_images_come_from_variables_with_official_defaults(compose: dict[str, Any]) -> None:
    assert compose["services"]["db"]["image"] == "${POSTGRES_IMAGE:-postgres:16-alpine}"
    build_args = compose["services"]["app"]["build"]["args"]
    assert build_args["PYTHON_IMAGE"] == "${PYTHON_IMAGE:-python:3.12-slim}"


def test_the_stop_grace_period_outlasts_the_servers_graceful_shutdown(
    compose: dict[str, Any],
) -> None:
    app = compose["services"]["app"]
    grace = int(app["stop_grace_period"].removesuffix("s"))

    assert int(app["environment"]["SERVER_GRACEFUL_SHUTDOWN_SECONDS"]) < grace


def test_every_variable_the_file_uses_is_documented_in_env_example() -> None:
    used = set(re.findall(r"\$\{(\w+)", (SECTION / "docker-compose.yml").read_text("utf-8")))
    example = (SECTION / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*(\w+)=", example, flags=re.MULTILINE))

    assert used - documented == set()


def test_secrets_are_required_not_defaulted(compose: dict[str, Any]) -> None:
    environment = compose["services"]["db"]["environment"]

    assert environment["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_compose_itself_accepts_the_file_with_the_example_env() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose / docker-compose here: checked by the tests above only")
    completed = subprocess.run(
        [*command, "--env-file", str(SECTION / ".env.example"), "config", "--quiet"],
        cwd=SECTION,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
