"""GitHub Classroom's autograding workflow (`.github/workflows/classroom.yml`), from tasks.toml.

The suites run once (`nox -s docker_smoke grade`); then one `autograding-command-grader` step per
course task grades that task from the saved results (`python -m course_support.grade --task ID`,
under a second), so each task earns its own points. `python -m course_support.classroom` writes the
file; `--check` exits 1 when the committed file differs from what the catalogue gives.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from course_support.catalogue import REPOSITORY_ROOT, CourseTask, load_catalogue
from course_support.workflow_actions import pinned

WORKFLOW_PATH = REPOSITORY_ROOT / ".github" / "workflows" / "classroom.yml"
POINTS_PER_TASK = 10
PYTHON_VERSION = "3.12"

HEADER = """\
# GitHub Classroom autograding. GENERATED from tasks.toml by `python -m course_support.classroom`:
# edit the catalogue or the generator, then regenerate; a test fails when this file drifts.
#
# The suites run once (`nox -s docker_smoke grade`, about one `nox` run); each course task then
# has its own command-grader step that grades it from the saved results in build/results/ in under
# a second (`python -m course_support.grade --task ID`), so each task earns its own points.
# Classroom's UI can also give points per *test*, but it runs each test command from scratch; this
# workflow gives points per course *task* and runs every suite once.
"""


def step_id(task: CourseTask) -> str:
    """The step id of a task's grader; the reporter reads `<ID upper-cased>_RESULTS`."""
    return "task_" + task.id.replace(".", "_")


def build_workflow(tasks: Sequence[CourseTask], *, points: int = POINTS_PER_TASK) -> dict[str, Any]:
    """The workflow as data, ready for `yaml.safe_dump`."""
    graders: list[dict[str, Any]] = [
        {
            "name": f"{task.id} {task.en}",
            "id": step_id(task),
            "uses": pinned("classroom-resources/autograding-command-grader"),
            "with": {
                "test-name": task.id,
                # The grader passes only PATH and HOME to the command: the results it reads sit in
                # the workspace, and course_support needs nothing beyond the standard library.
                "command": f"python3 -m course_support.grade --task {task.id}",
                "timeout": 1,
                "max-score": points,
            },
        }
        for task in tasks
    ]
    runners = [step_id(task) for task in tasks]
    return {
        "name": "Autograding",
        "on": ["push", "repository_dispatch", "workflow_dispatch"],
        "permissions": {"contents": "read"},
        "concurrency": {"group": "autograding-${{ github.ref }}", "cancel-in-progress": True},
        "jobs": {
            "run-autograding-tests": {
                "runs-on": "ubuntu-24.04",
                "timeout-minutes": 60,
                "if": "github.actor != 'github-classroom[bot]'",
                "steps": [
                    {
                        "uses": pinned("actions/checkout"),
                        "with": {"persist-credentials": False},
                    },
                    {
                        "uses": pinned("actions/setup-python"),
                        "with": {"python-version": PYTHON_VERSION},
                    },
                    {
                        "uses": pinned("astral-sh/setup-uv"),
                        "with": {"enable-cache": True, "cache-dependency-glob": "**/uv.lock"},
                    },
                    {
                        "name": "Install the pinned tools (nox, uv)",
                        "run": "python -m pip install --require-hashes -r .ci/requirements.txt",
                    },
                    {
                        # Failing tests must not stop the job: each task's step below reads them.
                        "name": "Run every suite once",
                        "run": "nox -s docker_smoke grade",
                        "continue-on-error": True,
                    },
                    *graders,
                    {
                        "name": "Autograding reporter",
                        "uses": pinned("classroom-resources/autograding-grading-reporter"),
                        "env": {
                            f"{runner.upper()}_RESULTS": (
                                "${{ steps." + runner + ".outputs.result }}"
                            )
                            for runner in runners
                        },
                        "with": {"runners": ",".join(runners)},
                    },
                ],
            }
        },
    }


def render(tasks: Sequence[CourseTask]) -> str:
    """The workflow as text: YAML written by a library, never by hand, with version comments."""
    text = yaml.safe_dump(build_workflow(tasks), sort_keys=False, width=100, allow_unicode=True)
    return HEADER + "\n" + annotate_pins(text)


def annotate_pins(text: str) -> str:
    """Append the version each pinned SHA stands for (`uses: owner/repo@sha # v1.2.3`)."""
    from course_support.workflow_actions import ACTIONS  # noqa: PLC0415 - one table, one place

    for action in ACTIONS.values():
        text = text.replace(f"{action.reference}\n", f"{action.reference} # {action.version}\n")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_support.classroom",
        description="Write .github/workflows/classroom.yml from tasks.toml.",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed file is out of date"
    )
    parser.add_argument("--output", type=Path, default=WORKFLOW_PATH, help="where to write")
    args = parser.parse_args(argv)
    text = render(list(load_catalogue().values()))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(  # noqa: T201 - a command-line report
                f"{args.output} is out of date: run `python -m course_support.classroom`",
                file=sys.stderr,
            )
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
