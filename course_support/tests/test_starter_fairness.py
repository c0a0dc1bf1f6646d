"""The learner's edition, built from this repository, is a fair exercise (`nox -s starter_check`).

It passes lint and types as generated, and its `nox -s grade` fails: no core task of the sections
passes on the stubs, and at most 20 % of a task's core tests pass before the learner writes
anything ("free" tests, CONTRIBUTING.md §2). Slow (it builds the starter's environments and runs
every section's tests), so it runs in its own session, not in `support`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from course_support.catalogue import REPOSITORY_ROOT, load_catalogue
from course_support.grade import Verdict, read_reports, score
from course_support.starter import build

pytestmark = [pytest.mark.support, pytest.mark.starter_check]

SECTION_TASKS = [task for task in load_catalogue().values() if task.section != "4.8"]
FREE_SHARE_LIMIT = 0.20
GRADE_TIME_LIMIT = 300.0  # seconds: a learner's full scoreboard on the stubs


def _nox_command() -> list[str]:
    """The nox that runs this session (the pinned one), else the one on PATH."""
    if command := os.environ.get("COURSE_NOX"):
        return shlex.split(command)
    nox = shutil.which("nox")
    if nox is None:
        pytest.fail("no nox to run the starter's sessions (set COURSE_NOX or put nox on PATH)")
    return [nox]


def _run_nox(starter: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    # The inner nox makes its own environments: nothing of this session's may leak into them,
    # and its scoreboard must not land in this run's CI summary. uv's cache is shared.
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"VIRTUAL_ENV", "GITHUB_STEP_SUMMARY", "PYTHONPATH", "COURSE_NOX"}
        and not name.startswith(("COV_", "COVERAGE_", "PYTEST_"))
    }
    command = [*_nox_command(), "--no-color", *args]
    # A session of its own, so a run over time is stopped with everything it started.
    with subprocess.Popen(
        command,
        cwd=starter,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            pytest.fail(f"{shlex.join(args)} took over {timeout:.0f} s:\n{stdout[-3000:]}")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    destination = tmp_path_factory.mktemp("learner") / "repository"
    build(REPOSITORY_ROOT, destination)
    return destination


def test_the_starter_passes_lint_and_typecheck_as_generated(starter: Path) -> None:
    result = _run_nox(starter, "-s", "lint", "typecheck", timeout=900)

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_grading_the_starter_passes_no_core_task_and_gives_little_away(starter: Path) -> None:
    started = time.monotonic()
    result = _run_nox(starter, "-s", "grade", timeout=GRADE_TIME_LIMIT + 60)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr

    scores = {
        entry.task.id: entry
        for entry in score(read_reports([starter / "build" / "results"]), load_catalogue())
    }
    states = []
    unfair = []
    for task in SECTION_TASKS:
        entry = scores[task.id]
        verdict = entry.verdict(section_exists=True)
        free, core = len(entry.core_passed), len(entry.core)
        problems = [f"cannot run: {problem}" for problem in entry.collection_errors]
        states.append(f"{task.id}: {verdict}, {free}/{core} core tests free {problems or ''}")
        # A task none of whose core tests ran proves nothing: it counts against the starter.
        if verdict is Verdict.PASSED or not core or free > FREE_SHARE_LIMIT * core:
            unfair.append(task.id)
        # The scoreboard names every free test, so a section engineer sees which to tighten.
        if verdict is not Verdict.PASSED:
            missing = [result.nodeid for result in entry.core_passed if result.nodeid not in output]
            assert not missing, f"{task.id}: free tests not printed: {missing}"
    report = "\n".join(states) + "\n--- the end of its output:\n" + output[-3000:]
    print(f"grading the starter took {elapsed:.0f} s:\n{report}")

    assert result.returncode != 0, f"grading the stubs succeeded:\n{report}"
    assert not unfair, f"tasks passed, without core tests, or over 20 % free:\n{report}"
    assert elapsed < GRADE_TIME_LIMIT, f"grading the starter took {elapsed:.0f} s\n{report}"
