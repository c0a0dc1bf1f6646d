"""The HTTP API: teams, members and tasks with business-day due dates, stored in PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Annotated, Literal

import asyncpg
import httpx
from fastapi import Depends, FastAPI, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from course_support.postgres import to_asyncpg_dsn
from module_4_6_pytest import store
from module_4_6_pytest.assignment import EmptyTeamError, pick_assignee
from module_4_6_pytest.business_days import MAX_BUSINESS_DAYS
from module_4_6_pytest.deadlines import DeadlineCalculator
from module_4_6_pytest.holidays import HolidaysClient, RetryPolicy, UnknownCountryError
from module_4_6_pytest.priority import escalate
from module_4_6_pytest.schemas import (
    CountryCode,
    DueDateOut,
    MemberCreate,
    MemberOut,
    StartDate,
    TaskCreate,
    TaskOut,
    TeamCreate,
    TeamOut,
)
from module_4_6_pytest.settings import Settings

# Ids beyond int32 would reach asyncpg and fail there with a 500.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass(frozen=True)
class Resources:
    """What the app opens at start and closes at shutdown."""

    pool: asyncpg.Pool
    calculator: DeadlineCalculator


async def get_connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """One pooled connection per request, returned to the pool when the response is sent."""
    resources: Resources = request.app.state.resources
    async with resources.pool.acquire() as connection:
        yield connection


def get_calculator(request: Request) -> DeadlineCalculator:
    resources: Resources = request.app.state.resources
    return resources.calculator


def now() -> datetime:
    """The current time in UTC; dates of the service are UTC dates."""
    return datetime.now(UTC)


ConnectionDep = Annotated[asyncpg.Connection, Depends(get_connection)]
CalculatorDep = Annotated[DeadlineCalculator, Depends(get_calculator)]
NowDep = Annotated[datetime, Depends(now)]


def task_out(task: store.Task, today: date) -> TaskOut:
    done = task.completed_at is not None
    return TaskOut(
        id=task.id,
        team_id=task.team_id,
        assignee_id=task.assignee_id,
        title=task.title,
        priority=task.priority,
        effective_priority=escalate(task.priority, task.due_date, today, done=done),
        start_date=task.start_date,
        business_days=task.business_days,
        due_date=task.due_date,
        overdue=not done and today > task.due_date,
        completed=done,
        calendar_source=task.calendar_source,
        calendar_warning=task.calendar_warning,
    )


def create_app(settings: Settings) -> FastAPI:
    """The application; the database and the holidays client live as long as its lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            asyncpg.create_pool(to_asyncpg_dsn(settings.database_url), min_size=1) as pool,
            holidays_http_client(settings) as http,
        ):
            async with pool.acquire() as connection:
                await store.create_schema(connection)
            holidays = HolidaysClient(
                http,
                RetryPolicy(settings.holidays_attempts, settings.holidays_backoff_seconds),
                cache_ttl=settings.holidays_cache_seconds,
            )
            app.state.resources = Resources(pool=pool, calculator=DeadlineCalculator(holidays))
            yield

    app = FastAPI(title="Task deadlines", lifespan=lifespan)
    _add_error_handlers(app)
    _add_routes(app)
    return app


PROBLEM_MEDIA_TYPE = "application/problem+json"

# The domain's errors and what the API answers for each: (status, stable machine-readable code).
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    store.NotFoundError: (status.HTTP_404_NOT_FOUND, "not_found"),
    store.NameTakenError: (status.HTTP_409_CONFLICT, "name_taken"),
    EmptyTeamError: (status.HTTP_409_CONFLICT, "team_has_no_members"),
    UnknownCountryError: (status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown_country"),
}

# RFC 9110's name, which Python 3.11's HTTPStatus does not use yet.
_TITLES = {422: "Unprocessable Content"}


def problem(status_code: int, detail: str, code: str, **extra: object) -> JSONResponse:
    """An RFC 9457 problem document, with a stable ``code`` for programs."""
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status_code) or HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status_code, media_type=PROBLEM_MEDIA_TYPE)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's default handler echoes the input back; with NaN in a body it even fails to
        # serialise it and answers 500. The location and the message are enough.
        errors = [
            {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
            for item in error.errors()
        ]
        return problem(422, "the request is not valid", "validation_error", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        # The framework's own errors (an unknown path, a wrong method) in the same format.
        code = HTTPStatus(error.status_code).name.lower()
        return problem(error.status_code, str(error.detail), code)

    async def domain_error(request: Request, error: Exception) -> JSONResponse:
        status_code, code = DOMAIN_ERRORS[type(error)]
        return problem(status_code, str(error), code)

    for error_type in DOMAIN_ERRORS:
        app.add_exception_handler(error_type, domain_error)


def most_urgent_first(tasks: list[TaskOut]) -> list[TaskOut]:
    """Highest effective priority first; among equals, the earliest due date."""
    return sorted(tasks, key=lambda task: (-task.effective_priority.rank, task.due_date))


def holidays_http_client(settings: Settings) -> httpx.AsyncClient:
    """The connection pool to the holidays API, with the configured timeout on every request."""
    return httpx.AsyncClient(
        base_url=str(settings.holidays_api_url),
        timeout=httpx.Timeout(settings.holidays_timeout_seconds),
    )


def _add_routes(app: FastAPI) -> None:
    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/due-date")
    async def due_date(
        calculator: CalculatorDep,
        start: Annotated[StartDate, Query(description="the day the work starts")],
        days: Annotated[int, Query(ge=0, le=MAX_BUSINESS_DAYS)],
        country: Annotated[CountryCode, Query()],
    ) -> DueDateOut:
        result = await calculator.due_date(start, days, country)
        return DueDateOut(
            start_date=start,
            business_days=days,
            country=country,
            due_date=result.due,
            calendar_source=result.source,
            holidays_skipped=list(result.holidays_skipped),
            warning=result.warning,
        )

    @app.post("/teams", status_code=status.HTTP_201_CREATED)
    async def create_team(body: TeamCreate, connection: ConnectionDep) -> TeamOut:
        team = await store.create_team(connection, body.name, body.country)
        return TeamOut(id=team.id, name=team.name, country=team.country, members=[])

    @app.get("/teams/{team_id}")
    async def read_team(team_id: RowId, connection: ConnectionDep) -> TeamOut:
        team = await store.get_team(connection, team_id)
        loads = await store.member_loads(connection, team_id)
        return TeamOut(
            id=team.id,
            name=team.name,
            country=team.country,
            members=[
                MemberOut(id=load.member_id, name=load.name, open_tasks=load.open_tasks)
                for load in loads
            ],
        )

    @app.post("/teams/{team_id}/members", status_code=status.HTTP_201_CREATED)
    async def add_member(
        team_id: RowId, body: MemberCreate, connection: ConnectionDep
    ) -> MemberOut:
        member = await store.add_member(connection, team_id, body.name)
        return MemberOut(id=member.id, name=member.name, open_tasks=0)

    @app.post("/teams/{team_id}/tasks", status_code=status.HTTP_201_CREATED)
    async def create_task(
        team_id: RowId,
        body: TaskCreate,
        connection: ConnectionDep,
        calculator: CalculatorDep,
        current_time: NowDep,
    ) -> TaskOut:
        team = await store.get_team(connection, team_id)
        start = body.start_date or current_time.date()
        # The holidays API is called before any lock is taken: a slow API must not block the team.
        due = await calculator.due_date(start, body.business_days, team.country)
        async with connection.transaction():  # the team stays locked until the task is in
            assignee = pick_assignee(await store.lock_team_for_assignment(connection, team_id))
            task = await store.insert_task(
                connection,
                team_id=team_id,
                assignee_id=assignee.member_id,
                title=body.title,
                priority=body.priority,
                start=start,
                business_days=body.business_days,
                due=due,
            )
        return task_out(task, current_time.date())

    @app.get("/teams/{team_id}/tasks")
    async def list_tasks(
        team_id: RowId,
        connection: ConnectionDep,
        current_time: NowDep,
        state: Annotated[Literal["open", "all"], Query(alias="status")] = "open",
    ) -> list[TaskOut]:
        """Most urgent first: effective priority, then due date."""
        tasks = await store.list_tasks(connection, team_id, open_only=state == "open")
        return most_urgent_first([task_out(task, current_time.date()) for task in tasks])

    @app.get("/tasks/{task_id}")
    async def read_task(task_id: RowId, connection: ConnectionDep, current_time: NowDep) -> TaskOut:
        return task_out(await store.get_task(connection, task_id), current_time.date())

    @app.post("/tasks/{task_id}/complete")
    async def complete_task(
        task_id: RowId, connection: ConnectionDep, current_time: NowDep
    ) -> TaskOut:
        task = await store.complete_task(connection, task_id, current_time)
        return task_out(task, current_time.date())
