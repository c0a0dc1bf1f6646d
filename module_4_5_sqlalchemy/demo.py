"""Migrate a fresh database, seed it, and print what every query answers.

``python -m module_4_5_sqlalchemy.demo`` uses ``DATABASE_URL``, or starts an embedded PostgreSQL
(in a temporary folder, removed afterwards) when it is unset.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from module_4_5_sqlalchemy import migrate
from module_4_5_sqlalchemy.database import (
    DATABASE_UNAVAILABLE,
    Database,
    database_url_or_embedded,
    open_database,
)
from module_4_5_sqlalchemy.errors import DomainError
from module_4_5_sqlalchemy.models import OPEN_STATUSES, TaskStatus, User
from module_4_5_sqlalchemy.queries import (
    overdue_tasks,
    projects_with_status_counts,
    top_completers,
    users_with_open_task_counts,
    users_with_tasks_and_tags,
)
from module_4_5_sqlalchemy.schemas import UserCreate
from module_4_5_sqlalchemy.seed import seed
from module_4_5_sqlalchemy.settings import DatabaseSettings, database_label, settings_for_command
from module_4_5_sqlalchemy.task_search import TaskFilter, TaskSort, search_tasks
from module_4_5_sqlalchemy.users import create_user


class DatabaseNotEmptyError(Exception):
    pass


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as an aligned plain-text table."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def heading(text: str) -> None:
    say()
    say(f"== {text}")


async def prepare(database: Database, *, reset: bool, today: date) -> None:
    if reset:
        await migrate.downgrade(database.engine, "base")
    await migrate.upgrade(database.engine)
    say(f"Schema migrated to revision {await migrate.current_revision(database.engine)}.")
    async with database.unit_of_work() as session:
        if await session.scalar(select(func.count()).select_from(User)):
            raise DatabaseNotEmptyError(
                "the database already holds users; run with --reset to drop this section's "
                "tables and start again"
            )
        summary = await seed(session, today=today)
    say(f"Seeded {summary.users} users, {summary.projects} projects, {summary.tasks} tasks.")


async def show_queries(database: Database, *, today: date) -> None:
    async with database.sessions() as session:
        heading("Open tasks per user (outer join: users without any are listed with 0)")
        rows = await users_with_open_task_counts(session)
        say(table(["user", "open tasks"], [(row.user.name, row.open_tasks) for row in rows]))

        heading(f"Overdue open tasks on {today} (owner and project joined in)")
        overdue = await overdue_tasks(session, today=today)
        say(
            table(
                ["due", "days late", "task", "owner", "project"],
                [
                    (
                        task.due_date,
                        (today - task.due_date).days if task.due_date else "",
                        task.title,
                        task.owner.name,
                        task.project.name if task.project else "-",
                    )
                    for task in overdue
                ],
            )
        )

        end = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
        start = end - timedelta(days=30)
        heading(f"Top 3 by tasks completed from {start.date()} to {today} (rank() keeps ties)")
        ranks = await top_completers(session, start=start, end=end, limit=3)
        say(
            table(
                ["rank", "user", "completed"], [(r.rank, r.user.name, r.completed) for r in ranks]
            )
        )

        heading("Tasks per project and status (count ... FILTER (WHERE status = ...))")
        projects = await projects_with_status_counts(session)
        say(
            table(
                ["project", *(status.value for status in TaskStatus), "total"],
                [(p.project.name, *p.counts.values(), p.total) for p in projects],
            )
        )

        heading("Open tasks by priority, 4 per page (keyset pagination)")
        filters = TaskFilter(statuses=frozenset(OPEN_STATUSES))
        cursor, number = None, 1
        while True:
            page = await search_tasks(
                session, filters, sort=TaskSort.PRIORITY, limit=4, cursor=cursor
            )
            titles = ", ".join(f"{task.title} [{task.priority.value}]" for task in page.items)
            say(f"page {number}: {titles}")
            if page.next_cursor is None:
                break
            cursor, number = page.next_cursor, number + 1

        heading("Search: tagged backend / ops, 'the' in the title, due in the last 10 days")
        for tag in ("backend", "ops"):
            found = await search_tasks(
                session,
                TaskFilter(tag=tag, text="the", due_from=today - timedelta(days=10), due_to=today),
                sort=TaskSort.DUE_DATE,
            )
            say(f"{tag}: " + "; ".join(f"{t.title} (due {t.due_date})" for t in found.items))

        heading("Users with their tasks and tags (selectinload: 3 statements in all)")
        for user in await users_with_tasks_and_tags(session):
            say(f"{user.name} <{user.email}>")
            if not user.tasks:
                say("    (no tasks)")
            for task in user.tasks:
                tags = ", ".join(tag.name for tag in task.tags) or "no tags"
                say(f"    [{task.status.value}] {task.title} ({tags})")

    heading("A duplicate email in another letter case is a domain error")
    async with database.unit_of_work() as session:
        try:
            await create_user(session, UserCreate(email="ADA@example.com", name="Ada again"))
        except DomainError as error:
            say(f"refused: {error}")


async def run(url: str, *, reset: bool, today: date) -> None:
    async with open_database(DatabaseSettings(url=url)) as database:
        await prepare(database, reset=reset, today=today)
        await show_queries(database, today=today)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_5_sqlalchemy.demo",
        description="Migrate and seed a database, then print what every query answers. "
        "Uses DATABASE_URL, or an embedded PostgreSQL when it is unset.",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="downgrade this section's schema to base first (drops its tables and data)",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=datetime.now(UTC).date(),
        help="the date the sample data and the overdue report are relative to (YYYY-MM-DD)",
    )
    arguments = parser.parse_args(argv)
    settings = settings_for_command()
    try:
        with database_url_or_embedded(settings) as url:
            asyncio.run(run(url, reset=arguments.reset, today=arguments.today))
    except DatabaseNotEmptyError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    except DATABASE_UNAVAILABLE as error:
        sys.stderr.write(f"error: cannot use {database_label(settings)}: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
