"""The CI and Classroom workflows: generated where they can be, parsed, pinned, least-privileged."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from course_support import classroom, yaml_check
from course_support.catalogue import REPOSITORY_ROOT, load_catalogue
from course_support.workflow_actions import ACTIONS

pytestmark = pytest.mark.support

WORKFLOWS = REPOSITORY_ROOT / ".github" / "workflows"
SHA_PIN = re.compile(
    r"^\s*-?\s*uses: (?P<name>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40}) # (?P<ver>v\S+)$"
)


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def workflow_files() -> list[Path]:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert files, "no workflow found"
    return files


def test_the_classroom_workflow_is_what_the_catalogue_generates() -> None:
    committed = (WORKFLOWS / "classroom.yml").read_text(encoding="utf-8")

    assert committed == classroom.render(list(load_catalogue().values())), (
        "classroom.yml drifted from tasks.toml: run `python -m course_support.classroom`"
    )


def test_classroom_grades_every_task_from_saved_results_in_its_own_step() -> None:
    steps = load(WORKFLOWS / "classroom.yml")["jobs"]["run-autograding-tests"]["steps"]
    graders = [step for step in steps if "autograding-command-grader" in step.get("uses", "")]
    reporter = next(step for step in steps if "grading-reporter" in step.get("uses", ""))
    run_once = [step["run"] for step in steps if "run" in step and "nox" in step["run"]]

    assert [step["with"]["test-name"] for step in graders] == list(load_catalogue())
    for step in graders:
        assert (
            step["with"]["command"]
            == f"python3 -m course_support.grade --task {step['with']['test-name']}"
        )
        assert f"{step['id'].upper()}_RESULTS" in reporter["env"]
        assert reporter["env"][f"{step['id'].upper()}_RESULTS"] == (
            "${{ steps." + step["id"] + ".outputs.result }}"
        )
    assert reporter["with"]["runners"].split(",") == [step["id"] for step in graders]
    assert run_once == ["nox -s docker_smoke grade"], "the suites run once, before the graders"


def test_check_mode_fails_on_a_drifted_file(tmp_path: Path) -> None:
    output = tmp_path / "classroom.yml"
    output.write_text(classroom.render(list(load_catalogue().values())), encoding="utf-8")
    assert classroom.main(["--check", "--output", str(output)]) == 0

    output.write_text(
        output.read_text(encoding="utf-8").replace("max-score: 10", "max-score: 5", 1)
    )

    assert classroom.main(["--check", "--output", str(output)]) == 1


def test_every_yaml_file_of_the_repository_parses() -> None:
    files = yaml_check.yaml_files()

    assert any(path.name == "classroom.yml" for path in files)
    assert any(path.name == "docker-compose.yml" for path in files)
    assert yaml_check.problems(files) == []


def test_the_yaml_check_names_the_file_and_line_of_an_unquoted_colon(tmp_path: Path) -> None:
    broken = tmp_path / "workflow.yml"
    broken.write_text("steps:\n  - name: 4.4.2 Validation: strong password\n", encoding="utf-8")

    found = yaml_check.problems([broken])

    assert len(found) == 1
    assert found[0].startswith(f"{broken}:2:")
    assert yaml_check.main([str(broken)]) == 1


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_every_action_is_pinned_by_commit_sha_with_its_version(path: Path) -> None:
    uses = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]

    assert uses
    for line in uses:
        match = SHA_PIN.match(line)
        assert match, f"{path.name}: not pinned by SHA with a version comment: {line.strip()}"
        known = ACTIONS[match["name"]]
        assert (match["sha"], match["ver"]) == (known.sha, known.version)


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_workflows_read_only_bounded_and_without_persisted_credentials(path: Path) -> None:
    workflow = load(path)

    assert workflow["permissions"] == {"contents": "read"}
    assert "concurrency" in workflow
    for name, job in workflow["jobs"].items():
        assert "permissions" not in job, f"{name} asks for more than read access"
        assert isinstance(job.get("timeout-minutes"), int), f"{name} has no timeout"
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_ci_matrix_covers_every_suite_on_every_supported_python() -> None:
    matrix = load(WORKFLOWS / "ci.yml")["jobs"]["sections"]["strategy"]["matrix"]
    expected = ["support", *(f"section_4_{n}" for n in range(2, 8)), "capstone"]

    assert matrix["session"] == expected
    assert matrix["python"] == ["3.11", "3.12", "3.13"]
    assert sorted(entry["session"] for entry in matrix["include"]) == sorted(expected)


def test_ci_runs_the_test_command_that_the_readme_names() -> None:
    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")
    ci_script = (REPOSITORY_ROOT / ".ci" / "run").read_text(encoding="utf-8")

    marker = re.search(r"^<!-- test-command: (.+) -->$", readme, flags=re.MULTILINE)

    assert marker is not None
    assert f"```sh\n{marker.group(1)}\n```" in readme
    assert "test-command:" in ci_script


def test_the_ci_tools_are_exported_from_their_one_pin_in_the_lock() -> None:
    uv = shutil.which("uv")
    assert uv, "uv is on PATH in every nox session and in .ci/run"
    exported = subprocess.run(
        [uv, "export", "--locked", "--only-group", "tools", "--no-emit-project", "--no-header"],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    committed = (REPOSITORY_ROOT / ".ci" / "requirements.txt").read_text(encoding="utf-8")

    body = "".join(
        line for line in committed.splitlines(keepends=True) if not line.startswith("# ")
    )
    assert body == exported
    for tool in ("nox", "uv"):
        assert re.search(rf"^{tool}==\S+ \\\n\s+--hash=sha256:", committed, flags=re.MULTILINE)


def test_schemas_cover_the_workflows_dependabot_and_every_written_compose_file() -> None:
    targets = yaml_check.schema_targets(yaml_check.yaml_files())

    assert {path.name for path in targets["vendor.github-workflows"]} >= {"ci.yml", "classroom.yml"}
    assert [path.name for path in targets["vendor.dependabot"]] == ["dependabot.yml"]
    composed = {
        path.relative_to(REPOSITORY_ROOT).as_posix() for path in targets["vendor.compose-spec"]
    }
    assert {"capstone/docker-compose.yml", "module_4_7_docker/docker-compose.yml"} <= composed


def test_an_invalid_compose_file_fails_and_an_unwritten_skeleton_is_left_out(
    tmp_path: Path,
) -> None:
    root = tmp_path
    invalid = root / "docker-compose.yml"
    invalid.write_text("services:\n  app:\n    ports: 8000\n", encoding="utf-8")
    skeleton = root / "skeleton" / "docker-compose.yml"
    skeleton.parent.mkdir()
    skeleton.write_text("services:\n  #: app:\n  #:   build: .\n", encoding="utf-8")

    targets = yaml_check.schema_targets([invalid, skeleton], root=root)

    assert targets == {"vendor.compose-spec": [invalid]}
    assert yaml_check.validate_schemas(targets) is False
