"""The grading scoreboard: each course task's verdict from its core tests, and its extras' tally.

Reads the JSON reports that ``course_support.grading`` writes (``build/results/*.json``) and prints
a table; ``--markdown`` also writes it as Markdown (CI adds it to the job summary). A task passes
when every one of its **core** tests passed; its **extra** tests are a bonus shown as passed/total.
Under a task that has not passed, the core tests that pass already are listed (on a learner's
starter these are the "free" tests). Exits 1 when a task that has tests fails; ``--task ID``
grades one task and exits 0 only when it passes, so an autograder can award points per task.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from course_support.catalogue import REPOSITORY_ROOT, CourseTask, load_catalogue

SECTION_FOLDERS = {
    "4.2": "module_4_2_asyncio",
    "4.3": "module_4_3_fastapi",
    "4.4": "module_4_4_pydantic",
    "4.5": "module_4_5_sqlalchemy",
    "4.6": "module_4_6_pytest",
    "4.7": "module_4_7_docker",
    "4.8": "capstone",
}


# pytest's exit statuses for a run that stopped before running its tests: interrupted, internal
# error, usage error (e.g. a test without its task marker).
_STOPPED = frozenset({2, 3, 4})


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "FAILED"
    NOT_CHECKED = "not checked"  # no core test failed, but some were skipped (no Docker engine)
    NOT_RUN = "not run"
    NOT_STARTED = "not started"


@dataclass(frozen=True)
class TestResult:
    nodeid: str
    outcome: str
    level: str


@dataclass
class TaskScore:
    """What the reports say about one task."""

    task: CourseTask
    results: dict[str, TestResult] = field(default_factory=dict)
    """Each test of the task by node id (the newest report that ran it wins)."""
    collection_errors: list[str] = field(default_factory=list)
    """Test modules of the task's suite that failed to import, or a run that stopped early
    (a usage or internal error): the task cannot pass."""

    def _of_level(self, level: str) -> list[TestResult]:
        return [result for result in self.results.values() if result.level == level]

    @property
    def core(self) -> list[TestResult]:
        return self._of_level("core")

    @property
    def extra(self) -> list[TestResult]:
        return self._of_level("extra")

    @property
    def core_passed(self) -> list[TestResult]:
        return [result for result in self.core if result.outcome == "passed"]

    @property
    def extra_passed(self) -> list[TestResult]:
        return [result for result in self.extra if result.outcome == "passed"]

    def verdict(self, section_exists: bool) -> Verdict:
        core = self.core
        if self.collection_errors:
            return Verdict.FAILED
        if not core:
            return Verdict.NOT_RUN if section_exists else Verdict.NOT_STARTED
        if any(result.outcome == "failed" for result in core):
            return Verdict.FAILED
        if any(result.outcome != "passed" for result in core):
            return Verdict.NOT_CHECKED
        return Verdict.PASSED


def read_reports(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Load every report file; a directory stands for the ``*.json`` files in it."""
    reports: list[dict[str, Any]] = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                reports.append(json.loads(file.read_text(encoding="utf-8")))
    return reports


def _current_reports(reports: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the reports a newer run of the same suite replaced.

    A full run of a suite replaces its earlier runs; a run of some tasks only (``--task``)
    replaces, for those tasks, the runs before it.
    """
    newest_full: dict[str, float] = {}
    for report in reports:
        if not report.get("selected_tasks"):
            suite = str(report.get("suite", "?"))
            newest_full[suite] = max(newest_full.get(suite, 0.0), float(report.get("created", 0)))
    return [
        report
        for report in reports
        if float(report.get("created", 0)) >= newest_full.get(str(report.get("suite", "?")), 0.0)
    ]


def score(reports: Sequence[dict[str, Any]], catalogue: dict[str, CourseTask]) -> list[TaskScore]:
    """Each catalogue task's tests across the reports, oldest report first so newer ones win."""
    scores = {task_id: TaskScore(task) for task_id, task in catalogue.items()}
    current = sorted(_current_reports(reports), key=lambda report: float(report.get("created", 0)))
    for report in current:
        selected = set(report.get("selected_tasks") or [])
        for task_id in selected & set(scores):  # a newer run of just these tasks starts afresh
            scores[task_id].results.clear()
            scores[task_id].collection_errors.clear()
        problems = list(report.get("collection_errors") or [])
        if int(report.get("exit_status", 0)) in _STOPPED:
            problems.append(f"the run stopped: pytest exit status {report['exit_status']}")
        for nodeid in problems:
            section = _section_of(nodeid, str(report.get("suite", "")))
            for entry in scores.values():
                if entry.task.section == section and (not selected or entry.task.id in selected):
                    entry.collection_errors.append(nodeid)
        for test in report.get("tests", []):
            levels: dict[str, str] = test.get("levels") or {}
            for task_id in test["tasks"]:
                if task_id in scores and (not selected or task_id in selected):
                    # A report from before levels existed counts its tests as core.
                    level = levels.get(task_id, "core")
                    scores[task_id].results[test["nodeid"]] = TestResult(
                        test["nodeid"], test["outcome"], level
                    )
    return list(scores.values())


def _section_of(nodeid: str, suite: str) -> str | None:
    """The course section of a test module: its folder, else the suite that ran it."""
    for section, folder in SECTION_FOLDERS.items():
        if nodeid.startswith(f"{folder}/"):
            return section
    if "capstone" in suite:  # the capstone's node ids are relative to capstone/
        return "4.8"
    match = re.search(r"4_([2-7])", suite)
    return f"4.{match.group(1)}" if match else None


def section_exists(section: str, root: Path = REPOSITORY_ROOT) -> bool:
    folder = SECTION_FOLDERS.get(section)
    return folder is not None and (root / folder / "tests").is_dir()


def _tally(passed: Sequence[TestResult], total: Sequence[TestResult]) -> str:
    return f"{len(passed)}/{len(total)}" if total else "-"


def already_passing(entry: TaskScore, verdict: Verdict) -> list[str]:
    """The core tests that pass in a task that has not passed (a starter's "free" tests)."""
    if verdict is Verdict.PASSED:
        return []
    return sorted(result.nodeid for result in entry.core_passed)


def render_markdown(scores: Sequence[TaskScore], *, root: Path = REPOSITORY_ROOT) -> str:
    lines = [
        "# Module 4 grading report",
        "",
        "A task passes when all of its **core** tests pass; **extra** tests are a bonus.",
        "",
        "| task | wording | core | extras | result |",
        "|---|---|---|---|---|",
    ]
    passing_notes: list[str] = []
    passed = 0
    for entry in scores:
        verdict = entry.verdict(section_exists(entry.task.section, root))
        passed += verdict is Verdict.PASSED
        wording = f"{entry.task.ru}<br>*{entry.task.en}*"
        core = _tally(entry.core_passed, entry.core)
        extra = _tally(entry.extra_passed, entry.extra)
        lines.append(f"| {entry.task.id} | {wording} | {core} | {extra} | {verdict} |")
        if entry.collection_errors:
            broken = ", ".join(f"`{nodeid}`" for nodeid in entry.collection_errors)
            passing_notes.append(f"- **{entry.task.id}** cannot run: {broken}")
        if passing := already_passing(entry, verdict):
            passing_notes.append(f"- **{entry.task.id}** ({len(passing)}/{len(entry.core)}):")
            passing_notes += [f"  - `{nodeid}`" for nodeid in passing]
    lines += ["", f"**{passed} of {len(scores)} tasks pass.**", ""]
    if passing_notes:
        lines += ["## Tasks not passed yet: what already passes, what cannot run", ""]
        lines += [*passing_notes, ""]
    return "\n".join(lines)


def render_text(scores: Sequence[TaskScore], *, root: Path = REPOSITORY_ROOT) -> str:
    header = ("task", "core", "extras", "result")
    rows: list[tuple[tuple[str, str, str, str], str, list[str]]] = []
    for entry in scores:
        verdict = entry.verdict(section_exists(entry.task.section, root))
        cells = (
            entry.task.id,
            _tally(entry.core_passed, entry.core),
            _tally(entry.extra_passed, entry.extra),
            str(verdict),
        )
        notes = [f"    cannot run: {nodeid}" for nodeid in entry.collection_errors]
        if passing := already_passing(entry, verdict):
            notes.append(f"    core tests passing already ({len(passing)}/{len(entry.core)}):")
            notes += [f"      {nodeid}" for nodeid in passing]
        rows.append((cells, entry.task.en, notes))
    widths = [
        max(len(cells[column]) for cells in [header, *(row[0] for row in rows)])
        for column in range(4)
    ]

    def line(cells: Sequence[str], wording: str) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded) + "  " + wording

    out = [line(header, "wording")]
    for cells, wording, notes in rows:
        out.append(line(cells, wording))
        out += notes
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_support.grade",
        description="Print the course's task scoreboard from pytest task reports.",
    )
    parser.add_argument(
        "--results",
        type=Path,
        action="append",
        default=[],
        help="a report file or a folder of them (default: build/results)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the scoreboard as Markdown here")
    parser.add_argument(
        "--summary", type=Path, help="append the Markdown to this file ($GITHUB_STEP_SUMMARY)"
    )
    parser.add_argument("--task", help="grade only this task: exit 0 when it passes, 1 otherwise")
    args = parser.parse_args(argv)

    catalogue = load_catalogue()
    if args.task and args.task not in catalogue:
        parser.error(f"unknown task {args.task!r}; known: {', '.join(catalogue)}")
    reports = read_reports(args.results or [REPOSITORY_ROOT / "build" / "results"])
    scores = score(reports, catalogue)
    if args.task:
        scores = [entry for entry in scores if entry.task.id == args.task]

    print(render_text(scores))  # noqa: T201 - a command-line report
    markdown = render_markdown(scores)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown, encoding="utf-8")
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as summary:
            summary.write(markdown)

    verdicts = [entry.verdict(section_exists(entry.task.section)) for entry in scores]
    if args.task:
        return 0 if verdicts == [Verdict.PASSED] else 1
    return 1 if Verdict.FAILED in verdicts else 0


if __name__ == "__main__":
    sys.exit(main())
