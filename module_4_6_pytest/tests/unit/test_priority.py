"""4.6.1: priority escalation as a table of cases, plus the promise that it never lowers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from module_4_6_pytest.priority import DUE_SOON_DAYS, Priority, escalate
from module_4_6_pytest.tests.strategies import PROPERTY_SETTINGS, dates

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("priority", "due_in_days", "done", "expected"),
    [
        pytest.param(Priority.LOW, -1, False, Priority.URGENT, id="overdue-low-jumps-to-urgent"),
        pytest.param(Priority.HIGH, -30, False, Priority.URGENT, id="long-overdue-is-urgent"),
        pytest.param(Priority.LOW, 0, False, Priority.MEDIUM, id="due-today-one-level-up"),
        pytest.param(Priority.MEDIUM, 2, False, Priority.HIGH, id="due-soon-edge-one-level-up"),
        pytest.param(Priority.MEDIUM, 3, False, Priority.MEDIUM, id="just-outside-due-soon"),
        pytest.param(Priority.URGENT, 1, False, Priority.URGENT, id="urgent-is-the-ceiling"),
        pytest.param(Priority.LOW, -5, True, Priority.LOW, id="done-tasks-never-escalate"),
        pytest.param(Priority.LOW, 30, False, Priority.LOW, id="far-away-unchanged"),
    ],
)
def test_escalation_table(
    priority: Priority, due_in_days: int, done: bool, expected: Priority
) -> None:
    # region 4.6.1 core: escalation table
    assert DUE_SOON_DAYS == 2  # the table's edges are written for a two-day window
    due = TODAY + timedelta(days=due_in_days)
    assert escalate(priority, due, TODAY, done=done) is expected
    # endregion 4.6.1


def test_due_soon_window_is_configurable() -> None:
    # region 4.6.1 core: due soon window is configurable
    due = TODAY + timedelta(days=5)
    assert escalate(Priority.LOW, due, TODAY, due_soon_days=5) is Priority.MEDIUM
    assert escalate(Priority.LOW, due, TODAY, due_soon_days=4) is Priority.LOW
    # endregion 4.6.1


def test_priorities_are_ordered_by_urgency() -> None:
    # region 4.6.1 core: priorities are ordered by urgency
    assert [priority.rank for priority in Priority] == [0, 1, 2, 3]
    assert [priority.raised() for priority in Priority] == [
        Priority.MEDIUM,
        Priority.HIGH,
        Priority.URGENT,
        Priority.URGENT,
    ]
    # endregion 4.6.1


@PROPERTY_SETTINGS
@given(priority=st.sampled_from(Priority), due=dates, today=dates, done=st.booleans())
def test_escalation_never_lowers_a_priority(
    priority: Priority, due: date, today: date, done: bool
) -> None:
    # region 4.6.1 extra: escalation never lowers a priority
    assert escalate(priority, due, today, done=done).rank >= priority.rank
    # endregion 4.6.1
