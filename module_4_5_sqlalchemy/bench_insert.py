"""Core vs ORM: insert the same tasks through the ORM unit of work and through Core.

``python -m module_4_5_sqlalchemy.bench_insert --rows 10000 --repeat 5`` prints the best and
median time of each way and the ratio. Uses ``DATABASE_URL`` or an embedded PostgreSQL; the
rows it writes belong to a throwaway user deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert

from module_4_5_sqlalchemy import migrate
from module_4_5_sqlalchemy.database import (
    DATABASE_UNAVAILABLE,
    Database,
    database_url_or_embedded,
    open_database,
)
from module_4_5_sqlalchemy.models import Base, Task, TaskPriority, User
from module_4_5_sqlalchemy.settings import DatabaseSettings, database_label, settings_for_command

Strategy = Callable[[Database, int, int], Awaitable[None]]
TASKS_TABLE = Base.metadata.tables["tasks"]


def _task_fields(owner_id: int, number: int) -> dict[str, Any]:
    return {
        "owner_id": owner_id,
        "title": f"Benchmark task {number}",
        "description": "inserted by bench_insert",
        "priority": list(TaskPriority)[number % 4],
    }


async def insert_with_orm_unit_of_work(database: Database, owner_id: int, rows: int) -> None:
    """One mapped object per row, added to the session and flushed at commit."""
    async with database.unit_of_work() as session:
        session.add_all(Task(**_task_fields(owner_id, number)) for number in range(rows))


async def insert_with_core(database: Database, owner_id: int, rows: int) -> None:
    """One ``INSERT`` on the table with a list of parameter dictionaries (executemany)."""
    parameters = [_task_fields(owner_id, number) for number in range(rows)]
    async with database.engine.begin() as connection:
        await connection.execute(insert(TASKS_TABLE), parameters)


async def insert_with_orm_bulk(database: Database, owner_id: int, rows: int) -> None:
    """The ORM's bulk path: ``session.execute(insert(Task), [dicts])``, no objects tracked."""
    parameters = [_task_fields(owner_id, number) for number in range(rows)]
    async with database.unit_of_work() as session:
        await session.execute(insert(Task), parameters)


STRATEGIES: dict[str, Strategy] = {
    "ORM unit of work (add_all + commit)": insert_with_orm_unit_of_work,
    "ORM bulk insert (insert(Task), dicts)": insert_with_orm_bulk,
    "Core insert (executemany)": insert_with_core,
}


@dataclass(frozen=True)
class Timing:
    name: str
    seconds: list[float]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


async def measure(database: Database, *, rows: int, repeat: int) -> list[Timing]:
    """Time every strategy ``repeat`` times, interleaved so a busy moment hits all of them."""
    async with database.unit_of_work() as session:
        owner = User(email=f"bench-{uuid.uuid4().hex[:12]}@example.com", name="Benchmark")
        session.add(owner)
    times: dict[str, list[float]] = {name: [] for name in STRATEGIES}
    try:
        for _ in range(repeat):
            for name, strategy in STRATEGIES.items():
                started = time.perf_counter()
                await strategy(database, owner.id, rows)
                times[name].append(time.perf_counter() - started)
                async with database.engine.begin() as connection:
                    await connection.execute(delete(Task).where(Task.owner_id == owner.id))
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(delete(User).where(User.id == owner.id))
    return [Timing(name, seconds) for name, seconds in times.items()]


def report(timings: list[Timing], rows: int) -> str:
    core = next(timing for timing in timings if timing.name.startswith("Core"))
    lines = [f"{'strategy':40} {'best s':>8} {'median s':>9} {'rows/s':>9} {'x Core':>7}"]
    for timing in timings:
        lines.append(
            f"{timing.name:40} {timing.best:8.3f} {timing.median:9.3f} "
            f"{rows / timing.best:9.0f} {timing.best / core.best:7.2f}"
        )
    orm = timings[0]
    lines.append(f"ORM unit of work / Core: {orm.best / core.best:.2f}x slower (best of each)")
    return "\n".join(lines)


async def run(url: str, *, rows: int, repeat: int) -> str:
    async with open_database(DatabaseSettings(url=url)) as database:
        await migrate.upgrade(database.engine)
        timings = await measure(database, rows=rows, repeat=repeat)
    return report(timings, rows)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_5_sqlalchemy.bench_insert",
        description="Insert tasks through the ORM unit of work and through a Core bulk insert, "
        "and compare the times. Uses DATABASE_URL, or an embedded PostgreSQL when it is unset.",
    )
    parser.add_argument("--rows", type=_positive, default=10_000, help="tasks per insert")
    parser.add_argument("--repeat", type=_positive, default=5, help="runs of each strategy")
    arguments = parser.parse_args(argv)
    settings = settings_for_command()
    try:
        with database_url_or_embedded(settings) as url:
            print(f"Inserting {arguments.rows} tasks, {arguments.repeat} runs of each strategy.")
            print(asyncio.run(run(url, rows=arguments.rows, repeat=arguments.repeat)))
    except DATABASE_UNAVAILABLE as error:
        print(f"error: cannot use {database_label(settings)}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
