"""The scoreboard: core verdicts and extra tallies per task, free tests, exit codes, freshness."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from course_support.catalogue import (
    REPOSITORY_ROOT,
    CatalogueError,
    fingerprint,
    load_catalogue,
    report_is_fresh,
    suite_inputs,
)
from course_support.grade import (
    TaskScore,
    Verdict,
    main,
    read_reports,
    render_markdown,
    render_text,
    score,
)

pytestmark = pytest.mark.support


def _report(
    path: Path,
    suite: str,
    tests: Sequence[tuple[str, ...]],
    *,
    created: float = 1.0,
    selected: list[str] | None = None,
    collection_errors: list[str] | None = None,
) -> Path:
    """A task report as the plugin writes it; a test is (nodeid, task, outcome[, level])."""
    entries = []
    for nodeid, task, outcome, *level in tests:  # a test: (nodeid, task, outcome[, level])
        entries.append(
            {
                "nodeid": nodeid,
                "tasks": [task],
                "levels": {task: level[0] if level else "core"},
                "outcome": outcome,
            }
        )
    path.write_text(
        json.dumps(
            {
                "suite": suite,
                "created": created,
                "selected_tasks": selected or [],
                "collection_errors": collection_errors or [],
                "tests": entries,
            }
        )
    )
    return path


def _scores(folder: Path) -> dict[str, TaskScore]:
    return {entry.task.id: entry for entry in score(read_reports([folder]), load_catalogue())}


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


def test_scores_tally_core_tests_per_task_across_reports(tmp_path: Path) -> None:
    _report(
        tmp_path / "a.json",
        "section_4_2",
        [("t::one", "4.2.1", "passed"), ("t::two", "4.2.1", "failed"), ("t::q", "4.2.2", "passed")],
    )
    _report(tmp_path / "b.json", "docker", [("d::smoke", "4.2.2", "passed")])

    scores = _scores(tmp_path)

    assert (len(scores["4.2.1"].core_passed), len(scores["4.2.1"].core)) == (1, 2)
    assert len(scores["4.2.2"].core) == 2
    assert scores["4.2.1"].verdict(section_exists=True) is Verdict.FAILED
    assert scores["4.2.2"].verdict(section_exists=True) is Verdict.PASSED
    assert scores["4.2.3"].verdict(section_exists=True) is Verdict.NOT_RUN
    assert scores["4.2.3"].verdict(section_exists=False) is Verdict.NOT_STARTED


def test_the_verdict_comes_from_core_tests_and_extras_are_a_bonus(tmp_path: Path) -> None:
    _report(
        tmp_path / "a.json",
        "section_4_2",
        [
            ("t::core", "4.2.2", "passed", "core"),
            ("t::priority", "4.2.2", "failed", "extra"),
            ("t::retry", "4.2.2", "passed", "extra"),
            ("t::extra_only", "4.2.3", "passed", "extra"),
        ],
    )

    scores = _scores(tmp_path)

    assert scores["4.2.2"].verdict(section_exists=True) is Verdict.PASSED
    assert (len(scores["4.2.2"].extra_passed), len(scores["4.2.2"].extra)) == (1, 2)
    assert scores["4.2.3"].verdict(section_exists=True) is Verdict.NOT_RUN


def test_a_task_with_a_skipped_core_test_is_not_checked(tmp_path: Path) -> None:
    _report(
        tmp_path / "a.json",
        "docker",
        [("d::smoke", "4.8.1", "skipped"), ("d::build", "4.8.1", "passed")],
    )

    assert _scores(tmp_path)["4.8.1"].verdict(section_exists=True) is Verdict.NOT_CHECKED


def test_a_newer_run_of_one_task_replaces_that_tasks_results_only(tmp_path: Path) -> None:
    _report(
        tmp_path / "full.json",
        "section_4_2",
        [("t::old", "4.2.1", "failed"), ("t::q", "4.2.2", "passed")],
        created=1.0,
    )
    _report(
        tmp_path / "task.json",
        "section_4_2",
        [("t::new", "4.2.1", "passed")],
        created=2.0,
        selected=["4.2.1"],
    )

    scores = _scores(tmp_path)

    assert list(scores["4.2.1"].results) == ["t::new"]
    assert scores["4.2.1"].verdict(section_exists=True) is Verdict.PASSED
    assert list(scores["4.2.2"].results) == ["t::q"]


def test_a_one_task_run_older_than_the_full_run_is_ignored(tmp_path: Path) -> None:
    _report(tmp_path / "full.json", "section_4_2", [("t::a", "4.2.1", "failed")], created=2.0)
    _report(
        tmp_path / "task.json",
        "section_4_2",
        [("t::a", "4.2.1", "passed")],
        created=1.0,
        selected=["4.2.1"],
    )

    assert _scores(tmp_path)["4.2.1"].verdict(section_exists=True) is Verdict.FAILED


def test_the_same_test_in_two_reports_counts_once_with_the_newest_outcome(tmp_path: Path) -> None:
    _report(tmp_path / "a.json", "docker_smoke", [("m/t.py::smoke", "4.7.3", "passed")], created=1)
    _report(tmp_path / "b.json", "section_4_7", [("m/t.py::smoke", "4.7.3", "failed")], created=2)

    entry = _scores(tmp_path)["4.7.3"]

    assert [result.outcome for result in entry.results.values()] == ["failed"]


def test_a_test_module_that_cannot_be_imported_fails_its_sections_tasks(tmp_path: Path) -> None:
    _report(
        tmp_path / "a.json",
        "section_4_2",
        [("module_4_2_asyncio/tests/test_a.py::t", "4.2.1", "passed")],
        collection_errors=["module_4_2_asyncio/tests/test_queue.py"],
    )
    _report(
        tmp_path / "b.json",
        "capstone",
        [("tests/test_ok.py::t", "4.8.2", "passed")],
        collection_errors=["tests/auth/test_login.py"],
    )

    scores = _scores(tmp_path)

    for task_id in ("4.2.1", "4.2.2", "4.2.3", "4.8.2"):
        assert scores[task_id].verdict(section_exists=True) is Verdict.FAILED, task_id
    assert scores["4.3.1"].verdict(section_exists=True) is Verdict.NOT_RUN
    text = render_text(list(scores.values()), root=tmp_path)
    assert "cannot run: module_4_2_asyncio/tests/test_queue.py" in text


def test_a_suite_run_that_stopped_fails_its_sections_tasks(tmp_path: Path) -> None:
    report = _report(tmp_path / "a.json", "section_4_3", [])
    data = json.loads(report.read_text())
    report.write_text(json.dumps({**data, "exit_status": 4}))

    scores = _scores(tmp_path)

    assert scores["4.3.1"].verdict(section_exists=True) is Verdict.FAILED
    assert scores["4.3.1"].collection_errors == ["the run stopped: pytest exit status 4"]
    assert scores["4.2.1"].verdict(section_exists=True) is Verdict.NOT_RUN


def test_markdown_lists_wording_tallies_and_verdict(tmp_path: Path) -> None:
    _report(
        tmp_path / "a.json",
        "s",
        [("t::one", "4.4.1", "passed"), ("t::bonus", "4.4.1", "failed", "extra")],
    )
    scores = score(read_reports([tmp_path]), load_catalogue())

    markdown = render_markdown(scores, root=tmp_path)

    assert (
        "| 4.4.1 | Описать модели User, Post, Comment<br>*User, Post and Comment models* "
        "| 1/1 | 0/1 | passed |" in markdown
    )
    assert "| 4.2.1 |" in markdown
    assert "not started" in markdown
    assert "**1 of 23 tasks pass.**" in markdown


def test_the_core_tests_that_pass_in_a_task_not_passed_are_listed(tmp_path: Path) -> None:
    _report(
        tmp_path / "a.json",
        "section_4_2",
        [
            ("t.py::test_free", "4.2.2", "passed"),
            ("t.py::test_real", "4.2.2", "failed"),
            ("t.py::test_bonus", "4.2.2", "passed", "extra"),
            ("t.py::test_done", "4.2.1", "passed"),
        ],
    )
    scores = score(read_reports([tmp_path]), load_catalogue())

    text = render_text(scores, root=tmp_path)
    markdown = render_markdown(scores, root=tmp_path)

    lines = text.splitlines()
    row = next(index for index, line in enumerate(lines) if line.startswith("4.2.2 "))
    assert lines[row].split()[:4] == ["4.2.2", "1/2", "1/1", "FAILED"]
    assert lines[row + 1 : row + 3] == [
        "    core tests passing already (1/2):",
        "      t.py::test_free",
    ]
    assert "test_done" not in text  # its task passed: nothing to list
    assert "- **4.2.2** (1/2):\n  - `t.py::test_free`" in markdown
    assert "test_bonus" not in markdown


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
    ids=["passed-task-is-0", "failed-task-is-1", "not-checked-task-is-1"],
)
def test_main_grades_one_task(tmp_path: Path, outcome: str, expected_status: int) -> None:
    _report(tmp_path / "a.json", "s", [("t::one", "4.2.3", outcome)])

    assert main(["--results", str(tmp_path), "--task", "4.2.3"]) == expected_status


def test_grading_one_task_from_saved_results_is_quick(tmp_path: Path) -> None:
    tests = [(f"t.py::test_{n}", "4.2.1", "passed") for n in range(300)]
    _report(tmp_path / "a.json", "section_4_2", tests)
    _report(tmp_path / "b.json", "section_4_3", [("u::x", "4.3.1", "failed")])

    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "course_support.grade",
            "--results",
            str(tmp_path),
            "--task",
            "4.2.1",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPOSITORY_ROOT,
    )
    elapsed = time.perf_counter() - started

    assert result.returncode == 0, result.stderr
    assert re.search(r"^4\.2\.1\s+300/300\s+-\s+passed", result.stdout, flags=re.MULTILINE)
    assert "4.3.1" not in result.stdout
    assert elapsed < 5


def test_main_refuses_an_unknown_task(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--results", str(tmp_path), "--task", "4.9.9"])
    assert exit_info.value.code == 2


def _inputs(root: Path) -> list[Path]:
    (root / "module_4_2_asyncio" / "tests").mkdir(parents=True)
    (root / "module_4_2_asyncio" / "tests" / "test_a.py").write_text("x = 1\n")
    (root / "course_support").mkdir()
    (root / "course_support" / "grade.py").write_text("y = 1\n")
    for name in ("pyproject.toml", "uv.lock", "noxfile.py", "tasks.toml"):
        (root / name).write_text(f"# {name}\n")
    return suite_inputs("module_4_2_asyncio", root)


@pytest.mark.parametrize(
    "changed",
    [
        "module_4_2_asyncio/tests/test_a.py",
        "pyproject.toml",
        "uv.lock",
        "noxfile.py",
        "course_support/grade.py",
        "tasks.toml",
    ],
)
def test_saved_results_go_stale_when_the_suite_or_a_shared_input_changes(
    tmp_path: Path, changed: str
) -> None:
    inputs = _inputs(tmp_path / "repo")
    report = tmp_path / "section_4_2.json"
    report.write_text(json.dumps({"fingerprint": fingerprint(inputs), "selected_tasks": []}))
    (tmp_path / "repo" / "module_4_2_asyncio" / "tests" / "__pycache__").mkdir()
    (tmp_path / "repo" / "module_4_2_asyncio" / "tests" / "__pycache__" / "a.pyc").write_bytes(b"")
    assert report_is_fresh(report, inputs)

    (tmp_path / "repo" / changed).write_text("changed\n")

    assert not report_is_fresh(report, inputs)


def test_results_of_a_partial_run_are_never_reused(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "repo")
    for extra in ({"selected_tasks": ["4.2.1"]}, {"extra_tests": "/held/back"}):
        report = tmp_path / "r.json"
        report.write_text(json.dumps({"fingerprint": fingerprint(inputs), **extra}))
        assert not report_is_fresh(report, inputs)
    assert not report_is_fresh(tmp_path / "missing.json", inputs)
