"""The package is importable and reports the version its pyproject.toml declares."""

from __future__ import annotations

import tomllib
from pathlib import Path

import taskmanager

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_the_package_version_matches_pyproject() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]

    assert taskmanager.__version__ == project["version"]
