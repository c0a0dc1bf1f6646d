"""The course's checklist: «Код чистый, типизированный, проходит линтеры (ruff / flake8, mypy)».

The capstone's code passes ruff (lint and format) and mypy --strict with the repository's one
configuration (the root pyproject.toml), run here exactly as a reviewer would run them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.task("4.8.4", level="core")

CAPSTONE = Path(__file__).resolve().parents[2]
CONFIG = CAPSTONE.parent / "pyproject.toml"
TOOLS = Path(sys.executable).parent


def run(tool: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    if not CONFIG.is_file():
        pytest.skip(f"the repository's configuration {CONFIG} is not beside the capstone")
    return subprocess.run(
        [str(TOOLS / tool), *arguments],
        cwd=CAPSTONE.parent,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_ruff_finds_nothing_to_report() -> None:
    completed = run("ruff", "check", "--config", str(CONFIG), str(CAPSTONE))

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_code_is_formatted_as_ruff_formats_it() -> None:
    completed = run("ruff", "format", "--check", "--config", str(CONFIG), str(CAPSTONE))

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_mypy_strict_finds_no_type_error() -> None:
    completed = run("mypy", "--config-file", str(CONFIG), str(CAPSTONE / "src" / "taskmanager"))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Success: no issues found" in completed.stdout
