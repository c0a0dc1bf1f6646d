"""The FastAPI application: create, list and fetch notes, and ``/health`` that asks PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel

from .database import create_pool, database_is_reachable
from .errors import PROBLEM_RESPONSE, install_error_handlers
from .notes import MAX_NOTE_ID, Note, NoteCreate, NotePage, NoteRepository
from .settings import DatabaseSettings


class Health(BaseModel):
    """What ``/health`` reports; 503 when the database does not answer."""

    status: str
    database: str


def _notes(request: Request) -> NoteRepository:
    return NoteRepository(request.app.state.pool)


Notes = Annotated[NoteRepository, Depends(_notes)]
NoteId = Annotated[int, Path(ge=1, le=MAX_NOTE_ID)]


def create_app(settings: DatabaseSettings) -> FastAPI:
    """The application; its lifespan opens the database pool and closes it on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await create_pool(settings)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(title="Notes", version="1.0.0", lifespan=lifespan)
    install_error_handlers(app)

    @app.post("/notes", status_code=status.HTTP_201_CREATED, summary="Create a note")
    async def create_note(note: NoteCreate, notes: Notes, response: Response) -> Note:
        created = await notes.create(note)
        response.headers["Location"] = f"/notes/{created.id}"
        return created

    @app.get("/notes", summary="List notes in creation order")
    async def list_notes(
        notes: Notes,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        after_id: Annotated[int, Query(ge=0, le=MAX_NOTE_ID)] = 0,
    ) -> NotePage:
        return await notes.list(limit=limit, after_id=after_id)

    @app.get("/notes/{note_id}", summary="Fetch one note", responses={404: PROBLEM_RESPONSE})
    async def get_note(note_id: NoteId, notes: Notes) -> Note:
        note = await notes.get(note_id)
        if note is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no note with id {note_id}")
        return note

    @app.get("/health", summary="Liveness and database check", responses={503: {"model": Health}})
    async def health(request: Request, response: Response) -> Health:
        if await database_is_reachable(request.app.state.pool, settings):
            return Health(status="ok", database="ok")
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable", database="unreachable")

    return app
