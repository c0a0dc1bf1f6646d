"""4.6.1: the learner's unit tests pass on the reference code and catch each planted fault."""

from __future__ import annotations

import pytest

from module_4_6_pytest.tests.grading.mutants import MUTANTS, Mutant
from module_4_6_pytest.tests.grading.runner import Mutation, Run


@pytest.mark.task("4.6.1", level="core")
def test_your_unit_tests_pass_on_the_reference_code(unit_reference_run: Run) -> None:
    unit_reference_run.require_passed()


@pytest.mark.parametrize(
    "mutant",
    [
        pytest.param(mutant, id=mutant.name, marks=pytest.mark.task("4.6.1", level=mutant.level))
        for mutant in MUTANTS
        if mutant.task == "4.6.1"
    ],
)
def test_your_unit_tests_catch_the_fault(
    mutant: Mutant, unit_reference_run: Run, request: pytest.FixtureRequest
) -> None:
    unit_reference_run.require_passed()
    mutation: Mutation = request.getfixturevalue("unit_mutation")  # one run for every fault

    caught_by = mutation.require_verdict(mutant)

    assert caught_by is not None, f"every unit test passed although {mutant.fault}"
