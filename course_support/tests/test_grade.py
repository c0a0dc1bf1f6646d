"""The scoreboard: tallies per task, verdicts, Markdown output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_support.catalogue import CatalogueError, load_catalogue
from course_support.grade import Verdict, main, read_reports, render_markdown, score

pytestmark = pytest.mark.support


def _report(path: Path, suite: str, tests: list[tuple[str, str, str]]) -> Path:
    path.write_text(
        json.dumps(
            {
                "suite": suite,
                "tests": [
                    {"nodeid": nodeid, "tasks": [task], "outcome": outcome}
                    for nodeid, task, outcome in tests
                ],
            }
        )
    )
    return path


def test_the_catalogue_lists_every_course_task_in_order() -> None:
    catalogue = load_catalogue()

    assert list(catalogue)[:3] == ["4.2.1", "4.2.2", "4.2.3"]
    assert list(catalogue)[-1] == "4.8.4"
    assert len(catalogue) == 23
    assert catalogue["4.4.2"].ru.startswith("Добавить валидацию")
    assert all(task.en and task.ru for task in catalogue.values())


def test_a_catalogue_with_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    entry = '[[task]]\nid = "1"\nsection = "1"\nru = "р"\nen = "e"\n'
    (tmp_path / "tasks.toml").write_text(entry * 2)

    with pytest.raises(CatalogueError, match="listed twice"):
        load_catalogue(tmp_path / "tasks.toml")


def test_a_catalogue_entry_without_wording_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tasks.toml").write_text('[[task]]\nid = "1"\nsection = "1"\n')

    with pytest.raises(CatalogueError, match="lacks the key 'ru'"):
        load_catalogue(tmp_path / "tasks.toml")


def test_scores_tally_tests_per_task_across_reports(tmp_path: Path) -> None:
    _report(
        tmp_path / "a.json",
        "section_4_2",
        [("t::one", "4.2.1", "passed"), ("t::two", "4.2.1", "failed"), ("t::q", "4.2.2", "passed")],
    )
    _report(tmp_path / "b.json", "docker", [("d::smoke", "4.2.2", "skipped")])

    scores = {entry.task.id: entry for entry in score(read_reports([tmp_path]), load_catalogue())}

    assert (scores["4.2.1"].passed, len(scores["4.2.1"].outcomes)) == (1, 2)
    assert scores["4.2.1"].verdict(section_exists=True) is Verdict.FAILED
    assert scores["4.2.2"].verdict(section_exists=True) is Verdict.PASSED
    assert scores["4.2.3"].verdict(section_exists=True) is Verdict.NOT_RUN
    assert scores["4.2.3"].verdict(section_exists=False) is Verdict.NOT_STARTED


def test_a_task_whose_tests_were_all_skipped_is_not_a_pass(tmp_path: Path) -> None:
    _report(tmp_path / "a.json", "docker", [("d::smoke", "4.8.1", "skipped")])

    scores = {entry.task.id: entry for entry in score(read_reports([tmp_path]), load_catalogue())}

    assert scores["4.8.1"].verdict(section_exists=True) is Verdict.SKIPPED


def test_markdown_lists_wording_tally_and_verdict(tmp_path: Path) -> None:
    _report(tmp_path / "a.json", "s", [("t::one", "4.4.1", "passed")])
    scores = score(read_reports([tmp_path]), load_catalogue())

    markdown = render_markdown(scores, root=tmp_path)

    assert (
        "| 4.4.1 | Описать модели User, Post, Comment<br>*User, Post and Comment models* "
        "| 1/1 | passed |" in markdown
    )
    assert "| 4.2.1 |" in markdown
    assert "not started" in markdown


def test_main_fails_when_a_task_with_tests_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _report(tmp_path / "a.json", "s", [("t::one", "4.4.1", "failed")])
    markdown = tmp_path / "out" / "grade.md"
    summary = tmp_path / "summary.md"

    status = main(
        ["--results", str(tmp_path), "--markdown", str(markdown), "--summary", str(summary)]
    )

    assert status == 1
    assert "4.4.1" in capsys.readouterr().out
    assert markdown.read_text() == summary.read_text()


def test_main_passes_when_no_task_fails(tmp_path: Path) -> None:
    _report(tmp_path / "a.json", "s", [("t::one", "4.4.1", "passed")])

    assert main(["--results", str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("outcome", "expected_status"),
    [("passed", 0), ("failed", 1), ("skipped", 1)],
    ids=["passed-task-is-0", "failed-task-is-1", "skipped-task-is-1"],
)
def test_main_grades_one_task(tmp_path: Path, outcome: str, expected_status: int) -> None:
    _report(tmp_path / "a.json", "s", [("t::one", "4.2.3", outcome)])

    assert main(["--results", str(tmp_path), "--task", "4.2.3"]) == expected_status


def test_main_refuses_an_unknown_task(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--results", str(tmp_path), "--task", "4.9.9"])
    assert exit_info.value.code == 2
