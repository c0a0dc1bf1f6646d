"""Comments on a task its owner already holds: add, list oldest first by keyset, delete."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from taskmanager.comments.models import Comment
from taskmanager.comments.schemas import CommentCreate
from taskmanager.core.database import utc_now
from taskmanager.core.errors import NotFoundError, ValidationProblemError
from taskmanager.tasks.models import Task


class CommentNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("No comment with this id on this task.")


async def add_comment(
    session: AsyncSession, task: Task, author_id: uuid.UUID, data: CommentCreate
) -> Comment:
    comment = Comment(
        id=uuid.uuid4(), task_id=task.id, author_id=author_id, body=data.body, created_at=utc_now()
    )
    session.add(comment)
    await session.commit()
    return comment


def _position_after(position: dict[str, Any], task: Task) -> tuple[datetime, uuid.UUID]:
    try:
        if position["task"] != str(task.id):
            raise ValueError("the cursor belongs to another task's comments")
        return datetime.fromisoformat(position["created_at"]), uuid.UUID(position["id"])
    except (KeyError, TypeError, ValueError):
        raise ValidationProblemError(
            "The cursor is not valid for this list.", code="invalid_cursor"
        ) from None


async def list_comments(
    session: AsyncSession, task: Task, limit: int, position: dict[str, Any] | None
) -> tuple[Sequence[Comment], dict[str, Any] | None]:
    """One page of the task's comments, oldest first, and the position after it (or None)."""
    statement = select(Comment).where(Comment.task_id == task.id)
    if position is not None:
        created_at, last_id = _position_after(position, task)
        statement = statement.where(
            tuple_(Comment.created_at, Comment.id)
            > tuple_(
                literal(created_at, Comment.created_at.type), literal(last_id, Comment.id.type)
            )
        )
    statement = statement.order_by(Comment.created_at, Comment.id).limit(limit + 1)
    comments = (await session.scalars(statement)).all()
    if len(comments) <= limit:
        return comments, None
    last = comments[limit - 1]
    next_position = {
        "task": str(task.id),
        "created_at": last.created_at.isoformat(),
        "id": str(last.id),
    }
    return comments[:limit], next_position


async def delete_comment(session: AsyncSession, task: Task, comment_id: uuid.UUID) -> None:
    deleted = await session.scalar(
        delete(Comment)
        .where(Comment.id == comment_id, Comment.task_id == task.id)
        .returning(Comment.id)
    )
    if deleted is None:
        raise CommentNotFoundError
    await session.commit()
