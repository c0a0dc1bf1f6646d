"""The learner's capstone skeleton (starter_overlay/capstone/) is a valid, clean project.

It ships the same contract as the reference, passes ruff and ``mypy --strict`` with its own
settings, and its one test passes; all checked on a copy, with this environment's tools.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_support.catalogue import REPOSITORY_ROOT

pytestmark = pytest.mark.support

SKELETON = REPOSITORY_ROOT / "course_support" / "starter_overlay" / "capstone"


@pytest.fixture
def skeleton(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SKELETON, tmp_path / "capstone"))


def run_in(project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_skeleton_ships_the_reference_contract_unchanged() -> None:
    shipped = (SKELETON / "docs" / "api-contract.md").read_text(encoding="utf-8")
    reference = (REPOSITORY_ROOT / "capstone" / "docs" / "api-contract.md").read_text(
        encoding="utf-8"
    )

    assert shipped == reference


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        ("mypy", "--strict", "src", "tests"),
    ],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_the_skeleton_is_clean_with_its_own_settings(
    skeleton: Path, command: tuple[str, ...]
) -> None:
    result = run_in(skeleton, *command)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_skeletons_test_passes_and_fails_when_the_version_drifts(skeleton: Path) -> None:
    passing = run_in(skeleton, "pytest", "-q", "-p", "no:cacheprovider")
    init = skeleton / "src" / "taskmanager" / "__init__.py"
    init.write_text(init.read_text().replace('"0.1.0"', '"0.2.0"'))
    failing = run_in(skeleton, "pytest", "-q", "-p", "no:cacheprovider")

    assert passing.returncode == 0, passing.stdout
    assert "1 passed" in passing.stdout
    assert failing.returncode == 1, failing.stdout


def test_the_skeletons_compose_file_and_dockerfile_are_left_to_write() -> None:
    for name in ("Dockerfile", "docker-compose.yml"):
        lines = (SKELETON / name).read_text(encoding="utf-8").splitlines()
        assert lines, name
        assert all(not line.strip() or line.startswith("#") for line in lines), name
