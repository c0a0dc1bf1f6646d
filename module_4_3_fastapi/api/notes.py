"""Notes: a small resource that uses both dependency chains (a database connection, a token).

Each note belongs to the token's subject; another subject's note is a 404, like a missing one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from module_4_3_fastapi.database import Connection, DatabaseConnection
from module_4_3_fastapi.errors import NotFoundError, problem_responses
from module_4_3_fastapi.security import CanReadNotes, CanWriteNotes

router = APIRouter(prefix="/notes", tags=["4.3.3 dependencies: database and tokens"])

# PostgreSQL cannot store NUL in text (asyncpg would fail with a 500): refuse it at validation.
_NO_NUL = r"^[^\x00]*$"
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_NUL)
]
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=_NO_NUL)]


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title = Field(examples=["Buy milk"])
    body: Text = Field(default="", examples=["2 litres, semi-skimmed"])


class Note(BaseModel):
    id: uuid.UUID
    owner: str = Field(examples=["alice"])
    title: str = Field(examples=["Buy milk"])
    body: str = Field(examples=["2 litres, semi-skimmed"])
    created_at: datetime


_AUTH_ERRORS = problem_responses(401, 403, 422, 503)


@router.get("", summary="List your notes", description="Newest first.", responses=_AUTH_ERRORS)
async def list_notes(
    principal: CanReadNotes,
    connection: DatabaseConnection,
    limit: Annotated[int, Query(ge=1, le=100, description="how many notes at most")] = 20,
) -> list[Note]:
    rows = await connection.fetch(
        "SELECT id, owner, title, body, created_at FROM notes"
        " WHERE owner = $1 ORDER BY created_at DESC, id LIMIT $2",
        principal.subject,
        limit,
    )
    return [Note.model_validate(dict(row)) for row in rows]


@router.post(
    "",
    status_code=201,
    summary="Create a note",
    description="Needs the `notes:write` scope. Answers with the note and its `Location`.",
    responses=_AUTH_ERRORS,
)
async def create_note(
    note: NoteCreate,
    principal: CanWriteNotes,
    connection: DatabaseConnection,
    response: Response,
) -> Note:
    row = await connection.fetchrow(
        "INSERT INTO notes (owner, title, body) VALUES ($1, $2, $3)"
        " RETURNING id, owner, title, body, created_at",
        principal.subject,
        note.title,
        note.body,
    )
    created = Note.model_validate(dict(row))
    response.headers["Location"] = f"/notes/{created.id}"
    return created


async def _find_note(connection: Connection, note_id: uuid.UUID, owner: str) -> Note:
    row = await connection.fetchrow(
        "SELECT id, owner, title, body, created_at FROM notes WHERE id = $1 AND owner = $2",
        note_id,
        owner,
    )
    if row is None:
        raise NotFoundError(f"no note with id {note_id}")
    return Note.model_validate(dict(row))


@router.get(
    "/{note_id}",
    summary="Read a note",
    responses={**_AUTH_ERRORS, **problem_responses(404)},
)
async def read_note(
    note_id: uuid.UUID, principal: CanReadNotes, connection: DatabaseConnection
) -> Note:
    return await _find_note(connection, note_id, principal.subject)


@router.delete(
    "/{note_id}",
    status_code=204,
    summary="Delete a note",
    description="Needs the `notes:write` scope.",
    responses={**_AUTH_ERRORS, **problem_responses(404)},
)
async def delete_note(
    note_id: uuid.UUID, principal: CanWriteNotes, connection: DatabaseConnection
) -> Response:
    status = await connection.execute(
        "DELETE FROM notes WHERE id = $1 AND owner = $2", note_id, principal.subject
    )
    if status == "DELETE 0":
        raise NotFoundError(f"no note with id {note_id}")
    return Response(status_code=204)
