"""Pytest plugin tying every test to the course task it grades.

- ``@pytest.mark.task("4.2.1", level="core")`` names the task and the level the test grades
  (``core`` decides the task's verdict, ``extra`` is a bonus); a test without it, with an id missing
  from ``tasks.toml`` or without a valid level, stops the run at collection. The marker closest to
  the test wins for a task id (a function's ``level="extra"`` over its module's ``"core"``). Tests
  of this shared support use ``@pytest.mark.support`` instead: they grade no course task.
- ``--task ID`` (repeatable) keeps only the tests of those tasks.
- ``--task-report PATH`` writes each test's outcome and tasks as JSON for ``course_support.grade``;
  ``--task-report-suite NAME``, ``--task-report-fingerprint PATH`` (repeatable: what the results
  depend on) and ``--task-report-extra-tests DIR`` (held-back tests in this run) label it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Container
from pathlib import Path
from typing import Any

import pytest

from course_support.catalogue import fingerprint, load_catalogue

_OUTCOME_RANK = {"passed": 0, "skipped": 1, "failed": 2}
LEVELS = ("core", "extra")


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
        help="folder or file whose content the report's fingerprint covers (repeatable)",
    )
    group.addoption(
        "--task-report-extra-tests",
        metavar="DIR",
        help="the held-back tests laid over the suite for this run (recorded in the report)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        'task(id, level): the course task and level this test grades, e.g. task("4.2.1", '
        'level="core")',
    )
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


def levels_of(item: pytest.Item) -> dict[str, str]:
    """Each task id an item's ``task`` markers name, with its level (the closest marker wins).

    A level that is missing or unknown is kept as ``""`` or as written; collection refuses it.
    """
    levels: dict[str, str] = {}
    for marker in item.iter_markers("task"):  # closest first
        for arg in marker.args:
            levels.setdefault(str(arg), str(marker.kwargs.get("level", "")))
    return levels


def tasks_of(item: pytest.Item) -> list[str]:
    """The task ids named by an item's ``task`` markers."""
    return list(levels_of(item))


def _marker_problems(item: pytest.Item, catalogue: Container[str]) -> list[str]:
    problems = []
    is_support = item.get_closest_marker("support") is not None
    levels = levels_of(item)
    if not levels and not is_support:
        problems.append(f'{item.nodeid}: no @pytest.mark.task("<id>", level="core") marker')
    for marker in item.iter_markers("task"):
        if not marker.args:
            problems.append(f"{item.nodeid}: a task marker names no task id")
    for task_id, level in levels.items():
        if task_id not in catalogue:
            problems.append(f"{item.nodeid}: unknown task id {task_id!r}")
        if level not in LEVELS:
            written = f"level={level!r}" if level else "no level"
            problems.append(
                f"{item.nodeid}: task {task_id} has {written}; write "
                f'@pytest.mark.task("{task_id}", level="core") or level="extra"'
            )
    return problems


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    catalogue = load_catalogue()
    problems = [problem for item in items for problem in _marker_problems(item, catalogue)]
    if problems:
        raise pytest.UsageError(
            "every test must name the course task and level it grades:\n  " + "\n  ".join(problems)
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
        self.collection_errors: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(report.nodeid or ".")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.results.setdefault(report.nodeid, {"outcome": "passed", "duration": 0.0})
        entry["duration"] += report.duration
        if _OUTCOME_RANK[report.outcome] > _OUTCOME_RANK[entry["outcome"]]:
            entry["outcome"] = report.outcome

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        levels_by_nodeid = {item.nodeid: levels_of(item) for item in session.items}
        roots = [
            Path(folder).resolve() for folder in self.config.getoption("task_report_fingerprint")
        ]
        report = {
            "suite": self.config.getoption("task_report_suite") or self.config.rootpath.name,
            "created": time.time(),
            "exit_status": int(exitstatus),
            "selected_tasks": self.config.getoption("task"),
            "extra_tests": self.config.getoption("task_report_extra_tests"),
            "fingerprint": fingerprint(roots) if roots else None,
            # Modules that failed to import: their tests are missing from the list below.
            "collection_errors": self.collection_errors,
            "tests": [
                {
                    "nodeid": nodeid,
                    "tasks": list(levels),
                    "levels": levels,
                    **self.results[nodeid],
                }
                for nodeid, levels in levels_by_nodeid.items()
                if nodeid in self.results
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(report, indent=2), encoding="utf-8")
