"""Held-back tests laid over the suites for one grading run, then removed without a trace."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from course_support.catalogue import load_catalogue
from course_support.extra_tests import ExtraTestsError, laid_over, overlay_files
from course_support.grade import Verdict, read_reports, score

pytestmark = pytest.mark.support

HIDDEN_TEST = textwrap.dedent(
    """
    import pytest

    @pytest.mark.task("4.2.2", level="core")
    def test_hidden_uses_the_suites_fixture(queue_size):
        assert queue_size == 3

    @pytest.mark.task("4.2.2", level="extra")
    def test_hidden_extra():
        assert False, "held back and failing"
    """
)


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def test_held_back_tests_run_with_the_suites_fixtures_and_count_in_the_scoreboard(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    suite = pytester.path / "module_4_2_asyncio"
    (suite / "tests").mkdir(parents=True)
    (suite / "tests" / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef queue_size():\n    return 3\n"
    )
    (suite / "tests" / "test_visible.py").write_text(
        'import pytest\n\n@pytest.mark.task("4.2.2", level="core")\ndef test_visible():\n    pass\n'
    )
    overlay = tmp_path / "held_back"
    (overlay / "module_4_2_asyncio" / "tests" / "hidden").mkdir(parents=True)
    (overlay / "module_4_2_asyncio" / "tests" / "hidden" / "test_hidden.py").write_text(HIDDEN_TEST)
    before = _files(pytester.path)
    report_path = tmp_path / "report.json"

    files = overlay_files(overlay, ["module_4_2_asyncio", "capstone"])
    with laid_over(overlay, pytester.path, files["module_4_2_asyncio"]):
        result = pytester.runpytest(
            "-p",
            "course_support.grading",
            "-p",
            "no:cacheprovider",
            "module_4_2_asyncio",
            f"--task-report={report_path}",
            f"--task-report-extra-tests={overlay}",
        )

    result.assert_outcomes(passed=2, failed=1)
    left = {name for name in _files(pytester.path) - before if "__pycache__" not in name}
    assert not left
    assert not (suite / "tests" / "hidden").exists()
    report = json.loads(report_path.read_text())
    assert report["extra_tests"] == str(overlay)
    (entry,) = [
        entry
        for entry in score(read_reports([report_path]), load_catalogue())
        if entry.task.id == "4.2.2"
    ]
    assert (len(entry.core_passed), len(entry.core)) == (2, 2)
    assert (len(entry.extra_passed), len(entry.extra)) == (0, 1)
    assert entry.verdict(section_exists=True) is Verdict.PASSED


def test_a_held_back_file_never_replaces_a_repository_file(tmp_path: Path) -> None:
    (tmp_path / "repo" / "capstone" / "tests").mkdir(parents=True)
    (tmp_path / "repo" / "capstone" / "tests" / "test_a.py").write_text("original\n")
    (tmp_path / "overlay" / "capstone" / "tests").mkdir(parents=True)
    (tmp_path / "overlay" / "capstone" / "tests" / "test_a.py").write_text("replacement\n")

    with (
        pytest.raises(ExtraTestsError, match="would replace the repository's own files"),
        laid_over(tmp_path / "overlay", tmp_path / "repo", ["capstone/tests/test_a.py"]),
    ):
        pass
    assert (tmp_path / "repo" / "capstone" / "tests" / "test_a.py").read_text() == "original\n"


def test_a_held_back_file_outside_every_suite_is_refused(tmp_path: Path) -> None:
    (tmp_path / "overlay" / "elsewhere").mkdir(parents=True)
    (tmp_path / "overlay" / "elsewhere" / "test_x.py").write_text("")

    with pytest.raises(ExtraTestsError, match=r"elsewhere/test_x.py is not under a suite folder"):
        overlay_files(tmp_path / "overlay", ["module_4_2_asyncio"])
    with pytest.raises(ExtraTestsError, match="is not a folder"):
        overlay_files(tmp_path / "missing", ["module_4_2_asyncio"])


def test_the_held_back_files_are_removed_even_when_the_run_fails(tmp_path: Path) -> None:
    (tmp_path / "repo" / "capstone").mkdir(parents=True)
    (tmp_path / "overlay" / "capstone" / "tests" / "deep").mkdir(parents=True)
    (tmp_path / "overlay" / "capstone" / "tests" / "deep" / "test_x.py").write_text("")

    seen: list[bool] = []

    def grading_run_that_breaks() -> None:
        files = ["capstone/tests/deep/test_x.py"]
        with laid_over(tmp_path / "overlay", tmp_path / "repo", files) as copied:
            seen.extend(path.is_file() for path in copied)
            raise RuntimeError("the run broke")

    with pytest.raises(RuntimeError, match="the run broke"):
        grading_run_that_breaks()

    assert seen == [True]
    assert _files(tmp_path / "repo") == {"capstone"}
