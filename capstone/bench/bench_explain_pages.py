"""EXPLAIN ANALYZE of `GET /api/v1/tasks` pages with 100,000 tasks for one user.

    python capstone/bench/bench_explain_pages.py [--tasks 100000]

Starts an embedded PostgreSQL, migrates it, seeds the tasks (plus 20,000 of another user), and
runs the exact statements the API sends for the first page and for a page 90 % deep (cursor) of
several sorts and filters, printing each plan's index and its execution time.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from taskmanager.core.driver import driver_connection
from taskmanager.core.embedded_db import embedded_postgres, to_libpq_url
from taskmanager.core.migrate import upgrade
from taskmanager.core.tokens import TokenClaims
from taskmanager.tasks.filters import TaskFilters, TaskSort
from taskmanager.tasks.listing import fetch_page, filter_conditions, page_query
from taskmanager.tasks.models import Task, TaskStatus

PAGE = 20
DEEP_FRACTION = 0.9
OTHER_USERS_TASKS = 20_000
LISTS = {
    "default (-created_at)": TaskFilters(),
    "sort=due_at": TaskFilters(sort=TaskSort.DUE_AT),
    "sort=-due_at": TaskFilters(sort=TaskSort.DUE_AT_DESC),
    "sort=priority": TaskFilters(sort=TaskSort.PRIORITY),
    "sort=-title": TaskFilters(sort=TaskSort.TITLE_DESC),
    "sort=updated_at": TaskFilters(sort=TaskSort.UPDATED_AT),
    "status=todo&tag=project-3": TaskFilters(
        statuses=frozenset({TaskStatus.TODO}), tags=frozenset({"project-3"})
    ),
    "q=quarterly (1 % of tasks)": TaskFilters(text="quarterly"),
    "q=task 4242 (11 tasks)": TaskFilters(text="task 4242"),
    "q=no such words (0 tasks)": TaskFilters(text="no such words"),
}
SEED = """
INSERT INTO tasks (id, owner_id, title, description, status, priority, due_at, tags,
                   completed_at, created_at, updated_at, version)
SELECT gen_random_uuid(), $1::uuid,
       'Task ' || n || CASE WHEN n % 100 = 0 THEN ' quarterly report' ELSE '' END,
       CASE WHEN n % 3 = 0 THEN NULL ELSE 'Details of task ' || n END,
       (ARRAY['todo','in_progress','done'])[1 + n % 3]::task_status,
       (ARRAY['low','medium','high','urgent'])[1 + n % 4]::task_priority,
       CASE WHEN n % 5 = 0 THEN NULL ELSE now() + (n % 2000 - 1000) * interval '1 hour' END,
       ARRAY['project-' || n % 7, 'area-' || n % 11],
       CASE WHEN n % 3 = 2 THEN now() END,
       now() - n * interval '1 second', now() - n * interval '1 second', 1
FROM generate_series(1, $2) AS n
"""


async def seed(database_url: str, counts: dict[uuid.UUID, int]) -> dict[uuid.UUID, TokenClaims]:
    """Users with that many tasks each and a login session, then fresh planner statistics;
    returns each user's access token claims."""
    claims = {}
    connection = await asyncpg.connect(to_libpq_url(database_url))
    try:
        for owner, count in counts.items():
            await connection.execute(
                "INSERT INTO users (id, email, password_hash, role, is_active, created_at) "
                "VALUES ($1, $2, 'not-a-hash', 'user', true, now())",
                owner,
                f"{owner.hex}@example.com",
            )
            session_id = uuid.uuid4()
            await connection.execute(
                "INSERT INTO login_sessions (id, user_id, refresh_token_hash, created_at,"
                " expires_at) VALUES ($1, $2, 'not-a-hash', now(), now() + interval '1 day')",
                session_id,
                owner,
            )
            expires = datetime.now(UTC) + timedelta(hours=1)
            claims[owner] = TokenClaims(owner, session_id, uuid.uuid4(), expires)
            await connection.execute(SEED, owner, count)
        await connection.execute("VACUUM ANALYZE tasks")
    finally:
        await connection.close()
    return claims


async def explain(
    session: AsyncSession, caller: TokenClaims, filters: TaskFilters, deep: bool
) -> str:
    connection = await driver_connection(session)
    position = None
    if deep:
        matching = await session.scalar(
            select(func.count()).where(Task.owner_id == caller.user_id, *filter_conditions(filters))
        )
        skipped = max(1, int((matching or 0) * DEEP_FRACTION))
        position = (await fetch_page(connection, caller, filters, skipped, None)).next_position
    # The very SQL and values the API sends to the driver.
    query, values = page_query(caller, filters, PAGE, position)
    plan = await connection.fetch(
        f"EXPLAIN (ANALYZE, BUFFERS) {query.sql}", *query.arguments(values)
    )
    lines = [row[0] for row in plan]
    # The tasks' scan, not the caller's session check (an InitPlan of two index lookups).
    scans = (line.strip() for line in lines if "Scan" in line and " on tasks" in line)
    index = next(scans, lines[1].strip())
    timing = next(line for line in lines if line.startswith("Execution Time"))
    plan_node = index.removeprefix("->").split("  (cost")[0].strip()
    return f"{timing.removeprefix('Execution Time: '):>10}  {plan_node}"


async def run(database_url: str, count: int) -> None:
    owner, other = uuid.uuid4(), uuid.uuid4()
    started = time.perf_counter()
    claims = await seed(database_url, {owner: count, other: OTHER_USERS_TASKS})
    print(f"seeded {count} + {OTHER_USERS_TASKS} tasks in {time.perf_counter() - started:.0f} s")
    print(f"\n{'list':30} {'page':5} {'time':>10}  plan")
    engine = create_async_engine(database_url)
    async with AsyncSession(engine) as session:
        for label, filters in LISTS.items():
            for deep in (False, True):
                line = await explain(session, claims[owner], filters, deep)
                print(f"{label:30} {'deep' if deep else 'first':5} {line}")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="taskmanager-explain-") as folder,
        embedded_postgres(Path(folder) / "pgdata") as database_url,
    ):
        upgrade(database_url)
        asyncio.run(run(database_url, args.tasks))


if __name__ == "__main__":
    main()
