"""Priority escalation: an open task that is overdue or due soon is worked on first."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

DUE_SOON_DAYS = 2
"""A task due within this many calendar days (today included) is "due soon"."""


class Priority(StrEnum):
    """Task priorities, lowest first; the order of declaration is the order of urgency."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return list(Priority).index(self)

    def raised(self) -> Priority:
        """One level up, never above ``URGENT``."""
        levels = list(Priority)
        return levels[min(self.rank + 1, len(levels) - 1)]


def escalate(
    priority: Priority,
    due: date,
    today: date,
    *,
    done: bool = False,
    due_soon_days: int = DUE_SOON_DAYS,
) -> Priority:
    """The priority a task should be worked at today; escalation never lowers a priority.

    - done: unchanged (nothing left to hurry);
    - overdue (``today`` after ``due``): ``URGENT``;
    - due within ``due_soon_days`` days: one level up.
    """
    if done:
        return priority
    if today > due:
        return Priority.URGENT
    if (due - today).days <= due_soon_days:
        return priority.raised()
    return priority
