"""4.5.4 core: `basics/reports.py`: JOINs and filters over users and tasks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.exc import InvalidRequestError, MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.basics import reports
from module_4_5_sqlalchemy.basics.models import Priority, Task, User

pytestmark = pytest.mark.task("4.5.4", level="core")

TODAY = date(2026, 11, 27)


@pytest.fixture
async def people(basics_session: AsyncSession) -> dict[str, User]:
    """Three users, their tasks committed: Ada has 3 open, Grace 1 open and 1 done, Linus none."""
    ada = User(email="ada@example.com", name="Ada")
    grace = User(email="grace@example.com", name="Grace")
    linus = User(email="linus@example.com", name="Linus")
    ada.tasks = [
        Task(title="Write 100% of the notes", priority=Priority.HIGH, due_date=date(2026, 11, 20)),
        Task(title="Review the notes", priority=Priority.LOW, due_date=TODAY),
        Task(title="Plan", priority=Priority.URGENT, due_date=date(2026, 11, 25)),
    ]
    grace.tasks = [
        Task(title="Compile NOTES", priority=Priority.HIGH, due_date=date(2026, 11, 1)),
        Task(title="Old notes", priority=Priority.HIGH, due_date=date(2026, 10, 1), done=True),
    ]
    basics_session.add_all([ada, grace, linus])
    await basics_session.commit()
    basics_session.expunge_all()
    return {"ada": ada, "grace": grace, "linus": linus}


def titles(tasks: list[Task]) -> list[str]:
    return [task.title for task in tasks]


async def test_open_task_counts_include_users_with_none(
    basics_session: AsyncSession, people: dict[str, User]
) -> None:
    assert await reports.open_task_counts(basics_session) == [
        ("ada@example.com", 3),
        ("grace@example.com", 1),
        ("linus@example.com", 0),
    ]


async def test_find_tasks_without_filters_returns_every_task_by_id(
    basics_session: AsyncSession, people: dict[str, User]
) -> None:
    found = await reports.find_tasks(basics_session)

    assert titles(found) == [
        "Write 100% of the notes",
        "Review the notes",
        "Plan",
        "Compile NOTES",
        "Old notes",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"owner_email": "grace@example.com"}, ["Compile NOTES", "Old notes"]),
        ({"owner_email": "nobody@example.com"}, []),
        ({"priorities": [Priority.HIGH, Priority.URGENT], "done": False},
         ["Write 100% of the notes", "Plan", "Compile NOTES"]),
        ({"done": True}, ["Old notes"]),
        ({"due_before": TODAY}, ["Write 100% of the notes", "Plan", "Compile NOTES", "Old notes"]),
        ({"title_contains": "notes"},
         ["Write 100% of the notes", "Review the notes", "Compile NOTES", "Old notes"]),
        ({"title_contains": "100%"}, ["Write 100% of the notes"]),
        ({"title_contains": "0%"}, ["Write 100% of the notes"]),
        ({"title_contains": "1_0"}, []),
        ({"owner_email": "ada@example.com", "priorities": [Priority.HIGH, Priority.LOW],
          "due_before": TODAY}, ["Write 100% of the notes"]),
    ],
)  # fmt: skip
async def test_find_tasks_applies_every_filter_given(
    basics_session: AsyncSession,
    people: dict[str, User],
    filters: dict[str, object],
    expected: list[str],
) -> None:
    assert titles(await reports.find_tasks(basics_session, **filters)) == expected  # type: ignore[arg-type]


async def test_overdue_tasks_are_open_and_due_before_today_most_overdue_first(
    basics_session: AsyncSession, people: dict[str, User]
) -> None:
    assert await reports.overdue_tasks(basics_session, TODAY) == [
        ("Compile NOTES", "grace@example.com", date(2026, 11, 1)),
        ("Write 100% of the notes", "ada@example.com", date(2026, 11, 20)),
        ("Plan", "ada@example.com", date(2026, 11, 25)),
    ]


async def test_users_with_tasks_have_their_tasks_loaded_in_one_query_each(
    basics_session: AsyncSession, people: dict[str, User]
) -> None:
    statements: list[str] = []
    engine = basics_session.bind.sync_engine  # type: ignore[union-attr]

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        users = await reports.users_with_tasks(basics_session)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    try:
        loaded = {user.email: titles(user.tasks) for user in users}
    except (MissingGreenlet, InvalidRequestError):
        pytest.fail("user.tasks was not loaded by the query (use selectinload)")
    assert loaded == {
        "ada@example.com": ["Write 100% of the notes", "Review the notes", "Plan"],
        "grace@example.com": ["Compile NOTES", "Old notes"],
        "linus@example.com": [],
    }
    assert len(statements) <= 2  # users, then all their tasks: never one query per user
