"""What the HTTP API accepts and answers (Pydantic models at the boundary)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from module_4_6_pytest.business_days import MAX_BUSINESS_DAYS
from module_4_6_pytest.deadlines import CalendarSource
from module_4_6_pytest.priority import Priority


def _without_nul(text: str) -> str:
    # PostgreSQL cannot store NUL in text: asyncpg would fail with a 500 instead of a clear 422.
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_without_nul),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_without_nul),
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
# Near date.max, counting forward would overflow into a 500; no task starts in the year 9999.
StartDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2199, 12, 31))]
BusinessDays = Annotated[int, Field(ge=0, le=MAX_BUSINESS_DAYS)]


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code, e.g. DE")


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    business_days: BusinessDays = Field(strict=True)
    priority: Priority = Priority.MEDIUM
    start_date: StartDate | None = Field(default=None, description="today (UTC) when omitted")


class MemberOut(BaseModel):
    id: int
    name: str
    open_tasks: int


class TeamOut(BaseModel):
    id: int
    name: str
    country: str
    members: list[MemberOut]


class TaskOut(BaseModel):
    id: int
    team_id: int
    assignee_id: int
    title: str
    priority: Priority = Field(description="the priority the task was created with")
    effective_priority: Priority = Field(description="escalated when overdue or due soon")
    start_date: date
    business_days: int
    due_date: date
    overdue: bool
    completed: bool
    calendar_source: CalendarSource
    calendar_warning: str | None


class DueDateOut(BaseModel):
    start_date: date
    business_days: int
    country: str
    due_date: date
    calendar_source: CalendarSource
    holidays_skipped: list[date]
    warning: str | None
