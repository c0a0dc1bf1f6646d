"""4.6.2: the learner's API tests pass on the reference code and catch each planted fault."""

from __future__ import annotations

import pytest

from module_4_6_pytest.tests.grading.mutants import MUTANTS, Mutant
from module_4_6_pytest.tests.grading.runner import Mutation, Run


@pytest.mark.task("4.6.2", level="core")
def test_your_integration_tests_pass_on_the_reference_code(integration_reference_run: Run) -> None:
    integration_reference_run.require_passed()


@pytest.mark.parametrize(
    "mutant",
    [
        pytest.param(mutant, id=mutant.name, marks=pytest.mark.task("4.6.2", level=mutant.level))
        for mutant in MUTANTS
        if mutant.task == "4.6.2"
    ],
)
def test_your_integration_tests_catch_the_fault(
    mutant: Mutant, integration_reference_run: Run, request: pytest.FixtureRequest
) -> None:
    integration_reference_run.require_passed()
    mutation: Mutation = request.getfixturevalue("integration_mutation")  # one run for every fault

    caught_by = mutation.require_verdict(mutant)

    assert caught_by is not None, f"every integration test passed although {mutant.fault}"
