"""The package is importable and reports the version its pyproject.toml declares."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import taskmanager

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@pytest.mark.task("4.8.2", level="core")
def test_the_package_version_matches_pyproject() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]

    assert taskmanager.__version__ == project["version"]
