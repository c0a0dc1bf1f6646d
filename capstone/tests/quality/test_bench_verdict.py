"""The list benchmark's verdict: "no errors" needs requests answered at every load level too."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.task("4.8.2", level="core")
BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_list_tasks.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_list_tasks", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def results(bench: ModuleType, **changes: object) -> list[object]:
    """Three load levels that meet every goal, with `changes` applied to the one at 128."""
    good = [
        bench.LoadResult(connections, 20_000, 1_000.0, 20.0, 60.0, 0, 1.0)
        for connections in (32, 128, 256)
    ]
    good[1] = dataclasses.replace(good[1], **changes)
    return good


def test_a_run_that_meets_every_goal_passes(bench: ModuleType) -> None:
    assert bench.report(results(bench)) is True


def test_a_level_that_answered_no_request_fails_although_wrk_counted_no_error(
    bench: ModuleType,
) -> None:
    assert bench.report(results(bench, requests=0, requests_per_second=0.0)) is False


def test_errors_at_128_connections_fail(bench: ModuleType) -> None:
    assert bench.report(results(bench, errors=3)) is False
