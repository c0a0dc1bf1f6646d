"""4.4.1 core: the blog's data as three Pydantic models, User, Post and Comment.

Plain `BaseModel` classes with typed fields: Pydantic checks and converts every field when a
model is built from a dict (`Post.model_validate(data)`) or from JSON (`Post.model_validate_json`),
and turns it back into either (`model_dump()`, `model_dump_json()`).
"""

from __future__ import annotations

# region 4.4.1 core: the models User, Comment and Post with typed fields (see the README's table)
#: tip: from datetime import datetime; from pydantic import BaseModel, Field
#: tip: class User(BaseModel): id: int; username: str = Field(min_length=3, max_length=32); ...
#: tip: a Post holds its author (a User) and its comments (list[Comment], empty by default)
from datetime import datetime

from pydantic import BaseModel, Field


class User(BaseModel):
    """A registered user, as the blog stores and shows it (no password here)."""

    id: int
    username: str = Field(min_length=3, max_length=32)
    email: str
    full_name: str | None = None
    created_at: datetime


class Comment(BaseModel):
    """A comment on a post: which post, who wrote it, what it says."""

    id: int
    post_id: int
    author_id: int
    text: str = Field(min_length=1, max_length=2_000)
    created_at: datetime


class Post(BaseModel):
    """A post with its author nested, its tags and its comments."""

    id: int
    author: User
    title: str = Field(min_length=1, max_length=200)
    body: str
    tags: list[str] = []
    created_at: datetime
    comments: list[Comment] = []


# endregion 4.4.1
