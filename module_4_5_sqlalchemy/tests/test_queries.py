"""4.5.4: the reports, each checked against rows chosen to tell right from nearly right."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.models import TaskStatus
from module_4_5_sqlalchemy.queries import (
    overdue_tasks,
    projects_with_status_counts,
    top_completers,
    users_with_open_task_counts,
    users_with_tasks_and_tags,
)
from module_4_5_sqlalchemy.tests.factories import add_project, add_task, add_user

pytestmark = pytest.mark.task("4.5.4", level="extra")

TODAY = date(2026, 3, 15)
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)


@contextmanager
def count_statements(session: AsyncSession) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = session.bind.sync_engine  # type: ignore[union-attr]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_open_task_counts_include_users_without_open_tasks(session: AsyncSession) -> None:
    busy, _idle, finished = [await add_user(session, name=name) for name in "ABC"]
    for status in (TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.CANCELLED):
        await add_task(session, busy, status=status)
    await add_task(session, finished, status=TaskStatus.DONE, completed_at=START)

    counts = await users_with_open_task_counts(session)

    assert [(row.user.name, row.open_tasks) for row in counts] == [("A", 2), ("B", 0), ("C", 0)]


async def test_overdue_tasks_are_open_past_due_and_come_with_owner_and_project(
    session: AsyncSession,
) -> None:
    owner = await add_user(session, name="Ada")
    project = await add_project(session, name="Website")
    late = await add_task(session, owner, title="late", due_date=TODAY - timedelta(days=1))
    later = await add_task(
        session, owner, title="very late", due_date=TODAY - timedelta(days=9), project=project
    )
    await add_task(session, owner, title="due today", due_date=TODAY)
    await add_task(session, owner, title="no due date")
    await add_task(
        session,
        owner,
        title="late but done",
        due_date=date(2026, 1, 1),
        status=TaskStatus.DONE,
        completed_at=START,
    )
    await session.commit()
    session.expunge_all()

    with count_statements(session) as statements:
        overdue = await overdue_tasks(session, today=TODAY)
        owners_and_projects = [
            (task.owner.name, task.project and task.project.name) for task in overdue
        ]

    assert [task.id for task in overdue] == [later.id, late.id]
    assert owners_and_projects == [("Ada", "Website"), ("Ada", None)]
    assert len(statements) == 1  # owner and project joined in, not loaded one by one


async def test_overdue_defaults_to_the_database_date(session: AsyncSession) -> None:
    # The database's date, not Python's date.today(): near midnight, or with the server in
    # another time zone than this process, the two differ by a day.
    today = await session.scalar(select(func.current_date()))
    assert today is not None
    owner = await add_user(session)
    yesterday = await add_task(session, owner, due_date=today - timedelta(days=1))
    await add_task(session, owner, due_date=today)  # due today: not overdue yet
    await add_task(session, owner, due_date=today + timedelta(days=1))

    assert [task.id for task in await overdue_tasks(session)] == [yesterday.id]


async def test_top_completers_counts_only_the_period_and_keeps_ties(session: AsyncSession) -> None:
    ada, grace, linus, ken = [
        await add_user(session, name=name) for name in ("Ada", "Grace", "Linus", "Ken")
    ]
    done = TaskStatus.DONE
    for owner, count in ((ada, 3), (grace, 2), (linus, 2), (ken, 1)):
        for day in range(count):
            await add_task(session, owner, status=done, completed_at=START + timedelta(days=day))
    await add_task(session, ken, status=done, completed_at=END)  # the end is exclusive
    await add_task(session, ken, status=done, completed_at=START - timedelta(seconds=1))
    await add_task(session, ken)

    top_two = await top_completers(session, start=START, end=END, limit=2)

    assert [(row.user.name, row.completed, row.rank) for row in top_two] == [
        ("Ada", 3, 1),
        ("Grace", 2, 2),
        ("Linus", 2, 2),
    ]


async def test_top_completers_needs_a_period_that_ends_after_it_starts(
    session: AsyncSession,
) -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        await top_completers(session, start=END, end=START)


async def test_projects_have_a_count_per_status_and_empty_projects_show_zeros(
    session: AsyncSession,
) -> None:
    owner = await add_user(session)
    website, empty = await add_project(session, "Website"), await add_project(session, "Empty")
    for status in (TaskStatus.TODO, TaskStatus.TODO, TaskStatus.IN_PROGRESS):
        await add_task(session, owner, project=website, status=status)
    await add_task(session, owner, project=website, status=TaskStatus.DONE, completed_at=START)
    await add_task(session, owner)  # no project: counted nowhere

    rows = await projects_with_status_counts(session)

    assert [(row.project.name, row.counts, row.total) for row in rows] == [
        ("Empty", dict.fromkeys(TaskStatus, 0), 0),
        ("Website", {"todo": 2, "in_progress": 1, "done": 1, "cancelled": 0}, 4),
    ]
    assert empty.id == rows[0].project.id


async def _add_users_with_tagged_tasks(session: AsyncSession, users: int) -> None:
    for _ in range(users):
        owner = await add_user(session)
        project = await add_project(session)
        for number in range(3):
            await add_task(session, owner, project=project, tags=(f"tag{number}", "shared"))
    await session.commit()
    session.expunge_all()


async def _statements_to_load_everything(session: AsyncSession, expected_users: int) -> int:
    with count_statements(session) as statements:
        loaded = await users_with_tasks_and_tags(session)
        tags = [tag.name for user in loaded for task in user.tasks for tag in task.tags]
        projects = {task.project.id for user in loaded for task in user.tasks if task.project}
    assert len(loaded) == len(projects) == expected_users
    assert len(tags) == expected_users * 3 * 2
    session.expunge_all()
    return len(statements)


async def test_users_with_tasks_and_tags_take_three_statements_however_many_users(
    session: AsyncSession,
) -> None:
    await _add_users_with_tagged_tasks(session, users=2)
    with_two_users = await _statements_to_load_everything(session, expected_users=2)
    await _add_users_with_tagged_tasks(session, users=10)
    with_twelve_users = await _statements_to_load_everything(session, expected_users=12)

    assert with_two_users == with_twelve_users == 3


async def test_loading_only_some_users(session: AsyncSession) -> None:
    first, second = await add_user(session), await add_user(session)
    await add_task(session, second)
    await session.commit()
    session.expunge_all()

    loaded = await users_with_tasks_and_tags(session, [second.id])

    assert [(user.id, len(user.tasks)) for user in loaded] == [(second.id, 1)]
    assert first.id not in {user.id for user in loaded}
