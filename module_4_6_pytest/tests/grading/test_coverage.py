"""4.6.3: the coverage the learner's tests reach, measured with pytest-cov while they run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from module_4_6_pytest.tests.grading.runner import COVERED_MODULES, LearnerTests, Run

CORE_FLOOR = 80.0
"""The course's figure: more than 80 % (statements and branches) of the service."""
EXTRA_FLOOR = 95.0


MeasureCoverage = Callable[[], dict[str, float]]


@pytest.fixture
def measure_coverage(
    learner_tests: LearnerTests,
    unit_reference_run: Run,
    integration_reference_run: Run,
    unit_coverage_data: Path,
    integration_coverage_data: Path,
) -> MeasureCoverage:
    """Coverage of each module by the unit and integration tests together, and ``TOTAL``.

    Coverage only counts when the tests that produced it pass: the test fails otherwise.
    """

    def measure() -> dict[str, float]:
        unit_reference_run.require_passed()
        integration_reference_run.require_passed()
        return learner_tests.coverage_percentages(unit_coverage_data, integration_coverage_data)

    return measure


def table(coverage: dict[str, float]) -> str:
    return "\n".join(f"  {name:<17} {percent:5.1f} %" for name, percent in coverage.items())


@pytest.mark.task("4.6.3", level="core")
def test_your_tests_cover_more_than_80_percent_of_the_service(
    measure_coverage: MeasureCoverage,
) -> None:
    coverage = measure_coverage()

    assert coverage["TOTAL"] > CORE_FLOOR, f"coverage of {', '.join(COVERED_MODULES)}:\n" + table(
        coverage
    )


@pytest.mark.task("4.6.3", level="extra")
def test_every_module_is_covered_above_80_percent(measure_coverage: MeasureCoverage) -> None:
    coverage = measure_coverage()

    below = {name: percent for name, percent in coverage.items() if percent <= CORE_FLOOR}
    assert not below, "modules at 80 % or less:\n" + table(below)


@pytest.mark.task("4.6.3", level="extra")
def test_your_tests_cover_95_percent_of_the_service(measure_coverage: MeasureCoverage) -> None:
    coverage = measure_coverage()

    assert coverage["TOTAL"] >= EXTRA_FLOOR, table(coverage)
