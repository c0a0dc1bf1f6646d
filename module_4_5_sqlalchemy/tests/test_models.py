"""4.5.2: what the schema itself guarantees, whatever code writes to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.errors import violated_constraint
from module_4_5_sqlalchemy.models import Task, TaskPriority, TaskStatus, User
from module_4_5_sqlalchemy.tests.factories import add_project, add_task, add_user

pytestmark = pytest.mark.task("4.5.2", level="extra")


async def _violation(session: AsyncSession, statement: str) -> str | None:
    with pytest.raises(IntegrityError) as raised:
        await session.execute(text(statement))
    await session.rollback()
    return violated_constraint(raised.value)


async def test_constraints_are_named_by_the_naming_convention(session: AsyncSession) -> None:
    names = await session.scalars(
        text(
            "select conname from pg_constraint c join pg_namespace n on n.oid = c.connamespace "
            "where nspname = 'public' and contype <> 'n' "  # PostgreSQL 18 lists NOT NULL too
            "and conrelid <> 'alembic_version'::regclass order by conname"
        )
    )

    assert list(names) == [
        "ck_projects_name_not_blank",
        "ck_tags_name_normalised",
        "ck_tasks_completed_at_iff_done",
        "ck_tasks_title_not_blank",
        "ck_users_email_has_at",
        "ck_users_name_not_blank",
        "fk_task_tags_tag_id_tags",
        "fk_task_tags_task_id_tasks",
        "fk_tasks_owner_id_users",
        "fk_tasks_project_id_projects",
        "pk_projects",
        "pk_tags",
        "pk_task_tags",
        "pk_tasks",
        "pk_users",
        "uq_projects_name",
        "uq_tags_name",
    ]


BAD_ROWS = [
    ("insert into users (email, name) values ('no-at-sign', 'Ada')", "ck_users_email_has_at"),
    (
        "insert into users (email, name) values ('a@example.com', '  ')",
        "ck_users_name_not_blank",
    ),
    ("insert into tags (name) values ('Mixed Case')", "ck_tags_name_normalised"),
    ("insert into projects (name) values ('')", "ck_projects_name_not_blank"),
]


async def test_check_constraints_refuse_bad_rows(session: AsyncSession) -> None:
    violated = [await _violation(session, statement) for statement, _ in BAD_ROWS]

    assert violated == [constraint for _, constraint in BAD_ROWS]


async def test_emails_are_unique_whatever_their_letter_case(session: AsyncSession) -> None:
    await add_user(session, email="ada@example.com")
    await session.commit()

    violated = await _violation(
        session, "insert into users (email, name) values ('ADA@example.COM', 'Ada')"
    )

    assert violated == "uq_users_email_lower"


async def test_a_task_is_done_exactly_when_it_has_a_completion_time(session: AsyncSession) -> None:
    owner = await add_user(session)
    await session.commit()
    insert = "insert into tasks (owner_id, title, status, completed_at) values ({}, 't', {}, {})"

    done_without_time = insert.format(owner.id, "'done'", "null")
    open_with_time = insert.format(owner.id, "'todo'", "now()")
    blank_title = f"insert into tasks (owner_id, title) values ({owner.id}, ' ')"

    assert await _violation(session, done_without_time) == "ck_tasks_completed_at_iff_done"
    assert await _violation(session, open_with_time) == "ck_tasks_completed_at_iff_done"
    assert await _violation(session, blank_title) == "ck_tasks_title_not_blank"


async def test_relationships_refuse_to_lazy_load(session: AsyncSession) -> None:
    owner = await add_user(session)
    await add_task(session, owner)
    await session.commit()
    session.expunge_all()

    task = await session.scalar(select(Task))
    assert task is not None
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = task.owner
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = task.tags
    user = await session.get(User, owner.id)
    assert user is not None
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = user.tasks


async def test_relationships_work_both_ways_once_loaded(session: AsyncSession) -> None:
    owner = await add_user(session)
    project = await add_project(session)
    task = await add_task(session, owner, project=project, tags=("api",))
    await session.commit()

    await session.refresh(owner, ["tasks"])
    await session.refresh(project, ["tasks"])
    await session.refresh(task, ["owner", "project"])
    tag = task.tags[0]
    await session.refresh(tag, ["tasks"])

    assert owner.tasks == [task]
    assert project.tasks == [task]
    assert (task.owner, task.project) == (owner, project)
    assert tag.tasks == [task]


async def test_deleting_a_project_keeps_its_tasks_without_a_project(session: AsyncSession) -> None:
    project = await add_project(session)
    task = await add_task(session, await add_user(session), project=project)
    await session.commit()

    await session.execute(text("delete from projects where id = :id"), {"id": project.id})
    await session.commit()
    await session.refresh(task)

    assert task.project_id is None


async def test_priorities_sort_from_low_to_urgent_in_the_database(session: AsyncSession) -> None:
    owner = await add_user(session)
    for priority in (TaskPriority.HIGH, TaskPriority.LOW, TaskPriority.URGENT, TaskPriority.MEDIUM):
        await add_task(session, owner, priority=priority)

    ordered = await session.scalars(select(Task.priority).order_by(Task.priority))

    assert list(ordered) == list(TaskPriority)


async def test_server_defaults_fill_status_priority_and_timestamps(session: AsyncSession) -> None:
    owner = await add_user(session)
    before = datetime.now(UTC)

    await session.execute(
        text("insert into tasks (owner_id, title) values (:owner, 'bare')"), {"owner": owner.id}
    )
    task = await session.scalar(select(Task).where(Task.title == "bare"))

    assert task is not None
    assert (task.status, task.priority) == (TaskStatus.TODO, TaskPriority.MEDIUM)
    assert task.created_at.tzinfo is not None
    assert abs((task.created_at - before).total_seconds()) < 60
