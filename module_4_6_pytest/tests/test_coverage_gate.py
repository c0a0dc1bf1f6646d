"""4.6.3: the coverage gate is real: configured at 95 % with branches, and a run below it fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from noxfile import SECTIONS

pytestmark = pytest.mark.task("4.6.3")

ROOT = Path(__file__).resolve().parents[2]
SECTION = next(suite for suite in SECTIONS if suite.section == "4.6")


@pytest.fixture(scope="module")
def coverage_config() -> dict[str, Any]:
    """``[tool.coverage]`` of the root pyproject.toml, read once for the whole module."""
    config: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["coverage"]  # type: ignore[no-any-return]


def test_the_section_session_demands_95_percent_of_branches(
    coverage_config: dict[str, Any],
) -> None:
    assert SECTION.folder == "module_4_6_pytest"
    assert SECTION.coverage_floor >= 95
    assert coverage_config["run"]["branch"] is True
    assert "*/tests/*" in coverage_config["run"]["omit"]  # tests do not inflate the figure


@pytest.mark.slow
def test_a_run_below_the_gate_fails_even_when_every_test_passes(tmp_path: Path) -> None:
    # The same coverage options as `nox -s section_4_6`, over one small test file: its tests
    # pass, but they exercise a fraction of the package, so the run must fail.
    command = [
        sys.executable,
        "-m",
        "pytest",
        "module_4_6_pytest/tests/unit/test_priority.py::test_escalation_table",
        "-p",
        "no:cacheprovider",
        "--cov=module_4_6_pytest",
        "--cov-branch",
        "--cov-report=term-missing:skip-covered",
        f"--cov-fail-under={SECTION.coverage_floor}",
    ]
    environment = {**os.environ, "COVERAGE_FILE": str(tmp_path / ".coverage")}

    run = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )

    report = run.stdout
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, report
    assert re.search(r"\b8 passed\b", report), report
    assert f"Required test coverage of {SECTION.coverage_floor}% not reached" in report
    # term-missing names each file below 100 % with the lines (and branches) never run:
    assert re.search(r"module_4_6_pytest/api\.py\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+%\s+\d", report)
