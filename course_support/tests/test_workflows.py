"""The CI and Classroom workflows stay in step with the task catalogue and the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_support.catalogue import REPOSITORY_ROOT, load_catalogue

pytestmark = pytest.mark.support

WORKFLOWS = REPOSITORY_ROOT / ".github" / "workflows"


def test_classroom_grades_every_task_in_its_own_step() -> None:
    text = (WORKFLOWS / "classroom.yml").read_text(encoding="utf-8")

    graded = re.findall(r"command: nox -s grade -- --task (\S+)", text)
    runners = re.search(r"runners: (\S+)", text)

    assert graded == list(load_catalogue())
    assert runners is not None
    assert runners.group(1).split(",") == [f"task-{task.replace('.', '-')}" for task in graded]
    for runner in runners.group(1).split(","):
        assert f'{runner.upper()}_RESULTS: "${{{{ steps.{runner}.outputs.result }}}}"' in text


def test_ci_runs_the_test_command_that_the_readme_names() -> None:
    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")
    ci_script = (REPOSITORY_ROOT / ".ci" / "run").read_text(encoding="utf-8")

    marker = re.search(r"^<!-- test-command: (.+) -->$", readme, flags=re.MULTILINE)

    assert marker is not None
    assert f"```sh\n{marker.group(1)}\n```" in readme
    assert "test-command:" in ci_script


def test_every_section_session_is_in_the_ci_matrix() -> None:
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    sessions = re.search(r"session: \[(.+)\]", text)

    assert sessions is not None
    listed = [name.strip() for name in sessions.group(1).split(",")]
    expected = ["support", *(f"section_4_{n}" for n in range(2, 8)), "capstone"]
    assert listed == expected


def test_ci_tool_pins_carry_hashes() -> None:
    requirements = Path(REPOSITORY_ROOT / ".ci" / "requirements.txt").read_text(encoding="utf-8")

    for tool in ("nox", "uv"):
        assert re.search(rf"^{tool}==\S+ \\\n\s+--hash=sha256:", requirements, flags=re.MULTILINE)
