"""4.6.2: tasks over HTTP: due dates with holidays, assignment, escalation in frozen time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
import respx
import time_machine

from module_4_6_pytest.tests.integration.conftest import TaskFactory, TeamFactory, problem
from module_4_6_pytest.tests.nager import FakeNager, holiday_requests

pytestmark = pytest.mark.integration

NEW_YEARS_EVE = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)


async def test_a_task_is_due_after_business_days_and_holidays(
    make_team: TeamFactory, make_task: TaskFactory, holidays_api: respx.MockRouter
) -> None:
    # region 4.6.2 core: a task is due after business days and holidays
    team = await make_team()

    task = await make_task(team, start_date="2026-04-02", business_days=1, priority="high")

    assert task["due_date"] == "2026-04-07"  # after Good Friday and Easter Monday
    assert task["calendar_source"] == "public-holidays"
    assert task["calendar_warning"] is None
    assert task["assignee_id"] == team.member_ids[0]
    assert holiday_requests(holidays_api) == ["/api/v3/PublicHolidays/2026/DE"]
    # endregion 4.6.2


async def test_tasks_go_to_the_least_loaded_member_first_joined_on_ties(
    client: httpx.AsyncClient, make_team: TeamFactory, make_task: TaskFactory
) -> None:
    # region 4.6.2 core: tasks go to the least loaded member first joined on ties
    team = await make_team(members=["Ada", "Grace", "Linus"])
    ada, grace, linus = team.member_ids

    assignees = [(await make_task(team, start_date="2026-11-23"))["assignee_id"] for _ in range(4)]

    assert assignees == [ada, grace, linus, ada]
    loads = (await client.get(f"/teams/{team.id}")).json()["members"]
    assert [member["open_tasks"] for member in loads] == [2, 1, 1]
    # endregion 4.6.2


async def test_a_completed_task_frees_its_assignee(
    client: httpx.AsyncClient, make_team: TeamFactory, make_task: TaskFactory
) -> None:
    # region 4.6.2 core: a completed task frees its assignee
    team = await make_team(members=["Ada", "Grace"])
    first = await make_task(team, start_date="2026-11-23")
    await make_task(team, start_date="2026-11-23")

    done = await client.post(f"/tasks/{first['id']}/complete")
    loads = (await client.get(f"/teams/{team.id}")).json()["members"]
    third = await make_task(team, start_date="2026-11-23")

    assert done.status_code == 200
    assert done.json()["completed"] is True
    assert [member["open_tasks"] for member in loads] == [0, 1]
    assert third["assignee_id"] == first["assignee_id"]
    # endregion 4.6.2


async def test_completing_twice_changes_nothing(
    client: httpx.AsyncClient, make_team: TeamFactory, make_task: TaskFactory
) -> None:
    # region 4.6.2 core: completing twice changes nothing
    task = await make_task(await make_team(), start_date="2026-11-23")

    first = await client.post(f"/tasks/{task['id']}/complete")
    second = await client.post(f"/tasks/{task['id']}/complete")

    assert first.json() == second.json()
    # endregion 4.6.2


async def test_concurrent_tasks_are_spread_evenly(
    client: httpx.AsyncClient, make_team: TeamFactory, make_task: TaskFactory
) -> None:
    # region 4.6.2 extra: concurrent tasks are spread evenly
    # Without the team lock, concurrent requests would all see the same "least loaded" member.
    team = await make_team(members=["Ada", "Grace"])

    tasks = await asyncio.gather(*(make_task(team, start_date="2026-11-23") for _ in range(6)))

    assignees = [task["assignee_id"] for task in tasks]
    assert sorted(assignees.count(member) for member in team.member_ids) == [3, 3]
    # endregion 4.6.2


async def test_a_team_without_members_cannot_take_tasks(
    client: httpx.AsyncClient, make_team: TeamFactory
) -> None:
    # region 4.6.2 core: a team without members cannot take tasks
    team = await make_team(members=[])

    response = await client.post(f"/teams/{team.id}/tasks", json={"title": "x", "business_days": 1})

    body = problem(response, 409, "team_has_no_members")
    assert body["detail"] == "the team has no members to assign the task to"
    # endregion 4.6.2


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(httpx.ConnectTimeout("no answer"), id="timeout"),
        pytest.param(httpx.ConnectError("connection refused"), id="down"),
        pytest.param(httpx.Response(503), id="server-error"),
    ],
)
async def test_when_the_holidays_api_fails_the_task_counts_weekends_only_and_says_so(
    make_team: TeamFactory,
    make_task: TaskFactory,
    holidays_api: respx.MockRouter,
    nager: FakeNager,
    failure: httpx.Response | Exception,
) -> None:
    # region 4.6.2 core: when the holidays api fails the task counts weekends only and says so
    team = await make_team()
    nager.fail_always(failure)

    task = await make_task(team, start_date="2026-04-02", business_days=1)

    assert task["due_date"] == "2026-04-03"  # Good Friday: nobody could know
    assert task["calendar_source"] == "weekends-only"
    assert "public holidays unavailable" in task["calendar_warning"]
    assert holidays_api["holidays"].call_count == 2  # the app's settings allow two attempts
    # endregion 4.6.2


async def test_an_unknown_country_is_422_and_creates_nothing(
    client: httpx.AsyncClient, make_team: TeamFactory
) -> None:
    # region 4.6.2 core: an unknown country is 422 and creates nothing
    team = await make_team(country="XX")

    response = await client.post(f"/teams/{team.id}/tasks", json={"title": "x", "business_days": 1})

    assert problem(response, 422, "unknown_country")["detail"] == "unknown country code 'XX'"
    assert (await client.get(f"/teams/{team.id}/tasks?status=all")).json() == []
    # endregion 4.6.2


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        pytest.param({"business_days": True}, "business_days", id="boolean-days"),
        pytest.param({"business_days": "3"}, "business_days", id="days-as-text"),
        pytest.param(
            {"business_days": 1, "start_date": "9999-12-30"}, "start_date", id="year-9999"
        ),
        pytest.param({"business_days": 1, "priority": "asap"}, "priority", id="unknown-priority"),
    ],
)
async def test_a_malformed_task_is_422(
    client: httpx.AsyncClient, make_team: TeamFactory, fields: dict[str, object], wrong: str
) -> None:
    # region 4.6.2 core: a malformed task is 422
    team = await make_team()

    response = await client.post(f"/teams/{team.id}/tasks", json={"title": "x", **fields})

    errors = problem(response, 422, "validation_error")["errors"]
    assert [error["loc"][-1] for error in errors] == [wrong]
    # endregion 4.6.2


@pytest.mark.time_machine(NEW_YEARS_EVE, tick=False)
async def test_without_a_start_date_the_count_starts_today(
    make_task: TaskFactory, make_team: TeamFactory
) -> None:
    # region 4.6.2 extra: without a start date the count starts today
    task = await make_task(await make_team(), business_days=1)

    assert task["start_date"] == "2026-12-31"
    assert task["due_date"] == "2027-01-04"  # New Year's Day, then a weekend
    # endregion 4.6.2


async def test_priority_escalates_as_the_due_date_nears(
    client: httpx.AsyncClient,
    make_team: TeamFactory,
    make_task: TaskFactory,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    # region 4.6.2 extra: priority escalates as the due date nears
    time_machine.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False)  # a Monday
    task = await make_task(await make_team(), business_days=5, priority="low")
    assert (task["due_date"], task["effective_priority"]) == ("2026-11-30", "low")

    time_machine.move_to(datetime(2026, 11, 28, 9, 0, tzinfo=UTC), tick=False)  # two days left
    soon = (await client.get(f"/tasks/{task['id']}")).json()
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False)  # a day late
    late = (await client.get(f"/tasks/{task['id']}")).json()

    assert (soon["effective_priority"], soon["overdue"]) == ("medium", False)
    assert (late["effective_priority"], late["overdue"]) == ("urgent", True)
    assert late["priority"] == "low"  # what was asked for is kept; escalation is computed
    # endregion 4.6.2


@pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False)
async def test_the_task_list_puts_the_most_urgent_first(
    client: httpx.AsyncClient, make_team: TeamFactory, make_task: TaskFactory
) -> None:
    # region 4.6.2 extra: the task list puts the most urgent first
    team = await make_team()
    relaxed = await make_task(team, title="relaxed", start_date="2026-12-01", priority="high")
    late = await make_task(team, title="late", start_date="2026-11-20", priority="low")
    done = await make_task(team, title="done", start_date="2026-11-01", priority="urgent")
    await client.post(f"/tasks/{done['id']}/complete")

    open_tasks = (await client.get(f"/teams/{team.id}/tasks")).json()
    every_task = (await client.get(f"/teams/{team.id}/tasks", params={"status": "all"})).json()

    assert [task["title"] for task in open_tasks] == ["late", "relaxed"]
    assert [task["id"] for task in open_tasks] == [late["id"], relaxed["id"]]
    assert {task["title"] for task in every_task} == {"late", "relaxed", "done"}
    # endregion 4.6.2


@pytest.mark.time_machine(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False)
async def test_a_higher_priority_comes_first_even_when_it_is_due_later(
    client: httpx.AsyncClient, make_team: TeamFactory, make_task: TaskFactory
) -> None:
    # region 4.6.2 core: a higher priority comes first even when it is due later
    team = await make_team()
    await make_task(team, title="low, due in a week", business_days=5, priority="low")
    await make_task(team, title="high, due in two weeks", business_days=10, priority="high")

    listed = (await client.get(f"/teams/{team.id}/tasks")).json()

    assert [task["title"] for task in listed] == ["high, due in two weeks", "low, due in a week"]
    # endregion 4.6.2
