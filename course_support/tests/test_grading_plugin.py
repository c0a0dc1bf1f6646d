"""The grading plugin: each test names a known task; --task selects; the report keeps outcomes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.support


def _write_tests(pytester: pytest.Pytester, body: str) -> None:
    pytester.makepyfile(test_sample=textwrap.dedent(body))


def test_an_unmarked_test_stops_collection(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        def test_without_a_task():
            assert True
        """,
    )
    result = pytester.runpytest("-p", "course_support.grading")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_without_a_task: no @pytest.mark.task(*) marker*"])


def test_an_unknown_task_id_stops_collection(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        import pytest

        @pytest.mark.task("9.9.9", level="core")
        def test_of_a_task_that_does_not_exist():
            assert True
        """,
    )
    result = pytester.runpytest("-p", "course_support.grading")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown task id '9.9.9'*"])


def test_task_option_selects_one_tasks_tests(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        import pytest

        @pytest.mark.task("4.2.1", level="core")
        def test_downloader():
            assert True

        @pytest.mark.task("4.2.2", level="core")
        def test_queue():
            assert True
        """,
    )
    result = pytester.runpytest("-p", "course_support.grading", "--task", "4.2.2", "-v")

    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["*test_queue PASSED*"])


def test_task_option_refuses_an_unknown_id(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "course_support.grading", "--task", "4.2.9")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--task: unknown task id(s) 4.2.9*"])


def test_the_report_records_each_outcome_and_task(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        import pytest

        pytestmark = pytest.mark.task("4.4.1", level="core")

        def test_passes():
            assert True

        def test_fails():
            assert 1 == 2

        @pytest.mark.skip(reason="not here")
        def test_skipped():
            pass

        @pytest.fixture
        def broken_teardown():
            yield
            raise RuntimeError("teardown failed")

        def test_passes_but_teardown_fails(broken_teardown):
            assert True
        """,
    )
    report_path = pytester.path / "out" / "report.json"
    pytester.runpytest(
        "-p",
        "course_support.grading",
        f"--task-report={report_path}",
        "--task-report-suite=sample",
        f"--task-report-fingerprint={pytester.path}",
    )

    report = json.loads(report_path.read_text())
    outcomes = {test["nodeid"].split("::")[1]: test["outcome"] for test in report["tests"]}
    assert outcomes == {
        "test_passes": "passed",
        "test_fails": "failed",
        "test_skipped": "skipped",
        "test_passes_but_teardown_fails": "failed",
    }
    assert {tuple(test["tasks"]) for test in report["tests"]} == {("4.4.1",)}
    assert all(test["levels"] == {"4.4.1": "core"} for test in report["tests"])
    assert report["suite"] == "sample"
    assert report["exit_status"] == pytest.ExitCode.TESTS_FAILED
    assert isinstance(report["fingerprint"], str)
    assert len(report["fingerprint"]) == 64


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('pytest.mark.task("4.2.1")', "*test_graded: task 4.2.1 has no level; write*"),
        (
            'pytest.mark.task("4.2.1", level="bonus")',
            "*test_graded: task 4.2.1 has level='bonus'; write*",
        ),
        ('pytest.mark.task(level="core")', "*test_graded: a task marker names no task id*"),
    ],
    ids=["no-level", "unknown-level", "no-task-id"],
)
def test_a_task_marker_without_a_valid_level_stops_collection(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    _write_tests(
        pytester,
        f"""
        import pytest

        @{marker}
        def test_graded():
            assert True

        @pytest.mark.task("4.2.1", level="core")
        def test_well_marked():
            assert True
        """,
    )
    result = pytester.runpytest("-p", "course_support.grading")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "test_well_marked" not in result.stderr.str()


def test_the_closest_marker_sets_the_level_and_the_report_records_it(
    pytester: pytest.Pytester,
) -> None:
    _write_tests(
        pytester,
        """
        import pytest

        pytestmark = pytest.mark.task("4.2.2", level="core")

        def test_core():
            assert True

        @pytest.mark.task("4.2.2", level="extra")
        def test_extra():
            assert True

        @pytest.mark.task("4.2.3", level="extra")
        def test_of_two_tasks():
            assert True
        """,
    )
    report_path = pytester.path / "report.json"
    result = pytester.runpytest("-p", "course_support.grading", f"--task-report={report_path}")

    result.assert_outcomes(passed=3)
    levels = {
        test["nodeid"].split("::")[1]: test["levels"]
        for test in json.loads(report_path.read_text())["tests"]
    }
    assert levels == {
        "test_core": {"4.2.2": "core"},
        "test_extra": {"4.2.2": "extra"},
        "test_of_two_tasks": {"4.2.3": "extra", "4.2.2": "core"},
    }


def test_a_module_that_cannot_be_imported_is_recorded_and_the_rest_still_run(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_broken="import a_module_that_does_not_exist\n",
        test_fine=textwrap.dedent(
            """
            import pytest

            @pytest.mark.task("4.2.1", level="core")
            def test_fine():
                assert True
            """
        ),
    )
    report_path = pytester.path / "report.json"
    result = pytester.runpytest(
        "-p",
        "course_support.grading",
        "--continue-on-collection-errors",
        f"--task-report={report_path}",
    )

    result.assert_outcomes(passed=1, errors=1)
    report = json.loads(report_path.read_text())
    assert report["collection_errors"] == ["test_broken.py"]
    assert [test["nodeid"] for test in report["tests"]] == ["test_fine.py::test_fine"]


def test_support_marked_tests_need_no_task(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        import pytest

        @pytest.mark.support
        def test_infrastructure():
            assert True
        """,
    )
    pytester.runpytest("-p", "course_support.grading").assert_outcomes(passed=1)


def test_fingerprint_changes_with_content(tmp_path: Path) -> None:
    from course_support.catalogue import fingerprint  # noqa: PLC0415

    suite = Path(__file__).resolve().parent / "fixture_suite_probe"
    suite.mkdir(exist_ok=True)
    try:
        (suite / "a.py").write_text("x = 1\n")
        before = fingerprint([suite])
        (suite / "__pycache__").mkdir(exist_ok=True)
        (suite / "__pycache__" / "a.pyc").write_bytes(b"ignored")
        assert fingerprint([suite]) == before
        (suite / "a.py").write_text("x = 2\n")
        assert fingerprint([suite]) != before
    finally:
        for path in sorted(suite.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        suite.rmdir()
