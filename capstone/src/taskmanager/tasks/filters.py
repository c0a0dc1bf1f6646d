"""The list query of `GET /tasks`: filters, sort order, and a fingerprint that binds cursors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from taskmanager.tasks.models import TaskPriority, TaskStatus


class TaskSort(StrEnum):
    """A sort key, optionally prefixed `-` for descending; ties are always broken by id."""

    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    UPDATED_AT = "updated_at"
    UPDATED_AT_DESC = "-updated_at"
    DUE_AT = "due_at"
    DUE_AT_DESC = "-due_at"
    PRIORITY = "priority"
    PRIORITY_DESC = "-priority"
    TITLE = "title"
    TITLE_DESC = "-title"

    @property
    def key(self) -> str:
        return self.value.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


@dataclass(frozen=True)
class TaskFilters:
    """Which of the owner's tasks a list shows and in what order.

    Within a parameter the listed values are alternatives (any matches); parameters combine (all
    must match).
    """

    statuses: frozenset[TaskStatus] = frozenset()
    priorities: frozenset[TaskPriority] = frozenset()
    tags: frozenset[str] = frozenset()
    text: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    overdue: bool | None = None
    sort: TaskSort = TaskSort.CREATED_AT_DESC

    def fingerprint(self) -> str:
        """A short digest of the whole query: a cursor only continues the list it came from."""
        canonical = json.dumps(
            [
                sorted(self.statuses),
                sorted(self.priorities),
                sorted(self.tags),
                self.text,
                self.due_before.isoformat() if self.due_before else None,
                self.due_after.isoformat() if self.due_after else None,
                self.overdue,
                self.sort,
            ]
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]
