"""The hand-in checklist grades a real project: our capstone passes, broken copies fail.

Each test runs ``python -m course_support.checklist``'s ``main`` in-process on a real project
folder; the commands it runs (uv, ruff, mypy, pytest, `taskmanager serve`, Docker) are real.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from course_support.checklist import main
from course_support.contract.server import (
    CAPSTONE,
    DEFAULT_ENVIRONMENT,
    ServerError,
    ensure_capstone_environment,
)

pytestmark = pytest.mark.support


@pytest.fixture
def capstone_environment(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The reference capstone's locked environment, shared with the contract runner."""
    try:
        ensure_capstone_environment()
    except ServerError as error:
        pytest.skip(f"the reference capstone cannot be installed here: {error}")
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", str(DEFAULT_ENVIRONMENT))
    return DEFAULT_ENVIRONMENT


def copy_of_the_capstone(destination: Path) -> Path:
    """The capstone beside the repository's pyproject.toml (its ruff and mypy settings)."""
    shutil.copy(CAPSTONE.parent / "pyproject.toml", destination / "pyproject.toml")
    project = destination / "capstone"
    shutil.copytree(
        CAPSTONE,
        project,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", ".*_cache", ".data", "bench"),
    )
    return project


def test_without_a_docker_engine_4_8_1_is_not_checked_and_not_a_pass(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")

    status = main(["--project", str(CAPSTONE), "--check", "4.8.1"])

    report = capsys.readouterr().out
    assert status == 1
    assert "4.8.1  not checked" in report
    assert "0 of 1 checklist items pass." in report


def test_without_docker_on_the_path_4_8_1_is_not_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    status = main(["--project", str(CAPSTONE), "--check", "4.8.1"])

    assert status == 1
    assert "4.8.1  not checked" in capsys.readouterr().out


def test_the_capstone_serves_its_docs_and_is_clean_code(
    capstone_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--project", str(CAPSTONE), "--check", "4.8.3", "--check", "4.8.4"])

    report = capsys.readouterr().out
    assert status == 0, report
    assert "4.8.3  passed" in report
    assert "4.8.4  passed" in report


def test_a_project_with_a_lint_error_fails_4_8_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_of_the_capstone(tmp_path)
    (project / "src" / "taskmanager" / "leftover.py").write_text("import os\n")
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", str(tmp_path / "venv"))

    status = main(["--project", str(project), "--check", "4.8.4"])

    report = capsys.readouterr().out
    assert status == 1
    assert "4.8.4  FAILED" in report
    assert "leftover.py" in report


def test_a_project_whose_app_does_not_start_fails_4_8_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_of_the_capstone(tmp_path)
    cli = project / "src" / "taskmanager" / "cli.py"
    cli.write_text(cli.read_text() + "\nraise SystemExit('planted: the app cannot start')\n")
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", str(tmp_path / "venv"))

    status = main(["--project", str(project), "--check", "4.8.3"])

    report = capsys.readouterr().out
    assert status == 1
    assert "4.8.3  FAILED" in report
    assert "planted: the app cannot start" in report


def test_a_folder_without_a_project_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--project", str(tmp_path)])

    assert exit_info.value.code == 2


def docker_engine_is_usable() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    probe = subprocess.run([docker, "info"], capture_output=True, timeout=30, check=False)
    return probe.returncode == 0


@pytest.mark.docker
def test_the_capstone_passes_the_whole_checklist_with_docker(
    capstone_environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not docker_engine_is_usable():
        pytest.skip("no Docker engine answers here")
    # No registry on the course machines: the stand-in base images, as the capstone's smoke tests.
    monkeypatch.setenv("PYTHON_IMAGE", "local/python:3.11-slim")
    monkeypatch.setenv("POSTGRES_IMAGE", "local/postgres:15")

    status = main(["--project", str(CAPSTONE)])

    report = capsys.readouterr().out
    assert status == 0, report
    for task in ("4.8.1", "4.8.2", "4.8.3", "4.8.4"):
        assert f"{task}  passed" in report


@pytest.mark.docker
def test_the_learners_empty_skeleton_fails_4_8_1_with_docker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not docker_engine_is_usable():
        pytest.skip("no Docker engine answers here")
    skeleton = CAPSTONE.parent / "course_support" / "starter_overlay" / "capstone"
    project = Path(shutil.copytree(skeleton, tmp_path / "capstone"))

    status = main(["--project", str(project), "--check", "4.8.1"])

    report = capsys.readouterr().out
    assert status == 1
    assert "4.8.1  FAILED" in report
