"""The grader's fixtures: the learner's tests, run once on the reference code per suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_support.pytest_postgres import PostgresServer
from module_4_6_pytest.tests.grading.mutants import MUTANTS
from module_4_6_pytest.tests.grading.runner import LearnerTests, Mutation, Run


@pytest.fixture(scope="session")
def learner_tests(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> LearnerTests:
    return LearnerTests(tmp_path_factory.mktemp("learner-tests"), postgres_server.admin_url)


@pytest.fixture(scope="session")
def unit_coverage_data(learner_tests: LearnerTests) -> Path:
    return learner_tests.workdir / ".coverage.unit"


@pytest.fixture(scope="session")
def integration_coverage_data(learner_tests: LearnerTests) -> Path:
    return learner_tests.workdir / ".coverage.integration"


@pytest.fixture(scope="session")
def unit_reference_run(learner_tests: LearnerTests, unit_coverage_data: Path) -> Run:
    """The learner's unit tests on the reference code, measured for 4.6.3 at the same time."""
    return learner_tests.run("unit", coverage_data=unit_coverage_data)


@pytest.fixture(scope="session")
def integration_reference_run(learner_tests: LearnerTests, integration_coverage_data: Path) -> Run:
    """The learner's integration tests on the reference code, measured for 4.6.3 too."""
    return learner_tests.run("integration", coverage_data=integration_coverage_data)


@pytest.fixture(scope="session")
def unit_mutation(learner_tests: LearnerTests, unit_reference_run: Run) -> Mutation:
    """The learner's unit tests under every 4.6.1 fault, once their reference run passed."""
    unit_reference_run.require_passed()
    return learner_tests.mutate("unit", [m for m in MUTANTS if m.task == "4.6.1"])


@pytest.fixture(scope="session")
def integration_mutation(learner_tests: LearnerTests, integration_reference_run: Run) -> Mutation:
    """The learner's integration tests under every 4.6.2 fault, once their reference run passed."""
    integration_reference_run.require_passed()
    return learner_tests.mutate("integration", [m for m in MUTANTS if m.task == "4.6.2"])
