"""Notes: what the API accepts and returns, and the SQL that stores them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import asyncpg
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# PostgreSQL's bigint; a larger id in a path would fail inside asyncpg as a 500.
MAX_NOTE_ID = 2**63 - 1


def _refuse_nul(text: str) -> str:
    # PostgreSQL cannot store NUL in text: asyncpg would raise and the client would get a 500.
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


class NoteCreate(BaseModel):
    """The body of ``POST /notes``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_refuse_nul)]
    body: Annotated[str, Field(max_length=10_000), AfterValidator(_refuse_nul)] = ""


class Note(BaseModel):
    """A stored note."""

    id: int = Field(examples=[1])
    title: str = Field(examples=["Buy milk"])
    body: str = Field(examples=["2 litres"])
    created_at: datetime


class NotePage(BaseModel):
    """Notes in id order; ``next_after_id`` continues the listing, ``null`` at the end."""

    items: list[Note]
    next_after_id: int | None


class NoteRepository:
    """Reads and writes notes through a connection pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, note: NoteCreate) -> Note:
        row = await self._pool.fetchrow(
            "INSERT INTO notes (title, body) VALUES ($1, $2) RETURNING id, title, body, created_at",
            note.title,
            note.body,
        )
        return Note.model_validate(dict(row))

    async def get(self, note_id: int) -> Note | None:
        row = await self._pool.fetchrow(
            "SELECT id, title, body, created_at FROM notes WHERE id = $1", note_id
        )
        return None if row is None else Note.model_validate(dict(row))

    async def list(self, *, limit: int, after_id: int) -> NotePage:
        # One row more than asked tells whether another page exists without a COUNT.
        rows = await self._pool.fetch(
            "SELECT id, title, body, created_at FROM notes WHERE id > $1 ORDER BY id LIMIT $2",
            after_id,
            limit + 1,
        )
        items = [Note.model_validate(dict(row)) for row in rows[:limit]]
        next_after_id = items[-1].id if len(rows) > limit else None
        return NotePage(items=items, next_after_id=next_after_id)
