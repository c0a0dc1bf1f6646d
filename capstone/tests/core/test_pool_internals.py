"""`FairQueuePool` overrides two private methods of SQLAlchemy's pool: pinned, and checked here.

SQLAlchemy offers no public hook that runs before a connection is taken from the pool's queue
(the `checkout` event runs after), so the fair queue wraps `_do_get` and `_do_return_conn`. The
dependency is pinned to SQLAlchemy 2.1.x, and this test fails on any release that changes either
method, so an upgrade re-reads them before moving the pin.
"""

from __future__ import annotations

import hashlib
import inspect

import pytest
import sqlalchemy
from sqlalchemy.pool import AsyncAdaptedQueuePool, QueuePool
from taskmanager.core.database import FairQueuePool

pytestmark = pytest.mark.task("4.8.2", level="core")
# sha256 of each method's source in SQLAlchemy 2.1.9 (first 16 hex digits).
OVERRIDDEN = {"_do_get": "765070dd194a6c65", "_do_return_conn": "1293464fa598c318"}


def test_sqlalchemy_is_the_minor_version_the_fair_pool_was_written_for() -> None:
    assert sqlalchemy.__version__.startswith("2.1.")


@pytest.mark.parametrize("name", sorted(OVERRIDDEN))
def test_the_overridden_pool_methods_are_unchanged(name: str) -> None:
    inherited = getattr(AsyncAdaptedQueuePool, name)
    source = inspect.getsource(inherited)

    assert inherited is getattr(QueuePool, name)  # no subclass in between redefines it
    assert getattr(FairQueuePool, name) is not inherited  # ... and the fair pool still wraps it
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == OVERRIDDEN[name]
