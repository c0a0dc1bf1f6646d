"""Runs the learner's tests in a fresh pytest process, on the reference code or with a mutant.

The run gets the grader's PostgreSQL server (``TEST_DATABASE_URL``), so it starts none of its
own. Mutants are planted in turn by ``mutation_plugin`` in one process; a ``sitecustomize`` plants
the current one in every Python process the tests start (the service under uvicorn).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from module_4_6_pytest.tests.grading.mutants import MUTANT_VARIABLE, Mutant, Suite

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = "module_4_6_pytest"
SUITE_FOLDERS: Mapping[Suite, str] = {
    "unit": f"{PACKAGE}/tests/unit",
    "integration": f"{PACKAGE}/tests/integration",
}
RUN_TIMEOUT = 300.0
"""Seconds one run of the learner's tests may take before the grader stops it."""
ROUND_TIMEOUT = 120.0
"""Seconds more for each mutant of a mutation run (a surviving mutant runs every test)."""
COVERED_MODULES = (
    "api.py",
    "assignment.py",
    "business_days.py",
    "deadlines.py",
    "holidays.py",
    "priority.py",
    "schemas.py",
    "settings.py",
    "store.py",
)
"""The business logic and the API: what 4.6.3 measures (not the ``__main__`` launcher)."""

# Imports the service only in a process that must plant a mutant: the learner's own runs import
# it later, under coverage and pytest's assertion rewriting.
_SITECUSTOMIZE = f"""\
import os

if os.environ.get("{MUTANT_VARIABLE}"):
    from module_4_6_pytest.tests.grading.mutants import plant_from_environment

    plant_from_environment()
"""


@dataclass(frozen=True)
class Run:
    """How one run of the learner's tests ended."""

    description: str
    exit_code: int | None
    """pytest's exit code; ``None`` when the run passed ``RUN_TIMEOUT`` and was stopped."""
    output: str

    @property
    def passed(self) -> bool:
        return self.exit_code == pytest.ExitCode.OK

    @property
    def some_test_failed(self) -> bool:
        return self.exit_code == pytest.ExitCode.TESTS_FAILED

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output.splitlines()[-lines:])

    def require_passed(self) -> None:
        """Fail the grading test unless the learner's tests passed on the reference code."""
        if not self.passed:
            outcome = "timed out" if self.exit_code is None else f"exit code {self.exit_code}"
            pytest.fail(
                f"{self.description} must pass on the reference code first ({outcome}):\n"
                f"{self.tail()}",
                pytrace=False,
            )


@dataclass(frozen=True)
class Mutation:
    """A run of the tests under each mutant in turn, and the first test that failed under each."""

    run: Run
    caught_by: Mapping[str, str | None]

    def require_verdict(self, mutant: Mutant) -> str | None:
        """The test that caught ``mutant`` (``None``: it survived); fail if the run broke off."""
        if mutant.name not in self.caught_by:
            pytest.fail(
                f"the run of {self.run.description} under the faults ended before "
                f"{mutant.name!r} (exit code {self.run.exit_code}):\n{self.run.tail()}",
                pytrace=False,
            )
        return self.caught_by[mutant.name]


@dataclass(frozen=True)
class LearnerTests:
    """Runs the learner's tests against one database server, with scratch files in ``workdir``."""

    workdir: Path
    database_url: str

    def run(
        self, suite: Suite, *, coverage_data: Path | None = None, paths: Sequence[str] = ()
    ) -> Run:
        """Run one suite of the learner's tests (or ``paths``) on the reference code.

        It stops at the first failure (``-x``): the suite must pass before anything else counts.
        With ``coverage_data`` the run measures the package's coverage into that file.
        """
        options = ["-x"]
        if coverage_data:
            options += [f"--cov={PACKAGE}", "--cov-branch", "--cov-report="]
        return self._pytest(suite, paths, options, coverage_data=coverage_data)

    def mutate(
        self, suite: Suite, mutants: Sequence[Mutant], *, paths: Sequence[str] = ()
    ) -> Mutation:
        """Run the suite (or ``paths``) once per mutant: which test caught each, if any."""
        report = self.workdir / f"mutation-{suite}-{len(list(self.workdir.iterdir()))}.json"
        options = [
            "-p",
            "module_4_6_pytest.tests.grading.mutation_plugin",
            f"--mutants={','.join(mutant.name for mutant in mutants)}",
            f"--mutation-report={report}",
        ]
        run = self._pytest(
            suite, paths, options, timeout=RUN_TIMEOUT + ROUND_TIMEOUT * len(mutants)
        )
        caught_by = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        return Mutation(run, caught_by)

    def _pytest(
        self,
        suite: Suite,
        paths: Sequence[str],
        options: Sequence[str],
        *,
        coverage_data: Path | None = None,
        timeout: float = RUN_TIMEOUT,
    ) -> Run:
        site = self.workdir / "site"
        site.mkdir(parents=True, exist_ok=True)
        (site / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "pytest",
            *(paths or [SUITE_FOLDERS[suite]]),
            "-p",
            "no:cacheprovider",
            "-q",
            "--no-header",
            *options,
        ]
        python_path = [str(site), str(ROOT), os.environ.get("PYTHONPATH", "")]
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, python_path)),
            "TEST_DATABASE_URL": self.database_url,
            "COVERAGE_FILE": str(coverage_data or self.workdir / ".coverage.unused"),
            MUTANT_VARIABLE: "",
        }
        environment.pop("PYTEST_ADDOPTS", None)
        return _run(command, environment, f"your {suite} tests", timeout)

    def coverage_percentages(self, *data_files: Path) -> dict[str, float]:
        """Combined coverage (statements and branches) of each measured module, and ``TOTAL``."""
        combined = self.workdir / ".coverage.combined"
        report = self.workdir / "coverage.json"
        environment = {**os.environ, "COVERAGE_FILE": str(combined)}
        coverage = [sys.executable, "-m", "coverage"]
        config = f"--rcfile={ROOT / 'pyproject.toml'}"
        subprocess.run(
            [*coverage, "combine", "--keep", "-q", config, *map(str, data_files)],
            cwd=ROOT,
            env=environment,
            check=True,
            timeout=60,
        )
        subprocess.run(
            [*coverage, "json", "-q", config, "-o", str(report)],
            cwd=ROOT,
            env=environment,
            check=True,
            timeout=60,
        )
        return measured(json.loads(report.read_text(encoding="utf-8")))


def measured(report: Mapping[str, object]) -> dict[str, float]:
    """Per-module and total percentages of coverage's JSON report, over ``COVERED_MODULES``."""
    files = report["files"]
    assert isinstance(files, dict)
    covered = total = 0
    percentages: dict[str, float] = {}
    for module in COVERED_MODULES:
        summary = files.get(f"{PACKAGE}/{module}", {}).get("summary")
        if summary is None:  # --cov=<package> lists unimported files too; this is a renamed one
            percentages[module] = 0.0
            continue
        hits = summary["covered_lines"] + summary.get("covered_branches", 0)
        size = summary["num_statements"] + summary.get("num_branches", 0)
        percentages[module] = 100.0 * hits / size if size else 100.0
        covered += hits
        total += size
    percentages["TOTAL"] = 100.0 * covered / total if total else 0.0
    return percentages


def _run(command: list[str], environment: dict[str, str], description: str, timeout: float) -> Run:
    # A session of its own, so a timeout stops the learner's servers too, not only pytest.
    with subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            return Run(description, None, output)
    return Run(description, process.returncode, output)
