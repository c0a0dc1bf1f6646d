"""The capstone's hand-in checklist (tasks 4.8.1-4.8.4), checked on a learner's project folder.

``python -m course_support.checklist --project capstone`` (or ``nox -s checklist -- --project
DIR``) prints one verdict per item and exits 0 only when every item passed; "not checked" (no
Docker engine here) is not a pass. How each item is checked:

- 4.8.1 ``docker compose up`` (Compose v2, else docker-compose v1) under a unique project name
  with ``APP_PORT`` set to a free port; passes when ``/health/ready`` and ``/docs`` answer 200 on
  ``127.0.0.1:APP_PORT``; ``down -v`` always runs.
- 4.8.2 the project's own tests: ``uv run pytest -m "not docker"`` in the project folder.
- 4.8.3 ``uv run taskmanager serve --port P`` with ``DATABASE_URL`` naming a fresh embedded
  PostgreSQL; passes when ``/docs`` is Swagger UI and ``/openapi.json`` an OpenAPI 3 schema.
- 4.8.4 ``uv run ruff check .``, ``uv run ruff format --check .`` and ``uv run mypy --strict``
  on ``src`` and ``tests``.

Every command runs in the project folder with the folder above it on ``PYTHONPATH`` and
``MYPYPATH`` (a capstone inside the course repository may use the course's helpers).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import httpx

from course_support.catalogue import fingerprint, load_catalogue, suite_inputs
from course_support.postgres import embedded_postgres, to_sqlalchemy_url

COMMAND_TIMEOUT_SECONDS = 1800.0
START_DEADLINE_SECONDS = 120.0
COMPOSE_DEADLINE_SECONDS = 300.0


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "FAILED"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Result:
    """One checklist item's verdict and the reason for it."""

    task: str
    verdict: Verdict
    detail: str


def run(command: Sequence[str], project: Path, timeout: float = COMMAND_TIMEOUT_SECONDS) -> str:
    """Run a command in the project folder; its output, or CheckFailedError with its tail."""
    try:
        completed = subprocess.run(  # noqa: S603 - the checklist's own commands
            list(command),
            cwd=project,
            env=project_environment(project),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CheckFailedError(f"`{' '.join(command)}`: {error}") from None
    output = completed.stderr + completed.stdout  # the tool's findings last
    if completed.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise CheckFailedError(f"`{' '.join(command)}` exited {completed.returncode}:\n{tail}")
    return output


class CheckFailedError(Exception):
    """A checklist item failed; the message says why."""


def project_environment(project: Path) -> dict[str, str]:
    """This environment, with the folder that holds the project on the import paths.

    A capstone inside the course repository may import the course's helpers from the repository
    root in its tests (as `nox -s capstone` allows); the project's own virtualenv is uv's choice.
    """
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    for variable in ("PYTHONPATH", "MYPYPATH"):
        paths = [str(project.parent), *filter(None, [environment.get(variable)])]
        environment[variable] = os.pathsep.join(paths)
    return environment


def uv_run(project: Path) -> list[str]:
    """``uv run`` in the project: from its lock file as it stands when it has one."""
    uv = shutil.which("uv")
    if uv is None:
        raise CheckFailedError("uv is not on PATH")
    return [uv, "run", "--quiet", *(["--frozen"] if (project / "uv.lock").is_file() else [])]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(url: str, deadline_seconds: float, alive: Callable[[], bool]) -> httpx.Response:
    """Poll ``url`` until it answers 200 (or the deadline passes, or ``alive`` turns false)."""
    deadline = time.monotonic() + deadline_seconds
    last = "no answer"
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline and alive():
            with contextlib.suppress(httpx.TransportError):
                response = client.get(url)
                if response.status_code == 200:
                    return response
                last = f"status {response.status_code}"
            time.sleep(0.25)  # a poll interval while the service starts
    raise CheckFailedError(f"{url} did not answer 200 ({last})")


def check_docs(base_url: str) -> str:
    """``/docs`` is Swagger UI and ``/openapi.json`` an OpenAPI 3 schema with paths."""
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        docs = client.get("/docs")
        schema = client.get("/openapi.json")
    if docs.status_code != 200 or "swagger" not in docs.text.lower():
        raise CheckFailedError(f"/docs is not Swagger UI (status {docs.status_code})")
    if schema.status_code != 200:
        raise CheckFailedError(f"/openapi.json answered {schema.status_code}")
    document = schema.json()
    if not str(document.get("openapi", "")).startswith("3.") or not document.get("paths"):
        raise CheckFailedError("/openapi.json is not an OpenAPI 3 schema with paths")
    return f"/docs and /openapi.json served ({len(document['paths'])} paths)"


def compose_command() -> list[str] | None:
    """``docker compose`` (v2) where it works, else ``docker-compose`` (v1), else None."""
    docker = shutil.which("docker")
    if docker:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            probe = subprocess.run(  # noqa: S603 - fixed arguments
                [docker, "compose", "version"], capture_output=True, timeout=30, check=False
            )
            if probe.returncode == 0:
                return [docker, "compose"]
    v1 = shutil.which("docker-compose")
    return [v1] if v1 else None


def docker_engine_answers() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        probe = subprocess.run(  # noqa: S603 - fixed arguments
            [docker, "info"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def check_compose(project: Path) -> Result:
    """4.8.1: one ``docker compose up`` brings the stack up healthy, serving ``/docs``."""
    if not (project / "docker-compose.yml").is_file():
        return Result("4.8.1", Verdict.FAILED, "no docker-compose.yml in the project")
    compose = compose_command()
    if compose is None or not docker_engine_answers():
        return Result("4.8.1", Verdict.NOT_CHECKED, "no Docker engine or Compose answers here")
    name = f"checklist-{secrets.token_hex(4)}"
    port = free_port()
    # The project's compose file reads APP_PORT (and PYTHON_IMAGE / POSTGRES_IMAGE, passed on
    # from this environment, for machines without a registry).
    environment = project_environment(project) | {"APP_PORT": str(port)}
    base = [*compose, "-p", name, "-f", "docker-compose.yml"]
    with tempfile.TemporaryFile() as log:
        up = subprocess.Popen(  # noqa: S603 - the project's own compose file
            [*base, "up", "--build"],
            cwd=project,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def up_is_running() -> bool:
            return up.poll() is None

        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/health/ready", COMPOSE_DEADLINE_SECONDS, up_is_running)
            detail = check_docs(url)
            return Result("4.8.1", Verdict.PASSED, f"`compose up` healthy on :{port}; {detail}")
        except CheckFailedError as error:
            log.seek(0)
            tail = "\n".join(log.read().decode(errors="replace").splitlines()[-15:])
            return Result("4.8.1", Verdict.FAILED, f"`compose up`: {error}\n{tail}")
        finally:
            subprocess.run(  # noqa: S603 - the project's own compose file
                [*base, "down", "-v", "--remove-orphans", "--timeout", "20"],
                cwd=project,
                env=environment,
                capture_output=True,
                timeout=300,
                check=False,
            )
            with contextlib.suppress(subprocess.TimeoutExpired):
                up.wait(timeout=60)
            if up.poll() is None:
                up.kill()
                up.wait()


def check_tests(project: Path) -> Result:
    """4.8.2: the project's own test suite passes."""
    if not (project / "tests").is_dir():
        return Result("4.8.2", Verdict.FAILED, "no tests/ folder in the project")
    command = [*uv_run(project), "pytest", "-m", "not docker", "-q", "-p", "no:cacheprovider"]
    try:
        output = run(command, project)
    except CheckFailedError as error:
        return Result("4.8.2", Verdict.FAILED, str(error))
    summary = output.strip().splitlines()[-1] if output.strip() else "pytest passed"
    return Result("4.8.2", Verdict.PASSED, summary.strip("= "))


@contextlib.contextmanager
def served_project(project: Path) -> Iterator[str]:
    """``taskmanager serve`` of the project on a free port, on a fresh embedded PostgreSQL."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="checklist-") as folder, embedded_postgres() as url:
        environment = project_environment(project) | {"DATABASE_URL": to_sqlalchemy_url(url)}
        log_path = Path(folder) / "serve.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - the project's documented command
                [
                    *uv_run(project),
                    "taskmanager",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=project,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                try:
                    wait_for(
                        f"http://127.0.0.1:{port}/docs",
                        START_DEADLINE_SECONDS,
                        lambda: process.poll() is None,
                    )
                except CheckFailedError as error:
                    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-10:])
                    raise CheckFailedError(f"`taskmanager serve`: {error}\n{tail}") from None
                yield f"http://127.0.0.1:{port}"
            finally:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def check_docs_served(project: Path) -> Result:
    """4.8.3: Swagger UI at ``/docs`` (and the schema at ``/openapi.json``)."""
    try:
        with served_project(project) as base_url:
            return Result("4.8.3", Verdict.PASSED, check_docs(base_url))
    except CheckFailedError as error:
        return Result("4.8.3", Verdict.FAILED, str(error))


def check_code_quality(project: Path) -> Result:
    """4.8.4: ruff (lint and format) and mypy --strict find nothing."""
    targets = [name for name in ("src", "tests") if (project / name).is_dir()] or ["."]
    commands = [
        ["ruff", "check", "--output-format=concise", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "--strict", *targets],
    ]
    try:
        for command in commands:
            run([*uv_run(project), *command], project)
    except CheckFailedError as error:
        return Result("4.8.4", Verdict.FAILED, str(error))
    return Result("4.8.4", Verdict.PASSED, "ruff check, ruff format --check, mypy --strict clean")


CHECKS: dict[str, Callable[[Path], Result]] = {
    "4.8.1": check_compose,
    "4.8.2": check_tests,
    "4.8.3": check_docs_served,
    "4.8.4": check_code_quality,
}


def render(results: Sequence[Result]) -> str:
    catalogue = load_catalogue()
    lines = []
    for result in results:
        wording = catalogue[result.task].ru if result.task in catalogue else ""
        lines.append(f"{result.task}  {result.verdict:<11}  {wording}")
        lines += [f"          {line}" for line in result.detail.splitlines()]
    passed = sum(result.verdict is Verdict.PASSED for result in results)
    lines.append(f"{passed} of {len(results)} checklist items pass.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_support.checklist",
        description="Check a capstone project against the course's hand-in checklist.",
    )
    parser.add_argument("--project", type=Path, default=Path("capstone"), help="project folder")
    parser.add_argument(
        "--check",
        action="append",
        choices=list(CHECKS),
        help="check only this item (repeatable); default: all four",
    )
    parser.add_argument(
        "--report",
        type=Path,
        help="also write the verdicts as a task report for the scoreboard (build/results/*.json)",
    )
    args = parser.parse_args(argv)
    project: Path = args.project.resolve()
    if not (project / "pyproject.toml").is_file():
        parser.error(f"{project} has no pyproject.toml: not a project folder")
    results: list[Result] = []
    durations: list[float] = []
    for task in args.check or list(CHECKS):
        started = time.monotonic()
        results.append(CHECKS[task](project))
        durations.append(time.monotonic() - started)
    print(render(results))  # noqa: T201 - a command-line report
    passed = all(result.verdict is Verdict.PASSED for result in results)
    if args.report:
        write_report(args.report, project, results, durations, passed=passed, only=args.check)
    return 0 if passed else 1


# A checklist verdict as a test outcome: "not checked" is a skip, which the scoreboard never
# counts as a pass.
_OUTCOMES = {Verdict.PASSED: "passed", Verdict.FAILED: "failed", Verdict.NOT_CHECKED: "skipped"}


def write_report(
    path: Path,
    project: Path,
    results: Sequence[Result],
    durations: Sequence[float],
    *,
    passed: bool,
    only: Sequence[str] | None = None,
) -> None:
    """The verdicts in the grading plugin's report format, one core "test" per checklist item.

    The learner's edition grades 4.8.1-4.8.4 this way (`nox -s grade`): the capstone is the
    learner's own project, with tests of its own that name no course task.
    """
    inputs = suite_inputs(project.name, project.parent)
    report = {
        "suite": "capstone",
        "created": time.time(),
        "exit_status": 0 if passed else 1,
        # A run of some items is partial: the scoreboard merges it over the last full run.
        "selected_tasks": list(only or []),
        "fingerprint": fingerprint(inputs),
        "tests": [
            {
                "nodeid": f"checklist::{result.task}",
                "tasks": [result.task],
                "levels": {result.task: "core"},
                "outcome": _OUTCOMES[result.verdict],
                "duration": round(duration, 3),
            }
            for result, duration in zip(results, durations, strict=True)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
