"""4.5.3: CRUD for tasks, with projects and tags."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from module_4_5_sqlalchemy.errors import (
    ProjectNameTakenError,
    ProjectNotFoundError,
    TaskNotFoundError,
    UserNotFoundError,
)
from module_4_5_sqlalchemy.models import Tag, TaskPriority, TaskStatus
from module_4_5_sqlalchemy.schemas import ProjectCreate, TaskCreate, TaskUpdate
from module_4_5_sqlalchemy.tasks import (
    create_project,
    create_task,
    delete_task,
    get_task,
    list_tasks,
    update_task,
)
from module_4_5_sqlalchemy.tests.factories import add_project, add_task, add_user

pytestmark = pytest.mark.task("4.5.3", level="extra")


async def test_created_task_has_defaults_and_normalised_unique_tags(session: AsyncSession) -> None:
    owner = await add_user(session)

    task = await create_task(
        session,
        TaskCreate(owner_id=owner.id, title=" Write the report ", tags=["Docs", "docs ", "urgent"]),
    )
    await session.commit()

    session.expunge_all()
    stored = await get_task(session, task.id)
    assert stored.title == "Write the report"
    assert (stored.status, stored.priority) == (TaskStatus.TODO, TaskPriority.MEDIUM)
    assert [tag.name for tag in stored.tags] == ["docs", "urgent"]
    assert stored.completed_at is None
    assert stored.created_at == stored.updated_at


async def test_tasks_share_one_row_per_tag(session: AsyncSession) -> None:
    owner = await add_user(session)

    await create_task(session, TaskCreate(owner_id=owner.id, title="a", tags=["backend"]))
    await create_task(session, TaskCreate(owner_id=owner.id, title="b", tags=["backend", "api"]))

    names = await session.scalars(select(Tag.name).order_by(Tag.name))
    assert list(names) == ["api", "backend"]


async def test_a_task_created_done_is_stamped_completed(session: AsyncSession) -> None:
    owner = await add_user(session)

    task = await create_task(
        session, TaskCreate(owner_id=owner.id, title="Already done", status=TaskStatus.DONE)
    )

    assert task.completed_at is not None


async def test_task_for_a_missing_owner_or_project_is_refused(session: AsyncSession) -> None:
    owner = await add_user(session)

    with pytest.raises(UserNotFoundError):
        await create_task(session, TaskCreate(owner_id=999, title="Orphan"))
    with pytest.raises(ProjectNotFoundError, match="project 999"):
        await create_task(session, TaskCreate(owner_id=owner.id, title="x", project_id=999))


async def test_missing_task_is_not_found(session: AsyncSession) -> None:
    with pytest.raises(TaskNotFoundError, match="task 999 does not exist"):
        await get_task(session, 999)
    with pytest.raises(TaskNotFoundError):
        await update_task(session, 999, TaskUpdate(title="x"))
    with pytest.raises(TaskNotFoundError):
        await delete_task(session, 999)


async def test_list_pages_through_one_owners_tasks_with_a_total(session: AsyncSession) -> None:
    ada, grace = await add_user(session), await add_user(session)
    adas = [await add_task(session, ada, tags=("x",)) for _ in range(3)]
    await add_task(session, grace)

    page = await list_tasks(session, owner_id=ada.id, limit=2, offset=1)

    assert [task.id for task in page.items] == [adas[1].id, adas[2].id]
    assert page.total == 3
    assert [tag.name for tag in page.items[0].tags] == ["x"]
    assert (await list_tasks(session)).total == 4


async def test_moving_a_task_to_done_stamps_completion_and_reopening_clears_it(
    session: AsyncSession,
) -> None:
    task = await add_task(session, await add_user(session))

    done = await update_task(session, task.id, TaskUpdate(status=TaskStatus.DONE))
    assert done.completed_at is not None
    completed_at = done.completed_at

    unchanged = await update_task(session, task.id, TaskUpdate(status=TaskStatus.DONE))
    assert unchanged.completed_at == completed_at

    reopened = await update_task(session, task.id, TaskUpdate(status=TaskStatus.IN_PROGRESS))
    assert reopened.completed_at is None


async def test_update_changes_only_given_fields_and_none_clears_optional_ones(
    session: AsyncSession,
) -> None:
    owner = await add_user(session)
    project = await add_project(session)
    task = await add_task(
        session, owner, title="Old", project=project, due_date=date(2030, 1, 1), tags=("a", "b")
    )
    created_updated_at = task.updated_at

    updated = await update_task(
        session,
        task.id,
        TaskUpdate(priority=TaskPriority.HIGH, due_date=None, project_id=None, tags=["c"]),
    )

    assert updated.title == "Old"
    assert updated.priority is TaskPriority.HIGH
    assert (updated.due_date, updated.project_id) == (None, None)
    assert [tag.name for tag in updated.tags] == ["c"]
    assert updated.updated_at >= created_updated_at


async def test_a_task_can_be_handed_to_another_existing_user(session: AsyncSession) -> None:
    ada, grace = await add_user(session), await add_user(session)
    task = await add_task(session, ada)
    project = await add_project(session)

    updated = await update_task(
        session, task.id, TaskUpdate(owner_id=grace.id, project_id=project.id)
    )

    assert (updated.owner_id, updated.project_id) == (grace.id, project.id)
    with pytest.raises(UserNotFoundError):
        await update_task(session, task.id, TaskUpdate(owner_id=999))
    with pytest.raises(ProjectNotFoundError):
        await update_task(session, task.id, TaskUpdate(project_id=999))


@pytest.mark.parametrize("field", ["title", "status", "priority", "tags", "owner_id"])
def test_required_fields_cannot_be_cleared(field: str) -> None:
    with pytest.raises(ValidationError, match=f"{field} cannot be null"):
        TaskUpdate.model_validate({field: None})


@pytest.mark.parametrize(
    "fields",
    [
        {"owner_id": 1, "title": ""},
        {"owner_id": 1, "title": "x", "priority": "critical"},
        {"owner_id": 2**31, "title": "x"},
        {"owner_id": "1", "title": "x"},
        {"owner_id": 1, "title": "x", "tags": ["ok", ""]},
        {"owner_id": 1, "title": "x", "description": "nul \x00"},
    ],
)
def test_invalid_task_input_is_refused_before_the_database(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TaskCreate.model_validate(fields)


async def test_deleting_a_task_removes_its_tag_links_but_keeps_the_tags(
    session: AsyncSession,
) -> None:
    task = await add_task(session, await add_user(session), tags=("keep",))

    await delete_task(session, task.id)

    with pytest.raises(TaskNotFoundError):
        await get_task(session, task.id)
    assert await session.scalar(select(func.count()).select_from(Tag)) == 1


async def test_project_names_are_unique(session: AsyncSession) -> None:
    project = await create_project(session, ProjectCreate(name="Website", description="v2"))

    with pytest.raises(ProjectNameTakenError, match="Website"):
        await create_project(session, ProjectCreate(name="Website"))
    assert project.id is not None
