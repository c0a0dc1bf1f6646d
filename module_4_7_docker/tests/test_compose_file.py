"""docker-compose.yml read as data (task 4.7.2): services and settings, checked with no engine.

Where compose is installed, ``config`` validates the file against compose's own schema too.
``test_docker_stack.py`` (4.7.3) then runs it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from course_support.compose_stack import compose_command

SECTION = Path(__file__).resolve().parents[1]
COMPOSE_FILE = SECTION / "docker-compose.yml"
POSTGRES_DATA = "/var/lib/postgresql/data"
# What the tests set, as `.env` would; distinct values, so a hard-coded copy cannot match them.
VARIABLES = {
    "POSTGRES_USER": "grader",
    "POSTGRES_PASSWORD": "pw-4-7-2",
    "POSTGRES_DB": "graded_notes",
    "NOTES_PORT": "18123",
}
_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)")


def interpolate(value: Any, variables: dict[str, str]) -> Any:
    """Resolve ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}`` and ``$$`` as compose does."""
    if isinstance(value, dict):
        return {key: interpolate(each, variables) for key, each in value.items()}
    if isinstance(value, list):
        return [interpolate(each, variables) for each in value]
    if not isinstance(value, str):
        return value

    def resolve(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2) or "", match.group(3) or ""
        found = variables.get(name)
        if operator.endswith("-") and not (found or (operator == "-" and found is not None)):
            return argument
        if operator.endswith("?") and not found:
            raise AssertionError(f"compose would refuse to start: {argument}")
        return found or ""

    return _VARIABLE.sub(resolve, value)


@pytest.fixture
def compose() -> dict[str, Any]:
    """The file as written, variables unresolved."""
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "docker-compose.yml holds no mapping yet"
    return loaded


@pytest.fixture
def services(compose: dict[str, Any]) -> dict[str, Any]:
    """The services with the test's variables resolved, as compose would run them."""
    found = compose.get("services") or {}
    assert {"app", "db"} <= set(found), f"services app and db are needed, found {sorted(found)}"
    resolved: dict[str, Any] = interpolate(found, VARIABLES)
    return resolved


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's ``environment`` in either form compose accepts (mapping or KEY=value list)."""
    declared = service.get("environment") or {}
    if isinstance(declared, list):
        return dict(str(entry).partition("=")[::2] for entry in declared)
    return {str(key): str(value) for key, value in declared.items()}


@pytest.mark.task("4.7.2", level="core")
def test_db_runs_postgresql_from_the_postgres_image_variable(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    image = str(compose["services"]["db"].get("image", ""))

    assert image.startswith("${POSTGRES_IMAGE"), "let the image be chosen: ${POSTGRES_IMAGE:-...}"
    assert "postgres" in image
    db = environment(services["db"])
    assert db.get("POSTGRES_USER") == VARIABLES["POSTGRES_USER"]
    assert db.get("POSTGRES_PASSWORD") == VARIABLES["POSTGRES_PASSWORD"]


@pytest.mark.task("4.7.2", level="core")
def test_db_keeps_its_data_in_a_named_volume(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    mounts = [str(volume).split(":") for volume in services["db"].get("volumes", [])]
    named = [mount[0] for mount in mounts if len(mount) > 1 and mount[1] == POSTGRES_DATA]

    assert named, f"nothing is mounted at {POSTGRES_DATA}"
    assert named[0] in (compose.get("volumes") or {}), "declare the volume under top-level volumes:"


@pytest.mark.task("4.7.2", level="core")
def test_app_is_built_from_the_section_dockerfile_and_tagged_by_a_variable(
    compose: dict[str, Any],
) -> None:
    app = compose["services"]["app"]
    build = app.get("build")

    assert isinstance(build, dict), "build: needs a context and args (PYTHON_IMAGE)"
    assert str(build.get("context", "")).rstrip("/") in {".", ""}
    assert str((build.get("args") or {}).get("PYTHON_IMAGE", "")).startswith("${PYTHON_IMAGE")
    assert str(app.get("image", "")).startswith("${NOTES_IMAGE")


@pytest.mark.task("4.7.2", level="core")
def test_app_reaches_the_database_by_its_service_name_with_the_same_credentials(
    services: dict[str, Any],
) -> None:
    url = urlsplit(environment(services["app"]).get("DATABASE_URL", ""))

    assert url.scheme in {"postgresql", "postgres"}, "DATABASE_URL: postgresql://..."
    assert url.hostname == "db", "inside the compose network the database is the host `db`"
    assert (url.username, url.password) == (
        VARIABLES["POSTGRES_USER"],
        VARIABLES["POSTGRES_PASSWORD"],
    )
    assert url.path == f"/{VARIABLES['POSTGRES_DB']}"
    assert environment(services["db"]).get("POSTGRES_DB") == VARIABLES["POSTGRES_DB"]


@pytest.mark.task("4.7.2", level="core")
def test_app_publishes_container_port_8000_on_the_notes_port_variable(
    services: dict[str, Any],
) -> None:
    published = set()
    for port in services["app"].get("ports", []):
        if isinstance(port, dict):
            published.add((str(port.get("published")), str(port.get("target"))))
        else:
            *_, host, container = f"::{port}".split(":")
            published.add((host, container))

    assert (VARIABLES["NOTES_PORT"], "8000") in published


@pytest.mark.task("4.7.2", level="core")
def test_app_starts_after_the_database(services: dict[str, Any]) -> None:
    depends_on = services["app"].get("depends_on") or []

    assert "db" in depends_on


@pytest.mark.task("4.7.2", level="core")
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
    config = subprocess.run(
        [*command, "--env-file", str(SECTION / ".env.example"), "config", "--services"],
        cwd=SECTION,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert {"app", "db"} <= set(config.stdout.split())


@pytest.mark.task("4.7.2", level="extra")
def test_the_app_waits_for_the_database_healthcheck(services: dict[str, Any]) -> None:
    healthcheck = services["db"].get("healthcheck") or {}

    assert "pg_isready" in " ".join(map(str, healthcheck.get("test", [])))
    assert services["app"]["depends_on"] == {"db": {"condition": "service_healthy"}}


@pytest.mark.task("4.7.2", level="extra")
def test_both_services_restart_on_failure(services: dict[str, Any]) -> None:
    assert {services[name].get("restart") for name in ("app", "db")} == {"on-failure"}


@pytest.mark.task("4.7.2", level="extra")
def test_the_app_port_is_published_on_loopback_only(services: dict[str, Any]) -> None:
    ports = services["app"]["ports"]

    assert all(str(port).startswith("127.0.0.1:") for port in ports)
    assert "ports" not in services["db"]


@pytest.mark.task("4.7.2", level="extra")
def test_the_database_is_on_an_internal_network_only(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    assert services["db"].get("networks") == ["backend"]
    assert (compose.get("networks") or {}).get("backend", {}).get("internal") is True


@pytest.mark.task("4.7.2", level="extra")
def test_the_stop_grace_period_outlasts_the_servers_graceful_shutdown(
    services: dict[str, Any],
) -> None:
    app = services["app"]
    grace = int(str(app["stop_grace_period"]).removesuffix("s"))

    assert int(environment(app)["SERVER_GRACEFUL_SHUTDOWN_SECONDS"]) < grace


@pytest.mark.task("4.7.2", level="extra")
def test_the_app_runs_read_only_without_capabilities(services: dict[str, Any]) -> None:
    app = services["app"]

    assert app.get("read_only") is True
    assert app.get("cap_drop") == ["ALL"]
    assert "no-new-privileges:true" in app.get("security_opt", [])


@pytest.mark.task("4.7.2", level="extra")
def test_secrets_are_required_not_defaulted(compose: dict[str, Any]) -> None:
    environment = compose["services"]["db"]["environment"]

    assert str(environment["POSTGRES_PASSWORD"]).startswith("${POSTGRES_PASSWORD:?")


@pytest.mark.task("4.7.2", level="extra")
def test_every_variable_the_file_uses_is_documented_in_env_example(
    compose: dict[str, Any],
) -> None:
    used = set(re.findall(r"\$\{(\w+)", yaml.safe_dump(compose)))
    example = (SECTION / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*(\w+)=", example, flags=re.MULTILINE))

    assert used, "the file uses no variables yet"
    assert used - documented == set()


@pytest.mark.support
def test_interpolation_follows_compose_rules() -> None:
    variables = {"SET": "value", "EMPTY": ""}

    assert interpolate("${SET}-${EMPTY:-fallback}-${UNSET-other}-$$HOME", variables) == (
        "value-fallback-other-$HOME"
    )
    assert interpolate({"a": ["${SET:?needed}", 5]}, variables) == {"a": ["value", 5]}
    with pytest.raises(AssertionError, match="needed"):
        interpolate("${UNSET:?needed}", variables)
