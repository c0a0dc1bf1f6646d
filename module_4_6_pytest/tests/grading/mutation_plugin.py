"""A pytest plugin that runs the collected tests once per mutant, in one process.

``pytest -p module_4_6_pytest.tests.grading.mutation_plugin --mutants a,b --mutation-report F``
plants each mutant, runs the tests until the first failure (the mutant is caught) or to the end
(it survived), undoes it, and writes ``{name: first failing test or null}`` as JSON to ``F``.
One process for every mutant saves the start-up (imports, collection) of one per mutant.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from module_4_6_pytest.tests.grading.mutants import MUTANT_VARIABLE, MUTANTS_BY_NAME, Mutant


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("4.6 grading")
    group.addoption("--mutants", help="comma-separated names of the mutants to plant in turn")
    group.addoption("--mutation-report", help="where to write which test caught each mutant")


def pytest_configure(config: pytest.Config) -> None:
    names = config.getoption("mutants")
    report = config.getoption("mutation_report")
    if names and report:
        mutants = [MUTANTS_BY_NAME[name] for name in names.split(",")]
        config.pluginmanager.register(_MutationRounds(mutants, Path(report)), "mutation-rounds")


class _MutationRounds:
    def __init__(self, mutants: list[Mutant], report: Path) -> None:
        self.mutants = mutants
        self.report = report
        self.failures: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failures.append(report.nodeid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        caught_by: dict[str, str | None] = {}
        for mutant in self.mutants:
            caught_by[mutant.name] = self._round(session, mutant)
            self.report.write_text(json.dumps(caught_by, indent=2), encoding="utf-8")
        return True  # the rounds replace pytest's own run of the tests

    def _round(self, session: pytest.Session, mutant: Mutant) -> str | None:
        """Run the tests with ``mutant`` planted; the first test that failed, if any."""
        self.failures = []
        patch = pytest.MonkeyPatch()
        patch.setenv(MUTANT_VARIABLE, mutant.name)  # processes the tests start plant it too
        try:
            mutant.plant(patch)
            items = session.items
            for index, item in enumerate(items):
                last = index + 1 == len(items)
                item.config.hook.pytest_runtest_protocol(
                    item=item, nextitem=None if last else items[index + 1]
                )
                if self.failures:
                    break
        finally:
            # Tear every fixture down before the next round, even after an early stop.
            session._setupstate.teardown_exact(None)
            patch.undo()
        return self.failures[0] if self.failures else None
