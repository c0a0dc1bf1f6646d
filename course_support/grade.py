"""The grading scoreboard: each course task, its tests passed out of total, and a verdict.

Reads the JSON reports that ``course_support.grading`` writes (``build/results/*.json``) and prints
a table; ``--markdown`` also writes it as Markdown (CI adds it to the job summary). Exits 1 when
a task that has tests fails, so a CI step or an autograder can award points per task.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

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


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "FAILED"
    SKIPPED = "skipped"
    NOT_RUN = "not run"
    NOT_STARTED = "not started"


@dataclass
class TaskScore:
    """What the reports say about one task."""

    task: CourseTask
    outcomes: dict[str, str] = field(default_factory=dict)
    """Outcome by ``suite::nodeid``: a test run twice (e.g. in two suites) counts twice."""

    @property
    def passed(self) -> int:
        return sum(outcome == "passed" for outcome in self.outcomes.values())

    @property
    def failed(self) -> int:
        return sum(outcome == "failed" for outcome in self.outcomes.values())

    def verdict(self, section_exists: bool) -> Verdict:
        if not self.outcomes:
            return Verdict.NOT_RUN if section_exists else Verdict.NOT_STARTED
        if self.failed:
            return Verdict.FAILED
        if self.passed == 0:
            return Verdict.SKIPPED
        return Verdict.PASSED


def read_reports(paths: Iterable[Path]) -> list[dict[str, object]]:
    """Load every report file; a directory stands for the ``*.json`` files in it."""
    reports: list[dict[str, object]] = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                reports.append(json.loads(file.read_text(encoding="utf-8")))
    return reports


def score(
    reports: Sequence[dict[str, object]], catalogue: dict[str, CourseTask]
) -> list[TaskScore]:
    """Tally each catalogue task's tests across the reports."""
    scores = {task_id: TaskScore(task) for task_id, task in catalogue.items()}
    for report in reports:
        suite = str(report.get("suite", "?"))
        tests = report.get("tests", [])
        for test in tests if isinstance(tests, list) else []:
            for task_id in test["tasks"]:
                if task_id in scores:
                    scores[task_id].outcomes[f"{suite}::{test['nodeid']}"] = test["outcome"]
    return list(scores.values())


def section_exists(section: str, root: Path = REPOSITORY_ROOT) -> bool:
    folder = SECTION_FOLDERS.get(section)
    return folder is not None and (root / folder / "tests").is_dir()


def render_markdown(scores: Sequence[TaskScore], *, root: Path = REPOSITORY_ROOT) -> str:
    lines = [
        "# Module 4 grading report",
        "",
        "| task | wording | tests passed | result |",
        "|---|---|---|---|",
    ]
    for entry in scores:
        verdict = entry.verdict(section_exists(entry.task.section, root))
        total = len(entry.outcomes)
        tally = f"{entry.passed}/{total}" if total else "-"
        wording = f"{entry.task.ru}<br>*{entry.task.en}*"
        lines.append(f"| {entry.task.id} | {wording} | {tally} | {verdict} |")
    passed = sum(entry.verdict(True) is Verdict.PASSED for entry in scores)
    lines += ["", f"**{passed} of {len(scores)} tasks pass.**", ""]
    return "\n".join(lines)


def render_text(scores: Sequence[TaskScore], *, root: Path = REPOSITORY_ROOT) -> str:
    rows = [("task", "tests", "result", "wording")]
    for entry in scores:
        verdict = entry.verdict(section_exists(entry.task.section, root))
        total = len(entry.outcomes)
        rows.append(
            (entry.task.id, f"{entry.passed}/{total}" if total else "-", verdict, entry.task.en)
        )
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    )


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
