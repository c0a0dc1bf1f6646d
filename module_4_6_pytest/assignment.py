"""Assigning a task to the least-loaded member of a team, the same way every time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class EmptyTeamError(ValueError):
    """The team has nobody to assign a task to."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A team member as the assignment rule sees them."""

    member_id: int
    name: str
    open_tasks: int


def pick_assignee(candidates: Iterable[Candidate]) -> Candidate:
    """The member with the fewest open tasks.

    Ties go to the member who joined first (the lowest id), so the same team state always gives
    the same answer, whatever order the database returned the rows in.
    """
    team = list(candidates)
    if not team:
        raise EmptyTeamError("the team has no members to assign the task to")
    return min(team, key=lambda candidate: (candidate.open_tasks, candidate.member_id))
