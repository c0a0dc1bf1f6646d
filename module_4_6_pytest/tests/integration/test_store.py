"""4.6.2: the store's own guarantees, straight on a database connection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_6_pytest import store

pytestmark = pytest.mark.integration


@pytest.fixture
async def connection(database: PostgresDatabase) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database.url)
    yield connection
    await connection.close()


async def test_locking_an_unknown_team_for_assignment_is_not_found(
    connection: asyncpg.Connection,
) -> None:
    # region 4.6.2 core: locking an unknown team for assignment is not found
    async with connection.transaction():
        with pytest.raises(store.NotFoundError, match="team 42 not found"):
            await store.lock_team_for_assignment(connection, 42)
    # endregion 4.6.2


async def test_the_schema_can_be_created_again_without_harm(
    connection: asyncpg.Connection,
) -> None:
    # region 4.6.2 core: the schema can be created again without harm
    team = await store.create_team(connection, "Platform", "DE")

    await store.create_schema(connection)  # what every start of the service does

    assert await store.get_team(connection, team.id) == team
    # endregion 4.6.2
