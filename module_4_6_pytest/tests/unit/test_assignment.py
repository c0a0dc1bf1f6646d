"""4.6.1: least-loaded assignment, its tie-break, and an empty team."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from module_4_6_pytest.assignment import Candidate, EmptyTeamError, pick_assignee
from module_4_6_pytest.tests.strategies import PROPERTY_SETTINGS


def team(*open_tasks: int) -> list[Candidate]:
    """Members with ids 1, 2, ... carrying these numbers of open tasks."""
    return [
        Candidate(member_id=number, name=f"member-{number}", open_tasks=load)
        for number, load in enumerate(open_tasks, start=1)
    ]


@pytest.mark.parametrize(
    ("loads", "expected_id"),
    [
        pytest.param((0,), 1, id="a-team-of-one"),
        pytest.param((3, 1, 2), 2, id="fewest-open-tasks-wins"),
        pytest.param((2, 2, 2), 1, id="tie-goes-to-first-joined"),
        pytest.param((5, 0, 0), 2, id="tie-among-the-least-loaded"),
    ],
)
def test_least_loaded_member_is_picked(loads: tuple[int, ...], expected_id: int) -> None:
    # region 4.6.1 core: least loaded member is picked
    assert pick_assignee(team(*loads)).member_id == expected_id
    # endregion 4.6.1


def test_an_empty_team_cannot_take_a_task() -> None:
    # region 4.6.1 core: an empty team cannot take a task
    with pytest.raises(EmptyTeamError, match="no members"):
        pick_assignee([])
    # endregion 4.6.1


@PROPERTY_SETTINGS
@given(
    loads=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=12), data=st.data()
)
def test_the_choice_does_not_depend_on_row_order(loads: list[int], data: st.DataObject) -> None:
    # region 4.6.1 extra: the choice does not depend on row order
    members = team(*loads)
    shuffled = data.draw(st.permutations(members))
    chosen = pick_assignee(shuffled)
    assert chosen == pick_assignee(members)
    assert chosen.open_tasks == min(loads)
    # endregion 4.6.1
