"""Task search: any combination of filters, three sort orders, keyset (cursor) pagination.

Keyset pagination asks for "rows after the last one seen" (``WHERE (created_at, id) < (...)``)
instead of ``OFFSET``: each page costs the same however deep, and rows inserted meanwhile do not
shift the pages.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, joinedload, selectinload

from module_4_5_sqlalchemy.errors import InvalidCursorError
from module_4_5_sqlalchemy.models import Tag, Task, TaskPriority, TaskStatus
from module_4_5_sqlalchemy.pagination import check_page_size, decode_cursor, encode_cursor


class TaskSort(enum.StrEnum):
    NEWEST = "newest"
    """Most recently created first."""
    PRIORITY = "priority"
    """Most urgent first, then newest."""
    DUE_DATE = "due_date"
    """Soonest due first; tasks without a due date last."""


@dataclass(frozen=True)
class TaskFilter:
    """Every criterion given must hold; an empty filter matches every task."""

    statuses: frozenset[TaskStatus] = frozenset()
    priorities: frozenset[TaskPriority] = frozenset()
    tag: str | None = None
    project_id: int | None = None
    owner_id: int | None = None
    due_from: date | None = None
    """Inclusive."""
    due_to: date | None = None
    """Inclusive."""
    text: str | None = None
    """Case-insensitive substring of the title or the description."""


@dataclass(frozen=True)
class TaskSearchPage:
    items: list[Task]
    next_cursor: str | None
    """Pass it back to get the next page; ``None`` on the last page."""


@dataclass(frozen=True)
class _Keyset:
    """A sort order: the columns it sorts on and how a row's key travels in a cursor."""

    columns: tuple[ColumnElement[Any] | QueryableAttribute[Any], ...]
    descending: bool
    dump: Callable[[Task], list[Any]]
    load: Callable[[list[Any]], tuple[Any, ...]]


# Tasks without a due date sort after every real date.
_NO_DUE_DATE = date.max
_due_key = func.coalesce(Task.due_date, literal(_NO_DUE_DATE))

_KEYSETS = {
    TaskSort.NEWEST: _Keyset(
        columns=(Task.created_at, Task.id),
        descending=True,
        dump=lambda task: [task.created_at.isoformat(), task.id],
        load=lambda key: (datetime.fromisoformat(key[0]), int(key[1])),
    ),
    TaskSort.PRIORITY: _Keyset(
        columns=(Task.priority, Task.created_at, Task.id),
        descending=True,
        dump=lambda task: [task.priority.value, task.created_at.isoformat(), task.id],
        load=lambda key: (TaskPriority(key[0]), datetime.fromisoformat(key[1]), int(key[2])),
    ),
    TaskSort.DUE_DATE: _Keyset(
        columns=(_due_key, Task.id),
        descending=False,
        dump=lambda task: [(task.due_date or _NO_DUE_DATE).isoformat(), task.id],
        load=lambda key: (date.fromisoformat(key[0]), int(key[1])),
    ),
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(filters: TaskFilter) -> Select[Task]:
    # region 4.5.4 extra: one where() per filter, EXISTS for the tag
    statement = select(Task)
    if filters.statuses:
        statement = statement.where(Task.status.in_(filters.statuses))
    if filters.priorities:
        statement = statement.where(Task.priority.in_(filters.priorities))
    if filters.tag is not None:
        # EXISTS (SELECT 1 FROM task_tags JOIN tags ...): no duplicate rows, unlike a join.
        statement = statement.where(Task.tags.any(Tag.name == filters.tag.strip().lower()))
    if filters.project_id is not None:
        statement = statement.where(Task.project_id == filters.project_id)
    if filters.owner_id is not None:
        statement = statement.where(Task.owner_id == filters.owner_id)
    if filters.due_from is not None:
        statement = statement.where(Task.due_date >= filters.due_from)
    if filters.due_to is not None:
        statement = statement.where(Task.due_date <= filters.due_to)
    if filters.text:
        pattern = f"%{_escape_like(filters.text)}%"
        statement = statement.where(
            or_(
                Task.title.ilike(pattern, escape="\\"),
                Task.description.ilike(pattern, escape="\\"),
            )
        )
    return statement
    # endregion 4.5.4


def _after_cursor(keyset: _Keyset, sort: TaskSort, cursor: str) -> ColumnElement[bool]:
    try:
        key = keyset.load(decode_cursor(cursor, sort.value))
    except (ValueError, TypeError, IndexError) as error:
        raise InvalidCursorError("the cursor is not one this listing produced") from error
    if len(key) != len(keyset.columns):
        raise InvalidCursorError("the cursor is not one this listing produced")
    # A row-value comparison: (a, b) < (x, y) means a < x OR (a = x AND b < y).
    row, last_seen = tuple_(*keyset.columns), tuple_(*key)
    return row < last_seen if keyset.descending else row > last_seen


async def search_tasks(
    session: AsyncSession,
    filters: TaskFilter | None = None,
    *,
    sort: TaskSort = TaskSort.NEWEST,
    limit: int = 20,
    cursor: str | None = None,
) -> TaskSearchPage:
    """Which tasks match ``filters``? One page in ``sort`` order, continuing after ``cursor``.

    Tasks come with their tags and project loaded. A cursor from another sort order or a
    tampered one is :class:`InvalidCursorError`.
    """
    # region 4.5.4 extra: keyset pages: sort, cursor, one row more
    filters = filters or TaskFilter()
    check_page_size(limit)
    if filters.due_from and filters.due_to and filters.due_from > filters.due_to:
        raise ValueError("due_from is after due_to")
    keyset = _KEYSETS[sort]
    statement = _filtered(filters)
    if cursor is not None:
        statement = statement.where(_after_cursor(keyset, sort, cursor))
    order = [column.desc() if keyset.descending else column.asc() for column in keyset.columns]
    statement = (
        statement.options(selectinload(Task.tags), joinedload(Task.project))
        .order_by(*order)
        .limit(limit + 1)  # one more than asked tells whether another page exists
    )
    tasks = list(await session.scalars(statement))
    has_more = len(tasks) > limit
    items = tasks[:limit]
    next_cursor = encode_cursor(sort.value, keyset.dump(items[-1])) if has_more else None
    return TaskSearchPage(items=items, next_cursor=next_cursor)
    # endregion 4.5.4
