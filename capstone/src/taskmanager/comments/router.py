"""HTTP routes of `/api/v1/tasks/{task_id}/comments`; every one first checks the task is yours."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from taskmanager.auth.dependencies import CurrentUser
from taskmanager.comments import service
from taskmanager.comments.schemas import CommentCreate, CommentRead
from taskmanager.core.database import SessionDep
from taskmanager.core.pagination import Page, PageDep
from taskmanager.tasks.dependencies import OwnedTask

router = APIRouter(prefix="/api/v1/tasks/{task_id}/comments", tags=["comments"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such task of yours (or no such comment on it)."},
    422: {"description": "Invalid body, query or id."},
}


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Comment on a task", responses=NOT_FOUND
)
async def add_comment(
    data: CommentCreate, task: OwnedTask, user: CurrentUser, session: SessionDep
) -> CommentRead:
    return CommentRead.model_validate(await service.add_comment(session, task, user.id, data))


@router.get("", summary="List a task's comments, oldest first", responses=NOT_FOUND)
async def list_comments(task: OwnedTask, session: SessionDep, page: PageDep) -> Page[CommentRead]:
    comments, next_position = await service.list_comments(session, task, page.limit, page.position)
    return Page[CommentRead](
        items=[CommentRead.model_validate(comment) for comment in comments],
        next_cursor=page.next_cursor(next_position) if next_position else None,
    )


@router.delete(
    "/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a comment",
    responses=NOT_FOUND,
)
async def delete_comment(
    task: OwnedTask,
    comment_id: Annotated[uuid.UUID, Path(description="The comment's id.")],
    session: SessionDep,
) -> None:
    await service.delete_comment(session, task, comment_id)
