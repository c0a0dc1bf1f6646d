"""Planted faults ("mutants") of the service, to grade the tests a learner writes.

Each mutant breaks one rule of the reference code; a good suite passes on the reference and
fails on every mutant. ``mutation_plugin`` plants them one after the other in one pytest process
and undoes each (``pytest.MonkeyPatch``); a process the tests start (the service under uvicorn)
plants the same mutant from ``$MODULE_4_6_MUTANT`` through ``sitecustomize``.

A fault is planted where every caller sees it, however it imported the function: a function
gets the mutant's code object (``__code__``), a method or a module-level seam is replaced on its
class or module, a table loses an entry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal

import asyncpg
import httpx
import pytest
from fastapi.responses import JSONResponse

from module_4_6_pytest import api, store
from module_4_6_pytest.assignment import Candidate, EmptyTeamError, pick_assignee
from module_4_6_pytest.business_days import (
    _ONE_DAY,
    MAX_BUSINESS_DAYS,
    SATURDAY,
    add_business_days,
    is_business_day,
)
from module_4_6_pytest.deadlines import CalendarSource, DeadlineCalculator, DueDate
from module_4_6_pytest.holidays import (
    HolidaysClient,
    HolidaysUnavailableError,
    PublicHoliday,
    _CacheEntry,
    _RetryableError,
)
from module_4_6_pytest.priority import Priority, escalate
from module_4_6_pytest.schemas import TaskOut
from module_4_6_pytest.settings import Settings

MUTANT_VARIABLE = "MODULE_4_6_MUTANT"
"""The environment variable naming the mutant a grading run plants."""

Suite = Literal["unit", "integration"]


@dataclass(frozen=True)
class Mutant:
    """One planted fault: which task's tests must catch it, and what it breaks."""

    name: str
    task: Literal["4.6.1", "4.6.2"]
    level: Literal["core", "extra"]
    fault: str
    """What is wrong, in the words of the learner's README."""
    plant: Callable[[pytest.MonkeyPatch], None]

    @property
    def suite(self) -> Suite:
        """The learner's tests that must catch it: unit tests for 4.6.1, the API's for 4.6.2."""
        return "unit" if self.task == "4.6.1" else "integration"


def _swap_code(patch: pytest.MonkeyPatch, original: Any, replacement: Any) -> None:
    """Give the function ``original`` the body of ``replacement``.

    Names the new body uses are looked up in the original's module, so the replacement uses
    only names that module has (or that are added to it here, when it lacks them).
    """
    namespace: dict[str, Any] = original.__globals__
    for name in replacement.__code__.co_names:
        if name in replacement.__globals__ and name not in namespace:
            patch.setitem(namespace, name, replacement.__globals__[name])
    patch.setattr(original, "__code__", replacement.__code__)


# 4.6.1: the business rules, caught by unit tests.


def _start_day_counted(
    start: date, business_days: int, holidays: Collection[date] = frozenset()
) -> date:
    if not 0 <= business_days <= MAX_BUSINESS_DAYS:
        raise ValueError(f"business_days must be between 0 and {MAX_BUSINESS_DAYS}")
    day = start - _ONE_DAY  # the fault: counting starts on the start day itself
    remaining = business_days
    while remaining > 0:
        day += _ONE_DAY
        if is_business_day(day, holidays):
            remaining -= 1
    while not is_business_day(day, holidays):
        day += _ONE_DAY
    return day


def _holidays_ignored(
    start: date, business_days: int, holidays: Collection[date] = frozenset()
) -> date:
    if not 0 <= business_days <= MAX_BUSINESS_DAYS:
        raise ValueError(f"business_days must be between 0 and {MAX_BUSINESS_DAYS}")
    day = start
    remaining = business_days
    while remaining > 0:
        day += _ONE_DAY
        if is_business_day(day):  # the fault: the holidays are not passed on
            remaining -= 1
    while not is_business_day(day):
        day += _ONE_DAY
    return day


def _no_roll_forward(
    start: date, business_days: int, holidays: Collection[date] = frozenset()
) -> date:
    if not 0 <= business_days <= MAX_BUSINESS_DAYS:
        raise ValueError(f"business_days must be between 0 and {MAX_BUSINESS_DAYS}")
    day = start
    remaining = business_days
    while remaining > 0:
        day += _ONE_DAY
        if is_business_day(day, holidays):
            remaining -= 1
    return day  # the fault: zero days from a day off stays on the day off


def _far_holidays_ignored(
    start: date, business_days: int, holidays: Collection[date] = frozenset()
) -> date:
    if not 0 <= business_days <= MAX_BUSINESS_DAYS:
        raise ValueError(f"business_days must be between 0 and {MAX_BUSINESS_DAYS}")
    # The fault: only the holidays of the next six weeks are looked at.
    near = {holiday for holiday in holidays if (holiday - start).days <= 42}
    day = start
    remaining = business_days
    while remaining > 0:
        day += _ONE_DAY
        if is_business_day(day, near):
            remaining -= 1
    while not is_business_day(day, near):
        day += _ONE_DAY
    return day


def _saturday_is_a_workday(day: date, holidays: Collection[date] = frozenset()) -> bool:
    return day.weekday() <= SATURDAY and day not in holidays  # the fault: <= instead of <


def _overdue_one_level_up(
    priority: Priority, due: date, today: date, *, done: bool = False, due_soon_days: int = 2
) -> Priority:
    if done:
        return priority
    if today > due:
        return priority.raised()  # the fault: one level up instead of urgent
    if (due - today).days <= due_soon_days:
        return priority.raised()
    return priority


def _due_soon_edge_excluded(
    priority: Priority, due: date, today: date, *, done: bool = False, due_soon_days: int = 2
) -> Priority:
    if done:
        return priority
    if today > due:
        return Priority.URGENT
    if (due - today).days < due_soon_days:  # the fault: < instead of <=
        return priority.raised()
    return priority


def _done_tasks_escalate(
    priority: Priority, due: date, today: date, *, done: bool = False, due_soon_days: int = 2
) -> Priority:
    # The fault: ``done`` is ignored.
    if today > due:
        return Priority.URGENT
    if (due - today).days <= due_soon_days:
        return priority.raised()
    return priority


def _tie_goes_to_last_joined(candidates: Iterable[Candidate]) -> Candidate:
    team = list(candidates)
    if not team:
        raise EmptyTeamError("the team has no members to assign the task to")
    # The fault: among equally loaded members, the one who joined last wins.
    return min(team, key=lambda candidate: (candidate.open_tasks, -candidate.member_id))


def _regional_holidays_count(self: PublicHoliday) -> bool:
    return "Public" in self.types  # the fault: the ``global`` flag is ignored


async def _outage_not_handled(
    self: DeadlineCalculator, start: date, business_days: int, country: str
) -> DueDate:
    # The reference without its ``try``: HolidaysUnavailableError reaches the caller.
    known: set[date] = set()
    years_fetched: set[int] = set()
    due = add_business_days(start, business_days)
    while missing := set(range(start.year, due.year + 1)) - years_fetched:
        for year in sorted(missing):
            known |= await self.holidays.public_holidays(year, country)
            years_fetched.add(year)
        due = add_business_days(start, business_days, known)
    first = start if business_days == 0 else start + timedelta(days=1)
    skipped = tuple(sorted(day for day in known if first <= day < due and day.weekday() < 5))
    return DueDate(due, CalendarSource.PUBLIC_HOLIDAYS, holidays_skipped=skipped)


async def _next_year_not_fetched(
    self: DeadlineCalculator, start: date, business_days: int, country: str
) -> DueDate:
    try:  # the fault: only the start's year is fetched, whatever year the count ends in
        known = await self.holidays.public_holidays(start.year, country)
    except HolidaysUnavailableError as error:
        return DueDate(
            add_business_days(start, business_days),
            CalendarSource.WEEKENDS_ONLY,
            warning=f"public holidays unavailable, counted weekends only: {error}",
        )
    due = add_business_days(start, business_days, known)
    first = start if business_days == 0 else start + timedelta(days=1)
    skipped = tuple(sorted(day for day in known if first <= day < due and day.weekday() < 5))
    return DueDate(due, CalendarSource.PUBLIC_HOLIDAYS, holidays_skipped=skipped)


async def _weekends_only_labelled_as_holidays(
    self: DeadlineCalculator, start: date, business_days: int, country: str
) -> DueDate:
    await self.holidays.public_holidays(start.year, country)
    # The fault: the holidays are fetched, then left out of the count.
    return DueDate(add_business_days(start, business_days), CalendarSource.PUBLIC_HOLIDAYS)


async def _no_retry(self: HolidaysClient, country: str, year: int) -> frozenset[date]:
    try:  # the fault: one attempt only
        return await self._fetch(country, year)
    except _RetryableError as error:
        raise HolidaysUnavailableError(f"public holidays API failed 1 time(s): {error}") from error


async def _cache_never_expires(self: HolidaysClient, year: int, country: str) -> frozenset[date]:
    key = (country.upper(), year)
    entry = self._cache.get(key)
    if entry is not None:  # the fault: the expiry time is never looked at
        return entry.holidays
    holidays = await self._fetch_with_retries(*key)
    self._cache[key] = _CacheEntry(holidays, self.clock() + self.cache_ttl)
    return holidays


# 4.6.2: the API, caught by integration tests.


def _in_stored_order(tasks: list[TaskOut]) -> list[TaskOut]:
    return list(tasks)  # the fault: by due date only, as the store returns them


async def _completed_tasks_still_count(
    connection: asyncpg.Connection, team_id: int
) -> list[Candidate]:
    rows = await connection.fetch(
        """
        SELECT m.id, m.name, count(t.id) AS open_tasks
        FROM members AS m LEFT JOIN tasks AS t ON t.assignee_id = m.id
        WHERE m.team_id = $1
        GROUP BY m.id
        ORDER BY m.id
        """,  # the fault: completed tasks are counted as open ones
        team_id,
    )
    return [Candidate(row["id"], row["name"], row["open_tasks"]) for row in rows]


def _plain_json_errors(status_code: int, detail: str, code: str, **extra: object) -> JSONResponse:
    # The fault: FastAPI's default error shape, not a problem document.
    return JSONResponse({"detail": extra.get("errors", detail)}, status_code=status_code)


def _today_ten_hours_behind() -> datetime:
    # The fault: "now" in a local time zone (Honolulu), whose date lags UTC's for ten hours a day.
    return datetime.now(UTC).astimezone(timezone(timedelta(hours=-10)))


def _no_timeout(settings: Settings) -> httpx.AsyncClient:
    # The fault: the configured timeout is dropped, a hanging API hangs every request.
    return httpx.AsyncClient(base_url=str(settings.holidays_api_url), timeout=None)


def _forget(error: type[Exception]) -> Callable[[pytest.MonkeyPatch], None]:
    def plant(patch: pytest.MonkeyPatch) -> None:
        patch.delitem(api.DOMAIN_ERRORS, error)  # no handler: the API answers 500

    return plant


MUTANTS = (
    # 4.6.1 core
    Mutant(
        "start-day-counted",
        "4.6.1",
        "core",
        "add_business_days is off by one: it counts the start day as the first working day",
        lambda patch: _swap_code(patch, add_business_days, _start_day_counted),
    ),
    Mutant(
        "holidays-ignored",
        "4.6.1",
        "core",
        "add_business_days ignores the holidays it is given",
        lambda patch: _swap_code(patch, add_business_days, _holidays_ignored),
    ),
    Mutant(
        "saturday-is-a-workday",
        "4.6.1",
        "core",
        "is_business_day counts Saturday as a working day",
        lambda patch: _swap_code(patch, is_business_day, _saturday_is_a_workday),
    ),
    Mutant(
        "overdue-only-one-level-up",
        "4.6.1",
        "core",
        "escalate raises an overdue task one level instead of making it urgent",
        lambda patch: _swap_code(patch, escalate, _overdue_one_level_up),
    ),
    Mutant(
        "due-soon-edge-excluded",
        "4.6.1",
        "core",
        "escalate leaves a task due in exactly DUE_SOON_DAYS days at its priority",
        lambda patch: _swap_code(patch, escalate, _due_soon_edge_excluded),
    ),
    Mutant(
        "done-tasks-escalate",
        "4.6.1",
        "core",
        "escalate raises the priority of a task that is done",
        lambda patch: _swap_code(patch, escalate, _done_tasks_escalate),
    ),
    Mutant(
        "tie-goes-to-last-joined",
        "4.6.1",
        "core",
        "pick_assignee breaks a tie in favour of the member who joined last",
        lambda patch: _swap_code(patch, pick_assignee, _tie_goes_to_last_joined),
    ),
    Mutant(
        "regional-holidays-count",
        "4.6.1",
        "core",
        "the holidays client counts regional holidays as days off for the whole country",
        lambda patch: _swap_code(
            patch, vars(PublicHoliday)["closes_business"].fget, _regional_holidays_count
        ),
    ),
    Mutant(
        "outage-not-handled",
        "4.6.1",
        "core",
        "DeadlineCalculator lets an outage of the holidays API through instead of counting "
        "weekends only",
        lambda patch: patch.setattr(DeadlineCalculator, "due_date", _outage_not_handled),
    ),
    # 4.6.1 extra
    Mutant(
        "zero-days-from-a-day-off",
        "4.6.1",
        "extra",
        "zero business days from a weekend or a holiday gives that day off as the due date",
        lambda patch: _swap_code(patch, add_business_days, _no_roll_forward),
    ),
    Mutant(
        "far-holidays-ignored",
        "4.6.1",
        "extra",
        "add_business_days looks only at the holidays of the next six weeks",
        lambda patch: _swap_code(patch, add_business_days, _far_holidays_ignored),
    ),
    Mutant(
        "next-year-not-fetched",
        "4.6.1",
        "extra",
        "a count that crosses New Year ignores the next year's holidays",
        lambda patch: patch.setattr(DeadlineCalculator, "due_date", _next_year_not_fetched),
    ),
    Mutant(
        "no-retry",
        "4.6.1",
        "extra",
        "the holidays client gives up after the first timeout or 5xx, without retrying",
        lambda patch: patch.setattr(HolidaysClient, "_fetch_with_retries", _no_retry),
    ),
    Mutant(
        "cache-never-expires",
        "4.6.1",
        "extra",
        "the holidays client keeps an answer forever, whatever its cache_ttl",
        lambda patch: patch.setattr(HolidaysClient, "public_holidays", _cache_never_expires),
    ),
    # 4.6.2 core
    Mutant(
        "unknown-id-not-404",
        "4.6.2",
        "core",
        "an unknown team or task id is a 500, not a 404",
        _forget(store.NotFoundError),
    ),
    Mutant(
        "taken-name-not-409",
        "4.6.2",
        "core",
        "a team name (or a member name) that is taken is a 500, not a 409",
        _forget(store.NameTakenError),
    ),
    Mutant(
        "task-list-not-by-priority",
        "4.6.2",
        "core",
        "GET /teams/{id}/tasks lists by due date only, not the most urgent first",
        lambda patch: patch.setattr(api, "most_urgent_first", _in_stored_order),
    ),
    Mutant(
        "task-due-date-ignores-holidays",
        "4.6.2",
        "core",
        "a new task's due date skips weekends but not the team's public holidays",
        lambda patch: patch.setattr(
            DeadlineCalculator, "due_date", _weekends_only_labelled_as_holidays
        ),
    ),
    Mutant(
        "holidays-outage-is-a-500",
        "4.6.2",
        "core",
        "when the holidays API is down, creating a task fails instead of counting weekends only",
        lambda patch: patch.setattr(DeadlineCalculator, "due_date", _outage_not_handled),
    ),
    Mutant(
        "completed-tasks-still-count",
        "4.6.2",
        "core",
        "completed tasks still count as open when a new task is assigned",
        lambda patch: patch.setattr(store, "member_loads", _completed_tasks_still_count),
    ),
    # 4.6.2 extra
    Mutant(
        "errors-not-problem-json",
        "4.6.2",
        "extra",
        'errors are FastAPI\'s {"detail": ...}, not application/problem+json',
        lambda patch: patch.setattr(api, "problem", _plain_json_errors),
    ),
    Mutant(
        "today-not-in-utc",
        "4.6.2",
        "extra",
        "the service's today (the default start date, overdue) is a local date, not the UTC date",
        lambda patch: _swap_code(patch, api.now, _today_ten_hours_behind),
    ),
    Mutant(
        "holidays-without-timeout",
        "4.6.2",
        "extra",
        "the service waits forever for a holidays API that hangs (no timeout)",
        lambda patch: patch.setattr(api, "holidays_http_client", _no_timeout),
    ),
)
MUTANTS_BY_NAME = {mutant.name: mutant for mutant in MUTANTS}


def plant_from_environment() -> None:
    """Plant for good the mutant ``$MODULE_4_6_MUTANT`` names, if any (from ``sitecustomize``)."""
    name = os.environ.get(MUTANT_VARIABLE)
    if name:
        MUTANTS_BY_NAME[name].plant(pytest.MonkeyPatch())


__all__ = ["MUTANTS", "MUTANT_VARIABLE", "Mutant", "plant_from_environment"]
