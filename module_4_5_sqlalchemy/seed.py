"""Sample data for the demo: a small team, a few projects, tasks in every state.

Dates are relative to ``today`` so that "overdue" and "completed this month" always mean
something, whenever the demo runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.models import TaskPriority, TaskStatus
from module_4_5_sqlalchemy.schemas import ProjectCreate, TaskCreate, UserCreate
from module_4_5_sqlalchemy.tasks import create_project, create_task
from module_4_5_sqlalchemy.users import create_user

USERS = [
    ("ada@example.com", "Ada Lovelace"),
    ("grace@example.com", "Grace Hopper"),
    ("margaret@example.com", "Margaret Hamilton"),
    ("linus@example.com", "Linus Torvalds"),
    ("ken@example.com", "Ken Thompson"),  # no tasks: shows the outer join's zero
]
PROJECTS = [
    ("Website", "The public site and its login"),
    ("Mobile app", "iOS and Android clients"),
    ("Infrastructure", "Servers, CI, backups"),
    ("Research", "Nothing planned yet"),  # no tasks: shows zero counts
]

S, P = TaskStatus, TaskPriority
# title, owner, project, status, priority, due in days (None: no due date),
# completed days ago (done tasks only), tags
TASKS: list[
    tuple[str, int, int | None, TaskStatus, TaskPriority, int | None, int | None, list[str]]
] = [
    ("Fix the login redirect loop", 0, 0, S.IN_PROGRESS, P.URGENT, -2, None, ["backend", "bug"]),
    ("Write the deployment guide", 0, 2, S.TODO, P.MEDIUM, 5, None, ["docs"]),
    ("Rotate the database passwords", 0, 2, S.TODO, P.HIGH, -6, None, ["security"]),
    ("Ship the pricing page", 0, 0, S.DONE, P.HIGH, -10, 12, ["frontend"]),
    ("Add dark mode", 1, 1, S.TODO, P.LOW, 30, None, ["frontend"]),
    ("Crash on Android 15 start-up", 1, 1, S.IN_PROGRESS, P.URGENT, -1, None, ["bug"]),
    ("Set up nightly backups", 1, 2, S.DONE, P.HIGH, -20, 3, ["ops"]),
    ("Migrate CI to the new runners", 1, 2, S.DONE, P.MEDIUM, -15, 8, ["ops"]),
    ("Compress the hero images", 1, 0, S.DONE, P.LOW, None, 40, ["frontend"]),
    ("Offline mode for the app", 2, 1, S.TODO, P.HIGH, 14, None, ["mobile"]),
    ("Review the API error format", 2, 0, S.DONE, P.MEDIUM, -3, 2, ["backend", "docs"]),
    ("Load test the checkout", 2, 0, S.DONE, P.HIGH, -5, 6, ["backend"]),
    ("Evaluate a new CDN", 2, None, S.CANCELLED, P.LOW, None, None, ["ops"]),
    ("Upgrade the kernel on build hosts", 3, 2, S.DONE, P.MEDIUM, -4, 1, ["ops"]),
    ("Tidy up the issue tracker", 3, None, S.TODO, P.LOW, None, None, []),
    ("Patch the TLS configuration", 3, 2, S.IN_PROGRESS, P.URGENT, -9, None, ["security", "ops"]),
]


@dataclass(frozen=True)
class SeedSummary:
    users: int
    projects: int
    tasks: int


async def seed(session: AsyncSession, *, today: date) -> SeedSummary:
    """Insert the sample data through the CRUD functions (call it inside a unit of work)."""
    users = [await create_user(session, UserCreate(email=e, name=n)) for e, n in USERS]
    projects = [
        await create_project(session, ProjectCreate(name=name, description=description))
        for name, description in PROJECTS
    ]
    now = datetime.combine(today, time(12), tzinfo=UTC)
    for title, owner, project, status, priority, due_in, done_ago, tags in TASKS:
        task = await create_task(
            session,
            TaskCreate(
                owner_id=users[owner].id,
                project_id=None if project is None else projects[project].id,
                title=title,
                status=status,
                priority=priority,
                due_date=None if due_in is None else today + timedelta(days=due_in),
                tags=tags,
            ),
        )
        if done_ago is not None:
            # History: the CRUD function stamps "now"; the sample spreads completions out.
            task.completed_at = now - timedelta(days=done_ago)
    await session.flush()
    return SeedSummary(users=len(users), projects=len(projects), tasks=len(TASKS))
