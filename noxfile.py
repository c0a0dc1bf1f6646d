"""Every check of the course repository: lint, types, each section's tests, grading, Docker.

`nox` runs everything; `nox -l` lists the sessions; `nox -s section_4_2` checks one section.
Every install goes through a lock file (`uv.lock`, and `capstone/uv.lock` for the capstone).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
# The sessions read the task catalogue and grade through the course's own support package.
sys.path.insert(0, str(ROOT))
from course_support.catalogue import load_catalogue, report_is_fresh, suite_inputs  # noqa: E402
from course_support.extra_tests import ExtraTestsError, laid_over, overlay_files  # noqa: E402

RESULTS = ROOT / "build" / "results"
CAPSTONE = ROOT / "capstone"
COVERAGE_FLOOR = 85

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


@dataclass(frozen=True)
class Suite:
    """A folder of tests graded together, and what it needs installed."""

    session: str
    section: str
    folder: str
    group: str | None
    coverage_floor: int = COVERAGE_FLOOR

    @property
    def path(self) -> Path:
        return ROOT / self.folder

    @property
    def exists(self) -> bool:
        return (self.path / "tests").is_dir()

    @property
    def is_capstone(self) -> bool:
        return self.folder == "capstone"


SECTIONS = [
    Suite("section_4_2", "4.2", "module_4_2_asyncio", "section-4-2"),
    Suite("section_4_3", "4.3", "module_4_3_fastapi", "section-4-3"),
    Suite("section_4_4", "4.4", "module_4_4_pydantic", "section-4-4"),
    Suite("section_4_5", "4.5", "module_4_5_sqlalchemy", "section-4-5"),
    Suite("section_4_6", "4.6", "module_4_6_pytest", "section-4-6", coverage_floor=95),
    Suite("section_4_7", "4.7", "module_4_7_docker", "section-4-7"),
]
CAPSTONE_SUITE = Suite("capstone", "4.8", "capstone", None, coverage_floor=90)
SUPPORT_SUITE = Suite("support", "-", "course_support", "contract")
ALL_SUITES = [SUPPORT_SUITE, *SECTIONS, CAPSTONE_SUITE]

nox.options.sessions = [
    "lint",
    "typecheck",
    "support",
    *(suite.session for suite in SECTIONS),
    "capstone",
    "contract",
    "fuzz",
    "docker_smoke",
    "starter_check",
    "loadtest",
    "grade",
]


def sync(session: nox.Session, *groups: str, project: Path = ROOT, only: bool = False) -> None:
    """Install exactly what the lock file pins for these dependency groups into the session.

    `only=True` installs those groups alone, without the project's default `dev` group.
    """
    uv = shutil.which("uv")
    if uv is None:  # pip fallback: bootstrap uv itself, then install through the lock as usual
        session.install("uv")
        uv = "uv"
    # `--python` names the session's own interpreter: without it uv would follow
    # `.python-version` and replace a `--force-python 3.12` environment with a 3.11 one.
    python = Path(session.bin) / ("python.exe" if sys.platform == "win32" else "python")
    args = [uv, "sync", "--locked", "--inexact", "--project", str(project), "--python", str(python)]
    args += [f"--only-group={group}" if only else f"--group={group}" for group in groups]
    session.run_install(
        *args,
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        external=True,
        silent=True,
    )


def pytest_args(suite: Suite, *, report: str, extra: list[str]) -> list[str]:
    """Arguments that run one suite and record its per-task results."""
    # Sections get the grading plugin from the root conftest.py; the standalone capstone loads it
    # explicitly (importing it with -p elsewhere would hide its module lines from coverage).
    plugin = ["-p", "course_support.grading"] if suite.is_capstone else []
    return [
        "pytest",
        str(suite.path / "tests") if suite.is_capstone else suite.folder,
        *plugin,
        f"--task-report={RESULTS / report}",
        # A run of some tasks (task-*.json) is labelled with its suite: the scoreboard lets the
        # newest run of a suite win, task by task.
        f"--task-report-suite={report.removesuffix('.json').removeprefix('task-')}",
        *(f"--task-report-fingerprint={path}" for path in suite_inputs(suite.folder, ROOT)),
        *extra,
    ]


def capstone_env() -> dict[str, str]:
    # The capstone is a standalone project; the grading plugin comes from the repository root.
    return {"PYTHONPATH": str(ROOT)}


def check_and_test(session: nox.Session, suite: Suite) -> None:
    """Lint and type-check a suite's folder, then run its tests with a coverage floor."""
    if not suite.exists:
        if suite is SUPPORT_SUITE:
            session.skip("no tests of the course support here (the learner's edition)")
        session.skip(f"section {suite.section} ({suite.folder}/) has not landed yet")
    if suite.is_capstone:
        sync(session, "dev", project=CAPSTONE)
    else:
        sync(session, *filter(None, [suite.group]))
    session.run("ruff", "check", suite.folder)
    session.run("ruff", "format", "--check", suite.folder)
    session.run("mypy", "--config-file", str(ROOT / "pyproject.toml"), suite.folder)
    package = "taskmanager" if suite.is_capstone else suite.folder
    # The Docker tests run in `docker_smoke`, the learner's edition's checks in `starter_check`.
    # (`starter_check` is a marker of the course support's tests only; the capstone, a project
    # of its own, knows no such marker.)
    extra = ["-m", "not docker and not starter_check" if suite is SUPPORT_SUITE else "not docker"]
    if session.posargs:
        extra += session.posargs
    # The learner's own capstone: its tests name no course task (`nox -s grade` grades 4.8 with
    # the hand-in checklist), so they run without the grading plugin and its report.
    graded = not (suite.is_capstone and learners_edition())
    command = (
        pytest_args(suite, report=f"{suite.session}.json", extra=extra)
        if graded
        else ["pytest", str(suite.path / "tests"), "-m", "not docker", *session.posargs]
    )
    session.run(
        *command,
        f"--cov={package}",
        "--cov-branch",
        "--cov-report=term-missing:skip-covered",
        f"--cov-fail-under={suite.coverage_floor}",
        # The capstone's own coverage settings (greenlet tracing, subprocesses of its CLI).
        *([f"--cov-config={CAPSTONE / 'pyproject.toml'}"] if suite.is_capstone else []),
        env={
            # One data file per session, so sessions run side by side never merge their data.
            "COVERAGE_FILE": str(coverage_folder() / f".coverage.{suite.session}"),
            **(capstone_env() if suite.is_capstone else {}),
        },
    )


def coverage_folder() -> Path:
    folder = ROOT / "build" / "coverage"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff, and every YAML file parsed; workflows, Dependabot and compose files schema-checked."""
    sync(session, "lint", only=True)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # Every YAML file parsed; workflows, Dependabot and written compose files schema-checked.
    session.run(
        "python", "-m", "course_support.yaml_check", "--schemas", env={"PYTHONPATH": str(ROOT)}
    )


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the shared support, the noxfile and every section that has landed."""
    sync(session, "tools", *(suite.group for suite in SECTIONS if suite.group))
    targets = ["noxfile.py", "course_support"]
    targets += [suite.folder for suite in SECTIONS if suite.exists]
    session.run("mypy", *targets)


@nox.session
def support(session: nox.Session) -> None:
    """Tests of the shared support: grading, PostgreSQL fixture, contract suite and checklist."""
    check_and_test(session, SUPPORT_SUITE)


def _section_session(suite: Suite) -> None:
    def run(session: nox.Session) -> None:
        check_and_test(session, suite)

    run.__doc__ = f"Section {suite.section} ({suite.folder}/): ruff, mypy, tests with coverage."
    nox.session(name=suite.session)(run)


for _suite in SECTIONS:
    _section_session(_suite)


@nox.session(name="capstone")
def capstone(session: nox.Session) -> None:
    """Capstone Task Manager API (capstone/): ruff, mypy, tests with >= 90 % coverage."""
    check_and_test(session, CAPSTONE_SUITE)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Schemathesis against a served capstone (every phase and check, a user's and an admin's
    token, about three minutes): no 5xx, no undocumented status, responses match the schema.

    `nox -s fuzz -- --max-time 30 --seed 1` passes its arguments on (see capstone/fuzz/).
    """
    runner = CAPSTONE / "fuzz" / "run_schemathesis.py"
    if not runner.is_file():  # the learner's edition: capstone/ is the learner's own project
        session.skip("no capstone/fuzz/ here: fuzzing drives the reference capstone")
    sync(session, "dev", project=CAPSTONE)
    arguments = list(session.posargs)
    # CI replays one seed, so a red run is reproducible and a green one is not luck; a developer's
    # run without --seed explores new cases each time.
    if os.environ.get("CI") and not any(arg.startswith("--seed") for arg in arguments):
        arguments += ["--seed", "20261205"]
    session.run("python", str(runner), *arguments)


@nox.session
def serve(session: nox.Session) -> None:
    """Run the capstone API (`taskmanager serve`); with no DATABASE_URL, on an embedded PostgreSQL.

    `nox -s serve` then http://127.0.0.1:8000/docs; arguments go through:
    `nox -s serve -- --host 0.0.0.0 --port 9000 --workers 2`.
    """
    sync(session, project=CAPSTONE)
    # The embedded database lives in capstone/.data/ (as the README says), wherever nox runs from;
    # an EMBEDDED_DATA_DIR of the caller's wins.
    data = {"EMBEDDED_DATA_DIR": str(CAPSTONE / ".data" / "postgres")}
    session.run(
        "taskmanager",
        "serve",
        *session.posargs,
        env={} if "EMBEDDED_DATA_DIR" in os.environ else data,
    )


@nox.session(venv_backend="none")
def starter(session: nox.Session) -> None:
    """Write the learner's edition: `nox -s starter -- DIR` (`--force` replaces DIR's content).

    Every file git tracks, solution regions stubbed (CONTRIBUTING.md §3), minus starter.toml's
    excludes, plus its overlay; `--check-round-trip` then proves the reference comes back.
    """
    if not (ROOT / "starter.toml").is_file():
        session.error("this is the learner's edition (no starter.toml): it makes no starters")
    if not session.posargs:
        session.error("usage: nox -s starter -- DIR [--force] [--check-round-trip]")
    session.run(
        sys.executable,
        "-m",
        "course_support.starter",
        *session.posargs,
        env={"PYTHONPATH": str(ROOT)},
        external=True,
    )


@nox.session
def starter_check(session: nox.Session) -> None:
    """The learner's edition is a fair exercise (slow): it passes lint and types as generated.

    Grading it passes no core task of the sections, and at most 20 % of a task's core tests pass
    on the stubs ("free" tests); its whole grade takes under five minutes.
    """
    if not (ROOT / "starter.toml").is_file():
        session.skip(
            "this is the learner's edition (no starter.toml): there is no starter to check"
        )
    sync(session, "contract")  # collecting course_support/tests imports the contract suite's tools
    session.run(
        "pytest",
        "course_support/tests",
        "-m",
        "starter_check",
        "-p",
        "no:cacheprovider",
        "-s",
        *session.posargs,
        # The starter's sessions run with the pinned nox that runs this one.
        env={"COURSE_NOX": shlex.join([sys.executable, "-m", "nox"])},
    )


LOADTEST = ROOT / "build" / "loadtest"
# The p95 the run must stay under, from runs of the default mix on this course's 2-core machine
# (see the capstone's README, "Scaling"); --max-p95-ms overrides it.
LOADTEST_P95_MS = "500"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"taskmanager serve exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health/ready", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} was not ready within {timeout:.0f} s")


@nox.session
def loadtest(session: nox.Session) -> None:
    """Locust's realistic mix against the capstone, headless; fails on errors or a slow p95.

    `nox -s loadtest` is CI's short run (20 users, 20 s); `nox -s loadtest -- --users 50
    --run-time 60s [--workers 2] [--host URL]`. Without --host it serves the capstone itself
    (`taskmanager serve` on a free port, embedded PostgreSQL in a fresh folder, bcrypt at cost
    4). Locust's HTML report (with its charts) and CSV files go to build/loadtest/.
    """

    parser = argparse.ArgumentParser(prog="nox -s loadtest --")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="20s")
    parser.add_argument("--host", help="an API already running; else one is served here")
    parser.add_argument("--workers", type=int, default=1, help="workers of the served API")
    parser.add_argument("--think-time", default="1.25", help="mean seconds between actions")
    parser.add_argument("--max-error-ratio", default="0.001")
    parser.add_argument("--max-p95-ms", default=LOADTEST_P95_MS)
    args = parser.parse_args(session.posargs)
    sync(session, "dev", project=CAPSTONE)
    LOADTEST.mkdir(parents=True, exist_ok=True)
    locust = [
        "locust",
        "--locustfile",
        str(CAPSTONE / "loadtest" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--stop-timeout",
        "10",
        "--html",
        str(LOADTEST / "report.html"),
        "--csv",
        str(LOADTEST / "stats"),
        "--only-summary",
        "--max-error-ratio",
        args.max_error_ratio,
        "--max-p95-ms",
        args.max_p95_ms,
        "--think-time",
        args.think_time,
    ]
    if args.host:
        session.run(*locust, "--host", args.host)
        return
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="taskmanager-loadtest-") as scratch:
        clean = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env = {
            **clean,
            "ENVIRONMENT": "test",
            "BCRYPT_ROUNDS": "4",
            # Short-lived access tokens, so that the simulated users refresh theirs in the run.
            "ACCESS_TOKEN_TTL_SECONDS": "20",
            "EMBEDDED_DATA_DIR": str(Path(scratch) / "pgdata"),
            "LOG_LEVEL": "WARNING",
        }
        command = ["taskmanager", "serve", "--port", str(port), "--workers", str(args.workers)]
        session.log(f"serving the capstone on {url} ({args.workers} worker(s))")
        server = subprocess.Popen(
            [str(Path(session.bin) / command[0]), *command[1:]], env=env, cwd=scratch
        )
        try:
            _wait_until_ready(url, server)
            session.run(*locust, "--host", url)
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    session.log(f"Locust's report: {LOADTEST / 'report.html'}")


@nox.session(name="section_4_8")
def section_4_8(session: nox.Session) -> None:
    """Alias of `capstone`: the course numbers the capstone 4.8."""
    check_and_test(session, CAPSTONE_SUITE)


@nox.session
def contract(session: nox.Session) -> None:
    """The capstone's API contract over HTTP only (4.8.2), with a core/extras scoreboard.

    `nox -s contract -- --base-url http://127.0.0.1:8000` grades any running implementation;
    without `--base-url` the reference capstone is served on an embedded PostgreSQL and graded.
    Arguments after a second `--` go to pytest: `nox -s contract -- -- -k tasks`.
    """
    sync(session, "contract")  # httpx, the suite's client; pytest comes with dev
    session.run(
        "python",
        "-m",
        "course_support.contract",
        f"--task-report={RESULTS / 'contract.json'}",
        *session.posargs,
    )


@nox.session
def checklist(session: nox.Session) -> None:
    """The capstone's hand-in checklist (4.8.1-4.8.4) on a project: `-- --project DIR`.

    Compose up and `/docs` (only where a Docker engine answers), the project's own tests, `/docs`
    and `/openapi.json` from `taskmanager serve`, ruff and mypy; exit 0 only when all pass.
    """
    sync(session, "contract")
    session.run("python", "-m", "course_support.checklist", *session.posargs)


@nox.session
def docker_smoke(session: nox.Session) -> None:
    """Docker for real: 4.7's image and stack, the capstone's compose stacks, the quickstart.

    Builds images, starts compose stacks (write, restart, read back, `down -v`) and runs the
    README's quickstart in a Debian 12 container. The tests prepare the engine themselves: with
    `../shared/containers/` beside the repository they run `ensure-docker` and
    `build-stand-in-images` and use the stand-in base images; where no engine can run they skip
    and say why (the scoreboard then says "not checked").
    """
    section = next(suite for suite in SECTIONS if suite.section == "4.7")
    candidates = (SUPPORT_SUITE, section, CAPSTONE_SUITE)
    suites = [suite for suite in candidates if (suite.path / "tests").is_dir()]
    if not suites:
        session.skip("neither section 4.7 nor the capstone has landed yet")
    extra = ["-m", "docker", *session.posargs]
    for suite in suites:
        if suite.is_capstone:
            if not (suite.path / "tests" / "docker").is_dir():
                session.log("capstone: no Docker tests yet (capstone/tests/docker/)")
                continue
            sync(session, "dev", project=CAPSTONE)
            report = "docker_smoke_capstone.json"
        elif suite is SUPPORT_SUITE:
            sync(session, *filter(None, [suite.group]))
            report = "docker_smoke_support.json"
        else:
            sync(session, *filter(None, [suite.group]))
            report = "docker_smoke.json"
        session.run(
            *pytest_args(suite, report=report, extra=extra),
            env=capstone_env() if suite.is_capstone else {},
        )


def learners_edition() -> bool:
    """The learner's edition ships no starter.toml; there, capstone/ is the learner's project."""
    return not (ROOT / "starter.toml").is_file()


def _run_suite_for_grade(
    session: nox.Session, suite: Suite, *, task: str | None, extra_tests: Path | None
) -> None:
    if suite.is_capstone and learners_edition():
        # The learner's own capstone names no course task in its tests: the hand-in checklist
        # grades 4.8.1-4.8.4 (Docker's 4.8.1 only where an engine answers).
        sync(session, "contract")
        report = f"task-{suite.session}.json" if task else f"{suite.session}.json"
        session.run(
            "python",
            "-m",
            "course_support.checklist",
            "--project",
            str(CAPSTONE),
            "--report",
            str(RESULTS / report),
            *(["--check", task] if task else []),
            success_codes=[0, 1],
        )
        return
    if suite.is_capstone:
        sync(session, "dev", project=CAPSTONE)
    else:
        sync(session, *filter(None, [suite.group]))
    # A full scoreboard leaves the Docker tests to `docker_smoke`; grading one task runs all of
    # its tests, Docker included (they skip, visibly, where no engine runs). A test module that
    # cannot be imported does not stop the others; the report records it and its section fails.
    extra = ["-p", "no:cacheprovider", "--continue-on-collection-errors"]
    extra += ["--task", task] if task else ["-m", "not docker"]
    if extra_tests:
        extra.append(f"--task-report-extra-tests={extra_tests}")
    report = f"task-{suite.session}.json" if task else f"{suite.session}.json"
    session.run(
        *pytest_args(suite, report=report, extra=extra),
        env=capstone_env() if suite.is_capstone else {},
        # Whatever happened, the scoreboard follows: a run that stopped fails its section's tasks.
        success_codes=[0, 1, 2, 3, 4, 5],
    )


def _grade_arguments(session: nox.Session) -> tuple[str | None, Path | None]:
    """`-- [--task ID] [--extra-tests DIR]`."""
    usage = "usage: nox -s grade [-- [--task ID] [--extra-tests DIR]]"
    args = list(session.posargs)
    options: dict[str, str] = {}
    while args:
        name = args.pop(0)
        if name not in {"--task", "--extra-tests"} or not args or name in options:
            session.error(usage)
        options[name] = args.pop(0)
    extra_tests = options.get("--extra-tests")
    folder = Path(session.invoked_from, extra_tests).resolve() if extra_tests else None
    return options.get("--task"), folder


@nox.session
def grade(session: nox.Session) -> None:
    """Scoreboard of the course tasks: each task's verdict from its core tests, extras as a bonus.

    `-- --task 4.2.1` runs and grades one task (exit 0 when it passes, 1 otherwise);
    `-- --extra-tests DIR` lays held-back tests (DIR mirrors the repository) over the suites for
    this run only. Saved results are reused while their suite and the shared inputs are unchanged.
    """
    task, extra_tests = _grade_arguments(session)
    suites = [*SECTIONS, CAPSTONE_SUITE]
    try:
        overlay = (
            overlay_files(extra_tests, [suite.folder for suite in suites]) if extra_tests else {}
        )
    except ExtraTestsError as error:
        session.error(str(error))
    if task:
        catalogue = load_catalogue()
        if task not in catalogue:
            session.error(f"unknown task {task}; known: {', '.join(catalogue)}")
        section = catalogue[task].section
        suite = next(suite for suite in suites if suite.section == section)
        if not suite.exists:
            session.error(f"task {task}: section {section} has not landed yet (not started)")
        suites = [suite]
    for suite in suites:
        report = RESULTS / f"{suite.session}.json"
        extra_files = overlay.get(suite.folder, [])
        if not suite.exists or not (task or extra_files or not _fresh(report, suite)):
            continue
        if not task:
            session.log(f"{suite.session}: no up-to-date results, running its tests")
        try:
            # No files to lay over (no --extra-tests, or none for this suite) is a no-op.
            with laid_over(extra_tests or ROOT, ROOT, extra_files):
                _run_suite_for_grade(
                    session, suite, task=task, extra_tests=extra_tests if extra_files else None
                )
        except ExtraTestsError as error:
            session.error(str(error))
    if task:
        session.run(
            "python",
            "-m",
            "course_support.grade",
            "--results",
            str(RESULTS / f"task-{suites[0].session}.json"),
            "--task",
            task,
        )
        return
    output = ROOT / "build" / "grade.md"
    session.run(
        "python",
        "-m",
        "course_support.grade",
        "--results",
        str(RESULTS),
        "--markdown",
        str(output),
        *(
            ["--summary", os.environ["GITHUB_STEP_SUMMARY"]]
            if os.environ.get("GITHUB_STEP_SUMMARY")
            else []
        ),
    )


def _fresh(report: Path, suite: Suite) -> bool:
    return report_is_fresh(report, suite_inputs(suite.folder, ROOT))
