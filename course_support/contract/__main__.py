"""``python -m course_support.contract``: run the contract suite and print its scoreboard.

``--base-url URL`` grades a running server; without it the repository's capstone is installed
(from its lock file), served on a free port on a fresh embedded PostgreSQL, graded and stopped.
Arguments after ``--`` go to pytest (e.g. ``-- -k tasks -x``). Exit 0 when every core test passes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from course_support.contract.scoreboard import Scoreboard
from course_support.contract.server import (
    CAPSTONE,
    DEFAULT_ENVIRONMENT,
    ServerError,
    ensure_capstone_environment,
    served_capstone,
)

SUITE = Path(__file__).resolve().parent / "tests"


def suite_arguments(
    base_url: str,
    *,
    admin: tuple[str, str] | None = None,
    task_report: Path | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The pytest command line that runs the contract suite against ``base_url``."""
    arguments = [
        str(SUITE),
        "-p",
        "course_support.contract.tests.plugin",
        "-o",
        "python_files=contract_*.py",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:anyio",  # httpx imported anyio before pytest; the suite needs no async plugin
        f"--base-url={base_url}",
    ]
    if admin:
        arguments += [f"--admin-email={admin[0]}", f"--admin-password={admin[1]}"]
    if task_report:
        arguments += [
            f"--task-report={task_report}",
            "--task-report-suite=contract",
        ]
    return [*arguments, *extra]


def run_suite(arguments: list[str], target: str) -> bool:
    """Run the suite in this process; print and return whether the core passes."""
    scoreboard = Scoreboard()
    pytest.main(arguments, plugins=[scoreboard])
    print(scoreboard.render(target))
    return scoreboard.core_passes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_support.contract",
        description="Grade a Task Manager API against capstone/docs/api-contract.md over HTTP.",
    )
    parser.add_argument("--base-url", help="a running server; default: serve the capstone/ project")
    parser.add_argument("--admin-email", help="an admin account of that server (admin extras)")
    parser.add_argument("--admin-password", help="that admin's password")
    parser.add_argument("--capstone", type=Path, default=CAPSTONE, help="project to serve")
    parser.add_argument(
        "--environment",
        type=Path,
        default=DEFAULT_ENVIRONMENT,
        help="virtual environment the served project is installed into",
    )
    parser.add_argument("--task-report", type=Path, help="write the grading report here")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)

    if args.base_url:
        admin = (args.admin_email, args.admin_password) if args.admin_email else None
        arguments = suite_arguments(
            args.base_url, admin=admin, task_report=args.task_report, extra=args.pytest_args
        )
        return 0 if run_suite(arguments, args.base_url) else 1
    try:
        executable = ensure_capstone_environment(args.capstone, args.environment)
        with served_capstone(executable) as server:
            arguments = suite_arguments(
                server.base_url,
                admin=(server.admin_email, server.admin_password),
                task_report=args.task_report,
                extra=args.pytest_args,
            )
            passed = run_suite(arguments, f"{args.capstone.name}/ served at {server.base_url}")
    except ServerError as error:
        print(f"contract: {error}", file=sys.stderr)
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
