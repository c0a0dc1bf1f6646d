"""Inner pytest runs (pytester) get the same asyncio settings as the repository."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _inner_run_settings(request: pytest.FixtureRequest) -> None:
    if "pytester" in request.fixturenames:
        pytester: pytest.Pytester = request.getfixturevalue("pytester")
        pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
