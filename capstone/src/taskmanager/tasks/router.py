"""HTTP routes of `/api/v1/tasks`: create, list, stats, read, update (If-Match) and delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status

from taskmanager.auth.dependencies import ClaimsWithoutSessionCheck, CurrentUser, identify
from taskmanager.core.database import SessionDep, database_of
from taskmanager.core.driver import pooled_connection
from taskmanager.core.pagination import Page, page_response
from taskmanager.core.query import query_parameters
from taskmanager.tasks import service
from taskmanager.tasks.dependencies import (
    IfMatchHeader,
    IfNoneMatchHeader,
    LockedOwnedTask,
    OwnedTask,
    TaskListQuery,
    TaskListRequestDep,
)
from taskmanager.tasks.etags import etag, matches, require_current_version
from taskmanager.tasks.listing import fetch_page
from taskmanager.tasks.schemas import TaskCreate, TaskRead, TaskStats, TaskUpdate

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such task of yours."}}
INVALID: dict[int | str, dict[str, Any]] = {422: {"description": "Invalid body, query or id."}}
ETAG_HEADER = {
    "ETag": {"description": 'The task\'s version, e.g. `"3"`.', "schema": {"type": "string"}}
}
LOCATION_HEADER = {
    "Location": {"description": "The new task's path.", "schema": {"type": "string"}}
}
STALE: dict[int | str, dict[str, Any]] = {
    412: {"description": "`If-Match` names a version that is no longer current."}
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a task",
    responses={
        **INVALID,
        201: {"description": "Created.", "headers": {**LOCATION_HEADER, **ETAG_HEADER}},
    },
)
async def create_task(
    data: TaskCreate, user: CurrentUser, session: SessionDep, request: Request, response: Response
) -> TaskRead:
    task = await service.create_task(session, user.id, data)
    response.headers["Location"] = request.url_for("get_task", task_id=task.id).path
    response.headers["ETag"] = etag(task)
    return TaskRead.model_validate(task)


@router.get(
    "",
    response_model=Page[TaskRead],
    summary="List your tasks (filtered, sorted, paged)",
    responses=INVALID,
    openapi_extra={"parameters": query_parameters(TaskListQuery)},
)
async def list_tasks(
    request: Request, caller: ClaimsWithoutSessionCheck, query: TaskListRequestDep
) -> Response:
    # The hottest route: one pooled connection, one statement that also checks the caller's
    # session (see `taskmanager.tasks.listing`), each task as the JSON PostgreSQL wrote.
    page = query.page
    async with pooled_connection(database_of(request)) as connection:
        result = await fetch_page(connection, caller, query.filters, page.limit, page.position)
    identify(request, caller)
    next_cursor = page.next_cursor(result.next_position) if result.next_position else None
    return page_response(result.tasks, next_cursor)


@router.get("/stats", summary="Counts of your tasks by status and priority, and overdue")
async def get_task_stats(user: CurrentUser, session: SessionDep) -> TaskStats:
    return await service.task_stats(session, user.id)


@router.api_route("/stats", methods=["POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def task_stats_other_methods() -> None:
    """405 (`Allow: GET, HEAD`) rather than `/{task_id}`'s 422 for "stats" as a task id."""
    raise HTTPException(status.HTTP_405_METHOD_NOT_ALLOWED)


@router.get(
    "/{task_id}",
    response_model=TaskRead,
    summary="Read a task",
    responses={
        **NOT_FOUND,
        **INVALID,
        200: {"description": "The task.", "headers": ETAG_HEADER},
        304: {"description": "`If-None-Match` names the current version.", "headers": ETAG_HEADER},
    },
)
async def get_task(
    task: OwnedTask, response: Response, if_none_match: IfNoneMatchHeader = None
) -> Any:
    if if_none_match is not None and matches(if_none_match, task):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(task)})
    response.headers["ETag"] = etag(task)
    return TaskRead.model_validate(task)


@router.patch(
    "/{task_id}",
    summary="Update some fields of a task",
    responses={
        **NOT_FOUND,
        **STALE,
        **INVALID,
        200: {"description": "The updated task.", "headers": ETAG_HEADER},
    },
)
async def update_task(
    data: TaskUpdate,
    task: LockedOwnedTask,
    session: SessionDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> TaskRead:
    require_current_version(if_match, task)
    task = await service.update_task(session, task, data)
    response.headers["ETag"] = etag(task)
    return TaskRead.model_validate(task)


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a task and its comments",
    responses={**NOT_FOUND, **STALE, **INVALID},
)
async def delete_task(
    task: LockedOwnedTask, session: SessionDep, if_match: IfMatchHeader = None
) -> None:
    require_current_version(if_match, task)
    await service.delete_task(session, task)
