"""The grader itself: a weak suite passes, covers little, lets faults through, catches one."""

from __future__ import annotations

from pathlib import Path

import pytest

from module_4_6_pytest.tests.grading.mutants import MUTANTS_BY_NAME
from module_4_6_pytest.tests.grading.runner import LearnerTests

pytestmark = pytest.mark.support

WEAK_SUITE = """
from datetime import date

from module_4_6_pytest.business_days import add_business_days


def test_monday_plus_one_is_tuesday():
    assert add_business_days(date(2026, 11, 23), 1) == date(2026, 11, 24)
"""


@pytest.fixture
def weak_suite(tmp_path: Path) -> str:
    path = tmp_path / "test_weak.py"
    path.write_text(WEAK_SUITE, encoding="utf-8")
    return str(path)


def test_a_weak_suite_passes_but_covers_too_little(
    learner_tests: LearnerTests, weak_suite: str, tmp_path: Path
) -> None:
    data = tmp_path / ".coverage.weak"

    run = learner_tests.run("unit", paths=[weak_suite], coverage_data=data)
    coverage = learner_tests.coverage_percentages(data)

    assert run.passed, run.tail()
    assert coverage["business_days.py"] > 50.0
    assert coverage["api.py"] == 0.0
    assert coverage["TOTAL"] < 30.0


def test_a_fault_the_suite_does_not_test_survives_and_one_it_tests_is_caught(
    learner_tests: LearnerTests, weak_suite: str
) -> None:
    untested, tested = MUTANTS_BY_NAME["holidays-ignored"], MUTANTS_BY_NAME["start-day-counted"]

    mutation = learner_tests.mutate("unit", [untested, tested], paths=[weak_suite])

    assert mutation.caught_by == {
        "holidays-ignored": None,
        "start-day-counted": "test_weak.py::test_monday_plus_one_is_tuesday",
    }, mutation.run.tail()
