"""Top layer of the suite's fixtures: what unit and integration tests both use.

Your tests (``unit/``, ``integration/``) grade no task themselves: the grader (``grading/``) runs
them on the reference code and on planted faults. So they need no ``task`` mark; this file marks
them as ungraded (``support``) for the course's grading plugin.

The layers: this file (marks, the fake holidays API at the HTTP boundary), ``unit/conftest.py``
(a holidays client on its own), ``integration/conftest.py`` (PostgreSQL, the app, an HTTP client,
factories). A test gets every fixture of the conftest files on its path, the nearest winning.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import respx

from module_4_6_pytest.tests.nager import GERMANY, HOLIDAYS_URL, PATH_PATTERN, FakeNager


def pytest_configure(config: pytest.Config) -> None:
    # --strict-markers rejects a mark nobody registered: these are the suite's own.
    config.addinivalue_line("markers", "integration: needs PostgreSQL; the app runs in-process")
    config.addinivalue_line("markers", "slow: starts a subprocess (a real server, a nested run)")


YOUR_TESTS = (Path(__file__).parent / "unit", Path(__file__).parent / "integration")


@pytest.hookimpl(tryfirst=True)  # before the grading plugin asks every test for its task
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.path.is_relative_to(folder) for folder in YOUR_TESTS):
            item.add_marker(pytest.mark.support)


@pytest.fixture
def nager() -> FakeNager:
    """The fake holidays API's state: Germany 2026-2027, no failures. Fresh for every test."""
    return FakeNager(GERMANY)


@pytest.fixture
def holidays_api(nager: FakeNager) -> Iterator[respx.MockRouter]:
    """The third-party holidays API, replaced at the HTTP boundary (httpx's transport).

    The route named ``"holidays"`` answers as ``nager`` says: make it fail with
    ``nager.fail_next(httpx.ConnectTimeout("..."), httpx.Response(503))``, count its calls with
    ``holidays_api["holidays"].call_count``. A request to any other URL fails the test.
    """
    with respx.mock(base_url=HOLIDAYS_URL, assert_all_called=False) as router:
        router.get(path__regex=PATH_PATTERN, name="holidays").mock(side_effect=nager.respond)
        yield router
