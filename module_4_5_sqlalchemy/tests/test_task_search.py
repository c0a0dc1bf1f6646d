"""4.5.4: task search with combined filters and keyset pagination."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.errors import InvalidCursorError
from module_4_5_sqlalchemy.models import Task, TaskPriority, TaskStatus
from module_4_5_sqlalchemy.pagination import encode_cursor
from module_4_5_sqlalchemy.task_search import TaskFilter, TaskSort, search_tasks
from module_4_5_sqlalchemy.tests.factories import add_project, add_task, add_user

pytestmark = pytest.mark.task("4.5.4", level="extra")

MONDAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


async def _titles(session: AsyncSession, filters: TaskFilter) -> list[str]:
    page = await search_tasks(session, filters, sort=TaskSort.DUE_DATE, limit=100)
    return [task.title for task in page.items]


async def test_each_filter_narrows_and_filters_combine(session: AsyncSession) -> None:
    ada, grace = await add_user(session), await add_user(session)
    website = await add_project(session, "Website")
    await add_task(
        session,
        ada,
        title="Fix login bug",
        project=website,
        priority=TaskPriority.URGENT,
        due_date=MONDAY,
        tags=("backend", "bug"),
    )
    await add_task(
        session,
        ada,
        title="Write docs",
        project=website,
        status=TaskStatus.IN_PROGRESS,
        due_date=MONDAY + timedelta(days=3),
        tags=("docs",),
        description="covers the LOGIN flow",
    )
    await add_task(
        session,
        grace,
        title="Release",
        status=TaskStatus.DONE,
        completed_at=T0,
        due_date=MONDAY + timedelta(days=7),
        tags=("backend",),
    )
    await add_task(session, grace, title="Someday")

    everything = await _titles(session, TaskFilter())
    assert everything == ["Fix login bug", "Write docs", "Release", "Someday"]
    by_status = TaskFilter(statuses=frozenset({TaskStatus.TODO, TaskStatus.IN_PROGRESS}))
    assert await _titles(session, by_status) == ["Fix login bug", "Write docs", "Someday"]
    by_priority = TaskFilter(priorities=frozenset({TaskPriority.URGENT}))
    assert await _titles(session, by_priority) == ["Fix login bug"]
    assert await _titles(session, TaskFilter(tag=" Backend")) == ["Fix login bug", "Release"]
    assert await _titles(session, TaskFilter(project_id=website.id)) == [
        "Fix login bug",
        "Write docs",
    ]
    assert await _titles(session, TaskFilter(owner_id=grace.id)) == ["Release", "Someday"]
    due_window = TaskFilter(due_from=MONDAY + timedelta(days=1), due_to=MONDAY + timedelta(days=7))
    assert await _titles(session, due_window) == ["Write docs", "Release"]
    # Text matches the title or the description, whatever the letter case.
    assert await _titles(session, TaskFilter(text="login")) == ["Fix login bug", "Write docs"]
    combined = TaskFilter(tag="backend", statuses=frozenset({TaskStatus.DONE}), text="rel")
    assert await _titles(session, combined) == ["Release"]


async def test_text_search_treats_wildcards_literally(session: AsyncSession) -> None:
    owner = await add_user(session)
    await add_task(session, owner, title="100% done")
    await add_task(session, owner, title="1000 rows")
    await add_task(session, owner, title="snake_case")
    await add_task(session, owner, title="snakeXcase")

    assert await _titles(session, TaskFilter(text="0%")) == ["100% done"]
    assert await _titles(session, TaskFilter(text="e_c")) == ["snake_case"]


async def _add_tasks_to_page_through(session: AsyncSession) -> list[Task]:
    owner = await add_user(session)
    priorities = list(TaskPriority)
    tasks = []
    for number in range(11):
        tasks.append(
            await add_task(
                session,
                owner,
                title=f"task {number}",
                priority=priorities[number % 4],
                # Ties on created_at and on due date: the id must break them.
                created_at=T0 + timedelta(hours=number // 2),
                due_date=None if number % 3 == 0 else MONDAY + timedelta(days=number % 4),
            )
        )
    return tasks


def _expected_order(tasks: list[Task], sort: TaskSort) -> list[int]:
    if sort is TaskSort.NEWEST:
        ordered = sorted(tasks, key=lambda task: (task.created_at, task.id), reverse=True)
    elif sort is TaskSort.PRIORITY:
        ranks = {priority: rank for rank, priority in enumerate(TaskPriority)}
        ordered = sorted(
            tasks,
            key=lambda task: (ranks[task.priority], task.created_at, task.id),
            reverse=True,
        )
    else:
        ordered = sorted(tasks, key=lambda task: (task.due_date or date.max, task.id))
    return [task.id for task in ordered]


@pytest.mark.parametrize("sort", list(TaskSort))
async def test_keyset_pages_cover_every_task_once_in_sort_order(
    session: AsyncSession, sort: TaskSort
) -> None:
    tasks = await _add_tasks_to_page_through(session)

    seen: list[int] = []
    pages = 0
    cursor = None
    while True:
        page = await search_tasks(session, sort=sort, limit=3, cursor=cursor)
        seen += [task.id for task in page.items]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert seen == _expected_order(tasks, sort)
    assert pages == 4  # 3 + 3 + 3 + 2


async def test_a_page_filled_exactly_has_no_next_cursor(session: AsyncSession) -> None:
    owner = await add_user(session)
    for _ in range(3):
        await add_task(session, owner)

    page = await search_tasks(session, limit=3)

    assert (len(page.items), page.next_cursor) == (3, None)


async def test_rows_added_meanwhile_do_not_shift_later_pages(session: AsyncSession) -> None:
    owner = await add_user(session)
    for hour in range(4):
        await add_task(session, owner, title=f"old {hour}", created_at=T0 + timedelta(hours=hour))

    first = await search_tasks(session, limit=2)
    await add_task(session, owner, title="brand new", created_at=T0 + timedelta(days=1))
    second = await search_tasks(session, limit=2, cursor=first.next_cursor)

    assert [task.title for task in first.items] == ["old 3", "old 2"]
    assert [task.title for task in second.items] == ["old 1", "old 0"]


async def test_tasks_come_with_tags_and_project(session: AsyncSession) -> None:
    project = await add_project(session, "Website")
    await add_task(session, await add_user(session), project=project, tags=("b", "a"))
    await session.commit()
    session.expunge_all()

    (task,) = (await search_tasks(session)).items

    assert ([tag.name for tag in task.tags], task.project and task.project.name) == (
        ["a", "b"],
        "Website",
    )


FOREIGN_CURSORS = [
    "not base64 at all!",
    encode_cursor("priority", ["high", "2026-03-01T09:00:00+00:00", 1]),  # another sort
    encode_cursor("newest", ["yesterday", 1]),
    encode_cursor("newest", [1]),
    "W10",  # base64 of "[]": valid JSON, not a cursor
]


async def test_a_cursor_this_search_did_not_produce_is_refused(session: AsyncSession) -> None:
    for cursor in FOREIGN_CURSORS:
        with pytest.raises(InvalidCursorError):
            await search_tasks(session, sort=TaskSort.NEWEST, cursor=cursor)


async def test_search_arguments_are_checked(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="page size"):
        await search_tasks(session, limit=0)
    with pytest.raises(ValueError, match="due_from is after due_to"):
        await search_tasks(session, TaskFilter(due_from=MONDAY, due_to=MONDAY - timedelta(1)))
