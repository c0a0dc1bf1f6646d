"""Pytest plugin tying every test to the course task it grades.

- ``@pytest.mark.task("4.2.1")`` names the task; a test without it, or with an id missing from
  ``tasks.toml``, stops the run at collection. Tests of this shared support use
  ``@pytest.mark.support`` instead: they grade no course task.
- ``--task ID`` (repeatable) keeps only the tests of those tasks.
- ``--task-report PATH`` writes each test's outcome and tasks as JSON for ``course_support.grade``;
  ``--task-report-suite NAME`` and ``--task-report-fingerprint DIR`` (repeatable) label it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from course_support.catalogue import fingerprint, load_catalogue

_OUTCOME_RANK = {"passed": 0, "skipped": 1, "failed": 2}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("course grading")
    group.addoption(
        "--task",
        action="append",
        default=[],
        metavar="ID",
        help="run only the tests that grade this course task (repeatable), e.g. --task 4.2.1",
    )
    group.addoption(
        "--task-report", metavar="PATH", help="write per-test outcomes and tasks as JSON"
    )
    group.addoption("--task-report-suite", metavar="NAME", help="suite name for the report")
    group.addoption(
        "--task-report-fingerprint",
        action="append",
        default=[],
        metavar="DIR",
        help="folder whose content the report's fingerprint covers (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(id): the course task this test grades, e.g. 4.2.1")
    config.addinivalue_line("markers", "support: a test of the shared course support, no task")
    report_path = config.getoption("task_report")
    if report_path:
        path = Path(report_path)
        config.pluginmanager.register(
            _TaskReport(config, config.invocation_params.dir / path),
            "course-task-report",
        )
    catalogue = load_catalogue()
    unknown = [task_id for task_id in config.getoption("task") if task_id not in catalogue]
    if unknown:
        raise pytest.UsageError(
            f"--task: unknown task id(s) {', '.join(unknown)}; known: {', '.join(catalogue)}"
        )


def tasks_of(item: pytest.Item) -> list[str]:
    """The task ids named by an item's ``task`` markers."""
    return [str(arg) for marker in item.iter_markers("task") for arg in marker.args]


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    catalogue = load_catalogue()
    problems: list[str] = []
    for item in items:
        task_ids = tasks_of(item)
        is_support = item.get_closest_marker("support") is not None
        if not task_ids and not is_support:
            problems.append(f"{item.nodeid}: no @pytest.mark.task(...) marker")
        problems.extend(
            f"{item.nodeid}: unknown task id {task_id!r}"
            for task_id in task_ids
            if task_id not in catalogue
        )
    if problems:
        raise pytest.UsageError(
            "every test must name the course task it grades:\n  " + "\n  ".join(problems)
        )

    wanted = set(config.getoption("task"))
    if wanted:
        selected = [item for item in items if wanted.intersection(tasks_of(item))]
        deselected = [item for item in items if not wanted.intersection(tasks_of(item))]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        items[:] = selected


class _TaskReport:
    """Collects each test's outcome and writes the JSON report when the session ends."""

    def __init__(self, config: pytest.Config, path: Path) -> None:
        self.config = config
        self.path = path
        self.results: dict[str, dict[str, Any]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.results.setdefault(report.nodeid, {"outcome": "passed", "duration": 0.0})
        entry["duration"] += report.duration
        if _OUTCOME_RANK[report.outcome] > _OUTCOME_RANK[entry["outcome"]]:
            entry["outcome"] = report.outcome

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        tasks_by_nodeid = {item.nodeid: tasks_of(item) for item in session.items}
        roots = [
            Path(folder).resolve() for folder in self.config.getoption("task_report_fingerprint")
        ]
        report = {
            "suite": self.config.getoption("task_report_suite") or self.config.rootpath.name,
            "created": time.time(),
            "exit_status": int(exitstatus),
            "selected_tasks": self.config.getoption("task"),
            "fingerprint": fingerprint(roots) if roots else None,
            "tests": [
                {"nodeid": nodeid, "tasks": tasks, **self.results[nodeid]}
                for nodeid, tasks in tasks_by_nodeid.items()
                if nodeid in self.results
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(report, indent=2), encoding="utf-8")
