"""The grader itself: a weak suite lets a fault through, and a fault it tests for is caught."""

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


def test_a_weak_suite_passes_on_the_reference(learner_tests: LearnerTests, weak_suite: str) -> None:
    assert learner_tests.run("unit", paths=[weak_suite]).passed


def test_a_fault_the_suite_does_not_test_survives_and_one_it_tests_is_caught(
    learner_tests: LearnerTests, weak_suite: str
) -> None:
    untested, tested = MUTANTS_BY_NAME["holidays-ignored"], MUTANTS_BY_NAME["start-day-counted"]

    mutation = learner_tests.mutate("unit", [untested, tested], paths=[weak_suite])

    assert mutation.caught_by == {
        "holidays-ignored": None,
        "start-day-counted": "test_weak.py::test_monday_plus_one_is_tuesday",
    }, mutation.run.tail()
