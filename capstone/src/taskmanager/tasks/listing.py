"""`GET /tasks` in SQL: filters, a keyset (cursor) position per sort key, one statement a page.

Each sort key orders by an expression that has a matching `(owner_id, expression, id)` index
(migration 0002), so the first page and a page 100,000 rows deep both read ~limit index entries.
The same statement checks the caller's login session (`CALLER_HAS_SESSION`): one round trip a
page, and a second one only when the page comes back empty.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    Text,
    and_,
    any_,
    asc,
    bindparam,
    cast,
    desc,
    func,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY

from taskmanager.auth.dependencies import CALLER_HAS_SESSION, check_session, session_values
from taskmanager.core.database import escape_like
from taskmanager.core.driver import DriverQuery
from taskmanager.core.errors import ValidationProblemError
from taskmanager.core.sql_json import json_object
from taskmanager.core.tokens import TokenClaims
from taskmanager.tasks.filters import TaskFilters, TaskSort
from taskmanager.tasks.models import Task, TaskPriority, TaskStatus
from taskmanager.tasks.schemas import TaskRead

INVALID_CURSOR = "The cursor is not valid for this list (its sort or filters differ)."
SORT_COLUMNS: dict[str, ColumnElement[Any]] = {
    "created_at": Task.created_at.expression,
    "updated_at": Task.updated_at.expression,
    "due_at": Task.due_at.expression,
    "priority": Task.priority.expression,
    "title": Task.title.expression,
}


def sort_expression(sort: TaskSort, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """What rows are ordered by for `sort`, applied to a column or to a cursor's value."""
    if sort.key == "due_at":
        # Tasks without a due date come last in both directions: null becomes +infinity when
        # ascending and -infinity when descending (the migration indexes both expressions).
        missing = "'-infinity'" if sort.descending else "'infinity'"
        return func.coalesce(value, cast(literal_column(missing), DateTime(timezone=True)))
    if sort.key == "title":
        # Case-insensitive, then code-point order ("C"): the same order on every server.
        return func.lower(value).collate("C")
    return value  # priority: PostgreSQL orders the enum low < medium < high < urgent


# Not ORM objects, nor even columns: each task comes back as its `TaskRead` JSON, written by
# PostgreSQL (see `taskmanager.core.sql_json`), with the sort key and id the cursor needs.
TASK_FIELDS = tuple(Task.__table__.columns[name] for name in TaskRead.model_fields)


def _cursor_value(row: asyncpg.Record) -> str | None:
    value = row["key"]
    return value.isoformat() if isinstance(value, datetime) else value


def _parse_cursor_value(sort: TaskSort, raw: object) -> datetime | TaskPriority | str | None:
    if sort.key == "due_at" and raw is None:
        return None
    if not isinstance(raw, str):
        raise TypeError("a cursor value is text")
    if sort.key == "priority":
        return TaskPriority(raw)
    if sort.key == "title":
        return raw
    return datetime.fromisoformat(raw)


def _read_position(position: dict[str, Any], filters: TaskFilters) -> tuple[Any, uuid.UUID]:
    try:
        if position.get("list") != filters.fingerprint():
            raise ValueError("the cursor belongs to another list")
        return _parse_cursor_value(filters.sort, position["key"]), uuid.UUID(position["id"])
    except (KeyError, TypeError, ValueError):
        raise ValidationProblemError(INVALID_CURSOR, code="invalid_cursor") from None


def filter_conditions(filters: TaskFilters) -> list[ColumnElement[bool]]:
    """`filters` as SQL conditions with their values bound (for one-off queries)."""
    values = _filter_values(filters)
    shape = _Shape.of(filters, has_position=False)
    return [condition.params(values) for condition in _conditions(shape)]


@dataclass(frozen=True)
class _Shape:
    """What a list's statement depends on, as opposed to the values it binds."""

    sort: TaskSort
    statuses: bool
    priorities: bool
    tags: bool
    text: bool
    due_before: bool
    due_after: bool
    overdue: bool | None
    has_position: bool

    @classmethod
    def of(cls, filters: TaskFilters, *, has_position: bool) -> _Shape:
        return cls(
            sort=filters.sort,
            statuses=bool(filters.statuses),
            priorities=bool(filters.priorities),
            tags=bool(filters.tags),
            text=bool(filters.text),
            due_before=filters.due_before is not None,
            due_after=filters.due_after is not None,
            overdue=filters.overdue,
            has_position=has_position,
        )


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    # `= ANY(array)` rather than `IN (...)`: one statement whatever the number of values.
    if shape.statuses:
        statuses = bindparam("statuses", type_=ARRAY(Task.status.type))
        conditions.append(Task.status == any_(statuses))
    if shape.priorities:
        priorities = bindparam("priorities", type_=ARRAY(Task.priority.type))
        conditions.append(Task.priority == any_(priorities))
    if shape.tags:
        conditions.append(Task.tags.overlap(bindparam("tags", type_=Task.tags.type)))
    if shape.text:
        pattern = bindparam("pattern", type_=Task.title.type)
        conditions.append(
            or_(
                Task.title.ilike(pattern, escape="\\"), Task.description.ilike(pattern, escape="\\")
            )
        )
    if shape.due_before:
        conditions.append(Task.due_at < bindparam("due_before"))
    if shape.due_after:
        conditions.append(Task.due_at > bindparam("due_after"))
    if shape.overdue is not None:
        overdue = and_(Task.due_at < func.now(), Task.status != TaskStatus.DONE)
        # Not overdue: no due date, due later, or done (`not_` alone would drop the nulls).
        conditions.append(overdue if shape.overdue else not_(func.coalesce(overdue, False)))
    return conditions


@functools.lru_cache(maxsize=1024)
def _statement_of(shape: _Shape) -> Select[Any]:
    """The statement of every list of this shape, its values left as bound parameters.

    Built once per shape: SQLAlchemy then reuses the statement's cache key and compiled SQL,
    where a statement built per request costs ~0.3 ms of CPU here to build and hash.
    """
    sort = shape.sort
    column = SORT_COLUMNS[sort.key]
    ordered = sort_expression(sort, column)
    statement = select(*TASK_FIELDS, ordered.label("sort_key")).where(
        CALLER_HAS_SESSION, Task.owner_id == bindparam("owner_id"), *_conditions(shape)
    )
    if shape.has_position:
        after = tuple_(ordered, Task.id)
        bound = tuple_(
            sort_expression(sort, bindparam("cursor_value", type_=column.type)),
            bindparam("cursor_id", type_=Task.id.type),
        )
        statement = statement.where(after < bound if sort.descending else after > bound)
    direction = desc if sort.descending else asc
    statement = statement.order_by(direction(ordered), direction(Task.id))
    page = statement.limit(bindparam("limit", type_=Integer)).subquery("page")
    # The page's JSON is written over its rows only, outside the statement that finds them:
    # an expensive select list inside it tips the planner towards reading every row after a
    # deep cursor and sorting them (20 ms rather than 0.1 ms at 100,000 tasks).
    return select(
        json_object({name: page.c[name] for name in TaskRead.model_fields}).label("item"),
        page.c[sort.key].label("key"),
        cast(page.c.id, Text).label("id"),
    ).order_by(direction(page.c.sort_key), direction(page.c.id))


@functools.lru_cache(maxsize=1024)
def _query_of(shape: _Shape) -> DriverQuery:
    return DriverQuery.of(_statement_of(shape))


def page_query(
    caller: TokenClaims, filters: TaskFilters, limit: int, position: dict[str, Any] | None
) -> tuple[DriverQuery, dict[str, Any]]:
    """The statement (for the driver) of the caller's tasks matching `filters` after `position`,
    one more than `limit`, none unless the caller's login session is current; and its values."""
    values = (
        _filter_values(filters)
        | session_values(caller)
        | {"owner_id": caller.user_id, "limit": limit + 1}
    )
    if position is not None:
        values["cursor_value"], values["cursor_id"] = _read_position(position, filters)
    shape = _Shape.of(filters, has_position=position is not None)
    return _query_of(shape), values


def _filter_values(filters: TaskFilters) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if filters.statuses:
        values["statuses"] = sorted(filters.statuses)
    if filters.priorities:
        values["priorities"] = sorted(filters.priorities)
    if filters.tags:
        values["tags"] = sorted(filters.tags)
    if filters.text:
        values["pattern"] = "%" + escape_like(filters.text) + "%"  # `q` is taken literally
    if filters.due_before is not None:
        values["due_before"] = filters.due_before
    if filters.due_after is not None:
        values["due_after"] = filters.due_after
    return values


@dataclass(frozen=True)
class TaskPage:
    tasks: Sequence[str]
    """Each task's `TaskRead` JSON."""
    next_position: dict[str, Any] | None
    """The keyset position after the page's last task; None on the last page."""


async def fetch_page(
    connection: asyncpg.Connection,
    caller: TokenClaims,
    filters: TaskFilters,
    limit: int,
    position: dict[str, Any] | None,
) -> TaskPage:
    """A page of the caller's tasks, on the driver (see `taskmanager.core.driver`); a 401 when
    the caller's login session is not current."""
    query, values = page_query(caller, filters, limit, position)
    rows = await query.fetch(connection, values)
    if not rows:  # no tasks, or no session: only the session check can tell
        await check_session(connection, caller)
    if len(rows) <= limit:
        return TaskPage([row["item"] for row in rows], None)
    last = rows[limit - 1]
    return TaskPage(
        [row["item"] for row in rows[:limit]],
        {
            "list": filters.fingerprint(),
            "key": _cursor_value(last),
            "id": last["id"],
        },
    )
